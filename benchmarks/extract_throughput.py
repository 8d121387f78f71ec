"""Messages per second of `webleads extract` (the whole pipeline: parse, segment, purge,
extract, privacy, resolve/merge in an in-memory store, publish) next to bare
`email.message_from_bytes(policy=compat32)` on the same messages, in the same run.

Usage: python benchmarks/extract_throughput.py [PATH ...] [--repeat N]
Default corpus: ../shared/data/spamassassin_public_corpus (6,046 real messages), else
examples/mailbox.
"""

from __future__ import annotations

import argparse
import email
import os
import platform
import resource
import sys
import time
from email import policy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "spamassassin_public_corpus"


def load(paths: list[Path]) -> list[bytes]:
    out = []
    for p in paths:
        files = [p] if p.is_file() else sorted(f for f in p.rglob("*") if f.is_file() and f.suffix in (".eml", "")
                                                 or (f.is_file() and f.parent.name in ("cur", "new")))
        out.extend(f.read_bytes() for f in files)
    return out


def machine() -> str:
    return f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, " \
           f"{os.cpu_count()} cpus, {platform.platform()}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs")
    args = ap.parse_args()
    paths = args.paths or [DEFAULT if DEFAULT.exists() else ROOT / "examples" / "mailbox"]
    msgs = load(paths)
    print(f"machine: {machine()}")
    print(f"corpus: {', '.join(map(str, paths))}: {len(msgs)} messages, {sum(map(len, msgs)) / 1e6:.1f} MB")

    def bare() -> None:
        for raw in msgs:
            email.message_from_bytes(raw, policy=policy.compat32)

    from webleads_core import Config, Document, build_pipeline
    from webleads_core.engine.run import make_policy, run_pipeline, sealed_contacts
    from webleads_core.store import SQLiteStore
    from webleads_core import hookimpl
    from webleads_core.records import Checkpoint

    class Memory:  # the messages already in memory, so both sides measure the same work
        def __init__(self, config):
            pass

        def read(self, cursor, context):
            for i, raw in enumerate(msgs):
                yield Document.from_email("bench", f"m{i}", raw)
            yield Checkpoint("bench", {"n": len(msgs)})

    class P:
        @hookimpl
        def register_sources(self, register):
            register("bench-memory", Memory)

    from webleads_core import create_plugin_manager

    pm = create_plugin_manager(plugins=(P(),))
    pipeline = build_pipeline(Config.from_dict({"sources": [{"type": "bench-memory", "name": "bench"}]}), pm=pm)
    stats = {}

    def whole() -> None:
        with SQLiteStore() as store:
            r = run_pipeline(pipeline, store)
            n = sum(1 for _ in sealed_contacts(store, make_policy(pipeline, store)))
            stats.update(processed=r.processed, skipped=r.skipped, contacts=n, evidence=r.evidence)

    def best(fn) -> float:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    t_bare = best(bare)
    t_whole = best(whole)
    n = len(msgs)
    print(f"bare email.message_from_bytes(compat32): {n / t_bare:8.0f} msg/s")
    print(f"webleads extract (whole pipeline):       {n / t_whole:8.0f} msg/s "
          f"({t_bare / t_whole:.0%} of bare parsing)")
    print(f"  processed {stats['processed']}, skipped {stats['skipped']}, evidence {stats['evidence']}, "
          f"contacts {stats['contacts']}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
