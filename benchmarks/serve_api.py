"""Throughput of `webleads serve`: API contact listing and portal form posts per second,
against a real uvicorn server on loopback, and the process's peak memory.

    .venv/bin/python benchmarks/serve_api.py [--requests 200]

The store is the demo mailbox run once into a temporary folder.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import tempfile
import time
from pathlib import Path

import httpx

from webleads_serve.app import create_app
from webleads_serve.context import AppContext
from webleads_serve.scheduler import Scheduler
from webleads_serve.settings import load_serve_config
from webleads_serve.testing import OWNER, LiveServer, SmtpSink, write_config

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    smtp = SmtpSink().start()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "examples" / "mailbox", root / "mailbox")
        cfg = write_config(root, smtp.port, extra_serve="client_limit = [100000, 60]\naddress_limit = [100000, 60]")
        serve = load_serve_config(cfg)
        ctx = AppContext.create(serve)
        Scheduler(serve, ctx.state).run_source("demo")
        key = ctx.state.add_key(OWNER)
        with LiveServer(create_app(serve, context=ctx)) as url:
            c = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30)
            total = c.get("/api/v1/contacts").json()["total"]
            t = time.perf_counter()
            for i in range(args.requests):
                c.get("/api/v1/contacts", params={"limit": 20, "offset": i % 3 * 5})
            api = args.requests / (time.perf_counter() - t)
            t = time.perf_counter()
            for i in range(args.requests):
                c.get(f"/api/v1/contacts/{1 + i % total}")
            detail = args.requests / (time.perf_counter() - t)
            p = httpx.Client(base_url=url, timeout=30)
            csrf = re.search(r'name="csrf" value="([^"]+)"', p.get("/").text).group(1)
            n = max(20, args.requests // 4)
            t = time.perf_counter()
            for i in range(n):
                p.post("/request", data={"csrf": csrf, "kind": "optout", "identifier": f"bench{i}@unknown.example"})
            portal = n / (time.perf_counter() - t)
        ctx.state.close()
    smtp.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"contacts in store: {total}")
    print(f"GET /api/v1/contacts (page of 20):  {api:8.1f} requests/s")
    print(f"GET /api/v1/contacts/ID (detail):   {detail:8.1f} requests/s")
    print(f"POST /request (code sent via SMTP): {portal:8.1f} requests/s")
    print(f"peak RSS: {rss:.0f} MB")


if __name__ == "__main__":
    main()
