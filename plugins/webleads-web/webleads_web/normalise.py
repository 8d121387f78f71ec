"""Turning the raw values of a page card into evidence values, and refusing junk.

Emails found on pages are noisier than header addresses: image names
(``logo@2x.png``), template placeholders (``{{email}}``, ``your.name@company.com``),
tracking ids with hash-like local parts (``8f14e45fceea167a5a36dedd4bea2543@...``) and
hosts without a public suffix (``admin@localhost.localdomain``).  The Public Suffix List
(the ``publicsuffixlist`` package ships it; nothing is downloaded) decides the last
case; the RFC 2606 documentation names under ``.example`` are accepted so examples and
tests can use fictional companies.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from publicsuffixlist import PublicSuffixList

from webleads_core.text.emails import normalise_email
from webleads_core.text.urls import normalise_url, social_profile

_FILE_TLDS = frozenset("png jpg jpeg gif svg webp bmp ico css js json mp4 webm pdf zip avif tif tiff".split())
_TEMPLATE = re.compile(r"[{}$%<>\[\]|]")
_PLACEHOLDER_LOCALS = frozenset("""
    email e-mail mail yourname your.name yourmail youremail your-email your_email name
    firstname.lastname first.last firstname lastname vorname.nachname prenom.nom nome.cognome
    nombre.apellido user username someone somebody test example sample xxx xxxx abc
""".split())
_HEXLIKE = re.compile(r"^[0-9a-f]{16,}$")
_PSL: PublicSuffixList | None = None


def _psl() -> PublicSuffixList:
    global _PSL
    if _PSL is None:
        _PSL = PublicSuffixList()
    return _PSL


@lru_cache(maxsize=4096)
def has_public_suffix(domain: str) -> bool:
    """True when ``domain`` is registrable under a public suffix (or under ``.example``)."""
    domain = domain.lower().rstrip(".")
    if domain == "example" or domain.endswith(".example"):
        return True
    try:
        return _psl().privatesuffix(domain, accept_unknown=False) is not None
    except Exception:
        return False


def _hash_like(local: str) -> bool:
    bare = local.replace("-", "").replace("_", "").replace(".", "")
    if _HEXLIKE.match(bare):
        return True
    if len(bare) >= 20:
        digits = sum(c.isdigit() for c in bare)
        return digits >= 6 and digits / len(bare) > 0.25
    return False


def clean_email(raw: str) -> str | None:
    """A storable page email, or None for junk (see the module doc)."""
    if not raw or _TEMPLATE.search(raw):
        return None
    norm = normalise_email(raw)
    if norm is None:
        return None
    local, domain = norm.rsplit("@", 1)
    if domain.rsplit(".", 1)[-1] in _FILE_TLDS or local in _PLACEHOLDER_LOCALS or _hash_like(local):
        return None
    if not has_public_suffix(domain):
        return None
    return norm


_TYPE = {phonenumbers.PhoneNumberType.MOBILE: "mobile"}


def _parse_valid(raw: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        num = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return num if phonenumbers.is_valid_number(num) else None


def clean_phone(raw: str, region: str | None, kind: str = "phone") -> tuple[str, str, bool] | None:
    """``(E.164, type, region_assumed)`` for a valid number, else None.

    Numbers without ``+`` are read in the page's region; without one, as US numbers
    (``region_assumed`` True: callers lower the confidence).
    """
    raw = raw.strip()
    if not raw or len(raw) > 40:
        return None
    assumed = False
    if not raw.startswith("+") and not raw.startswith("00"):
        if region is None:
            region, assumed = "US", True
    num = _parse_valid(raw, region)
    if num is None and raw[:1] == "(" and not raw.lstrip("( ").startswith("0"):
        # "( 33 1) 42 68 53 00": a country code written in brackets instead of after a "+"
        num = _parse_valid("+" + "".join(ch for ch in raw if ch.isdigit()), None)
        assumed = False
    if num is None:
        return None
    e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    if kind == "fax":
        return e164, "fax", assumed
    return e164, _TYPE.get(phonenumbers.number_type(num), "work"), assumed


def clean_link(raw: str) -> tuple[str, str, str | None] | None:
    """``("social", url, network)`` for a profile, ``("website", url, None)`` for a web
    site, None for anything else (share links, mail links, non-http)."""
    raw = raw.strip()
    if not raw:
        return None
    prof = social_profile(raw)
    if prof is not None:
        return "social", prof[1], prof[0]
    if not raw.lower().startswith(("http://", "https://")):
        return None
    url = normalise_url(raw)
    if url is None:
        return None
    from webleads_core.text.urls import is_social_host

    if is_social_host(url):
        return None
    return "website", url, None
