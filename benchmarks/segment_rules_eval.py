"""Evaluate the rule-based segmenter on public labelled data.

Usage::

    .venv/bin/python benchmarks/segment_rules_eval.py                 # Quagga test + fixtures
    .venv/bin/python benchmarks/segment_rules_eval.py --split train --errors 20

What it reports:

* **Quagga / Enron** (Repke & Krestel, ECIR 2018; ``../shared/data/quagga_enron_asf``):
  signature-line precision/recall/F1 on the newest message (the lines before the first
  annotated ``Header`` zone), sender taken from the annotation's ``From``/``X-From``.
  Three views, because the annotators put a name under a sign-off in ``Body/Outro``
  while this segmenter calls it ``signature``:

  - ``strict``: gold = ``Body/Signature`` lines; predicted = ``signature`` lines of message 0;
  - ``sig+discl``: the same, counting predicted ``disclaimer`` lines too (Quagga's signature
    zones hold the disclaimers that close them);
  - ``sig+name``: gold also counts lines carrying a ``Body/Outro/Name`` span;
  - ``closing``: gold = ``Body/Outro`` + ``Body/Signature``; predicted = ``signoff`` + ``signature``.

  Also the quoted-header lines (gold ``Header`` inside the body vs ``reply_header`` /
  ``forward_header`` of any message) and how often message 0 ends where the annotation's
  newest message ends.  Only ``train`` and ``test`` are allowed here; ``eval`` is kept
  for the final report of a chosen model.
* **crisp-oss/email-reply-parser** expected first fragments: message 0 (with or without its
  signature/device footer) equals the expected visible reply, whitespace-normalised.
* **talon** standard replies (``Hello`` or the ``*_reply_text`` file) and signature fixtures.
* **github / zapier email_reply_parser** fixtures: containment checks adapted from those
  projects' own tests (visible reply contains / excludes a phrase).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import glob
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from webleads_core.records import HeaderContact  # noqa: E402
from webleads_core.segment import segment  # noqa: E402

DATA = Path(os.environ.get("WEBLEADS_DATA", ROOT.parent / "shared" / "data"))
QUAGGA = DATA / "quagga_enron_asf" / "enron_annotated"
REPLY = DATA / "reply_parsers"
TALON = DATA / "talon_fixtures"

ZONE_TYPES = ("Header", "Body/Intro", "Body/Outro", "Body/Signature", "Body/Outro/Name")

# (fixture dir, file, visible must contain, visible must exclude, message 0 must exclude)
# adapted from github/email_reply_parser and zapier/email-reply-parser tests.
REPLY_PARSER_CHECKS: list[tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = []
for _d in ("github_email_reply_parser", "zapier_email_reply_parser"):
    REPLY_PARSER_CHECKS += [
        (_d, "email_1_1.txt", ("Hi folks",), ("riak-users mailing list",), ()),
        (_d, "email_1_2.txt", ("You can list the keys for the bucket",), ("Hi folks",), ()),
        (_d, "email_1_3.txt", ("Oh thanks.",), (), ("Russell Brown wrote",)),
        (_d, "email_1_4.txt", ("Awesome! I haven't had another problem with it.",), (), ("Loader seems",)),
        (_d, "email_1_5.txt", ("This is a paragraph that talks", "- This is the fourth bullet point"), (), ()),
        (_d, "email_1_6.txt", ("I get proper rendering as well.",), (), ("Corey Donohoe",)),
        (_d, "email_1_7.txt", (":+1:",), (), ("Steps 0-2",)),
        (_d, "email_1_8.txt", ("I will reply under this one", "and under this."), (), ("here's some stuff I can write",)),
        (_d, "correct_sig.txt", ("this is an email with a correct -- signature.",), ("rick",), ()),
        (_d, "email_iPhone.txt", ("Here is another email",), ("Sent from my iPhone",), ()),
        (_d, "email_BlackBerry.txt", ("Here is another email",), ("Sent from my BlackBerry",), ()),
        (_d, "email_multi_word_sent_from_my_mobile_device.txt", ("Here is another email",), ("Sent from my Verizon",), ()),
        (_d, "email_sent_from_my_not_signature.txt", ("Sent from my desk, is much easier then my mobile phone.",), (), ()),
        (_d, "email_one_is_not_on.txt", ("One outstanding question I had:",), (), ("Dave Tapley wrote",)),
        (_d, "email_sig_delimiter_in_middle_of_line.txt", ("And here is a fix -- this is not a signature.",), (), ()),
        (_d, "greedy_on.txt", ("On your remote host you can run:",), (), ("George Plymale wrote",)),
        (_d, "pathological.txt", ("I think you're onto something.",), (), ("John Sullivan",)),
        (_d, "email_2_1.txt", ("Outlook with a reply",), (), ("Google Apps Sync Team",)),
        (_d, "email_2_2.txt", ("Outlook with a reply directly above line",), (), ("CRM Comments",)),
        (_d, "email_bullets.txt", ("- how about bullets",), ("Joe Smith",), ("examples@email.goalengine.com",)),
    ]
REPLY_PARSER_CHECKS += [
    ("github_email_reply_parser", "email_2_3.txt", ("Outlook with a reply directly above line",), (), ("CRM Comments",)),
    ("github_email_reply_parser", "email_long_quote.txt", ("Hi folks",), (), ()),
    ("zapier_email_reply_parser", "email_2_3.txt", ("Outlook with a reply above headers using unusual format",), (), ("Kim via Site",)),
    ("zapier_email_reply_parser", "email_gmail.txt", ("This is a test for inbox replying to a github message.",), (), ("Steven Scott",)),
    ("zapier_email_reply_parser", "email_headers_no_delimiter.txt", ("And another reply!",), (), ("Dan Watson", "A reply")),
    ("zapier_email_reply_parser", "email_partial_quote_header.txt", ("On your remote host you can run:",), (), ("George Plymale wrote",)),
]

VISIBLE = ("body", "greeting", "signoff")


# ----------------------------------------------------------------------------- helpers


def labels_of(text: str, zones) -> list[tuple[str, int] | None]:
    out: list[tuple[str, int] | None] = [None] * len(text.split("\n"))
    for z in zones:
        for i in range(z.start, z.end):
            out[i] = (z.kind, z.message)
    return out


def message_text(text: str, zones, message: int = 0, kinds: tuple[str, ...] | None = None) -> str:
    lines = text.split("\n")
    keep = [z for z in zones if z.message == message and (kinds is None or z.kind in kinds)]
    if not keep:
        return ""
    picked: list[str] = []
    for z in keep:
        picked.extend(lines[z.start:z.end])
    return "\n".join(picked)


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def sender_of(meta: dict) -> HeaderContact | None:
    hdr = (meta or {}).get("header", {})
    addr = (hdr.get("From") or "").strip()
    name = (hdr.get("X-From") or "").strip()
    name = re.sub(r"<[^<>]*>", "", name).strip().strip('"') or None
    if name and "@" in name:
        name = None
    if not addr and not name:
        return None
    return HeaderContact(email=addr, name=name)


# ----------------------------------------------------------------------------- quagga


def quagga_gold(d: dict) -> tuple[list[str], list[set[str]]]:
    text = d["text"]
    lines = text.split("\n")
    offs, o = [], 0
    for line in lines:
        offs.append(o)
        o += len(line) + 1
    spans = [(x["start"], x["end"], x["type"]) for x in d["denotations"] if x["type"] in ZONE_TYPES]
    labs: list[set[str]] = []
    for i, line in enumerate(lines):
        s, e = offs[i], offs[i] + len(line)
        labs.append({t for a, b, t in spans if a < e and b > s} if line.strip() else set())
    return lines, labs


def eval_quagga(split: str, errors: int = 0, use_sender: bool = True) -> dict:
    if split == "eval":
        raise SystemExit("the eval split is kept for the final report of a chosen model")
    files = sorted(glob.glob(str(QUAGGA / split / "*.ann")))
    counts = {k: [0, 0, 0] for k in ("strict", "sig+discl", "sig+name", "closing", "header")}
    split_ok = 0
    shown = 0
    t0 = time.perf_counter()
    for f in files:
        d = json.load(open(f, encoding="utf-8"))
        text = d["text"]
        lines, gold = quagga_gold(d)
        first_header = next((i for i, g in enumerate(gold) if "Header" in g), len(lines))
        zones = segment(text, sender_of(d.get("meta", {})) if use_sender else None)
        pred = labels_of(text, zones)
        m0_end = max((z.end for z in zones if z.message == 0), default=0)
        m0_nonblank_end = max((i + 1 for i in range(len(lines)) if pred[i] and pred[i][1] == 0), default=0)
        gold_end = max((i + 1 for i in range(first_header) if lines[i].strip()), default=0)
        split_ok += int(m0_nonblank_end == gold_end or m0_end == gold_end)
        bad = False
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            newest = i < first_header
            g_sig = newest and "Body/Signature" in gold[i]
            g_name = newest and ("Body/Signature" in gold[i] or "Body/Outro/Name" in gold[i])
            g_close = newest and bool(gold[i] & {"Body/Signature", "Body/Outro"})
            p = pred[i]
            p_sig = p is not None and p == ("signature", 0)
            p_sigd = p is not None and p[1] == 0 and p[0] in ("signature", "disclaimer")
            p_close = p is not None and p[1] == 0 and p[0] in ("signature", "signoff")
            for key, g, pp in (
                ("strict", g_sig, p_sig), ("sig+discl", g_sig, p_sigd),
                ("sig+name", g_name, p_sig), ("closing", g_close, p_close),
            ):
                c = counts[key]
                c[0] += g and pp
                c[1] += (not g) and pp
                c[2] += g and not pp
            g_h = "Header" in gold[i]
            p_h = p is not None and p[0] in ("reply_header", "forward_header")
            c = counts["header"]
            c[0] += g_h and p_h
            c[1] += (not g_h) and p_h
            c[2] += g_h and not p_h
            if g_name != p_sig:
                bad = True
        if errors and bad and shown < errors and split != "test":
            shown += 1
            print(f"##### {os.path.basename(f)}  sender={sender_of(d.get('meta', {}))!r}")
            for i, line in enumerate(lines[: max(first_header, 1) + 3]):
                g = ",".join(sorted(x.replace("Body/", "") for x in gold[i])) or ""
                p = f"{pred[i][0]}/{pred[i][1]}" if pred[i] else ""
                print(f"{g:18.18}|{p:18.18}|{line[:100]}")
    dt = time.perf_counter() - t0
    res = {"files": len(files), "seconds": dt, "split_ok": split_ok}
    for k, (tp, fp, fn) in counts.items():
        res[k] = prf(tp, fp, fn) + (tp, fp, fn)
    return res


# ----------------------------------------------------------------------------- fixtures


def eval_crisp(verbose: bool = False) -> tuple[int, int, list[str]]:
    spec = json.load(open(REPLY / "crisp_email_reply_parser" / "expected_common_first_fragment.json", encoding="utf-8"))
    ok, failed = 0, []
    for name, case in spec["cases"].items():
        text = (REPLY / "crisp_email_reply_parser" / "test" / "fixtures" / name).read_text(encoding="utf-8")
        zones = segment(text)
        want = norm(case["expected_first_fragment_trimmed"])
        full = norm(message_text(text, zones))
        visible = norm(message_text(text, zones, kinds=VISIBLE))
        if want in (full, visible):
            ok += 1
        else:
            failed.append(name)
    return ok, len(spec["cases"]), failed


def _plain_part(path: Path) -> str:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True) or b""
            return payload.decode(part.get_content_charset() or "utf-8", "replace")
    return ""


def eval_talon_replies() -> tuple[int, int, list[str]]:
    ok, failed, total = 0, [], 0
    for path in sorted((TALON / "standard_replies").glob("*.eml")):
        total += 1
        text = _plain_part(path).replace("\r\n", "\n")
        want_path = path.with_name(path.stem + "_reply_text")
        want = want_path.read_text(encoding="utf-8").strip() if want_path.exists() else "Hello"
        zones = segment(text)
        got = message_text(text, zones)
        if norm(got) == norm(want):
            ok += 1
        else:
            failed.append(path.name)
    return ok, total, failed


def eval_talon_signatures() -> tuple[int, int, list[str]]:
    ok, failed, total = 0, [], 0
    base = TALON / "signature" / "emails" / "stripped"
    for body_path in sorted(base.glob("*_body")):
        stem = body_path.name[: -len("_body")]
        total += 1
        body = body_path.read_text(encoding="utf-8").replace("#sig#", "")
        sender_raw = (base / f"{stem}_sender").read_text(encoding="utf-8").strip()
        want = (base / f"{stem}_signature").read_text(encoding="utf-8").replace("#sig#", "")
        if "@" in sender_raw:
            sender = HeaderContact(email=sender_raw, name=None)
        elif sender_raw:
            sender = HeaderContact(email="", name=sender_raw)
        else:
            sender = None
        zones = segment(body, sender)
        got_sig = message_text(body, zones, kinds=("signature",))
        got_close = message_text(body, zones, kinds=("signoff", "signature"))
        if norm(want) in (norm(got_sig), norm(got_close)):
            ok += 1
        else:
            failed.append(stem)
    return ok, total, failed


def eval_reply_checks() -> tuple[int, int, list[str]]:
    ok, failed = 0, []
    for d, name, contains, excludes, m0_excludes in REPLY_PARSER_CHECKS:
        text = (REPLY / d / "test" / "emails" / name).read_text(encoding="utf-8").replace("\r\n", "\n")
        zones = segment(text)
        visible = norm(message_text(text, zones, kinds=VISIBLE))
        m0 = norm(message_text(text, zones))
        good = all(norm(c) in visible for c in contains)
        good = good and not any(norm(x) in visible for x in excludes)
        good = good and not any(norm(x) in m0 for x in m0_excludes)
        if good:
            ok += 1
        else:
            failed.append(f"{d.split('_')[0]}/{name}")
    return ok, len(REPLY_PARSER_CHECKS), failed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="test", choices=("train", "test"))
    ap.add_argument("--errors", type=int, default=0, help="print N emails with signature errors (train only)")
    ap.add_argument("--no-sender", action="store_true", help="do not give the segmenter the sender")
    ap.add_argument("--verbose", action="store_true", help="list failing fixtures")
    args = ap.parse_args(argv)

    q = eval_quagga(args.split, args.errors, not args.no_sender)
    print(f"Quagga Enron {args.split}: {q['files']} emails, {q['seconds']:.2f} s")
    for k in ("strict", "sig+discl", "sig+name", "closing", "header"):
        p, r, f, tp, fp, fn = q[k]
        print(f"  {k:9} lines  P={p:.3f} R={r:.3f} F1={f:.3f}  (tp={tp} fp={fp} fn={fn})")
    print(f"  newest-message end matches annotation: {q['split_ok']}/{q['files']} = {q['split_ok'] / max(1, q['files']):.3f}")
    for label, fn_ in (
        ("crisp first fragment", eval_crisp),
        ("talon standard replies", eval_talon_replies),
        ("talon signatures", eval_talon_signatures),
        ("github/zapier checks", eval_reply_checks),
    ):
        ok, total, failed = fn_()
        print(f"{label:24}: {ok}/{total} = {ok / max(1, total):.3f}")
        if args.verbose and failed:
            print("   failed:", ", ".join(failed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
