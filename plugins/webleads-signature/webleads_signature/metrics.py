"""The figures ``webleads evaluate`` prints and model cards record.

Segmenter (per email, lines of ``text.split("\\n")``, blank lines never count):

* ``zones``: precision, recall and F1 per class over every labelled line of every
  message of the thread (predicted zone kinds mapped back to classes:
  ``reply_header``/``forward_header`` -> header, ``device_footer`` -> disclaimer,
  ``quote`` -> body), and the confusion matrix;
* ``signature_lines``: the target figure.  Gold: the lines of the newest message inside
  an annotated signature zone (Quagga's ``Body/Signature``; when the annotators put a
  disclaimer inside it, its lines count); predicted: lines of message 0 in a
  ``signature`` zone, and in a ``disclaimer`` zone that closes such a signature (only
  blank lines between);
* ``signature_lines_strict``: gold signature lines that are not disclaimer against
  predicted ``signature`` lines only;
* ``block_exact``: share of emails whose set of predicted newest-message signature lines
  equals the gold set, over the emails that have a gold signature (``_all``: over every
  email, both empty counting as a match);
* ``newest_end``: share of emails where message 0 ends where the annotation's newest
  message ends.

Tagger (per gold signature block, values compared as sets after normalisation; only the
fields the data set annotates are scored, e.g. Quagga has no websites):
name by :func:`webleads_core.text.names.name_key`; email normalised; phone by its last
ten digits; ``phone+type`` also requires fax to be fax and a voice number not to be
fax; title, company, address, website, social by case-folded words (``strict``) and,
as ``loose``, also when one contains the other or their words overlap by half.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any, Iterable, Sequence

from .dataset import CLASSES

KIND_TO_CLASS = {
    "body": "body", "greeting": "greeting", "signoff": "signoff", "signature": "signature",
    "reply_header": "header", "forward_header": "header", "disclaimer": "disclaimer",
    "device_footer": "disclaimer", "quote": "body",
}
SCORED_FIELDS = ("name", "title", "company", "email", "phone", "phone+type", "address", "website", "social")
_PUNCT = re.compile(r"[^\w]+")


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def bootstrap_f1(rows: Sequence[tuple[int, int, int]], resamples: int = 2000, level: float = 0.95,
                 seed: int = 0) -> dict[str, Any] | None:
    """A percentile bootstrap interval of the micro F1 over per-email ``(tp, fp, fn)``:
    emails are drawn with replacement, as many as there are, ``resamples`` times (fixed
    seed, so the figure is reproduced).  It says how far the figure could move on
    another sample of the same mail: with a dozen emails holding a signature, far."""
    import numpy as np

    if not rows:
        return None
    a = np.asarray(rows, dtype=np.int64)
    idx = np.random.default_rng(seed).integers(0, len(a), size=(resamples, len(a)))
    tp, fp, fn = (a[:, k][idx].sum(axis=1) for k in range(3))
    den = 2 * tp + fp + fn
    f1 = np.where(den > 0, 2 * tp / np.maximum(den, 1), 0.0)
    lo, hi = np.percentile(f1, [50 * (1 - level), 50 * (1 + level)])
    return {"level": level, "resamples": resamples, "low": round(float(lo), 4), "high": round(float(hi), 4)}


class SegmentationScore:
    """Accumulates segmenter results email by email."""

    def __init__(self) -> None:
        self.confusion: Counter[tuple[str, str]] = Counter()
        self.sig = [0, 0, 0]
        self.strict = [0, 0, 0]
        self.block_hits = 0
        self.block_total = 0
        self.block_all_hits = 0
        self.emails = 0
        self.end_hits = 0
        self.partial = False
        #: per email: signature-line (tp, fp, fn), for the bootstrap interval
        self.per_email: list[tuple[int, int, int]] = []

    def add(self, labels: Sequence[str | None], newest_end: int, zones: Iterable[Any], partial: bool = False,
            signature_lines: frozenset[int] = frozenset()) -> dict[str, Any]:
        """Score one email; returns its per-line view (for error reports)."""
        n = len(labels)
        pred: list[tuple[str, int] | None] = [None] * n
        closing: set[int] = set()
        prev_sig = False
        for z in sorted(zones, key=lambda z: z.start):
            for i in range(z.start, min(z.end, n)):
                pred[i] = (z.kind, z.message)
            if z.message == 0 and z.kind == "disclaimer" and prev_sig:
                closing.update(range(z.start, min(z.end, n)))
            else:
                prev_sig = z.message == 0 and z.kind == "signature"
        gold_sig, gold_strict, p_sig, p_strict = set(), set(), set(), set()
        for i, g in enumerate(labels):
            if g is None:
                continue
            p = pred[i]
            pc = KIND_TO_CLASS.get(p[0], "body") if p is not None else "body"
            if g != "other":
                self.confusion[(g, pc)] += 1
            elif partial:
                self.partial = True
            if i < newest_end and i in signature_lines:
                gold_sig.add(i)
                if g != "disclaimer":
                    gold_strict.add(i)
            if p is not None and p[1] == 0 and (p[0] == "signature" or i in closing):
                p_sig.add(i)
                if p[0] == "signature":
                    p_strict.add(i)
        for acc, g, p in ((self.sig, gold_sig, p_sig), (self.strict, gold_strict, p_strict)):
            acc[0] += len(g & p)
            acc[1] += len(p - g)
            acc[2] += len(g - p)
        self.per_email.append((len(gold_sig & p_sig), len(p_sig - gold_sig), len(gold_sig - p_sig)))
        self.emails += 1
        if gold_sig:
            self.block_total += 1
            self.block_hits += int(gold_sig == p_sig)
        self.block_all_hits += int(gold_sig == p_sig)
        m0_end = max((i + 1 for i in range(n) if pred[i] is not None and pred[i][1] == 0), default=0)
        gold_end = max((i + 1 for i in range(min(newest_end, n)) if labels[i] is not None), default=0)
        self.end_hits += int(m0_end == gold_end)
        return {"pred": pred, "gold_sig": gold_sig, "pred_sig": p_sig, "ok": gold_sig == p_sig}

    def result(self) -> dict[str, Any]:
        per_zone = {}
        for c in CLASSES:
            tp = self.confusion[(c, c)]
            fp = sum(v for (g, p), v in self.confusion.items() if p == c and g != c)
            fn = sum(v for (g, p), v in self.confusion.items() if g == c and p != c)
            if tp + fp + fn:
                per_zone[c] = prf(tp, fp, fn)
        return {
            "emails": self.emails,
            "signature_lines": prf(*self.sig),
            "signature_lines_interval": bootstrap_f1(self.per_email),
            "signature_lines_strict": prf(*self.strict),
            "block_exact": round(self.block_hits / self.block_total, 4) if self.block_total else None,
            "block_exact_emails": self.block_total,
            "block_exact_all": round(self.block_all_hits / self.emails, 4) if self.emails else None,
            "newest_end": round(self.end_hits / self.emails, 4) if self.emails else None,
            "zones": per_zone,
            "confusion": {f"{g}->{p}": v for (g, p), v in sorted(self.confusion.items())},
        }


# -- tagger ------------------------------------------------------------------------------


def norm_text(s: str) -> str:
    return " ".join(_PUNCT.sub(" ", s.casefold()).split())


def field_key(field: str, value: str, subtype: str | None = None) -> str:
    from webleads_core.text.emails import normalise_email
    from webleads_core.text.names import name_key

    if field == "name":
        return name_key(value) or norm_text(value)
    if field == "email":
        return normalise_email(value) or value.lower()
    if field == "phone":
        return "".join(ch for ch in value if ch.isdigit())[-10:]
    if field == "phone+type":
        return "".join(ch for ch in value if ch.isdigit())[-10:] + ("|fax" if subtype == "fax" else "|voice")
    if field in ("website", "social"):
        return norm_text(re.sub(r"^(?:https?://)?(?:www\.)?", "", value.strip().lower()).rstrip("/"))
    return norm_text(value)


def loose_equal(a: str, b: str) -> bool:
    if a == b or (a and b and (a in b or b in a)):
        return True
    ta, tb = set(a.split()), set(b.split())
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= 0.5


class FieldScore:
    """Accumulates tagger results block by block."""

    def __init__(self, fields: Sequence[str] = SCORED_FIELDS) -> None:
        self.fields = tuple(f for f in SCORED_FIELDS if f in fields or (f == "phone+type" and "phone" in fields))
        self.tp: dict[str, int] = defaultdict(int)
        self.fp: dict[str, int] = defaultdict(int)
        self.fn: dict[str, int] = defaultdict(int)
        self.loose: dict[str, int] = defaultdict(int)
        self.blocks = 0
        self.exact = 0

    def add(self, gold: Sequence[tuple[str, str, str | None]], pred: Sequence[tuple[str, str, str | None]]
            ) -> list[tuple[str, list[str], list[str]]]:
        """Score one block; ``gold`` and ``pred`` are ``(field, value, subtype)``.  Returns the
        fields in error as ``(field, missed, extra)``."""
        self.blocks += 1
        errors = []
        for field in self.fields:
            base = "phone" if field == "phone+type" else field
            g = {field_key(field, v, s) for f, v, s in gold if f == base} - {""}
            p = {field_key(field, v, s) for f, v, s in pred if f == base} - {""}
            hit = g & p
            self.tp[field] += len(hit)
            self.fp[field] += len(p - g)
            self.fn[field] += len(g - p)
            extra = 0
            rest_g = list(g - p)
            if field in ("title", "company", "address"):
                for pv in p - g:
                    for gv in rest_g:
                        if loose_equal(pv, gv):
                            rest_g.remove(gv)
                            extra += 1
                            break
            self.loose[field] += len(hit) + extra
            if g != p:
                errors.append((field, sorted(g - p), sorted(p - g)))
        self.exact += int(not errors)
        return errors

    def result(self) -> dict[str, Any]:
        out: dict[str, Any] = {"blocks": self.blocks,
                               "block_exact": round(self.exact / self.blocks, 4) if self.blocks else None,
                               "fields": {}}
        for field in self.fields:
            t, fp, fn = self.tp[field], self.fp[field], self.fn[field]
            if not t + fp + fn:
                continue
            r = prf(t, fp, fn)
            lt = self.loose[field]
            lp = lt / (t + fp) if t + fp else 0.0
            lr = lt / (t + fn) if t + fn else 0.0
            r["loose_f1"] = round(2 * lp * lr / (lp + lr), 4) if lp + lr else 0.0
            out["fields"][field] = r
        return out


def annotated_fields(sigs: Iterable[Any]) -> tuple[str, ...]:
    """The fields a data set annotates at least once."""
    seen = {f.field for s in sigs for f in s.fields}
    return tuple(f for f in ("name", "title", "company", "email", "phone", "address", "website", "social") if f in seen)
