"""The mandatory privacy stages, as plain functions the engine calls.

They are not plugins on purpose: pluggy lets any plugin unregister, block or wrap
another, and nothing may do that to these.

- :func:`purge_email` runs right after segmentation: only header contacts and
  (redacted) signature blocks survive; the body is dropped before any extractor,
  sink, log line or error message can see it.
- :func:`enforce` runs on every extractor's output: minimisation (business fields
  only, clean values, grounded in the capture), redaction again, suppression, and
  the plugins' tightening rules.
- :func:`publish_contact` runs before a sink sees a contact: suppression again,
  value sanitation again, then the seal.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Callable, Iterable, Sequence

import attrs

from ..records import (
    BUSINESS_FIELDS,
    PHONE_TYPES,
    Block,
    Capture,
    Contact,
    Document,
    Evidence,
    HeaderContact,
    ParsedMessage,
    Phone,
    SealedContact,
    Zone,
)
from .redact import drop_sensitive_lines, redact
from .seal import _seal
from .suppress import Suppressor

log = logging.getLogger("webleads.privacy")

#: Longest signature block kept (a signature is a few lines; more is a body).
MAX_BLOCK_CHARS = 4096
MAX_BLOCK_LINES = 30
_MAX_LEN = {"name": 120, "title": 200, "company": 200, "address": 400, "email": 254,
            "phone": 16, "website": 512, "social": 512}
_CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_EMAIL = re.compile(r"^[^@\s<>\"]{1,64}@[a-z0-9.-]{1,253}\.[a-z0-9-]{2,63}$")
_E164 = re.compile(r"^\+[1-9][0-9]{5,14}$")
_URL = re.compile(r"^https?://[^\s<>\"]{1,500}$")
_TOKEN = re.compile(r"\w{2,40}", re.UNICODE)
_QUOTE_PREFIX = re.compile(r"^(?:[ \t]{0,3}>){1,20}[ \t]?", re.M)


def unquote(text: str) -> str:
    """Strip reply quote markers (``> > ``) from each line of a zone."""
    return _QUOTE_PREFIX.sub("", text)


# -- purge ------------------------------------------------------------------------


def purge_email(doc: Document, parsed: ParsedMessage, zones: Sequence[Zone]) -> Capture:
    """Keep header contacts and signature blocks; drop everything else of the email."""
    from ..mail import clean_display_name, is_role_address
    from ..segment.quoted_headers import parse_quoted_header

    defects = list(parsed.defects)
    if parsed.automated:
        # bulk, no-reply, auto-replies and bounces yield no person contact at all
        return Capture(source=doc.source, item_id=doc.item_id, owner=doc.owner, kind="email",
                       observed_at=doc.observed_at, sent_at=parsed.sent_at, defects=tuple(defects),
                       automated=True)
    contacts: list[HeaderContact] = list(parsed.contacts)
    authors: dict[int, HeaderContact] = {}
    sender = parsed.sender
    if sender is not None:
        authors[0] = sender
    for z in zones:
        if z.kind in ("reply_header", "forward_header") and z.message > 0:
            try:
                found = parse_quoted_header(unquote(z.text[:MAX_BLOCK_CHARS]))
            except Exception:
                defects.append("segment.quoted_header_error")
                continue
            for name, email, header in found:
                if not email:
                    continue
                name = clean_display_name(name) if name else None
                hc = HeaderContact(email=email, name=name, header=header, role="quoted",
                                   kind="role" if is_role_address(email) else "person",
                                   message=z.message)
                contacts.append(hc)
                if header == "from" and z.message not in authors:
                    authors[z.message] = hc
    if 1 not in authors:
        # a reply quotes the message it answers: with one recipient, that is its author
        to = [c for c in parsed.contacts if c.header == "to"]
        if len(to) == 1:
            authors[1] = to[0]
    blocks: list[Block] = []
    for z in zones:
        if z.kind != "signature":
            continue
        lines = unquote(z.text[:MAX_BLOCK_CHARS]).split("\n")[:MAX_BLOCK_LINES]
        text = _clean_block("\n".join(lines))
        if not text.strip():
            continue
        blocks.append(Block(text=text, message=z.message, author=authors.get(z.message),
                            role="sender" if z.message == 0 else "quoted", start=z.start))
    return Capture(source=doc.source, item_id=doc.item_id, owner=doc.owner, kind="email",
                   observed_at=doc.observed_at, sent_at=parsed.sent_at, contacts=tuple(contacts),
                   blocks=tuple(blocks), defects=tuple(defects))


def purge_record(doc: Document) -> Capture:
    """Structured records (APIs, address books): only business fields pass."""
    fields = tuple((f, _clean_text(v), s) for f, v, s in doc.fields if f in BUSINESS_FIELDS and v)
    return Capture(source=doc.source, item_id=doc.item_id, owner=doc.owner, kind="record",
                   observed_at=doc.observed_at, url=doc.url, fields=fields)


def _clean_block(text: str) -> str:
    text, _ = drop_sensitive_lines(text)
    return redact(_CTRL.sub("", text)).text


def _clean_text(value: str) -> str:
    return redact(_CTRL.sub(" ", value)).text.strip()


# -- enforce ------------------------------------------------------------------------


@attrs.frozen
class Policy:
    """What :func:`enforce` needs beyond the evidence: the opt-out list, the plugins'
    tightening rules and any extra redaction patterns from the config."""

    suppressor: Suppressor = attrs.field(factory=lambda: Suppressor(b"\0" * 32))
    rules: tuple[tuple[str, Callable[[Evidence], bool]], ...] = ()
    extra_redact: tuple[re.Pattern[str], ...] = ()


def enforce(evidence: Iterable[Evidence], capture: Capture, policy: Policy) -> list[Evidence]:
    """Minimise, redact, ground, suppress and apply tightening rules.

    A value survives only if its field is a business field, its shape is valid for
    the field, it contains nothing redaction would remove, and it can be found in the
    capture (so an extractor cannot smuggle in text it got elsewhere).  Every piece
    of evidence about a suppressed person is dropped, not only the matching value.
    """
    haystack = _Haystack(capture)
    kept: list[Evidence] = []
    for ev in evidence:
        if not isinstance(ev, Evidence):
            continue
        clean = _minimise(ev, policy)
        if clean is None or not haystack.grounds(clean):
            continue
        kept.append(clean)
    # suppression: drop the whole subject when any identifier of it is opted out
    blocked = {ev.subject for ev in kept if _is_suppressed(ev, policy.suppressor)}
    if capture.owner and policy.suppressor.blocks_email(capture.owner):
        blocked = {ev.subject for ev in kept}
    kept = [ev for ev in kept if ev.subject not in blocked]
    if policy.rules:
        kept = _apply_rules(kept, policy.rules)
    return kept


def _minimise(ev: Evidence, policy: Policy) -> Evidence | None:
    if ev.field not in BUSINESS_FIELDS or not isinstance(ev.value, str):
        return None
    value = _CTRL.sub(" ", ev.value).replace("\r", " ").replace("\n", " ").strip()
    value = " ".join(value.split())
    if not value or len(value) > _MAX_LEN[ev.field]:
        return None
    if ev.field != "phone" and _redaction_alters(value):
        return None
    for pat in policy.extra_redact:
        if pat.search(value):
            return None
    subtype = ev.subtype
    if ev.field == "email":
        value = value.lower()
        if not _EMAIL.match(value):
            return None
    elif ev.field == "phone":
        if not _E164.match(value):
            return None
        subtype = subtype if subtype in PHONE_TYPES else "other"
    elif ev.field in ("website", "social"):
        if not _URL.match(value):
            return None
    elif ev.field in ("name", "title", "company", "address"):
        if "@" in value or "<" in value or ">" in value:
            return None
    subject = ev.subject if isinstance(ev.subject, str) else ""
    confidence = min(1.0, max(0.0, float(ev.confidence)))
    if (value == ev.value and subtype == ev.subtype and subject is ev.subject and len(subject) <= 300
            and type(ev.confidence) is float and confidence == ev.confidence):
        return ev  # already minimal (the usual case): the record itself, not an equal copy
    return attrs.evolve(ev, value=value, subtype=subtype, subject=subject[:300], confidence=confidence)


@lru_cache(maxsize=8192)  # the same names and addresses come back message after message
def _redaction_alters(value: str) -> bool:
    return redact(value).text != value


class _Haystack:
    """Everything the capture holds, as tokens, digits and lower-case text, for grounding."""

    def __init__(self, capture: Capture) -> None:
        parts: list[str] = []
        for c in capture.contacts:
            parts.append(c.email)
            if c.name:
                parts.append(c.name)
        for b in capture.blocks:
            parts.append(b.text)
        for _f, v, _s in capture.fields:
            parts.append(v)
        text = "\n".join(parts)
        self.lower = text.casefold()
        self.tokens = set(_TOKEN.findall(self.lower))
        self.digits = "".join(ch for ch in text if ch.isdigit())

    def grounds(self, ev: Evidence) -> bool:
        v = ev.value.casefold()
        if ev.field == "email":
            return v in self.lower
        if ev.field == "phone":
            # the national part must appear as a digit run (country code may be implied)
            digits = v.lstrip("+")
            return any(digits[i:] in self.digits for i in range(0, min(4, len(digits) - 5)))
        if ev.field in ("website", "social"):
            rest = v.split("://", 1)[-1]
            host = rest.split("/", 1)[0].removeprefix("www.")
            if host in self.lower:
                return True
            # a profile written with another host of the same network (fb.com/x -> facebook.com/x):
            # its handle must still be in the capture
            handle = rest.rstrip("/").rsplit("/", 1)[-1].lstrip("@")
            return ev.field == "social" and "/" in rest and len(handle) >= 2 and handle in self.lower
        toks = _TOKEN.findall(v)
        return bool(toks) and all(t in self.tokens for t in toks)


def _is_suppressed(ev: Evidence, suppressor: Suppressor) -> bool:
    if ev.field == "email" and suppressor.blocks_email(ev.value):
        return True
    if ev.field == "phone" and suppressor.blocks_phone(ev.value):
        return True
    if ev.subject.startswith("email:") and suppressor.blocks_email(ev.subject[6:]):
        return True
    return False


def _apply_rules(
    kept: list[Evidence], rules: Sequence[tuple[str, Callable[[Evidence], bool]]]
) -> list[Evidence]:
    out = []
    for ev in kept:
        ok = True
        for name, rule in rules:
            try:
                ok = rule(ev) is True
            except Exception as exc:  # a rule that raises drops the item, never the run
                log.warning("privacy rule %s raised %s: item dropped", name, type(exc).__name__)
                return []
            if not ok:
                break
        if ok:
            out.append(ev)
    return out


# -- publish ------------------------------------------------------------------------


def publish_contact(contact: Contact, suppressor: Suppressor) -> SealedContact | None:
    """Seal a contact for the sinks, or return None when it must not leave.

    Runs suppression again (an opt-out may have arrived after the evidence was
    stored) and strips control characters from every value so exports cannot
    inject headers or lines.
    """
    if any(suppressor.blocks_email(e) for e in contact.emails):
        return None
    if any(suppressor.blocks_phone(p.number) for p in contact.phones):
        return None

    def s(v: str | None) -> str | None:
        if v is None:
            return None
        v = " ".join(_CTRL.sub(" ", v).replace("\r", " ").replace("\n", " ").split())
        return v or None

    clean = attrs.evolve(
        contact,
        name=s(contact.name), title=s(contact.title), company=s(contact.company),
        address=s(contact.address),
        emails=tuple(e for e in contact.emails if _EMAIL.match(e)),
        phones=tuple(Phone(p.number, p.type if p.type in PHONE_TYPES else "other")
                     for p in contact.phones if _E164.match(p.number)),
        websites=tuple(w for w in contact.websites if _URL.match(w)),
        social=tuple((n, u) for n, u in contact.social if _URL.match(u)),
    )
    return _seal(clean)
