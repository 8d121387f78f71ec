"""The ML signature tagger on signatures written for these tests (fictional people)."""

from __future__ import annotations

import pytest


def fields(values, field):
    return [v for v in values if v.field == field]


def one(values, field):
    found = fields(values, field)
    assert len(found) == 1, (field, [(v.field, v.value) for v in values])
    return found[0].value


def test_reads_a_business_signature(tagger_model):
    block = ("Jane Doe\nHead of Operations\nNorthwind Logistics Ltd\n12 Harbour Street, London EC1A 1BB\n"
             "Tel: +44 20 7946 0958\nMobile: +44 7911 123456\nFax: +44 20 7946 0959\n"
             "jane.doe@northwind-logistics.example\nwww.northwind-logistics.example\n"
             "https://www.linkedin.com/in/jane-doe-ops")
    v = tagger_model.tag(block, author_name="Jane Doe", author_email="jane.doe@northwind-logistics.example")
    assert one(v, "name") == "Jane Doe"
    assert one(v, "title") == "Head of Operations"
    assert one(v, "company") == "Northwind Logistics Ltd"
    assert one(v, "email") == "jane.doe@northwind-logistics.example"
    phones = {p.value: p.subtype for p in fields(v, "phone")}
    assert phones == {"+442079460958": "work", "+447911123456": "mobile", "+442079460959": "fax"}
    assert "12 Harbour Street" in one(v, "address")
    assert one(v, "website").startswith("https://northwind-logistics.example") or \
        one(v, "website").startswith("https://www.northwind-logistics.example")
    assert fields(v, "social")[0].subtype == "linkedin"


def test_names_lose_credentials_honorifics_and_pronouns(tagger_model):
    block = "Dr. Maria Keller, PhD (she/her)\nChief Technology Officer\nKeller Analytics GmbH\nT +49 30 1234567"
    v = tagger_model.tag(block, author_name="Maria Keller", author_email="maria@keller-analytics.example")
    assert one(v, "name") == "Maria Keller"


@pytest.mark.parametrize("label,expected", [
    ("T", "work"), ("Tel.", "work"), ("Tél.", "work"), ("Direct", "work"), ("O", "work"),
    ("M", "mobile"), ("Mobile", "mobile"), ("Cell", "mobile"), ("Port.", "mobile"), ("Mobil", "mobile"),
    ("Cel", "mobile"), ("F", "fax"), ("Fax", "fax"),
])
def test_phone_types_from_labels_in_many_languages(tagger_model, label, expected):
    block = f"Paul Martin\nDirecteur commercial\nAtelier Moreau SAS\n{label}: +33 1 44 55 66 77"
    v = tagger_model.tag(block, author_name="Paul Martin", author_email="paul@atelier-moreau.example")
    phone = fields(v, "phone")
    assert [(p.value, p.subtype) for p in phone] == [("+33144556677", expected)]


@pytest.mark.parametrize("number,ext_text,domain,e164", [
    ("(212) 555-0199", "ext. 214", "acme.example", "+12125550199"),
    ("(212) 555-0199", "x214", "acme.example", "+12125550199"),
    ("01 44 55 66 77", "poste 214", "acme.fr", "+33144556677"),
    ("030 1234567", "Durchwahl 214", "acme.de", "+49301234567"),
])
def test_extensions_are_kept_apart(tagger_model, number, ext_text, domain, e164):
    block = f"Sam Lee\nAccount Manager\nAcme Corp\nPhone: {number} {ext_text}"
    v = tagger_model.tag(block, author_name="Sam Lee", author_email=f"sam@{domain}")
    (phone,) = fields(v, "phone")
    assert phone.value == e164
    assert phone.extension == "214"


def test_region_comes_from_the_sender_domain(tagger_model):
    block = "Lukas Brandt\nVertriebsleiter\nBrandt Maschinenbau GmbH\nTel. 030 1234567"
    v = tagger_model.tag(block, author_name="Lukas Brandt", author_email="l.brandt@brandt-maschinenbau.de")
    assert [p.value for p in fields(v, "phone")] == ["+49301234567"]


def test_legal_footers_and_mottos_never_become_title_or_company(tagger_model):
    block = ("Anna Rossi\nResponsabile Acquisti\nRossi Forniture S.r.l.\n"
             "Registered office: Via Roma 1, Milano - VAT number IT01234567890\n"
             "Delivering excellence together since 1990!\n"
             "Copyright 2024 Rossi Forniture. All rights reserved.")
    v = tagger_model.tag(block, author_name="Anna Rossi", author_email="anna@rossi-forniture.example")
    for f in ("title", "company"):
        for x in fields(v, f):
            low = x.value.lower()
            assert "registered" not in low and "excellence" not in low and "rights" not in low, x.value
    assert one(v, "company") == "Rossi Forniture S.r.l."


