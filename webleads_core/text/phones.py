"""Phone numbers in signature text: finding, typing, extensions, region inference.

Finding uses :class:`phonenumbers.PhoneNumberMatcher` with ``Leniency.VALID`` on text
capped at ``max_chars`` (BAD_INPUTS #26: 80 KB of ``1-2 1-2`` is cut to 4 KiB first;
#25: a 300-digit candidate fails to parse as TOO_LONG inside the matcher and is
skipped).

Type of a number, first rule that applies:

1. the label on the same line right before the number (``T``, ``Tel``, ``Tél``,
   ``Phone``, ``Office``, ``Direct``, ``Büro`` -> work; ``M``, ``Mob``, ``Cell``,
   ``Celular``, ``Portable``, ``Handy``, ``Cellulare``, ``GSM`` -> mobile; ``F``,
   ``Fax``, ``Télécopie``, ``Telefax`` -> fax; ``Home``, ``Pager`` -> other; see
   :data:`webleads_core.text.vocab.PHONE_LABELS`);
2. else a label right after it (``713-853-6577 Office``, ``(415) 733-4487 ph.``,
   ``(770) 886-8202 (fax)``), which is common in older signatures;
3. else the number plan (:func:`phonenumbers.number_type`): ``MOBILE`` -> mobile;
   ``FIXED_LINE`` and ``FIXED_LINE_OR_MOBILE`` -> work (North American numbers are
   all FIXED_LINE_OR_MOBILE; an unlabelled number in a business signature is the
   office line far more often than not); ``TOLL_FREE``, ``SHARED_COST``, ``UAN`` and
   ``VOIP`` -> work (ranges sold to businesses); anything else -> other.

Extensions (``ext. 12``, ``x12``, ``poste 12``, ``Durchwahl 12``, ``int. 12``) are kept
in :attr:`PhoneMatch.extension` and never in the E.164 value.

Region: :func:`infer_region` looks, in order, at a leading ``+CC`` in the text, a
country or city name in the block, then the ccTLD of the sender's domain.  When the
caller passes ``region=None`` numbers without ``+`` are tried as US numbers as a last
resort (:attr:`PhoneMatch.region_assumed` is then True, callers lower confidence).
"""

from __future__ import annotations

import re
from typing import Iterator

import attrs
import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberType

from .vocab import COUNTRY_NAME_EXCEPTIONS, COUNTRY_NAMES, EXTENSION_LABELS, PHONE_LABELS

__all__ = ["PhoneMatch", "find_phones", "infer_region", "label_type", "region_for_domain"]

#: Default cap on the text handed to the matcher (one signature block).
MAX_CHARS = 4096
#: Fallback region for numbers without ``+`` when nothing better is known.
FALLBACK_REGION = "US"
_MAX_TRIES = 200

_NUMBER_TYPE_MAP: dict[int, str] = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "work",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "work",
    PhoneNumberType.TOLL_FREE: "work",
    PhoneNumberType.SHARED_COST: "work",
    PhoneNumberType.UAN: "work",
    PhoneNumberType.VOIP: "work",
}


@attrs.frozen
class PhoneMatch:
    """One phone number found in text.

    Attributes:
        e164: the number in E.164 (``+12125550199``), never with an extension.
        type: ``work``, ``mobile``, ``fax`` or ``other``.
        extension: the extension digits, or None.
        span: ``(start, end)`` of the number in the (capped) text, extension included.
        label: the raw label seen next to the number (``"Tél."``), or None.
        region: ISO region the number belongs to (``"FR"``), or None.
        region_assumed: True when the number had no ``+`` and no region was given, so
            the fallback region decided how it was read.
    """

    e164: str = attrs.field(repr=False, metadata={"pii": True})
    type: str = "other"
    extension: str | None = attrs.field(default=None, repr=False)
    span: tuple[int, int] = (0, 0)
    label: str | None = None
    region: str | None = None
    region_assumed: bool = False


#: A word of a label (letters only; ``Tél``, ``Handy``, ``M``).  Labels are matched as
#: plain words and looked up in Python: a 150-way alternation tried at every position
#: of a hostile string was too slow (BAD_INPUTS #27).
_LABEL_WORD_RE = re.compile(r"[^\W\d_]{1,30}")
#: What may stand between a label and its number (``Tel.: (0)``, ``Fax -``).
_GAP_CHARS = frozenset(" \t.:#=/>-()[]0")
#: Words allowed between a label and its number ("Telephone No.:", "Fax number").
_FILLER_WORDS = frozenset({"no", "nos", "number", "nr", "nummer", "numéro", "numero", "n", "line",
                           "transmission", "tel", "phone"})
