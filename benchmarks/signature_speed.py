"""Messages per second of the ML segmenter plus signature tagger (webleads-signature),
next to bare ``email`` parsing of the same messages, in the same run, on one core.

Usage::

    .venv/bin/python benchmarks/signature_speed.py [PATH ...] [--repeat 3] [--rules]

Default corpus: every raw message of ../shared/data/quagga_enron_asf/enron_annotated
(800 Enron emails, all splits: speed needs no labels).  PATHs may be folders of raw
messages (spamassassin_public_corpus works too).

One core means one core: the process is pinned to one CPU and the BLAS libraries behind
numpy are held to one thread (``OPENBLAS_NUM_THREADS=1`` and friends, set before numpy
loads; a pinned process with several BLAS threads only makes them wait for each other).

What is timed, each the best of ``--repeat`` runs over the whole corpus, as wall-clock
time and as CPU time of the process (on a shared machine the CPU time is the cost on one
core; the wall-clock time also counts the waits for other processes: the load average
is printed):

* ``email (compat32)``: ``email.message_from_bytes(raw, policy=compat32)``;
* ``parse_message``: the core's capped parser (not part of the target, shown for scale);
* ``segmenter``: :meth:`SegmenterModel.zones` on the parsed text and sender;
* ``segmenter + tagger``: the same, then the tagger on every ``signature`` zone (the
  newest message's with its sender, quoted ones without), which is what the pipeline
  does per message; the tagger's cache of blocks already read is emptied before each
  pass, so only blocks that repeat inside the corpus are read once;
* ``rules (baseline)``: with ``--rules``, the core's rule-based segmenter and tagger.

Also printed: peak resident memory of the process.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import email  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from email import policy  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "quagga_enron_asf" / "enron_annotated"


def load(paths: list[Path]) -> list[bytes]:
    out = []
    for p in paths:
        files = [p] if p.is_file() else sorted(f for f in p.rglob("*") if f.is_file() and not f.name.endswith(".ann")
                                               and f.name not in ("LICENSE", "README", "cmds"))
        out.extend(f.read_bytes() for f in files)
    return out


def best(fn, repeat: int) -> tuple[float, float]:
    """(best wall-clock seconds, best CPU seconds) over ``repeat`` runs."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rules", action="store_true", help="also time the rule-based segmenter and tagger")
    args = ap.parse_args(argv)
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    except (AttributeError, OSError):
        pass
    from webleads_core.mail import parse_message
    from webleads_signature import load_segmenter, load_tagger

    paths = args.paths or [DEFAULT]
    raws = load(paths)
    n = len(raws)
    print(f"machine: {platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
          f"pinned to 1 of {os.cpu_count()} cpus")
    print(f"corpus: {', '.join(map(str, paths))}: {n} messages, {sum(map(len, raws)) / 1e6:.1f} MB")
    seg = load_segmenter()
    tagger = load_tagger()
    from webleads_core.errors import ItemRejected

    ok = []
    for r in raws:
        try:
            parse_message(r)
            ok.append(r)
        except ItemRejected:
            pass  # not an email (an annotation tool's file): left out of every row
    raws = ok
    n = len(raws)
    print(f"messages that parse: {n}")
    parsed = [parse_message(r) for r in raws]

    def bare():
        for r in raws:
            email.message_from_bytes(r, policy=policy.compat32)

    def parse():
        for r in raws:
            parse_message(r)

    from webleads_signature.segmenter import clear_caches

    def segment_only():
        clear_caches()  # cold: only repeats inside the corpus hit the per-line caches
        for p in parsed:
            seg.zones(p.text, p.sender)

    blocks = [0]

    def segment_and_tag():
        tagger.clear_cache()  # every pass starts cold: only repeats inside the corpus hit the caches
        clear_caches()
        nb = 0
        for p in parsed:
            snd = p.sender
            for z in seg.zones(p.text, snd):
                if z.kind == "signature":
                    nb += 1
                    if z.message == 0 and snd is not None:
                        tagger.tag(z.text, author_name=snd.name, author_email=snd.email)
                    else:
                        tagger.tag(z.text)
        blocks[0] = nb

    rows = [("email (compat32)", best(bare, args.repeat)), ("parse_message", best(parse, args.repeat)),
            ("segmenter", best(segment_only, args.repeat)), ("segmenter + tagger", best(segment_and_tag, args.repeat))]
    if args.rules:
        from webleads_core.default_plugins.signature_rules import tag_signature
        from webleads_core.segment import segment

        def rules():
            for p in parsed:
                snd = p.sender
                for z in segment(p.text, snd):
                    if z.kind == "signature":
                        tag_signature(z.text, author_name=snd.name if snd else None,
                                      author_email=snd.email if snd else None)

        rows.append(("rules (baseline)", best(rules, args.repeat)))
    print(f"signature blocks tagged per pass: {blocks[0]}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'':22} {'wall-clock':>22} {'CPU time (one core)':>24}")
    for label, (wall, cpu) in rows:
        print(f"{label:22} {n / wall:9.0f} messages/s ({wall * 1000 / n:.3f} ms)   "
              f"{n / cpu:9.0f} messages/s ({cpu * 1000 / n:.3f} ms)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
