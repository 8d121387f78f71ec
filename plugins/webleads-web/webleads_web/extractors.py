"""Page extractors: contact cards of a page capture to evidence.

The page purge (:func:`webleads_core.pages.capture_page`) already found the cards and
wrote each as a block; these extractors normalise and filter the values and record
how each was found.  There is one extractor per family of methods so a plugin can
replace one (``replaces = ("page-text",)``) without losing the others:

==================  ==========================================  ==========
extractor           methods                                     confidence
==================  ==========================================  ==========
``page-structured`` ``jsonld``, ``microdata``, ``rdfa``,         0.85-0.9
                    ``hcard``
``page-team``       ``team`` (a person block on a team page)    0.8
``page-links``      ``mailto``, ``tel``, ``cloudflare``          0.65-0.8
``page-text``       ``bracket``, ``text``                        0.55-0.6
==================  ==========================================  ==========
"""

from __future__ import annotations

from typing import Iterator

from webleads_core.records import Capture, Evidence
from webleads_core.text.names import clean_person_name

from .normalise import clean_email, clean_link, clean_phone

CONFIDENCE = {"jsonld": 0.9, "microdata": 0.85, "rdfa": 0.85, "hcard": 0.85, "team": 0.8, "mailto": 0.8,
              "tel": 0.75, "cloudflare": 0.65, "bracket": 0.55, "text": 0.6}
DEOBFUSCATED = ("cloudflare", "bracket")


class PageExtractor:
    """Evidence from the page cards whose method is one of ``methods``."""

    version = "1"
    kinds = ("page",)

    def __init__(self, name: str, methods: tuple[str, ...]) -> None:
        self.name = name
        self.methods = methods

    def extract(self, capture: Capture) -> Iterator[Evidence]:
        # imported here: the plugin loads in every webleads process, most of which read
        # mail only and never need the page reader (lxml trees, card parsing)
        from webleads_core.pages import text_to_card

        when = capture.sent_at or capture.observed_at
        for block in capture.blocks:
            card = text_to_card(block.text, block.start)
            if card is None or card.method not in self.methods:
                continue
            yield from self._card(capture, block.message, card, when)

    def _card(self, capture, index, card, when) -> Iterator[Evidence]:
        from webleads_core.mail import is_role_address

        base = CONFIDENCE.get(card.method, 0.5)
        if card.method == "team" and not card.get("title"):
            base -= 0.15  # a name heading with contact values but no title line: less sure it is a person
        region = (card.get("region") or [None])[0]
        emails = [e for e in (clean_email(v) for v in card.get("email")) if e]
        emails = list(dict.fromkeys(emails))
        decoded = [(m, e) for m, e in ((m, clean_email(v)) for m, v in card.decoded()) if e and e not in emails]
        # an address seen only de-obfuscated does not name the subject: a privacy rule may
        # drop it, and the person's other values must not stay keyed by it
        subject = f"email:{emails[0]}" if emails else f"page:{capture.item_id}#{index}"
        first = emails[0] if emails else (decoded[0][1] if decoded else None)
        kind = "role" if card.kind == "org" or (first and is_role_address(first) and not card.get("name")) \
            else "person"
        common = dict(subject=subject, source=capture.source, item_id=capture.item_id, owner=capture.owner,
                      extractor=self.name, extractor_version=self.version, method=card.method,
                      span=(card.line, card.line + 1), observed_at=when, kind=kind, role="sender")
        for e in emails:
            yield Evidence(field="email", value=e, confidence=base, **common)
        for method, e in decoded:
            yield Evidence(field="email", value=e, confidence=CONFIDENCE[method],
                           **{**common, "method": method})
        if kind == "person":
            for raw in card.get("name")[:1]:
                name = clean_person_name(raw)
                if name:
                    yield Evidence(field="name", value=name, confidence=base * 0.9, **common)
            for raw in card.get("title")[:1]:
                yield Evidence(field="title", value=raw, confidence=base * 0.85, **common)
        for raw in card.get("company")[:1]:
            yield Evidence(field="company", value=raw, confidence=base * 0.85, **common)
        for key in ("phone", "fax"):
            for raw in card.get(key):
                got = clean_phone(raw, region, key)
                if got is None:
                    continue
                e164, ptype, assumed = got
                yield Evidence(field="phone", value=e164, subtype=ptype,
                               confidence=base * (0.7 if assumed else 0.95), **common)
        for raw in card.get("address")[:2]:
            yield Evidence(field="address", value=raw, confidence=base * 0.8, **common)
        for key in ("website", "social"):
            for raw in card.get(key):
                got = clean_link(raw)
                if got is None:
                    continue
                field, url, network = got
                yield Evidence(field=field, value=url, subtype=network, confidence=base * 0.8, **common)


def all_extractors() -> list[PageExtractor]:
    return [
        PageExtractor("page-structured", ("jsonld", "microdata", "rdfa", "hcard")),
        PageExtractor("page-team", ("team",)),
        PageExtractor("page-links", ("mailto", "tel", "cloudflare")),
        PageExtractor("page-text", ("bracket", "text")),
    ]


def drop_deobfuscated(evidence: Evidence) -> bool:
    """A tightening privacy rule: keep no value found only through de-obfuscation
    (Cloudflare-protected or ``[at]``/``[dot]`` addresses: their owner hid them)."""
    return evidence.method not in DEOBFUSCATED
