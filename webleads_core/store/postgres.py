"""The store on PostgreSQL: many writers (processes, machines, owners) on one database.

Same schema and behaviour as the SQLite store, because it *is* the SQLite store's code
(:class:`PostgresStore` subclasses :class:`~webleads_core.store.sqlite.SQLiteStore`)
talking to PostgreSQL through :mod:`webleads_core.store.pg_dialect`; the tables come from
:mod:`webleads_core.store.pg_schema`, one migration per SQLite migration.

What differs, and why:

- **Concurrent writers.**  SQLite has one writer at a time; here batches are written in
  parallel and identity resolution stays correct: a batch's transaction first takes the
  store's lock *shared* and an exclusive advisory lock on every identifier (email, mobile,
  name at company domain) of the batch, in one sorted order, then locks (``FOR UPDATE``)
  every contact those identifiers point to, again sorted, and re-reads until the set is
  stable.  So two writers that see the same new person serialise on its identifiers (one
  creates the contact, the other finds it), a merge cannot move a contact from under a
  writer that holds it, and writers about different people do not wait for each other.
  Erasure, encryption, change events, the outbox and the audit chain take the store lock
  exclusively, as SQLite's ``BEGIN IMMEDIATE`` would.  A deadlock PostgreSQL breaks is
  retried (the whole batch, in a new transaction).
- **Keys live outside the database**, as with SQLite, in a key directory
  (``key_dir``, else ``WEBLEADS_PG_KEY_DIR``, else ``~/.config/webleads/postgres``):
  ``pg-HOST-PORT-DB.key`` (opt-out and audit-anchor secret) and ``pg-HOST-PORT-DB.keys``
  (the encryption keyring).  :attr:`path` is that *key stem*, not a database file.  Every
  writer of one database must share them (the same files, or ``WEBLEADS_SECRET`` and
  ``WEBLEADS_STORE_KEY``), or the audit anchor and blind indexes will not agree.
- **Erasure** deletes the rows, then ``VACUUM FULL`` rewrites the tables that held personal
  data, so no erased byte stays in the database's table or index files.  PostgreSQL's
  write-ahead log keeps them until its segments are recycled (and backups keep what they
  hold): encrypt the store when that matters.
- The URL's password never appears in ``repr``, errors or the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import re
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import unquote, urlsplit

from ..errors import StoreError
from ..privacy.crypto import Keyring
from ..records import Evidence, SkippedItem
from ..scoring import ScoringConfig
from . import pg_schema, resolve
from .pg_dialect import STORE_LOCK, PgConnection, require_psycopg
from .sqlite import SQLiteStore, _group_suppressed

__all__ = ["PostgresStore", "default_key_dir"]

#: Tables that hold personal data or point at it: rewritten after an erasure.
_PERSONAL_TABLES = ("evidence", "identifiers", "pins", "restrictions", "events", "outbox", "webhook_state",
                    "dirty", "contacts")
_RETRIES = 8


def default_key_dir() -> Path:
    env = os.environ.get("WEBLEADS_PG_KEY_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "webleads" / "postgres"


def _lock_key(kind: str, value: str) -> int:
    """A signed 64-bit advisory lock key for one identifier."""
    h = hashlib.blake2b(f"{kind}\0{value}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(h, "big", signed=True)


class PostgresStore(SQLiteStore):
    """The store in a PostgreSQL database.

    Args:
        url: ``postgresql://user:password@host:port/database`` (libpq's URL: ``?sslmode=...``
            and the ``PG*`` environment variables work as usual).
        key_dir: where the store's key files live (see the module docstring).
        connect_timeout: seconds to wait for the server.
        privacy, keyring, clock, discover_key, scoring: as :class:`SQLiteStore`.
    """

    def __init__(self, url: str, *, privacy: Any = None, keyring: Keyring | None = None,
                 clock: Callable[[], dt.datetime] | None = None, discover_key: bool = True,
                 scoring: ScoringConfig | Mapping[str, Any] | None = None, key_dir: Path | str | None = None,
                 connect_timeout: float = 10) -> None:
        require_psycopg()
        import psycopg

        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres"):
            raise StoreError(f"not a postgresql URL: {parts.scheme or url.split(':', 1)[0]!r}")
        self._password = unquote(parts.password) if parts.password else None
        database = parts.path.lstrip("/") or os.environ.get("PGDATABASE", "") or (parts.username or "")
        self.location = f"{parts.hostname or 'localhost'}:{parts.port or 5432}/{database}"
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"pg-{parts.hostname or 'localhost'}-{parts.port or 5432}-{database}")
        self.key_dir = Path(key_dir) if key_dir is not None else default_key_dir()
        # mirrors SQLiteStore.__init__ (tests/test_store_backends.py checks the two agree)
        self.path = self.key_dir / stem
        self._clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self._privacy = privacy
        self._secret_file: Path | None = getattr(privacy, "secret_file", None)
        self._audit = None
        self._audit_keyed = False
        self._mem_key: bytes | None = None
        self._supp = None
        self.cipher = None
        self._closed = False
        self._batch_map: dict[tuple[str, str], int | None] | None = None
        self._ids: list[int] = []
        try:
            raw = psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(connect_timeout)),
                                  application_name="webleads")
        except psycopg.Error as exc:
            self._closed = True
            raise StoreError(f"cannot open store {self.location}: {self._scrub(exc)}") from None
        try:
            pg_schema.migrate(raw)
            self.conn = PgConnection(raw)  # type: ignore[assignment]
            self.conn.write_behind = ("contacts", "identifiers", "evidence")
            self.key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._setup_encryption(keyring, discover_key)
            self._backfill_lookups()
            self.retention = self._setup_retention()
            self.scoring = self._setup_scoring(scoring)
        except psycopg.Error as exc:
            raw.close()
            self._closed = True
            raise StoreError(f"cannot open store {self.location}: {self._scrub(exc)}") from None
        except BaseException:
            raw.close()
            self._closed = True
            raise

    def _scrub(self, exc: BaseException) -> str:
        """The first line of a driver error, without the password."""
        text = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        if self._password:
            text = text.replace(self._password, "***")
        return text

    def __repr__(self) -> str:
        return f"PostgresStore({self.location!r}, encrypted={self.encrypted})"

    def _where(self) -> str:
        return f"postgresql://{self.location}"

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.conn.close()

    def __enter__(self) -> PostgresStore:
        return self

    def compact(self) -> None:
        """Rewrite the tables that held erased rows (``VACUUM FULL``): no erased byte stays
        in their files.  Takes each table's exclusive lock for the time of the rewrite."""
        self.conn.raw.execute("VACUUM (FULL) " + ", ".join(_PERSONAL_TABLES))

    # -- writing: identity resolution under concurrent writers --------------------------------

    def _batch_identifiers(self, evidence: Sequence[Evidence]) -> list[tuple[str, str]]:
        """The identifiers the batch will resolve (groups about opted-out people are left out,
        as :meth:`SQLiteStore.commit_batch` leaves them out)."""
        groups: dict[str, list[Evidence]] = defaultdict(list)
        for ev in evidence:
            groups[ev.subject].append(ev)
        suppressor = self.suppressor()
        out = {(k, self._ident_value(k, v)) for g in groups.values()
               if suppressor is None or not _group_suppressed(g, suppressor) for k, v in resolve.identifiers(g)}
        return sorted(out)

    def _lock_batch(self, idents: list[tuple[str, str]]) -> None:
        """Run right after the batch's BEGIN: the shared store lock, then the identifiers'
        locks, then the contacts they point to (each in one sorted order)."""
        raw = self.conn.raw
        raw.execute("SELECT pg_advisory_xact_lock_shared(%s)", (STORE_LOCK,))
        if not idents:
            return
        keys = sorted({_lock_key(k, v) for k, v in idents})
        raw.execute("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k", (keys,))
        kinds = [k for k, _ in idents]
        values = [v for _, v in idents]
        held: set[int] = set()
        for _ in range(50):
            mapping = {(k, v): cid for k, v, cid in raw.execute(
                "SELECT i.kind, i.value, i.contact_id FROM identifiers i "
                "JOIN unnest(%s::text[], %s::text[]) AS w(kind, value) ON i.kind = w.kind AND i.value = w.value",
                (kinds, values))}
            found = set(mapping.values())
            if found <= held:
                # stable, and no one else can change it before we commit: resolve from memory;
                # the contacts found are the ones this batch observes again (or merges away)
                self._batch_map = {i: mapping.get(i) for i in idents}
                if found:
                    raw.execute("UPDATE contacts SET updated_at = %s WHERE id = ANY(%s::bigint[])",
                                (self._clock().isoformat(), sorted(found)))
                return
            new = sorted(found - held)
            raw.execute("SELECT id FROM contacts WHERE id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE", (new,))
            held |= set(new)
        raise StoreError("identity resolution did not settle (contacts kept moving under concurrent merges)")

    def _resolve(self, group: list[Evidence], now: str) -> int | None:
        """:meth:`SQLiteStore._resolve` with the batch's identifiers read once, under their
        locks (:meth:`_lock_batch`), instead of one query per identifier; outside a batch,
        the SQLite code as it is.  tests/test_store_backends.py checks both give the same store."""
        known = self._batch_map
        if known is None:
            return super()._resolve(group, now)
        ids = [(k, self._ident_value(k, v)) for k, v in resolve.identifiers(group)]
        if not ids:
            return None
        c = self.conn
        found = {known[i] for i in ids if known.get(i) is not None}
        if not found:
            cid = self._next_contact_id()
            c.executemany("INSERT OR IGNORE INTO contacts (id, created_at, updated_at) VALUES (?,?,?)",
                          [(cid, now, now)])  # written behind, before the rows that point at it
        else:
            cid = min(found)  # its updated_at was set when the batch took its locks
            for other in sorted(found - {cid}):  # the observation links two contacts: merge
                self._merge_into(cid, other)
                for key, value in known.items():
                    if value == other:
                        known[key] = cid
        c.executemany("INSERT OR IGNORE INTO identifiers VALUES (?,?,?)", [(k, v, cid) for k, v in ids])
        for i in ids:  # new ones are ours now; known ones were merged into cid above
            known[i] = cid
        return cid

    def _next_contact_id(self) -> int:
        """A new contact id from the identity sequence (taken 64 at a time: one round trip)."""
        if not self._ids:
            self._ids = [r[0] for r in self.conn.raw.execute(
                "SELECT nextval(pg_get_serial_sequence('contacts', 'id')) FROM generate_series(1, 64)")]
            self._ids.reverse()
        return self._ids.pop()

    def commit_batch(self, evidence: Sequence[Evidence], *, seen: Iterable[tuple[str, str]] = (),
                     skipped: Iterable[SkippedItem] = (),
                     cursor: tuple[str, Mapping[str, Any]] | None = None) -> set[int]:
        """As :meth:`SQLiteStore.commit_batch`, safe with many concurrent writers (see the
        module docstring); a batch PostgreSQL aborts to break a deadlock is written again."""
        import psycopg.errors as pge

        evidence, seen, skipped = list(evidence), list(seen), list(skipped)
        idents = self._batch_identifiers(evidence)
        clock = self._clock
        for attempt in range(_RETRIES):
            self.conn.on_begin = lambda: self._lock_batch(idents)
            at = clock()
            self._clock = lambda: at  # one time for the whole batch, as SQLite's code reads it once
            try:
                return super().commit_batch(evidence, seen=seen, skipped=skipped, cursor=cursor)
            except (pge.DeadlockDetected, pge.SerializationFailure):
                if attempt == _RETRIES - 1:
                    raise StoreError("a batch kept colliding with concurrent writers; giving up") from None
                time.sleep(random.uniform(0.005, 0.05) * (attempt + 1))
            finally:
                self._clock = clock
                self.conn.on_begin = None
                self._batch_map = None
        raise AssertionError("unreachable")
