"""Identity resolution: which identifiers say two observations are the same person.

- the same email address;
- the same mobile number (work numbers are often a shared switchboard, so they do
  not identify a person on their own);
- the same normalised name at the same company email domain (free-mail domains
  such as gmail.com say nothing about a company and are left out).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from ..records import Evidence

_FREE_MAIL = frozenset(
    """gmail.com googlemail.com yahoo.com yahoo.fr yahoo.co.uk hotmail.com hotmail.fr outlook.com
    live.com msn.com aol.com icloud.com me.com mac.com gmx.de gmx.net gmx.com web.de t-online.de
    orange.fr wanadoo.fr free.fr laposte.net sfr.fr libero.it virgilio.it proton.me protonmail.com
    yandex.ru mail.ru qq.com 163.com uol.com.br bol.com.br terra.com.br""".split()
)


@lru_cache(maxsize=1 << 15)
def name_key(name: str) -> str:
    """Accent-folded, lower-case first and last token of a name.

    Cached: the same names come back batch after batch, and cleaning one is the
    costliest step of resolution on the single process that writes the store."""
    try:
        from ..text.names import name_key as _nk

        return _nk(name)
    except ImportError:  # pragma: no cover - text.names is part of the core
        toks = name.lower().split()
        return f"{toks[0]} {toks[-1]}" if toks else ""


def identifiers(group: Iterable[Evidence]) -> list[tuple[str, str]]:
    """The identifiers of one subject's evidence, strongest first."""
    group = list(group)
    out: list[tuple[str, str]] = []
    emails = [e.value for e in group if e.field == "email"]
    subject = group[0].subject if group else ""
    if subject.startswith("email:") and subject[6:] and subject[6:] not in emails:
        emails.insert(0, subject[6:].lower())
    for e in emails:
        out.append(("email", e))
    for e in group:
        if e.field == "phone" and e.subtype == "mobile":
            out.append(("phone", e.value))
    domains = {e.rpartition("@")[2] for e in emails} - _FREE_MAIL
    names = {name_key(e.value) for e in group if e.field == "name"} - {""}
    for n in sorted(names):
        for d in sorted(domains):
            out.append(("namekey", f"{n}@{d}"))
    seen: set[tuple[str, str]] = set()
    return [x for x in out if not (x in seen or seen.add(x))]
