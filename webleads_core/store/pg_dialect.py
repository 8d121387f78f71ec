"""A small sqlite3-shaped connection over psycopg 3, so the SQLite store's code runs on PostgreSQL.

Why an adapter and not a second store: :class:`~webleads_core.store.sqlite.SQLiteStore`
holds the store's behaviour (identity resolution, privacy, scoring, the outbox); copying
it would let the two drift.  The store talks to ``self.conn`` with the sqlite3 API and
SQLite's dialect, so this module gives it an object with that API and translates the
few SQLite forms the store uses:

=====================================  ============================================================
SQLite                                 PostgreSQL
=====================================  ============================================================
``?`` placeholders                     ``%s`` (a literal ``%`` is escaped)
``INSERT OR IGNORE``                   ``INSERT ... ON CONFLICT DO NOTHING``
``INSERT OR REPLACE``                  ``INSERT ... ON CONFLICT (primary key) DO UPDATE`` of every
                                       other column (unlisted ones to their default, as SQLite)
``UPDATE OR IGNORE t SET c=? WHERE     ``UPDATE t SET c=%s WHERE c=%s AND NOT EXISTS`` (the row it
c=?``                                  would collide with)
``min(a, b)``, ``max(a, b)``           ``LEAST``, ``GREATEST`` (one-argument aggregates stay)
``ifnull``                             ``coalesce``
``cursor.lastrowid``                   ``RETURNING`` the table's identity column
``BEGIN [IMMEDIATE]``                  ``BEGIN`` + the store's write lock (below)
``SAVEPOINT`` outside a transaction    ``BEGIN`` + write lock + ``SAVEPOINT``; released = committed
``PRAGMA``, ``executescript``          refused: the PostgreSQL store does these itself
=====================================  ============================================================

Locks.  SQLite's ``BEGIN IMMEDIATE`` makes one writer at a time.  Here it takes an
exclusive advisory lock on the store (erasure, encryption, change events, the outbox
and the audit log keep that guarantee), unless the store set :attr:`PgConnection.on_begin`
for the next transaction: the batch writer takes the store lock *shared* plus one lock per
identifier, so batches about different people are written in parallel (see
:mod:`webleads_core.store.postgres`).

Round trips.  A batch would otherwise cost several round trips per person.  Rows that
``executemany`` inserts with ``INSERT OR IGNORE`` into a table of
:attr:`PgConnection.write_behind` are held back and written at ``COMMIT`` (or before any
statement that names their table, or a savepoint's end) with one
``INSERT ... SELECT FROM unnest(...)`` per table: no statement can tell the difference.

Values.  SQLite columns take any type and the store relies on it: a personal column
holds text in a plain store and AES-GCM bytes in an encrypted one.  Here those columns are
``TEXT`` and bytes travel through them as ``\\x01`` + base64; a string that contains NUL
(which PostgreSQL text cannot hold) or starts with ``\\x01``/``\\x02`` travels as ``\\x02`` +
base64.  Both are undone when read, so every value comes back as the type it was written
with, and equal values still compare equal in SQL.
"""

from __future__ import annotations

import base64
import re
from typing import Any, Callable, Iterable, Iterator, Sequence

import attrs

from ..errors import StoreError

try:
    import psycopg
    from psycopg import pq
    from psycopg.adapt import Dumper, Loader
except ImportError:  # pragma: no cover - the postgres extra is not installed
    psycopg = None  # type: ignore[assignment]
    Dumper = Loader = object  # type: ignore[assignment,misc]

__all__ = ["PgConnection", "PgCursor", "Translated", "translate", "STORE_LOCK", "AUDIT_LOCK"]

#: Advisory lock keys (64-bit): the store's write lock and the audit chain's.
STORE_LOCK = 0x5765_626C_6561_6402
AUDIT_LOCK = 0x5765_626C_6561_6403

_BYTES = "\x01"
_ESCAPED = "\x02"
_TEXT_OID = 25


def require_psycopg() -> None:
    if psycopg is None:
        raise StoreError("PostgreSQL stores need psycopg: pip install 'webleads-core[postgres]'")


# -- values ------------------------------------------------------------------------------------

def encode_str(s: str) -> str:
    if "\x00" in s or (s and s[0] in "\x01\x02"):
        return _ESCAPED + base64.b64encode(s.encode("utf-8", "surrogatepass")).decode("ascii")
    return s


def decode_text(s: str) -> str | bytes:
    if s and s[0] in "\x01\x02":
        raw = base64.b64decode(s[1:])
        return raw if s[0] == _BYTES else raw.decode("utf-8", "surrogatepass")
    return s


