"""Talking to one API politely and safely, on top of the core's safe HTTP client.

:class:`webleads_core.net.HttpClient` does the dangerous part (SSRF checks on every
address, one total deadline per response, decoded-size and decompression caps).
This module adds what an API needs on top:

- **rate limit**: at most ``rate_limit`` requests per second (a minimum interval);
- **429**: wait ``Retry-After`` (seconds or an HTTP date) and retry; a wait longer
  than ``max_retry_after`` ends the sync with ``api.rate_limited`` rather than
  hanging the run;
- **5xx and transient network errors** (``net.connect``, ``net.deadline``,
  ``net.protocol``): exponential backoff with jitter, capped, ``max_retries`` times;
- **401**: one credential refresh (OAuth2), then :class:`CredentialsError`;
- **redirects** are followed only within the same origin (scheme, host, port): the
  credentials of a request must never travel to another host;
- **JSON**: a body that does not parse is ``api.not_json``, one that stops in the
  middle is ``api.truncated``; nesting deeper than the parser's recursion limit is
  ``api.not_json`` too.

No message, log line or error carries a URL (it may hold an API key in its query),
a header, or a body.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import random
import time
from typing import Any, Callable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import attrs

from webleads_core.net import FetchError, HttpClient

from .auth import Auth
from .errors import ApiError, CredentialsError

log = logging.getLogger("webleads.sources.api")

_TRANSIENT = ("net.connect", "net.deadline", "net.protocol")


@attrs.frozen
class RetryPolicy:
    """How hard to try.

    Attributes:
        rate_limit: requests per second (0: no limit).
        max_retries: retries per request after a 429, a 5xx or a transient error.
        backoff: first backoff in seconds (doubled each retry, with +-25 % jitter).
        max_backoff: longest single backoff.
        max_retry_after: longest ``Retry-After`` honoured; longer ends the sync.
        max_redirects: same-origin redirects followed per request.
    """

    rate_limit: float = 0.0
    max_retries: int = 4
    backoff: float = 1.0
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    max_redirects: int = 5


@attrs.define
class Stats:
    """What the session did (diagnostics and tests; no URLs, no values)."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    waited: float = 0.0


