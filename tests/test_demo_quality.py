"""Extraction quality on the bundled mailbox, measured against its hand-checked EXPECTED.jsonl.

The floors are a little under what the default pipeline measured when they were set; a
change that makes extraction worse fails here.  (The mailbox was written for the demo, not
used to tune the rules; quality on held-out research data is the signature plugin's business.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import webleads_core as wl

MAILBOX = Path(__file__).resolve().parents[1] / "examples" / "mailbox"
OWNER = "me@webleads-demo.example"


@pytest.fixture(scope="module")
def measured():
    expected = [json.loads(line) for line in (MAILBOX / "EXPECTED.jsonl").read_text().splitlines() if line]
    contacts, result = wl.extract([MAILBOX], owner=OWNER)
    by_email = {e: c for c in contacts for e in c.emails}
    score = {k: [0, 0] for k in ("found", "name", "title", "company", "phones", "kind")}
    for x in expected:
        c = by_email.get(x["email"])
        score["found"][1] += 1
        score["phones"][1] += len(x["phones"])
        if c is None:
            continue
        score["found"][0] += 1
        for f in ("name", "title", "company"):
            if x[f] is None and getattr(c, f) is None:
                continue
            score[f][1] += 1
            score[f][0] += (x[f] or "").casefold() == (getattr(c, f) or "").casefold()
        score["kind"][1] += 1
        score["kind"][0] += x["kind"] == c.kind
        got = {(p.number, p.type) for p in c.phones}
        score["phones"][0] += len({(p["number"], p["type"]) for p in x["phones"]} & got)
    return {k: a / b for k, (a, b) in score.items()}, contacts, expected, result


@pytest.mark.parametrize("field,floor", [("found", 1.0), ("name", 0.85), ("title", 0.65), ("company", 0.85),
                                         ("phones", 0.95), ("kind", 1.0)])
def test_field_accuracy_floor(measured, field, floor):
    scores = measured[0]
    assert scores[field] >= floor, f"{field}: {scores[field]:.2f} < {floor}"


def test_nothing_from_automated_mail_and_not_the_owner(measured):
    _, contacts, expected, result = measured
    assert result.skipped == 0
    known = {x["email"] for x in expected}
    extra = [c.emails for c in contacts if not set(c.emails) & known]
    assert extra == [], f"contacts nobody expected (automated senders? the owner?): {extra}"


def test_job_change_keeps_the_newest_title(measured):
    _, contacts, expected, _ = measured
    priya = next(c for c in contacts if "priya@heliocloud.example" in c.emails)
    want = next(x for x in expected if x["email"] == "priya@heliocloud.example")
    assert (priya.title, priya.company) == (want["title"], want["company"])
    # the old address is kept (nothing is silently deleted), merged through the same mobile
    assert priya.emails[0] == "priya@heliocloud.example" and "priya.raman@cobalt-analytics.example" in priya.emails