class _StrDumper(Dumper):  # type: ignore[misc,valid-type]
    """str -> text (unknown oid, like psycopg's default, so strings still fit any type)."""

    oid = 0

    def dump(self, obj: str) -> bytes:
        return encode_str(obj).encode("utf-8", "surrogatepass")


class _BytesDumper(Dumper):  # type: ignore[misc,valid-type]
    """bytes -> text ``\\x01`` + base64 (the columns are TEXT; see the module docstring)."""

    oid = _TEXT_OID

    def dump(self, obj: Any) -> bytes:
        return b"\x01" + base64.b64encode(bytes(obj))


class _BytesBinaryDumper(_BytesDumper):
    format = pq.Format.BINARY if psycopg is not None else 1  # text's binary form is its bytes


class _TextLoader(Loader):  # type: ignore[misc,valid-type]
    def load(self, data: Any) -> Any:
        b = bytes(data)
        if b[:1] in (b"\x01", b"\x02"):
            return decode_text(b.decode("ascii"))
        return b.decode("utf-8")


def _configure(conn: Any) -> None:
    a = conn.adapters
    a.register_dumper(str, _StrDumper)
    for cls in (bytes, bytearray, memoryview):
        a.register_dumper(cls, _BytesDumper)
        a.register_dumper(cls, _BytesBinaryDumper)
    for oid in ("text", "varchar", "bpchar", 0):
        a.register_loader(oid, _TextLoader)


# -- catalog -----------------------------------------------------------------------------------

@attrs.frozen
class Table:
    columns: tuple[str, ...]
    key: tuple[str, ...]
    identity: str | None
    types: tuple[str, ...] = ()  # PostgreSQL type of each column


def load_catalog(conn: Any) -> dict[str, Table]:
    """Columns, primary keys and identity columns of the current schema's tables."""
    cols: dict[str, list[tuple[int, str, bool, str]]] = {}
    for table, column, pos, ident, typ in conn.execute(
            "SELECT table_name, column_name, ordinal_position, is_identity, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema()"):
        cols.setdefault(table, []).append((pos, column, ident == "YES", typ))
    keys: dict[str, list[str]] = {}
    for table, column in conn.execute(
            "SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc "
            "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name "
            "AND kcu.table_schema = tc.table_schema AND kcu.table_name = tc.table_name "
            "WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema() "
            "ORDER BY tc.table_name, kcu.ordinal_position"):
        keys.setdefault(table, []).append(column)
    out = {}
    for table, items in cols.items():
        items.sort()
        ident = next((c for _, c, i, _t in items if i), None)
        out[table] = Table(tuple(c for _, c, _i, _t in items), tuple(keys.get(table, ())), ident,
                           tuple(t for *_, t in items))
    return out


def _array_literal(values: Sequence[Any], numeric: bool) -> str:
    """A PostgreSQL array literal of one column's values, each encoded as the dumpers would."""
    out = []
    for v in values:
        if v is None:
            out.append("NULL")
        elif numeric:
            out.append(repr(float(v)) if isinstance(v, float) else str(int(v)))
        else:
            if isinstance(v, (bytes, bytearray, memoryview)):
                text = _BYTES + base64.b64encode(bytes(v)).decode("ascii")
            else:
                text = encode_str(v if isinstance(v, str) else str(v))
            out.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(out) + "}"


# -- statements --------------------------------------------------------------------------------

@attrs.frozen
class Translated:
    """A statement in PostgreSQL's dialect.  ``order``: which of the caller's parameters
    go where (None: as given); ``returns_id``: ``RETURNING`` was added for ``lastrowid``."""

    sql: str
    order: tuple[int, ...] | None = None
    returns_id: bool = False


_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\s+", re.I)
_OR_REPLACE = re.compile(r"^\s*INSERT\s+OR\s+REPLACE\s+INTO\s+(\w+)\s*(?:\(([^)]*)\))?", re.I)
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.I)
_UPDATE_OR_IGNORE = re.compile(r"^\s*UPDATE\s+OR\s+IGNORE\s+(\w+)\s+SET\s+(\w+)\s*=\s*\?\s+WHERE\s+(\w+)\s*=\s*\?\s*;?\s*$",
                               re.I)
_OTHER_OR = re.compile(r"^\s*(INSERT|UPDATE)\s+OR\s+\w+", re.I)
_IFNULL = re.compile(r"\bifnull\s*\(", re.I)


