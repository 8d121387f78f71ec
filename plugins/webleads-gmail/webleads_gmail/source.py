"""``type = "gmail"``: a Gmail mailbox through the API, read-only.

One run:

1. ``users.getProfile`` gives the owner's address and the mailbox's current historyId.
2. **Incremental** (a cursor for the same filter exists): ``history.list`` from the
   cursor's historyId, one page at a time.  Messages added (and, with a label filter,
   messages that gained a wanted label; and messages taken out of Spam, Trash or
   Drafts) are fetched unless the store has them, then a checkpoint with the last
   history record of the page follows, so an interrupted run resumes from the last
   stored page.  With a ``query``, new messages are kept only when ``messages.list``
   with that query lists them.
3. **Full** (first run, changed filter, or history expired: HTTP 404, which yields a
   :class:`~webleads_core.records.Resync` first): the historyId of step 1 is recorded,
   ``messages.list`` pages through every message of the filter, messages the store has
   not seen are fetched, and the recorded historyId becomes the cursor only after the
   last page.  Anything that changed during the full sync is in the history after it.

Item ids are Gmail message ids, stable across resyncs: the store's dedup (and
``context.is_seen``) keeps a rescan from fetching or counting anything twice.

Spam, Trash and drafts are left out unless the options ask for them, in both kinds of
sync, judged on the labels a message has when it is fetched.  A message that cannot be
used (malformed ``raw``: ``gmail.raw_invalid``; refused by the API) is yielded as
:class:`~webleads_core.records.Rejected`: the engine counts it as skipped and
quarantines its id and reason.  A message deleted between list and get is not an
error: it is counted in :attr:`GmailSource.stats` and left out.  Logs carry counts and
reason codes only.  A failure that retrying does not cure (quota,
credentials, the network) stops the source with no checkpoint past what was stored.
"""

from __future__ import annotations

import collections
import logging
from typing import Any, Callable, Iterator, Mapping

import attrs

from webleads_core.components import SourceConfig, SourceContext
from webleads_core.errors import WebleadsError
from webleads_core.records import Checkpoint, Document, Rejected, Resync

from .cursor import GmailCursor, filter_digest
from .errors import HistoryExpired
from .options import GmailOptions, parse_options

log = logging.getLogger("webleads.gmail")

#: Skip reasons that may not recur (an answer garbled once): the message is left for the
#: next full sync instead of being quarantined as a rejected item.
RETRY_LATER = frozenset({"gmail.bad_response"})
#: Recently yielded ids kept in memory: anything older was committed by the engine
#: (it flushes every 200 items) and ``is_seen`` answers for it.
RECENT = 4096


@attrs.define
class SyncStats:
    """Counts of one ``read`` (no personal data): logs, tests and benchmarks read them."""

    mode: str = ""
    messages: int = 0
    skipped_seen: int = 0
    filtered: int = 0
    missing: int = 0
    text_only: int = 0
    headers_only: int = 0
    truncated: int = 0
    list_pages: int = 0
    history_pages: int = 0
    resyncs: int = 0
    rejected: collections.Counter = attrs.field(factory=collections.Counter)


class _Recent:
    """A bounded set of the last ids handed on."""

    def __init__(self, size: int = RECENT) -> None:
        self._set: set[str] = set()
        self._order: collections.deque[str] = collections.deque()
        self._size = size

    def __contains__(self, item: str) -> bool:
        return item in self._set

    def add(self, item: str) -> None:
        if item in self._set:
            return
        self._set.add(item)
        self._order.append(item)
        if len(self._order) > self._size:
            self._set.discard(self._order.popleft())


