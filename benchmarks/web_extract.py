"""Page extraction throughput: the mandatory page purge plus every page extractor, next to
bare lxml parsing of the same pages in the same run.

Pages: the HTML fixtures of ../shared/data (schema.org examples, microformats tests,
extruct samples) plus generated team, contact and blog pages.  Prints pages per second,
the median, 95th percentile and maximum per page, and peak memory.

    .venv/bin/python benchmarks/web_extract.py [--generated 300]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import lxml.etree
import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web_pages import generate_pages  # noqa: E402

from webleads_core.pages import capture_page  # noqa: E402
from webleads_core.records import Document  # noqa: E402
from webleads_web.conformance import shared_data_dir  # noqa: E402
from webleads_web.extractors import all_extractors  # noqa: E402


def fixture_pages() -> list[tuple[str, bytes]]:
    data = shared_data_dir()
    out = []
    for folder in ("schemaorg-examples", "microformats-tests", "extruct-samples"):
        for p in sorted((data / folder).rglob("*.html")):
            out.append((str(p.relative_to(data)), p.read_bytes()))
    return out


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--generated", type=int, default=300, help="generated pages added to the fixtures")
    ap.add_argument("--rounds", type=int, default=3, help="passes over the pages (best of)")
    args = ap.parse_args()
    pages = fixture_pages() + generate_pages(args.generated)
    extractors = all_extractors()
    size = sum(len(b) for _, b in pages)
    best_ours: list[float] | None = None
    best_lxml: list[float] | None = None
    evidence = 0
    for _ in range(args.rounds):
        ours, bare, ev = [], [], 0
        for name, html in pages:
            t0 = time.perf_counter()
            try:
                lxml.html.document_fromstring(html)
            except lxml.etree.ParserError:  # a comment-only fixture
                pass
            bare.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            try:
                cap = capture_page(Document.from_page("bench", "https://bench.example/" + name, html))
                ev += sum(1 for ex in extractors for _ in ex.extract(cap))
            except Exception:
                pass
            ours.append(time.perf_counter() - t0)
        if best_ours is None or sum(ours) < sum(best_ours):
            best_ours, best_lxml, evidence = ours, bare, ev
    assert best_ours is not None and best_lxml is not None
    slowest = max(range(len(pages)), key=lambda i: best_ours[i])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pages: {len(pages)} ({len(pages) - args.generated} fixtures + {args.generated} generated), "
          f"{size / 1e6:.1f} MB, {evidence} evidence")
    for label, times in (("purge+extract", best_ours), ("bare lxml parse", best_lxml)):
        ms = [t * 1000 for t in times]
        print(f"{label:16s} {len(times) / sum(times):8.1f} pages/s   median {statistics.median(ms):6.2f} ms   "
              f"p95 {pct(ms, 0.95):6.2f} ms   max {max(ms):7.2f} ms")
    gen = [t * 1000 for (name, _), t in zip(pages, best_ours) if name.startswith("gen-")]
    if gen:
        print(f"generated pages only: median {statistics.median(gen):6.2f} ms   p95 {pct(gen, 0.95):6.2f} ms   "
              f"max {max(gen):7.2f} ms")
    print(f"slowest page: {pages[slowest][0]} ({best_ours[slowest] * 1000:.1f} ms, {len(pages[slowest][1]) // 1024} KiB)")
    print(f"peak RSS: {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
