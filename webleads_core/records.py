"""The records that flow through a pipeline.

All records are attrs frozen classes with tuples for collections, so a stage can
hand them on without defensive copies.  Fields that hold personal data carry
``metadata={"pii": True}`` and ``repr=False``: they never reach a log line or a
traceback through ``repr()``.  Serialisation lives in :mod:`webleads_core.serialize`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import attrs

PII = {"pii": True}

#: The business fields that may leave the pipeline (the minimisation allowlist).
BUSINESS_FIELDS: tuple[str, ...] = (
    "name",
    "title",
    "company",
    "email",
    "phone",
    "address",
    "website",
    "social",
)

PhoneType = Literal["work", "mobile", "fax", "other"]
PHONE_TYPES: tuple[str, ...] = ("work", "mobile", "fax", "other")

ZONE_KINDS: tuple[str, ...] = (
    "body",
    "greeting",
    "signoff",
    "signature",
    "quote",
    "reply_header",
    "forward_header",
    "disclaimer",
    "device_footer",
)

ContactRole = Literal["sender", "recipient", "quoted"]


def pii_field(default: Any = attrs.NOTHING, **kw: Any) -> Any:
    """An attrs field holding personal data: out of ``repr`` and marked for audits."""
    return attrs.field(default=default, repr=False, metadata=PII, **kw)


def pii_fields(cls: type) -> tuple[str, ...]:
    """Names of the fields of an attrs class marked as personal data."""
    return tuple(a.name for a in attrs.fields(cls) if a.metadata.get("pii"))


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return value


@attrs.frozen
class Document:
    """One item a source yields: an email, a web page or an API record.

    Attributes:
        source: the configured source name (names the sync state).
        item_id: stable id of the item inside its source (Message-ID, UID, URL, record id).
        kind: ``"email"``, ``"page"`` or ``"record"``.
        owner: whose address book the contacts enter.
        content: the raw bytes (personal data; dropped right after capture).
        observed_at: when the item was read, timezone-aware.
        url: where the item came from (a page URL or an API endpoint), if any.
        fields: for ``"record"`` items, already-structured ``(field, value, subtype)``
            triples from an API or address book.
    """

    source: str
    item_id: str
    kind: Literal["email", "page", "record"]
    owner: str
    content: bytes = pii_field(b"")
    observed_at: dt.datetime = attrs.field(
        factory=lambda: dt.datetime.now(dt.timezone.utc), converter=_utc
    )
    url: str | None = None
    fields: tuple[tuple[str, str, str | None], ...] = pii_field(())

    @classmethod
    def from_email(
        cls, source: str, item_id: str, raw: bytes, *, owner: str = "",
        observed_at: dt.datetime | None = None,
    ) -> Document:
        return cls(source=source, item_id=item_id, kind="email", owner=owner, content=raw,
                   **({"observed_at": observed_at} if observed_at else {}))

    @classmethod
    def from_page(
        cls, source: str, url: str, html: bytes, *, owner: str = "",
        observed_at: dt.datetime | None = None,
    ) -> Document:
        return cls(source=source, item_id=url, kind="page", owner=owner, content=html, url=url,
                   **({"observed_at": observed_at} if observed_at else {}))

    @classmethod
    def from_record(
        cls, source: str, item_id: str, fields: tuple[tuple[str, str, str | None], ...], *,
        owner: str = "", url: str | None = None, observed_at: dt.datetime | None = None,
    ) -> Document:
        return cls(source=source, item_id=item_id, kind="record", owner=owner, fields=tuple(fields),
                   url=url, **({"observed_at": observed_at} if observed_at else {}))


@attrs.frozen
class Checkpoint:
    """A point a source can resume from.  The engine commits it only after
    everything the source yielded before it reached the store.

    Attributes:
        source: the configured source name.
        cursor: a JSON-able mapping owned by the source (``{"uidvalidity": .., "last_uid": ..}``).
            It must hold no personal data.
    """

    source: str
    cursor: dict[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen
class Resync:
    """Asks the engine to drop the stored cursor of a source (a changed UIDVALIDITY,
    an expired history id).  Dedup in the store keeps the rescan from counting twice."""

    source: str
    reason: str


@attrs.frozen
class Rejected:
    """An item a source could not read (a malformed vCard entry, a record with nothing
    usable, a message that vanished).  The engine counts it as skipped, quarantines its id
    and reason, and goes on.

    Attributes:
        source: the configured source name.
        item_id: the item's id inside the source (never its content).
        reason: a dotted reason code (``vcard.malformed``).
    """

    source: str
    item_id: str = pii_field()
    reason: str = "source.rejected"


@attrs.frozen
class Zone:
    """A run of lines of one message, labelled by a segmenter.

    Attributes:
        kind: one of :data:`ZONE_KINDS`.
        message: 0 for the newest message, 1 for the first quoted or forwarded one, ...
        start: first line (0-based) in the decoded text.
        end: one past the last line.
        text: the zone's lines (personal data).
    """

    kind: str
    message: int
    start: int
    end: int
    text: str = pii_field("")


@attrs.frozen
class HeaderContact:
    """A person or role named in a header block.

    Attributes:
        email: normalised address (lower-case domain).
        name: cleaned display name, or None (never an address taken from a display name).
        header: ``from``, ``reply-to``, ``sender``, ``to``, ``cc`` (or the same in a quoted block).
        role: ``sender``, ``recipient`` or ``quoted``.
        kind: ``person`` or ``role`` (info@, sales@ ...).
        message: which message of the thread the header belongs to (0 = newest).
    """

    email: str = pii_field()
    name: str | None = pii_field(None)
    header: str = "from"
    role: str = "sender"
    kind: str = "person"
    message: int = 0


@attrs.frozen
class Block:
    """A signature block that survived the purge, with who it most likely belongs to.

    Attributes:
        text: the signature lines, already redacted (personal data).
        message: the message of the thread it closes (0 = newest).
        author: the sender of that message, when the headers tell.
        role: ``sender`` for message 0, ``quoted`` for older ones.
        start: first line of the block in the decoded text (provenance span).
    """

    text: str = pii_field()
    message: int = 0
    author: HeaderContact | None = None
    role: str = "sender"
    start: int = 0


@attrs.frozen
class Capture:
    """What survives the mandatory purge: header contacts and signature blocks.

    Everything else of the item (body text, quoted text, attachments) has been dropped.

    Attributes:
        source, item_id, owner, kind, observed_at, url: copied from the document.
        sent_at: the item's own date (Date header), or None.
        contacts: header contacts.
        blocks: signature blocks (own and quoted/forwarded).
        fields: structured ``(field, value, subtype)`` triples of ``record`` items.
        defects: reason codes of what was odd but survivable in the item.
    """

    source: str
    item_id: str
    owner: str
    kind: str
    observed_at: dt.datetime
    sent_at: dt.datetime | None = None
    url: str | None = None
    contacts: tuple[HeaderContact, ...] = ()
    blocks: tuple[Block, ...] = ()
    fields: tuple[tuple[str, str, str | None], ...] = pii_field(())
    defects: tuple[str, ...] = ()
    automated: bool = False


@attrs.frozen
class Evidence:
    """One normalised field value with its provenance.

    Attributes:
        field: one of :data:`BUSINESS_FIELDS` (anything else is dropped by minimisation).
        value: the normalised value (E.164 for phones, lower-case for emails) (personal data).
        subtype: phone type (work/mobile/fax/other), social network name, or None.
        subject: key of the person inside the item the value belongs to (``"email:..."`` or
            ``"block:N"``); the engine groups evidence by it before identity resolution.
        source, item_id, owner: where it was observed.
        extractor, extractor_version, method: who found it and how (``header``, ``signature``,
            ``jsonld``, ``mailto`` ...).
        span: ``(start, end)`` line or character span in the captured text, if any.
        observed_at: when the item was observed (or sent), timezone-aware.
        confidence: 0..1.
        kind: ``person`` or ``role``.
        role: ``sender``, ``recipient`` or ``quoted``.
    """

    field: str
    value: str = pii_field()
    subject: str = pii_field()
    source: str = ""
    item_id: str = pii_field("")
    owner: str = pii_field("")
    extractor: str = ""
    extractor_version: str = "0"
    method: str = ""
    subtype: str | None = None
    span: tuple[int, int] | None = None
    observed_at: dt.datetime = attrs.field(
        factory=lambda: dt.datetime.now(dt.timezone.utc), converter=_utc
    )
    confidence: float = 0.5
    kind: str = "person"
    role: str = "sender"

    def with_confidence(self, confidence: float) -> Evidence:
        return attrs.evolve(self, confidence=max(0.0, min(1.0, float(confidence))))


@attrs.frozen
class Phone:
    number: str = pii_field()
    type: str = "other"


@attrs.frozen
class SourceRef:
    """Provenance summary of a contact: which item, extractor and method said something."""

    item: str = pii_field()
    extractor: str = ""
    method: str = ""
    source: str = ""


@attrs.frozen
class Contact:
    """A resolved contact as the store sees it (current values of each field).

    Attributes:
        id: the store's contact id.
        confidence: per-field confidence, as ``((field, value), ...)``.
    """

    id: int
    name: str | None = pii_field(None)
    title: str | None = pii_field(None)
    company: str | None = pii_field(None)
    emails: tuple[str, ...] = pii_field(())
    phones: tuple[Phone, ...] = pii_field(())
    address: str | None = pii_field(None)
    websites: tuple[str, ...] = pii_field(())
    social: tuple[tuple[str, str], ...] = pii_field(())
    kind: str = "person"
    role: str = "sender"
    confidence: tuple[tuple[str, float], ...] = ()
    sources: tuple[SourceRef, ...] = pii_field(())
    owners: tuple[str, ...] = pii_field(())
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None


@attrs.frozen
class SealedContact:
    """A contact that passed the privacy stage.  Sinks accept nothing else.

    The seal is an HMAC over the contact's content, keyed by a secret that only
    :mod:`webleads_core.privacy.seal` holds; :func:`webleads_core.privacy.seal.verify`
    checks it.  Building one by hand gives a record every sink refuses.
    """

    contact: Contact
    seal: bytes = attrs.field(repr=False)


@attrs.frozen
class SkippedItem:
    """An item the engine rejected, with no raw content: only ids and a reason code."""

    source: str
    item_id: str = pii_field()
    stage: str = ""
    reason: str = ""


@attrs.frozen
class RunResult:
    """What a run did: counts per outcome, skipped items with reasons, contacts touched."""

    run_id: int | None
    items: int = 0
    processed: int = 0
    skipped: int = 0
    evidence: int = 0
    contacts: int = 0
    seconds: float = 0.0
    reasons: tuple[tuple[str, int], ...] = ()
    skipped_items: tuple[SkippedItem, ...] = ()


@attrs.frozen
class ParsedMessage:
    """An email after parsing: header contacts and the decoded text of its best text part.

    Attributes:
        contacts: header contacts of the newest message (From, Reply-To, Sender, To, Cc).
        text: decoded text (plain part preferred, else HTML turned into text with line breaks).
            Personal data: the purge drops it after segmentation.
        subject: decoded Subject (kept only for debugging tools, never stored).
        sent_at: the Date header as an aware datetime, or None.
        message_id: the Message-ID without brackets, or None.
        defects: reason codes of survivable oddities (``header.date_invalid`` ...).
        automated: no-reply, bulk, list, auto-reply or bounce: yields no person contact.
    """

    contacts: tuple[HeaderContact, ...] = ()
    text: str = pii_field("")
    subject: str = pii_field("")
    sent_at: dt.datetime | None = None
    message_id: str | None = pii_field(None)
    defects: tuple[str, ...] = ()
    automated: bool = False

    @property
    def sender(self) -> HeaderContact | None:
        for c in self.contacts:
            if c.role == "sender" and c.header == "from":
                return c
        for c in self.contacts:
            if c.role == "sender":
                return c
        return None
