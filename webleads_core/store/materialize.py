"""Turning a contact's evidence rows into its current values.

The judgement lives in :mod:`webleads_core.scoring.timeline`: observations are weighed
by confidence and age (configurable half-life), grouped so that one owner's mailbox, one
web site or one sender's repeated signature counts once, and a value enters the network
view when ``k`` independent groups agree.  Single-valued fields (name, title, company,
address) take the current value (network value, else the best private belief);
emails, phones, websites and social profiles keep every value, published ones first.

Views: ``current`` (the default: what the store believes, for the store's own exports),
``network`` (only published values: what every owner may see) and an owner's view
(their own address book, completed by the network).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Sequence

import attrs

from ..records import Contact, Phone, SourceRef
from ..scoring import ScoringConfig
from ..scoring.timeline import FieldState, Obs, evaluate, observations, owner_beliefs

SINGLE = ("name", "title", "company", "address")
_DEFAULT = ScoringConfig()


def build_contact(contact_id: int, rows: Sequence[Sequence], cfg: ScoringConfig | None = None, *,
                  view: str = "current", owner: str | None = None,
                  obs: Sequence[Obs] | None = None, states: dict[str, FieldState] | None = None) -> Contact:
    """``rows``: (field, value, subtype, kind, role, source, item_id, owner, extractor,
    method, observed_at, confidence) tuples for one contact."""
    if not rows:
        return Contact(id=contact_id)
    cfg = cfg or _DEFAULT
    obs = observations(rows) if obs is None else obs
    states = evaluate(obs, cfg) if states is None else states
    mine = owner_beliefs(obs, owner, cfg) if owner else {}

    def values(field: str) -> list[str]:
        st = states.get(field)
        if st is None:
            return []
        base = list(st.network if view in ("network", "owner") else st.current)
        if field in mine:
            own = list(mine[field])
            if field in SINGLE:
                return own
            return own + [v for v in base if v not in own]
        return base

    def conf(field: str, value: str) -> float:
        st = states[field].value(value)
        return st.confidence if st and st.confidence else max((o.confidence for o in obs if o.field == field
                                                               and o.value == value), default=0.0)

    single = {f: (values(f)[:1] or [None])[0] for f in SINGLE}
    confidence: dict[str, float] = {}
    for f in ("name", "title", "company", "address", "email", "phone", "website", "social"):
        vals = values(f)
        if vals:
            confidence[f] = round(conf(f, vals[0]), 3)
    phones = []
    for number in values("phone"):
        st = states["phone"].value(number)
        phones.append(Phone(number=number, type=(st.subtype if st else None) or "other"))
    social: dict[str, str] = {}
    for url in values("social"):
        st = states["social"].value(url)
        social.setdefault((st.subtype if st else None) or "other", url)
    kinds = {o.kind for o in obs if o.field == "email"} or {o.kind for o in obs}
    roles = {o.role for o in obs}
    role = "sender" if "sender" in roles else "recipient" if "recipient" in roles else "quoted"
    refs = sorted({SourceRef(item=o.item, extractor=o.extractor, method=o.method, source=o.source) for o in obs},
                  key=lambda s: (s.source, s.item, s.extractor, s.method))
    return Contact(
        id=contact_id,
        name=single["name"], title=single["title"], company=single["company"], address=single["address"],
        emails=tuple(values("email")), phones=tuple(phones), websites=tuple(values("website")),
        social=tuple(sorted(social.items())),
        kind="person" if "person" in kinds else "role",
        role=role,
        confidence=tuple(sorted(confidence.items())),
        sources=tuple(refs),
        owners=tuple(sorted({o.owner for o in obs if o.owner})),
        first_seen=min(o.at for o in obs), last_seen=max(o.at for o in obs),
    )


def group_rows(rows: Iterable[Sequence]) -> dict[int, list[Sequence]]:
    out: dict[int, list[Sequence]] = defaultdict(list)
    for r in rows:
        out[r[0]].append(r[1:])
    return out


#: Fields a subject can correct (``webleads privacy rectify``).
PINNABLE = ("name", "title", "company", "address", "phone", "website")


def apply_pins(contact: Contact, pins: Iterable[tuple[str, str | None]]) -> Contact:
    """Apply a subject's own corrections: they win over every crowd value, old or new.

    A single-valued field takes the pinned value (None clears it); a pinned phone or
    website goes first in its list.  Confidence of a pinned field is 1.0.
    """
    pins = list(pins)
    if not pins:
        return contact
    changes: dict[str, object] = {}
    conf = dict(contact.confidence)
    for field, value in pins:
        if field in SINGLE:
            changes[field] = value
        elif field == "phone" and value:
            number, _, ptype = value.partition("|")
            rest = tuple(p for p in changes.get("phones", contact.phones) if p.number != number)  # type: ignore[attr-defined]
            changes["phones"] = (Phone(number=number, type=ptype or "work"),) + rest
        elif field == "website" and value:
            rest = tuple(w for w in changes.get("websites", contact.websites) if w != value)  # type: ignore[attr-defined]
            changes["websites"] = (value,) + rest
        else:
            continue
        if value is None:
            conf.pop(field, None)
        else:
            conf[field] = 1.0
    return attrs.evolve(contact, confidence=tuple(sorted(conf.items())), **changes)
