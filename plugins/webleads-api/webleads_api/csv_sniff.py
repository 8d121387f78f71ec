"""Guessing how a CSV export is laid out: its delimiter, and which columns hold which
business fields when the config gives no mapping.

The header table below covers the exports people actually have: Outlook
(``Business Phone``, ``Job Title``, ``Business Street`` ...), Google Contacts old and
new (``E-mail 1 - Type`` / ``E-mail 1 - Value`` pairs, ``Organization 1 - Name``,
``Phone 1 - Label``), Salesforce (``Account Name``, ``Mailing Street``), HubSpot
(``Company Name``, ``Mobile Phone Number``), LinkedIn connections (``Position``,
``URL``), Apple and Thunderbird address books, and the core's own CSV sink.  Headers
are compared case- and punctuation-insensitively (``E-mail Address`` = ``email
address``).  Columns that only hold personal data (``Home Phone``, ``Birthday``,
``Notes``) are never mapped.

The sniffed mapping is an ordinary list of :class:`~webleads_api.mapping.Rule`, so
what it does is exactly what the same mapping written by hand would do.
"""

from __future__ import annotations

import re
from typing import Sequence

from .mapping import Rule
from .paths import Path

DELIMITERS = (",", ";", "\t", "|")


def header_key(header: str) -> str:
    """``"E-mail 1 - Value"`` -> ``"email1value"``."""
    return re.sub(r"[^a-z0-9]", "", header.casefold())


def sniff_delimiter(first_line: str) -> str:
    """The candidate delimiter that occurs most often outside quotes in the header
    line (comma on a tie or when none occurs).  Bounded: looks at 64 KiB at most."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in first_line[:65536]:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


# normalised header -> (field, subtype); a subtype of "skip" means "never map".
_SIMPLE: dict[str, tuple[str, str | None]] = {}


def _add(field: str, subtype: str | None, *keys: str) -> None:
    for k in keys:
        _SIMPLE[k] = (field, subtype)


_add("name", None, "name", "fullname", "displayname", "contactname", "contact", "fn", "formattedname")
_add("email", None, "email", "emailaddress", "email1", "email2", "email3", "emailaddress1",
     "emailaddress2", "emailaddress3", "email2address", "email3address", "primaryemail",
     "workemail", "businessemail", "secondaryemail", "email1address", "emails", "mail")
_add("phone", "work", "phone", "phonenumber", "telephone", "tel", "businessphone", "businessphone2",
     "workphone", "officephone", "directphone", "companymainphone", "companyphone", "primaryphone",
     "mainphone", "directdial", "phone1", "workphonenumber", "businessphonenumber")
_add("phone", "mobile", "mobile", "mobilephone", "mobilephonenumber", "cell", "cellphone",
     "mobilenumber", "cellular", "cellphonenumber")
_add("phone", "fax", "fax", "faxnumber", "businessfax", "workfax")
_add("phone", "other", "otherphone", "pager")
_add("company", None, "company", "companyname", "organization", "organisation", "organizationname",
     "organisationname", "organization1name", "accountname", "account", "employer")
_add("title", None, "jobtitle", "position", "role", "designation", "jobposition",
     "organization1title", "organizationtitle")
_add("website", None, "website", "webpage", "web", "url", "homepage", "websiteurl", "companywebsite",
     "webaddress", "companydomainname", "website1", "personalwebpage")
_add("address", None, "address", "fulladdress", "businessaddress", "workaddress", "mailingaddress",
     "officeaddress")
_add("social", "linkedin", "linkedin", "linkedinurl", "linkedinprofile", "linkedinprofileurl")
_add("social", "twitter", "twitter", "twitterhandle", "twitterusername", "twitterurl")
_add("social", "xing", "xing", "xingprofile")
_add("social", "github", "github", "githuburl")

_FIRST = ("firstname", "givenname", "first", "forename")
_MIDDLE = ("middlename", "additionalname", "middle")
_LAST = ("lastname", "familyname", "surname", "last")
#: Address parts, in the order they are joined; each family is tried in turn.
_ADDRESS_FAMILIES: tuple[tuple[str, ...], ...] = (
    ("businessstreet", "businessstreet2", "businessstreet3", "businesscity", "businessstate",
     "businesspostalcode", "businesscountryregion", "businesscountry"),
    ("mailingstreet", "mailingcity", "mailingstateprovince", "mailingstate", "mailingzippostalcode",
     "mailingpostalcode", "mailingcountry"),
    ("workstreet", "workcity", "workstate", "workpostalcode", "workzip", "workcountry"),
    ("street", "streetaddress", "address1", "address2", "city", "state", "stateregion", "province",
     "zip", "zipcode", "postalcode", "postcode", "country", "countryregion"),
)
_TYPED = re.compile(r"^(email|phone|website|address|organization)(\d{1,2})(value|formatted|name|title)$")


def sniff_mapping(headers: Sequence[str]) -> tuple[Rule, ...]:
    """Rules for the columns of a header row that look like business fields."""
    keys = [header_key(h) for h in headers]
    by_key: dict[str, str] = {}
    for h, k in zip(headers, keys):
        by_key.setdefault(k, h)
    rules: list[Rule] = []

    def col(h: str) -> Path:
        return Path.column(header_key(h))  # rows are keyed by normalised header

    def label(field: str, text: str) -> str:
        return f"{field} = {text}"

    # names: first/middle/last when present, else a full-name column
    firsts = [by_key[k] for k in _FIRST if k in by_key][:1]
    middles = [by_key[k] for k in _MIDDLE if k in by_key][:1]
    lasts = [by_key[k] for k in _LAST if k in by_key][:1]
    if firsts or lasts:
        cols = firsts + middles + lasts
        rules.append(Rule(field="name", paths=tuple(col(c) for c in cols), join=" ",
                          label=label("name", "join(" + ", ".join(cols) + ")")))
    used: set[str] = set()
    for h, k in zip(headers, keys):
        if k in used:
            continue
        m = _TYPED.match(k)
        if m:
            kind, n, what = m.groups()
            type_col = next((by_key[t] for t in (f"{kind}{n}type", f"{kind}{n}label") if t in by_key), None)
            field = {"organization": "company" if what == "name" else "title"}.get(kind, kind)
            if kind == "organization" and what not in ("name", "title"):
                continue
            rules.append(Rule(field=field, paths=(col(h),),
                              type_from=col(type_col) if type_col and kind != "organization" else None,
                              label=label(field, h)))
            used.add(k)
            continue
        if k in _SIMPLE:
            field, subtype = _SIMPLE[k]
            if field == "name" and (firsts or lasts):
                continue
            rules.append(Rule(field=field, paths=(col(h),), subtype=subtype, label=label(field, h)))
            used.add(k)
    if "jobtitle" not in used and "title" in by_key and not any(r.field == "title" for r in rules):
        h = by_key["title"]  # Outlook's "Title" is an honorific, so only without "Job Title"
        rules.append(Rule(field="title", paths=(col(h),), label=label("title", h)))
    if not any(r.field == "address" for r in rules):
        for family in _ADDRESS_FAMILIES:
            cols = [by_key[k] for k in family if k in by_key]
            if len(cols) >= 2:
                rules.append(Rule(field="address", paths=tuple(col(c) for c in cols), join=", ",
                                  label=label("address", "join(" + ", ".join(cols) + ")")))
                break
    return tuple(rules)
