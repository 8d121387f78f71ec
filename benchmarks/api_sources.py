"""Throughput and memory of the webleads-api sources (records per second, peak RSS).

    .venv/bin/python benchmarks/api_sources.py [--records 20000]

Measures each source's ``read`` alone (parsing, mapping, normalisation), without the
engine: a vCard file and a CSV export of generated fictional contacts on disk, and
the ``rest`` source paging through a stand-in API on loopback (100 records a page).
Peak RSS is measured in a fresh child process per source, so one source's garbage
does not count against the next.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import tempfile
import time
from pathlib import Path


def _write_vcf(path: Path, people) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        for p in people:
            fh.write("BEGIN:VCARD\r\nVERSION:3.0\r\n"
                     f"N:{p.last};{p.first};;;\r\nFN:{p.name}\r\nORG:{p.company};Sales\r\nTITLE:{p.title}\r\n"
                     f"EMAIL;TYPE=INTERNET,WORK:{p.email}\r\nEMAIL;TYPE=HOME:{p.home_email}\r\n"
                     f"TEL;TYPE=WORK,VOICE:{p.phone}\r\nTEL;TYPE=CELL:{p.mobile}\r\n"
                     "ADR;TYPE=WORK:;;1 Dock Road;London;;E16 1AA;United Kingdom\r\n"
                     f"NOTE:A note long enough to be folded by a client that folds lines at seventy-\r\n"
                     f" five octets, as the RFC asks.\r\nUID:bench-{p.id}\r\nEND:VCARD\r\n")


def _write_csv(path: Path, people) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("First Name,Last Name,Job Title,Company,Business Phone,Mobile Phone,E-mail Address,"
                 "Business Street,Business City,Business Postal Code,Business Country/Region\r\n")
        for p in people:
            fh.write(f"{p.first},{p.last},{p.title},{p.company},{p.phone},{p.mobile},{p.email},"
                     "1 Dock Road,London,E16 1AA,United Kingdom\r\n")


def _drain(kind: str, target: str, conn) -> None:
    from webleads_core.components import SourceConfig, SourceContext
    from webleads_core.records import Document

    if kind == "vcard":
        from webleads_api.vcard_source import VcardSource as cls
        opts = {"path": target}
    elif kind == "csv":
        from webleads_api.csv_source import CsvSource as cls
        opts = {"path": target}
    else:
        from webleads_api.rest_source import RestSource as cls
        from webleads_api.testing import GenericStandIn, generic_options, make_people

        opts = generic_options(GenericStandIn(make_people(1)), url=target,
                               pagination={"type": "link"}, incremental=None)
        del opts["incremental"]
    src = cls(SourceConfig(name="bench", type=kind, options=opts))
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    n = sum(1 for o in src.read(None, SourceContext()) if isinstance(o, Document))
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    conn.send((n, seconds, peak / 1024, (peak - rss0) / 1024))


def measure(kind: str, target: str) -> tuple[int, float, float, float]:
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_drain, args=(kind, target, send))
    proc.start()
    result = recv.recv()
    proc.join()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=20000)
    args = ap.parse_args()
    os.environ.setdefault("WL_TEST_API_KEY", "k-9f8e7d6c5b4a")

    from webleads_api.testing import API_KEY, GenericStandIn, make_people

    os.environ["WL_TEST_API_KEY"] = API_KEY
    people = make_people(args.records)
    with tempfile.TemporaryDirectory() as tmp:
        vcf, csv = Path(tmp) / "book.vcf", Path(tmp) / "export.csv"
        _write_vcf(vcf, people)
        _write_csv(csv, people)
        rows = [("vcard", str(vcf), f"{vcf.stat().st_size / 1e6:.1f} MB file"),
                ("csv", str(csv), f"{csv.stat().st_size / 1e6:.1f} MB file")]
        with GenericStandIn(people, style="link", page_size=100, api_key=API_KEY) as api:
            rows.append(("rest", api.url(), "loopback, 100 records a page"))
            print(f"{'source':6} {'records':>8} {'seconds':>8} {'records/s':>10} {'peak RSS MB':>12} "
                  f"{'RSS growth MB':>14}  input")
            for kind, target, what in rows:
                n, seconds, peak, growth = measure(kind, target)
                print(f"{kind:6} {n:8d} {seconds:8.2f} {n / seconds:10.0f} {peak:12.1f} {growth:14.1f}  {what}")


if __name__ == "__main__":
    main()
