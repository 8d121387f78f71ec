"""The audit log: append-only, hash-chained, anchored with a key kept outside the store.

Each entry carries the SHA-256 of the previous entry (``prev_hash``) and its own
hash over ``prev_hash | at | action | detail``, so editing or removing an entry in
the middle breaks the chain.  A chain alone can be rewritten from the edited entry
on by anyone who can write the file, and cutting entries off its end leaves a valid
chain; so the head of the chain (last id and hash) is also *anchored*: an HMAC with
the store's secret (``<store>.key`` or ``WEBLEADS_SECRET``, never inside the store)
kept in the ``meta`` table.  Rewriting, appending or truncating without that key
makes :meth:`AuditLog.verify` fail.  Deletes are refused by a trigger as well.

Details are pseudonymous by construction: :func:`sanitize` keeps numbers, booleans,
short codes and hex digests, and replaces anything that looks like an address or a
phone number with ``"[removed]"``, so a careless caller cannot write personal data
into a log that is never deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import sqlite3
from typing import Any, Mapping

import attrs

GENESIS = "0" * 64
_ANCHOR = "audit.anchor"
_PERSONAL = re.compile(r"@|\+?\d[\d ().-]{6,}\d|://")
_HEX = re.compile(r"^[0-9a-f]{8,64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?$")

__all__ = ["AuditLog", "AuditReport", "entry_hash", "sanitize"]


def entry_hash(prev: str, at: str, action: str, body: str) -> str:
    return hashlib.sha256(f"{prev}|{at}|{action}|{body}".encode()).hexdigest()


def _clean(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Mapping):
        return {str(k)[:40]: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value][:50]
    s = str(value)[:120]
    if _HEX.match(s) or _DATE.match(s):
        return s
    return "[removed]" if _PERSONAL.search(s) else s


def sanitize(detail: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only what may go into the audit log (no address, phone or URL)."""
    return {str(k)[:40]: _clean(v) for k, v in dict(detail).items()}


@attrs.frozen
class AuditReport:
    """What :meth:`AuditLog.verify` found.

    Attributes:
        ok: the chain is intact and the anchor matches.
        entries: how many entries were checked.
        problem: why not, in one line (no entry content), or "".
        first_bad: id of the first entry that does not verify, if any.
        anchored: whether the keyed anchor was checked.
    """

    ok: bool
    entries: int
    problem: str = ""
    first_bad: int | None = None
    anchored: bool = False


class AuditLog:
    """The ``audit`` table of a store.  ``key`` anchors the head (None: not anchored)."""

    def __init__(self, conn: sqlite3.Connection, key: bytes | None) -> None:
        self.conn = conn
        self._key = hmac.new(key, b"webleads audit anchor v1", hashlib.sha256).digest() if key else None

    def __repr__(self) -> str:
        return f"AuditLog(anchored={self._key is not None})"

    def _anchor_for(self, last_id: int, last_hash: str) -> str:
        assert self._key is not None
        return hmac.new(self._key, f"{last_id}|{last_hash}".encode(), hashlib.sha256).hexdigest()

    def _head(self) -> tuple[int, str]:
        row = self.conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS)

    def _set_anchor(self, last_id: int, last_hash: str) -> None:
        if self._key is None:
            return
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                          (_ANCHOR, f"{last_id}:{self._anchor_for(last_id, last_hash)}"))

    def append(self, action: str, detail: Mapping[str, Any], *, at: str | None = None) -> str:
        """Append one entry (in a savepoint: the entry and the anchor move together)."""
        at = at or dt.datetime.now(dt.timezone.utc).isoformat()
        body = json.dumps(sanitize(detail), sort_keys=True, default=str)
        c = self.conn
        c.execute("SAVEPOINT webleads_audit")
        try:
            last_id, prev = self._head()
            h = entry_hash(prev, at, action, body)
            rid = c.execute("INSERT INTO audit (at, action, detail, prev_hash, hash) VALUES (?,?,?,?,?)",
                            (at, action, body, prev, h)).lastrowid
            self._set_anchor(int(rid), h)
            c.execute("RELEASE webleads_audit")
        except BaseException:
            c.execute("ROLLBACK TO webleads_audit")
            c.execute("RELEASE webleads_audit")
            raise
        return h

    def ensure_anchor(self) -> None:
        """Anchor a log written before anchors existed (trust on first use)."""
        if self._key is None:
            return
        if self.conn.execute("SELECT 1 FROM meta WHERE key=?", (_ANCHOR,)).fetchone() is None:
            self._set_anchor(*self._head())

    def verify(self) -> AuditReport:
        prev = GENESIS
        n = 0
        last_id = 0
        for rid, at, action, body, p, h in self.conn.execute(
                "SELECT id, at, action, detail, prev_hash, hash FROM audit ORDER BY id"):
            n += 1
            if p != prev:
                return AuditReport(False, n, f"entry {rid} does not follow the one before it", rid)
            if entry_hash(prev, at, action, body) != h:
                return AuditReport(False, n, f"entry {rid} was altered", rid)
            prev, last_id = h, rid
        if self._key is None:
            return AuditReport(True, n, "", None, anchored=False)
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (_ANCHOR,)).fetchone()
        if row is None:
            if n == 0:
                return AuditReport(True, 0, "", None, anchored=True)
            return AuditReport(False, n, "the log's anchor is missing", None, anchored=True)
        anchor_id, _, mac = row[0].partition(":")
        if anchor_id != str(last_id) or not hmac.compare_digest(mac, self._anchor_for(last_id, prev)):
            return AuditReport(False, n, "the log's head does not match its anchor (entries rewritten, "
                               "added or cut off; or the store's secret changed)", None, anchored=True)
        return AuditReport(True, n, "", None, anchored=True)

    def entries(self) -> list[dict[str, Any]]:
        cur = self.conn.execute("SELECT id, at, action, detail FROM audit ORDER BY id")
        return [{"id": r[0], "at": r[1], "action": r[2], "detail": json.loads(r[3])} for r in cur]
