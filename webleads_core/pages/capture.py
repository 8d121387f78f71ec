"""The mandatory page purge: a page's bytes to a :class:`Capture` of its contact cards.

Called by the engine for every document of kind ``page``.  Everything runs on one lxml
parse (:mod:`.html`); each reader returns :class:`~.cards.Card` objects; each card
becomes a :class:`~webleads_core.records.Block` (redacted like an email signature) and
the page itself is dropped.  Cards found by links and text that repeat a value already
found by structured data or a team block are left out, so one value on one page is
reported once per kind of evidence.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

from ..errors import ItemRejected
from ..privacy.redact import drop_sensitive_lines, redact
from ..records import Block, Capture, Document
from ..text.phones import find_phones, infer_region, region_for_domain
from .attributes import parse_attributes
from .cards import Card, card_to_text
from .finders import bracket_emails, decode_cfemail, mailto_addresses, tel_number, text_emails
from .html import parse_html
from .jsonld import parse_scripts
from .mf2 import parse_mf2
from .schema import hcard_cards, schema_cards
from .team import team_cards
from .visible import visible_lines

MAX_BLOCKS = 1000
#: Seconds one page may spend in the readers; past it the remaining readers are skipped
#: and the defect ``page.time_budget`` recorded (each reader is linear and capped, so
#: this is a backstop, checked between readers and inside the long loops).
TIME_BUDGET = 1.0
MAX_TEXT_LINES_SCANNED = 5000
_LANG_REGION = re.compile(r"^[a-z]{2,3}[-_]([A-Za-z]{2})\b")
_PHONE_LINE = re.compile(r"\d")
#: "( 33 1) 42 68 53 00": a country code in brackets, as some printed letterheads write it
_BRACKET_CC = re.compile(r"\(\s{0,2}([1-9]\d{0,2})\s{1,2}(\d{1,4})\s{0,2}\)")


def page_region(root, url: str | None) -> str | None:
    """The page's country: ``<html lang="de-DE">``, ``og:locale``, then the URL's ccTLD."""
    lang = (root.get("lang") or root.get("xml:lang") or "").strip()
    m = _LANG_REGION.match(lang)
    if m:
        return m.group(1).upper()
    for meta in root.xpath("//meta[@property='og:locale']")[:1]:
        m = _LANG_REGION.match((meta.get("content") or "").strip())
        if m:
            return m.group(1).upper()
    host = urlsplit(url or "").hostname
    return region_for_domain(host) if host else None


def _link_cards(root) -> list[Card]:
    cards = []
    for a in root.iter("a", "area"):
        href = (a.get("href") or "").strip()
        low = href[:12].lower()
        if low.startswith("mailto:"):
            emails = mailto_addresses(href)
            if not emails:
                continue  # a share link: mailto:?subject=...
            card = Card(method="mailto", kind="person", line=a.sourceline or 0)
            for e in emails:
                card.add("email", e)
            cards.append(card)
        elif low.startswith("tel:"):
            number = tel_number(href)
            if number:
                card = Card(method="tel", kind="org", line=a.sourceline or 0)
                context = ""
                parent = a.getparent()
                if parent is not None and parent.text:
                    context = parent.text[-24:]
                key = "fax" if re.search(r"(?i)\bfax|télécopie|telefax", context + (a.get("class") or "")) else "phone"
                card.add(key, number)
                cards.append(card)
        elif "/cdn-cgi/l/email-protection#" in href:
            email = decode_cfemail(href.rsplit("#", 1)[1])
            if email:
                card = Card(method="cloudflare", kind="person", line=a.sourceline or 0)
                card.add("email", email)
                cards.append(card)
    for el in root.xpath("//*[@data-cfemail]")[:200]:
        email = decode_cfemail(el.get("data-cfemail", ""))
        if email:
            card = Card(method="cloudflare", kind="person", line=el.sourceline or 0)
            card.add("email", email)
            cards.append(card)
    return cards


def _text_cards(lines: list[tuple[str, int]], region: str | None, deadline: float = float("inf")) -> list[Card]:
    cards = []
    phones = Card(method="text", kind="org")
    for i, (text, line) in enumerate(lines):
        if i % 256 == 255 and time.perf_counter() > deadline:
            break
        if "@" in text:
            for e in text_emails(text):
                card = Card(method="text", kind="person", line=line)
                card.add("email", e)
                cards.append(card)
        if "[" in text or "(" in text or "{" in text:
            for e in bracket_emails(text):
                card = Card(method="bracket", kind="person", line=line)
                card.add("email", e)
                cards.append(card)
        if len(_PHONE_LINE.findall(text)) >= 6:
            if "(" in text:
                text = _BRACKET_CC.sub(r"+\1 \2", text)
            for m in find_phones(text, region=region, max_chars=1000):
                if not phones.line:
                    phones.line = line
                phones.add("fax" if m.type == "fax" else "phone", text[m.span[0]:m.span[1]])
    if phones.values:
        if region:  # the numbers were read in this region (maybe inferred from the text): say so
            phones.add("region", region)
        cards.append(phones)
    return cards


def _digits(v: str) -> str:
    return "".join(ch for ch in v if ch.isdigit())[-9:]


def _dedup(strong: list[Card], weak: list[Card]) -> list[Card]:
    emails = {v.lower() for c in strong for v in c.get("email")} | {e for c in strong for _, e in c.decoded()}
    phones = {_digits(v) for c in strong for k in ("phone", "fax") for v in c.get(k)}
    out = []
    for card in weak:
        keep = Card(method=card.method, kind=card.kind, line=card.line)
        for k, v in card.values:
            if k == "email" and v.lower() in emails:
                continue
            if k in ("phone", "fax") and _digits(v) in phones:
                continue
            keep.add(k, v)
            if k == "email":
                emails.add(v.lower())
            elif k in ("phone", "fax"):
                phones.add(_digits(v))
        if keep.has_contact:
            out.append(keep)
    return out


def page_cards(root, url: str | None, defects: list[str], *, budget: float = TIME_BUDGET) -> list[Card]:
    """Every card of a parsed page, strongest methods first."""
    deadline = time.perf_counter() + budget
    base = url or ""
    region = page_region(root, url)
    lines = visible_lines(root)[:MAX_TEXT_LINES_SCANNED]
    # for numbers read from the text alone, a country named in the text is a clue too
    text_region = region or infer_region("\n".join(t for t, _ in lines[:200])[:4096])
    scripts = [(s.text or "", s.sourceline or 0) for s in root.iter("script")
               if (s.get("type") or "").strip().lower() == "application/ld+json"]
    readers = (
        lambda: schema_cards(parse_scripts(scripts[:50], defects), "jsonld") if scripts else [],
        lambda: [c for roots, m in zip(parse_attributes(root), ("microdata", "rdfa")) for c in schema_cards(roots, m)],
        lambda: hcard_cards(parse_mf2(root, base)),
        lambda: team_cards(root, base, region, deadline),
    )
    strong: list[Card] = []
    for read in readers:
        if time.perf_counter() > deadline:
            defects.append("page.time_budget")
            break
        strong += read()
    weak = _dedup(strong, _link_cards(root) + _text_cards(lines, text_region, deadline))
    if time.perf_counter() > deadline and "page.time_budget" not in defects:
        defects.append("page.time_budget")
    cards, seen = [], set()
    for card in strong + weak:  # a node repeated on a page (the same band on 300 events) counts once
        key = (card.method, card.kind, tuple(card.values))
        if key not in seen:
            seen.add(key)
            cards.append(card)
    if region:
        for c in cards:
            if not c.get("region"):
                c.add("region", region)
    return cards[:MAX_BLOCKS]


def capture_page(doc: Document) -> Capture:
    """Keep only the contact cards of a page; the page text is dropped here.

    Raises :class:`ItemRejected` (``page.empty``, ``page.unparsable``) when there is no
    document to read.  Survivable oddities are listed in ``Capture.defects``.
    """
    root, defects = parse_html(doc.content)
    if root is None:
        raise ItemRejected(defects[-1] if defects else "page.unparsable", stage="parse")
    blocks = []
    for i, card in enumerate(page_cards(root, doc.url, defects)):
        text, _ = drop_sensitive_lines(card_to_text(card))
        blocks.append(Block(text=redact(text).text, message=i, role="sender", start=card.line))
    return Capture(source=doc.source, item_id=doc.item_id, owner=doc.owner, kind="page",
                   observed_at=doc.observed_at, url=doc.url, blocks=tuple(blocks),
                   defects=tuple(dict.fromkeys(defects)))
