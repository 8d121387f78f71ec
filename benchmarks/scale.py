"""Scale benchmarks: one core vs bare parsing, workers, Dask, memory, store writes.

Prints, for the real-mail corpus (../shared/data/spamassassin_public_corpus, 6,046
messages) and a generated mbox (benchmarks/corpus.py, 100,000 messages by default):

- end-to-end messages/s of `webleads run` (read, parse, segment, purge, extract, privacy,
  merge into a SQLite store) on one core, next to bare
  `email.message_from_bytes(policy=compat32)` of the same messages in the same run;
- the same run with `processes:1`, `processes:2` and `dask-local:2` executors, with the CPU
  seconds of the main process and of the workers (the main process lists items and writes the
  store: the less it spends per item, the better N workers scale);
- peak RSS of the run over the generated mbox (in a fresh process per run);
- the slowest single message of the real corpus.

- with ``--contention``, the workers' work alone and two copies of it side by side: on a 2-core
  machine, how much each copy slows down bounds the speed-up 2 workers can give.

Usage: python benchmarks/scale.py [--messages 100000] [--skip-dask] [--only real|generated]
       [--executors local,processes:2] [--repeat 3] [--segmenter rules] [--contention]
"""

from __future__ import annotations

import argparse
import email
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from email import policy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "spamassassin_public_corpus"


def machine() -> str:
    load = os.getloadavg()[0]
    return (f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
            f"{os.cpu_count()} cpus, load {load:.1f}")


def bare_rate(messages: list[bytes]) -> float:
    t = time.perf_counter()
    for raw in messages:
        email.message_from_bytes(raw, policy=policy.compat32)
    return len(messages) / (time.perf_counter() - t)


SEGMENTER: str | None = None  # --segmenter: None runs the default pipeline


def run_child(source: dict, executor: str) -> dict:
    """One `webleads run` in a fresh process (so peak RSS is the run's own)."""
    with tempfile.TemporaryDirectory() as tmp:
        code = f"""
import json, resource, time, webleads_core as wl
conf = wl.load_config({{"store": {{"url": "sqlite:///s.db"}}, "sources": [{json.dumps(source)}],
                       **({{"pipeline": {{"segmenter": {SEGMENTER!r}}}}} if {SEGMENTER!r} else {{}})}}, base_dir={tmp!r})
def cpu(who):
    u = resource.getrusage(who)
    return u.ru_utime + u.ru_stime
t, m, w = time.perf_counter(), cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
r = wl.run(conf, executor={executor!r})
dt = time.perf_counter() - t
print(json.dumps({{"items": r.items, "processed": r.processed, "skipped": r.skipped, "evidence": r.evidence,
                  "seconds": dt, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "main_cpu": cpu(resource.RUSAGE_SELF) - m, "workers_cpu": cpu(resource.RUSAGE_CHILDREN) - w}}))
"""
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])


def slowest(messages: list[bytes]) -> tuple[float, int]:
    import webleads_core as wl
    from webleads_core.engine.run import make_policy, process_document
    from webleads_core.errors import ItemRejected
    from webleads_core.store import SQLiteStore

    pipeline = wl.build_pipeline(wl.Config())
    worst, idx = 0.0, -1
    with SQLiteStore() as store:
        pol = make_policy(pipeline, store)
        for i, raw in enumerate(messages):
            t = time.perf_counter()
            try:
                process_document(pipeline, wl.Document.from_email("x", str(i), raw), pol)
            except ItemRejected:
                pass
            d = time.perf_counter() - t
            if d > worst:
                worst, idx = d, i
    return worst, idx


_CONTENTION = """
import glob, sys, time, webleads_core as wl
from webleads_core.engine.run import make_policy, process_document
from webleads_core.errors import ItemRejected
from webleads_core.store import SQLiteStore
pipeline = wl.build_pipeline(wl.Config())
msgs = [open(f, "rb").read() for f in sorted(glob.glob(sys.argv[1] + "/**/*.eml", recursive=True))]
with SQLiteStore() as store:
    pol = make_policy(pipeline, store)
    t = time.perf_counter()
    for i, raw in enumerate(msgs):
        try:
            process_document(pipeline, wl.Document.from_email("x", str(i), raw), pol)
        except ItemRejected:
            pass
print(time.perf_counter() - t)
"""


