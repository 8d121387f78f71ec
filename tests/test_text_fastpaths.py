"""The cheap paths of the core text functions give what the plain patterns give.

``infer_region`` and ``sensitive_line`` only try their big case-insensitive
alternations at word runs a phrase can start with; ``clean_person_name`` skips the
per-character look-ups on ASCII; ``find_phones`` keeps each number's E.164 form, type
and region by the number.  Each is checked here against the direct computation, on
vocabulary phrases mixed with case changes, glued letters and Unicode characters that
``re`` folds onto ASCII (Kelvin sign, long s, dotless i).
"""

from __future__ import annotations

import unicodedata

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from webleads_core.privacy.redact import SENSITIVE_RE, sensitive_line
from webleads_core.text import names, phones
from webleads_core.text.vocab import COUNTRY_NAME_EXCEPTIONS, COUNTRY_NAMES, SENSITIVE_PHRASES

_PHRASES = sorted({*COUNTRY_NAMES, *COUNTRY_NAME_EXCEPTIONS, *SENSITIVE_PHRASES})
_ODD = ["\u212a", "\u017f", "\u0131", "\u0130", "ß", "é", "_", "1", "x", "'", "-", ".", ","]


@st.composite
def _texts(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        word = draw(st.sampled_from(_PHRASES + ["Beach", "Mexico Beach, FL", "Berlin, DE", "TX 77002"]))
        word = draw(st.sampled_from([word, word.upper(), word.title()]))
        if draw(st.booleans()):  # glue or fold a character somewhere
            i = draw(st.integers(0, len(word)))
            word = word[:i] + draw(st.sampled_from(_ODD)) + word[i:]
        parts.append(word)
    return draw(st.sampled_from([" ", ", ", "\n", "-", " | ", ""])).join(parts)


@settings(max_examples=400, deadline=None)
@given(_texts())
def test_country_matches_are_the_patterns(text):
    want = [(m.span(), m.group(1)) for m in phones._COUNTRY_RE.finditer(text)]
    got = [(m.span(), m.group(1)) for m in phones._country_matches(text)]
    assert got == want


@settings(max_examples=400, deadline=None)
@given(_texts())
def test_sensitive_line_is_the_pattern(text):
    assert sensitive_line(text) == bool(SENSITIVE_RE.search(text))


def test_folded_characters_still_match():
    # re's case-insensitive matching folds these onto ASCII letters: the runs holding
    # them must still be tried
    assert [m.group(1) for m in phones._country_matches("Office in \u212aöln")] == ["\u212aöln"]
    assert [m.group(1) for m in phones._country_matches("Berl\u0131n")] == ["Berl\u0131n"]
    assert sensitive_line("Mo\u017fque volunteer") is True
    assert phones.infer_region("Head office: \u212aöln") == "DE"


def test_country_runs_keep_finditer_order_and_us_place_rule():
    assert phones.infer_region("Mexico Beach, FL 32456") == "US"
    assert phones.infer_region("Berlin, DE") == "DE"
    assert phones.infer_region("United States of America / Canada") == "US"
    assert phones.infer_region("Paris, TX") == "US"
    assert phones.infer_region("xparis berlinx, Madrid") == "ES"


def _slow_clean_input(s: str) -> str:
    s = unicodedata.normalize("NFC", s)
    return "".join(" " if names._is_emoji(ch) else ch for ch in s)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_emoji_table_matches_the_per_character_test(s):
    assert s.translate(names._ASCII_EMOJI) == _slow_clean_input(s)


def test_clean_name_ascii_modifiers_are_spaces():
    assert names.clean_person_name("Jane^Doe") == names.clean_person_name("Jane Doe") == "Jane Doe"


def test_author_tokens_cache_gives_the_same_scores():
    names._author_tokens.cache_clear()
    names._local_tokens.cache_clear()
    first = [names.looks_like_name(c, "Dr. Jane Doe, PhD", "jane.doe@acme.com")
             for c in ("Jane Doe", "J. Doe", "Doe, Jane", "John Smith")]
    again = [names.looks_like_name(c, "Dr. Jane Doe, PhD", "jane.doe@acme.com")
             for c in ("Jane Doe", "J. Doe", "Doe, Jane", "John Smith")]
    assert first == again
    assert first[0] > first[3] and first[1] > first[3]
    assert names._author_tokens.cache_info().hits >= 7


def test_number_facts_are_the_direct_calls():
    for raw, region in (("+1 713 853 6577", None), ("030 1234567", "DE"), ("+44 20 7946 0958", None),
                        ("06 12 34 56 78", "FR"), ("+39 06 1234 5678", None), ("+1 800 555 0199", None)):
        num = phonenumbers.parse(raw, region)
        for _ in range(2):  # second call meets the cache
            e164, kind, reg = phones._number_facts(num)
            assert e164 == phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
            assert kind == phones._number_type(num)
            assert reg == phonenumbers.region_code_for_number(num)


def _redact_ungated(text: str) -> tuple[str, dict[str, int]]:
    """``redact`` as it was before its two gates: every pattern on every text."""
    from webleads_core.privacy import redact as R

    counts: dict[str, int] = {}
    if not text:
        return "", counts

    def bump(kind: str, n: int = 1) -> None:
        if n:
            counts[kind] = counts.get(kind, 0) + n

    out = text
    for pat in R._TOKEN_PATTERNS:
        out, n = pat.subn(R.MARK.format("token"), out)
        bump("token", n)
    out, n = R._CREDENTIAL_RE.subn(lambda m: m.group(1) + m.group(2) + R.MARK.format("credential"), out)
    bump("credential", n)
    out = R._redact_ibans(out, bump)
    out = R._sub(R._SSN_CONTEXT_RE, out, R._ssn_context_replace, bump)
    out = R._sub(R._SSN_DASHED_RE, out, R._ssn_dashed_replace, bump)
    out = R._sub(R._CARD_CANDIDATE_RE, out, R._card_replace, bump)
    out = R._sub(R._PLUS_RUN_RE, out, R._plus_run_replace, bump)
    return out, counts


_SECRET_BITS = [
    "AKIAIOSFODNN7EXAMPLE", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "ghp_" + "a1B2" * 9, "eyJhbGciOi.eyJzdWIiOi.sig",
    "Bearer abcdefghijklmnop1234", "Basic dXNlcjpwYXNzd29yZA==", "xoxb-1234567890-abcdef", "glpat-" + "x" * 20,
    "npm_" + "a" * 36, "whsec_" + "b" * 24, "password: hunter2", "PIN=1234", "4111 1111 1111 1111",
    "DE89 3704 0044 0532 0130 00", "SSN 123-45-6789", "078-05-1120", "+12345678901234567", "Token abc",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----", "Ann Example", "Head of Sales",
    "ann.example@example.com", "+49 30 1234567", "token", "tokenised", "Basically", "AIza" + "Q" * 35,
]


@st.composite
def _secret_texts(draw: st.DrawFn) -> str:
    parts = [draw(st.sampled_from(_SECRET_BITS)) for _ in range(draw(st.integers(1, 4)))]
    if draw(st.booleans()):  # damage one: a letter for a digit, a cut, a glued neighbour
        i = draw(st.integers(0, len(parts) - 1))
        w = parts[i]
        j = draw(st.integers(0, len(w)))
        parts[i] = w[:j] + draw(st.sampled_from(["", "1", "x", " ", "-", "é"])) + w[j + 1:]
    return draw(st.sampled_from([" ", "\n", ", ", ""])).join(parts)


@settings(max_examples=500, deadline=None)
@given(_secret_texts())
def test_redact_gates_change_nothing(text):
    from webleads_core.privacy.redact import redact

    got = redact(text)
    assert (got.text, got.counts) == _redact_ungated(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from("0123456789 -"), min_size=1, max_size=40).map("".join))
def test_a_digit_run_too_short_for_any_card_is_left_alone(run):
    """Every card shape has 13 digits or more: ``_card_replace`` returns shorter runs as they
    are without trying the shapes; longer ones still go through them."""
    import re

    from webleads_core.privacy import redact as R

    m = re.search(r"\d[\d -]*", run)
    if m is None:
        return
    digits = sum(c.isdigit() for c in m.group(0))
    new, kind, _ = R._card_replace(m)
    if digits < 13:
        assert (new, kind) == (m.group(0), None)
    if digits >= 13 and R.luhn_valid("".join(c for c in m.group(0) if c.isdigit())) and " " not in m.group(0) \
            and "-" not in m.group(0) and digits <= 19:
        assert kind == "card"  # one bare run of 13 to 19 digits passing Luhn is a card
