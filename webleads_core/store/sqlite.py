"""The embedded default store: one SQLite file.

Writes happen in one transaction per batch (evidence, identifiers, seen items and
the checkpoint that follows them), so a crash leaves either all of a batch or none
of it.  Evidence ids are digests of their provenance and value: processing the same
item twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from ..errors import StoreError
from ..records import Contact, Evidence, SkippedItem
from . import materialize, resolve
from .schema import migrate

_EVIDENCE_COLS = ("field, value, subtype, kind, role, source, item_id, owner, extractor, "
                  "method, observed_at, confidence")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


def item_digest(source: str, item_id: str) -> str:
    return hashlib.sha256(f"{source}\0{item_id}".encode("utf-8", "surrogatepass")).hexdigest()[:32]


def evidence_id(ev: Evidence) -> str:
    key = "\0".join((ev.source, ev.item_id, ev.subject, ev.field, ev.value, ev.subtype or "",
                     ev.extractor))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class SQLiteStore:
    """Contacts, evidence with provenance, identity resolution, sync state, runs, audit."""

    def __init__(self, url: str = "sqlite:///:memory:") -> None:
        if not url.startswith("sqlite:///"):
            raise StoreError(f"not a sqlite URL: {url.split(':', 1)[0]!r}")
        path = url[len("sqlite:///"):] or ":memory:"
        self.path = None if path == ":memory:" else Path(path)
        try:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fresh = not self.path.exists()
                self.conn = sqlite3.connect(self.path, isolation_level=None)
                if fresh:
                    os.chmod(self.path, 0o600)
            else:
                self.conn = sqlite3.connect(":memory:", isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL" if self.path else "PRAGMA journal_mode=MEMORY")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA secure_delete=ON")  # erased rows are zeroed on disk
            migrate(self.conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open store {path}: {exc}") from None

    @property
    def key_path(self) -> Path | None:
        """Where the opt-out HMAC key lives: next to the store, never inside it."""
        return self.path.with_name(self.path.name + ".key") if self.path else None

    def close(self) -> None:
        try:
            if self.path is not None:
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self.conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- items and sync state ------------------------------------------------------

    def is_seen(self, source: str, item_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM items WHERE source=? AND digest=?",
                                (source, item_digest(source, item_id))).fetchone()
        return row is not None

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
        """
        now = _now()
        touched: set[int] = set()
        c = self.conn
        try:
            c.execute("BEGIN IMMEDIATE")
            groups: dict[str, list[Evidence]] = defaultdict(list)
            for ev in evidence:
                groups[ev.subject].append(ev)
            for group in groups.values():
                cid = self._resolve(group, now)
                if cid is None:
                    continue
                touched.add(cid)
                c.executemany(
                    "INSERT OR IGNORE INTO evidence VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [(evidence_id(e), cid, e.field, e.value, e.subtype, e.kind, e.role, e.source,
                      e.item_id, e.owner, e.extractor, e.extractor_version, e.method,
                      e.span[0] if e.span else None, e.span[1] if e.span else None,
                      e.observed_at.isoformat(), e.confidence) for e in group])
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
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise
        return touched

    def _resolve(self, group: list[Evidence], now: str) -> int | None:
        ids = resolve.identifiers(group)
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
                c.execute("UPDATE evidence SET contact_id=? WHERE contact_id=?", (cid, other))
                c.execute("UPDATE identifiers SET contact_id=? WHERE contact_id=?", (cid, other))
                c.execute("DELETE FROM contacts WHERE id=?", (other,))
            c.execute("UPDATE contacts SET updated_at=? WHERE id=?", (now, cid))
        c.executemany("INSERT OR IGNORE INTO identifiers VALUES (?,?,?)",
                      [(k, v, cid) for k, v in ids])
        return cid

    # -- reading -------------------------------------------------------------------

    def contact_ids(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM contacts ORDER BY id")]

    def contacts(self, ids: Iterable[int] | None = None) -> Iterator[Contact]:
        """Current contacts, built from their evidence (in id order)."""
        wanted = list(ids) if ids is not None else None
        if wanted is not None and not wanted:
            return
        sql = f"SELECT contact_id, {_EVIDENCE_COLS} FROM evidence"
        args: tuple = ()
        if wanted is not None and len(wanted) < 900:
            sql += f" WHERE contact_id IN ({','.join('?' * len(wanted))})"
            args = tuple(wanted)
        grouped = materialize.group_rows(self.conn.execute(sql + " ORDER BY contact_id", args))
        keep = set(wanted) if wanted is not None else None
        for cid in sorted(grouped):
            if keep is None or cid in keep:
                yield materialize.build_contact(cid, grouped[cid])

    def contact(self, contact_id: int) -> Contact | None:
        return next(self.contacts([contact_id]), None)

    def find(self, identifier: str) -> list[int]:
        """Contact ids matching an email, a phone (E.164) or a contact id."""
        ident = identifier.strip()
        if ident.isdigit() and self.conn.execute("SELECT 1 FROM contacts WHERE id=?",
                                                 (int(ident),)).fetchone():
            return [int(ident)]
        rows = self.conn.execute(
            "SELECT DISTINCT contact_id FROM evidence WHERE (field='email' AND value=?) "
            "OR (field='phone' AND value=?)", (ident.lower(), ident)).fetchall()
        return sorted(r[0] for r in rows)

    def evidence_of(self, contact_id: int) -> list[dict[str, Any]]:
        cur = self.conn.execute(
            "SELECT field, value, subtype, source, item_id, owner, extractor, extractor_version, "
            "method, span_start, span_end, observed_at, confidence FROM evidence "
            "WHERE contact_id=? ORDER BY observed_at, field", (contact_id,))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur]

    def counts(self) -> dict[str, int]:
        out = {}
        for table in ("contacts", "evidence", "items", "quarantine", "runs", "suppressions"):
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

    def audit(self, action: str, detail: Mapping[str, Any]) -> None:
        """Append a hash-chained audit entry.  ``detail`` must be pseudonymous (ids,
        counts, digests), never a raw personal value."""
        row = self.conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        prev = row[0] if row else "0" * 64
        at = _now()
        body = json.dumps(dict(detail), sort_keys=True, default=str)
        h = hashlib.sha256(f"{prev}|{at}|{action}|{body}".encode()).hexdigest()
        self.conn.execute("INSERT INTO audit (at, action, detail, prev_hash, hash) VALUES (?,?,?,?,?)",
                          (at, action, body, prev, h))

    def verify_audit(self) -> bool:
        prev = "0" * 64
        for at, action, body, p, h in self.conn.execute(
                "SELECT at, action, detail, prev_hash, hash FROM audit ORDER BY id"):
            if p != prev or hashlib.sha256(f"{prev}|{at}|{action}|{body}".encode()).hexdigest() != h:
                return False
            prev = h
        return True

    # -- privacy operations --------------------------------------------------------------

    def suppression_digests(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT digest FROM suppressions")]

    def add_suppressions(self, digests: Iterable[str], key_version: str) -> None:
        self.conn.executemany("INSERT OR IGNORE INTO suppressions VALUES (?,?,?)",
                              [(d, key_version, _now()) for d in digests])

    def erase(self, contact_ids: Iterable[int]) -> int:
        """Remove contacts with every piece of their evidence and identifiers."""
        n = 0
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            for cid in contact_ids:
                c.execute("DELETE FROM evidence WHERE contact_id=?", (cid,))
                c.execute("DELETE FROM identifiers WHERE contact_id=?", (cid,))
                n += c.execute("DELETE FROM contacts WHERE id=?", (cid,)).rowcount
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        if self.path is not None:
            c.execute("VACUUM")  # leave no erased bytes in free pages
        return n
