"""``type = "imap"``: incremental, read-only sync of IMAP folders.

How one run goes, per folder:

1. ``EXAMINE`` (read-only) gives UIDVALIDITY and UIDNEXT.  The cursor holds
   ``{"uidvalidity", "last_uid"}`` per folder; nothing above ``last_uid`` below UIDNEXT
   means nothing to do (a rerun with no new mail costs a login and one EXAMINE per folder).
   A changed UIDVALIDITY yields :class:`~webleads_core.records.Resync` and rescans the
   folder; item ids do not depend on UIDs, so the store's dedup (and
   ``context.is_seen``) keeps every message, contact and piece of evidence counted once.
2. ``UID SEARCH`` lists the new UIDs in windows of at most 50,000 UIDs (bounded lines).
3. For each batch of ``batch_size`` UIDs: one FETCH of ``UID RFC822.SIZE BODYSTRUCTURE``
   and a few header fields (for the item id), then, only for messages the store has not
   seen, FETCHes of the header block and the chosen text part (its head and tail when
   long), grouped into few round trips.  Attachments are never transferred.
4. A :class:`~webleads_core.records.Checkpoint` with the new cursor follows each batch;
   the engine commits it after the batch is stored.

Faults: a dropped connection, ``BYE`` or timeout reconnects with exponential backoff and
resumes from the last checkpoint the source yielded (messages already handed on in this
run are not handed on twice).  A server that breaks the stream (a literal over the cap, a
line over the cap) gets its batch retried one message at a time after reconnecting, and
a message that provokes it twice on its own is skipped: yielded as
:class:`~webleads_core.records.Rejected` with the reason code (the engine quarantines its
id), and logged by count only.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from typing import Any, Callable, Iterator, Mapping, TypeVar

import attrs

from webleads_core.components import SourceConfig, SourceContext
from webleads_core.mail.limits import DEFAULT_LIMITS
from webleads_core.mail.parse import split_headers
from webleads_core.records import Checkpoint, Document, Rejected, Resync

from . import utf7
from .assemble import build_message, join_head_tail
from .bodystructure import Part, Plan, plan
from .client import ImapClient, make_ssl_context
from .errors import CommandFailed, ConnectionLost, ProtocolViolation
from .options import ImapOptions, parse_options
from .wire import as_int

log = logging.getLogger("webleads.imap")

#: Header bytes fetched: the parser rejects a longer block (``mail.header_too_large``).
HEADER_CAP = DEFAULT_LIMITS.max_header_bytes + 4096
#: UIDs per SEARCH: bounds the length of one response line.
SEARCH_SPAN = 50_000
#: Planned body bytes per FETCH command.
FETCH_BUDGET = 8 * 1024 * 1024
ID_FIELDS = b"MESSAGE-ID DATE FROM TO SUBJECT"
META_ITEMS = b"(UID RFC822.SIZE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (" + ID_FIELDS + b")])"
_MSGID = re.compile(rb"<([^<>\s]{1,900})>")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
T = TypeVar("T")


def folder_key(name: str) -> str:
    """The cursor key of a folder: a digest, since a folder name can name a person."""
    return "folder:" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]


def item_id_for(id_fields: bytes, size: int | None) -> str:
    """A stable item id: a digest of the Message-ID, or of a few header fields and the
    size when there is none.  It does not depend on the folder, the UID or UIDVALIDITY,
    so a rescan (or the same message in two folders) is one item."""
    fields, _, _ = split_headers(id_fields.rstrip(b"\r\n"))
    for name, value in fields:
        if name == "message-id":
            m = _MSGID.search(value)
            mid = m.group(1) if m else value.strip()
            if mid:
                return "mid:" + hashlib.sha256(mid).hexdigest()[:32]
    h = hashlib.sha256()
    for name, value in sorted(fields):
        h.update(name.encode() + b"\0" + b" ".join(value.split()) + b"\0")
    h.update(str(size).encode())
    return "hdr:" + h.hexdigest()[:32]


def imap_date(d: Any) -> bytes:
    return f"{d.day:02d}-{_MONTHS[d.month - 1]}-{d.year:04d}".encode("ascii")


@attrs.frozen
class Folder:
    name: str = attrs.field(repr=False)
    encoded: bytes = attrs.field(repr=False)
    index: int = 0


@attrs.frozen
class Meta:
    """What the first FETCH of a batch tells about one message."""

    uid: int
    item_id: str = attrs.field(repr=False)
    plan: Plan
    size: int


@attrs.define
class SyncState:
    """The cursor: ``{folder_key: {"uidvalidity": int, "last_uid": int}}``."""

    folders: dict[str, dict[str, int]] = attrs.field(factory=dict)

    @classmethod
    def from_cursor(cls, cursor: Mapping[str, Any] | None) -> SyncState:
        out: dict[str, dict[str, int]] = {}
        for key, value in (cursor or {}).items():
            if isinstance(key, str) and key.startswith("folder:") and isinstance(value, Mapping):
                uv, last = value.get("uidvalidity"), value.get("last_uid")
                if isinstance(uv, int) and isinstance(last, int) and last >= 0:
                    out[key] = {"uidvalidity": uv, "last_uid": last}
        return cls(out)

    def cursor(self) -> dict[str, Any]:
        return {k: dict(v) for k, v in sorted(self.folders.items())}


@attrs.define
class Stats:
    """Counts of one read (no personal data): for logs, tests and benchmarks."""

    messages: int = 0
    skipped_seen: int = 0
    skipped_broken: int = 0
    missing: int = 0
    reconnects: int = 0
    fetch_commands: int = 0
    bytes_planned: int = 0
    resyncs: int = 0


class ImapSource:
    """The ``imap`` source.  Construction validates the config and reads the secret
    (errors are one-line :class:`ConfigError`); connecting waits for :meth:`read`."""

    def __init__(self, config: SourceConfig) -> None:
        self.config = config
        self.name = config.name
        self.options: ImapOptions = parse_options(config)
        self.owner = config.owner or self.options.username
        self.stats = Stats()
        self.sleep: Callable[[float], None] = time.sleep

    def __repr__(self) -> str:
        return f"ImapSource(name={self.name!r})"

    def read(self, cursor: Mapping[str, Any] | None, context: SourceContext) -> Iterator:
        run = _Run(self, context)
        state = SyncState.from_cursor(cursor)
        try:
            folders = run.retrying(run.resolve_folders)
            for folder in folders:
                yield from run.sync_folder(folder, state)
            yield Checkpoint(self.name, state.cursor())
        finally:
            run.close()


class _Run:
    """The state of one ``read``: the connection, what was handed on, what to isolate."""

    def __init__(self, source: ImapSource, context: SourceContext) -> None:
        self.source = source
        self.options = source.options
        self.context = context
        self.stats = source.stats = Stats()
        self.conn: ImapClient | None = None
        self.yielded: set[str] = set()  # handed on since the last checkpoint
        self.suspects: set[int] = set()  # fetch these one by one (a batch broke the stream)
        self.skip: set[int] = set()  # these broke the stream alone, twice: not fetched again
        self.strikes: dict[int, int] = {}
        self.meta_ids: dict[int, str] = {}  # uid -> item id, for the batch in hand
        self.uidvalidity = 0
        self.pending: list[Rejected] = []  # skipped messages to report to the engine
        self.inflight: tuple[int, ...] = ()
        self.resync_sent = False
        self.current: bytes | None = None

    # -- connection ---------------------------------------------------------------------

    def client(self) -> ImapClient:
        if self.conn is None or self.conn.closed:
            o = self.options
            conn = ImapClient.connect(o.host, o.port, o.security, ssl_context=make_ssl_context(o.ca_file),
                                      limits=o.limits)
            try:
                if o.auth == "xoauth2":
                    conn.login_xoauth2(o.username, o.secret.reveal())
                else:
                    conn.login(o.username, o.secret.reveal())
            except BaseException:
                conn.close()
                raise
            self.conn = conn
            self.current = None
        return self.conn

    def drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None
        self.current = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.logout()
        self.conn = None

    def _wait(self, failures: int, reason: str) -> None:
        self.stats.reconnects += 1
        delay = min(60.0, self.options.backoff * (2 ** (failures - 1)))
        log.warning("source %s: IMAP connection lost (%s); reconnecting in %.1f s (attempt %d of %d)",
                    self.source.name, reason, delay, failures, self.options.retries)
        self.source.sleep(delay)

    def _on_violation(self, exc: ProtocolViolation) -> bool:
        """Isolate the UIDs in flight; True when that made progress (no retry counted)."""
        uids = self.inflight
        self.inflight = ()
        if len(uids) > 1:
            self.suspects.update(uids)
            log.warning("source %s: the IMAP server broke a batch (%s); retrying it message by message",
                        self.source.name, exc.reason)
            return True
        if len(uids) == 1:
            uid = uids[0]
            self.strikes[uid] = self.strikes.get(uid, 0) + 1
            if self.strikes[uid] < 2:
                return True  # once more alone: the break may have been the server's, not the message's
            self.skip.add(uid)
            self.stats.skipped_broken += 1
            item_id = self.meta_ids.get(uid) or f"uid:{self.uidvalidity}:{uid}"
            self.pending.append(Rejected(self.source.name, item_id, exc.reason))
            log.warning("source %s: skipped a message the server cannot send within the caps (%s)",
                        self.source.name, exc.reason)
            return True
        return False

    def retrying(self, func: Callable[[], T]) -> T:
        failures = 0
        while True:
            try:
                return func()
            except (ConnectionLost, ProtocolViolation) as exc:
                self.drop()
                failures += 1
                if failures > self.options.retries:
                    raise
                self._wait(failures, exc.reason)

    # -- folders ------------------------------------------------------------------------------

    def resolve_folders(self) -> list[Folder]:
        """The configured folders, or INBOX and the SPECIAL-USE ``\\Sent`` folder."""
        if self.options.folders:
            return [Folder(f, b"INBOX" if f.upper() == "INBOX" else utf7.encode(f), i)
                    for i, f in enumerate(self.options.folders)]
        folders = [Folder("INBOX", b"INBOX", 0)]
        for mb in self.client().list_mailboxes():
            if "\\sent" in mb.flags and not {"\\noselect", "\\nonexistent"} & mb.flags \
                    and mb.encoded.upper() != b"INBOX":
                folders.append(Folder(mb.name, mb.encoded, 1))
                break
        else:
            log.info("source %s: the server marks no folder as \\Sent; reading INBOX only",
                     self.source.name)
        return folders

    def sync_folder(self, folder: Folder, state: SyncState) -> Iterator:
        failures = 0
        while True:
            progress = [False]
            try:
                yield from self._sync_folder_once(folder, state, progress)
                return
            except CommandFailed as exc:
                if exc.reason == "imap.folder_unavailable":
                    log.error("source %s: folder #%d cannot be opened read-only; skipped",
                              self.source.name, folder.index + 1)
                    return
                raise
            except ProtocolViolation as exc:
                self.drop()
                isolated = self._on_violation(exc)
                yield from self.pending  # quarantined by the engine, with the reason code
                self.pending.clear()
                if isolated:
                    continue
                failures = 1 if progress[0] else failures + 1
                if failures > self.options.retries:
                    raise
                self._wait(failures, exc.reason)
            except ConnectionLost as exc:
                self.drop()
                self.inflight = ()
                failures = 1 if progress[0] else failures + 1
                if failures > self.options.retries:
                    raise
                self._wait(failures, exc.reason)

    def _sync_folder_once(self, folder: Folder, state: SyncState, progress: list[bool]) -> Iterator:
        name = self.source.name
        conn = self.client()
        status = conn.examine(folder.encoded)
        self.current = folder.encoded
        self.uidvalidity = status.uidvalidity
        key = folder_key(folder.name)
        prev = state.folders.get(key)
        if prev is not None and prev["uidvalidity"] != status.uidvalidity:
            self.stats.resyncs += 1
            log.info("source %s: UIDVALIDITY of folder #%d changed; rescanning it with dedup",
                     name, folder.index + 1)
            if not self.resync_sent:
                self.resync_sent = True
                yield Resync(name, "uidvalidity changed")
            prev = None
        if prev is None:
            prev = state.folders[key] = {"uidvalidity": status.uidvalidity, "last_uid": 0}
        uidnext = status.uidnext
        if uidnext is None:
            found = conn.uid_search(b"UID 1:*") if status.exists else []
            uidnext = (found[-1] + 1) if found else 1
        top = uidnext - 1
        lo = prev["last_uid"] + 1
        since = b" SINCE " + imap_date(self.options.since) if self.options.since else b""
        while lo <= top:
            hi = min(lo + SEARCH_SPAN - 1, top)
            uids = [u for u in conn.uid_search(b"UID %d:%d%s" % (lo, hi, since))
                    if lo <= u <= hi and u not in self.skip]
            for i in range(0, len(uids), self.options.batch_size):
                batch = uids[i:i + self.options.batch_size]
                yield from self._batch(conn, batch)
                prev["last_uid"] = batch[-1]
                progress[0] = True
                yield Checkpoint(name, state.cursor())
                # the engine stored everything before the checkpoint: from here on the
                # store's is_seen() knows those items, so the run's own memory can go
                self.yielded.clear()
            prev["last_uid"] = hi
            lo = hi + 1
        if prev["last_uid"] < top:
            prev["last_uid"] = top

    # -- batches ------------------------------------------------------------------------------

    def _fetch(self, conn: ImapClient, uids: list[int], items: bytes) -> dict[int, dict[bytes, Any]]:
        self.inflight = tuple(uids)
        self.stats.fetch_commands += 1
        out, unparseable = conn.uid_fetch(uids, items)
        self.inflight = ()
        if unparseable:
            self.stats.skipped_broken += unparseable
            log.warning("source %s: %d FETCH responses could not be parsed; those messages are skipped",
                        self.source.name, unparseable)
        return out

    def _meta(self, conn: ImapClient, batch: list[int]) -> dict[int, Meta]:
        groups = [[u] for u in batch if u in self.suspects]
        rest = [u for u in batch if u not in self.suspects]
        if rest:
            groups.insert(0, rest)
        metas: dict[int, Meta] = {}
        for group in groups:
            for uid, item in self._fetch(conn, group, META_ITEMS).items():
                size = as_int(item.get(b"RFC822.SIZE"))
                ids = next((v for k, v in item.items() if k.startswith(b"BODY[HEADER.FIELDS")), b"")
                metas[uid] = Meta(uid=uid, item_id=item_id_for(ids if isinstance(ids, bytes) else b"", size),
                                  plan=plan(item.get(b"BODYSTRUCTURE"), size), size=size or 0)
                self.meta_ids[uid] = metas[uid].item_id
        return metas

    def _batch(self, conn: ImapClient, batch: list[int]) -> Iterator[Document]:
        self.meta_ids = {}
        metas = self._meta(conn, batch)
        todo: list[Meta] = []
        planned: set[str] = set()
        for uid in batch:
            m = metas.get(uid)
            if m is None:
                self.stats.missing += 1  # expunged meanwhile, or unparseable: tolerated
                continue
            if m.item_id in self.yielded or m.item_id in planned or self.context.is_seen(m.item_id):
                self.stats.skipped_seen += 1
                continue
            planned.add(m.item_id)
            todo.append(m)
        ready: dict[int, bytes] = {}
        for group, items in self._groups(todo):
            fetched = self._fetch(conn, [m.uid for m in group], items)
            for m in group:
                data = fetched.get(m.uid)
                header = data.get(b"BODY[HEADER]<0>") if data else None
                if not isinstance(header, bytes) or not header.strip():
                    # expunged between the two FETCHes: absent, or (Dovecot, with
                    # [EXPUNGEISSUED]) returned with empty sections
                    self.stats.missing += 1
                    continue
                ready[m.uid] = self._assemble(m, data)
        for m in todo:  # in UID order, whatever the grouping of the FETCHes
            raw = ready.pop(m.uid, None)
            if raw is None:
                continue
            self.yielded.add(m.item_id)
            self.stats.messages += 1
            yield Document.from_email(self.source.name, m.item_id, raw, owner=self.source.owner)

    @staticmethod
    def _items(m: Meta) -> list[bytes]:
        items = [b"BODY.PEEK[HEADER]<0.%d>" % HEADER_CAP]
        for part in m.plan.parts:
            sec = part.section.encode("ascii")
            ranges = part.ranges()
            if ranges is None:
                items.append(b"BODY.PEEK[%s]" % sec)
            else:
                items.extend(b"BODY.PEEK[%s]<%d.%d>" % (sec, start, n) for start, n in ranges)
        return items

    def _groups(self, todo: list[Meta]) -> Iterator[tuple[list[Meta], bytes]]:
        """Messages with the same FETCH items share a command, within a byte budget;
        suspects go alone."""
        by_items: dict[tuple[bytes, ...], list[Meta]] = {}
        for m in todo:
            if m.uid in self.suspects:
                yield [m], b"(" + b" ".join(self._items(m)) + b")"
                continue
            by_items.setdefault(tuple(self._items(m)), []).append(m)
        for items, metas in by_items.items():
            group: list[Meta] = []
            budget = 0
            for m in metas:
                cost = HEADER_CAP + sum(p.planned_bytes() for p in m.plan.parts)
                self.stats.bytes_planned += cost
                if group and budget + cost > FETCH_BUDGET:
                    yield group, b"(" + b" ".join(items) + b")"
                    group, budget = [], 0
                group.append(m)
                budget += cost
            if group:
                yield group, b"(" + b" ".join(items) + b")"

    @staticmethod
    def _assemble(m: Meta, data: dict[bytes, Any]) -> bytes:
        header = data.get(b"BODY[HEADER]<0>")
        if not isinstance(header, bytes):
            header = b""
        bodies: list[tuple[Part, bytes]] = []
        for part in m.plan.parts:
            ranges = part.ranges()
            if ranges is None:
                body = data.get(b"BODY[%s]" % part.section.encode("ascii"))
                if not isinstance(body, bytes):
                    body = data.get(b"BODY[%s]<0>" % part.section.encode("ascii"))
                if isinstance(body, bytes):
                    bodies.append((part, body))
                continue
            (h0, _), (t0, _) = ranges
            head = data.get(b"BODY[%s]<%d>" % (part.section.encode("ascii"), h0))
            tail = data.get(b"BODY[%s]<%d>" % (part.section.encode("ascii"), t0))
            if isinstance(head, bytes) and isinstance(tail, bytes):
                bodies.append((part, join_head_tail(head, tail)))
            elif isinstance(head, bytes):
                bodies.append((part, head))
        return build_message(header, bodies, structured=m.plan.structured, header_cap=HEADER_CAP)
