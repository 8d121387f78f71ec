"""Hypothesis properties of the privacy rules (issue 9):

- an opted-out identifier, in any case, IDNA or plus-tag variant, is never stored again,
  from any source (email headers, signatures, structured records);
- after an erasure no trace of the person remains in the store file (searched byte by
  byte, WAL included), the exports or the log, except the suppression digest;
- a privacy rule (filter) that raises drops the whole item;
- redaction is idempotent, no Luhn-valid 13-19 digit run survives it, and phone numbers
  are never taken for card or id numbers.
"""

from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from webleads_core import Capture, Config, Document, Evidence, build_pipeline, create_plugin_manager
from webleads_core.engine.run import make_policy, process_document, run_pipeline
from webleads_core.privacy.crypto import generate_keyring
from webleads_core.privacy.operations import optout, republish
from webleads_core.privacy.redact import luhn_valid, redact
from webleads_core.privacy.requests import erase
from webleads_core.privacy.stage import Policy, enforce
from webleads_core.store import SQLiteStore
from webleads_core.testing.helpers import MemoryPlugin, eml

OWNER = "me@webleads-demo.example"
def examples(n: int) -> settings:
    return settings(max_examples=n, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def pipeline():
    return build_pipeline(Config(), pm=create_plugin_manager(autoload=False))


def store_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


# -- opt-out variants -----------------------------------------------------------------------------

_LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=3, max_size=10).map(lambda s: "zq" + s)
_UNICODE_LABELS = ("bücher", "münchen", "café", "straße-bau", "ñandú", "zürich")


def _mixcase(draw, s: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(s), max_size=len(s)))
    return "".join(ch.upper() if f else ch for ch, f in zip(s, flips))


@st.composite
def address_variants(draw):
    """(opted-out form, ingested form, canonical local part, ascii domain) of one mailbox."""
    local = draw(_LOCAL)
    label = draw(st.sampled_from(_UNICODE_LABELS + ("northwind", "acme-widgets")))
    unicode_domain = f"{label}.example"
    ascii_domain = unicode_domain.encode("idna").decode("ascii")

    def variant():
        dom = draw(st.sampled_from([unicode_domain, ascii_domain]))
        loc = local + (draw(st.sampled_from(["", "+news", "+x1", "+"])))
        return f"{_mixcase(draw, loc)}@{_mixcase(draw, dom) if dom.isascii() else dom.upper()}"

    opted = variant()
    # what arrives must be storable: an ASCII (punycode) domain, any case, any plus tag
    ingested = f"{_mixcase(draw, local + draw(st.sampled_from(['', '+tag', '+2024'])))}@{_mixcase(draw, ascii_domain)}"
    return opted, ingested, local, ascii_domain


@examples(40)
@given(address_variants(), st.booleans())
def test_opted_out_variants_are_never_stored_from_any_source(pipeline, variants, encrypted):
    opted, ingested, local, domain = variants
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.db"
        with SQLiteStore(f"sqlite:///{path}", keyring=generate_keyring() if encrypted else None) as store:
            optout(store, opted)
            policy = make_policy(pipeline, store)
            docs = [
                Document.from_email("mail", "h", eml(f"Zed Person <{ingested}>", OWNER,
                                                     "Hello\n\nZed Person\nHead of Things\n"), owner=OWNER),
                Document.from_email("mail", "s", eml(f"Colleague <colleague@{domain}>", OWNER,
                                                     f"Hi\n\n--\nZed Person\nHead of Things\n{ingested}\n"),
                                    owner=OWNER),
                Document.from_record("api", "r", (("email", ingested, None), ("name", "Zed Person", None),
                                                  ("title", "Head of Things", None)), owner=OWNER),
            ]
            for doc in docs:
                store.commit_batch(process_document(pipeline, doc, policy), seen=[(doc.source, doc.item_id)])
            # even a batch that skipped the privacy stage is stopped before the disk
            store.commit_batch([Evidence(field="email", value=ingested.lower(), subject=f"email:{ingested.lower()}",
                                         source="rogue", item_id="x", extractor="rogue")])
            held = {e for c in store.contacts(include_hidden=True) for e in c.emails}
            assert not any(e.split("+")[0].split("@")[0] == local for e in held), held
            assert store.match(opted) == [] and store.match(ingested) == []
        assert local.encode() not in store_bytes(path).lower()


