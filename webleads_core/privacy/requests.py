"""Subject requests: erasure, rectification and restriction, and the request register.

Every request is kept in the store's ``requests`` table with its kind, the subject
as a keyed pseudonym (never the identifier itself), when it was received, when it is
due (one calendar month later, GDPR art. 12(3)), its status and its outcome in
counts.  Receiving and completing a request are both audited, with the same
pseudonym.  The access request (``export``) is in :mod:`webleads_core.privacy.access`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import attrs

from ..errors import ConfigError
from ..records import BUSINESS_FIELDS
from ..store import SQLiteStore
from ..store.materialize import PINNABLE
from .redact import redact
from .retention import month_after
from .suppress import KEY_VERSION, Suppressor, identifier_forms, pseudonym

__all__ = ["RequestOutcome", "close", "erase", "list_requests", "open_request", "rectify", "restrict",
           "subject_forms"]

_CTRL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_URL = re.compile(r"^https?://[^\s<>\"]{1,500}$")


@attrs.frozen
class RequestOutcome:
    """What a request did, in counts (safe to print or log).

    Attributes:
        request: the request's id in the register.
        kind: ``access``, ``erasure``, ``rectification``, ``restriction``, ``objection``.
        subject: the subject's pseudonym.
        held: how many contacts matched.
        status: the request's status afterwards.
        due_at: when the answer is due.
        detail: further counts.
    """

    request: int
    kind: str
    subject: str
    held: int
    status: str
    due_at: dt.datetime
    detail: dict[str, Any] = attrs.field(factory=dict)


def subject_forms(identifier: str) -> list[str]:
    """Canonical forms of a subject's email or phone; a domain is not a person."""
    forms = identifier_forms(identifier)
    if not forms or forms[0].startswith("domain:"):
        raise ConfigError("a subject request needs the person's email address or phone number (+CC...)")
    return forms


def open_request(store: SQLiteStore, kind: str, subject: str, received_at: dt.datetime | None = None) -> int:
    """Register a request (status ``open``) and audit its receipt."""
    received = received_at or store.now()
    if received.tzinfo is None:
        received = received.replace(tzinfo=dt.timezone.utc)
    rid = store.open_request(kind, subject, received, month_after(received))
    store.audit("privacy.request.received", {"request": rid, "kind": kind, "subject": subject})
    return rid


def close(store: SQLiteStore, request_id: int, status: str, outcome: dict[str, Any], *, subject: str) -> None:
    store.close_request(request_id, status, outcome)
    store.audit("privacy.request.completed", {"request": request_id, "status": status, "subject": subject,
                                              **{k: v for k, v in outcome.items() if isinstance(v, (int, bool))}})


def _outcome(store: SQLiteStore, rid: int, kind: str, subject: str, held: int, status: str,
             detail: dict[str, Any]) -> RequestOutcome:
    row = next(r for r in store.requests() if r["id"] == rid)
    return RequestOutcome(request=rid, kind=kind, subject=subject, held=held, status=status,
                          due_at=dt.datetime.fromisoformat(row["due_at"]), detail=detail)


def erase(store: SQLiteStore, identifier: str, *, secret_file: Path | None = None,
          received_at: dt.datetime | None = None) -> RequestOutcome:
    """Remove the person from every table and index of the store; keep only the HMAC
    suppression entries (the given identifier, every email and mobile number held for
    them) so they are never collected again.

    Work numbers are not suppressed: they are often a switchboard shared with colleagues.
    """
    forms = subject_forms(identifier)
    key = store.secret_key(secret_file)
    subject = pseudonym(key, identifier)
    rid = open_request(store, "erasure", subject, received_at)
    ids = store.match(identifier)
    identifiers = {forms[0].partition(":")[2]}
    for c in store.contacts(ids, include_hidden=True):
        identifiers.update(c.emails)
        identifiers.update(p.number for p in c.phones if p.type == "mobile")
    suppressor = Suppressor(key)
    digests = sorted({d for ident in identifiers for d in suppressor.add(ident)})
    store.add_suppressions(digests, KEY_VERSION)
    erased = store.erase(ids)
    detail = {"contacts": erased, "suppressed": len(digests)}
    close(store, rid, "completed", detail, subject=subject)
    store.audit("privacy.erase", {"request": rid, "subject": subject, **detail})
    return _outcome(store, rid, "erasure", subject, len(ids), "completed", detail)