#: An extension right after the number, in the forms phonenumbers does not read
#: (``poste 12``, ``Durchwahl 12``); the word is checked against the vocabulary.
EXTENSION_AFTER_RE = re.compile(
    r"[ \t,;/(]{0,6}(?P<word>[^\W\d_]{1,12}|#)\.?[ \t]{0,3}[:.#]?[ \t]{0,3}(?P<ext>\d{1,6})(?![\d\w])\)?"
)


def _gap_ok(gap: str) -> bool:
    return len(gap) <= 12 and all(ch in _GAP_CHARS for ch in gap)


def _label_before(prefix: str) -> str | None:
    """The label right before a number: the last words of ``prefix``, with only
    punctuation (and filler words such as ``No.``) between them and the number."""
    tail = prefix[-60:]
    words = list(_LABEL_WORD_RE.finditer(tail))
    end = len(tail)
    i = len(words) - 1
    skipped_filler = False
    while i >= 0:
        w = words[i]
        if not _gap_ok(tail[w.end():end]):
            return None
        word = w.group(0)
        if word.casefold() in _FILLER_WORDS and i > 0 and label_type(word) is None:
            end = w.start()
            i -= 1
            skipped_filler = True
            continue
        if i > 0:
            prev = words[i - 1]
            if tail[prev.end():w.start()] in (" ", ". ", ".", "-", "- ", ". -"):
                two = f"{prev.group(0)} {word}"
                if label_type(two) is not None:
                    return tail[prev.start():w.end()]
        if len(word) == 1:
            before = tail[w.start() - 1] if w.start() > 0 else " "
            if skipped_filler or before.isalnum() or before in ".-'":
                return None
        return word if label_type(word) is not None else None
    return None


def _label_after(text: str, pos: int, limit: int) -> tuple[str, int] | None:
    """A label right after a number (``713-853-6577 Office``, ``(fax)``)."""
    j = pos
    stop = min(limit, pos + 40)
    while j < stop and text[j] in " \t([-":
        j += 1
    m = _LABEL_WORD_RE.match(text, j, stop)
    if m is None or j - pos > 6:
        return None
    word = m.group(0)
    nxt = m.end()
    if nxt < stop and (text[nxt].isalnum() or text[nxt] == "_"):
        return None
    m2 = _LABEL_WORD_RE.match(text, nxt + 1, stop) if nxt < stop and text[nxt] in " ." else None
    if m2 is not None and label_type(f"{word} {m2.group(0)}") is not None:
        return f"{word} {m2.group(0)}", m2.end()
    if len(word) == 1 and word.lower() in ("x", "e"):
        return None
    if label_type(word) is None:
        return None
    return word, nxt


_PLUS_CC_RE = re.compile(r"(?<![\w+])\+[ \t]{0,2}(\d{1,3})[ \t.()\-]{0,3}\d")
_COUNTRY_RE = re.compile(
    r"(?i)(?<![\w])(" + "|".join(
        re.escape(n) for n in sorted({**COUNTRY_NAMES, **COUNTRY_NAME_EXCEPTIONS}, key=len, reverse=True)
    ) + r")(?![\w])"
)
#: A run of word characters.  A country name only matches where such a run starts (the
#: pattern opens with ``(?<![\w])`` and every name with a word character).
_WORD_RUN_RE = re.compile(r"\w+")
#: The first word run of every name, lower-case: a run of plain ASCII that is not one
#: of these cannot start a match, so the big pattern is only tried where one is.
_COUNTRY_FIRST_RUNS = frozenset(
    _WORD_RUN_RE.match(n).group(0) for n in (*COUNTRY_NAMES, *COUNTRY_NAME_EXCEPTIONS)  # type: ignore[union-attr]
)
_US_STATE_ZIP_RE = re.compile(r"\b[A-Z]{2}\.?,? {1,3}\d{5}(?:-\d{4})?\b")
#: ``Mexico Beach, FL``: a US place whose longer name holds a country's or a city's
#: (``Berlin, DE`` is a German city with a country code, not Delaware).
_US_PLACE_RE = re.compile(r"(?:[A-Z][\w'.-]{0,30}[ \t]){0,3}[A-Z][\w'.-]{0,30},[ \t]{1,3}([A-Z]{2})\b")

#: Phone labels used in one country only (the last clue for the region).
_LANG_LABELS = {"tél": "FR", "portable": "FR", "télécopie": "FR", "handy": "DE",
                "büro": "DE", "durchwahl": "DE", "festnetz": "DE", "cellulare": "IT",
                "ufficio": "IT", "telemóvel": "PT", "telemovel": "PT", "móvil": "ES",
                "movil": "ES", "mobiel": "NL", "natel": "CH"}
_LANG_LABEL_RE = re.compile(
    r"(?i)(?<![\w])(" + "|".join(sorted(_LANG_LABELS, key=len, reverse=True)) + r")(?![\w])"
)

