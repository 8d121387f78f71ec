"""Redaction of sensitive values, and removal of GDPR Art. 9 lines (mandatory stage).

:func:`redact` replaces each sensitive value with ``[REDACTED:<kind>]``:

``card``
    Payment card numbers, 13-19 digits, **only when Luhn-valid**: a contiguous digit
    run (after a ``+``, which marks a phone, only from 16 digits: E.164 stops at 15),
    or card-shaped groups separated
    by single spaces or dashes: ``4-4-4-4``, ``4-4-4-1..3``, ``4-4-4-4-1..3``,
    ``4-6-5`` (Amex), ``4-6-4`` (Diners), ``4-3-3-3``.  Phone shapes (``212 555 0199``,
    ``+44 20 7946 0958``) never match those groupings, so phones stay phones.
``iban``
    IBANs of every country's length (SWIFT registry), compact or in groups of four,
    only when the ISO 7064 mod-97 check holds.
``ssn``
    US Social Security numbers: the dashed ``AAA-GG-SSSS`` shape anywhere, the bare or
    spaced shape only after an ``SSN`` / ``social security`` cue; known-invalid ranges
    (area 000, 666, 900-999; group 00; serial 0000) and the well-known fake numbers
    (078-05-1120 of the 1938 wallet insert, 219-09-9999, 123-45-6789 ...) are not
    redacted: they are not anyone's.
``credential``
    The value after a credential label (``password:``, ``pwd=``, ``Passwort:``,
    ``mot de passe :``, ``PIN:``, ``contraseña:`` ...), to the end of the line.
``token``
    API tokens and secrets: AWS access key ids, Stripe secret keys, GitHub tokens,
    Slack tokens, Google API keys, GitLab and npm tokens, webhook secrets, JWTs,
    ``Bearer`` and ``Basic`` credentials, PEM private keys.

There is deliberately no NHS-number rule: a 3-3-4 digit shape is a phone number far
more often than a health id in a signature (BAD_INPUTS #17).

:func:`redact` is idempotent (``redact(redact(t).text).text == redact(t).text``) and
its counts hold kinds and numbers only, never a value, so they may be logged.

:func:`drop_sensitive_lines` removes every line carrying an Art. 9 cue (trade-union
role, health note, religion, politics, sexual orientation; see
:data:`webleads_core.text.vocab.SENSITIVE_CUES`) (BAD_INPUTS #18).

All patterns use bounded quantifiers (BAD_INPUTS #27).
"""

from __future__ import annotations

import re
from typing import Callable

import attrs

from ..text.vocab import SENSITIVE_PHRASES

__all__ = [
    "IBAN_LENGTHS",
    "RedactResult",
    "drop_sensitive_lines",
    "iban_valid",
    "luhn_valid",
    "redact",
    "sensitive_line",
]

MARK = "[REDACTED:{}]"

#: IBAN length per country (SWIFT IBAN registry, including partner countries).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
    "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
    "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
    "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    "YE": 30,
    # French territories and other users of a parent's format
    "GF": 27, "GP": 27, "MQ": 27, "RE": 27, "PF": 27, "TF": 27, "YT": 27, "NC": 27,
    "BL": 27, "MF": 27, "PM": 27, "WF": 27,
}


