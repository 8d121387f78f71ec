"""Hostile and broken input from the API (BAD_INPUTS case 44, case 7 through the API's
JSON, malformed base64url, a message deleted between list and get, oversized mail),
each within the 2 s CPU / 256 MB bar where it applies."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest

from webleads_core.components import SourceConfig, SourceContext
from webleads_core.records import Checkpoint
from webleads_core.testing.bounded import run_bounded
from webleads_core.testing.helpers import eml
from webleads_gmail.errors import GmailQuotaError
from webleads_gmail.rawmail import decode_raw, headers_only
from webleads_gmail.source import GmailSource
from webleads_gmail.testing.helpers import Waits, drain, fill


def _source(options: dict, tmp_path: Path) -> GmailSource:
    src = GmailSource(SourceConfig(name="gm", type="gmail", owner="me@standin.example", options=options,
                                   base_dir=tmp_path))
    src.waits = Waits()  # type: ignore[attr-defined]
    src.sleep = src.waits
    return src


def _case44(options: dict, tmp_path: Path, cursor: dict, seen: list[str]) -> dict:
    """In a child: expired history plus rate limits; returns what the read did."""
    src = _source(options, tmp_path)
    store = set(seen)
    out = drain(src, cursor, store)
    return {"resyncs": [r.reason for r in out["resyncs"]], "docs": [d.item_id for d in out["docs"]],
            "checkpoints": [c.cursor for c in out["checkpoints"]], "first": type(out["all"][0]).__name__,
            "waits": list(src.waits), "stats": (src.stats.resyncs, src.stats.skipped_seen)}


def test_case_44_expired_history_and_429_resync_with_capped_backoff(standin, options, tmp_path):
    fill(standin, 40)
    opts = options(backoff=0.5, backoff_cap=2.0, retries=8)
    seen: set[str] = set()
    cursor = drain(_source(opts, tmp_path), None, seen)["checkpoints"][-1].cursor
    new = fill(standin, 5, start=60)
    standin.mailbox.expire_history()
    standin.inject("history.list", "tooManyConcurrent", times=2)
    standin.inject("messages.list", "tooManyConcurrent", times=4)
    standin.inject("messages.get", "userRateLimitExceeded", message_id=new[2], times=1)
    got = run_bounded(_case44, opts, tmp_path, cursor, sorted(seen), cpu_seconds=2.0, memory_mb=256,
                      wall_seconds=20)
    assert got["first"] == "Resync" and got["resyncs"] == ["gmail history expired"]
    assert sorted(got["docs"]) == sorted(new)  # nothing stored is fetched again
    assert [c["history_id"] for c in got["checkpoints"]] == [standin.mailbox.history_id]
    waits = got["waits"]
    assert len(waits) == 7 and max(waits) <= 2.0  # exponential, capped
    assert waits[2] < waits[5] and waits[4] >= 1.0


def test_case_44_quota_that_never_clears_leaves_the_cursor(standin, make_gmail):
    fill(standin, 10)
    src = make_gmail(retries=3)
    seen: set[str] = set()
    cursor = drain(src, None, seen)["checkpoints"][-1].cursor
    fill(standin, 3, start=30)
    standin.mailbox.expire_history()
    standin.inject("messages.list", "tooManyConcurrent", times=100)
    got = []
    with pytest.raises(GmailQuotaError):
        for obj in src.read(cursor, SourceContext(is_seen=lambda i: i in seen)):
            got.append(obj)
    assert [type(o).__name__ for o in got] == ["Resync"]  # no checkpoint: the next run resyncs again


@pytest.mark.parametrize("raw, reason", [
    ("!!!not base64!!!", "gmail.raw_invalid"),
    (base64.b64encode(b"\xfb\xff" * 30).decode(), "gmail.raw_invalid"),  # the standard alphabet: + and /
    ("RnJvbTog=YQ", "gmail.raw_invalid"),  # padding in the middle
    ("RnJvbTogYQ=", "gmail.raw_invalid"),  # padded to a wrong length
    ("RnJvb", "gmail.raw_invalid"),  # a length no encoding has
    ("RnJv bTog", "gmail.raw_invalid"),  # whitespace
    ("", "gmail.raw_missing"),
])
def test_malformed_base64url_raw_is_skipped_and_counted(standin, make_gmail, caplog, raw, reason):
    ids = fill(standin, 6)
    standin.mailbox.messages[ids[2]].raw_override = raw
    src = make_gmail()
    with caplog.at_level(logging.WARNING, logger="webleads.gmail"):
        out = drain(src)
    assert sorted(d.item_id for d in out["docs"]) == sorted(ids[:2] + ids[3:])
    assert dict(src.stats.rejected) == {reason: 1}
    assert [(r.item_id, r.reason) for r in out["rejected"]] == [(ids[2], reason)]
    assert isinstance(out["all"][-1], Checkpoint)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert reason in logged and ids[2] not in logged and "standin.example" not in logged


def test_decode_raw_accepts_unpadded_base64url_and_keeps_head_and_tail():
    msg = b"From: a@b.example\r\n\r\n" + b"x" * 5000 + b"TAIL"
    enc = base64.urlsafe_b64encode(msg).decode()
    assert decode_raw(enc, 10**6) == (msg, False)
    assert decode_raw(enc.rstrip("="), 10**6) == (msg, False)
    data, truncated = decode_raw(enc, 1000)
    assert truncated and data.startswith(b"From: a@b.example") and data.endswith(b"TAIL") and len(data) <= 1002


def test_a_message_deleted_between_list_and_get_is_skipped(standin, make_gmail):
    ids = fill(standin, 12)
    gone: list[str] = []

    def delete_two(page: list[str]) -> None:
        if not gone:
            gone.extend(page[3:5])
            for mid in gone:
                standin.mailbox.delete_message(mid)

    standin.after_list = delete_two
    src = make_gmail()
    out = drain(src)
    assert sorted(d.item_id for d in out["docs"]) == sorted(set(ids) - set(gone))
    assert src.stats.missing == 2 and not src.stats.rejected and len(out["checkpoints"]) == 1
    assert out["rejected"] == []  # deleting mail is not an error of the item


def test_case_7_header_values_from_the_api_json_cannot_inject_headers(standin, make_gmail, webleads_register,
                                                                      webleads_run, options, tmp_path):
    big = eml("Jane Doe <jane.doe@northwind.example>", "me@standin.example", "Hi\n" + "z" * 1_500_000)
    mid = standin.mailbox.add_message(big)
    standin.mailbox.messages[mid].headers_override = [
        {"name": "From", "value": "Jane Doe <jane.doe@northwind.example>"},
        {"name": "Subject", "value": "hello\r\nBcc: victim@evil.example"},
        {"name": "To", "value": "me@standin.example\nCc: other.victim@evil.example\x00"},
        {"name": "X-Bad Name", "value": "dropped"},
        {"name": "Date", "value": "Tue, 04 Mar 2025 10:12:00 +0000"},
    ]
    src = make_gmail(max_batch_bytes=1024 * 1024)  # too big to fetch whole: headers only
    out = drain(src)
    [doc] = out["docs"]
    assert src.stats.headers_only == 1
    assert b"\r\nBcc:" not in doc.content and b"\nCc:" not in doc.content and b"\x00" not in doc.content
    assert b"X-Bad Name" not in doc.content and doc.content.endswith(b"\r\n\r\n")
    # and through the whole pipeline: no contact for the smuggled addresses
    from webleads_gmail import plugin

    webleads_register(plugin)
    outcome = webleads_run({"sources": [{"type": "gmail", "name": "gm", "owner": "me@standin.example",
                                         **options(max_batch_bytes=1024 * 1024)}]})
    emails = {e for c in outcome.contacts for e in c.emails}
    assert "jane.doe@northwind.example" in emails
    assert not {e for e in emails if "evil.example" in e}


def test_headers_only_caps_and_cleans():
    block = headers_only([{"name": "Subject", "value": "a" * 70_000}, {"name": "From", "value": "a@b.example"}]
                         + [{"name": "X", "value": "y" * 1000}] * 100)
    assert len(block) <= 62 * 1024 and block.endswith(b"\r\n\r\n") and block.startswith(b"From: a@b.example\r\n")
    assert block.count(b"\r\nX: ") == (60 * 1024 - len(b"From: a@b.example\r\n")) // 1005  # what fits
    assert headers_only([{"name": "From:", "value": "x"}, "junk", {"name": 3}]) == b"\r\n"


def _oversized(options: dict, tmp_path: Path) -> dict:
    src = _source(options, tmp_path)
    out = drain(src)
    return {"docs": len(out["docs"]), "sizes": sorted(len(d.content) for d in out["docs"]),
            "splits": src.api.stats.splits, "headers_only": src.stats.headers_only,
            "truncated": src.stats.truncated}


def test_oversized_mail_is_split_truncated_or_read_as_headers_within_bounds(standin, options, tmp_path):
    body = "Regards,\nJane Doe\n" + ("lorem ipsum " * 40_000)  # ~480 KB each
    for i in range(12):
        standin.mailbox.add_message(eml("Jane Doe <jane.doe@northwind.example>", "me@standin.example", body,
                                        msgid=f"<big-{i}@northwind.example>"))
    standin.mailbox.add_message(eml("Marc <marc@atelier.example>", "me@standin.example",
                                    "x" * 4_000_000, msgid="<huge@atelier.example>"))
    opts = options(max_batch_bytes=2 * 1024 * 1024, max_message_bytes=256 * 1024)
    got = run_bounded(_oversized, opts, tmp_path, cpu_seconds=2.0, memory_mb=256, wall_seconds=30)
    assert got["docs"] == 13
    assert got["headers_only"] == 1 and got["truncated"] == 12  # the 4 MB one could only give its headers
    assert got["splits"] >= 3 and max(got["sizes"]) <= 256 * 1024 + 2


def _with_attachment(size: int) -> bytes:
    attachment = base64.encodebytes(bytes(range(256)) * (size // 256)).decode()
    return (
        "From: Jane Doe <jane.doe@northwind.example>\r\nTo: me@standin.example\r\nSubject: Plans\r\n"
        "Date: Tue, 04 Mar 2025 10:12:00 +0000\r\nMessage-ID: <att@northwind.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="outer"\r\n\r\n'
        '--outer\r\nContent-Type: application/pdf; name="plans.pdf"\r\nContent-Transfer-Encoding: base64\r\n'
        'Content-Disposition: attachment; filename="plans.pdf"\r\n\r\n' + attachment +
        "--outer\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hi,\r\n\r\nthe plans are attached.\r\n\r\nBest regards,\r\nJane Doe\r\nHead of Operations\r\n"
        "Northwind Logistics Ltd\r\nTel: +44 20 7946 0958\r\n--outer--\r\n").encode()


def test_case_14_a_big_attachment_before_the_text_is_not_fetched(standin, make_gmail, webleads_register,
                                                                 webleads_run, options):
    mid = standin.mailbox.add_message(_with_attachment(3_000_000))
    src = make_gmail(max_batch_bytes=1024 * 1024)
    [doc] = drain(src)["docs"]
    assert src.stats.text_only == 1 and len(doc.content) < 4096  # headers and the text part only
    assert b"Head of Operations" in doc.content and b"plans.pdf" not in doc.content
    assert doc.item_id == mid and doc.content.startswith(b"From: Jane Doe")
    from webleads_gmail import plugin

    webleads_register(plugin)
    outcome = webleads_run({"sources": [{"type": "gmail", "name": "gm", "owner": "me@standin.example",
                                         **options(max_batch_bytes=1024 * 1024)}]})
    [jane] = [c for c in outcome.contacts if "jane.doe@northwind.example" in c.emails]
    assert jane.title == "Head of Operations" and jane.company


def test_an_unreadable_batch_response_is_isolated(standin, make_gmail):
    ids = fill(standin, 8)
    standin.inject("batch", "raw:200")  # 200 with an HTML body instead of multipart
    src = make_gmail()
    out = drain(src)
    assert sorted(d.item_id for d in out["docs"]) == sorted(ids) and src.api.stats.splits == 1