# -- erasure leaves no trace ------------------------------------------------------------------------

_TOKEN = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=5, max_size=8)


@st.composite
def people(draw):
    tokens = draw(st.lists(_TOKEN, min_size=8, max_size=8, unique=True))
    mobiles = draw(st.lists(st.integers(0, 999), min_size=4, max_size=4, unique=True))
    others = draw(st.integers(1, 3))
    out = []
    for i in range(others + 1):
        first, last = tokens[2 * i].capitalize(), tokens[2 * i + 1].capitalize()
        out.append({"name": f"{first} {last}", "email": f"{first.lower()}.{last.lower()}@firm{i}.example",
                    "title": f"Head of {first}ing", "company": f"{last} Holdings Ltd",
                    "mobile": f"+44 7911 123{mobiles[i]:03d}"})
    return out


def _message(p: dict, i: int) -> bytes:
    return eml(f"{p['name']} <{p['email']}>", OWNER,
               f"Hello,\n\nThanks.\n\nBest regards,\n{p['name']}\n{p['title']}\n{p['company']}\n"
               f"Mobile: {p['mobile']}\n", msgid=f"<msg{i}@test.example>")


@examples(12)
@given(people(), st.booleans())
def test_after_erasure_no_trace_remains_but_the_suppression_entry(crowd, encrypted):
    target = crowd[0]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        handler = logging.FileHandler(base / "run.log", encoding="utf-8")
        handler.setLevel(logging.DEBUG)
        logger = logging.getLogger("webleads")
        old_level = logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        try:
            conf = Config.from_dict({
                "store": {"url": "sqlite:///s.db"},
                "sources": [{"type": "memory", "name": "m", "owner": OWNER,
                             "messages": [_message(p, i) for i, p in enumerate(crowd)]}],
                "sinks": [{"type": "jsonl", "path": "out.jsonl"}, {"type": "csv", "path": "out.csv"},
                          {"type": "vcard", "path": "out.vcf"}],
            }, base_dir=base)
            pm = create_plugin_manager(autoload=False, plugins=[MemoryPlugin()])
            with SQLiteStore(conf.store_url, keyring=generate_keyring() if encrypted else None) as store:
                run_pipeline(build_pipeline(conf, pm=pm), store)
                assert target["email"].encode() in (base / "out.jsonl").read_bytes()
                out = erase(store, target["email"])
                assert out.detail["contacts"] == 1
                republish(conf, store, pm=pm)
                suppressions = store.suppression_digests()
            assert len(suppressions) == 2, "her email and her mobile, as digests only"
        finally:
            logger.removeHandler(handler)
            logger.setLevel(old_level)
            handler.close()
        first, last = target["name"].lower().split()
        needles = [first.encode(), last.encode(), target["mobile"].replace(" ", "").encode()]
        for f in base.rglob("*"):
            if f.is_file():
                data = f.read_bytes().lower()
                for needle in needles:
                    assert needle not in data, (f.name, needle)
        # the others are still there
        assert crowd[1]["email"].encode() in (base / "out.jsonl").read_bytes()


# -- a filter that raises drops the item --------------------------------------------------------------

class _Boom(Exception):
    pass


@examples(60)
@given(st.lists(st.sampled_from(["Jane Doe", "Head of Sales", "Acme Ltd", "jane@acme.example"]), min_size=1,
                max_size=8), st.data(), st.sampled_from([_Boom, ValueError, KeyError, ZeroDivisionError, RecursionError]))
