"""The store: contacts with their evidence, identity resolution, sync state, runs, audit."""

from __future__ import annotations

from .sqlite import SQLiteStore


def open_store(url: str) -> SQLiteStore:
    """Open (and migrate) the store at ``url`` (``sqlite:///PATH`` or ``sqlite:///:memory:``)."""
    return SQLiteStore(url)


__all__ = ["SQLiteStore", "open_store"]
