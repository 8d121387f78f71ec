"""Phone finding, typing, extensions and region inference (BAD_INPUTS #25, #26)."""

from __future__ import annotations

import time

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webleads_core.text.phones import (
    MAX_CHARS,
    PhoneMatch,
    find_phones,
    infer_region,
    label_type,
    region_for_domain,
)


def one(text: str, region: str | None = None) -> PhoneMatch:
    found = find_phones(text, region=region)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    "text, region, e164, kind",
    [
        # English
        ("T: +1 212 555 0100", None, "+12125550100", "work"),
        ("Tel. +1 212 555 0100", None, "+12125550100", "work"),
        ("Office +1 212 555 0100", None, "+12125550100", "work"),
        ("Direct: +1 212 555 0100", None, "+12125550100", "work"),
        ("M +1 212 555 0100", None, "+12125550100", "mobile"),
        ("Mobile: +1 212 555 0100", None, "+12125550100", "mobile"),
        ("Cell (212) 555-0100", "US", "+12125550100", "mobile"),
        ("F: +1 212 555 0100", None, "+12125550100", "fax"),
        ("Fax 212.555.0100", "US", "+12125550100", "fax"),
        ("Pager: 212.555.0100", "US", "+12125550100", "other"),
        # French
        ("Tél. : 01 23 45 67 89", "FR", "+33123456789", "work"),
        ("Portable : 06 12 34 56 78", "FR", "+33612345678", "mobile"),
        ("Port. 06 12 34 56 78", "FR", "+33612345678", "mobile"),
        ("Télécopie : 01 23 45 67 80", "FR", "+33123456780", "fax"),
        # German
        ("Büro: 030 1234567", "DE", "+49301234567", "work"),
        ("Handy: 0151 12345678", "DE", "+4915112345678", "mobile"),
        ("Mobil +49 151 12345678", None, "+4915112345678", "mobile"),
        ("Telefax: 089 1234568", "DE", "+49891234568", "fax"),
        # Spanish / Portuguese / Italian / Belgian
        ("Celular: +55 11 91234 5678", None, "+5511912345678", "mobile"),
        ("Cel. +52 55 1234 5678", None, "+525512345678", "mobile"),
        ("Cellulare +39 347 123 4567", None, "+393471234567", "mobile"),
        ("GSM +32 470 12 34 56", None, "+32470123456", "mobile"),
    ],
)
def test_type_from_label(text, region, e164, kind):
    m = one(text, region)
    assert m.e164 == e164
    assert m.type == kind
    assert m.label is not None


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("713-853-6577 Office\n281-300-8286 Wireless", ["work", "mobile"]),
        ("(770) 886-6202 (Office)\n(678) 234-7644 (Cell)\n(770) 886-8202 (fax)", ["work", "mobile", "fax"]),
        ("(415) 733-4487 ph.\n(415) 733-4190 fax", ["work", "fax"]),
        ("Ph:925.543.3701, Fax:925.543.3550", ["work", "fax"]),
        ("T +33 1 23 45 67 89 | M +33 6 12 34 56 78 | F +33 1 23 45 67 80", ["work", "mobile", "fax"]),
        ("+1 212 555 0100 (mobile) +1 212 555 0111 (office)", ["mobile", "work"]),
        ("Facsimile Transmission No.: (630) 717-4594", ["fax"]),
    ],
)
def test_several_numbers_each_takes_its_own_label(text, kinds):
    assert [m.type for m in find_phones(text, region="US")] == kinds


def test_unlabelled_number_typed_by_number_plan():
    # French 06 is a mobile range, 01 a fixed line; North America is FIXED_LINE_OR_MOBILE -> work
    assert one("+33 6 12 34 56 78").type == "mobile"
    assert one("+33 1 23 45 67 89").type == "work"
    assert one("212 555 0199").type == "work"
    assert one("+1 800 555 0100").type == "work"  # toll free counts as a business line


def test_label_beats_number_plan():
    assert one("Fax +33 6 12 34 56 78").type == "fax"
    assert one("Mobile +1 212 555 0100").type == "mobile"


