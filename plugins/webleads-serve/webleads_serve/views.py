"""What an API key may see of a contact.

- ``book`` (an owner's own address book): the contacts whose evidence came from the
  owner's own sources, with every field, and a history limited to the owner's own
  observations (the item ids of other owners' mail are never shown to them).
- ``network``: every published contact, reduced to who the person is professionally
  (name, title, company, websites, public profiles): no email, phone or address and no
  owners, so no owner can read another owner's address book through it.
- ``all``: the operator's view, everything published.

Contacts always come through the publish stage (``sealed_contacts``): opted-out,
restricted and expired people never appear, whatever the query.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Iterable, Iterator

from webleads_core import Contact, SQLiteStore, contact_to_dict
from webleads_core.engine.run import sealed_contacts

NETWORK_FIELDS = ("id", "name", "title", "company", "websites", "social", "kind")
FIELDS = ("name", "title", "company", "email", "phone", "address", "website", "social")


def visible_contacts(store: SQLiteStore, policy: Any, view: str, owner: str,
                     ids: Iterable[int] | None = None) -> Iterator[Contact]:
    for record in sealed_contacts(store, policy, ids):
        c = record.contact
        if view == "book" and owner not in c.owners:
            continue
        yield c


def matches(c: Contact, q: str, view: str) -> bool:
    if not q:
        return True
    hay = [c.name or "", c.title or "", c.company or ""]
    if view != "network":
        hay += list(c.emails) + [p.number for p in c.phones]
    q = q.casefold()
    return any(q in h.casefold() for h in hay)


def summary(c: Contact, view: str) -> dict[str, Any]:
    d = contact_to_dict(c)
    if view == "network":
        return {k: d[k] for k in NETWORK_FIELDS}
    d.pop("sources", None)  # item ids (message ids, URLs) only in the per-contact history
    if view == "book":
        d.pop("owners", None)
    return d


def detail(store: SQLiteStore, c: Contact, view: str, owner: str) -> dict[str, Any]:
    """Each field's current value(s), confidence, support and history."""
    conf = dict(c.confidence)
    current: dict[str, list[str]] = {
        "name": [c.name] if c.name else [], "title": [c.title] if c.title else [],
        "company": [c.company] if c.company else [], "email": list(c.emails),
        "phone": [p.number for p in c.phones], "address": [c.address] if c.address else [],
        "website": list(c.websites), "social": [u for _, u in c.social],
    }
    allowed = FIELDS if view != "network" else ("name", "title", "company", "website", "social")
    rows = store.evidence_of(c.id)
    by_value: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for ev in rows:
        by_value[(ev["field"], ev["value"])].append(ev)
    fields: dict[str, list[dict[str, Any]]] = {}
    for field in allowed:
        out = []
        for value in current[field]:
            evs = by_value.get((field, value), [])
            own = [e for e in evs if view == "all" or (view == "book" and e["owner"] == owner)]
            out.append({
                "value": value,
                "type": next((p.type for p in c.phones if p.number == value), None) if field == "phone" else None,
                "confidence": conf.get(field),
                "support": {"observations": len(evs), "items": len({(e["source"], e["item_id"]) for e in evs}),
                            "extractors": sorted({e["extractor"] for e in evs})},
                "history": [{"observed_at": e["observed_at"], "source": e["source"], "item": e["item_id"],
                             "extractor": e["extractor"], "method": e["method"],
                             "confidence": round(float(e["confidence"]), 3)} for e in own]
                if view != "network" else [],
            })
        fields[field] = out
    return {"id": c.id, "kind": c.kind, "fields": fields, **(
        {} if view == "network" else {"first_seen": _iso(c.first_seen), "last_seen": _iso(c.last_seen)})}


def changed_ids(store: SQLiteStore, since: dt.datetime) -> list[tuple[int, str, str]]:
    """``(id, created_at, updated_at)`` of contacts the store changed after ``since``.

    An adapter: the store has no change-event table yet, so this reads its ``contacts``
    table (ids and times only, no personal data) read-only.
    """
    cur = store.conn.execute("SELECT id, created_at, updated_at FROM contacts WHERE updated_at > ? "
                             "ORDER BY updated_at, id", (since.isoformat(),))
    return [(r[0], r[1], r[2]) for r in cur]


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat() if t else None
