"""Turning one raw value of a record into a business field triple.

Records from APIs and address books are already structured, but their values come
in every shape: ``"(212) 555-0142"``, ``"tel:+1-212-555-0142"``, ``"WWW.Acme.com/"``,
``"Doe, Jane"``.  The privacy stage accepts only normal forms (E.164 phones,
lower-case emails, http(s) URLs), so each value is normalised here with the core's
shared text helpers, and a value that has no normal form is dropped (counted as a
defect by the caller), never guessed.

Typed values: phone types are ``work``, ``mobile``, ``fax``, ``other``; the raw type
words of vCard, SCIM, Google and Outlook exports are mapped by :func:`type_of`.
``home`` values are personal, not business data: they map to :data:`SKIP` and are
dropped unless the source's config maps ``home`` to a kept type.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Mapping

import phonenumbers

from webleads_core.text.emails import normalise_email
from webleads_core.text.names import clean_person_name
from webleads_core.text.phones import FALLBACK_REGION, region_for_domain
from webleads_core.text.urls import normalise_url, social_profile

#: The subtype that means "drop this value" (personal, not business).
SKIP = "skip"

Triple = tuple[str, str, str | None]

_MAX_LEN = {"name": 120, "title": 200, "company": 200, "address": 400, "email": 254,
            "website": 512, "social": 512}
_CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"[ \t\u00a0]+")

#: Raw type words (lower-case) and what they mean for a phone.
PHONE_TYPE_WORDS: dict[str, str] = {
    "work": "work", "business": "work", "office": "work", "main": "work", "company": "work",
    "direct": "work", "workphone": "work", "companymain": "work", "assistant": "work",
    "mobile": "mobile", "cell": "mobile", "cellular": "mobile", "iphone": "mobile", "mobil": "mobile",
    "handy": "mobile", "gsm": "mobile", "portable": "mobile",
    "fax": "fax", "workfax": "fax", "businessfax": "fax", "telefax": "fax",
    "home": SKIP, "private": SKIP, "personal": SKIP, "homefax": SKIP,
    "other": "other", "voice": "other", "pager": "other", "text": "other", "textphone": "other",
    "video": "other", "msg": "other", "pref": "", "internet": "", "x400": "",
}

#: Networks a social value may be typed with (a ``type`` of ``linkedin``, ...).
SOCIAL_HANDLE_URLS = {
    "twitter": "https://twitter.com/{}", "x": "https://twitter.com/{}",
    "github": "https://github.com/{}", "instagram": "https://www.instagram.com/{}",
}
_HANDLE = re.compile(r"@?([A-Za-z0-9_][A-Za-z0-9_.-]{0,38})")


def clean_text(value: str) -> str:
    """Control and bidi characters out, runs of spaces collapsed, NFC."""
    value = unicodedata.normalize("NFC", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CTRL.sub(" ", value)
    return _SPACE.sub(" ", value).strip()


def scalar(value: object) -> str | None:
    """A record value as text: strings and numbers; objects, lists, booleans, nulls give None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value) if abs(value) < 10**30 else None
    if isinstance(value, float):
        return None if value != value or value in (float("inf"), float("-inf")) else repr(value)
    return None


def type_of(raw_types: Iterable[str], table: Mapping[str, str] | None = None) -> str | None:
    """The subtype a set of raw type words means, or None when they say nothing.

    ``table`` (the source's ``types`` config, lower-case keys) is consulted before the
    built-in words.  Precedence: fax, mobile, work, other; ``home`` alone is
    :data:`SKIP`, while ``home`` with ``cell`` is a mobile and ``home`` with ``work``
    is work (a line used for both).
    """
    words: list[str] = []
    for raw in raw_types:
        for part in re.split(r"[,;/ ]+", str(raw).strip().lower()):
            part = part.strip("\"'*<>!$_ ")
            if part.startswith("x-"):
                part = part[2:]
            if part:
                words.append(part)
    meanings: set[str] = set()
    for w in words:
        if table and w in table:
            meanings.add(table[w])
        elif w in PHONE_TYPE_WORDS:
            if PHONE_TYPE_WORDS[w]:
                meanings.add(PHONE_TYPE_WORDS[w])
        elif w.replace(" ", "") in PHONE_TYPE_WORDS and PHONE_TYPE_WORDS[w.replace(" ", "")]:
            meanings.add(PHONE_TYPE_WORDS[w.replace(" ", "")])
    for kept in ("fax", "mobile", "work"):
        if kept in meanings:
            if kept == "fax" and SKIP in meanings and "work" not in meanings:
                return SKIP  # a home fax
            return kept
    if SKIP in meanings:
        return SKIP
    if "other" in meanings:
        return "other"
    # a custom type the table maps to something else (a network name, say)
    rest = meanings - {SKIP, "other", "work", "mobile", "fax"}
    return sorted(rest)[0] if rest else None


