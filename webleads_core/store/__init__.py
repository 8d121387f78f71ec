"""The store: contacts with their evidence, identity resolution, sync state, runs, audit,
subject requests, retention and encryption at rest."""

from __future__ import annotations

from typing import Any

from .sqlite import SQLiteStore


def open_store(url: str, *, privacy: Any = None, keyring: Any = None, scoring: Any = None) -> SQLiteStore:
    """Open (and migrate) the store at ``url`` (``sqlite:///PATH``, ``sqlite:///:memory:`` or
    ``postgresql://user:pass@host:port/db``, see docs/postgres.md).

    ``privacy`` is the config's ``[privacy]`` table (retention, encryption key file, opt-out
    secret); ``keyring`` explicit encryption keys.  Without them the store uses what it
    remembers and finds its key itself (``WEBLEADS_STORE_KEY``, ``WEBLEADS_STORE_KEY_FILE``,
    ``<store>.keys``); an encrypted store whose key is not found raises :class:`StoreError`.
    ``scoring`` the scoring settings (:class:`webleads_core.scoring.ScoringConfig` or a dict);
    without them the store's remembered settings apply.
    """
    if url.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore  # needs the extra: webleads-core[postgres]

        return PostgresStore(url, privacy=privacy, keyring=keyring, scoring=scoring)
    return SQLiteStore(url, privacy=privacy, keyring=keyring, scoring=scoring)


__all__ = ["SQLiteStore", "open_store"]
