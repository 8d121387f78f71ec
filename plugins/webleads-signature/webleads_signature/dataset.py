"""The records every reader produces: labelled messages and labelled signature blocks.

Readers (:mod:`webleads_signature.readers`) turn each annotation format into these, so
training and evaluation never look at a format again.  Line labels use the segmenter's
classes (:data:`CLASSES`); a reader that only knows "signature or not" (Talon's
``#sig#``) marks the other lines ``None`` (unknown) and says so with
``partial=True``.
"""

from __future__ import annotations

import hashlib
from typing import Iterable

import attrs

#: The line classes the ML segmenter predicts.  ``header`` becomes a ``reply_header`` or
#: ``forward_header`` zone, ``disclaimer`` a ``disclaimer`` or ``device_footer`` zone.
CLASSES: tuple[str, ...] = ("body", "greeting", "signoff", "signature", "header", "disclaimer")

#: The fields the tagger fills and the evaluation scores.
FIELDS: tuple[str, ...] = ("name", "title", "company", "email", "phone", "address", "website", "social")

SPLITS: tuple[str, ...] = ("train", "test", "eval")


@attrs.frozen
class GoldField:
    """One annotated field value inside a signature block.

    Attributes:
        field: one of :data:`FIELDS`.
        value: the text as written in the block (personal data).
        subtype: ``fax`` for a fax number when the annotation says so, else None.
        start, end: character offsets inside the block text, or -1 when unknown.
    """

    field: str
    value: str = attrs.field(repr=False)
    subtype: str | None = None
    start: int = -1
    end: int = -1


@attrs.frozen
class LabelledSignature:
    """A gold signature block with its fields (for the tagger).

    Attributes:
        id: where it comes from (file and block number).
        text: the block's text (personal data).
        author_name, author_email: who wrote the message it closes, when known.
        fields: the annotated values.
        newest: True when the block closes the newest message of its email.
    """

    id: str
    text: str = attrs.field(repr=False)
    author_name: str | None = attrs.field(default=None, repr=False)
    author_email: str | None = attrs.field(default=None, repr=False)
    fields: tuple[GoldField, ...] = attrs.field(default=(), repr=False)
    newest: bool = True


@attrs.frozen
class LabelledMessage:
    """An email body with one label per line (for the segmenter).

    Attributes:
        id: file name (and split) it comes from.
        split: ``train``, ``test`` or ``eval``.
        text: the decoded body (personal data).
        sender_name, sender_email: the newest message's sender, when known.
        labels: one entry per ``text.split("\\n")`` line: a class of :data:`CLASSES`, or
            None for blank or unknown lines.
        newest_end: index of the first line that does not belong to the newest message
            (the first quoted header line), ``len(lines)`` when there is none.
        partial: True when only ``signature`` versus not is known (other non-blank lines
            are None); such messages train nothing but the signature decision.
        signatures: gold signature blocks with fields, when the format has them.
        source: the reader that produced it (``quagga``, ``talon``, ``webleads``).
        signature_lines: the lines inside an annotated signature zone (any message),
            disclaimer lines included when the annotation puts them inside the
            signature; what the signature-line figures count as gold.
    """

    id: str
    split: str
    text: str = attrs.field(repr=False)
    sender_name: str | None = attrs.field(default=None, repr=False)
    sender_email: str | None = attrs.field(default=None, repr=False)
    labels: tuple[str | None, ...] = attrs.field(default=(), repr=False)
    newest_end: int = 0
    partial: bool = False
    signatures: tuple[LabelledSignature, ...] = attrs.field(default=(), repr=False)
    source: str = ""
    signature_lines: frozenset[int] = attrs.field(default=frozenset(), repr=False)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def digest(items: Iterable[LabelledMessage]) -> str:
    """A sha256 over the messages' ids, texts and labels: the card's "training data
    digest".  It names the data without holding any of it."""
    h = hashlib.sha256()
    for m in sorted(items, key=lambda m: m.id):
        h.update(m.id.encode("utf-8", "replace"))
        h.update(b"\0")
        h.update(m.text.encode("utf-8", "replace"))
        h.update(b"\0")
        h.update("|".join(x or "" for x in m.labels).encode())
        for s in m.signatures:
            for f in s.fields:
                h.update(f"{f.field}:{f.start}:{f.end}".encode())
        h.update(b"\n")
    return h.hexdigest()


def signature_digest(items: Iterable[LabelledSignature]) -> str:
    h = hashlib.sha256()
    for s in sorted(items, key=lambda s: s.id):
        h.update(s.id.encode("utf-8", "replace") + b"\0" + s.text.encode("utf-8", "replace"))
        for f in s.fields:
            h.update(f"{f.field}:{f.value}:{f.subtype}".encode("utf-8", "replace"))
        h.update(b"\n")
    return h.hexdigest()
