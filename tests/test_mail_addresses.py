"""Address headers, display names, encoded words, role and automated senders."""

from __future__ import annotations

import base64
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webleads_core.mail import (
    MailLimits,
    clean_display_name,
    decode_encoded_words,
    html_to_text,
    is_automated,
    is_role_address,
    normalize_email,
    parse_address_header,
    sanitize_field,
)
from webleads_core.mail.addresses import decode_bytes, resolve_charset


def emails(value: str, limits: MailLimits | None = None) -> list[str]:
    return [e for _, e in parse_address_header(value, limits)[0]]


# ------------------------------------------------------------------- parse_address_header


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Jane Doe <Jane.Doe@EXAMPLE.org>", [("Jane Doe", "Jane.Doe@example.org")]),
        ('"Doe, John" <jd@x.co.uk>', [("John Doe", "jd@x.co.uk")]),
        ("bob@ex.com (Bob Builder)", [("Bob Builder", "bob@ex.com")]),
        ("bob@ex.com (Bob (the) Builder)", [("Bob (the) Builder", "bob@ex.com")]),
        ("a@x.com, b@y.com; c@z.com", [(None, "a@x.com"), (None, "b@y.com"), (None, "c@z.com")]),
        ("Friends: a@x.com, Bo <b@y.com>;, c@z.com", [(None, "a@x.com"), ("Bo", "b@y.com"), (None, "c@z.com")]),
        ("a@b.com <a@b.com>", [(None, "a@b.com")]),
        ("<a@b.com>", [(None, "a@b.com")]),
        ("  <a@b.com.> ", [(None, "a@b.com")]),
        ("Jane Doe (Acme Corp) <jd@acme.com>", [("Jane Doe", "jd@acme.com")]),
        ('"Jane Doe via Groups" <groups-noreply@lists.example>', [("Jane Doe", "groups-noreply@lists.example")]),
        ("a@b.com,,, ,c@d.com", [(None, "a@b.com"), (None, "c@d.com")]),
        ("x@\u00fcber.example", [(None, "x@\u00fcber.example")]),
    ],
)
def test_valid_headers(value, expected):
    pairs, defects = parse_address_header(value)
    assert pairs == expected
    assert defects == []


@pytest.mark.parametrize(
    ("value", "defect"),
    [
        ("alice@example.org)<bob@example.org>", "address.invalid"),
        ("alice@example.org(<bob@example.org>", "address.invalid"),
        ("alice@example.org@<bob@example.org>", "address.invalid"),
        ("alice@example.org <bob@example.org>", "address.invalid"),
        ('"a@b"@c.com', "address.invalid"),
        ('"john doe"@example.com', "address.invalid"),
        ("<>", "address.empty"),
        ("undisclosed-recipients:;", "address.empty"),
        ("<a@b.com> <c@d.com>", "address.invalid"),
        ("x <a@b.com> junk", "address.invalid"),
        ("<@route.example:a@b.com>", "address.invalid"),
        ("foo@bar", "address.invalid"),
        ("x@1.2.3.4", "address.invalid"),
        ("x@[1.2.3.4]", "address.invalid"),
        ("John Doe", "address.invalid"),
        ("John Doe john@x.com", "address.invalid"),
        ('"unterminated <a@b.com>, c@d.com', "address.invalid"),
        ("<a@b.com", "address.invalid"),
        ("a@-b.com", "address.invalid"),
        ("a..b@c.com", "address.invalid"),
        (".a@c.com", "address.invalid"),
    ],
)
def test_invalid_or_ambiguous_yield_nothing(value, defect):
    pairs, defects = parse_address_header(value)
    assert pairs == []
    assert defect in defects


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("alice@example.org)<bob@example.org>", []),
        ("alice@example.org>)<bob@example.org>", []),
        ("alice@example.org)(<bob@example.org>)", []),
        ("alice@example.org\\)<bob@example.org>", []),
        ("alice@example.org), carol@example.org", ["carol@example.org"]),
        # properly quoted, the display name is just text: bob is the one address
        ('"alice@example.org)"<bob@example.org>', ["bob@example.org"]),
    ],
)
def test_cve_2023_27043_variants(value, expected):
    assert emails(value) == expected