def _clean_value(field: str, value: str) -> str:
    v = " ".join(_CTRL.sub(" ", value).split())
    if not v or len(v) > 300:
        raise ConfigError(f"rectify: an empty or over-long {field}")
    if redact(v).text != v:
        raise ConfigError(f"rectify: the {field} holds a value webleads never stores (card, IBAN, id, secret)")
    if field == "phone":
        import phonenumbers

        try:
            num = phonenumbers.parse(v, None)
        except phonenumbers.NumberParseException:
            raise ConfigError("rectify: a phone needs the international form (+CC ...)") from None
        if not phonenumbers.is_possible_number(num):
            raise ConfigError("rectify: not a possible phone number")
        return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    if field == "website":
        if not _URL.match(v):
            raise ConfigError("rectify: a website is an http(s) URL")
        return v
    if "@" in v or "<" in v or ">" in v:
        raise ConfigError(f"rectify: a {field} cannot contain @, < or >")
    return v


def rectify(store: SQLiteStore, identifier: str, field: str, value: str | None, *, phone_type: str = "work",
            secret_file: Path | None = None, received_at: dt.datetime | None = None) -> RequestOutcome:
    """Pin the subject's own value of one field (``None`` clears a single-valued field).

    A pin is stronger than any crowd value, older or newer: later observations never
    override it.  Email addresses are not rectified (an address is an identity: erase
    the wrong one instead).
    """
    subject_forms(identifier)
    if field not in PINNABLE:
        allowed = ", ".join(PINNABLE)
        raise ConfigError(f"rectify: FIELD is one of {allowed}"
                          + (" (an email address is not corrected: erase it)" if field == "email" else ""))
    assert set(PINNABLE) <= set(BUSINESS_FIELDS)
    if value is None and field in ("phone", "website"):
        raise ConfigError(f"rectify: a {field} cannot be cleared, only given")
    clean = None if value is None else _clean_value(field, value)
    if field == "phone" and clean is not None:
        if phone_type not in ("work", "mobile", "fax", "other"):
            raise ConfigError("rectify: phone type is work, mobile, fax or other")
        clean = f"{clean}|{phone_type}"
    key = store.secret_key(secret_file)
    subject = pseudonym(key, identifier)
    rid = open_request(store, "rectification", subject, received_at)
    ids = store.match(identifier)
    for cid in ids:
        store.set_pin(cid, field, clean, rid)
    detail = {"contacts": len(ids), "field": field, "cleared": clean is None}
    close(store, rid, "completed", detail, subject=subject)
    return _outcome(store, rid, "rectification", subject, len(ids), "completed", detail)


def restrict(store: SQLiteStore, identifier: str, *, lift: bool = False, secret_file: Path | None = None,
             received_at: dt.datetime | None = None) -> RequestOutcome:
    """Freeze the person's record while a dispute lasts: kept, never published or
    exported, never purged.  ``lift`` ends the restriction (and marks the restriction
    requests of those contacts ``lifted``)."""
    subject_forms(identifier)
    key = store.secret_key(secret_file)
    subject = pseudonym(key, identifier)
    ids = store.match(identifier)
    if lift:
        lifted = sum(store.lift_restriction(cid) for cid in ids)
        for r in store.requests():
            if r["kind"] == "restriction" and r["subject"] == subject and r["status"] == "in effect":
                store.close_request(r["id"], "lifted", {**r["outcome"], "lifted": lifted})
        store.audit("privacy.restrict.lift", {"subject": subject, "contacts": lifted})
        rows = [r for r in store.requests() if r["kind"] == "restriction" and r["subject"] == subject]
        last = rows[-1] if rows else None
        return RequestOutcome(request=last["id"] if last else 0, kind="restriction", subject=subject,
                              held=len(ids), status="lifted",
                              due_at=dt.datetime.fromisoformat(last["due_at"]) if last else store.now(),
                              detail={"contacts": lifted})
    rid = open_request(store, "restriction", subject, received_at)
    for cid in ids:
        store.restrict(cid, rid)
    detail = {"contacts": len(ids)}
    status = "in effect" if ids else "completed"
    close(store, rid, status, detail, subject=subject)
    return _outcome(store, rid, "restriction", subject, len(ids), status, detail)


def list_requests(store: SQLiteStore, *, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The register, each with ``overdue`` (open past its due date) and ``late``
    (completed after it)."""
    now = now or store.now()
    out = []
    for r in store.requests():
        due = dt.datetime.fromisoformat(r["due_at"])
        done = dt.datetime.fromisoformat(r["completed_at"]) if r["completed_at"] else None
        out.append({**r, "overdue": r["status"] == "open" and due < now, "late": bool(done and done > due)})
    return out