def _placeholders(sql: str) -> str:
    """``?`` -> ``%s`` and ``%`` -> ``%%`` outside quoted strings and identifiers."""
    out = []
    quote = ""
    for ch in sql:
        if quote:
            out.append("%%" if ch == "%" else ch)
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


def _least_greatest(sql: str) -> str:
    """SQLite's scalar ``min(a, b, ...)``/``max(...)`` -> ``LEAST``/``GREATEST``; aggregates stay."""
    out = sql
    for m in reversed(list(re.finditer(r"\b(min|max)\s*\(", sql, re.I))):
        depth, commas, quote = 0, 0, ""
        for ch in sql[m.end() - 1:]:
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "'\"":
                quote = ch
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    break
            elif ch == "," and depth == 1:
                commas += 1
        if commas:
            name = "LEAST" if m.group(1).lower() == "min" else "GREATEST"
            out = out[:m.start()] + name + "(" + out[m.end():]
    return out


def translate(sql: str, catalog: dict[str, Table]) -> Translated:
    """One SQLite statement of the store in PostgreSQL's dialect (see the module docstring)."""
    text = sql.strip().rstrip(";")
    order: tuple[int, ...] | None = None
    suffix = ""
    m = _UPDATE_OR_IGNORE.match(text)
    if m:
        table, col, where = m.group(1), m.group(2), m.group(3)
        t = catalog.get(table)
        if col != where or t is None or col not in t.key:
            raise StoreError("UPDATE OR IGNORE is translated only as `UPDATE OR IGNORE t SET k=? WHERE k=?` "
                             "on a key column")
        others = " AND ".join(f"o.{k} = {table}.{k}" for k in t.key if k != col) or "TRUE"
        text = (f"UPDATE {table} SET {col}=? WHERE {col}=? AND NOT EXISTS "
                f"(SELECT 1 FROM {table} o WHERE o.{col} = ? AND {others})")
        order = (0, 1, 0)
    elif _OR_IGNORE.match(text):
        text = _OR_IGNORE.sub("INSERT INTO ", text, count=1)
        suffix = " ON CONFLICT DO NOTHING"
    elif _OR_REPLACE.match(text):
        m = _OR_REPLACE.match(text)
        assert m is not None
        table = m.group(1)
        t = catalog.get(table)
        if t is None or not t.key:
            raise StoreError(f"INSERT OR REPLACE into a table without a primary key ({table})")
        text = re.sub(r"^\s*INSERT\s+OR\s+REPLACE\s+INTO\b", "INSERT INTO", text, count=1, flags=re.I)
        rest = [c for c in t.columns if c not in t.key]
        update = ", ".join(f"{c}=EXCLUDED.{c}" for c in rest)
        suffix = f" ON CONFLICT ({', '.join(t.key)}) " + (f"DO UPDATE SET {update}" if rest else "DO NOTHING")
    elif _OTHER_OR.match(text):
        raise StoreError("this SQLite conflict clause has no PostgreSQL translation")
    text = _IFNULL.sub("coalesce(", text)
    text = _least_greatest(text)
    returns_id = False
    ins = _INSERT.match(text)
    if ins and " returning " not in text.lower():
        t = catalog.get(ins.group(1))
        if t is not None and t.identity:
            suffix += f" RETURNING {t.identity}"
            returns_id = True
    return Translated(_placeholders(text) + suffix, order, returns_id)


# -- the connection ----------------------------------------------------------------------------

class PgCursor:
    """The part of ``sqlite3.Cursor`` the store uses."""

    def __init__(self, cur: Any = None, lastrowid: int | None = None, rowcount: int = -1) -> None:
        self._cur = cur
        self.lastrowid = lastrowid
        self.rowcount = cur.rowcount if cur is not None else rowcount
        self._rows = cur is not None and cur.description is not None

    def __repr__(self) -> str:
        return f"PgCursor(rowcount={self.rowcount})"

    @property
    def description(self) -> Any:
        return self._cur.description if self._cur is not None else None

    def fetchone(self) -> tuple | None:
        return self._cur.fetchone() if self._rows else None

    def fetchall(self) -> list[tuple]:
        return self._cur.fetchall() if self._rows else []

    def fetchmany(self, size: int = 1) -> list[tuple]:
        return self._cur.fetchmany(size) if self._rows else []

    def __iter__(self) -> Iterator[tuple]:
        return iter(self._cur) if self._rows else iter(())


