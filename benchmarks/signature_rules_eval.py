"""Per-field precision/recall of the rule-based signature tagger on gold signature blocks.

Data: ``quagga_enron_asf/enron_annotated/<split>/*.ann`` (brat-like JSON: one
``Body/Signature`` span per signature, with ``Body/Signature/{Name, Position,
Organisation, Mail, Phone, Fax, Address}`` spans inside).  Only signatures with at
least one field span are scored (some gold signatures carry no field spans at all).
Use ``--split train`` for anything you tune; ``test`` is for choosing, ``eval`` for the
final report only.

The author of a block is the message's ``X-From``/``From`` when the block is in the
newest message, else the nearest ``Header/Person/From`` span before it.

Matching, per signature and field (sets of values):
  name      same :func:`name_key`
  address   gold address spans of one signature are joined first (the tagger
            returns one address per block, gold sometimes splits it by line)
  title, company, address
            strict: equal after case folding and dropping punctuation/extra blanks;
            loose: one contains the other or token Jaccard >= 0.5
  email     same normalised address
  phone     same last ten digits (``phone``), and the same with the type checked
            (``phone+type``: gold ``Fax`` must come out ``fax``, gold ``Phone`` not ``fax``)

Run: ``python benchmarks/signature_rules_eval.py [--split train] [--root DIR] [--show N]``
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

from webleads_core.default_plugins.signature_rules import tag_signature
from webleads_core.text.emails import normalise_email
from webleads_core.text.names import clean_person_name, name_key

DEFAULT_ROOT = Path("/work/shared/data/quagga_enron_asf")
GOLD_FIELDS = {
    "Body/Signature/Name": "name",
    "Body/Signature/Position": "title",
    "Body/Signature/Organisation": "company",
    "Body/Signature/Mail": "email",
    "Body/Signature/Phone": "phone",
    "Body/Signature/Fax": "phone",
    "Body/Signature/Address": "address",
}
SCORED = ("name", "title", "company", "email", "phone", "phone+type", "address")
_PUNCT = re.compile(r"[^\w]+")
_ANGLE = re.compile(r"<[^>]*>")


def _norm_text(s: str) -> str:
    return " ".join(_PUNCT.sub(" ", s.casefold()).split())


def _digits(s: str) -> str:
    d = "".join(ch for ch in s if ch.isdigit())
    return d[-10:]


def key(field: str, value: str, subtype: str | None = None) -> str:
    if field == "name":
        return name_key(value) or _norm_text(value)
    if field == "email":
        return normalise_email(value) or value.lower()
    if field == "phone":
        return _digits(value)
    if field == "phone+type":
        return _digits(value) + ("|fax" if subtype == "fax" else "|voice")
    return _norm_text(value)


def loose_equal(a: str, b: str) -> bool:
    if a == b or (a and b and (a in b or b in a)):
        return True
    ta, tb = set(a.split()), set(b.split())
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= 0.5


def load(root: Path, split: str):
    folder = root / "enron_annotated" / split
    for path in sorted(folder.glob("*.ann")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        yield path.name, doc


def examples(root: Path, split: str):
    """(id, block_text, author_name, author_email, gold) for each scorable signature."""
    seen = set()
    for name, doc in load(root, split):
        text = doc["text"]
        dens = doc["denotations"]
        header = doc.get("meta", {}).get("header", {})
        first_header = min((d["start"] for d in dens if d["type"] == "Header"), default=len(text) + 1)
        froms = sorted((d["start"], d["text"]) for d in dens if d["type"] == "Header/Person/From")
        for sig in (d for d in dens if d["type"] == "Body/Signature"):
            gold: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
            for d in dens:
                f = GOLD_FIELDS.get(d["type"])
                if f and d["start"] >= sig["start"] and d["end"] <= sig["end"]:
                    sub = "fax" if d["type"].endswith("/Fax") else None
                    gold[f].append((d["text"], sub))
            if not gold:
                continue
            if len(gold.get("address", [])) > 1:
                # the tagger returns one address; gold sometimes splits it by line
                gold["address"] = [(", ".join(v for v, _ in gold["address"]), None)]
            if sig["start"] < first_header:
                a_name = _ANGLE.sub("", header.get("X-From", "") or "").strip(" \"'")
                a_email = header.get("From")
            else:
                before = [t for s, t in froms if s < sig["start"]]
                a_name = before[-1] if before else None
                a_email = None
            a_name = clean_person_name(a_name) if a_name else None
            block = text[sig["start"]:sig["end"]]
            ident = (block, a_name, a_email)
            if ident in seen:
                continue
            seen.add(ident)
            yield name, block, a_name, a_email, gold


def evaluate(root: Path, split: str, show: int = 0) -> dict:
    tp = defaultdict(int)
    fp = defaultdict(int)
    fn = defaultdict(int)
    loose_tp = defaultdict(int)
    n = 0
    t0 = time.perf_counter()
    shown = 0
    for ident, block, a_name, a_email, gold in examples(root, split):
        n += 1
        pred = tag_signature(block, author_name=a_name, author_email=a_email)
        errors = []
        for field in SCORED:
            base = "phone" if field == "phone+type" else field
            g = {key(field, v, sub) for v, sub in gold.get(base, [])}
            p = {key(field, fv.value, fv.subtype) for fv in pred if fv.field == base}
            g.discard("")
            p.discard("")
            hit = g & p
            tp[field] += len(hit)
            fp[field] += len(p - g)
            fn[field] += len(g - p)
            # loose: greedy one-to-one containment / overlap matches
            rest_g, rest_p = list(g - p), list(p - g)
            extra = 0
            if field in ("title", "company", "address"):
                for pv in rest_p:
                    for gv in rest_g:
                        if loose_equal(pv, gv):
                            rest_g.remove(gv)
                            extra += 1
                            break
            loose_tp[field] += len(hit) + extra
            if g != p:
                errors.append((field, sorted(g - p), sorted(p - g)))
        if errors and shown < show:
            shown += 1
            print(f"--- {ident}  author={a_name!r} <{a_email}>")
            print("    " + block.replace("\n", "\n    "))
            for field, missed, extra in errors:
                print(f"    {field}: missed={missed} extra={extra}")
    seconds = time.perf_counter() - t0
    report = {"split": split, "signatures": n, "seconds": round(seconds, 3), "fields": {}}
    for field in SCORED:
        t, f_p, f_n = tp[field], fp[field], fn[field]
        prec = t / (t + f_p) if t + f_p else 0.0
        rec = t / (t + f_n) if t + f_n else 0.0
        lt = loose_tp[field]
        lprec = lt / (t + f_p) if t + f_p else 0.0
        lrec = lt / (t + f_n) if t + f_n else 0.0
        report["fields"][field] = {
            "gold": t + f_n, "pred": t + f_p, "tp": t,
            "precision": round(prec, 3), "recall": round(rec, 3),
            "f1": round(2 * prec * rec / (prec + rec), 3) if prec + rec else 0.0,
            "loose_precision": round(lprec, 3), "loose_recall": round(lrec, 3),
        }
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    ap.add_argument("--split", default="train", choices=("train", "test", "eval"))
    ap.add_argument("--show", type=int, default=0, help="print N signatures with errors")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    rep = evaluate(args.root, args.split, args.show)
    if args.json:
        print(json.dumps(rep, indent=2))
        return 0
    print(f"split={rep['split']} signatures={rep['signatures']} time={rep['seconds']}s")
    print(f"{'field':11} {'gold':>5} {'pred':>5} {'tp':>4} {'P':>6} {'R':>6} {'F1':>6} {'P~':>6} {'R~':>6}")
    for field, r in rep["fields"].items():
        print(f"{field:11} {r['gold']:5d} {r['pred']:5d} {r['tp']:4d} {r['precision']:6.3f} "
              f"{r['recall']:6.3f} {r['f1']:6.3f} {r['loose_precision']:6.3f} {r['loose_recall']:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
