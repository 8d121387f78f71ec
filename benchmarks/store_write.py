"""Store write throughput: evidence rows per second into SQLite and into PostgreSQL.

The same generated batches (a crowd of people seen again and again: new contacts, found
contacts and merges, as a mailbox produces them) are committed with
``store.commit_batch`` into

- a SQLite file (WAL, synchronous=NORMAL: the store's own settings), one writer;
- PostgreSQL (a throwaway server started here on loopback, durable settings: fsync and
  synchronous commit on), with 1 writer, then N concurrent writer processes on the same
  database (the batches split between them; they share people, so they contend on the
  same identifiers as real parallel runs would).

Prints rows/s, the machine, the PostgreSQL settings and each writer's peak RSS.

Usage: python benchmarks/store_write.py [--rows 100000] [--batch 200] [--writers 2,4] [--encrypted]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from webleads_core import Evidence  # noqa: E402
from webleads_core.privacy.crypto import generate_keyring  # noqa: E402
from webleads_core.store import SQLiteStore  # noqa: E402
from webleads_core.store.pg_local import LocalPostgres  # noqa: E402
from webleads_core.store.postgres import PostgresStore  # noqa: E402

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
TITLES = ["Engineer", "Head of Sales", "CTO", "Buyer", "Office Manager", "Director"]


def machine() -> str:
    load = os.getloadavg()[0]
    return (f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
            f"{os.cpu_count()} cpus, load {load:.1f}")


def make_batches(rows: int, batch_items: int, seed: int = 1) -> list[list[Evidence]]:
    """About ``rows`` evidence rows in batches of ``batch_items`` items (5-6 rows an item)."""
    rnd = random.Random(seed)
    people = max(50, rows // 25)  # each person seen ~4 times
    out: list[list[Evidence]] = []
    n = item = 0
    while n < rows:
        batch: list[Evidence] = []
        for _ in range(batch_items):
            item += 1
            p = rnd.randrange(people)
            email = f"person{p}@company{p % 997}.example"
            subj = f"email:{email}"
            when = T0 + dt.timedelta(minutes=item)
            owner = f"owner{rnd.randrange(20)}@me.example"
            common = dict(subject=subj, item_id=f"msg-{item}", observed_at=when, source="bench", owner=owner,
                          extractor="signature", method="rules", confidence=0.8)
            batch += [Evidence(field="email", value=email, **common),
                      Evidence(field="name", value=f"Given{p} Family{p}", **common),
                      Evidence(field="title", value=rnd.choice(TITLES), **common),
                      Evidence(field="company", value=f"Company {p % 997}", **common),
                      Evidence(field="phone", value=f"+44791{p:07d}", subtype="mobile", **common)]
            if rnd.random() < 0.3:
                batch.append(Evidence(field="website", value=f"https://company{p % 997}.example", **common))
        n += len(batch)
        out.append(batch)
    return out


def write_all(open_store, batches) -> tuple[int, float, float]:
    """(rows in the batches, seconds, peak RSS MB) of committing every batch."""
    with open_store() as store:
        t = time.perf_counter()
        for b in batches:
            store.commit_batch(b, seen=[("bench", b[0].item_id)])
        seconds = time.perf_counter() - t
    return sum(len(b) for b in batches), seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pg_writer(url, key_dir, ring, batches, start, out) -> None:
    start.wait()
    rows, seconds, rss = write_all(lambda: PostgresStore(url, key_dir=key_dir, keyring=ring), batches)
    out.put((rows, seconds, rss))


def pg_parallel(url, key_dir, ring, batches, writers: int) -> tuple[int, float, float]:
    ctx = multiprocessing.get_context("fork")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_pg_writer, args=(url, key_dir, ring, batches[w::writers], start, out))
             for w in range(writers)]
    for p in procs:
        p.start()
    time.sleep(0.5)  # let every writer connect before the clock starts
    t = time.perf_counter()
    start.set()
    results = [out.get(timeout=3600) for _ in procs]
    wall = time.perf_counter() - t
    for p in procs:
        p.join()
    return sum(r[0] for r in results), wall, max(r[2] for r in results)


def stored_rows(store_open) -> tuple[int, int]:
    with store_open() as s:
        c = s.counts()
        return c["evidence"], c["contacts"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000, help="evidence rows to write (default 100000)")
    ap.add_argument("--batch", type=int, default=200, help="items per batch (default 200, ~1,100 rows)")
    ap.add_argument("--writers", default="2,4", help="concurrent PostgreSQL writer counts (default 2,4)")
    ap.add_argument("--encrypted", action="store_true", help="encrypted stores (AES-GCM, blind indexes)")
    args = ap.parse_args()
    batches = make_batches(args.rows, args.batch)
    total = sum(len(b) for b in batches)
    ring = generate_keyring() if args.encrypted else None
    print(f"machine: {machine()}")
    print(f"workload: {total:,} evidence rows in {len(batches)} batches of {args.batch} items; "
          f"{'encrypted' if ring else 'plain'} stores")

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        rows, secs, rss = write_all(lambda: SQLiteStore(f"sqlite:///{db}", keyring=ring), batches)
        ev, contacts = stored_rows(lambda: SQLiteStore(f"sqlite:///{db}", keyring=ring))
        print(f"sqlite   1 writer : {rows / secs:9,.0f} rows/s  ({rows:,} rows in {secs:.1f} s; stored {ev:,} "
              f"evidence, {contacts:,} contacts; peak RSS {rss:.0f} MB)")

        with LocalPostgres(durable=True) as pg:
            with __import__("psycopg").connect(pg.url, autocommit=True) as c:
                settings = dict(c.execute("SELECT name, setting FROM pg_settings WHERE name IN "
                                          "('fsync', 'synchronous_commit', 'shared_buffers', 'server_version')"))
            print(f"postgresql {settings.get('server_version')} on loopback: fsync={settings.get('fsync')}, "
                  f"synchronous_commit={settings.get('synchronous_commit')}, "
                  f"shared_buffers={int(settings.get('shared_buffers', 0)) * 8 // 1024} MB")
            key_dir = Path(tmp) / "keys"
            url = pg.create_database()
            rows, secs, rss = write_all(lambda: PostgresStore(url, key_dir=key_dir, keyring=ring), batches)
            ev, contacts = stored_rows(lambda: PostgresStore(url, key_dir=key_dir, keyring=ring))
            print(f"postgres 1 writer : {rows / secs:9,.0f} rows/s  ({rows:,} rows in {secs:.1f} s; stored {ev:,} "
                  f"evidence, {contacts:,} contacts; peak RSS {rss:.0f} MB)")
            for writers in [int(w) for w in args.writers.split(",") if w.strip()]:
                url = pg.create_database()
                with PostgresStore(url, key_dir=key_dir, keyring=ring) as s:
                    s.audit("bench.start", {})  # the audit key exists before the writers start
                rows, secs, rss = pg_parallel(url, key_dir, ring, batches, writers)
                ev2, contacts2 = stored_rows(lambda: PostgresStore(url, key_dir=key_dir, keyring=ring))
                same = "same store as 1 writer" if (ev2, contacts2) == (ev, contacts) else \
                    f"DIFFERS from 1 writer: {ev2:,} evidence, {contacts2:,} contacts"
                print(f"postgres {writers} writers: {rows / secs:9,.0f} rows/s  ({rows:,} rows in {secs:.1f} s "
                      f"wall; {same}; peak RSS per writer {rss:.0f} MB)")


if __name__ == "__main__":
    main()
