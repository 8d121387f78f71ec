"""Subject requests through the Python API: access, erasure, rectification, restriction,
the request register, and retention."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from webleads_core import Config, ConfigError, Document, build_pipeline, create_plugin_manager
from webleads_core.engine.run import make_policy, process_document, sealed_contacts
from webleads_core.privacy.access import access_report, render_html, render_text
from webleads_core.privacy.operations import optout, purge_expired
from webleads_core.privacy.requests import erase, list_requests, rectify, restrict
from webleads_core.privacy.retention import Retention, month_after
from webleads_core.store import SQLiteStore
from webleads_core.testing.helpers import eml

JANE = "Jane Doe <jane.doe@northwind-logistics.example>"
JANE_SIG = "Hi,\n\nSee you.\n\nBest regards,\nJane Doe\nHead of Operations\nNorthwind Logistics Ltd\nMobile: +44 7911 123456\n"
MARC = "Marc Olivier <marc.olivier@atelier-moreau.example>"
MARC_SIG = "Bonjour,\n\nMerci.\n\nCordialement,\nMarc Olivier\nDirecteur commercial\nAtelier Moreau SAS\n"
OWNER = "me@webleads-demo.example"


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(scope="module")
def pipeline():
    return build_pipeline(Config(), pm=create_plugin_manager(autoload=False))


@pytest.fixture
def clock():
    return Clock(dt.datetime(2026, 1, 31, 9, 0, tzinfo=dt.timezone.utc))


@pytest.fixture
def store(tmp_path, clock):
    with SQLiteStore(f"sqlite:///{tmp_path / 's.db'}", clock=clock) as s:
        yield s


def ingest(pipeline, store, sender, body, item):
    policy = make_policy(pipeline, store)
    doc = Document.from_email("mail", item, eml(sender, OWNER, body, msgid=f"<{item}@test.example>"), owner=OWNER)
    store.commit_batch(process_document(pipeline, doc, policy), seen=[("mail", item)])


def published(pipeline, store):
    return [r.contact for r in sealed_contacts(store, make_policy(pipeline, store))]


def test_access_report_lists_every_value_with_its_sources(pipeline, store):
    ingest(pipeline, store, JANE, JANE_SIG, "m1")
    ingest(pipeline, store, MARC, MARC_SIG, "m2")
    report = access_report(store, "Jane.Doe+news@NORTHWIND-logistics.example", purposes=("sales",),
                           controller="Acme Ltd, dpo@acme.example", sources={"mail": "maildir"}, sinks=["jsonl"])
    assert report["held"] and len(report["contacts"]) == 1
    person = report["contacts"][0]
    fields = {(v["field"], v["value"]) for v in person["values"]}
    assert ("title", "Head of Operations") in fields and ("phone", "+447911123456") in fields
    for v in person["values"]:
        assert v["source"] == {"name": "mail", "type": "maildir"}
        assert v["owner"] == OWNER and v["item"] == "m1" and v["extractor"] and v["method"]
        assert v["observed_at"].startswith("2025-03-04")
    assert person["recipients"] == {"address_books": [OWNER], "exports": ["jsonl"]}
    assert person["retention"]["delete_by"].startswith("2027-01-31")  # one year after the last observation
    assert report["purposes"] == ["sales"] and report["controller"].startswith("Acme")
    assert report["request"]["due_at"].startswith("2026-02-28")  # one month, clamped to February
    # Marc is not in Jane's answer
    assert "marc" not in json.dumps(report).lower()
    page = render_html(report)
    assert "Head of Operations" in page and "<script" not in page
    assert "Head of Operations" in render_text(report)


def test_access_for_an_unknown_identifier_says_nothing_held_and_is_logged(store):
    report = access_report(store, "nobody@nowhere.example")
    assert report["held"] is False and report["answer"].startswith("Nothing is held")
    (req,) = store.requests()
    assert req["kind"] == "access" and req["status"] == "completed"
    assert "nobody" not in req["subject"] and len(req["subject"]) == 16
    actions = [e["action"] for e in store.audit_entries()]
    assert actions[-3:] == ["privacy.request.received", "privacy.request.completed", "privacy.export"]
    assert "nowhere" not in json.dumps(store.audit_entries())
    assert store.verify_audit()


def test_html_escapes_values(pipeline, store):
    ingest(pipeline, store, "Jane Doe <jane@acme.example>", "Hi\n\nJane Doe\nCEO & founder\nAcme\n", "m1")
    page = render_html(access_report(store, "jane@acme.example"))
    assert "CEO &amp; founder" in page


def test_subject_requests_need_a_person(store):
    for bad in ("@acme.example", "acme.example", "hello"):
        with pytest.raises(ConfigError):
            access_report(store, bad)
    with pytest.raises(ConfigError):
        erase(store, "@acme.example")


def test_erase_removes_the_person_and_blocks_them_for_good(pipeline, store, tmp_path):
    ingest(pipeline, store, JANE, JANE_SIG, "m1")
    ingest(pipeline, store, MARC, MARC_SIG, "m2")
    out = erase(store, "jane.doe@northwind-logistics.example")
    assert out.detail["contacts"] == 1 and out.status == "completed"
    # the email and her mobile are suppressed; the work line is not
    assert out.detail["suppressed"] == 2
    assert [c.emails for c in published(pipeline, store)] == [("marc.olivier@atelier-moreau.example",)]
    ingest(pipeline, store, JANE, JANE_SIG, "m3")  # she writes again
    ingest(pipeline, store, "Someone Else <other@elsewhere.example>",
           "Hi\n\nSomeone Else\nMobile: +44 7911 123456\n", "m4")  # her mobile under another address
    emails = {e for c in store.contacts(include_hidden=True) for e in c.emails}
    assert "jane.doe@northwind-logistics.example" not in emails
    assert not any(p.number == "+447911123456" for c in store.contacts(include_hidden=True) for p in c.phones)
    store.close()
    data = (tmp_path / "s.db").read_bytes()
    assert b"northwind" not in data.lower() and b"Head of Operations" not in data


def test_rectification_wins_over_later_crowd_values(pipeline, store, clock):
    ingest(pipeline, store, JANE, JANE_SIG, "m1")
    out = rectify(store, "jane.doe@northwind-logistics.example", "title", "Chief Operating Officer")
    assert out.held == 1
    clock.now += dt.timedelta(days=30)
    later = JANE_SIG.replace("Head of Operations", "Operations Intern")
    for i in range(3):
        ingest(pipeline, store, JANE, later, f"later{i}")
    (c,) = [c for c in published(pipeline, store) if c.emails]
    assert c.title == "Chief Operating Officer"
    assert dict(c.confidence)["title"] == 1.0
    rectify(store, "jane.doe@northwind-logistics.example", "company", None)
    (c,) = [c for c in published(pipeline, store) if c.emails]
    assert c.company is None
    rectify(store, "jane.doe@northwind-logistics.example", "phone", "+44 20 7946 0958", phone_type="work")
    (c,) = [c for c in published(pipeline, store) if c.emails]
    assert c.phones[0].number == "+442079460958" and c.phones[0].type == "work"


@pytest.mark.parametrize("field, value", [("title", "card 4012 8888 8888 1881"), ("phone", "12"),
                                          ("website", "javascript:alert(1)"), ("email", "x@y.example"),
                                          ("name", "Jane <jane@x.example>")])
def test_rectify_refuses_what_would_never_be_stored(pipeline, store, field, value):
    ingest(pipeline, store, JANE, JANE_SIG, "m1")
    with pytest.raises(ConfigError):
        rectify(store, "jane.doe@northwind-logistics.example", field, value)
    assert store.pins_of(store.find("jane.doe@northwind-logistics.example")[0]) == []


def test_restriction_freezes_publishing_and_purging_until_lifted(pipeline, store, clock):
    ingest(pipeline, store, JANE, JANE_SIG, "m1")
    ingest(pipeline, store, MARC, MARC_SIG, "m2")
    out = restrict(store, "jane.doe@northwind-logistics.example")
    assert out.status == "in effect" and out.held == 1
    assert all("jane.doe@northwind-logistics.example" not in c.emails for c in published(pipeline, store))
    ingest(pipeline, store, JANE, JANE_SIG.replace("Head", "Chief"), "m3")  # still stored, still frozen
    assert all("jane.doe@northwind-logistics.example" not in c.emails for c in published(pipeline, store))
    clock.now += dt.timedelta(days=2000)
    report = purge_expired(store)
    assert report["kept_restricted"] == 1 and report["contacts"] == 1  # Marc went, Jane is kept
    restrict(store, "jane.doe@northwind-logistics.example", lift=True)
    statuses = {r["kind"]: r["status"] for r in list_requests(store)}
    assert statuses["restriction"] == "lifted"
    assert purge_expired(store)["contacts"] == 1


def test_request_register_due_dates_and_overdue(store, clock):
    access_report(store, "a@x.example", received_at=dt.datetime(2025, 12, 1, tzinfo=dt.timezone.utc))
    rows = list_requests(store)
    assert rows[0]["due_at"].startswith("2026-01-01")
    assert rows[0]["late"] is True  # answered on 2026-01-31, due on 2026-01-01
    rid = store.open_request("access", "0123456789abcdef", clock.now - dt.timedelta(days=40),
                             month_after(clock.now - dt.timedelta(days=40)))
    row = next(r for r in list_requests(store) if r["id"] == rid)
    assert row["overdue"] is True and row["status"] == "open"


def test_optout_is_registered_as_an_objection(pipeline, store):
    ingest(pipeline, store, JANE, JANE_SIG, "m1")
    assert optout(store, "@northwind-logistics.example") == 1
    (req,) = store.requests()
    assert req["kind"] == "objection" and req["outcome"] == {"erased": 1, "suppressed": 1}


# -- retention ----------------------------------------------------------------------------------


def test_retention_ttl_and_hard_maximum(pipeline, tmp_path, clock):
    with SQLiteStore(f"sqlite:///{tmp_path / 'r.db'}", clock=clock) as store:
        ingest(pipeline, store, JANE, JANE_SIG, "m1")
        ingest(pipeline, store, MARC, MARC_SIG, "m2")
        start = clock.now
        # Jane is seen again every 300 days: her time to live is renewed, her hard maximum is not
        for n in range(1, 4):
            clock.now = start + dt.timedelta(days=300 * n)
            ingest(pipeline, store, JANE, JANE_SIG, f"again{n}")
            emails = {e for c in published(pipeline, store) for e in c.emails}
            assert "jane.doe@northwind-logistics.example" in emails
            # Marc: nothing for more than a year is past his time to live
            assert ("marc.olivier@atelier-moreau.example" in emails) is (n == 1)
        clock.now = start + dt.timedelta(days=1096)
        ingest(pipeline, store, JANE, JANE_SIG, "past-max")  # seen again past the hard maximum
        assert not [c for c in published(pipeline, store) if "jane.doe@northwind-logistics.example" in c.emails]
        report = purge_expired(store)
        assert report["contacts"] >= 2 and report["evidence"] > 0
        assert store.contact_ids() == [] or all(
            "northwind" not in e for c in store.contacts(include_hidden=True) for e in c.emails)
        assert store.audit_entries()[-1]["action"] == "retention.purge"


def test_merging_keeps_the_older_first_collection(pipeline, tmp_path, clock):
    with SQLiteStore(f"sqlite:///{tmp_path / 'm.db'}", clock=clock) as store:
        ingest(pipeline, store, "Jane Doe <jane@acme-widgets.example>", "Hi\n\nJane Doe\nMobile: +44 7911 123456\n", "a")
        first = clock.now
        clock.now += dt.timedelta(days=700)
        ingest(pipeline, store, "J. Doe <jdoe@acme-widgets.example>", "Hi\n\nJ Doe\nMobile: +44 7911 123456\n", "b")
        (cid,) = store.contact_ids()
        assert store.lifetimes()[cid][0] == first
        assert store.due_at(cid) == first + dt.timedelta(days=700 + 365)
        clock.now = first + dt.timedelta(days=1000)
        ingest(pipeline, store, "Jane Doe <jane@acme-widgets.example>", "Hi\n\nJane Doe\n", "c")
        assert store.due_at(cid) == first + dt.timedelta(days=1095)  # capped by the first collection


def test_retention_is_configured_remembered_and_audited(tmp_path):
    from webleads_core.config import Config as C

    conf = C.from_dict({"privacy": {"retention_days": 30, "max_retention_days": 90}}, base_dir=tmp_path)
    url = f"sqlite:///{tmp_path / 'c.db'}"
    with SQLiteStore(url, privacy=conf.privacy) as store:
        assert store.retention == Retention(30, 90)
    with SQLiteStore(url) as store:  # opened without the config: remembers
        assert store.retention == Retention(30, 90)
        changes = [e for e in store.audit_entries() if e["action"] == "config.change"]
        assert changes[0]["detail"]["retention"] == {"ttl_days": 30, "max_days": 90}
    for bad in ({"retention_days": 0}, {"retention_days": 400, "max_retention_days": 300},
                {"max_retention_days": "long"}, {"encrypt": "yes"}, {"purposes": []}):
        with pytest.raises(ConfigError):
            C.from_dict({"privacy": bad})