def test_display_name_with_address_is_dropped_and_flagged():
    pairs, defects = parse_address_header("=?utf-8?q?ceo@bank.com_<ceo@bank.com>?= <x@evil.example>")
    assert pairs == [(None, "x@evil.example")]
    assert "address.name_has_address" in defects
    pairs, defects = parse_address_header('"support@paypal.example" <phish@evil.example>')
    assert pairs == [(None, "phish@evil.example")]
    assert "address.name_has_address" in defects


def test_encoded_words_are_decoded_after_the_structure_is_known():
    # a decoded comma or angle bracket cannot split or redirect the address
    pairs, _ = parse_address_header("=?utf-8?q?Bob=2C_<evil@x.example>=2C?= <bob@example.org>")
    assert [e for _, e in pairs] == ["bob@example.org"]


def test_header_newline_injection_cuts_the_rest():
    pairs, defects = parse_address_header("Jane <jane@example.org>\r\nBcc: victim@x.example")
    assert pairs == [("Jane", "jane@example.org")]
    assert "header.injection" in defects
    # folding is not injection
    pairs, defects = parse_address_header("Jane <jane@example.org>,\r\n bob@example.org")
    assert [e for _, e in pairs] == ["jane@example.org", "bob@example.org"]
    assert defects == []


def test_address_cap_and_truncation():
    limits = MailLimits(max_addresses=5, max_header_value=200)
    value = ", ".join(f"u{i}@ex.org" for i in range(100))
    pairs, defects = parse_address_header(value, limits)
    assert [e for _, e in pairs] == [f"u{i}@ex.org" for i in range(5)]
    assert "header.truncated" in defects
    pairs, defects = parse_address_header(", ".join(f"u{i}@ex.org" for i in range(10)), MailLimits(max_addresses=5))
    assert len(pairs) == 5 and "address.cap" in defects


def test_duplicates_compared_case_insensitively():
    assert emails("A@Ex.org, a@ex.ORG, b@ex.org") == ["A@ex.org", "b@ex.org"]


# --------------------------------------------------------------------- display names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Doe, Jane", "Jane Doe"),
        ("Doe, Jane A.", "Jane A. Doe"),
        ("van der Berg, Jan", "Jan van der Berg"),
        ("DOE, JANE", "DOE, JANE"),
        ("Acme, Inc.", "Acme, Inc."),
        ("Jane Doe, CEO", "Jane Doe, CEO"),
        ("Smith, PhD", "Smith, PhD"),
        ("Sales Team, Acme", "Sales Team, Acme"),
        ("Jane Doe via LinkedIn", "Jane Doe"),
        ("'Jane Doe' via Google Groups", "Jane Doe"),
        ("Jane Doe (via Google Docs)", "Jane Doe"),
        ("Jane Doe (Acme Corp)", "Jane Doe"),
        ("Jane Doe [Acme]", "Jane Doe"),
        ('"Jane Doe"', "Jane Doe"),
        ("\u201cJane Doe\u201d", "Jane Doe"),
        ("Jane\r\nBcc: x", "Jane Bcc: x"),
        ("\u202eJane\u202c Doe", "Jane Doe"),
        ("  Jane    Doe  ", "Jane Doe"),
        ("O'Brien, Sean", "Sean O'Brien"),
        ("Jane <Doe>", "Jane Doe"),
        ("jane@example.org", None),
        ("Jane jane@example.org", None),
        ("", None),
        ("   ", None),
        ("---", None),
        ("12345", None),
        ("(Acme)", "(Acme)"),
    ],
)
def test_clean_display_name(raw, expected):
    assert clean_display_name(raw) == expected


def test_clean_display_name_caps_length():
    name = clean_display_name("Jane " * 100)
    assert name is not None and len(name) <= 128


# ---------------------------------------------------------------------- emails, charsets


