"""Rate limits and transient failures: what to retry, how long to wait, how fast to go.

Gmail allows a user about 250 quota units a second; ``messages.get`` costs 5, so about
50 gets a second.  :class:`RateLimiter` paces gets to stay under that, and
:class:`Backoff` waits exponentially longer, with jitter, after a 429, a 403
``rateLimitExceeded``/``userRateLimitExceeded`` or a 5xx, and never less than a
``Retry-After`` the server sent.  A ``Retry-After`` longer than ``max_retry_wait``, or
running out of attempts, stops the run without advancing the cursor.
"""

from __future__ import annotations

import email.utils
import json
import random
import threading
import time
from typing import Callable, Mapping

import attrs

#: 403 reasons that mean "slow down" (anything else on 403 is final).
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
#: 403 reasons that mean the day's quota is gone: retrying within a run does not help.
QUOTA_REASONS = frozenset({"dailyLimitExceeded", "quotaExceeded"})
#: Transport failures worth another try.
TRANSIENT_NET = frozenset({"net.connect", "net.deadline", "net.protocol", "net.dns"})


@attrs.frozen
class Verdict:
    """What an error response means.

    Attributes:
        reason: a ``gmail.*`` reason code.
        retry: True when waiting and trying again may succeed.
        retry_after: seconds the server asked to wait, if it said.
    """

    reason: str
    retry: bool
    retry_after: float | None = None


def error_reason(content: bytes | str | None) -> str:
    """The first ``errors[].reason`` of Google's error envelope ('' when absent)."""
    if not content:
        return ""
    try:
        data = json.loads(content[:65536] if isinstance(content, (bytes, str)) else content)
        errors = data["error"].get("errors") or []
        reason = errors[0].get("reason", "") if errors else ""
        if not reason:
            details = data["error"].get("details") or []
            reason = next((d.get("reason", "") for d in details if isinstance(d, dict)), "")
        return str(reason)[:60]
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return ""


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date; None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(min(int(value), 10**7))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def classify(status: int, headers: Mapping[str, str] | None, content: bytes | str | None) -> Verdict:
    """Decide on an HTTP error status (>= 300) of the API."""
    headers = headers or {}
    after = parse_retry_after(headers.get("retry-after"))
    reason = error_reason(content)
    if status == 429:
        return Verdict("gmail.rate_limited", True, after)
    if status == 403:
        if reason in RATE_REASONS:
            return Verdict("gmail.rate_limited", True, after)
        if reason in QUOTA_REASONS:
            return Verdict("gmail.quota_exhausted", False, after)
        if reason == "insufficientPermissions":
            return Verdict("gmail.insufficient_scope", False)
        return Verdict("gmail.forbidden", False)
    if status in (500, 502, 503, 504):
        return Verdict("gmail.server_error", True, after)
    if status == 404:
        return Verdict("gmail.not_found", False)
    if status == 401:
        return Verdict("gmail.unauthorized", False)
    if status == 400:
        return Verdict("gmail.failed_precondition" if reason == "failedPrecondition" else "gmail.bad_request",
                       False)
    return Verdict(f"gmail.http_{status}", False)


@attrs.define
class Backoff:
    """Exponential backoff with jitter and a cap.

    The n-th wait (n = 0, 1, ...) is drawn uniformly from ``[e/2, e]`` with
    ``e = min(cap, base * 2**n)`` ("equal jitter": clients that failed together do not
    retry together, and no wait collapses to zero), and is at least ``retry_after``.

    Attributes:
        sleep: the sleeping function (tests record instead of sleeping).
        waits: every wait taken, in seconds (for tests and logs).
    """

    base: float = 1.0
    cap: float = 64.0
    attempts: int = 8
    max_wait: float = 300.0
    rng: random.Random = attrs.field(factory=random.Random)
    sleep: Callable[[float], None] = time.sleep
    waits: list[float] = attrs.field(factory=list)

    def delay(self, n: int, retry_after: float | None = None) -> float:
        e = min(self.cap, self.base * (2 ** min(n, 30)))
        d = self.rng.uniform(e / 2, e) if e > 0 else 0.0
        if retry_after is not None:
            d = max(d, retry_after)
        return d

    def wait(self, n: int, retry_after: float | None = None) -> None:
        d = self.delay(n, retry_after)
        self.waits.append(d)
        if d > 0:
            self.sleep(d)


class RateLimiter:
    """A token bucket: ``acquire(n)`` returns once n more calls fit into ``rate`` per
    second, with bursts of up to one second's worth.  A request that overdraws the
    bucket sleeps off the debt.  A rate of 0 turns pacing off.

    Attributes:
        waited: total seconds slept so far.
    """

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate = float(rate)
        self.capacity = max(1.0, self.rate)
        self._tokens = self.capacity
        self._clock = clock
        self.sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()
        self.waited = 0.0

    def acquire(self, n: int = 1) -> None:
        if self.rate <= 0:
            return
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= n
            if self._tokens < 0:
                pause = -self._tokens / self.rate
                self.waited += pause
                self.sleep(pause)
                self._tokens = 0.0
                self._last = now + pause  # the debt is paid at the end of the pause
