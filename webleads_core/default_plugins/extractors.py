"""The core's extractors: header contacts, rule-based signature fields, record fields."""

from __future__ import annotations

from typing import Iterable, Iterator

from ..hookspecs import hookimpl
from ..records import Capture, Evidence, HeaderContact

_HEADER_CONFIDENCE = {"from": 0.95, "reply-to": 0.9, "sender": 0.85, "to": 0.85, "cc": 0.8}


def _when(capture: Capture):
    return capture.sent_at or capture.observed_at


class HeaderExtractor:
    """Emails and display names of everyone named in the header blocks."""

    name = "headers"
    version = "1"
    kinds = ("email",)

    def extract(self, capture: Capture) -> Iterator[Evidence]:
        when = _when(capture)
        for c in capture.contacts:
            base = _HEADER_CONFIDENCE.get(c.header, 0.7) * (0.9 if c.role == "quoted" else 1.0)
            common = dict(subject=f"email:{c.email}", source=capture.source, item_id=capture.item_id,
                          owner=capture.owner, extractor=self.name, extractor_version=self.version,
                          method="quoted_header" if c.role == "quoted" else "header",
                          observed_at=when, kind=c.kind, role=c.role)
            yield Evidence(field="email", value=c.email, confidence=base, **common)
            if c.name:  # a role account's display name ("Northwind Sales") names it too
                yield Evidence(field="name", value=c.name, confidence=base * 0.7, **common)


class SignatureRulesExtractor:
    """Fields of each signature block by the rule-based tagger."""

    name = "signature-rules"
    version = "1"
    kinds = ("email",)

    def tag(self, text: str, author: HeaderContact | None):
        from .signature_rules import tag_signature

        return tag_signature(text, author_name=author.name if author else None,
                             author_email=author.email if author else None)

    def extract(self, capture: Capture) -> Iterator[Evidence]:
        when = _when(capture)
        for i, block in enumerate(capture.blocks):
            values = list(self.tag(block.text, block.author))
            emails = [v.value for v in values if v.field == "email"]
            author = block.author
            if author is not None and (not emails or author.email in emails):
                subject, kind = f"email:{author.email}", author.kind
            elif emails:
                subject, kind = f"email:{emails[0]}", "person"
            else:
                subject, kind = f"block:{capture.item_id}:{i}", "person"
            for v in values:
                yield Evidence(
                    field=v.field, value=v.value, subtype=v.subtype, subject=subject,
                    source=capture.source, item_id=capture.item_id, owner=capture.owner,
                    extractor=self.name, extractor_version=self.version, method="signature",
                    span=(block.start + v.line, block.start + v.line + 1), observed_at=when,
                    confidence=v.confidence, kind=kind, role=block.role)


class RecordExtractor:
    """Structured records (APIs, address books): their fields are already typed."""

    name = "record-fields"
    version = "1"
    kinds = ("record",)

    def extract(self, capture: Capture) -> Iterable[Evidence]:
        emails = [v for f, v, _ in capture.fields if f == "email"]
        subject = f"email:{emails[0].lower()}" if emails else f"record:{capture.item_id}"
        for f, v, s in capture.fields:
            yield Evidence(field=f, value=v.lower() if f == "email" else v, subtype=s, subject=subject,
                           source=capture.source, item_id=capture.item_id, owner=capture.owner,
                           extractor=self.name, extractor_version=self.version, method="record",
                           observed_at=_when(capture), confidence=0.8, role="sender")


@hookimpl
def register_extractors(register):
    register("headers", HeaderExtractor())
    register("signature-rules", SignatureRulesExtractor())
    register("record-fields", RecordExtractor())