_BEGIN = re.compile(r"^\s*BEGIN(\s+(DEFERRED|IMMEDIATE|EXCLUSIVE))?(\s+TRANSACTION)?\s*;?\s*$", re.I)
_END = re.compile(r"^\s*(COMMIT|END)(\s+TRANSACTION)?\s*;?\s*$", re.I)
_ROLLBACK = re.compile(r"^\s*ROLLBACK(\s+TRANSACTION)?\s*;?\s*$", re.I)
_SAVEPOINT = re.compile(r"^\s*SAVEPOINT\s+(\w+)\s*;?\s*$", re.I)
_RELEASE = re.compile(r"^\s*RELEASE(\s+SAVEPOINT)?\s+(\w+)\s*;?\s*$", re.I)
_ROLLBACK_TO = re.compile(r"^\s*ROLLBACK(\s+TRANSACTION)?\s+TO(\s+SAVEPOINT)?\s+(\w+)\s*;?\s*$", re.I)
_PRAGMA = re.compile(r"^\s*PRAGMA\b", re.I)
_OR_IGNORE_TABLE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\s+(\w+)", re.I)
_VALUES = re.compile(r"^\s*INSERT\s+INTO\s+\w+\s*(\(([^()]*)\))?\s*VALUES\s*(\((?:%s\s*,\s*)*%s\s*\))"
                     r"\s*ON CONFLICT DO NOTHING$", re.I | re.S)
_BULK_ROWS = 5000
_NUMERIC = frozenset({"bigint", "integer", "smallint", "double precision", "real", "numeric"})


