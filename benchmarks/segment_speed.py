"""Speed of the rule-based segmenter, and snapshots of its output to prove a refactor
changes nothing.

Usage::

    .venv/bin/python benchmarks/segment_speed.py                      # time it (best of 3)
    .venv/bin/python benchmarks/segment_speed.py --repeat 5 --profile # also the top functions
    .venv/bin/python benchmarks/segment_speed.py --snapshot FILE      # write digests of the zones
    .venv/bin/python benchmarks/segment_speed.py --compare FILE       # count messages that differ
    .venv/bin/python benchmarks/segment_speed.py --snapshot tests/data/segment_snapshot.json --sample

Timing: every message of ``../shared/data/spamassassin_public_corpus`` is parsed once with
:func:`webleads_core.mail.parse_message` (``ItemRejected`` skipped), then
``segment(parsed.text, parsed.sender)`` is timed over all of them, best of ``--repeat``
runs (wall clock, and the process's CPU time, steadier when other work shares the
machine); the median and p99 per message are taken from each message's fastest run.

Snapshots: for each input (corpus, key) the file keeps a digest of the input (text and
sender) and a digest of the zones ``(kind, message, start, end)``, nothing else: no
message text.  The corpora:

* ``spamassassin``: the parsed messages timed above (text and header sender);
* ``quagga``: Quagga/Enron ``train`` and ``test`` texts, with the annotated sender and
  without one;
* ``talon``: talon's standard replies (plain part, and parsed with ``parse_message``),
  its signature fixtures (with and without their sender) and its HTML files as text;
* ``reply_parsers``: every fixture of crisp, github, zapier and quotequail as text;
* ``quoted``: the talon, reply-parser and first 300 Quagga texts quoted once more with
  ``> `` (recursion over quoting levels), and some spamassassin texts too;
* ``synthetic``: 3,000 random messages (fixed seed) mixing real lines, chunks of real
  messages, tricky lines (attributions, header fields, separators, device footers,
  disclaimers, odd Unicode) and random quoting.

``--sample`` restricts the snapshot to the small committed sample of
``tests/test_segment_equivalence.py``: 300 spamassassin messages chosen by a fixed stride,
plus every talon input.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import hashlib
import json
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from webleads_core.errors import ItemRejected  # noqa: E402
from webleads_core.mail import parse_message  # noqa: E402
from webleads_core.records import HeaderContact  # noqa: E402
from webleads_core.segment import segment  # noqa: E402

DATA = Path(os.environ.get("WEBLEADS_DATA", ROOT.parent / "shared" / "data"))
SPAM = DATA / "spamassassin_public_corpus"
QUAGGA = DATA / "quagga_enron_asf" / "enron_annotated"
TALON = DATA / "talon_fixtures"
REPLY = DATA / "reply_parsers"

#: Size of the spamassassin sample kept in the committed test snapshot.
SAMPLE_SIZE = 300

Input = tuple[str, str, HeaderContact | None]  # (key, text, sender)


# ----------------------------------------------------------------------------- digests


def input_digest(text: str, sender: HeaderContact | None) -> str:
    h = hashlib.blake2b(digest_size=8)
    h.update(text.encode("utf-8", "surrogatepass"))
    h.update(b"\0")
    if sender is not None:
        h.update(repr((sender.name, sender.email)).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def zones_digest(zones) -> str:
    key = ";".join(f"{z.kind},{z.message},{z.start},{z.end}" for z in zones)
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


# ----------------------------------------------------------------------------- corpora


def spam_files() -> list[Path]:
    if not SPAM.is_dir():
        return []
    return sorted(f for f in SPAM.rglob("*") if f.is_file() and f.suffix == ".eml")


def spamassassin(files: list[Path] | None = None) -> list[Input]:
    out: list[Input] = []
    for f in spam_files() if files is None else files:
        try:
            parsed = parse_message(f.read_bytes())
        except ItemRejected:
            continue
        out.append((str(f.relative_to(SPAM)), parsed.text, parsed.sender))
    return out


def spam_sample() -> list[Input]:
    files = spam_files()
    stride = max(1, len(files) // SAMPLE_SIZE)
    return spamassassin(files[::stride][:SAMPLE_SIZE])


def _quagga_sender(meta: dict) -> HeaderContact | None:
    # as benchmarks/segment_rules_eval.py does
    hdr = (meta or {}).get("header", {})
    addr = (hdr.get("From") or "").strip()
    name = (hdr.get("X-From") or "").strip()
    name = re.sub(r"<[^<>]*>", "", name).strip().strip('"') or None
    if name and "@" in name:
        name = None
    if not addr and not name:
        return None
    return HeaderContact(email=addr, name=name)


def quagga() -> list[Input]:
    out: list[Input] = []
    for split in ("train", "test"):
        for f in sorted((QUAGGA / split).glob("*.ann")):
            d = json.loads(f.read_text(encoding="utf-8"))
            key = f"{split}/{f.name}"
            out.append((key, d["text"], _quagga_sender(d.get("meta", {}))))
            out.append((key + "#nosender", d["text"], None))
    return out


def _plain_part(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True) or b""
            return payload.decode(part.get_content_charset() or "utf-8", "replace")
    return ""


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")


def talon() -> list[Input]:
    out: list[Input] = []
    if not TALON.is_dir():
        return out
    for path in sorted(TALON.rglob("*.eml")):
        rel = str(path.relative_to(TALON))
        raw = path.read_bytes()
        out.append((rel + "#plain", _plain_part(raw).replace("\r\n", "\n"), None))
        try:
            parsed = parse_message(raw)
        except ItemRejected:
            continue
        out.append((rel + "#parsed", parsed.text, parsed.sender))
    for base in sorted(p for p in (TALON / "signature" / "emails").iterdir() if p.is_dir()):
        for body_path in sorted(base.glob("*_body")):
            stem = body_path.name[: -len("_body")]
            rel = str(body_path.relative_to(TALON))
            body = _read(body_path).replace("#sig#", "")
            sender_path = base / f"{stem}_sender"
            sender_raw = _read(sender_path).strip() if sender_path.exists() else ""
            if "@" in sender_raw:
                sender: HeaderContact | None = HeaderContact(email=sender_raw, name=None)
            elif sender_raw:
                sender = HeaderContact(email="", name=sender_raw)
            else:
                sender = None
            out.append((rel, body, sender))
            out.append((rel + "#nosender", body, None))
        for other in sorted(base.iterdir()):
            if other.is_file() and not other.name.endswith(("_body", "_sender", "_signature")):
                out.append((str(other.relative_to(TALON)), _read(other), None))
    for path in sorted(TALON.rglob("*.html")):
        out.append((str(path.relative_to(TALON)), _read(path), None))
    for path in sorted(TALON.rglob("*_reply_text")):
        out.append((str(path.relative_to(TALON)), _read(path), None))
    return out


def reply_parsers() -> list[Input]:
    out: list[Input] = []
    if not REPLY.is_dir():
        return out
    for path in sorted(REPLY.rglob("*")):
        if path.is_file() and path.suffix in (".txt", ".html"):
            out.append((str(path.relative_to(REPLY)), _read(path), None))
    return out


def _quote(text: str) -> str:
    return "\n".join("> " + x if x.strip() else ">" for x in text.split("\n"))


def quoted() -> list[Input]:
    """Texts quoted once more, under a short reply with an attribution."""
    out: list[Input] = []
    sources = talon() + reply_parsers() + quagga()[:600:2] + spamassassin(spam_files()[::40])
    for key, text, sender in sources:
        wrapped = "Thanks, see below.\n\nOn Mon, 3 Mar 2025 at 10:12, Jane Doe <jane@x.example> wrote:\n" + _quote(text)
        out.append((key + "#quoted", wrapped, sender))
        out.append((key + "#quoted-bare", _quote(text), None))
    return out


_SPECIAL_LINES = (
    "", " ", ">", "> hi", ">> deep", "-- ", "--", "__", "Thanks,", "Thanks for your help!", "Best regards,",
    "Best regards, Jane Doe", "Jane Doe", "JD", "-Jane", "Jane", "Doe, Jane", "+1 212 555 0199", "12/07/2000 10:45 AM",
    "jane@x.example", "www.example.com", "Jane Doe | VP Product | Acme Inc.", "123 Main Street, Suite 4",
    "On Mon, 3 Mar 2025 Jane <j@x.example> wrote:", "On Mon, 3 Mar 2025 at 10:12, Jane Doe", "<jane@x.example> wrote:",
    "Am 25.11.2025 um 15:00 schrieb Max <max@x.de>:", "Le 3 mars 2025 à 10:12, Jean a écrit :",
    "ср, 30 апр. 2025 г. в 15:19, John Doe <doe@example.com>:", "Jane Doe wrote:", "wrote:",
    "-----Original Message-----", "----- Forwarded message -----", "---------- Forwarded message ---------",
    "Begin forwarded message:", "________________________________", "=====", "*****************",
    "---------------------- Forwarded by Jane Doe/HOU/ECT on 12/07/2000 10:45 AM",
    "---------------------------", "Jane Doe/HOU/ECT@ECT on 12/07/2000 10:45 AM",
    '"Doe, Jane" <jane@x.com> on 04/19/2001', "09:01:03 PM", "Kate Symes @ ECT        04/04/2001 05:44 PM",
    "From: Jane <j@x.example>", "*From:* Jane Doe", "De : Jean", "Von: Max", "To: bob@y.example", "An: Bob",
    "Cc: a@b.example,", "  c@d.example", "Sent: Monday, March 3, 2025 10:12 AM", "Date: Mon, 3 Mar 2025",
    "Subject: hi", "Betreff: AW: x", "Importance: High", "a: b", "de: 12", "X-Mailer: foo", "Message-ID: <x@y>",
    "Sent from my iPhone", "Sent from my iPhone.", "Envoyé de mon iPhone", "Von meinem iPhone gesendet",
    "Get Outlook for iOS", "Sent from Mail for Windows", "Sent from a bar", "This message is confidential.",
    "This e-mail and any attachments are confidential and intended solely for the addressee. If you received "
    "this message in error, please notify the sender and delete it.", "Please consider the environment before printing",
    "Copyright (c) 2025 Acme", "All rights reserved.", "To unsubscribe, visit http://x.example/mailman/listinfo/y",
    "_______________________________________________", "Foo mailing list", "<<report.pdf>>", "- report.doc",
    "[image: logo]", "Attachments:", "Hi Bob,", "Hello,", "Dear Ms. Smith,", "Cheryl:", "Hi,", "Hi all",
    "Request ID    : 123", "Status        : open", "x3-6343", "Tel: +49 30 1234567", "Mobile: 555-1234",
    "Fax (555) 123-4567", "linkedin.com/in/jane", "@janedoe", "Acme GmbH", "Senior Manager", "Cheers",
    "Mit freundlichen Grüßen", "Cordialement", "Saludos", "İstanbul", "ſent from my phone",
    "KELLO 10.00 Jane kirjoitti:",
    "Il giorno 3 mar 2025,", "alle ore 10:12, Mario <m@x.it> ha scritto:", "> On Mon, Jane wrote:", ">> From: a@b.c",
    " > quoted with space", "   >three spaces", "    >four spaces", "a" * 400, " " * 310 + "x",
    "On " + "x" * 300 + " wrote:", "Environment: print", "The quick brown fox jumps over the lazy dog again and again.",
)


def _pool() -> list[str]:
    lines: set[str] = set()
    for _key, text, _sender in talon() + reply_parsers() + quagga()[::4]:
        lines.update(x.rstrip("\r") for x in text.split("\n")[:400])
    return sorted(lines)


def synthetic(count: int = 3000, seed: int = 20251129) -> list[Input]:
    """Random messages from real and tricky lines, fixed seed: odd paths of the rules."""
    import random

    rnd = random.Random(seed)
    pool = _pool()
    real = [text for _k, text, _s in talon() + reply_parsers() + quagga()[::3]]
    junk_chars = "abcXYZ :：@<>-=_*/.,;!?()[]|~#+0123456789\téüßİıſKКв\u00a0\u2003"
    senders = [None, HeaderContact(email="jane@x.example", name="Jane Doe"),
               HeaderContact(email="j.doe@x.example", name=None), HeaderContact(email="", name="Doe, Jane"),
               HeaderContact(email="bob@y.example", name="Bob")]
    out: list[Input] = []
    for n in range(count):
        lines: list[str] = []
        for _ in range(rnd.randint(1, 50)):
            r = rnd.random()
            if r < 0.15:
                line = ""
            elif r < 0.35:
                line = rnd.choice(_SPECIAL_LINES)
            elif r < 0.4:
                line = "".join(rnd.choice(junk_chars) for _ in range(rnd.randint(0, 60)))
            elif r < 0.5:
                text = rnd.choice(real).split("\n")
                a = rnd.randrange(len(text))
                chunk = text[a:a + rnd.randint(1, 30)]
                if rnd.random() < 0.4:
                    prefix = ">" * rnd.randint(1, 3) + rnd.choice(("", " "))
                    chunk = [prefix + x for x in chunk]
                lines.extend(chunk)
                continue
            else:
                line = rnd.choice(pool)
            if rnd.random() < 0.15:
                line = ">" * rnd.randint(1, 4) + rnd.choice(("", " ")) + line
            lines.append(line)
        out.append((f"synthetic/{n}", "\n".join(lines), rnd.choice(senders)))
    return out


CORPORA: dict[str, Callable[[], list[Input]]] = {
    "spamassassin": spamassassin,
    "quagga": quagga,
    "talon": talon,
    "reply_parsers": reply_parsers,
    "quoted": quoted,
    "synthetic": synthetic,
}


def sample_corpora() -> dict[str, Callable[[], list[Input]]]:
    """The committed test sample: 300 spamassassin messages by stride, all talon inputs."""
    return {"spamassassin": spam_sample, "talon": talon}


# ----------------------------------------------------------------------------- snapshots


def take_snapshot(corpora: dict[str, Callable[[], list[Input]]]) -> dict:
    snap: dict[str, dict[str, list[str]]] = {}
    for name, load in corpora.items():
        entries: dict[str, list[str]] = {}
        for key, text, sender in load():
            entries[key] = [input_digest(text, sender), zones_digest(segment(text, sender))]
        snap[name] = entries
    return {"format": 1, "corpora": snap}


def compare_snapshot(snap: dict, only: list[str] | None = None) -> dict[str, dict[str, object]]:
    """Per corpus: ``total``, ``same``, ``differ`` (keys), ``input_changed``, ``missing``."""
    report: dict[str, dict[str, object]] = {}
    for name, entries in snap["corpora"].items():
        if only and name not in only:
            continue
        load = CORPORA.get(name)
        if load is None:
            continue
        if name == "spamassassin":  # parse only the messages the snapshot names
            rows = spamassassin([SPAM / key for key in sorted(entries) if (SPAM / key).is_file()])
        else:
            rows = load()
        inputs = {key: (text, sender) for key, text, sender in rows}
        differ: list[str] = []
        changed = missing = same = 0
        for key, (want_in, want_out) in entries.items():
            if key not in inputs:
                missing += 1
                continue
            text, sender = inputs[key]
            if input_digest(text, sender) != want_in:
                changed += 1
                continue
            if zones_digest(segment(text, sender)) == want_out:
                same += 1
            else:
                differ.append(key)
        report[name] = {"total": len(entries), "same": same, "differ": differ,
                        "input_changed": changed, "missing": missing}
    return report


# ----------------------------------------------------------------------------- timing


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
            f"{cpu or 'unknown cpu'}, {os.cpu_count()} cpus, {platform.platform()}")


def time_segment(inputs: list[Input], repeat: int) -> tuple[float, float, list[float]]:
    """(best total seconds, best total CPU seconds of the process, each message's fastest
    time in seconds)."""
    n = len(inputs)
    best_each = [float("inf")] * n
    best_total = best_cpu = float("inf")
    clock = time.perf_counter
    for _ in range(repeat):
        total = 0.0
        cpu = time.process_time()
        for i, (_key, text, sender) in enumerate(inputs):
            t = clock()
            segment(text, sender)
            dt = clock() - t
            total += dt
            if dt < best_each[i]:
                best_each[i] = dt
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_total = min(best_total, total)
    return best_total, best_cpu, best_each


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    ap.add_argument("--snapshot", metavar="FILE", help="write digests of the zones of every input")
    ap.add_argument("--compare", metavar="FILE", help="report how many inputs segment differently")
    ap.add_argument("--sample", action="store_true", help="with --snapshot: only the small test sample")
    ap.add_argument("--corpus", action="append", help="with --snapshot/--compare: only these corpora")
    ap.add_argument("--show", type=int, default=10, help="with --compare: list up to N differing keys")
    ap.add_argument("--profile", action="store_true", help="also print the top functions of one run")
    args = ap.parse_args(argv)

    if args.snapshot:
        corpora = sample_corpora() if args.sample else CORPORA
        if args.corpus:
            corpora = {k: v for k, v in corpora.items() if k in args.corpus}
        snap = take_snapshot(corpora)
        Path(args.snapshot).parent.mkdir(parents=True, exist_ok=True)
        Path(args.snapshot).write_text(json.dumps(snap, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        for name, entries in snap["corpora"].items():
            print(f"snapshot {name}: {len(entries)} inputs")
        print(f"written to {args.snapshot}")
        return 0
    if args.compare:
        snap = json.loads(Path(args.compare).read_text(encoding="utf-8"))
        report = compare_snapshot(snap, args.corpus)
        bad = 0
        for name, r in report.items():
            differ = r["differ"]
            assert isinstance(differ, list)
            bad += len(differ)
            print(f"{name:14} {r['total']:6} inputs: {r['same']:6} same, {len(differ):4} differ, "
                  f"{r['input_changed']} input changed, {r['missing']} missing")
            for key in differ[: args.show]:
                print(f"    differs: {key}")
        print(f"differing messages: {bad}")
        return 1 if bad else 0

    if not SPAM.is_dir():
        print(f"no corpus at {SPAM}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    inputs = spamassassin()
    t_parse = time.perf_counter() - t0
    lines = sum(text.count("\n") + 1 for _k, text, _s in inputs)
    print(f"machine: {machine()}")
    print(f"corpus: {SPAM}: {len(inputs)} parsed messages ({len(spam_files()) - len(inputs)} rejected), "
          f"{lines} lines, {sum(len(t) for _k, t, _s in inputs) / 1e6:.1f} M chars; parsing took {t_parse:.1f} s")
    total, cpu, each = time_segment(inputs, args.repeat)
    n = len(inputs)
    print(f"segment(text, sender), best of {args.repeat}: {total:.2f} s, {n / total:.0f} messages/s "
          f"(CPU time {cpu:.2f} s, {n / cpu:.0f} messages/s: on a busy machine the steadier figure)")
    print(f"  per message: mean {1000 * total / n:.3f} ms, median {1000 * statistics.median(each):.3f} ms, "
          f"p99 {1000 * _pct(each, 0.99):.3f} ms, max {1000 * max(each):.1f} ms")
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        for _key, text, sender in inputs:
            segment(text, sender)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
