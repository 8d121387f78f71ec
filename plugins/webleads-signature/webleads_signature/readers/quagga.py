"""Repke and Krestel's annotation JSON (the Quagga corpus, ECIR 2018).

Each email is a ``<name>.txt`` (the raw message) beside ``<name>.txt.ann`` (or
``<name>`` / ``<name>.ann`` for the Apache lists): a JSON object with the body
``text``, character-span ``denotations`` typed ``Body``, ``Body/Intro``, ``Body/Outro``,
``Body/Signature`` (with ``Body/Signature/{Name, Position, Organisation, Phone, Fax,
Mail, Address, Disclaimer}`` inside), ``Header`` (a quoted message's header block) and
``meta.header`` (the newest message's own headers, Enron only).

Line labels, first rule that applies to a non-blank line overlapping the spans:
``Header`` -> header, ``Body/Signature/Disclaimer`` -> disclaimer, ``Body/Signature`` ->
signature, ``Body/Outro`` -> signoff, ``Body/Intro`` -> greeting, else body.
The newest message is every line before the first ``Header`` span.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator

from ..dataset import GoldField, LabelledMessage, LabelledSignature

GOLD_FIELDS = {
    "Body/Signature/Name": ("name", None),
    "Body/Signature/Position": ("title", None),
    "Body/Signature/Organisation": ("company", None),
    "Body/Signature/Mail": ("email", None),
    "Body/Signature/Phone": ("phone", None),
    "Body/Signature/Fax": ("phone", "fax"),
    "Body/Signature/Address": ("address", None),
}
_PRIORITY = (
    ("Header", "header"),
    ("Body/Signature/Disclaimer", "disclaimer"),
    ("Body/Signature", "signature"),
    ("Body/Outro", "signoff"),
    ("Body/Intro", "greeting"),
)
_ZONE_TYPES = {t for t, _ in _PRIORITY}
_ANGLE = re.compile(r"<[^<>]{0,300}>")


def is_quagga_dir(path: Path) -> bool:
    if (path / "enron_annotated").is_dir():
        return True
    return any(path.glob("*.ann")) or any(path.glob("*/*.ann"))


def split_dir(root: Path, split: str) -> Path | None:
    """The folder of one split: ``root/enron_annotated/<split>`` for the corpus root,
    ``root/<split>`` for ``enron_annotated`` or ``asf_annotated``."""
    for cand in (root / "enron_annotated" / split, root / split):
        if cand.is_dir():
            return cand
    return None


def sender_of(meta: dict) -> tuple[str | None, str | None]:
    """The newest message's sender from ``meta.header``: name from ``X-From`` (Enron's
    display name, ``<...>`` removed), address from ``From``."""
    hdr = (meta or {}).get("header", {}) or {}
    addr = (hdr.get("From") or "").strip() or None
    name = _ANGLE.sub("", hdr.get("X-From") or "").strip().strip('"\'') or None
    if name and "@" in name:
        name = None
    if name:
        from webleads_core.text.names import clean_person_name

        name = clean_person_name(name) or name
    return name, addr


def line_labels(text: str, denotations: list[dict]) -> tuple[list[str | None], int, frozenset[int]]:
    """Per-line labels, the index of the first line of the first quoted header, and the
    lines inside a ``Body/Signature`` span."""
    lines = text.split("\n")
    spans = [(d["start"], d["end"], d["type"]) for d in denotations if d["type"] in _ZONE_TYPES]
    labels: list[str | None] = []
    pos = 0
    first_header = len(lines)
    sig_lines = set()
    for i, line in enumerate(lines):
        s, e = pos, pos + len(line)
        pos = e + 1
        if not line.strip():
            labels.append(None)
            continue
        types = {t for a, b, t in spans if a < e and b > s}
        if "Body/Signature" in types:
            sig_lines.add(i)
        lab = "body"
        for t, name in _PRIORITY:
            if t in types:
                lab = name
                break
        if lab == "header" and first_header == len(lines):
            first_header = i
        labels.append(lab)
    return labels, first_header, frozenset(sig_lines)


def signatures_of(ident: str, text: str, denotations: list[dict], sender: tuple[str | None, str | None]
                  ) -> list[LabelledSignature]:
    first_header = min((d["start"] for d in denotations if d["type"] == "Header"), default=len(text) + 1)
    froms = sorted((d["start"], d["text"]) for d in denotations if d["type"] == "Header/Person/From")
    out = []
    for k, sig in enumerate(d for d in denotations if d["type"] == "Body/Signature"):
        fields = []
        for d in denotations:
            f = GOLD_FIELDS.get(d["type"])
            if f and d["start"] >= sig["start"] and d["end"] <= sig["end"]:
                fields.append(GoldField(f[0], d["text"], f[1], d["start"] - sig["start"], d["end"] - sig["start"]))
        newest = sig["start"] < first_header
        if newest:
            a_name, a_email = sender
        else:
            before = [t for s, t in froms if s < sig["start"]]
            a_name, a_email = (before[-1] if before else None), None
            if a_name:
                from webleads_core.text.names import clean_person_name

                a_name = clean_person_name(a_name) or None
        fields.sort(key=lambda f: f.start)
        out.append(LabelledSignature(id=f"{ident}#{k}", text=text[sig["start"]:sig["end"]], author_name=a_name,
                                     author_email=a_email, fields=tuple(fields), newest=newest))
    return out


def read(root: Path, split: str) -> Iterator[LabelledMessage]:
    """Every annotated email of one split, in file-name order."""
    folder = split_dir(root, split)
    if folder is None:
        return
    for path in sorted(folder.glob("*.ann")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        text = doc.get("text") or ""
        dens = doc.get("denotations") or []
        labels, first_header, sig_lines = line_labels(text, dens)
        sender = sender_of(doc.get("meta") or {})
        ident = f"quagga:{folder.parent.name}/{split}/{path.name[:-4]}"
        yield LabelledMessage(
            id=ident, split=split, text=text, sender_name=sender[0], sender_email=sender[1],
            labels=tuple(labels), newest_end=first_header,
            signatures=tuple(signatures_of(ident, text, dens, sender)), source="quagga",
            signature_lines=sig_lines,
        )
