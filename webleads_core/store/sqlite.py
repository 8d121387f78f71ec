"""The embedded default store: one SQLite file.

Writes happen in one transaction per batch (evidence, identifiers, seen items and
the checkpoint that follows them), so a crash leaves either all of a batch or none
of it.  Evidence ids are digests of their provenance and value: processing the same
item twice changes nothing.

Privacy in the store (issue 9):

- *before storing*, every batch is checked once more against the opt-out list (the
  engine's privacy stage already did; this is the last gate before the disk);
- with a key (see :mod:`webleads_core.privacy.crypto`) the personal columns are
  AES-GCM ciphertext and every lookup goes through blind indexes; a store opened
  without its key stops with a :class:`StoreError` that says so;
- contacts past their retention date or under restriction are never returned by
  :meth:`SQLiteStore.contacts` (so never published or exported) unless asked for
  explicitly (a subject's access request);
- erasure deletes every row of a contact and rewrites the file (``secure_delete``,
  ``VACUUM``, WAL truncated), so no byte of it stays on disk;
- the audit log is hash-chained and anchored (:mod:`webleads_core.privacy.audit`).

Scoring (issue 8): contacts are judged when they are read (:mod:`webleads_core.scoring`):
every read replays the contact's evidence, so a change of the scoring settings applies to
everything at once and no derived value can drift from its evidence.  A batch only marks
the contacts it touched as *dirty*; :meth:`SQLiteStore.refresh_changes` replays those and
stores their change events once (stable ids), encrypted like evidence, erased with them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from ..errors import ConfigError, StoreError
from ..privacy.audit import AuditLog, AuditReport
from ..privacy.crypto import FieldCipher, Keyring, default_key_file, discover_keyring, generate_keyring, write_keyring
from ..privacy.retention import Retention
from ..privacy.suppress import Suppressor, identifier_forms, load_key, load_or_create_key
from ..records import Contact, Evidence, SkippedItem
from ..scoring import ChangeEvent, ScoringConfig, detect, evaluate, observations, relationships
from ..scoring.timeline import FieldState, Obs
from . import materialize, resolve
from .schema import migrate

_EVIDENCE_COLS = ("field, value, subtype, kind, role, source, item_id, owner, extractor, "
                  "method, observed_at, confidence")
_INSERT_EVIDENCE = (
    "INSERT OR IGNORE INTO evidence (id, contact_id, field, value, subtype, kind, role, source, item_id, "
    "owner, extractor, extractor_version, method, span_start, span_end, observed_at, confidence, lookup, "
    "lookup_form, lookup_domain) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
_CHECK = "webleads"
_INDEX_CHECK = "webleads-index-check"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


def _parse_time(value: str) -> dt.datetime:
    t = dt.datetime.fromisoformat(value)
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def item_digest(source: str, item_id: str) -> str:
    return hashlib.sha256(f"{source}\0{item_id}".encode("utf-8", "surrogatepass")).hexdigest()[:32]


def evidence_id(ev: Evidence) -> str:
    key = "\0".join((ev.source, ev.item_id, ev.subject, ev.field, ev.value, ev.subtype or "",
                     ev.extractor))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@lru_cache(maxsize=1 << 16)  # pure, and the same addresses recur across batches
def lookup_forms(field: str, value: str) -> tuple[str | None, str | None, str | None]:
    """The (exact, canonical, domain) lookup forms of an email or phone value."""
    if field == "email":
        forms = identifier_forms(value)
        domain = value.rpartition("@")[2]
        canon = forms[0] if forms else None
        return f"email:{value}", canon, ("domain:" + canon.rpartition("@")[2]) if canon else f"domain:{domain}"
    if field == "phone":
        return f"phone:{value}", f"phone:{value}", None
    return None, None, None


class _Batch:
    """Identity resolution of one batch, in memory: what the store's ``identifiers`` table
    would answer at each step of resolving the batch group by group, read with one query
    per identifier kind for the whole batch instead of one per identifier.  New contacts,
    new identifiers and updated times are written when the batch is done, or before a merge
    (a merge moves stored rows, so everything pending is stored first).

    Contact ids are given as SQLite gives them (the largest id in the table plus one), so
    the store is the same as when each contact was inserted on its own.

    Attributes:
        groups: the batch's evidence groups (one per subject) still to resolve.
        ids: identifiers of each group (by ``id()`` of its list).
        known: ``(kind, value) -> contact id``, or None when not in the store yet.
        merged: ``absorbed contact id -> the contact it was merged into``.
    """

    def __init__(self, groups: list[list[Evidence]]) -> None:
        self.groups = groups
        self.ids: dict[int, list[tuple[str, str]]] | None = None
        self.known: dict[tuple[str, str], int | None] = {}
        self.merged: dict[int, int] = {}
        self.new_contacts: list[int] = []
        self.new_ids: list[tuple[str, str]] = []
        self.updated: set[int] = set()
        self.next_id: int | None = None
        self.now = ""

    def _prefetch(self, store: SQLiteStore) -> dict[int, list[tuple[str, str]]]:
        ids = {id(g): [(k, store._ident_value(k, v)) for k, v in resolve.identifiers(g)] for g in self.groups}
        by_kind: dict[str, set[str]] = defaultdict(set)
        for group_ids in ids.values():
            for k, v in group_ids:
                by_kind[k].add(v)
        for kind, values in by_kind.items():
            ordered = sorted(values)
            for start in range(0, len(ordered), 500):
                chunk = ordered[start:start + 500]
                for v, cid in store.conn.execute(
                        f"SELECT value, contact_id FROM identifiers WHERE kind=? AND value IN "
                        f"({','.join('?' * len(chunk))})", (kind, *chunk)):
                    self.known[(kind, v)] = cid
        return ids

    def resolve(self, store: SQLiteStore, group: list[Evidence], now: str) -> int | None:
        if self.ids is None:
            self.ids = self._prefetch(store)
        ids = self.ids.get(id(group))
        if ids is None:  # not a group of this batch: resolve it on its own
            ids = [(k, store._ident_value(k, v)) for k, v in resolve.identifiers(group)]
        if not ids:
            return None
        self.now = now
        known = self.known
        found = {cid for cid in (known.get(i) for i in ids) if cid is not None}
        if not found:
            if self.next_id is None:
                self.next_id = store.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM contacts").fetchone()[0]
            cid = self.next_id
            self.next_id += 1
            self.new_contacts.append(cid)
        else:
            cid = min(found)
            for other in sorted(found - {cid}):  # the observation links two contacts: merge
                self.flush(store)
                store._merge_into(cid, other)
                self.next_id = None  # the largest id may be gone: ask the table again
                for key, value in known.items():
                    if value == other:
                        known[key] = cid
            self.updated.add(cid)
        for i in ids:  # INSERT OR IGNORE: an identifier keeps the contact that had it first
            if known.get(i) is None:
                known[i] = cid
                self.new_ids.append(i)
        return cid

    def final(self, cid: int) -> int:
        """The contact a resolved id ended up in after the batch's merges."""
        while cid in self.merged:
            cid = self.merged[cid]
        return cid

    def flush(self, store: SQLiteStore) -> None:
        """Write what is pending: new contacts, then the identifiers that point at them."""
        c = store.conn
        if self.new_contacts:
            c.executemany("INSERT INTO contacts (id, created_at, updated_at) VALUES (?,?,?)",
                          [(cid, self.now, self.now) for cid in self.new_contacts])
            self.new_contacts = []
        if self.new_ids:
            c.executemany("INSERT OR IGNORE INTO identifiers VALUES (?,?,?)",
                          [(k, v, self.known[(k, v)]) for k, v in self.new_ids])
            self.new_ids = []
        if self.updated:
            c.executemany("UPDATE contacts SET updated_at=? WHERE id=?",
                          [(self.now, cid) for cid in sorted(self.updated)])
            self.updated = set()