def _label_key(label: str) -> str:
    return " ".join(label.casefold().replace(".", " ").replace(":", " ").replace("-", " ").split())


_LABEL_LOOKUP: dict[str, str] = {}
for _t in ("other", "fax", "mobile", "work"):  # later types win on a clash
    for _w in PHONE_LABELS[_t]:
        _LABEL_LOOKUP[_label_key(_w)] = _t

#: ccTLDs used as generic TLDs: they tell nothing about where the sender is.
_VANITY_TLDS = frozenset({"io", "ai", "co", "me", "tv", "fm", "ly", "to", "cc", "ws", "gg",
                          "sh", "ac", "am", "im", "is", "it", "la", "nu", "so", "st", "vc",
                          "eu", "su", "tk", "ml", "ga", "cf", "gq"})
_TLD_REGION = {"uk": "GB"}


def label_type(label: str | None) -> str | None:
    """``work`` / ``mobile`` / ``fax`` / ``other`` for a raw label (``"Tél."`` -> work)."""
    if not label:
        return None
    key = _label_key(label)
    if key in _LABEL_LOOKUP:
        return _LABEL_LOOKUP[key]
    return _LABEL_LOOKUP.get(key.replace(" ", ""))


def region_for_domain(domain: str | None) -> str | None:
    """Region of a domain's ccTLD (``acme.co.uk`` -> GB, ``acme.fr`` -> FR), or None for
    generic and vanity TLDs."""
    if not domain:
        return None
    tld = domain.rsplit("@", 1)[-1].rstrip(".").rsplit(".", 1)[-1].lower()
    if len(tld) != 2 or tld in _VANITY_TLDS:
        return None
    region = _TLD_REGION.get(tld, tld.upper())
    return region if region in phonenumbers.SUPPORTED_REGIONS else None


def infer_region(text: str | None, email_domain: str | None = None) -> str | None:
    """Best guess of the region unprefixed numbers in ``text`` belong to, or None.

    Order: the first ``+CC`` number in the text; a country or city name (``Deutschland``,
    ``Paris``, ``Houston, TX 77002``); the ccTLD of ``email_domain``.
    """
    text = (text or "")[:MAX_CHARS]
    m = _PLUS_CC_RE.search(text)
    if m:
        digits = m.group(1)
        for n in (1, 2, 3):
            if len(digits) < n:
                break
            region = phonenumbers.region_code_for_country_code(int(digits[:n]))
            if region and region != "ZZ":
                return region
    if text:
        named = None
        for cm in _country_matches(text):
            key = cm.group(1).casefold()
            if key in ("uk",) and cm.group(1) != "UK":
                continue
            region = COUNTRY_NAME_EXCEPTIONS.get(key) or COUNTRY_NAMES.get(key)
            if region and _in_us_place(text, cm.start(), cm.end()):
                return "US"  # "Mexico Beach, FL": the name is a US place's, wherever else it stands
            if region and named is None:
                named = region
                if region == "US" or "," not in text:
                    break
        if named:
            return named
        if _US_STATE_ZIP_RE.search(text):
            from .vocab import US_STATES

            for sm in _US_STATE_ZIP_RE.finditer(text):
                if sm.group(0)[:2] in US_STATES:
                    return "US"
    region = region_for_domain(email_domain)
    if region:
        return region
    for lm in _LANG_LABEL_RE.finditer(text):
        return _LANG_LABELS[lm.group(1).casefold()]
    return None


def _run_starts(text: str, firsts: frozenset[str]) -> Iterator[int]:
    """Starts of the word runs of ``text`` where a phrase whose first run is in ``firsts``
    (lower-case) could match case-insensitively.

    For ASCII runs ``re``'s case-insensitive equality is ``lower()`` equality; runs with
    other characters (``\u212a`` matches ``k``, ``\u0131`` matches ``i``) are always
    kept, so no start the pattern could use is ever skipped.
    """
    if text.isascii():
        low = text.lower()  # same offsets as ``text`` for ASCII
        for m in _WORD_RUN_RE.finditer(low):
            if m.group(0) in firsts:
                yield m.start()
    else:
        for m in _WORD_RUN_RE.finditer(text):
            run = m.group(0)
            if not run.isascii() or run.lower() in firsts:
                yield m.start()


def _country_matches(text: str) -> Iterator[re.Match[str]]:
    """What ``_COUNTRY_RE.finditer(text)`` yields, trying the pattern only at the word
    runs a name can start with (the scan of the whole alternation at every position was
    the dear part of :func:`infer_region`)."""
    end = 0
    for pos in _run_starts(text, _COUNTRY_FIRST_RUNS):
        if pos < end:
            continue  # inside the previous match, as finditer would skip it
        cm = _COUNTRY_RE.match(text, pos)  # the lookbehind still sees text[pos - 1]
        if cm is not None:
            end = cm.end()
            yield cm