def _without_detail(exc: Exception) -> Exception:
    """The same error class with its first line only: PostgreSQL puts the offending values
    (``Key (value)=(...)``) in the lines after it, and they must not reach logs."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    try:
        return type(exc)(first)
    except Exception:  # pragma: no cover - an error class with another constructor
        return StoreError(first)


class PgConnection:
    """The part of ``sqlite3.Connection`` (``isolation_level=None``) the store uses.

    ``raw`` is a psycopg connection in autocommit mode; ``catalog`` describes its tables
    (call :meth:`refresh_catalog` after a migration).
    """

    def __init__(self, raw: Any) -> None:
        require_psycopg()
        self.raw = raw
        _configure(raw)
        self.catalog: dict[str, Table] = load_catalog(raw)
        self._cache: dict[str, Translated] = {}
        self._opened_by: str | None = None  # the savepoint that opened the current transaction
        #: Called right after the next ``BEGIN`` instead of taking the exclusive store lock.
        self.on_begin: Callable[[], None] | None = None
        #: Tables whose ``INSERT OR IGNORE`` rows are written behind (see :meth:`executemany`),
        #: in the order they are written (referenced tables first).
        self.write_behind: tuple[str, ...] = ()
        self._pending: list[tuple[str, str, list[tuple]]] = []  # (table, sql, rows)

    def __repr__(self) -> str:
        return f"PgConnection(in_transaction={self.in_transaction})"

    def refresh_catalog(self) -> None:
        self.catalog = load_catalog(self.raw)
        self._cache.clear()

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def _translated(self, sql: str) -> Translated:
        t = self._cache.get(sql)
        if t is None:
            t = self._cache[sql] = translate(sql, self.catalog)
        return t

    def _flush(self, sql: str | None = None) -> None:
        """Write the rows held back, all of them (in order) if ``sql`` may see any of their tables."""
        if not self._pending:
            return
        if sql is not None:
            words = set(re.findall(r"\w+", sql.lower()))
            if not any(table in words for table, _, _ in self._pending):
                return
        pending, self._pending = self._pending, []
        pending.sort(key=lambda p: self.write_behind.index(p[0]))  # stable: one table's rows keep their order
        cur = self.raw.cursor()
        with self.raw.pipeline():  # every held-back statement in one round trip
            for table, text, rows in pending:
                bulk = self._bulk_insert(table, text)
                if bulk is None:
                    cur.executemany(text, rows)
                    continue
                sql, numeric = bulk
                for start in range(0, len(rows), _BULK_ROWS):
                    columns = list(zip(*rows[start:start + _BULK_ROWS]))
                    cur.execute(sql, [_array_literal(col, num) for col, num in zip(columns, numeric)])

    def _bulk_insert(self, table: str, text: str) -> tuple[str, list[bool]] | None:
        """``INSERT ... SELECT * FROM unnest(arrays) ON CONFLICT DO NOTHING`` for a held-back
        single-row insert: one short statement (parsed and planned once) for any number of rows."""
        m = _VALUES.match(text)
        t = self.catalog.get(table)
        if m is None or t is None or not t.types:
            return None
        names = [c.strip() for c in m.group(2).split(",")] if m.group(2) else list(t.columns)
        if any(n not in t.columns for n in names) or len(names) != m.group(3).count("%s"):
            return None
        types = [t.types[t.columns.index(n)] for n in names]
        casts = ", ".join(f"%s::{typ}[]" for typ in types)
        sql = f"INSERT INTO {table} ({', '.join(names)}) SELECT * FROM unnest({casts}) ON CONFLICT DO NOTHING"
        return sql, [typ in _NUMERIC for typ in types]

    def _begin(self) -> None:
        self.raw.execute("BEGIN")
        hook, self.on_begin = self.on_begin, None
        if hook is not None:
            hook()
        else:
            self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (STORE_LOCK,))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> PgCursor:
        try:
            return self._execute(sql, params)
        except psycopg.Error as exc:
            raise _without_detail(exc) from None

    def _execute(self, sql: str, params: Sequence[Any]) -> PgCursor:
        if _BEGIN.match(sql):
            self._begin()
            return PgCursor()
        if _END.match(sql):
            self._opened_by = None
            self._flush()
            self.raw.execute("COMMIT")
            return PgCursor()
        if _ROLLBACK.match(sql):
            self._opened_by = None
            self._pending = []
            self.raw.execute("ROLLBACK")
            return PgCursor()
        m = _SAVEPOINT.match(sql)
        if m:
            self._flush()
            name = m.group(1)
            if not self.in_transaction:
                self._begin()
                self._opened_by = name
            self.raw.execute(f"SAVEPOINT {name}")
            if name == "webleads_audit":  # the audit chain: one appender at a time
                self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (AUDIT_LOCK,))
            return PgCursor()
        m = _RELEASE.match(sql)
        if m:
            self._flush()
            self.raw.execute(f"RELEASE SAVEPOINT {m.group(2)}")
            if self._opened_by == m.group(2):
                self._opened_by = None
                self.raw.execute("COMMIT")
            return PgCursor()
        m = _ROLLBACK_TO.match(sql)
        if m:
            self._flush()  # written before the savepoint's end, then rolled back with it, as SQLite would
            self.raw.execute(f"ROLLBACK TO SAVEPOINT {m.group(3)}")
            return PgCursor()
        if _PRAGMA.match(sql):
            raise StoreError("PRAGMA statements are SQLite's: the PostgreSQL store does not take them")
        t = self._translated(sql)
        self._flush(t.sql)
        args = tuple(params) if t.order is None else tuple(params[i] for i in t.order)
        cur = self.raw.execute(t.sql, args)
        if t.returns_id:
            row = cur.fetchone()
            return PgCursor(lastrowid=row[0] if row else None, rowcount=1 if row else 0)
        return PgCursor(cur)

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> PgCursor:
        try:
            return self._executemany(sql, seq)
        except psycopg.Error as exc:
            raise _without_detail(exc) from None

    def _executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> PgCursor:
        """As sqlite3's.  Inside a transaction, ``INSERT OR IGNORE`` rows into a table of
        :attr:`write_behind` are held back and sent together (one round trip) before the
        next statement that names that table, before a savepoint ends and at ``COMMIT``:
        no statement can tell, and a batch saves a round trip per group."""
        t = self._translated(sql)
        text = t.sql
        if t.returns_id:
            text = text[:text.rfind(" RETURNING ")]
        rows = [tuple(p) if t.order is None else tuple(p[i] for i in t.order) for p in seq]
        if not rows:
            return PgCursor(rowcount=0)
        m = _OR_IGNORE_TABLE.match(sql)
        if m and m.group(1).lower() in self.write_behind and self.in_transaction:
            # rows of one statement join the ones held before them (inserts into different
            # tables commute; one table's rows keep their order)
            for table, held, acc in self._pending:
                if held == text:
                    acc.extend(rows)
                    break
            else:
                self._pending.append((m.group(1).lower(), text, rows))
            return PgCursor(rowcount=-1)
        self._flush(text)
        cur = self.raw.cursor()
        cur.executemany(text, rows)
        return PgCursor(rowcount=cur.rowcount)

    def executescript(self, script: str) -> None:
        raise StoreError("executescript is SQLite's: PostgreSQL migrations live in pg_schema.py")

    def commit(self) -> None:
        if self.in_transaction:
            self.raw.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.raw.execute("ROLLBACK")

    def close(self) -> None:
        self.raw.close()