class SQLiteStore:
    """Contacts, evidence with provenance, identity resolution, sync state, runs, audit,
    subject requests, retention and (with a key) encryption at rest.

    Args:
        url: ``sqlite:///PATH`` or ``sqlite:///:memory:``.
        privacy: the config's ``[privacy]`` table (:class:`webleads_core.config.PrivacyConfig`):
            retention, key file, opt-out secret; remembered in the store and audited when it changes.
        keyring: explicit encryption keys (else discovered: see :mod:`webleads_core.privacy.crypto`).
        clock: the store's clock (tests); aware UTC datetimes.
        discover_key: look for a keyring when none is given (``webleads privacy encrypt``
            opens a plain store without looking).
        scoring: the scoring settings (:class:`ScoringConfig` or a dict); remembered in the
            store and audited when they change.  Without them the remembered ones apply.
    """

    #: identity resolution of the batch being committed (a class default: subclasses that
    #: set up their own connection inherit it)
    _batch: _Batch | None = None

    def __init__(self, url: str = "sqlite:///:memory:", *, privacy: Any = None, keyring: Keyring | None = None,
                 clock: Callable[[], dt.datetime] | None = None, discover_key: bool = True,
                 scoring: ScoringConfig | Mapping[str, Any] | None = None) -> None:
        if not url.startswith("sqlite:///"):
            raise StoreError(f"not a sqlite URL: {url.split(':', 1)[0]!r}")
        path = url[len("sqlite:///"):] or ":memory:"
        self.path = None if path == ":memory:" else Path(path)
        self._clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self._privacy = privacy
        self._secret_file: Path | None = getattr(privacy, "secret_file", None)
        self._audit: AuditLog | None = None
        self._audit_keyed = False
        self._mem_key: bytes | None = None
        self._supp: tuple[int, Suppressor] | None = None
        self.cipher: FieldCipher | None = None
        self._closed = False
        try:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fresh = not self.path.exists()
                self.conn = sqlite3.connect(self.path, isolation_level=None)
                if fresh:
                    os.chmod(self.path, 0o600)
            else:
                self.conn = sqlite3.connect(":memory:", isolation_level=None)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open store {path}: {exc}") from None
        try:
            self.conn.execute("PRAGMA journal_mode=WAL" if self.path else "PRAGMA journal_mode=MEMORY")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA secure_delete=ON")  # erased rows are zeroed on disk
            self.conn.execute("PRAGMA temp_store=MEMORY")  # no personal data in temp files
            migrate(self.conn)
            self._setup_encryption(keyring, discover_key)
            self._backfill_lookups()
            self.retention = self._setup_retention()
            self.scoring = self._setup_scoring(scoring)
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise StoreError(f"cannot open store {path}: {exc}") from None
        except BaseException:
            self.conn.close()
            raise

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path) if self.path else ':memory:'!r}, encrypted={self.encrypted})"

    @property
    def key_path(self) -> Path | None:
        """Where the opt-out HMAC key lives: next to the store, never inside it."""
        return self.path.with_name(self.path.name + ".key") if self.path else None

    @property
    def store_key_path(self) -> Path | None:
        """The default keyring file of an encrypted store (``<store>.keys``)."""
        return default_key_file(self.path) if self.path else None

    @property
    def encrypted(self) -> bool:
        return self.cipher is not None

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if self.path is not None:
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self.conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def now(self) -> dt.datetime:
        """The store's clock (aware UTC)."""
        return self._clock()

    # -- settings -------------------------------------------------------------------------

    def meta_get(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def meta_set(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def _where(self) -> str:
        return str(self.path) if self.path else ":memory:"

    def _setup_encryption(self, keyring: Keyring | None, discover: bool) -> None:
        key_file = getattr(self._privacy, "key_file", None)
        want = bool(getattr(self._privacy, "encrypt", False)) and discover
        if keyring is None and self.path is not None and discover:
            keyring = discover_keyring(self.path, key_file)
        if self.meta_get("crypto.format") is not None:
            if keyring is None:
                raise StoreError(
                    f"store {self._where()} is encrypted and its key was not found: set WEBLEADS_STORE_KEY "
                    f"or WEBLEADS_STORE_KEY_FILE, set [privacy] key_file, or restore {self.store_key_path}")
            self.cipher = FieldCipher(keyring)
            self._check_key()
            return
        if keyring is None and not want:
            return
        if self._holds_personal_data():
            raise StoreError(f"store {self._where()} is not encrypted but a store key is configured: "
                             "run `webleads privacy encrypt` to encrypt it")
        if keyring is None:  # [privacy] encrypt = true and no key yet: make one
            keyring = generate_keyring()
            if self.path is not None:
                dest = key_file or self.store_key_path
                if dest.exists():
                    raise StoreError(f"{dest} exists but does not open this store")
                write_keyring(dest, keyring)
        self._start_encryption(FieldCipher(keyring))

    def _holds_personal_data(self) -> bool:
        return any(self.conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()
                   for t in ("evidence", "identifiers", "pins"))

    def _start_encryption(self, cipher: FieldCipher) -> None:
        self.meta_set("crypto.format", "aes-256-gcm/1")
        self.meta_set("crypto.index_check", cipher.index(_INDEX_CHECK))
        self.meta_set("crypto.check", cipher.encrypt(_CHECK, "meta.check").hex())
        self.meta_set("crypto.data_key_version", str(cipher.current_version))
        self.cipher = cipher

    def _check_key(self) -> None:
        assert self.cipher is not None
        if self.meta_get("crypto.index_check") != self.cipher.index(_INDEX_CHECK):
            raise StoreError(f"the store key does not open store {self._where()} (wrong key)")
        blob = bytes.fromhex(self.meta_get("crypto.check") or "")
        if self.cipher.decrypt(blob, "meta.check") != _CHECK:
            raise StoreError(f"the store key does not open store {self._where()} (wrong key)")

    def _setup_retention(self) -> Retention:
        stored = self.meta_get("retention")
        current = Retention(**json.loads(stored)) if stored else Retention()
        if self._privacy is None or not hasattr(self._privacy, "retention_days"):
            return current
        wanted = Retention(ttl_days=self._privacy.retention_days, max_days=self._privacy.max_retention_days)
        if stored is None or wanted != current:
            self.meta_set("retention", json.dumps(wanted.as_dict(), sort_keys=True))
            self.audit("config.change", {"retention": wanted.as_dict(),
                                         "previous": current.as_dict() if stored else None})
        return wanted

    def _setup_scoring(self, wanted: ScoringConfig | Mapping[str, Any] | None) -> ScoringConfig:
        stored = self.meta_get("scoring")
        current = ScoringConfig.from_dict(json.loads(stored)) if stored else ScoringConfig()
        if wanted is None:
            return current
        if not isinstance(wanted, ScoringConfig):
            wanted = ScoringConfig.from_dict(wanted)
        if stored is None or wanted != current:
            self.set_scoring(wanted)
        return wanted

    def set_scoring(self, cfg: ScoringConfig) -> None:
        """Change the scoring settings: remembered, audited, and every contact's change
        events are replayed under the new rules (events already stored stay)."""
        previous = self.meta_get("scoring")
        self.meta_set("scoring", json.dumps(cfg.as_dict(), sort_keys=True))
        self.conn.execute("INSERT OR IGNORE INTO dirty SELECT id FROM contacts")
        self.scoring = cfg
        self.audit("config.change", {"scoring": cfg.as_dict(),
                                     "previous": json.loads(previous) if previous else None})

    def record_config(self, summary: Mapping[str, Any]) -> bool:
        """Remember a (non-personal) summary of the privacy settings; audit it when it
        changed since the last time.  Returns whether it changed."""
        body = json.dumps(dict(summary), sort_keys=True, default=str)
        if self.meta_get("privacy.config") == body:
            return False
        self.meta_set("privacy.config", body)
        self.audit("config.change", {"privacy": hashlib.sha256(body.encode()).hexdigest()[:16],
                                     **{k: v for k, v in summary.items() if isinstance(v, (int, bool))}})
        return True

    # -- values: plain or encrypted -------------------------------------------------------------

    def _ix(self, form: str | None) -> str | None:
        if form is None:
            return None
        return self.cipher.index(form) if self.cipher else form

    def _enc(self, value: str | None, aad: str) -> Any:
        if value is None or self.cipher is None:
            return value
        return self.cipher.encrypt(value, aad)

    def _dec(self, value: Any, aad: str) -> str | None:
        if value is None or self.cipher is None:
            return value
        return self.cipher.decrypt(value, aad)

    def _ident_value(self, kind: str, value: str) -> str:
        return self.cipher.index(f"{kind}:{value}") if self.cipher else value

    def _eid(self, ev: Evidence) -> str:
        plain = evidence_id(ev)
        return self.cipher.digest(plain) if self.cipher else plain

    def _backfill_lookups(self) -> None:
        """Fill the lookup columns of evidence written before migration 2 (plain stores)."""
        if self.cipher is not None or self.meta_get("lookups") == "filled":
            return
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            rows = c.execute("SELECT id, field, value FROM evidence WHERE lookup IS NULL "
                             "AND field IN ('email', 'phone')").fetchall()
            c.executemany("UPDATE evidence SET lookup=?, lookup_form=?, lookup_domain=? WHERE id=?",
                          [(*lookup_forms(f, v), i) for i, f, v in rows])
            self.meta_set("lookups", "filled")  # once: later rows are written with their lookups
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    # -- items and sync state ------------------------------------------------------

    def is_seen(self, source: str, item_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM items WHERE source=? AND digest=?",
                                (source, item_digest(source, item_id))).fetchone()
        return row is not None

    def has_items(self, source: str) -> bool:
        """Whether any item of ``source`` is stored as seen (what :meth:`is_seen` reads)."""
        return self.conn.execute("SELECT 1 FROM items WHERE source=? LIMIT 1", (source,)).fetchone() is not None

    def get_cursor(self, source: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT cursor FROM sync_state WHERE source=?", (source,)).fetchone()
        return json.loads(row[0]) if row else None

    def clear_cursor(self, source: str) -> None:
        self.conn.execute("DELETE FROM sync_state WHERE source=?", (source,))

    # -- writing -------------------------------------------------------------------

    def commit_batch(
        self,
        evidence: Sequence[Evidence],
        *,
        seen: Iterable[tuple[str, str]] = (),
        skipped: Iterable[SkippedItem] = (),
        cursor: tuple[str, Mapping[str, Any]] | None = None,
    ) -> set[int]:
        """Store a batch in one transaction; returns the contact ids it touched.

        ``seen`` are ``(source, item_id)`` pairs processed in the batch; ``cursor`` is
        the checkpoint that follows the batch, committed with it and never before.
        Evidence about an opted-out person is dropped here too (the last gate).

        Identity resolution reads the batch's known identifiers in one query and keeps
        them in memory while it resolves group after group; the batch's rows are then
        written with one statement per table (this process is the only writer, and with
        worker processes its time per item bounds the whole run's speed).
        """
        now = self._clock().isoformat()
        touched: set[int] = set()
        suppressor = self.suppressor()
        c = self.conn
        groups: dict[str, list[Evidence]] = defaultdict(list)
        for ev in evidence:
            groups[ev.subject].append(ev)
        kept = [g for g in groups.values() if suppressor is None or not _group_suppressed(g, suppressor)]
        try:
            c.execute("BEGIN IMMEDIATE")
            self._batch = _Batch(kept)
            resolved: list[tuple[int, list[Evidence]]] = []
            for group in kept:
                cid = self._resolve(group, now)
                if cid is None:
                    continue
                touched.add(cid)
                if self._batch.ids is None:  # a subclass resolved it its own way: store it as it goes
                    c.executemany(_INSERT_EVIDENCE, [self._evidence_row(e, cid) for e in group])
                else:
                    resolved.append((cid, group))
            batch, self._batch = self._batch, None
            batch.flush(self)
            c.executemany(_INSERT_EVIDENCE, [self._evidence_row(e, batch.final(cid))
                                             for cid, group in resolved for e in group])
            # contacts merged away later in the batch are gone: their survivors are dirty
            c.executemany("INSERT OR IGNORE INTO dirty VALUES (?)",
                          [(t,) for t in sorted({batch.final(t) for t in touched})])
            c.executemany("INSERT OR IGNORE INTO items VALUES (?,?,?)",
                          [(s, item_digest(s, i), now) for s, i in seen])
            c.executemany("INSERT OR REPLACE INTO quarantine VALUES (?,?,?,?,?)",
                          [(k.source, item_digest(k.source, k.item_id), k.stage, k.reason, now)
                           for k in skipped])
            if cursor is not None:
                c.execute("INSERT OR REPLACE INTO sync_state VALUES (?,?,?)",
                          (cursor[0], json.dumps(dict(cursor[1]), sort_keys=True), now))
            c.execute("COMMIT")
        except BaseException:
            self._batch = None
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise
        return touched

    def _evidence_row(self, e: Evidence, cid: int) -> tuple:
        eid = self._eid(e)
        exact, form, domain = lookup_forms(e.field, e.value)
        return (eid, cid, e.field, self._enc(e.value, f"evidence.value|{eid}"), e.subtype, e.kind, e.role,
                e.source, self._enc(e.item_id, f"evidence.item_id|{eid}"),
                self._enc(e.owner, f"evidence.owner|{eid}"), e.extractor, e.extractor_version, e.method,
                e.span[0] if e.span else None, e.span[1] if e.span else None,
                e.observed_at.isoformat(), e.confidence, self._ix(exact), self._ix(form), self._ix(domain))

    def _resolve(self, group: list[Evidence], now: str) -> int | None:
        if self._batch is not None:
            return self._batch.resolve(self, group, now)
        ids = [(k, self._ident_value(k, v)) for k, v in resolve.identifiers(group)]
        if not ids:
            return None
        c = self.conn
        found: set[int] = set()
        for kind, value in ids:
            row = c.execute("SELECT contact_id FROM identifiers WHERE kind=? AND value=?",
                            (kind, value)).fetchone()
            if row:
                found.add(row[0])
        if not found:
            cid = c.execute("INSERT INTO contacts (created_at, updated_at) VALUES (?,?)",
                            (now, now)).lastrowid
        else:
            cid = min(found)
            for other in sorted(found - {cid}):  # the observation links two contacts: merge
                self._merge_into(cid, other)
            c.execute("UPDATE contacts SET updated_at=? WHERE id=?", (now, cid))
        c.executemany("INSERT OR IGNORE INTO identifiers VALUES (?,?,?)",
                      [(k, v, cid) for k, v in ids])
        return cid

    def _merge_into(self, cid: int, other: int) -> None:
        batch = self._batch
        if batch is not None:  # rows of the batch not written yet follow the merge when they are
            batch.merged[other] = cid
        c = self.conn
        c.execute("UPDATE evidence SET contact_id=? WHERE contact_id=?", (cid, other))
        c.execute("UPDATE identifiers SET contact_id=? WHERE contact_id=?", (cid, other))
        # the first collection of a merged contact is the older one: merging never renews retention
        c.execute("UPDATE contacts SET created_at=min(created_at, (SELECT created_at FROM contacts "
                  "WHERE id=?)) WHERE id=?", (other, cid))
        c.execute("UPDATE OR IGNORE pins SET contact_id=? WHERE contact_id=?", (cid, other))
        c.execute("DELETE FROM pins WHERE contact_id=?", (other,))
        c.execute("INSERT OR IGNORE INTO restrictions (contact_id, request_id, since) "
                  "SELECT ?, request_id, since FROM restrictions WHERE contact_id=?", (cid, other))
        c.execute("DELETE FROM restrictions WHERE contact_id=?", (other,))
        # change events and queued deliveries follow the person; the merged contact is replayed
        for table in ("events", "outbox"):
            c.execute(f"UPDATE {table} SET contact_id=? WHERE contact_id=?", (cid, other))
        c.execute("DELETE FROM webhook_state WHERE contact_id=?", (other,))
        c.execute("DELETE FROM dirty WHERE contact_id=?", (other,))
        c.execute("INSERT OR IGNORE INTO dirty VALUES (?)", (cid,))
        c.execute("DELETE FROM contacts WHERE id=?", (other,))

    # -- reading -------------------------------------------------------------------

    def contact_ids(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM contacts ORDER BY id")]

    def _evidence_rows(self, where: str = "", args: tuple = ()) -> Iterator[tuple]:
        sql = f"SELECT id, contact_id, {_EVIDENCE_COLS} FROM evidence {where} ORDER BY contact_id"
        for row in self.conn.execute(sql, args):
            eid = row[0]
            r = list(row[1:])
            if self.cipher is not None:
                r[2] = self._dec(r[2], f"evidence.value|{eid}")
                r[7] = self._dec(r[7], f"evidence.item_id|{eid}")
                r[8] = self._dec(r[8], f"evidence.owner|{eid}")
            yield tuple(r)

    def contacts(self, ids: Iterable[int] | None = None, *, include_hidden: bool = False,
                 view: str = "current", owner: str | None = None) -> Iterator[Contact]:
        """Current contacts, built from their evidence and the subjects' own corrections
        (in id order).  Contacts under restriction or past their retention date are left
        out unless ``include_hidden`` (a subject's access request).

        ``view``: ``current`` (what the store believes), ``network`` (only values that
        ``k`` independent owners or sources support; contacts with none are left out) or
        ``owner`` (``owner``'s own address book completed by the network; contacts the owner
        never saw are left out)."""
        if view not in ("current", "network", "owner") or (view == "owner") != bool(owner):
            raise ValueError("view is current, network, or owner with an owner")
        wanted = list(ids) if ids is not None else None
        if wanted is not None and not wanted:
            return
        where, args = "", ()
        if wanted is not None and len(wanted) < 900:
            where = f"WHERE contact_id IN ({','.join('?' * len(wanted))})"
            args = tuple(wanted)
        grouped = materialize.group_rows(self._evidence_rows(where, args))
        keep = set(wanted) if wanted is not None else None
        hidden = set() if include_hidden else self.hidden_ids()
        pins = self._pins(keep)
        for cid in sorted(grouped):
            if (keep is None or cid in keep) and cid not in hidden:
                rows = grouped[cid]
                if view == "owner" and not any((r[7] or "").lower() == owner.lower() for r in rows):  # type: ignore[union-attr]
                    continue
                contact = materialize.build_contact(cid, rows, self.scoring, view=view, owner=owner)
                if view == "network" and not (contact.name or contact.title or contact.company or contact.emails
                                              or contact.phones or contact.address or contact.websites):
                    continue
                yield materialize.apply_pins(contact, pins.get(cid, ()))

    def contact(self, contact_id: int) -> Contact | None:
        return next(self.contacts([contact_id]), None)

    # -- scoring, history and change events ---------------------------------------------------

    def _observations(self, contact_id: int) -> list[Obs]:
        return observations(r[1:] for r in self._evidence_rows("WHERE contact_id=?", (contact_id,)))

    def field_states(self, contact_id: int) -> dict[str, FieldState]:
        """Each field's current value, network value, support and history (the subject's own
        corrections are not applied here: see :meth:`pins_of`)."""
        return evaluate(self._observations(contact_id), self.scoring)

    def relationships(self, contact_id: int, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Each owner's tie to the contact, from message metadata only.  Recency is counted
        back from ``now``, by default the newest observation in the store (so an archive
        imported today is judged against its own time, not against today)."""
        if now is None:
            newest = self.conn.execute("SELECT max(observed_at) FROM evidence").fetchone()[0]
            now = _parse_time(newest) if newest else self._clock()
        return [r.as_dict() for r in relationships(self._observations(contact_id), now)]

    def _event_digest(self, text: str) -> str:
        plain = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return self.cipher.digest(plain) if self.cipher else plain

    def refresh_changes(self) -> int:
        """Replay the contacts touched since the last refresh and store their change events
        (each id once; a replay that moves an event's time updates it).  Returns how many
        events are new."""
        c = self.conn
        ids = [r[0] for r in c.execute("SELECT contact_id FROM dirty ORDER BY contact_id")]
        new = 0
        now = self._clock().isoformat()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            grouped = materialize.group_rows(self._evidence_rows(f"WHERE contact_id IN ({marks})", tuple(chunk)))
            pins = self._pins(set(chunk))
            c.execute("BEGIN IMMEDIATE")
            try:
                for cid in chunk:
                    rows = grouped.get(cid)
                    if not rows:
                        continue
                    obs = observations(rows)
                    events = detect(cid, evaluate(obs, self.scoring), self.scoring,
                                    signature_items=frozenset(o.item for o in obs if o.method == "signature"),
                                    pinned=frozenset(f for f, _ in pins.get(cid, ())),
                                    digest=self._event_digest)
                    for e in events:
                        body = json.dumps(e.payload(), sort_keys=True, ensure_ascii=False)
                        payload = self._enc(body, f"events.payload|{e.id}")
                        if c.execute("INSERT OR IGNORE INTO events (id, contact_id, kind, at, payload, created_at) "
                                     "VALUES (?,?,?,?,?,?)",
                                     (e.id, cid, e.kind, e.at.isoformat(), payload, now)).rowcount:
                            new += 1
                        else:
                            c.execute("UPDATE events SET at=?, payload=?, contact_id=? WHERE id=?",
                                      (e.at.isoformat(), payload, cid, e.id))
                c.execute(f"DELETE FROM dirty WHERE contact_id IN ({marks})", tuple(chunk))
                c.execute("COMMIT")
            except BaseException:
                if c.in_transaction:
                    c.execute("ROLLBACK")
                raise
        return new

    def changes(self, since: dt.datetime | None = None, ids: Iterable[int] | None = None, *,
                include_hidden: bool = False, refresh: bool = True) -> list[ChangeEvent]:
        """Change events (oldest first), after replaying dirty contacts.  Events of contacts
        under restriction or past retention are left out unless ``include_hidden``."""
        if refresh:
            self.refresh_changes()
        where, args = [], []
        if since is not None:
            where.append("at >= ?")
            args.append(since.isoformat())
        sql = "SELECT id, contact_id, payload FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        keep = set(ids) if ids is not None else None
        hidden = set() if include_hidden else self.hidden_ids()
        out = []
        for eid, cid, payload in self.conn.execute(sql + " ORDER BY at, id", args):
            if cid in hidden or (keep is not None and cid not in keep):
                continue
            d = json.loads(self._dec(payload, f"events.payload|{eid}") or "{}")
            out.append(ChangeEvent(id=eid, contact_id=cid, kind=d["kind"], at=_parse_time(d["at"]),
                                   before=d["before"], after=d["after"], support=d["support"],
                                   confidence=d["confidence"], evidence=tuple(d["evidence"])))
        return out

    # -- the webhook sink's outbox ------------------------------------------------------------

    def outbox_put(self, target: str, items: Iterable[tuple[str, str, int, str]]) -> int:
        """Queue ``(key, kind, contact_id, body)`` for ``target`` unless the key is queued
        already (idempotent).  Returns how many were new."""
        c = self.conn
        now = self._clock().isoformat()
        n = 0
        c.execute("BEGIN IMMEDIATE")
        try:
            for key, kind, cid, body in items:
                aad = f"outbox.payload|{target}|{key}"
                n += c.execute("INSERT OR IGNORE INTO outbox (target, key, kind, contact_id, payload, next_at, "
                               "created_at) VALUES (?,?,?,?,?,?,?)",
                               (target, key, kind, cid, self._enc(body, aad), now, now)).rowcount
            c.execute("COMMIT")
        except BaseException:
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise
        return n

    def outbox_pending(self, target: str, limit: int = 1000) -> list[dict[str, Any]]:
        """Pending deliveries of ``target``, oldest first."""
        rows = self.conn.execute(
            "SELECT id, key, kind, contact_id, payload, attempts, next_at FROM outbox "
            "WHERE target=? AND status='pending' ORDER BY id LIMIT ?", (target, limit)).fetchall()
        return [{"id": r[0], "key": r[1], "kind": r[2], "contact_id": r[3],
                 "body": self._dec(r[4], f"outbox.payload|{target}|{r[1]}"), "attempts": r[5],
                 "next_at": _parse_time(r[6])} for r in rows]

    def outbox_mark(self, row_id: int, *, status: str, attempts: int, next_at: dt.datetime | None = None,
                    error: str | None = None) -> None:
        now = self._clock()
        self.conn.execute("UPDATE outbox SET status=?, attempts=?, next_at=?, last_error=?, delivered_at=? "
                          "WHERE id=?", (status, attempts, (next_at or now).isoformat(), error,
                                         now.isoformat() if status == "delivered" else None, row_id))

    def outbox_counts(self, target: str | None = None) -> dict[str, int]:
        sql = "SELECT status, count(*) FROM outbox" + (" WHERE target=?" if target else "") + " GROUP BY status"
        return dict(self.conn.execute(sql, (target,) if target else ()).fetchall())

    def webhook_digest(self, target: str, contact_id: int) -> str | None:
        row = self.conn.execute("SELECT digest FROM webhook_state WHERE target=? AND contact_id=?",
                                (target, contact_id)).fetchone()
        return row[0] if row else None

    def set_webhook_digest(self, target: str, contact_id: int, digest: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO webhook_state VALUES (?,?,?)", (target, contact_id, digest))

    def find(self, identifier: str) -> list[int]:
        """Contact ids matching an email, a phone (E.164) or a contact id."""
        ident = identifier.strip()
        if ident.isdigit() and self.conn.execute("SELECT 1 FROM contacts WHERE id=?",
                                                 (int(ident),)).fetchone():
            return [int(ident)]
        rows = self.conn.execute("SELECT DISTINCT contact_id FROM evidence WHERE lookup IN (?, ?)",
                                 (self._ix(f"email:{ident.lower()}"), self._ix(f"phone:{ident}"))).fetchall()
        return sorted(r[0] for r in rows)

    def match(self, identifier: str) -> list[int]:
        """Contact ids a subject's identifier designates: an email in any case, IDNA or
        plus-tag variant, a phone number in any format, or every address of an ``@domain``."""
        ids: set[int] = set()
        for form in identifier_forms(identifier):
            kind = form.partition(":")[0]
            column = {"email": "lookup_form", "phone": "lookup", "domain": "lookup_domain"}.get(kind)
            if column is None:
                continue
            rows = self.conn.execute(f"SELECT DISTINCT contact_id FROM evidence WHERE {column}=?",
                                     (self._ix(form),)).fetchall()
            ids.update(r[0] for r in rows)
        return sorted(ids)

    def evidence_of(self, contact_id: int) -> list[dict[str, Any]]:
        cur = self.conn.execute(
            "SELECT id, field, value, subtype, source, item_id, owner, extractor, extractor_version, "
            "method, span_start, span_end, observed_at, confidence FROM evidence "
            "WHERE contact_id=? ORDER BY observed_at, field", (contact_id,))
        names = [d[0] for d in cur.description][1:]
        out = []
        for row in cur:
            eid, r = row[0], list(row[1:])
            r[1] = self._dec(r[1], f"evidence.value|{eid}")
            r[4] = self._dec(r[4], f"evidence.item_id|{eid}")
            r[5] = self._dec(r[5], f"evidence.owner|{eid}")
            out.append(dict(zip(names, r)))
        return out

    def counts(self) -> dict[str, int]:
        out = {}
        for table in ("contacts", "evidence", "items", "quarantine", "runs", "suppressions", "requests",
                      "pins", "restrictions"):
            out[table] = self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return out

    # -- runs and audit ---------------------------------------------------------------

    def begin_run(self) -> int:
        rid = self.conn.execute("INSERT INTO runs (started_at, status) VALUES (?, 'running')",
                                (_now(),)).lastrowid
        self.audit("run.start", {"run": rid})
        return int(rid)

    def finish_run(self, run_id: int, status: str, counts: Mapping[str, Any]) -> None:
        self.conn.execute("UPDATE runs SET finished_at=?, status=?, counts=? WHERE id=?",
                          (_now(), status, json.dumps(dict(counts), sort_keys=True), run_id))
        self.audit("run.finish", {"run": run_id, "status": status, **dict(counts)})

    def runs(self) -> list[dict[str, Any]]:
        cur = self.conn.execute("SELECT id, started_at, finished_at, status, counts FROM runs ORDER BY id")
        return [{"id": r[0], "started_at": r[1], "finished_at": r[2], "status": r[3],
                 "counts": json.loads(r[4])} for r in cur]

    def _audit_log(self, *, create_key: bool) -> AuditLog:
        """The audit log, anchored with a key derived from the opt-out secret (kept outside
        the store).  Verifying never creates that key; appending does."""
        if self._audit is None or (create_key and not self._audit_keyed):
            if self.path is None:
                if self._mem_key is None:
                    self._mem_key = load_or_create_key(None)
                key: bytes | None = self._mem_key
            else:
                key = load_or_create_key(self.key_path) if create_key else load_key(self.key_path)
            self._audit = AuditLog(self.conn, key)
            self._audit_keyed = key is not None
            if key is not None:
                self._audit.ensure_anchor()
        return self._audit

    def audit(self, action: str, detail: Mapping[str, Any]) -> None:
        """Append a hash-chained audit entry.  ``detail`` must be pseudonymous (ids,
        counts, digests): anything shaped like an address, phone or URL is removed."""
        self._audit_log(create_key=True).append(action, detail, at=_now())

    def verify_audit(self) -> bool:
        return self.audit_report().ok

    def audit_report(self) -> AuditReport:
        """Check the chain and its keyed anchor; one-line reasons, no entry content."""
        log = self._audit_log(create_key=False)
        report = log.verify()
        if report.ok and not report.anchored and report.entries:
            return AuditReport(False, report.entries, f"the audit key is missing ({self.key_path}); "
                               "the log cannot be checked against its anchor", None, anchored=False)
        return report

    def audit_entries(self) -> list[dict[str, Any]]:
        return self._audit_log(create_key=False).entries()

    # -- privacy operations --------------------------------------------------------------

    def suppression_digests(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT digest FROM suppressions")]

    def add_suppressions(self, digests: Iterable[str], key_version: str) -> None:
        self.conn.executemany("INSERT OR IGNORE INTO suppressions VALUES (?,?,?)",
                              [(d, key_version, _now()) for d in digests])
        self._supp = None

    def secret_key(self, secret_file: Path | None = None) -> bytes:
        """The opt-out HMAC key (outside the store; created on first use)."""
        path = secret_file or self._secret_file or self.key_path
        if path is None:
            if self._mem_key is None:
                self._mem_key = load_or_create_key(None)
            return self._mem_key
        return load_or_create_key(path)

    def suppressor(self) -> Suppressor | None:
        """The opt-out list with its key, or None when there is nothing (or no key) to check."""
        (n,) = self.conn.execute("SELECT count(*) FROM suppressions").fetchone()
        if n == 0:
            return None
        if self._supp is not None and self._supp[0] == n:
            return self._supp[1]
        if self.path is None and self._secret_file is None:
            key = self._mem_key or load_key(None)  # an in-memory store's process key, or WEBLEADS_SECRET
        else:
            key = load_key(self._secret_file or self.key_path)
        if key is None:
            return None
        self._supp = (n, Suppressor(key, self.suppression_digests()))
        return self._supp[1]

    def erase(self, contact_ids: Iterable[int]) -> int:
        """Remove contacts with every piece of their evidence, identifiers, corrections and
        restrictions, then rewrite the file so no erased byte stays on disk."""
        n = 0
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            for cid in contact_ids:
                for table in ("evidence", "identifiers", "pins", "restrictions", "events", "outbox",
                              "webhook_state", "dirty"):
                    c.execute(f"DELETE FROM {table} WHERE contact_id=?", (cid,))
                n += c.execute("DELETE FROM contacts WHERE id=?", (cid,)).rowcount
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        self.compact()
        return n

    def compact(self) -> None:
        """Rewrite the file without free pages and empty the WAL (after erasures)."""
        if self.path is not None:
            self.conn.execute("VACUUM")  # leave no erased bytes in free pages
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- subject requests, corrections, restrictions ------------------------------------------

    def open_request(self, kind: str, subject: str, received_at: dt.datetime, due_at: dt.datetime) -> int:
        rid = self.conn.execute(
            "INSERT INTO requests (kind, subject, received_at, due_at, status) VALUES (?,?,?,?, 'open')",
            (kind, subject, received_at.isoformat(), due_at.isoformat())).lastrowid
        return int(rid)

    def close_request(self, request_id: int, status: str, outcome: Mapping[str, Any]) -> None:
        self.conn.execute("UPDATE requests SET status=?, completed_at=?, outcome=? WHERE id=?",
                          (status, self._clock().isoformat(), json.dumps(dict(outcome), sort_keys=True),
                           request_id))

    def requests(self) -> list[dict[str, Any]]:
        cur = self.conn.execute("SELECT id, kind, subject, received_at, due_at, status, completed_at, outcome "
                                "FROM requests ORDER BY id")
        return [{"id": r[0], "kind": r[1], "subject": r[2], "received_at": r[3], "due_at": r[4],
                 "status": r[5], "completed_at": r[6], "outcome": json.loads(r[7])} for r in cur]

    def set_pin(self, contact_id: int, field: str, value: str | None, request_id: int | None = None) -> None:
        """Pin a subject's correction of one field (None clears the field)."""
        self.conn.execute("INSERT OR REPLACE INTO pins (contact_id, field, value, request_id, created_at) "
                          "VALUES (?,?,?,?,?)",
                          (contact_id, field, self._enc(value, f"pins.value|{field}"), request_id,
                           self._clock().isoformat()))

    def _pins(self, ids: set[int] | None = None) -> dict[int, list[tuple[str, str | None]]]:
        out: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
        for cid, field, value in self.conn.execute("SELECT contact_id, field, value FROM pins ORDER BY created_at"):
            if ids is None or cid in ids:
                out[cid].append((field, self._dec(value, f"pins.value|{field}")))
        return out

    def pins_of(self, contact_id: int) -> list[tuple[str, str | None]]:
        return self._pins({contact_id}).get(contact_id, [])

    def restrict(self, contact_id: int, request_id: int | None = None) -> None:
        self.conn.execute("INSERT OR IGNORE INTO restrictions (contact_id, request_id, since) VALUES (?,?,?)",
                          (contact_id, request_id, self._clock().isoformat()))

    def lift_restriction(self, contact_id: int) -> bool:
        return self.conn.execute("DELETE FROM restrictions WHERE contact_id=?", (contact_id,)).rowcount > 0

    def restricted_ids(self) -> set[int]:
        return {r[0] for r in self.conn.execute("SELECT contact_id FROM restrictions")}

    # -- retention --------------------------------------------------------------------------

    def lifetimes(self) -> dict[int, tuple[dt.datetime, dt.datetime]]:
        """``contact id -> (first collected, last observed)`` by the store's clock."""
        return {cid: (_parse_time(c), _parse_time(u))
                for cid, c, u in self.conn.execute("SELECT id, created_at, updated_at FROM contacts")}

    def due_at(self, contact_id: int) -> dt.datetime | None:
        life = self.conn.execute("SELECT created_at, updated_at FROM contacts WHERE id=?",
                                 (contact_id,)).fetchone()
        return self.retention.due_at(_parse_time(life[0]), _parse_time(life[1])) if life else None

    def expired_ids(self, now: dt.datetime | None = None) -> set[int]:
        now = now or self._clock()
        return {cid for cid, (first, last) in self.lifetimes().items() if self.retention.is_due(first, last, now)}

    def hidden_ids(self, now: dt.datetime | None = None) -> set[int]:
        """Contacts that must not be published or exported: restricted or past retention."""
        return self.restricted_ids() | self.expired_ids(now)

    def purge_expired(self, now: dt.datetime | None = None, *, dry_run: bool = False) -> dict[str, int]:
        """Erase every contact past its retention date (restricted ones are kept while the
        restriction lasts) and report how many contacts and values went."""
        due = self.expired_ids(now)
        restricted = due & self.restricted_ids()
        victims = sorted(due - restricted)
        evidence = 0
        for cid in victims:
            evidence += self.conn.execute("SELECT count(*) FROM evidence WHERE contact_id=?", (cid,)).fetchone()[0]
        report = {"contacts": len(victims), "evidence": evidence, "kept_restricted": len(restricted),
                  "dry_run": dry_run}
        if not dry_run:
            if victims:
                self.erase(victims)
            self.audit("retention.purge", {**report, **self.retention.as_dict()})
        return report

    # -- encryption ------------------------------------------------------------------------

    def encrypt_with(self, keyring: Keyring) -> int:
        """Encrypt a plain store in place (one transaction), then rewrite the file so no
        plain value stays in a free page or the WAL.  Returns the values encrypted."""
        if self.cipher is not None:
            raise ConfigError(f"store {self._where()} is already encrypted")
        cipher = FieldCipher(keyring)
        c = self.conn
        n = 0
        c.execute("BEGIN IMMEDIATE")
        try:
            rows = c.execute("SELECT id, field, value, item_id, owner FROM evidence").fetchall()
            for eid, field, value, item, owner in rows:
                new = cipher.digest(eid)
                exact, form, domain = lookup_forms(field, value)
                c.execute("UPDATE evidence SET id=?, value=?, item_id=?, owner=?, lookup=?, lookup_form=?, "
                          "lookup_domain=? WHERE id=?",
                          (new, cipher.encrypt(value, f"evidence.value|{new}"),
                           cipher.encrypt(item, f"evidence.item_id|{new}"),
                           cipher.encrypt(owner, f"evidence.owner|{new}"),
                           *(cipher.index(f) if f else None for f in (exact, form, domain)), eid))
                n += 3
            for kind, value in c.execute("SELECT kind, value FROM identifiers").fetchall():
                c.execute("UPDATE identifiers SET value=? WHERE kind=? AND value=?",
                          (cipher.index(f"{kind}:{value}"), kind, value))
            for cid, field, value in c.execute("SELECT contact_id, field, value FROM pins").fetchall():
                if value is not None:
                    c.execute("UPDATE pins SET value=? WHERE contact_id=? AND field=?",
                              (cipher.encrypt(value, f"pins.value|{field}"), cid, field))
                    n += 1
            # change events get keyed ids and encrypted payloads; queued deliveries too
            for eid, payload in c.execute("SELECT id, payload FROM events").fetchall():
                new = cipher.digest(eid)
                c.execute("UPDATE events SET id=?, payload=? WHERE id=?",
                          (new, cipher.encrypt(payload, f"events.payload|{new}"), eid))
                n += 1
            for oid, target, key, payload in c.execute("SELECT id, target, key, payload FROM outbox").fetchall():
                c.execute("UPDATE outbox SET payload=? WHERE id=?",
                          (cipher.encrypt(payload, f"outbox.payload|{target}|{key}"), oid))
                n += 1
            self._start_encryption(cipher)
            c.execute("COMMIT")
        except BaseException:
            if c.in_transaction:
                c.execute("ROLLBACK")
            self.cipher = None
            raise
        self.audit("store.encrypt", {"values": n, "data_key": cipher.current_version})
        self.compact()
        return n

    def reencrypt(self, keyring: Keyring) -> int:
        """Re-encrypt every value with the newest data key of ``keyring`` (key rotation).
        The keyring must still hold the keys the values were encrypted with."""
        if self.cipher is None:
            raise ConfigError(f"store {self._where()} is not encrypted")
        if keyring.index_key != self.cipher.ring.index_key:
            raise ConfigError("the new keyring has another index key; only data keys rotate")
        old, new = self.cipher, FieldCipher(keyring)
        c = self.conn
        n = 0
        c.execute("BEGIN IMMEDIATE")
        try:
            for eid, value, item, owner in c.execute("SELECT id, value, item_id, owner FROM evidence").fetchall():
                vals = []
                for col, blob in (("value", value), ("item_id", item), ("owner", owner)):
                    aad = f"evidence.{col}|{eid}"
                    vals.append(new.encrypt(old.decrypt(blob, aad) or "", aad))
                c.execute("UPDATE evidence SET value=?, item_id=?, owner=? WHERE id=?", (*vals, eid))
                n += 3
            for cid, field, value in c.execute("SELECT contact_id, field, value FROM pins").fetchall():
                if value is not None:
                    aad = f"pins.value|{field}"
                    c.execute("UPDATE pins SET value=? WHERE contact_id=? AND field=?",
                              (new.encrypt(old.decrypt(value, aad) or "", aad), cid, field))
                    n += 1
            for eid, payload in c.execute("SELECT id, payload FROM events").fetchall():
                aad = f"events.payload|{eid}"
                c.execute("UPDATE events SET payload=? WHERE id=?",
                          (new.encrypt(old.decrypt(payload, aad) or "", aad), eid))
                n += 1
            for oid, target, key, payload in c.execute("SELECT id, target, key, payload FROM outbox").fetchall():
                aad = f"outbox.payload|{target}|{key}"
                c.execute("UPDATE outbox SET payload=? WHERE id=?",
                          (new.encrypt(old.decrypt(payload, aad) or "", aad), oid))
                n += 1
            self._start_encryption(new)
            c.execute("COMMIT")
        except BaseException:
            if c.in_transaction:
                c.execute("ROLLBACK")
            self.cipher = old
            raise
        self.audit("store.rotate_key", {"values": n, "data_key": new.current_version})
        self.compact()
        return n


def is_encrypted_file(path: Path) -> bool:
    """Whether the store file at ``path`` is encrypted (read without opening it as a store)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key='crypto.format'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return row is not None


def _group_suppressed(group: Sequence[Evidence], suppressor: Suppressor) -> bool:
    for ev in group:
        if ev.field == "email" and suppressor.blocks_email(ev.value):
            return True
        if ev.field == "phone" and suppressor.blocks_phone(ev.value):
            return True
    subject = group[0].subject if group else ""
    return subject.startswith("email:") and suppressor.blocks_email(subject[6:])