@pytest.mark.parametrize(
    ("addr", "expected"),
    [
        ("John.Smith@EXAMPLE.COM", "John.Smith@example.com"),
        ("a+tag@sub.example.co.uk", "a+tag@sub.example.co.uk"),
        ("a@b.c-d.example", "a@b.c-d.example"),
        ("a@b", None),
        ("a@b.", None),
        ("@b.com", None),
        ("a@@b.com", None),
        ("a@b..com", None),
        ("a b@c.com", None),
        ("a@b_c.com", None),
        ("a\n@b.com", None),
        ("a@b.com\x00", None),
        ("x" * 65 + "@b.com", None),
        ("a@" + "b" * 64 + ".com", None),
    ],
)
def test_normalize_email(addr, expected):
    assert normalize_email(addr) == expected


def test_resolve_charset_refuses_bogus_codecs():
    assert resolve_charset("ISO-8859-1") is not None
    assert resolve_charset('"utf-8"') == "utf-8"
    for bogus in ["utf-7", "UTF7", "x-bogus", "base64", "zlib", "rot13", "idna", "unicode_escape", "", None, "a" * 80]:
        assert resolve_charset(bogus) is None, bogus


def test_decode_bytes_fallbacks():
    d: list[str] = []
    assert decode_bytes("é".encode("utf-8"), "x-bogus", d) == "é" and d == ["charset.unknown"]
    d = []
    assert decode_bytes(b"+ADw-", "utf-7", d) == "+ADw-" and d == ["charset.unknown"]
    d = []
    assert decode_bytes(b"\xff", "utf-8", d) == "\ufffd" and d == ["charset.decode_error"]
    d = []
    assert decode_bytes(b"\xe9", None, d) == "é" and d == ["charset.undeclared_8bit"]
    d = []
    assert decode_bytes(b"\xe9", None, d, undeclared="utf-8") == "\ufffd"


def test_decode_encoded_words():
    d: list[str] = []
    assert decode_encoded_words("=?utf-8?q?a?= =?utf-8?q?b?=", d) == "ab"  # adjacent: space dropped
    assert decode_encoded_words("=?utf-8?q?a?= x =?utf-8?q?b?=", d) == "a x b"
    assert decode_encoded_words("plain text", d) == "plain text"
    assert decode_encoded_words("=?UTF-8*en?Q?Hi_there?=", d) == "Hi there"
    assert d == []
    assert decode_encoded_words("=?utf-8?b?@@@@?=", d) == "\ufffd"
    assert d == ["header.encoded_word_invalid"]


def test_sanitize_field():
    assert sanitize_field("a\r\nb\x00c\td\u2028e\u202ef") == "a b c d e f"
    assert sanitize_field("x" * 50, 10) == "x" * 10


# ----------------------------------------------------------------- role and automated


@pytest.mark.parametrize(
    ("addr", "role"),
    [
        ("info@acme.example", True),
        ("Sales@acme.example", True),
        ("sales-emea@acme.example", True),
        ("support.de@acme.example", True),
        ("kontakt@firma.example", True),
        ("bonjour@societe.example", True),
        ("hello+web@startup.example", True),
        ("jane.doe@acme.example", False),
        ("info.jane.doe@acme.example", False),
        ("hrothgar@acme.example", False),
        ("salesforce-admin@acme.example", False),
    ],
)
def test_is_role_address(addr, role):
    assert is_role_address(addr) is role


@pytest.mark.parametrize(
    ("headers", "automated"),
    [
        ({"From": "Jane <jane@example.org>"}, False),
        ({"From": "noreply@shop.example"}, True),
        ({"From": "no-reply+abc@shop.example"}, True),
        ({"From": "bounce-123@mail.example"}, True),
        ({"From": "Mail Delivery <MAILER-DAEMON@mx.example>"}, True),
        ({"From": "notifications@github.example"}, True),
        ({"From": "jane@example.org", "Precedence": "bulk"}, True),
        ({"From": "jane@example.org", "Precedence": "first-class"}, False),
        ({"From": "jane@example.org", "Auto-Submitted": "no"}, False),
        ({"From": "jane@example.org", "Auto-Submitted": "auto-generated"}, True),
        ({"From": "jane@example.org", "List-Id": "<x.lists.example>"}, True),
        ({"From": "jane@example.org", "X-Autorespond": "1"}, True),
        ({"From": "jane@example.org", "Return-Path": "< >"}, True),
        ({"From": "jane@example.org", "Return-Path": "<jane@example.org>"}, False),
    ],
)
def test_is_automated(headers, automated):
    assert is_automated(headers) is automated
    assert is_automated(list(headers.items())) is automated  # pairs work too