class GmailSource:
    """The ``gmail`` source.  Construction validates the options and the credentials
    file (one-line :class:`ConfigError`); the network waits for :meth:`read`.  The API
    client (and its service objects) is built on the first read and reused."""

    def __init__(self, config: SourceConfig) -> None:
        self.config = config
        self.name = config.name
        self.options: GmailOptions = parse_options(config)
        from .credentials import load_credentials

        self._credentials = load_credentials(self.options, f"source {config.name!r}")
        self._api: Any = None
        self.stats = SyncStats()
        self.sleep: Callable[[float], None] | None = None  # tests: record waits instead of sleeping

    def __repr__(self) -> str:
        return f"GmailSource(name={self.name!r})"

    @property
    def api(self) -> Any:
        if self._api is None:
            from .api import GmailApi

            self._api = GmailApi(self.options, self._credentials, sleep=self.sleep)
        elif self.sleep is not None:
            self._api.set_sleep(self.sleep)
        return self._api

    def read(self, cursor: Mapping[str, Any] | None, context: SourceContext) -> Iterator[Any]:
        self.stats = SyncStats()
        try:
            # a WebleadsError raised here (auth, quota) is shown by the engine in one line with
            # its reason code; its message holds codes and statuses, never content or tokens
            yield from _Run(self, context).sync(GmailCursor.from_mapping(cursor))
        finally:
            s = self.stats
            if s.rejected or s.missing:
                log.warning("source %s: skipped %d messages (%s), %d deleted before they were fetched",
                            self.name, sum(s.rejected.values()),
                            ", ".join(f"{k}: {v}" for k, v in sorted(s.rejected.items())) or "none", s.missing)
            log.info("source %s: %s sync, %d messages, %d already stored", self.name, s.mode or "no",
                     s.messages, s.skipped_seen)