def _in_us_place(text: str, start: int, end: int) -> bool:
    """Whether the country name at ``text[start:end]`` is part of ``<Place>, <US state>``."""
    from .vocab import US_STATES

    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start: line_end if line_end >= 0 else len(text)][:300]
    for pm in _US_PLACE_RE.finditer(line):
        place = pm.group(0).rsplit(",", 1)[0].strip()
        if (pm.start() <= start - line_start and end - line_start <= pm.end() and pm.group(1) in US_STATES
                and place != text[start:end]):
            return True
    return False


def _number_type(num: phonenumbers.PhoneNumber) -> str:
    try:
        return _NUMBER_TYPE_MAP.get(phonenumbers.number_type(num), "other")
    except Exception:  # pragma: no cover - metadata oddities
        return "other"


#: E.164 form, plan type and region of a number, by the number's identity: the same
#: numbers come back in every signature of a sender, and the region look-up of a
#: ``+1`` number tries each North American region's metadata in turn.
_FACTS: dict[tuple[int | None, int | None, bool | None, int | None], tuple[str, str, str | None] | None] = {}
_FACTS_MAX = 4096


def _number_facts(num: phonenumbers.PhoneNumber) -> tuple[str, str, str | None] | None:
    """``(e164, plan type, region)`` of ``num``, or None when it cannot be formatted.

    All three depend only on the country code and the national significant number
    (extensions play no part), which the key holds."""
    key = (num.country_code, num.national_number, num.italian_leading_zero, num.number_of_leading_zeros)
    if key in _FACTS:
        return _FACTS[key]
    try:
        e164 = phonenumbers.format_number(num, PhoneNumberFormat.E164)
    except Exception:  # pragma: no cover
        facts = None
    else:
        try:
            region = phonenumbers.region_code_for_number(num)
        except Exception:  # pragma: no cover
            region = None
        facts = (e164, _number_type(num), region)
    if len(_FACTS) >= _FACTS_MAX:
        _FACTS.clear()  # bounded; refilled by the next blocks
    _FACTS[key] = facts
    return facts


def find_phones(text: str, *, region: str | None = None, max_chars: int = MAX_CHARS) -> list[PhoneMatch]:
    """Phone numbers in ``text`` (capped at ``max_chars``), typed, in text order.

    ``region`` is the ISO code numbers without ``+`` are read in; None means "unknown",
    and the fallback region (US) is used for them.
    """
    if not text:
        return []
    text = text[:max(0, int(max_chars))]
    assumed = region is None
    use_region = (region or FALLBACK_REGION).upper()
    if use_region not in phonenumbers.SUPPORTED_REGIONS:
        use_region, assumed = FALLBACK_REGION, True
    raw_matches = []
    try:
        matcher = phonenumbers.PhoneNumberMatcher(text, use_region, leniency=Leniency.VALID,
                                                  max_tries=_MAX_TRIES)
        for m in matcher:
            raw_matches.append(m)
    except Exception:  # pragma: no cover - the matcher is defensive, we are too
        pass
    out: list[PhoneMatch] = []
    consumed_until = 0
    for idx, m in enumerate(raw_matches):
        start, end = m.start, m.end
        num = m.number
        facts = _number_facts(num)
        if facts is None:  # pragma: no cover
            continue
        e164, plan_type, num_region = facts
        extension = num.extension or None
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        if line_end == -1:
            line_end = len(text)
        next_start = raw_matches[idx + 1].start if idx + 1 < len(raw_matches) else len(text)
        after_limit = min(line_end, next_start)
        # extension in a form the matcher does not read ("poste 12", "Durchwahl 12")
        if extension is None:
            em = EXTENSION_AFTER_RE.match(text, end, after_limit)
            if em and (em.group("word") == "#" or em.group("word").casefold() in EXTENSION_LABELS):
                extension = em.group("ext")
                end = em.end()
        prefix_from = max(line_start, consumed_until)
        if idx > 0:
            prefix_from = max(prefix_from, raw_matches[idx - 1].end)
        prefix = text[prefix_from:start]
        label = _label_before(prefix)
        ptype = label_type(label)
        if ptype is None:
            label = None
            after = _label_after(text, end, after_limit)
            if after is not None:
                label, consumed = after
                ptype = label_type(label)
                consumed_until = consumed
        ptype = ptype or plan_type
        raw = m.raw_string
        had_plus = raw.lstrip().startswith("+") or raw.lstrip().startswith("00")
        out.append(PhoneMatch(e164=e164, type=ptype, extension=extension, span=(start, end),
                              label=label, region=num_region,
                              region_assumed=assumed and not had_plus))
        consumed_until = max(consumed_until, end)
    return out