# ---------------------------------------------------------------- properties (Hypothesis)

FORBIDDEN = ("\r", "\n", "\x00")
any_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
hostile = st.text(alphabet=st.sampled_from(list('<>()@",;:\\ \r\n\x00=?qbQB.abc_-\t[]')), max_size=200)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(any_text, hostile))
def test_never_raises_and_never_returns_control_characters(value):
    pairs, defects = parse_address_header(value)
    assert len(pairs) <= MailLimits().max_addresses
    for name, email in pairs:
        assert normalize_email(email) == email
        assert not any(c in email for c in FORBIDDEN)
        if name is not None:
            assert name == sanitize_field(name)
            assert not any(c in name for c in FORBIDDEN + ("@", "<", ">", '"'))
    assert all(isinstance(d, str) and "." in d for d in defects)


local = st.from_regex(r"[a-z][a-z0-9._+-]{0,10}[a-z0-9]", fullmatch=True).filter(lambda s: ".." not in s)
domain = st.from_regex(r"[a-z][a-z0-9]{0,8}\.(com|org|example)", fullmatch=True)
address = st.builds(lambda l, d: f"{l}@{d}", local, domain)


@settings(max_examples=200)
@given(st.text(max_size=60), address, address)
def test_address_is_never_taken_from_a_display_name(name, hidden, real):
    """Whatever the display name holds (an address, brackets, commas, line breaks),
    only the angle address can come out."""
    payload = f"{name} {hidden} <{hidden}>, {hidden}"
    b64 = base64.b64encode(payload.encode("utf-8")).decode("ascii")
    escaped = payload.replace("\\", "\\\\").replace('"', '\\"')
    for value in (f"=?utf-8?b?{b64}?= <{real}>", f'"{escaped}" <{real}>'):
        found = [e.lower() for e in emails(value)]
        assert found in ([real.lower()], []), (value, found)


element = st.one_of(
    address.map(lambda a: (a, a)),
    st.tuples(st.text(alphabet="ABC xyz", max_size=10), address).map(lambda t: (f"{t[0]} <{t[1]}>", t[1])),
    st.tuples(st.text(max_size=10), address).map(
        lambda t: ('"' + t[0].replace("\\", "\\\\").replace('"', '\\"') + f'" <{t[1]}>', t[1])
    ),
    st.text(alphabet="()<>@,;: ab", max_size=8).map(lambda j: (j, None)),
)


@settings(max_examples=200)
@given(st.lists(element, max_size=8))
def test_found_addresses_were_written_as_addresses(elements):
    value = ", ".join(e for e, _ in elements)
    allowed = {a.lower() for _, a in elements if a}
    found = {e.lower() for e in emails(value)}
    assert found <= allowed


# ----------------------------------------------------------- adversarial regex timing (#27)

ADVERSARIAL = [
    "a" * 10_000 + "!",
    "a." * 5000,
    "@" * 10_000,
    "<" * 10_000,
    "(" * 10_000,
    ")" * 10_000,
    '"' * 10_000,
    "\\" * 10_000,
    "=?" * 5000,
    "=?utf-8?q?" + "a" * 10_000,
    "=?utf-8?b?" * 1000,
    "a@" * 5000 + ".com",
    "a-" * 5000 + "@b.com",
    "x@" + "a-" * 5000 + ".com",
    "Doe, " * 2000,
    " via " * 2000,
]


@pytest.mark.parametrize("value", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_shipped_patterns_are_linear_on_adversarial_strings(value):
    for func in (
        lambda v: parse_address_header(v),
        clean_display_name,
        normalize_email,
        lambda v: decode_encoded_words(v, []),
        sanitize_field,
        lambda v: html_to_text(v),
    ):
        t0 = time.process_time()
        func(value)
        assert time.process_time() - t0 < 0.05, (func, value[:20])
