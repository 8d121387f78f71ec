"""Turning a contact's evidence rows into its current values.

Per field and value, confidences of independent items combine as a noisy-or
(``1 - prod(1 - c)``), discounted by age relative to the newest observation of the
contact (half-life one year) so that a newer title can win over an older one.
Single-valued fields (name, title, company, address) keep the best value;
emails, phones, websites keep every value, best first.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Iterable, Sequence

import attrs

from ..records import Contact, Phone, SourceRef

HALF_LIFE_DAYS = 365.0
SINGLE = ("name", "title", "company", "address")


def build_contact(contact_id: int, rows: Sequence[Sequence]) -> Contact:
    """``rows``: (field, value, subtype, kind, role, source, item_id, owner, extractor,
    method, observed_at, confidence) tuples for one contact."""
    if not rows:
        return Contact(id=contact_id)
    times = [dt.datetime.fromisoformat(r[10]) for r in rows]
    newest = max(times)
    # per (field, value): best confidence per item, then noisy-or over items
    per_item: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    last: dict[tuple[str, str], dt.datetime] = {}
    subtypes: dict[tuple[str, str], dict[str | None, float]] = defaultdict(lambda: defaultdict(float))
    for r, t in zip(rows, times):
        field, value, subtype, item, conf = r[0], r[1], r[2], r[6], float(r[11])
        age = (newest - t).total_seconds() / 86400.0
        w = conf * 0.5 ** (age / HALF_LIFE_DAYS)
        k = (field, value)
        per_item[k][item] = max(per_item[k].get(item, 0.0), w)
        last[k] = max(last.get(k, t), t)
        subtypes[k][subtype] += conf
    score: dict[tuple[str, str], float] = {}
    for k, items in per_item.items():
        p = 1.0
        for c in items.values():
            p *= 1.0 - min(c, 0.999)
        score[k] = 1.0 - p

    def ranked(field: str) -> list[str]:
        vals = [k for k in score if k[0] == field]
        vals.sort(key=lambda k: (-score[k], -last[k].timestamp(), k[1]))
        return [k[1] for k in vals]

    best = {f: (ranked(f)[:1] or [None])[0] for f in SINGLE}
    confidence: dict[str, float] = {}
    for f in ("name", "title", "company", "address", "email", "phone", "website", "social"):
        vals = ranked(f)
        if vals:
            confidence[f] = round(score[(f, vals[0])], 3)
    phones = []
    for number in ranked("phone"):
        st = subtypes[("phone", number)]
        phones.append(Phone(number=number, type=max(st, key=lambda s: (st[s], s or "")) or "other"))
    social: dict[str, str] = {}
    for url in ranked("social"):
        net = max(subtypes[("social", url)], key=lambda s: subtypes[("social", url)][s]) or "other"
        social.setdefault(net, url)
    kinds = {r[3] for r in rows if r[0] == "email"} or {r[3] for r in rows}
    roles = {r[4] for r in rows}
    role = "sender" if "sender" in roles else "recipient" if "recipient" in roles else "quoted"
    refs = sorted({SourceRef(item=r[6], extractor=r[8], method=r[9], source=r[5]) for r in rows},
                  key=lambda s: (s.source, s.item, s.extractor, s.method))
    return Contact(
        id=contact_id,
        name=best["name"], title=best["title"], company=best["company"], address=best["address"],
        emails=tuple(ranked("email")), phones=tuple(phones), websites=tuple(ranked("website")),
        social=tuple(sorted(social.items())),
        kind="person" if "person" in kinds else "role",
        role=role,
        confidence=tuple(sorted(confidence.items())),
        sources=tuple(refs),
        owners=tuple(sorted({r[7] for r in rows if r[7]})),
        first_seen=min(times), last_seen=newest,
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
