"""Messages per second of the gmail source against the stand-in, next to the raw fetch rate.

    .venv/bin/python benchmarks/gmail_throughput.py [--messages 2000]

The stand-in runs in its own process (python -m webleads_gmail.testing.serve) so it does
not share the GIL with what is measured.  Three figures, each over a full sync of the
same mailbox:

* raw fetch: the ceiling.  Plain http.client on one kept-alive connection: list the ids,
  POST hand-written batches of 50 ``format=raw``, split the multipart answer, decode the
  base64url.  No client library, no checks, no pipeline.
* gmail source: ``GmailSource.read`` drained (discovery client, google-auth, our safe
  transport with a fresh connection per request, retries, decoding), pacing off.
* webleads run: the whole pipeline (parse, segment, purge, extract, privacy, store) with
  the gmail source, as ``webleads run`` does it minus process start.

"client CPU" is this process's CPU time: on loopback the stand-in itself (a Python
server) is often what limits the wall-clock rate, so the CPU column shows what the
client costs.  Pacing is off in all three: with the default ``max_gets_per_second = 50`` a real
mailbox syncs at most at about 50 messages a second, whatever these figures say.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def raw_fetch(url: str, token_file: Path) -> tuple[int, float]:
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.connect()
    # headers and body go out as two writes: without this, Nagle's algorithm and delayed
    # ACKs would add ~40 ms to every request and make the "ceiling" the slowest line
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    tok = json.loads(token_file.read_text())
    form = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": tok["refresh_token"],
                                   "client_id": tok["client_id"], "client_secret": tok["client_secret"]})
    t0 = time.perf_counter()
    conn.request("POST", "/token", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    access = json.loads(conn.getresponse().read())["access_token"]
    auth = {"Authorization": f"Bearer {access}"}
    ids: list[str] = []
    page = ""
    while True:
        conn.request("GET", f"/gmail/v1/users/me/messages?maxResults=500{page}", headers=auth)
        body = json.loads(conn.getresponse().read())
        ids += [m["id"] for m in body.get("messages", [])]
        if "nextPageToken" not in body:
            break
        page = "&pageToken=" + urllib.parse.quote(body["nextPageToken"])
    total = 0
    for i in range(0, len(ids), 50):
        chunk = ids[i:i + 50]
        payload = "".join(f"--b\r\nContent-Type: application/http\r\nContent-ID: <{m}>\r\n\r\n"
                          f"GET /gmail/v1/users/me/messages/{m}?format=raw HTTP/1.1\r\n\r\n" for m in chunk)
        conn.request("POST", "/batch/gmail/v1", body=payload + "--b--\r\n",
                     headers={**auth, "Content-Type": "multipart/mixed; boundary=b"})
        resp = conn.getresponse()
        boundary = resp.getheader("Content-Type").split("boundary=")[1].encode()
        data = resp.read()
        for part in data.split(b"--" + boundary)[1:-1]:
            msg = json.loads(part.split(b"\r\n\r\n", 2)[2])
            total += len(base64.urlsafe_b64decode(msg["raw"]))
    seconds = time.perf_counter() - t0
    conn.close()
    assert total > 0
    return len(ids), seconds


def source_fetch(url: str, token_file: Path, workdir: Path) -> tuple[int, float]:
    from webleads_core.components import SourceConfig
    from webleads_gmail.source import GmailSource
    from webleads_gmail.testing.helpers import drain

    src = GmailSource(SourceConfig(name="gm", type="gmail", owner="me@standin.example", base_dir=workdir,
                                   options={"token_file": str(token_file), "api_endpoint": url,
                                            "allow_networks": ["127.0.0.0/8"], "max_gets_per_second": 0}))
    t0 = time.perf_counter()
    out = drain(src)
    return len(out["docs"]), time.perf_counter() - t0


def pipeline_run(url: str, token_file: Path, workdir: Path) -> tuple[int, float]:
    from webleads_core.config import Config
    from webleads_core.engine.pipeline import build_pipeline
    from webleads_core.engine.plugins import create_plugin_manager
    from webleads_core.engine.run import run_pipeline
    from webleads_core.store import open_store

    conf = Config.from_dict({"store": {"url": "sqlite:///bench.db"}, "sources": [{
        "type": "gmail", "name": "gm", "owner": "me@standin.example", "token_file": str(token_file),
        "api_endpoint": url, "allow_networks": ["127.0.0.0/8"], "max_gets_per_second": 0}]}, base_dir=workdir)
    pipeline = build_pipeline(conf, pm=create_plugin_manager())
    t0 = time.perf_counter()
    with open_store(conf.store_url) as store:
        result = run_pipeline(pipeline, store)
    return result.processed, time.perf_counter() - t0


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--messages", type=int, default=2000)
    args = p.parse_args()
    import logging

    logging.getLogger("webleads").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = subprocess.Popen([sys.executable, "-m", "webleads_gmail.testing.serve", "--messages",
                                   str(args.messages), "--token-file", str(work / "token.json")],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            info = json.loads(server.stdout.readline())
            url, token = info["url"], Path(info["token_file"])
            print(f"stand-in: {info['messages']} messages at {url} (separate process)")
            raw_fetch(url, token)  # warm-up, not measured: the stand-in parses each message once
            rows = []
            for label, run in (("raw fetch (http.client, batches of 50)", lambda: raw_fetch(url, token)),
                               ("gmail source (GmailSource.read)", lambda: source_fetch(url, token, work)),
                               ("webleads run (whole pipeline)", lambda: pipeline_run(url, token, work))):
                cpu0 = time.process_time()
                n, seconds = run()
                cpu = time.process_time() - cpu0
                rows.append((label, n, seconds))
                print(f"{label:40s} {n:6d} messages  {seconds:7.2f} s  {n / seconds:8.1f} messages/s"
                      f"  client CPU {cpu:6.2f} s  peak RSS {rss_mb():6.1f} MB", flush=True)
            raw_rate = rows[0][1] / rows[0][2]
            print(f"gmail source: {rows[1][1] / rows[1][2] / raw_rate:.0%} of the raw fetch rate; "
                  f"whole pipeline: {rows[2][1] / rows[2][2] / raw_rate:.0%}")
        finally:
            if server.stdin:
                server.stdin.close()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
