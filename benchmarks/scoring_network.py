#!/usr/bin/env python3
"""Merge-and-score throughput on a synthetic network: N evidence records from 100 owners.

Evidence is generated directly (no mail parsing: that is what the extraction benchmarks
measure), committed to a file store in batches like the engine does, then judged:

- merge: ``commit_batch`` (identity resolution, evidence rows, dirty marks) in records/s;
- score: every contact built with the network rules (``contacts()``) in records/s;
- changes: the time of ``webleads contacts changes`` (replay of every contact + listing);
- memory: peak RSS of the process.

Half the people change job halfway through the year, so there are real events to find.

Usage::

    .venv/bin/python benchmarks/scoring_network.py [--records 100000] [--owners 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from webleads_core import Evidence
from webleads_core.store import SQLiteStore

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
FIELDS_PER_MESSAGE = 5


def generate(records: int, owners: int, seed: int = 8):
    rnd = random.Random(seed)
    people = max(10, records // 50)
    messages = records // FIELDS_PER_MESSAGE
    for m in range(messages):
        p = rnd.randrange(people)
        owner = f"owner{rnd.randrange(owners)}@net{p % owners}.example"
        day = rnd.uniform(0, 365)
        moved = p % 2 == 0 and day > 180
        company = f"Company {p * 7 % 1000}" if not moved else f"NewCo {p}"
        title = "Engineer" if not moved else "Director"
        email = f"person{p}@{'new' if moved else 'old'}{p}.example"
        subject = f"email:{email}"
        at = T0 + dt.timedelta(days=day)
        item = f"msg{m}"
        common = dict(subject=subject, source=f"s{owner}", item_id=item, owner=owner, extractor="bench",
                      observed_at=at)
        yield [Evidence(field="email", value=email, method="header", confidence=0.95, **common),
               Evidence(field="name", value=f"Person {p}", method="signature", confidence=0.85, **common),
               Evidence(field="title", value=title, method="signature", confidence=0.75, **common),
               Evidence(field="company", value=company, method="signature", confidence=0.75, **common),
               Evidence(field="phone", value=f"+4479{p:08d}", subtype="mobile", method="signature",
                        confidence=0.85, **common)]


def upstream_rate(repeat: int = 20) -> float:
    """Evidence per second of the stages before the store (parse, segment, purge, extract,
    privacy, per-evidence scorers) on the simulated network's mail, for comparison."""
    import importlib.util

    from webleads_core.config import Config
    from webleads_core.engine.pipeline import build_pipeline
    from webleads_core.engine.plugins import create_plugin_manager
    from webleads_core.engine.run import make_policy, process_document
    from webleads_core.records import Document

    root = Path(__file__).resolve().parents[1] / "examples" / "network"
    spec = importlib.util.spec_from_file_location("make_network", root / "make_network.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with tempfile.TemporaryDirectory() as tmp:
        mod.generate(Path(tmp) / "m")
        raws = [f.read_bytes() for f in sorted((Path(tmp) / "m").rglob("*.network:2,S"))]
    pipeline = build_pipeline(Config(), pm=create_plugin_manager(autoload=False), sources=())
    with SQLiteStore() as store:
        policy = make_policy(pipeline, store)
    n, t = 0, time.perf_counter()
    for r in range(repeat):
        for i, raw in enumerate(raws):
            n += len(process_document(pipeline, Document.from_email("b", f"{r}-{i}", raw, owner="o@x.example"),
                                      policy))
    return n / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--owners", type=int, default=100)
    ap.add_argument("--batch", type=int, default=200, help="messages per commit (the engine's batch)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        batches, cur = [], []
        for msg in generate(args.records, args.owners):
            cur.extend(msg)
            if len(cur) >= args.batch * FIELDS_PER_MESSAGE:
                batches.append(cur)
                cur = []
        if cur:
            batches.append(cur)
        n = sum(len(b) for b in batches)
        with SQLiteStore(f"sqlite:///{db}") as store:
            t = time.perf_counter()
            for b in batches:
                store.commit_batch(b, seen=[(e.source, e.item_id) for e in b[::FIELDS_PER_MESSAGE]])
            merge = time.perf_counter() - t
            t = time.perf_counter()
            contacts = sum(1 for _ in store.contacts())
            score = time.perf_counter() - t
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "webleads_core.cli.main", "contacts", "changes", "--store",
                              str(db), "--format", "jsonl"], capture_output=True, text=True, check=True)
        changes_first = time.perf_counter() - t
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "webleads_core.cli.main", "contacts", "changes", "--store",
                        str(db), "--format", "jsonl"], capture_output=True, text=True, check=True)
        changes_again = time.perf_counter() - t
        events = out.stdout.count("\n")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"records        {n}  from {args.owners} owners, {contacts} contacts")
    print(f"merge          {n / merge:,.0f} records/s  ({merge:.2f} s, commit_batch of {args.batch} messages)")
    print(f"score          {n / score:,.0f} records/s  ({score:.2f} s, every contact built with the network rules)")
    print(f"merge+score    {n / (merge + score):,.0f} records/s")
    print(f"contacts changes  {changes_first:.2f} s first (replays every contact, {events} events), "
          f"{changes_again:.2f} s again")
    print(f"upstream       {upstream_rate():,.0f} evidence/s (parse..per-evidence scorers, one process, "
          "for comparison)")
    print(f"peak RSS       {rss:,.0f} MiB")


if __name__ == "__main__":
    main()
