"""The remembered address-header parses: the same contacts and defects as parsing every
time, returned so that no caller can change what the next message gets, and only short
values kept (the cache's memory stays bounded on hostile headers)."""

from __future__ import annotations

from pathlib import Path

from webleads_core.mail import parse_address_header, parse_message
from webleads_core.mail import parse as P
from webleads_core.mail.limits import DEFAULT_LIMITS

MAILBOX = Path(__file__).resolve().parents[1] / "examples" / "mailbox"


def test_cached_and_fresh_parses_agree_on_the_demo_mailbox():
    P._addresses_cached.cache_clear()
    raws = [p.read_bytes() for p in sorted(MAILBOX.glob("*/*")) if p.is_file() and p.stat().st_size]
    first = [parse_message(r).contacts for r in raws]
    second = [parse_message(r).contacts for r in raws]  # now from the cache
    assert P._addresses_cached.cache_info().hits > 0
    assert first == second
    for value in ('"Doe, Jane" <jane@example.com>, bob@example.org', "undisclosed-recipients:;",
                  "=?utf-8?q?J=C3=BCrgen?= <j@example.de>", "not an address"):
        pairs, defects = parse_address_header(value, DEFAULT_LIMITS)
        cached = P._addresses(value, DEFAULT_LIMITS)
        assert (list(cached[0]), list(cached[1])) == (pairs, defects)


def test_a_caller_cannot_change_a_remembered_result():
    value = "Ann <ann@example.com>"
    pairs, _ = P._addresses(value, DEFAULT_LIMITS)
    assert isinstance(pairs, tuple)  # immutable: the next message gets the same answer
    raw = b"From: Ann <ann@example.com>\r\nTo: Bob <bob@example.org>\r\nSubject: x\r\n\r\nHi\r\n"
    a = parse_message(raw).contacts
    b = parse_message(raw).contacts
    assert a == b and [c.email for c in a] == ["ann@example.com", "bob@example.org"]


def test_long_values_are_not_kept():
    P._addresses_cached.cache_clear()
    long_to = ", ".join(f"user{i}@example.com" for i in range(200))  # over the 1,000-char bound
    raw = f"From: a@example.com\r\nTo: {long_to}\r\nSubject: x\r\n\r\nHi\r\n".encode()
    parse_message(raw)
    kept = P._addresses_cached.cache_info().currsize
    assert kept == 1  # the From value only
    assert len(parse_message(raw).contacts) == 201