def contention(repeat: int) -> None:
    """The workers' work (parse to score, no store) alone, then two copies side by side: how
    much slower each copy gets when both cores are busy bounds what 2 workers can gain."""
    def timed(copies: int) -> list[float]:
        procs = [subprocess.Popen([sys.executable, "-c", _CONTENTION, str(REAL)], stdout=subprocess.PIPE,
                                  text=True) for _ in range(copies)]
        return [float(p.communicate()[0].strip().splitlines()[-1]) for p in procs]

    alone, pair = [], []
    for _ in range(repeat):
        alone += timed(1)
        pair += timed(2)
    a, b = sorted(alone)[len(alone) // 2], sorted(pair)[len(pair) // 2]
    print(f"\n== two copies of the workers' work side by side (medians of {repeat} rounds)")
    print(f"one copy alone: {a:.2f}s; each of two at once: {b:.2f}s ({b / a - 1:+.0%}); "
          f"2 workers can gain at most {2 * a / b:.2f}x, before the main process's share and start-up")


REPEAT = 1  # --repeat: runs per executor, interleaved; the median is printed


def report(label: str, n: int, bare: float, executors: list[str], source: dict) -> None:
    print(f"\n== {label}: {n} messages")
    print(f"bare compat32 parse:           {bare:8.0f} msg/s")
    runs: dict[str, list[dict]] = {ex: [] for ex in executors}
    for _ in range(REPEAT):  # interleaved, so that a noisy minute hits every executor alike
        for ex in executors:
            r = run_child(source, ex)
            r["rate"] = r["processed"] / r["seconds"] if r["seconds"] else 0.0
            runs[ex].append(r)
    rates: dict[str, float] = {}
    for ex in executors:
        ordered = sorted(runs[ex], key=lambda r: r["rate"])
        r = ordered[len(ordered) // 2]
        rate = rates[ex] = r["rate"]
        each = ", ".join(f"{x['rate']:.0f}" for x in runs[ex])
        spread = f" (runs {each})" if REPEAT > 1 else ""
        print(f"webleads run --executor {ex:<14} {rate:8.0f} msg/s{spread}  ({rate / bare:.0%} of bare)  "
              f"peak RSS {r['rss_mb']:.0f} MB  processed {r['processed']} skipped {r['skipped']} "
              f"evidence {r['evidence']}")
        # CPU seconds, not wall time, say where the work went (other sessions load the machine):
        # with W worker and M main-process seconds, N workers on N cores give at best N*W/(W+M)
        print(f"    wall {r['seconds']:.2f}s  main-process CPU {r['main_cpu']:.2f}s  "
              f"workers CPU {r['workers_cpu']:.2f}s")
    one = rates.get("processes:1")
    for ex in executors:
        if one and ex != "processes:1" and ex != "local":
            print(f"{ex} / processes:1 = {rates[ex] / one:.2f}x")
    if "local" in rates and "processes:2" in rates:
        print(f"processes:2 / local = {rates['processes:2'] / rates['local']:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--only", choices=("real", "generated"))
    ap.add_argument("--executors", help="comma-separated (default local,processes:1,processes:2,dask-local:2)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per executor, interleaved (median printed)")
    ap.add_argument("--segmenter", help="run this segmenter (e.g. rules, ml) instead of the default pipeline's")
    ap.add_argument("--contention", action="store_true",
                    help="also time the workers' work alone and two copies side by side (real corpus)")
    args = ap.parse_args()
    global SEGMENTER, REPEAT
    SEGMENTER, REPEAT = args.segmenter, max(1, args.repeat)
    print(f"machine: {machine()}")
    print("segmenter: " + (SEGMENTER or "the default pipeline's"))
    executors = ["local", "processes:1", "processes:2"] + ([] if args.skip_dask else ["dask-local:2"])
    if args.executors:
        executors = [e.strip() for e in args.executors.split(",") if e.strip()]
    if args.only != "generated" and REAL.exists():
        files = sorted(f for f in REAL.rglob("*.eml"))
        msgs = [f.read_bytes() for f in files]
        report("real mail (spamassassin public corpus)", len(msgs), bare_rate(msgs), executors,
               {"type": "eml", "name": "real", "path": str(REAL)})
        worst, idx = slowest(msgs)
        print(f"slowest single message: {worst * 1000:.1f} ms ({files[idx].name})")
        if args.contention:
            contention(REPEAT)
    if args.only != "real":
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from corpus import write_mbox

        with tempfile.TemporaryDirectory() as tmp:
            mbox = write_mbox(Path(tmp) / "gen.mbox", args.messages)
            from webleads_core.default_plugins.local_mail import iter_mbox

            msgs = [raw for _, _, raw in iter_mbox(mbox)]
            bare = bare_rate(msgs)
            del msgs
            report(f"generated mbox ({mbox.stat().st_size / 1e6:.0f} MB)", args.messages, bare, executors,
                   {"type": "mbox", "name": "gen", "path": str(mbox)})


if __name__ == "__main__":
    main()