@attrs.frozen
class RedactResult:
    """What :func:`redact` did.

    Attributes:
        text: the text with every sensitive value replaced (still personal data).
        counts: number of replacements per kind (``card``, ``iban`` ...), no values.
    """

    text: str = attrs.field(repr=False)
    counts: dict[str, int] = attrs.field(factory=dict, hash=False)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# --------------------------------------------------------------------------- checks


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check of a digit string."""
    if not digits.isdigit() or not digits.isascii():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    """Country length and ISO 7064 mod-97 check of an IBAN (spaces allowed)."""
    s = iban.replace(" ", "").upper()
    if len(s) < 15 or not s.isascii() or not s.isalnum():
        return False
    if not (s[:2].isalpha() and s[2:4].isdigit()):
        return False
    if IBAN_LENGTHS.get(s[:2]) != len(s):
        return False
    rearranged = s[4:] + s[:4]
    num = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(num) % 97 == 1


# --------------------------------------------------------------------------- patterns

_TOKEN_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]{0,8000}?-----END [A-Z ]{0,40}PRIVATE KEY-----"),
    re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b"),
    re.compile(r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,247}\b"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,251}\b"),
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b"),
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,250}"),
    re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{5,4096}\.eyJ[A-Za-z0-9_-]{5,4096}\.[A-Za-z0-9_-]{0,4096}"),
    re.compile(r"\b(?:Bearer|Token|token)[ \t]{1,5}(?!\[REDACTED:)[A-Za-z0-9._~+/=-]{16,4096}"),
    re.compile(r"\bBasic[ \t]{1,5}(?!\[REDACTED:)[A-Za-z0-9+/]{16,4096}={0,2}"),
    re.compile(r"\bglpat-[A-Za-z0-9_-]{20,255}\b"),
    re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"),
    re.compile(r"\bwhsec_[A-Za-z0-9+/=]{24,255}"),
)

#: Every token pattern above needs one of these literals: where none occurs (most text),
#: one scan replaces thirteen.
_TOKEN_GATE = re.compile(
    r"-----BEGIN|AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|[sr]k_|gh[pousr]_|github_pat_|xox[abposr]-|AIza|eyJ"
    r"|Bearer|Token|token|Basic|glpat-|npm_|whsec_"
)
#: IBANs, SSNs, cards and long ``+`` runs all need a digit.
_ANY_DIGIT = re.compile(r"\d")

#: ``label: value`` for passwords and PINs, the value runs to the end of the line.
_CREDENTIAL_RE = re.compile(
    r"(?im)(?<![\w-])(password|passwort|passwd|passcode|pass code|pwd|kennwort|"
    r"mot de passe|mdp|contraseña|contrasena|clave|senha|wachtwoord|parola d'ordine|"
    r"pin code|pin-code|pin|secret|client secret|api[ _-]?key|access[ _-]?key|"
    r"aws_secret_access_key|secret[ _-]?key|private[ _-]?key)"
    r"([ \t]{0,3}[:=][ \t]{0,3})(?!\[REDACTED:)(\S[^\r\n]{0,200})"
)

#: Candidate card numbers: a digit, then digits with single spaces or dashes.  The
#: grouping is checked in Python so the pattern stays flat.
#: Maximal spans of digits, spaces and dashes (no length cap, so a long span is never cut
#: in the middle of a card, which would make a second pass find more: idempotence).
#: Card shapes and boundaries are checked in Python, so the pattern stays flat and linear.
_CARD_CANDIDATE_RE = re.compile(r"\d[\d -]*")
#: After a ``+`` a run is a phone only up to 15 digits (E.164): 16-19 digits are a card.
_PLUS_RUN_RE = re.compile(r"(?<=\+)\d{16,19}(?!\d)")
_CARD_SHAPES: frozenset[tuple[int, ...]] = frozenset(
    {(4, 4, 4, 4), (4, 4, 4, 1), (4, 4, 4, 2), (4, 4, 4, 3), (4, 4, 4, 4, 1), (4, 4, 4, 4, 2),
     (4, 4, 4, 4, 3), (4, 6, 5), (4, 6, 4), (4, 3, 3, 3), (4, 4, 5), (4, 4, 4, 7), (6, 13)}
)

_IBAN_CANDIDATE_RE = re.compile(r"(?i)(?<![A-Za-z0-9])[A-Z]{2}\d{2}[ ]?[A-Z0-9][A-Z0-9 ]{8,40}[A-Z0-9](?![A-Za-z0-9])")

_ALNUM_RUN = re.compile(r"[A-Za-z0-9]{1,34}")
_DIGIT_RUN = re.compile(r"\d{1,80}")

_SSN_DASHED_RE = re.compile(r"(?<![\w-])(\d{3})-(\d{2})-(\d{4})(?![\w-])")
_SSN_CONTEXT_RE = re.compile(
    r"(?i)\b(?:ssn|ss#|ss no|soc\.? sec\.?|social security(?: number| no\.?| #)?)[ \t]{0,3}[:#.]?[ \t]{0,3}"
    r"(\d{3})[ .]?(\d{2})[ .]?(\d{4})(?!\d)"
)


# --------------------------------------------------------------------------- redact


def redact(text: str) -> RedactResult:
    """Replace every sensitive value of ``text`` with ``[REDACTED:<kind>]``.

    Idempotent, and safe on any input size (every pattern is bounded); counts are
    per kind.  Phone numbers are left alone.
    """
    counts: dict[str, int] = {}
    if not text:
        return RedactResult(text="", counts=counts)

    def bump(kind: str, n: int = 1) -> None:
        if n:
            counts[kind] = counts.get(kind, 0) + n

    out = text
    if _TOKEN_GATE.search(out):
        for pat in _TOKEN_PATTERNS:
            out, n = pat.subn(MARK.format("token"), out)
            bump("token", n)
    out, n = _CREDENTIAL_RE.subn(lambda m: m.group(1) + m.group(2) + MARK.format("credential"), out)
    bump("credential", n)
    if not _ANY_DIGIT.search(out):
        return RedactResult(text=out, counts=counts)
    out = _redact_ibans(out, bump)
    out = _sub(_SSN_CONTEXT_RE, out, _ssn_context_replace, bump)
    out = _sub(_SSN_DASHED_RE, out, _ssn_dashed_replace, bump)
    out = _sub(_CARD_CANDIDATE_RE, out, _card_replace, bump)
    out = _sub(_PLUS_RUN_RE, out, _plus_run_replace, bump)
    return RedactResult(text=out, counts=counts)


def _sub(
    pattern: re.Pattern[str], text: str,
    fn: Callable[[re.Match[str]], tuple[str, str | None, int]],
    bump: Callable[[str, int], None],
) -> str:
    def repl(m: re.Match[str]) -> str:
        new, kind, n = fn(m)
        if kind:
            bump(kind, n)
        return new
    return pattern.sub(repl, text)


#: Numbers printed on sample cards and in advertising, never a person's (SSA).
KNOWN_FAKE_SSNS = frozenset({"078051120", "219099999", "123456789", "111111111", "333333333",
                             "987654320", "987654321", "987654322", "987654323", "987654324",
                             "987654325", "987654326", "987654327", "987654328", "987654329"})


def _ssn_ok(area: str, group: str, serial: str) -> bool:
    """A number the SSA could have issued: not area 000, 666 or 9xx, not group 00,
    not serial 0000, and not one of the well-known fakes."""
    if area == "000" or area == "666" or area[0] == "9":
        return False
    if area + group + serial in KNOWN_FAKE_SSNS:
        return False
    return group != "00" and serial != "0000"


def _ssn_dashed_replace(m: re.Match[str]) -> tuple[str, str | None, int]:
    if _ssn_ok(*m.groups()):
        return MARK.format("ssn"), "ssn", 1
    return m.group(0), None, 0


def _ssn_context_replace(m: re.Match[str]) -> tuple[str, str | None, int]:
    if _ssn_ok(*m.groups()):
        start = m.start(1) - m.start(0)
        return m.group(0)[:start] + MARK.format("ssn"), "ssn", 1
    return m.group(0), None, 0


def _redact_ibans(text: str, bump: Callable[[str, int], None]) -> str:
    # A candidate may run into following words or hold a valid IBAN after an invalid
    # start, so on a miss the scan goes on from the next character, not past the match.
    out: list[str] = []
    pos = 0
    search_from = 0
    while True:
        m = _IBAN_CANDIDATE_RE.search(text, search_from)
        if m is None:
            break
        end = _iban_at(m.group(0))
        if end is None:
            search_from = m.start() + 1
            continue
        out.append(text[pos:m.start()])
        out.append(MARK.format("iban"))
        bump("iban", 1)
        pos = search_from = m.start() + end
    out.append(text[pos:])
    return "".join(out)


def _iban_at(raw: str) -> int | None:
    """Length of the valid IBAN at the start of ``raw`` (whole groups only), or None."""
    want = IBAN_LENGTHS.get(raw[:2].upper())
    if want is None:
        return None
    compact = ""
    end = 0
    for tok in _ALNUM_RUN.finditer(raw):
        compact += tok.group(0)
        end = tok.end()
        if len(compact) >= want:
            break
    if len(compact) != want or not iban_valid(compact):
        return None
    return end


def _plus_run_replace(m: re.Match[str]) -> tuple[str, str | None, int]:
    if luhn_valid(m.group(0)):
        return MARK.format("card"), "card", 1
    return m.group(0), None, 0


def _card_replace(m: re.Match[str]) -> tuple[str, str | None, int]:
    raw = m.group(0)
    if len(raw) - raw.count(" ") - raw.count("-") < 13:  # every card shape has 13 digits or more
        return raw, None, 0
    text = m.string
    groups = [(g.start(), g.end()) for g in _DIGIT_RUN.finditer(raw)]
    # after a "+" the digits are a phone (runs of 16+ digits there: see _PLUS_RUN_RE); letters
    # around a number do not make it less of a card ("Card4012888888881881" is still one)
    start_ok = not (m.start() > 0 and text[m.start() - 1] == "+")
    end_ok = True

    def bounded(i: int, j: int) -> bool:
        before = start_ok if i == 0 else groups[i - 1][1] < groups[i][0]
        after = end_ok if j == len(groups) else groups[j - 1][1] < groups[j][0]
        return before and after

    pieces: list[str] = []
    pos = 0
    hits = 0
    i = 0
    while i < len(groups):
        found = None
        # longest window first
        for j in range(min(len(groups), i + 5), i, -1):
            window = groups[i:j]
            shape = tuple(e - s for s, e in window)
            if len(window) == 1:
                if not 13 <= shape[0] <= 19:
                    continue
            elif shape not in _CARD_SHAPES:
                continue
            seps = {raw[window[k][1]:window[k + 1][0]] for k in range(len(window) - 1)}
            if not seps <= {" ", "-"}:  # one space or one dash between groups (mixed allowed)
                continue
            if not bounded(i, j):
                continue
            digits = "".join(raw[s:e] for s, e in window)
            if luhn_valid(digits):
                found = (window[0][0], window[-1][1], j)
                break
        if found is None:
            i += 1
            continue
        s, e, j = found
        pieces.append(raw[pos:s])
        pieces.append(MARK.format("card"))
        pos = e
        hits += 1
        i = j
    if not hits:
        return raw, None, 0
    pieces.append(raw[pos:])
    return "".join(pieces), "card", hits


# --------------------------------------------------------------------------- Art. 9


def _sensitive_re() -> re.Pattern[str]:
    alts = "|".join(re.escape(p) for p in SENSITIVE_PHRASES)
    return re.compile(rf"(?i)(?<!\w)(?:{alts})(?!\w)")


#: Any Art. 9 cue on word boundaries (built from the vocabulary).
SENSITIVE_RE = _sensitive_re()


_WORD_RUN_RE = re.compile(r"\w+")
#: The first word run of every cue, lower-case.  The pattern opens with ``(?<!\w)`` and
#: every cue with a word character, so a match can only start where a word run starts.
_SENSITIVE_FIRST_RUNS = frozenset(
    m.group(0) for m in (_WORD_RUN_RE.match(p) for p in SENSITIVE_PHRASES) if m is not None
)


def sensitive_line(line: str) -> bool:
    """True when ``line`` carries a GDPR Art. 9 cue.

    The alternation of every cue is only tried at the word runs a cue can start with
    (trying it at every position of every signature line was the cost).  For ASCII runs
    ``re``'s case-insensitive equality is ``lower()`` equality; runs with other
    characters are always tried, so the answer is the pattern's own.
    """
    if line.isascii():
        low = line.lower()  # same offsets as ``line`` for ASCII
        return any(m.group(0) in _SENSITIVE_FIRST_RUNS and SENSITIVE_RE.match(line, m.start())
                   for m in _WORD_RUN_RE.finditer(low))
    for m in _WORD_RUN_RE.finditer(line):
        run = m.group(0)
        if (not run.isascii() or run.lower() in _SENSITIVE_FIRST_RUNS) and SENSITIVE_RE.match(line, m.start()):
            return True
    return False


def drop_sensitive_lines(text: str) -> tuple[str, int]:
    """Remove whole lines with an Art. 9 cue; returns the text and how many went."""
    if not text:
        return text, 0
    kept = []
    dropped = 0
    for line in text.split("\n"):
        if SENSITIVE_RE.search(line):
            dropped += 1
        else:
            kept.append(line)
    return "\n".join(kept), dropped