def test_a_filter_that_raises_drops_the_whole_item(values, data, exc):
    import datetime as dt

    fields = {"Jane Doe": "name", "Head of Sales": "title", "Acme Ltd": "company", "jane@acme.example": "email"}
    now = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    capture = Capture(source="s", item_id="i", owner="", kind="record", observed_at=now,
                      fields=tuple((fields[v], v, None) for v in values))
    evidence = [Evidence(field=fields[v], value=v, subject="email:jane@acme.example", source="s", item_id="i",
                         extractor="x", observed_at=now) for v in values]
    assert enforce(evidence, capture, Policy())  # everything is grounded and allowed
    bad = data.draw(st.integers(0, len(values) - 1))
    calls = []

    def rule(ev):
        calls.append(ev)
        if len(calls) == bad + 1:
            raise exc("filter bug")
        return True

    assert enforce(evidence, capture, Policy(rules=(("flaky", rule),))) == []


# -- redaction --------------------------------------------------------------------------------------

@st.composite
def luhn_cards(draw):
    n = draw(st.integers(13, 19))
    body = draw(st.text(alphabet="0123456789", min_size=n - 1, max_size=n - 1))
    number = next(body + d for d in "0123456789" if luhn_valid(body + d))
    shapes = {16: [(4, 4, 4, 4)], 15: [(4, 6, 5)], 14: [(4, 6, 4)], 13: [(4, 3, 3, 3)],
              17: [(4, 4, 4, 4, 1)], 18: [(4, 4, 4, 4, 2)], 19: [(4, 4, 4, 4, 3), (6, 13)]}
    style = draw(st.sampled_from(["plain", "grouped"]))
    if style == "plain":
        return number, number
    shape = draw(st.sampled_from(shapes[n]))
    parts, pos = [], 0
    for size in shape:
        parts.append(number[pos:pos + size])
        pos += size
    written = parts[0]
    for part in parts[1:]:
        written += draw(st.sampled_from([" ", "-"])) + part  # spaces, dashes, or both
    return number, written


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
_RUN = re.compile(r"(?<!\d)\d{13,19}(?!\d)")


@examples(300)
@given(st.lists(st.tuples(_TEXT, luhn_cards()), min_size=1, max_size=3), _TEXT)
def test_no_luhn_valid_run_survives_and_redaction_is_idempotent(chunks, tail):
    text = "".join(f"{before} {written} " for before, (_, written) in chunks) + tail
    once = redact(text).text
    assert redact(once).text == once
    for _, (number, written) in chunks:
        assert written not in once
    for m in _RUN.finditer(once):
        run = m.group(0)
        is_phone = m.start() > 0 and once[m.start() - 1] == "+" and len(run) <= 15
        assert is_phone or not luhn_valid(run), run


_REGIONS = sorted(r for r in phonenumbers.SUPPORTED_REGIONS if r != "001")


@examples(150)
@given(st.sampled_from(_REGIONS), st.sampled_from([phonenumbers.PhoneNumberType.MOBILE,
                                                   phonenumbers.PhoneNumberType.FIXED_LINE]),
       st.sampled_from([phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164,
                        phonenumbers.PhoneNumberFormat.NATIONAL]))
def test_phone_numbers_are_never_redacted(region, kind, fmt):
    number = phonenumbers.example_number_for_type(region, kind)
    assume(number is not None)
    text = phonenumbers.format_number(number, fmt)
    digits = re.sub(r"\D", "", text)
    # a national form of 13+ digits that happens to pass Luhn is indistinguishable from a card
    assume(not (fmt == phonenumbers.PhoneNumberFormat.NATIONAL and len(digits) >= 13 and luhn_valid(digits)))
    assert redact(f"Tel: {text}").text == f"Tel: {text}"
    assert redact(f"Mobile {text} | www.acme.example").counts == {}
