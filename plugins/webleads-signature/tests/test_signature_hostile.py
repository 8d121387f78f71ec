"""Hostile input: bounded time and memory (BAD_INPUTS 17, 18; huge messages)."""

from __future__ import annotations

import logging

from webleads_core.records import HeaderContact, ParsedMessage
from webleads_core.testing.bounded import run_bounded
from webleads_core.testing.helpers import eml
from webleads_signature import plugin


def _segment_len(text: str) -> int:
    from webleads_signature import load_segmenter

    return len(load_segmenter().zones(text, HeaderContact(email="a@b.example", name="A B")))


def _segment_parsed(text: str) -> int:
    from webleads_signature.segmenter import MLSegmenter

    return len(MLSegmenter().segment(ParsedMessage(text=text)))


def test_ten_thousand_lines_in_bounded_time():
    text = "\n".join(f"> line {i} with some words, Jane Doe, +1 212 555 0199" if i % 3 else "Regards,"
                     for i in range(10_000))
    assert run_bounded(_segment_len, text, cpu_seconds=2.0, memory_mb=256) >= 1


def test_one_megabyte_line_in_bounded_time():
    assert run_bounded(_segment_parsed, "a" * 1_000_000 + "\nBest,\nJane", cpu_seconds=2.0, memory_mb=256) >= 1
    assert run_bounded(_segment_parsed, ("1-2 " * 250_000), cpu_seconds=2.0, memory_mb=256) >= 1
    assert run_bounded(_segment_parsed, "@" * 1_000_000, cpu_seconds=2.0, memory_mb=256) >= 1


def test_deep_quotes_and_many_headers_in_bounded_time():
    deep = "\n".join(">" * (i % 60) + " From: x@y.example" for i in range(5000))
    assert run_bounded(_segment_parsed, deep, cpu_seconds=2.0, memory_mb=256) >= 1


def test_ten_thousand_groupwise_attributions_in_bounded_time():
    """Every line a GroupWise attribution (each opens a message), at shifting depths, some
    padded to the line cap."""
    text = "\n".join("> " * (i % 7) + ">>> " + ("Jane Doe <j@x.example> " if i % 2 else "1 " * 140) + f"{i} >>>"
                     for i in range(10_000))
    assert run_bounded(_segment_len, text, cpu_seconds=2.0, memory_mb=256) >= 1


SECRETS = ("4012 8888 8888 1881", "GB82 WEST 1234 5698 7654 32", "536-22-1234", "hunter2",
           "AKIAIOSFODNN7EXAMPLE")


def _hostile_mail() -> bytes:
    body = ("Hi Dana,\n\nplease find the figures attached.\n\nBest regards,\n"
            "Robert Hale\nFinance Director\nHale & Partners Ltd\n"
            "Tel: 212 555 0199\n"
            "Card 4012 8888 8888 1881, test card 4012 8888 8888 1882\n"
            "IBAN GB82 WEST 1234 5698 7654 32\n"
            "SSN 536-22-1234\n"
            "password: hunter2\n"
            "key AKIAIOSFODNN7EXAMPLE\n"
            "Union rep, site committee\n")
    return eml("Robert Hale <robert.hale@hale-partners.example>", "me@webleads-demo.example", body)


def test_bad_inputs_17_and_18_through_the_ml_pipeline(webleads_register, webleads_run, caplog, tmp_path):
    """Secrets in a signature are redacted before storage and never logged; the Luhn-failing
    number is not redacted; 212 555 0199 stays a phone; the Art. 9 line is not stored."""
    from webleads_core.testing.helpers import MemoryPlugin

    caplog.set_level(logging.DEBUG, logger="webleads")
    webleads_register(plugin)
    webleads_register(MemoryPlugin())
    outcome = webleads_run({"pipeline": {"segmenter": "ml"},
                            "sources": [{"type": "memory", "name": "m", "messages": [_hostile_mail()]}]})
    import sqlite3

    with sqlite3.connect(outcome.store_path) as db:
        extractors = {row[0] for row in db.execute("SELECT DISTINCT extractor FROM evidence")}
    assert "signature-ml" in extractors and "signature-rules" not in extractors
    assert outcome.result.processed == 1
    (robert,) = [c for c in outcome.contacts if "robert.hale@hale-partners.example" in c.emails]
    assert ("+12125550199", "work") in {(p.number, p.type) for p in robert.phones}
    assert robert.title == "Finance Director"
    stored = outcome.store_path.read_bytes()
    for wal in outcome.store_path.parent.glob(outcome.store_path.name + "*"):
        stored += wal.read_bytes()
    for secret in SECRETS + ("Union rep", "site committee"):
        assert secret.encode() not in stored, secret
        assert secret not in caplog.text, secret
    for c in outcome.contacts:
        for value in (c.name, c.title, c.company, c.address):
            assert not value or "union" not in value.lower()


def test_the_capture_keeps_the_luhn_failing_number(webleads_register, webleads_pm):
    from webleads_core import Config, Document, build_pipeline
    from webleads_core.engine.run import _capture

    webleads_register(plugin)
    pipeline = build_pipeline(Config.from_dict({"pipeline": {"segmenter": "ml"}}), pm=webleads_pm, sources=())
    cap = _capture(pipeline, Document.from_email("m", "1", _hostile_mail()))
    text = "\n".join(b.text for b in cap.blocks)
    assert "Robert Hale" in text and "4012 8888 8888 1882" in text
    for secret in SECRETS + ("Union rep",):
        assert secret not in text, secret
