"""Messages per second of a whole `webleads run` reading an IMAP mailbox (fetch +
pipeline + store), next to the raw IMAP fetch rate of the same messages, and the time
of a rerun with nothing new.

Starts its own Dovecot on loopback ports (needs `dovecot`, see scripts/services.sh),
fills a Maildir with realistic messages (plain, multipart/alternative, a PDF attachment
before the text, quoted-printable, long bodies whose signature is at the tail), then:

1. raw fetch: the `imap` source's `read()` drained with nothing marked seen (EXAMINE,
   SEARCH, BODYSTRUCTURE, header + text parts, message assembly), no pipeline;
2. `webleads run -c CONFIG` in a subprocess, into a fresh SQLite store;
3. the same command again with no new mail.

Usage: python benchmarks/imap_sync.py [--messages 10000] [--security tls|starttls|plain]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    return (f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
            f"{os.cpu_count()} cpus, {platform.platform()}")


def rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--security", choices=("tls", "starttls", "plain"), default="tls")
    ap.add_argument("--attachment-kb", type=int, default=100, help="size of the PDF attachments")
    args = ap.parse_args()

    from webleads_core import SourceConfig
    from webleads_core.components import SourceContext
    from webleads_core.records import Document
    from webleads_imap.source import ImapSource
    from webleads_imap.testing import corpus
    from webleads_imap.testing.dovecot import Dovecot

    print(f"machine: {machine()}")
    with Dovecot() as dv, tempfile.TemporaryDirectory(prefix="webleads-imap-bench-") as tmp:
        user = dv.add_user()
        t0 = time.perf_counter()
        total = 0
        for start in range(0, args.messages, 1000):
            batch = corpus.messages(min(1000, args.messages - start), start=start,
                                    attachment_bytes=args.attachment_kb * 1024)
            total += sum(map(len, batch))
            dv.deliver(user, batch, seen=True)
        print(f"mailbox: {args.messages} messages, {total / 1e6:.1f} MB in the Maildir, "
              f"written in {time.perf_counter() - t0:.1f} s")
        os.environ["WEBLEADS_BENCH_IMAP_PW"] = dv.users[user]
        port = dv.imaps_port if args.security == "tls" else dv.imap_port
        options = {"host": "localhost" if args.security != "plain" else "127.0.0.1", "port": port,
                   "security": args.security, "username": user, "password_env": "WEBLEADS_BENCH_IMAP_PW",
                   "ca_file": str(dv.certs.ca), "folders": ["INBOX"]}

        # 1. raw IMAP fetch of the same messages, no pipeline (warms Dovecot's index too)
        src = ImapSource(SourceConfig(name="bench", type="imap", options=options))
        t0 = time.perf_counter()
        n = size = 0
        for obj in src.read(None, SourceContext()):
            if isinstance(obj, Document):
                n += 1
                size += len(obj.content)
        raw_s = time.perf_counter() - t0
        print(f"raw IMAP fetch ({args.security}): {n} messages in {raw_s:.2f} s = {n / raw_s:,.0f} msg/s; "
              f"{size / 1e6:.1f} MB transferred as messages ({size / max(total, 1):.1%} of the mailbox); "
              f"{src.stats.fetch_commands} FETCH commands; peak RSS {rss_mb(resource.RUSAGE_SELF):.0f} MB")

        # 2. the whole command
        config = Path(tmp) / "webleads.toml"
        lines = ["[store]", 'url = "sqlite:///store.db"', "", "[[sources]]", 'type = "imap"',
                 'name = "bench"', f'owner = {json.dumps(user)}']
        lines += [f"{k} = {json.dumps(v)}" for k, v in options.items()]
        config.write_text("\n".join(lines) + "\n")
        cmd = [sys.executable, "-m", "webleads_core.cli.main", "run", "-c", str(config), "--format", "json",
               "--no-progress"]

        def run() -> tuple[float, dict]:
            t = time.perf_counter()
            res = subprocess.run(cmd, capture_output=True, text=True, env=os.environ)
            wall = time.perf_counter() - t
            if res.returncode != 0:
                sys.exit(f"webleads run failed ({res.returncode}): {res.stderr[-2000:]}")
            return wall, json.loads(res.stdout.strip().splitlines()[-1])

        wall, out = run()
        print(f"webleads run (fetch + pipeline + store): {out['items']} messages in {wall:.2f} s wall "
              f"= {out['items'] / wall:,.0f} msg/s ({out['seconds']:.2f} s inside the run loop = "
              f"{out['items'] / out['seconds']:,.0f} msg/s); {out['contacts']} contacts, "
              f"{out['evidence']} evidence; peak RSS {rss_mb(resource.RUSAGE_CHILDREN):.0f} MB")
        print(f"  pipeline share: the raw fetch alone takes {raw_s / out['seconds']:.0%} of the run loop's time")

        # 3. nothing new
        wall2, out2 = run()
        print(f"rerun with nothing new: {out2['items']} items, {wall2:.2f} s wall for the whole command "
              f"(process start included), {out2['seconds']:.3f} s inside the run loop")


if __name__ == "__main__":
    main()
