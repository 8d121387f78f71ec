"""The Gmail calls the source makes, each with retries, pacing and typed errors.

The discovery-based service and its ``users().messages()`` / ``users().history()``
resources are built once per source (rebuilding them per call cost two thirds of the
throughput when tried).  Message bodies come with ``format=raw`` in batch requests of
at most 50 sent to ``<api_endpoint>batch/gmail/v1``: ``service.new_batch_http_request()``
would post to the discovery document's root URL and ignore a configured endpoint.

Inside a batch every part has its own status: 404 means the message was deleted
after it was listed (skipped, counted as missing); 429, 403 rate limits, 5xx and 401
(after a token refresh) are retried in a smaller batch after a backoff; a batch whose
response is over ``max_batch_bytes`` or unreadable is split in halves, and a single
message that is still too big is read without its attachments (``format=full``), or
as its headers only (``format=metadata``).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator, Sequence
from typing import Any, Callable

import attrs
from googleapiclient.discovery import build
from googleapiclient.errors import BatchError, HttpError
from googleapiclient.http import BatchHttpRequest

from webleads_core.errors import ConfigError
from webleads_core.net import FetchError

from .errors import REAUTH_HINT, GmailApiError, GmailAuthError, GmailQuotaError, HistoryExpired, RawInvalid
from .options import GmailOptions
from .rawmail import decode_raw, from_full, headers_only
from .retry import TRANSIENT_NET, Backoff, RateLimiter, Verdict, classify
from .transport import AuthorizedTransport, SafeTransport

log = logging.getLogger("webleads.gmail")

SYSTEM_SKIP = ("SPAM", "TRASH")


@attrs.frozen
class Fetched:
    """One message asked for in a batch.

    Attributes:
        id: the Gmail message id.
        status: ``ok``; ``text_only`` or ``headers_only`` (too big to fetch whole: rebuilt
            from its headers and text parts, or from its headers alone); ``missing``
            (deleted since it was listed); or a ``gmail.*`` reason code it was skipped for.
        raw: the message bytes (personal data) unless it was skipped.
        label_ids: the message's labels now.
        truncated: only the head and tail of a long message were kept.
    """

    id: str
    status: str
    raw: bytes = attrs.field(default=b"", repr=False)
    label_ids: tuple[str, ...] = ()
    truncated: bool = False


@attrs.define
class ApiStats:
    """Calls made by one source (no personal data): tests and benchmarks read them."""

    calls: int = 0
    batches: int = 0
    batch_sizes: list[int] = attrs.field(factory=list)
    gets: int = 0
    retries: int = 0
    splits: int = 0
    refreshes: int = 0


class _Batch(BatchHttpRequest):
    """A batch whose per-part 401s are handled by our transport.

    ``BatchHttpRequest.execute`` redoes parts that answered 401 after refreshing the
    credentials it finds on the http object, through a new ``httplib2.Http()``.  Ours
    has none to find (see :mod:`.transport`), so this hook refreshes through the safe
    transport instead; the redo then carries the new token in the outer request.
    """

    def __init__(self, *, batch_uri: str, refresh: Callable[[], None]) -> None:
        super().__init__(batch_uri=batch_uri)
        self._refresh_once = refresh
        self._did_refresh = False

    def _refresh_and_apply_credentials(self, request: Any, http: Any) -> None:
        if not self._did_refresh:
            self._refresh_once()
            self._did_refresh = True


class GmailApi:
    """One user's mailbox through the API.

    Args:
        options: the source's options.
        credentials: google-auth credentials (see :mod:`.credentials`).
        sleep: the sleeping function of backoff and pacing (tests record instead).
    """

    def __init__(self, options: GmailOptions, credentials: Any, *,
                 sleep: Callable[[float], None] | None = None, rng: random.Random | None = None) -> None:
        self.options = options
        self.transport = SafeTransport(allow_networks=options.allow_networks, timeout=options.timeout,
                                       max_batch_bytes=options.max_batch_bytes)
        self.http = AuthorizedTransport(credentials, self.transport)
        sleep = time.sleep if sleep is None else sleep
        self.backoff = Backoff(base=options.backoff, cap=options.backoff_cap, attempts=options.retries,
                               max_wait=options.max_retry_wait, rng=rng or random.Random(), sleep=sleep)
        self.limiter = RateLimiter(options.max_gets_per_second, sleep=sleep)
        self.stats = ApiStats()
        self.service = build("gmail", "v1", http=self.http, static_discovery=True, cache_discovery=False,
                             client_options={"api_endpoint": options.api_endpoint})
        self._users = self.service.users()
        self._messages = self._users.messages()
        self._history = self._users.history()
        self._labels = self._users.labels()

    def set_sleep(self, sleep: Callable[[float], None]) -> None:
        self.backoff.sleep = sleep
        self.limiter.sleep = sleep

    # -- single calls --------------------------------------------------------------------

    def _execute(self, request: Any, what: str) -> dict[str, Any]:
        """Run one request with retries; raise typed errors."""
        n = 0
        while True:
            self.stats.calls += 1
            try:
                result = request.execute(num_retries=0)
                return result if isinstance(result, dict) else {}
            except HttpError as exc:
                verdict = classify(exc.resp.status, exc.resp, exc.content)
                status = exc.resp.status
            except FetchError as exc:
                if exc.reason not in TRANSIENT_NET:
                    raise GmailApiError(f"gmail.{exc.reason}", f"{what}: {exc.reason}") from None
                verdict, status = Verdict(f"gmail.{exc.reason}", True), 0
            except ValueError:  # a 2xx body that is not JSON
                verdict, status = Verdict("gmail.bad_response", True), 200
            if verdict.reason == "gmail.not_found" and what == "history.list":
                raise HistoryExpired("gmail.history_expired")
            n = self._retry_or_raise(verdict, status, what, n)

    def _retry_or_raise(self, verdict: Verdict, status: int, what: str, n: int) -> int:
        """Wait before attempt ``n + 1`` or raise when that is pointless or too late."""
        if not verdict.retry:
            if verdict.reason == "gmail.insufficient_scope":
                raise GmailAuthError(f"the stored authorization does not allow reading Gmail; {REAUTH_HINT}",
                                     reason=verdict.reason)
            if verdict.reason == "gmail.quota_exhausted":
                raise GmailQuotaError(verdict.reason, f"{what}: daily quota exhausted", status=status)
            raise GmailApiError(verdict.reason, f"{what}: HTTP {status} ({verdict.reason})", status=status)
        if verdict.retry_after is not None and verdict.retry_after > self.backoff.max_wait:
            raise GmailQuotaError("gmail.quota", f"{what}: server asks to wait {verdict.retry_after:.0f} s "
                                  f"(more than max_retry_wait)", status=status)
        if n + 1 >= self.backoff.attempts:
            cls = GmailQuotaError if verdict.reason == "gmail.rate_limited" else GmailApiError
            raise cls(verdict.reason if cls is GmailApiError else "gmail.quota",
                      f"{what}: still failing after {n + 1} attempts ({verdict.reason})", status=status)
        self.stats.retries += 1
        log.info("%s: %s, retrying (attempt %d)", what, verdict.reason, n + 2)
        self.backoff.wait(n, verdict.retry_after)
        return n + 1

    def profile(self) -> dict[str, Any]:
        return self._execute(self._users.getProfile(userId="me"), "users.getProfile")

    def resolve_labels(self, wanted: Sequence[str]) -> tuple[str, ...]:
        """Label ids for the configured names or ids (names match case-insensitively)."""
        if not wanted:
            return ()
        labels = self._execute(self._labels.list(userId="me"), "labels.list").get("labels") or []
        by_id = {lab.get("id"): lab.get("id") for lab in labels if isinstance(lab, dict)}
        by_name = {str(lab.get("name", "")).casefold(): lab.get("id") for lab in labels if isinstance(lab, dict)}
        out = []
        for i, name in enumerate(wanted):
            found = by_id.get(name) or by_name.get(name.casefold())
            if not found:
                raise ConfigError(f"gmail: labels[{i}] is not a label of this mailbox")
            out.append(str(found))
        return tuple(dict.fromkeys(out))

    def list_page(self, label_ids: Sequence[str], query: str, page_token: str | None,
                  include_spam_trash: bool) -> tuple[list[str], str | None]:
        """One ``messages.list`` page: message ids and the next page token."""
        kw: dict[str, Any] = {"userId": "me", "maxResults": self.options.page_size}
        if label_ids:
            kw["labelIds"] = list(label_ids)
        if query:
            kw["q"] = query
        if include_spam_trash:
            kw["includeSpamTrash"] = True
        if page_token:
            kw["pageToken"] = page_token
        page = self._execute(self._messages.list(**kw), "messages.list")
        ids = [str(m["id"]) for m in page.get("messages") or () if isinstance(m, dict) and m.get("id")]
        token = page.get("nextPageToken")
        return ids, (str(token) if token else None)

    def history_page(self, start: int, page_token: str | None, types: Sequence[str]) -> dict[str, Any]:
        """One ``history.list`` page; :class:`HistoryExpired` on 404."""
        kw: dict[str, Any] = {"userId": "me", "startHistoryId": str(start), "maxResults": self.options.page_size,
                              "historyTypes": list(types)}
        if page_token:
            kw["pageToken"] = page_token
        return self._execute(self._history.list(**kw), "history.list")

    # -- message fetches -------------------------------------------------------------------

    def fetch(self, ids: Sequence[str]) -> Iterator[Fetched]:
        """Fetch messages as raw RFC 822 in batches of ``batch_size``; yields one
        :class:`Fetched` per id, in order."""
        size = self.options.batch_size
        for start in range(0, len(ids), size):
            chunk = list(ids[start:start + size])
            results: dict[str, Fetched] = {}
            self._fetch_chunk(chunk, results)
            for mid in chunk:
                yield results[mid]

    def _fetch_chunk(self, chunk: list[str], results: dict[str, Fetched]) -> None:
        pending = list(chunk)
        n = 0
        while pending:
            verdicts: dict[str, tuple[Verdict, int]] = {}
            try:
                self._run_batch(pending, results, verdicts)
            except FetchError as exc:
                if exc.reason == "net.too_large" or len(pending) > 1 and exc.reason == "net.deadline":
                    self._split(pending, results)
                    return
                if exc.reason not in TRANSIENT_NET:
                    raise GmailApiError(f"gmail.{exc.reason}", f"batch: {exc.reason}") from None
                n = self._retry_or_raise(Verdict(f"gmail.{exc.reason}", True), 0, "batch", n)
                continue
            except (BatchError, ValueError, KeyError, TypeError, UnicodeError):
                # an unreadable answer (BatchError, a subclass of HttpError, is a 2xx that is not
                # a batch; the others come from a part that is not JSON or has no Content-ID):
                # split to isolate the message that provokes it
                if len(pending) > 1:
                    self._split(pending, results)
                    return
                results[pending[0]] = Fetched(pending[0], "gmail.bad_response")
                return
            except HttpError as exc:  # the batch request as a whole failed
                n = self._retry_or_raise(classify(exc.resp.status, exc.resp, exc.content), exc.resp.status,
                                         "batch", n)
                continue
            if not verdicts:
                return
            pending = [mid for mid in pending if mid in verdicts]
            worst = max(verdicts.values(), key=lambda v: v[0].retry_after or 0.0)
            n = self._retry_or_raise(worst[0], worst[1], "messages.get", n)

    def _split(self, pending: list[str], results: dict[str, Fetched]) -> None:
        self.stats.splits += 1
        if len(pending) == 1:
            results[pending[0]] = self._too_big(pending[0])
            return
        half = len(pending) // 2
        log.info("batch response over the cap: splitting %d messages in two", len(pending))
        self._fetch_chunk(pending[:half], results)
        self._fetch_chunk(pending[half:], results)

    def _run_batch(self, pending: list[str], results: dict[str, Fetched],
                   verdicts: dict[str, tuple[Verdict, int]]) -> None:
        max_bytes = self.options.max_message_bytes

        def done(request_id: str, response: Any, exception: Any) -> None:
            if exception is not None:
                status = getattr(getattr(exception, "resp", None), "status", 0)
                verdict = classify(status, exception.resp, exception.content)
                if verdict.reason == "gmail.not_found":
                    results[request_id] = Fetched(request_id, "missing")
                elif verdict.retry or verdict.reason == "gmail.unauthorized":
                    verdicts[request_id] = (attrs.evolve(verdict, retry=True), status)
                else:
                    results[request_id] = Fetched(request_id, verdict.reason)
                return
            if not isinstance(response, dict):
                results[request_id] = Fetched(request_id, "gmail.bad_response")
                return
            labels = tuple(str(x) for x in response.get("labelIds") or () if isinstance(x, str))
            try:
                raw, truncated = decode_raw(response.get("raw"), max_bytes)
            except RawInvalid as exc:
                results[request_id] = Fetched(request_id, exc.reason, label_ids=labels)
                return
            results[request_id] = Fetched(request_id, "ok", raw, labels, truncated)

        self.limiter.acquire(len(pending))
        batch = _Batch(batch_uri=self.options.batch_uri, refresh=self._refresh)
        for mid in pending:
            batch.add(self._messages.get(userId="me", id=mid, format="raw"), callback=done, request_id=mid)
        self.stats.calls += 1
        self.stats.batches += 1
        self.stats.batch_sizes.append(len(pending))
        self.stats.gets += len(pending)
        self.http.ensure_valid()
        batch.execute(http=self.http)

    def _refresh(self) -> None:
        self.stats.refreshes += 1
        self.http.refresh()

    def _too_big(self, mid: str) -> Fetched:
        """A message too big to fetch whole: its headers and text parts (``format=full``
        leaves attachments out), or only its headers (``format=metadata``) when even
        that is over the cap."""
        for fmt in ("full", "metadata"):
            self.limiter.acquire(1)
            self.stats.gets += 1
            try:
                msg = self._execute(self._messages.get(userId="me", id=mid, format=fmt), "messages.get")
            except GmailApiError as exc:
                if exc.reason == "gmail.not_found":
                    return Fetched(mid, "missing")
                if exc.reason == "gmail.net.too_large" and fmt == "full":
                    continue
                transient = exc.reason.startswith("gmail.net.") and exc.reason[len("gmail."):] in TRANSIENT_NET
                if isinstance(exc, GmailQuotaError) or transient or exc.status in (401, 429) or exc.status >= 500:
                    raise
                return Fetched(mid, exc.reason)
            payload = msg.get("payload") if isinstance(msg.get("payload"), dict) else {}
            labels = tuple(str(x) for x in msg.get("labelIds") or () if isinstance(x, str))
            if fmt == "full":
                return Fetched(mid, "text_only", from_full(payload), labels)
            return Fetched(mid, "headers_only", headers_only(payload.get("headers") or ()), labels)
        raise AssertionError("unreachable")  # pragma: no cover