class _Run:
    """The state of one ``read``."""

    def __init__(self, source: GmailSource, context: SourceContext) -> None:
        self.source = source
        self.name = source.name
        self.options = source.options
        self.context = context
        self.stats = source.stats
        self.api = source.api
        self.recent = _Recent()
        self.owner = source.config.owner
        self.label_ids: tuple[str, ...] = ()

    def sync(self, cursor: GmailCursor | None) -> Iterator[Any]:
        o = self.options
        profile = self.api.profile()
        if not self.owner:
            self.owner = str(profile.get("emailAddress") or "")
        current = _history_id(profile.get("historyId"))
        self.label_ids = self.api.resolve_labels(o.labels)
        digest = filter_digest(self.label_ids, o.query, o.include_spam_trash, o.include_drafts)
        if cursor is not None and cursor.filter == digest:
            try:
                yield from self.incremental(cursor.history_id, digest)
                return
            except HistoryExpired:
                log.info("source %s: history expired, full resync", self.name)
                self.stats.resyncs += 1
                yield Resync(self.name, "gmail history expired")
                current = _history_id(self.api.profile().get("historyId"))
        elif cursor is not None:
            self.stats.resyncs += 1
            yield Resync(self.name, "gmail filter changed")
        yield from self.full(current, digest)

    # -- full -------------------------------------------------------------------------

    def full(self, start: int, digest: str) -> Iterator[Any]:
        """Every message of the filter; the cursor only after the last page."""
        self.stats.mode = "full"
        o = self.options
        token: str | None = None
        while True:
            ids, token = self.api.list_page(self.label_ids, o.query, token, o.include_spam_trash)
            self.stats.list_pages += 1
            yield from self.fetch(ids)
            if not token:
                break
        yield Checkpoint(self.name, GmailCursor(start, digest).to_mapping())

    # -- incremental ---------------------------------------------------------------------

    def incremental(self, start: int, digest: str) -> Iterator[Any]:
        """What the history says was added since ``start``; a checkpoint per page."""
        self.stats.mode = "incremental"
        o = self.options
        types = ["messageAdded"]
        if self.label_ids:
            types.append("labelAdded")
        if self.skipped_labels():
            types.append("labelRemoved")  # a message leaving Spam, Trash or Drafts
        wanted = set(self.label_ids)
        token: str | None = None
        position = start
        while True:
            page = self.api.history_page(start, token, types)
            self.stats.history_pages += 1
            records = [r for r in page.get("history") or () if isinstance(r, dict)]
            ids = self.candidates(records, wanted)
            if o.query and ids:
                ids = self.matching_query(ids)
            yield from self.fetch(ids)
            for r in records:
                position = max(position, _history_id(r.get("id"), position))
            token = page.get("nextPageToken") or None
            if not token:
                position = max(position, _history_id(page.get("historyId"), position))
                yield Checkpoint(self.name, GmailCursor(position, digest).to_mapping())
                return
            yield Checkpoint(self.name, GmailCursor(position, digest).to_mapping())

    def skipped_labels(self) -> set[str]:
        """System labels whose messages are left out (as ``messages.list`` does for Spam
        and Trash; drafts are unsent and rewritten on every save)."""
        skip = set() if self.options.include_spam_trash else {"SPAM", "TRASH"}
        if not self.options.include_drafts:
            skip.add("DRAFT")
        return skip

    def candidates(self, records: list[dict[str, Any]], wanted: set[str]) -> list[str]:
        """Message ids a page of history may add to the selection, in order, once each."""
        skip = self.skipped_labels()
        out: dict[str, None] = {}
        for r in records:
            for entry in r.get("messagesAdded") or ():
                msg = _msg(entry)
                if msg and not skip & set(msg.get("labelIds") or ()):
                    out[msg["id"]] = None
            for entry in r.get("labelsAdded") or ():
                msg = _msg(entry)
                if msg and wanted & set(entry.get("labelIds") or ()):
                    out[msg["id"]] = None
            for entry in r.get("labelsRemoved") or ():
                msg = _msg(entry)
                if msg and skip & set(entry.get("labelIds") or ()):
                    out[msg["id"]] = None
        return list(out)

    def matching_query(self, ids: list[str]) -> list[str]:
        """Those of ``ids`` that ``messages.list`` with the query lists (history has no
        ``q``); pages until all are found or the list ends."""
        o = self.options
        left = {i for i in ids if i not in self.recent and not self.context.is_seen(i)}
        found: set[str] = set()
        token: str | None = None
        while left - found:
            listed, token = self.api.list_page(self.label_ids, o.query, token, o.include_spam_trash)
            self.stats.list_pages += 1
            found |= left.intersection(listed)
            if not token:
                break
        return [i for i in ids if i in found]

    # -- fetching ------------------------------------------------------------------------

    def fetch(self, ids: list[str]) -> Iterator[Document | Rejected]:
        todo = []
        for mid in ids:
            if mid in self.recent or self.context.is_seen(mid):
                self.stats.skipped_seen += 1
            else:
                todo.append(mid)
        if not todo:
            return
        wanted = set(self.label_ids)
        skip = self.skipped_labels()
        for f in self.api.fetch(todo):
            self.recent.add(f.id)
            if f.status == "missing":
                self.stats.missing += 1
                continue
            if f.status not in ("ok", "text_only", "headers_only"):
                self.stats.rejected[f.status] += 1
                if f.status not in RETRY_LATER:
                    yield Rejected(self.name, f.id, f.status)  # counted, quarantined, not read again
                continue
            labels = set(f.label_ids)
            if (wanted and not wanted <= labels) or skip & labels:
                self.stats.filtered += 1
                continue
            if f.status == "text_only":
                self.stats.text_only += 1
            elif f.status == "headers_only":
                self.stats.headers_only += 1
            self.stats.truncated += f.truncated
            self.stats.messages += 1
            yield Document.from_email(self.name, f.id, f.raw, owner=self.owner)


def _msg(entry: Any) -> dict[str, Any] | None:
    msg = entry.get("message") if isinstance(entry, dict) else None
    if isinstance(msg, dict) and isinstance(msg.get("id"), str) and msg["id"]:
        return msg
    return None


def _history_id(value: Any, default: int | None = None) -> int:
    """A historyId (a decimal string in the API) as an int."""
    try:
        hid = int(str(value))
    except (TypeError, ValueError):
        if default is None:
            from .errors import GmailApiError

            raise GmailApiError("gmail.bad_response", "missing historyId") from None
        return default
    return hid if hid > 0 else (default or 0)