@pytest.mark.parametrize(
    "text, e164, ext",
    [
        ("+1 212 555 0100 ext. 123", "+12125550100", "123"),
        ("+1 212-555-0100 x45", "+12125550100", "45"),
        ("+33 1 23 45 67 89 poste 321", "+33123456789", "321"),
        ("Tel +49 30 1234567 Durchwahl 12", "+49301234567", "12"),
        ("+39 02 1234 5678 int. 7", "+390212345678", "7"),
    ],
)
def test_extension_kept_apart(text, e164, ext):
    m = one(text)
    assert m.extension == ext
    assert m.e164 == e164
    parsed = phonenumbers.parse(m.e164)
    assert not parsed.extension
    assert phonenumbers.is_valid_number(parsed)
    # the span covers the extension so a caller can cut it out of the line
    assert text[m.span[0]:m.span[1]].rstrip().endswith(ext)


def test_phone_stays_a_phone():
    m = one("212 555 0199")
    assert m.e164 == "+12125550199"
    assert m.region_assumed  # no + and no region: read as US as a last resort
    assert not one("+44 20 7946 0958").region_assumed


def test_region_changes_reading():
    assert one("01 23 45 67 89", "FR").e164 == "+33123456789"
    assert find_phones("01 23 45 67 89", region=None) == []  # not a US number


def test_300_digit_candidate_is_skipped():
    start = time.perf_counter()
    assert find_phones("Tel: " + "1" * 300, region="US") == []
    assert find_phones("+" + "4" * 300, region=None) == []
    assert time.perf_counter() - start < 0.5


def test_long_text_is_capped():
    text = "1-2 " * 20_000  # 80 KB
    start = time.perf_counter()
    assert find_phones(text, region=None) == []
    assert time.perf_counter() - start < 0.5
    # a real number beyond the cap is not read: the cap applies before matching
    tail = " " * MAX_CHARS + "Tel +1 212 555 0100"
    assert find_phones(tail, region=None) == []
    assert len(find_phones(tail, region=None, max_chars=len(tail))) == 1


def test_bad_inputs_25_26_under_the_hard_bound():
    from webleads_core.testing.bounded import run_bounded

    assert run_bounded(find_phones, "1-2 " * 20_000, region=None, cpu_seconds=2.0) == []
    assert run_bounded(find_phones, "9" * 300, region="US", cpu_seconds=2.0) == []


@pytest.mark.parametrize(
    "label, kind",
    [("Tél.", "work"), ("Tel:", "work"), ("Büro", "work"), ("Mob.", "mobile"), ("Handy", "mobile"),
     ("Celular", "mobile"), ("Portable", "mobile"), ("Télécopie", "fax"), ("Telefax", "fax"),
     ("Home", "other"), ("banana", None), ("", None)],
)
def test_label_type(label, kind):
    assert label_type(label) == kind


@pytest.mark.parametrize(
    "text, domain, region",
    [
        ("Tel +44 20 7946 0958", None, "GB"),
        ("Acme GmbH, Berlin", None, "DE"),
        ("12 rue de la Paix, 75002 Paris", "acme.com", "FR"),
        ("Houston, TX 77002", "acme.de", "US"),
        ("Albuquerque, New Mexico", None, "US"),
        ("3102 Highway 98\nMexico Beach, FL\nPhone: 850-648-4200", None, "US"),
        ("Musterfirma, 10115 Berlin, DE", None, "DE"),
        ("Stay in Mexico Beach. 3102 Highway 98 Mexico Beach, FL Phone: 850-648-4200", None, "US"),
        ("Calle Mayor 1, Madrid, Spain", None, "ES"),
        ("", "acme.co.uk", "GB"),
        ("", "acme.fr", "FR"),
        ("", "acme.io", None),
        ("", "acme.com", None),
        ("", None, None),
        ("Tél. 01 23 45 67 89", None, "FR"),
    ],
)
def test_infer_region(text, domain, region):
    assert infer_region(text, domain) == region


def test_region_for_domain():
    assert region_for_domain("jane@acme.com.br") == "BR"
    assert region_for_domain("acme.de") == "DE"
    assert region_for_domain("acme.ai") is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=600))
def test_any_text_gives_valid_typed_numbers(text):
    for m in find_phones(text, region=None):
        assert m.type in ("work", "mobile", "fax", "other")
        assert m.e164.startswith("+") and m.e164[1:].isdigit()
        assert 0 <= m.span[0] < m.span[1] <= len(text)