def test_art9_lines_are_not_read(tagger_model):
    block = "Tom Baker\nUnion rep, shop floor\nSenior Engineer\nBaker Tools Inc\n+1 212 555 0142"
    v = tagger_model.tag(block, author_name="Tom Baker", author_email="tom@baker-tools.example")
    assert all("union" not in x.value.lower() for x in v)
    assert one(v, "title") == "Senior Engineer"


def test_reading_stops_at_a_quoted_header_and_a_disclaimer(tagger_model):
    block = ("Kim Novak\nProduct Lead\n-----Original Message-----\nFrom: Other Person <other@x.example>\n"
             "Other Person\nCEO, Other Corp")
    v = tagger_model.tag(block, author_name="Kim Novak", author_email="kim@novak.example")
    assert all("other" not in x.value.lower() for x in v)


def test_hostile_blocks_are_bounded_and_do_not_crash(tagger_model):
    import time

    for block in ("1-2 " * 20000, "a" * 10000 + "!", "@" * 10000, "a." * 5000, "\n" * 5000, "x\x00y" * 1000):
        t = time.process_time()
        tagger_model.tag(block, author_name=None, author_email=None)
        assert time.process_time() - t < 0.5


def test_is_deterministic(tagger_model):
    block = "Jane Doe\nHead of Operations\nNorthwind Logistics Ltd\nTel: +44 20 7946 0958"
    a = tagger_model.tag(block, author_name="Jane Doe", author_email="jane@northwind.example")
    b = tagger_model.tag(block, author_name="Jane Doe", author_email="jane@northwind.example")
    assert [(x.field, x.value, x.subtype, x.line) for x in a] == [(x.field, x.value, x.subtype, x.line) for x in b]


def test_compound_titles(tagger_model):
    block = "Lukas Brandt\nProjektleiterin Vertrieb\nBrandt Maschinenbau GmbH\nTel. +49 30 1234567"
    v = tagger_model.tag(block, author_name="Lukas Brandt", author_email="l.brandt@brandt.example")
    assert one(v, "title") == "Projektleiterin Vertrieb"


def test_the_cache_returns_what_tagging_returned(tagger_model):
    block = "Sam Lee\nAccount Manager\nAcme Corp\nPhone: (212) 555-0199 ext. 214"
    tagger_model.clear_cache()
    first = tagger_model.tag(block, author_name="Sam Lee", author_email="sam@acme.example")
    again = tagger_model.tag(block, author_name="Sam Lee", author_email="sam@acme.example")
    assert again == first and again is not first
    other = tagger_model.tag(block, author_name=None, author_email=None)  # another key: computed afresh
    assert [v.field for v in other] and tagger_model._cache
    tagger_model.clear_cache()
    assert not tagger_model._cache


# colleagues' signatures share lines (company, street, switchboard), which is what the
# per-line and per-segment caches of the tagger and the rule tagger are for
_COLLEAGUES = [
    ("Sam Lee\nAccount Manager\nAcme Corp\n1400 Main Street, Houston, TX 77002\nPhone: (713) 555-0199 ext. 214",
     "Sam Lee", "sam.lee@acme.example"),
    ("Ana Ruiz | Director, Acme Corp\n1400 Main Street, Houston, TX 77002\nPhone: (713) 555-0142\nana@acme.example",
     "Ana Ruiz", "ana@acme.example"),
    ("Acme Corp\n1400 Main Street, Houston, TX 77002\nwww.acme.example", None, None),
    ("Sam Lee\nAccount Manager\nAcme Corp", None, None),
    ("Ana Ruiz\nDirector of Sales - Acme Corp\nMobil: 0171 2345678", "Ana Ruiz", "ana.ruiz@acme.de"),
]


def test_warm_line_caches_change_nothing(tagger_model):
    from webleads_signature import tagger as T

    cold = []
    for block, name, email in _COLLEAGUES:
        tagger_model.clear_cache()  # every block read with empty caches
        cold.append((tagger_model.tag(block, author_name=name, author_email=email),
                     T.prepare(block, name, email).features))
    tagger_model.clear_cache()
    for block, name, email in _COLLEAGUES:  # warm the line caches with every block
        tagger_model.tag(block, author_name=name, author_email=email)
    for (block, name, email), (values, features) in reversed(list(zip(_COLLEAGUES, cold))):
        tagger_model._cache.clear()  # only the block cache: lines and segments come from the caches
        assert tagger_model.tag(block, author_name=name, author_email=email) == values
        assert (T.prepare(block, name, email).features == features).all()
    assert any(fields(v, "phone") for v, _ in cold) and any(fields(v, "company") for v, _ in cold)


def test_clear_cache_empties_the_line_caches(tagger_model):
    from webleads_core.default_plugins import signature_rules
    from webleads_signature import tagger as T

    block, name, email = _COLLEAGUES[0]
    tagger_model.tag(block, author_name=name, author_email=email)
    assert T._text_features.cache_info().currsize and signature_rules._words.cache_info().currsize
    tagger_model.clear_cache()
    assert not T._text_features.cache_info().currsize and not signature_rules._words.cache_info().currsize
    assert not tagger_model._cache
