"""The serve state database: API keys, pending verifications and the scheduler's runs.

Kept in its own SQLite file (``<store>.serve.db``), not in the store: the store's
schema belongs to the core, and nothing here is a contact.  Nothing here is personal
data in clear either:

- an API key is kept as its SHA-256 (keys are 256-bit random, so a plain digest is
  enough); the owner it belongs to is the operator's own configuration;
- a pending verification keeps a keyed digest of the identifier and of the six-digit
  code (HMAC with the serve secret, since a million codes are quick to try against a
  plain hash), an expiry and a count of wrong tries; it is deleted when used or expired.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
from pathlib import Path
from typing import Any

import attrs

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    digest TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    role TEXT NOT NULL,              -- owner | operator
    label TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pending (
    id TEXT PRIMARY KEY,             -- digest of the random request token
    kind TEXT NOT NULL,              -- optout | access
    subject TEXT NOT NULL,           -- HMAC of the identifier's canonical form
    code TEXT NOT NULL,              -- HMAC of the code
    received_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS serve_runs (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    store_run INTEGER,
    trigger TEXT NOT NULL,           -- schedule | manual | startup
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,            -- running | ok | partial | stopped | failed
    counts TEXT NOT NULL DEFAULT '{}'
);
"""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def load_or_create_secret(path: Path | None) -> bytes:
    """The serve secret (CSRF tokens, code digests): a 0600 file, created on first use;
    ``WEBLEADS_SERVE_SECRET`` (hex) wins; without a path a process-local key."""
    env = os.environ.get("WEBLEADS_SERVE_SECRET")
    if env:
        return bytes.fromhex(env.strip())
    if path is None:
        return secrets.token_bytes(32)
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        key = secrets.token_bytes(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key.hex() + "\n")
        return key


@attrs.frozen
class ApiKey:
    owner: str = attrs.field(repr=False)
    role: str
    label: str = ""


@attrs.frozen
class Pending:
    id: str
    kind: str
    subject: str = attrs.field(repr=False)
    code: str = attrs.field(repr=False)
    received_at: dt.datetime
    expires_at: dt.datetime
    attempts: int


class ServeState:
    """Thread-safe access to the serve state file (one connection, one lock)."""

    def __init__(self, path: Path | None, secret: bytes) -> None:
        self.path = path
        self._secret = secret
        self._lock = threading.Lock()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fresh = not path.exists()
            self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
            if fresh:
                os.chmod(path, 0o600)
            self._conn.execute("PRAGMA journal_mode=WAL")
        else:
            self._conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA secure_delete=ON")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def mac(self, purpose: str, value: str) -> str:
        return hmac.new(self._secret, f"{purpose}\0{value}".encode("utf-8", "surrogatepass"),
                        hashlib.sha256).hexdigest()

    # -- API keys -------------------------------------------------------------------------

    def add_key(self, owner: str, role: str = "owner", label: str = "") -> str:
        """Create a key and return it (shown once; only its digest is kept)."""
        if role not in ("owner", "operator"):
            raise ValueError("role is owner or operator")
        key = "wl_" + secrets.token_urlsafe(32)
        with self._lock:
            self._conn.execute("INSERT INTO api_keys VALUES (?,?,?,?,?)",
                               (hashlib.sha256(key.encode()).hexdigest(), owner, role, label, _now().isoformat()))
        return key

    def check_key(self, key: str) -> ApiKey | None:
        if not key or len(key) > 200:
            return None
        digest = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()
        with self._lock:
            row = self._conn.execute("SELECT digest, owner, role, label FROM api_keys WHERE digest=?",
                                     (digest,)).fetchone()
        if row is None or not hmac.compare_digest(row[0], digest):
            return None
        return ApiKey(owner=row[1], role=row[2], label=row[3])

    def revoke_keys(self, owner: str) -> int:
        with self._lock:
            return self._conn.execute("DELETE FROM api_keys WHERE owner=?", (owner,)).rowcount

    # -- pending verifications --------------------------------------------------------------

    def create_pending(self, kind: str, subject: str, code: str, ttl: dt.timedelta) -> str:
        """Register a verification; returns the request token the form carries."""
        token = secrets.token_urlsafe(24)
        now = _now()
        with self._lock:
            self._conn.execute("DELETE FROM pending WHERE expires_at < ?", (now.isoformat(),))
            self._conn.execute("INSERT INTO pending VALUES (?,?,?,?,?,?,0)", (
                self.mac("token", token), kind, subject, self.mac("code", code), now.isoformat(),
                (now + ttl).isoformat()))
        return token

    def get_pending(self, token: str) -> Pending | None:
        if not token or len(token) > 100:
            return None
        with self._lock:
            row = self._conn.execute("SELECT * FROM pending WHERE id=?", (self.mac("token", token),)).fetchone()
        if row is None:
            return None
        return Pending(row[0], row[1], row[2], row[3], dt.datetime.fromisoformat(row[4]),
                       dt.datetime.fromisoformat(row[5]), row[6])

    def count_attempt(self, pending: Pending) -> int:
        with self._lock:
            self._conn.execute("UPDATE pending SET attempts = attempts + 1 WHERE id=?", (pending.id,))
            row = self._conn.execute("SELECT attempts FROM pending WHERE id=?", (pending.id,)).fetchone()
        return row[0] if row else 0

    def delete_pending(self, pending_id: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM pending WHERE id=?", (pending_id,))

    def pending_count(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT count(*) FROM pending").fetchone()[0]

    # -- scheduler runs ------------------------------------------------------------------------

    def begin_run(self, source: str, trigger: str) -> int:
        with self._lock:
            return int(self._conn.execute(
                "INSERT INTO serve_runs (source, trigger, started_at, status) VALUES (?,?,?, 'running')",
                (source, trigger, _now().isoformat())).lastrowid)

    def finish_run(self, run_id: int, status: str, store_run: int | None, counts: dict[str, Any]) -> None:
        with self._lock:
            self._conn.execute("UPDATE serve_runs SET finished_at=?, status=?, store_run=?, counts=? WHERE id=?",
                               (_now().isoformat(), status, store_run, json.dumps(counts, sort_keys=True), run_id))

    def mark_abandoned(self) -> int:
        """Runs left ``running`` by a process that died are marked ``abandoned``."""
        with self._lock:
            return self._conn.execute("UPDATE serve_runs SET status='abandoned' WHERE status='running'").rowcount

    def last_start(self, source: str) -> dt.datetime | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT started_at FROM serve_runs WHERE source=? AND status IN ('ok', 'partial', 'failed') "
                "ORDER BY id DESC LIMIT 1", (source,)).fetchone()
        return dt.datetime.fromisoformat(row[0]) if row else None

    def runs(self, limit: int = 100) -> list[dict[str, Any]]:
        with self._lock:
            cur = self._conn.execute("SELECT id, source, store_run, trigger, started_at, finished_at, status, counts "
                                     "FROM serve_runs ORDER BY id DESC LIMIT ?", (limit,))
            rows = cur.fetchall()
        return [{"id": r[0], "source": r[1], "store_run": r[2], "trigger": r[3], "started_at": r[4],
                 "finished_at": r[5], "status": r[6], "counts": json.loads(r[7])} for r in rows]
