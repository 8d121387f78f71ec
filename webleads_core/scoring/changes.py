"""Change events: a new job, a new phone, a new address, once per real change.

Events are read off the network timeline (:mod:`.timeline`), never off single
observations, so they fire only when enough independent owners or sources agree, at
the moment they came to agree:

- ``job``: the network company or title changed, or a new email domain was published
  together with a new signature (a signature read from a message of the new address).
  Changes within ``job_window_days`` of each other are one event;
- ``phone``: a phone number was published for a contact that was already known;
- ``address``: the network address changed.

A first publication (nothing before) is not a change.  An event's id is derived from the
contact, the kind and the values, with a counter for a value that comes back, so
replaying the same evidence gives the same ids: the store inserts each id once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from typing import Callable, Mapping

import attrs

from ..records import pii_field
from .settings import ScoringConfig
from .timeline import FieldState, Transition

KINDS = ("job", "phone", "address")
_FREE_MAIL = frozenset("""gmail.com googlemail.com yahoo.com hotmail.com outlook.com live.com aol.com icloud.com
    me.com gmx.de gmx.net web.de proton.me protonmail.com yandex.ru mail.ru qq.com""".split())


@attrs.frozen
class ChangeEvent:
    """One real change of a contact.

    Attributes:
        id: stable digest (the same change replayed gives the same id).
        contact_id: the store's contact id.
        kind: ``job``, ``phone`` or ``address``.
        at: when the change became established (the time of the observation that made
            the support sufficient).
        before, after: field -> value before and after (personal data).
        support: independent owners or sources behind the new value.
        confidence: their combined confidence.
        evidence: provenance of the supporting observations (no item ids, no owners).
    """

    id: str
    contact_id: int
    kind: str
    at: dt.datetime
    before: Mapping[str, object] = pii_field(attrs.Factory(dict))
    after: Mapping[str, object] = pii_field(attrs.Factory(dict))
    support: int = 0
    confidence: float = 0.0
    evidence: tuple[dict, ...] = ()

    def payload(self) -> dict:
        return {"id": self.id, "contact_id": self.contact_id, "kind": self.kind, "at": self.at.isoformat(),
                "before": dict(self.before), "after": dict(self.after), "support": self.support,
                "confidence": self.confidence, "evidence": list(self.evidence)}


def _domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


def _domain_transitions(email: FieldState) -> list[Transition]:
    out = []
    published: list[str] = []
    for t in email.transitions:
        new = _domain(str(t.after))
        old = [_domain(e) for e in published]
        published.append(str(t.after))
        if not old or new in old or new in _FREE_MAIL:
            continue
        prev = next((d for d in reversed(old) if d not in _FREE_MAIL), old[-1])
        out.append(attrs.evolve(t, field="email_domain", before=prev, after=new))
    return out


def detect(contact_id: int, fields: Mapping[str, FieldState], cfg: ScoringConfig, *,
           signature_items: frozenset[str] = frozenset(), pinned: frozenset[str] = frozenset(),
           digest: Callable[[str], str] | None = None) -> list[ChangeEvent]:
    """The change events of one contact, oldest first.  Fields under a subject's own
    correction (``pinned``) raise no crowd events."""
    digest = digest or (lambda s: hashlib.sha256(s.encode("utf-8", "surrogatepass")).hexdigest()[:32])
    first_pub = min((t.at for f in fields.values() for t in f.transitions), default=None)
    job: list[Transition] = []
    for name in ("company", "title"):
        if name in fields and name not in pinned:
            job += [t for t in fields[name].transitions if t.before is not None]
    if "email" in fields:
        for t in _domain_transitions(fields["email"]):
            near = any(abs((j.at - t.at).total_seconds()) <= cfg.job_window_days * 86400 for j in job)
            if near or (t.items & signature_items):
                job.append(t)
    job.sort(key=lambda t: (t.at, t.field))
    clusters: list[list[Transition]] = []
    for t in job:
        if clusters and (t.at - clusters[-1][0].at).total_seconds() <= cfg.job_window_days * 86400:
            clusters[-1].append(t)
        else:
            clusters.append([t])
    drafts: list[tuple[str, list[Transition]]] = [("job", c) for c in clusters]
    if "phone" in fields and "phone" not in pinned:
        for t in fields["phone"].transitions:
            if first_pub is not None and t.at > first_pub:
                drafts.append(("phone", [t]))
    if "address" in fields and "address" not in pinned:
        drafts += [("address", [t]) for t in fields["address"].transitions if t.before is not None]
    drafts.sort(key=lambda d: (d[1][0].at, d[0]))
    seen: Counter = Counter()
    events = []
    for kind, ts in drafts:
        head = ts[0]
        before: dict[str, object] = {}
        after: dict[str, object] = {}
        for t in ts:
            before.setdefault(t.field, list(t.before) if isinstance(t.before, tuple) else t.before)
            after[t.field] = t.after
        key = f"{contact_id}|{kind}|{head.field}|{head.before!r}|{head.after!r}"
        seen[key] += 1
        events.append(ChangeEvent(
            id=digest(f"{key}|{seen[key]}"), contact_id=contact_id, kind=kind, at=head.at, before=before,
            after=after, support=min(t.support for t in ts), confidence=min(t.confidence for t in ts),
            evidence=tuple(r.as_dict() for t in ts for r in t.evidence)))
    return events