class ApiSession:
    """GET JSON pages from one API.

    Args:
        client: the safe HTTP client (its policy sets deadline and size caps).
        auth: credentials added to every request.
        headers: static headers (``Accept`` defaults to ``application/json``).
        retry: the :class:`RetryPolicy`.
        sleep, clock: injectable for tests of the waiting logic.
    """

    def __init__(self, client: HttpClient, *, auth: Auth | None = None,
                 headers: dict[str, str] | None = None, retry: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.auth = auth or Auth()
        self.headers = {"Accept": "application/json", **(headers or {})}
        self.retry = retry or RetryPolicy()
        self.stats = Stats()
        self._sleep = sleep
        self._clock = clock
        self._next_at = 0.0
        if hasattr(self.auth, "fetch") and getattr(self.auth, "fetch") is None:
            self.auth.fetch = self._raw_fetch  # type: ignore[attr-defined]

    # -- sending -------------------------------------------------------------------

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.stats.waited += seconds
            self._sleep(seconds)

    def _throttle(self) -> None:
        if self.retry.rate_limit > 0:
            now = self._clock()
            if now < self._next_at:
                self._wait(self._next_at - now)
            self._next_at = max(now, self._next_at) + 1.0 / self.retry.rate_limit

    def _raw_fetch(self, method: str, url: str, headers: dict, body: bytes | None) -> tuple[int, dict, bytes]:
        """One request without retries (the OAuth2 token request uses it)."""
        self._throttle()
        self.stats.requests += 1
        try:
            resp = self.client.request(method, url, headers=headers, body=body, follow_redirects=False)
        except FetchError as exc:
            raise ApiError(exc.reason, f"token request failed: {exc.reason}") from None
        return resp.status, resp.headers, resp.body

    def get_json(self, url: str) -> tuple[Any, dict[str, str], str]:
        """``(parsed body, response headers, final URL)`` of a GET, after retries."""
        attempt = 0
        refreshed = False
        redirects = 0
        current = url
        while True:
            headers = dict(self.headers)
            extra: list[tuple[str, str]] = []
            self.auth.prepare(headers, extra)
            target = _with_query(current, extra) if extra else current
            self._throttle()
            self.stats.requests += 1
            try:
                resp = self.client.request("GET", target, headers=headers, follow_redirects=False)
            except FetchError as exc:
                if exc.reason in _TRANSIENT and attempt < self.retry.max_retries:
                    attempt += 1
                    self.stats.retries += 1
                    log.info("API request failed (%s): retry %d", exc.reason, attempt)
                    self._wait(self._backoff(attempt))
                    continue
                raise ApiError(exc.reason, f"API request failed: {exc.reason}") from None
            status = resp.status
            if status in (301, 302, 303, 307, 308) and resp.headers.get("location"):
                nxt = urljoin(current, resp.headers["location"].strip())
                if not _same_origin(current, nxt):
                    raise ApiError("api.redirect_off_origin",
                                   "the API redirected to another origin; credentials are not sent there")
                redirects += 1
                if redirects > self.retry.max_redirects:
                    raise ApiError("net.too_many_redirects", "too many redirects")
                current = nxt
                continue
            if status == 429 or (status == 503 and "retry-after" in resp.headers):
                self.stats.rate_limited += 1
                delay = retry_after(resp.headers.get("retry-after"))
                if delay is None:
                    delay = self._backoff(attempt + 1)
                if delay > self.retry.max_retry_after:
                    raise ApiError("api.rate_limited", f"the API asked to wait {delay:.0f} s")
                if attempt >= self.retry.max_retries:
                    raise ApiError("api.rate_limited", f"still rate limited after {attempt} retries")
                attempt += 1
                self.stats.retries += 1
                log.info("API rate limit (HTTP %d): waiting %.1f s", status, delay)
                self._wait(delay)
                continue
            if 500 <= status < 600:
                if attempt < self.retry.max_retries:
                    attempt += 1
                    self.stats.retries += 1
                    log.info("API server error (HTTP %d): retry %d", status, attempt)
                    self._wait(self._backoff(attempt))
                    continue
                raise ApiError("api.http_5xx", f"the API answered HTTP {status} after {attempt} retries")
            if status in (401, 403):
                if status == 401 and not refreshed and self.auth.refresh():
                    refreshed = True
                    continue
                raise CredentialsError("api.unauthorized" if status == 401 else "api.forbidden",
                                       f"the API refused the credentials (HTTP {status})")
            if not 200 <= status < 300:
                raise ApiError("api.http_4xx", f"the API answered HTTP {status}")
            declared = resp.headers.get("content-length", "").strip()
            if (declared.isdigit() and not resp.headers.get("content-encoding")
                    and len(resp.body) < int(declared)):
                raise ApiError("api.truncated", "the API answer is shorter than its Content-Length")
            return parse_json(resp.body), resp.headers, current

    def _backoff(self, attempt: int) -> float:
        base = min(self.retry.max_backoff, self.retry.backoff * (2 ** max(0, attempt - 1)))
        return base * random.uniform(0.75, 1.25)


def parse_json(body: bytes) -> Any:
    """Parse a JSON body: ``api.not_json`` or ``api.truncated`` when it cannot be."""
    if not body or not body.strip():
        raise ApiError("api.not_json", "the API answered with an empty body")
    try:
        text = body.decode("utf-8-sig") if body[:3] == b"\xef\xbb\xbf" else body.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return json.loads(body)  # json detects UTF-16 and UTF-32 by itself
        except (ValueError, RecursionError):
            raise ApiError("api.not_json", "the API answer is not JSON") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # a document cut short fails at its very end, or inside a string left open
        if text.lstrip()[:1] in ("{", "[") and (exc.pos >= len(text.rstrip())
                                                 or exc.msg.startswith("Unterminated string")):
            raise ApiError("api.truncated", "the API answer stops in the middle") from None
        raise ApiError("api.not_json", "the API answer is not JSON") from None
    except (ValueError, RecursionError):  # huge integers, nesting deeper than the recursion limit
        raise ApiError("api.not_json", "the API answer is not usable JSON") from None


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if len(value) < 16:
        try:
            seconds = float(value)
        except ValueError:
            pass
        else:
            return max(0.0, seconds) if seconds == seconds else None
    try:
        when = email.utils.parsedate_to_datetime(value[:64])
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


def _same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    try:
        return (pa.scheme.lower(), pa.hostname, pa.port) == (pb.scheme.lower(), pb.hostname, pb.port)
    except ValueError:
        return False


def _with_query(url: str, extra: list[tuple[str, str]]) -> str:
    parts = urlsplit(url)
    names = {k for k, _ in extra}
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in names] + extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
