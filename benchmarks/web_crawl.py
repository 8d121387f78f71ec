"""Crawl throughput: a generated 200-page site served on loopback, crawled through the
whole pipeline (web source, page purge, extractors, privacy, store) at a configured rate.

The crawl should be limited only by the rate: at ``rate`` requests per second, N pages
and robots.txt take at least N / rate seconds, and should take little more.  Prints the
achieved pages per second next to the configured rate, and peak memory.

    .venv/bin/python benchmarks/web_crawl.py [--pages 200] [--rate 50]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web_pages import write_site  # noqa: E402

import webleads_core as wl  # noqa: E402
from webleads_web.testing import site_server  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--rate", type=float, default=50.0, help="requests per second per host")
    ap.add_argument("-v", action="store_true", help="log the engine")
    args = ap.parse_args()
    import logging

    logging.basicConfig(level=logging.DEBUG if "-v" in sys.argv else logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_site(Path(tmp) / "site", args.pages)
        server = site_server(folder)
        try:
            conf = wl.load_config({
                "store": {"url": f"sqlite:///{tmp}/bench.db"},
                "sources": [{"type": "web", "name": "bench", "seeds": [server.url("/")], "rate": args.rate,
                             "max_pages": args.pages, "max_depth": 2, "sitemap": False,
                             "allow_networks": ["127.0.0.0/8"]}]})
            pipeline = wl.build_pipeline(conf)
            with wl.open_store(conf.store_url) as store:
                t0 = time.perf_counter()  # plugin loading and pipeline building are not timed
                result = wl.run_pipeline(pipeline, store)
                took = time.perf_counter() - t0
        finally:
            server.stop()
    requests = result.items + 1  # and robots.txt
    floor = (requests - 1) / args.rate
    print(f"crawled {result.items} pages ({result.processed} processed, {result.skipped} skipped: "
          f"{dict(result.reasons) or '-'}), "
          f"{result.evidence} evidence, {result.contacts} contacts")
    print(f"configured rate {args.rate:.1f} req/s: floor {floor:.2f} s; took {took:.2f} s "
          f"-> {requests / took:.1f} req/s ({100 * floor / took:.0f}% of the rate limit)")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
