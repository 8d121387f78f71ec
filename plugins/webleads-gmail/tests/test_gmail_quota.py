"""Rate limits and server errors: exponential backoff with jitter and a cap, Retry-After
honoured, parts of a batch retried alone, pacing of gets, and a cursor that never
passes what was stored."""

from __future__ import annotations

import random
import time

import pytest

from webleads_core.components import SourceContext
from webleads_core.records import Checkpoint, Document
from webleads_gmail.errors import GmailApiError, GmailQuotaError
from webleads_gmail.retry import Backoff, RateLimiter, classify, parse_retry_after
from webleads_gmail.testing.helpers import drain, fill


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap():
    a = Backoff(base=1.0, cap=64.0, rng=random.Random(1))
    b = Backoff(base=1.0, cap=64.0, rng=random.Random(2))
    da = [a.delay(n) for n in range(10)]
    db = [b.delay(n) for n in range(10)]
    for n, d in enumerate(da):
        e = min(64.0, 2.0 ** n)
        assert e / 2 <= d <= e
    assert da != db, "two clients must not retry in lockstep"
    assert max(da) <= 64.0 and da[8] >= 32.0
    assert a.delay(0, retry_after=7.0) >= 7.0  # never less than Retry-After


def test_retry_after_and_error_classification():
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412460.0) == pytest.approx(20.0)
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
    env = lambda reason: ('{"error": {"code": 403, "errors": [{"reason": "%s"}]}}' % reason).encode()
    assert classify(429, {}, b"").retry
    assert classify(403, {}, env("userRateLimitExceeded")).retry
    assert classify(403, {}, env("rateLimitExceeded")).retry
    assert not classify(403, {}, env("dailyLimitExceeded")).retry
    assert not classify(403, {}, env("insufficientPermissions")).retry
    assert classify(503, {"retry-after": "4"}, b"").retry_after == 4.0
    assert not classify(404, {}, b"").retry and not classify(400, {}, b"<html>").retry


def test_rate_limiter_paces_gets():
    now = [0.0]
    sleeps = []

    def sleep(s):
        sleeps.append(s)
        now[0] += s

    lim = RateLimiter(50, clock=lambda: now[0], sleep=sleep)
    for _ in range(6):
        lim.acquire(50)  # six batches of 50 gets
    assert now[0] == pytest.approx(5.0)  # the first goes at once, then one a second
    assert lim.waited == pytest.approx(5.0)
    RateLimiter(0, clock=lambda: now[0], sleep=sleep).acquire(10_000)
    assert now[0] == pytest.approx(5.0)


def test_source_stays_under_the_get_rate(standin, make_gmail):
    fill(standin, 200)
    src = make_gmail(max_gets_per_second=100)
    src.sleep = None  # real sleeping: the limiter must hold the real rate
    t0 = time.monotonic()
    out = drain(src)
    elapsed = time.monotonic() - t0
    assert len(out["docs"]) == 200
    # a one-second burst of 100, then 100/s: 200 gets cannot take less than a second
    # (unpaced, the stand-in serves them in about a third of that)
    assert elapsed >= 0.98 and src.api.limiter.waited >= 0.5


def test_429_and_403_rate_limits_back_off_and_honour_retry_after(standin, make_gmail):
    fill(standin, 5)
    src = make_gmail()
    standin.inject("messages.list", "tooManyConcurrent", retry_after="2")
    standin.inject("profile", "userRateLimitExceeded")
    standin.inject("profile", "rateLimitExceeded")
    out = drain(src)
    assert len(out["docs"]) == 5
    assert len(src.waits) == 3 and max(src.waits) >= 2.0  # the Retry-After wait
    assert src.api.stats.retries == 3


def test_rate_limited_parts_of_a_batch_are_retried_alone(standin, make_gmail):
    ids = fill(standin, 60)
    standin.inject("messages.get", "tooManyConcurrent", message_id=ids[7])
    standin.inject("messages.get", "userRateLimitExceeded", message_id=ids[30], times=2)
    standin.inject("messages.get", "backendError", message_id=ids[44])
    src = make_gmail()
    out = drain(src)
    assert sorted(d.item_id for d in out["docs"]) == sorted(ids)
    # newest first: ids[59..10] then ids[9..0]; failed parts go again in a batch of their own
    assert standin.batch_sizes == [50, 2, 1, 10, 1]
    assert len(src.waits) == 3


def test_a_whole_batch_failing_is_retried(standin, make_gmail):
    fill(standin, 10)
    standin.inject("batch", "unavailable", times=2)
    standin.inject("batch", "raw:502")
    src = make_gmail()
    assert len(drain(src)["docs"]) == 10 and len(src.waits) == 3


def test_retry_budget_runs_out_without_advancing_the_cursor(standin, make_gmail):
    fill(standin, 3)
    src = make_gmail(page_size=3, retries=4)
    seen: set[str] = set()
    cursor = drain(src, None, seen)["checkpoints"][-1].cursor
    new = fill(standin, 7, start=20)
    standin.inject("messages.get", "tooManyConcurrent", message_id=new[4], times=100)
    got = []
    with pytest.raises(GmailQuotaError) as info:
        for obj in src.read(cursor, SourceContext(is_seen=lambda i: i in seen)):
            got.append(obj)
            if isinstance(obj, Document):
                seen.add(obj.item_id)
    assert info.value.reason == "gmail.quota" and len(src.waits) == 3
    checkpoints = [o for o in got if isinstance(o, Checkpoint)]
    # page 1 (3 records) was stored and checkpointed; page 2 holds the failing message
    assert len(checkpoints) == 1
    failing_record = next(r["id"] for r in standin.mailbox.history
                          if r.get("messagesAdded", [{}])[0].get("message", {}).get("id") == new[4])
    assert checkpoints[0].cursor["history_id"] < failing_record
    standin.faults.clear()
    out = drain(src, checkpoints[0].cursor, seen)
    assert sorted(d.item_id for d in out["docs"]) == sorted(new[3:])


def test_a_retry_after_beyond_max_retry_wait_stops_at_once(standin, make_gmail):
    fill(standin, 2)
    standin.inject("messages.list", "tooManyConcurrent", retry_after="86400", times=5)
    src = make_gmail(max_retry_wait=60)
    with pytest.raises(GmailQuotaError, match="more than max_retry_wait"):
        drain(src)
    assert src.waits == []


def test_daily_quota_is_not_retried(standin, make_gmail):
    fill(standin, 2)
    standin.inject("messages.list", "dailyLimitExceeded", times=5)
    src = make_gmail()
    with pytest.raises(GmailQuotaError) as info:
        drain(src)
    assert info.value.reason == "gmail.quota_exhausted" and src.waits == []


def test_server_errors_on_single_calls_are_retried_then_reported(standin, make_gmail):
    fill(standin, 2)
    standin.inject("history.list", "backendError", times=1)
    src = make_gmail(retries=3)
    seen: set[str] = set()
    cursor = drain(src, None, seen)["checkpoints"][-1].cursor
    assert drain(src, cursor, seen)["checkpoints"], "one 500 is retried"
    standin.inject("history.list", "raw:503", times=10)
    with pytest.raises(GmailApiError) as info:
        drain(src, cursor, seen)
    assert info.value.reason == "gmail.server_error" and info.value.status == 503