def phone_e164(raw: str, region: str | None) -> str | None:
    """E.164 form of a phone number, or None when it is not a valid number (a number
    written with ``+`` needs only to be a possible one).

    Numbers without ``+`` are read in ``region`` (the source's ``region`` option, or
    the ccTLD of the record's email), else in the core's fallback region.  The
    extension is dropped (it is not part of E.164).
    """
    text = clean_text(raw)
    if not text or len(text) > 64:
        return None
    if text.lower().startswith("tel:"):
        text = text[4:].split(";", 1)[0]
    use = (region or FALLBACK_REGION).upper()
    if use not in phonenumbers.SUPPORTED_REGIONS:
        use = FALLBACK_REGION
    try:
        num = phonenumbers.parse(text, use)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num):
        # an explicitly international number in a range the metadata does not list (new
        # ranges, numbers kept for drama) is still a number the record's owner wrote
        if not (text.lstrip().startswith("+") and phonenumbers.is_possible_number(num)):
            return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def normalise(field: str, raw: str, subtype: str | None, *, region: str | None = None) -> Triple | None:
    """One ``(field, value, subtype)`` triple in normal form, or None to drop the value.

    ``website`` values that are social profiles become ``social`` (typed with their
    network), and a ``social`` value that is a plain handle (``@jane``) becomes a
    profile URL when the network is known.
    """
    if not isinstance(raw, str) or subtype == SKIP:
        return None
    if field == "email":
        email = normalise_email(raw)
        return ("email", email, None) if email else None
    if field == "phone":
        e164 = phone_e164(raw, region)
        if e164 is None:
            return None
        return "phone", e164, subtype if subtype in ("work", "mobile", "fax", "other") else "other"
    if field in ("website", "social"):
        text = clean_text(raw)
        if not text or len(text) > _MAX_LEN[field]:
            return None
        prof = social_profile(text)
        if prof is not None:
            return "social", prof[1], prof[0]
        net = (subtype or "").lower()
        if field == "social" and net in SOCIAL_HANDLE_URLS:
            m = _HANDLE.fullmatch(text)
            if m:
                prof = social_profile(SOCIAL_HANDLE_URLS[net].format(m.group(1)))
                if prof is not None:
                    return "social", prof[1], prof[0]
        url = normalise_url(text)
        if url is None:
            return None
        if field == "social":
            return ("social", url, net) if net and net.isalnum() and len(net) <= 30 else None
        return "website", url, None
    if field == "name":
        text = clean_text(raw.replace("\n", " "))
        if not text or len(text) > 4 * _MAX_LEN["name"]:
            return None
        name = clean_person_name(text)
        if name is None:
            # organisation contacts and names with digits: keep the plain text when safe
            if "@" in text or "<" in text or ">" in text or len(text) > _MAX_LEN["name"]:
                return None
            if not any(ch.isalpha() for ch in text):
                return None
            name = text
        return "name", name, None
    if field in ("title", "company", "address"):
        text = clean_text(raw)
        if field == "address":
            text = ", ".join(part.strip(" ,") for part in text.split("\n") if part.strip(" ,"))
        else:
            text = text.replace("\n", " ")
        if not text or len(text) > _MAX_LEN[field] or "@" in text or "<" in text or ">" in text:
            return None
        if not any(ch.isalnum() for ch in text):
            return None
        return field, text, None
    return None


def region_hint(triples: Iterable[Triple], configured: str | None) -> str | None:
    """The region for numbers without ``+``: configured, else the ccTLD of the first email."""
    if configured:
        return configured
    for f, v, _s in triples:
        if f == "email":
            region = region_for_domain(v)
            if region:
                return region
    return None


def dedupe(triples: Iterable[Triple], limit: int = 100) -> tuple[Triple, ...]:
    """Triples in first-seen order without repeats, at most ``limit`` (a hostile record
    cannot make one contact hold thousands of values)."""
    seen: set[Triple] = set()
    out: list[Triple] = []
    for t in triples:
        if t not in seen:
            seen.add(t)
            out.append(t)
            if len(out) >= limit:
                break
    return tuple(out)
