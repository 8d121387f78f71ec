"""Serialising records for outputs, kept apart from the records themselves."""

from __future__ import annotations

from typing import Any

from .records import Contact


def contact_to_dict(c: Contact) -> dict[str, Any]:
    """The public contact shape (``webleads extract --format jsonl`` prints one per line).

    Missing values are ``None`` or empty lists, never invented.
    """
    return {
        "id": c.id,
        "name": c.name,
        "title": c.title,
        "company": c.company,
        "emails": list(c.emails),
        "phones": [{"number": p.number, "type": p.type} for p in c.phones],
        "address": c.address,
        "websites": list(c.websites),
        "social": dict(c.social),
        "kind": c.kind,
        "role": c.role,
        "confidence": dict(c.confidence),
        "sources": [{"item": s.item, "extractor": s.extractor, "method": s.method, "source": s.source}
                    for s in c.sources],
        "owners": list(c.owners),
        "first_seen": c.first_seen.isoformat() if c.first_seen else None,
        "last_seen": c.last_seen.isoformat() if c.last_seen else None,
    }


def split_name(name: str | None) -> tuple[str, str]:
    """First and last name for CRM columns: the last token is the last name."""
    if not name:
        return "", ""
    parts = name.split()
    if len(parts) == 1:
        return parts[0], ""
    return " ".join(parts[:-1]), parts[-1]
