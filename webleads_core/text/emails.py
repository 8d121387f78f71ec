"""Email addresses: finding them in text, normalising them, and a few predicates.

The finder uses one flat pattern with bounded quantifiers and no nested
quantifiers: a classic "RFC" email regex took 4.3 s on 25 characters (BAD_INPUTS
#27).  The finder is deliberately permissive; :func:`normalise_email` is the gate
that decides whether something is an address webleads stores.

Normal form: no surrounding blanks, brackets or ``mailto:``; local part and domain
lower-case (the local part is case-sensitive by the RFC, but no provider we meet
treats it so, and identity resolution needs one spelling); the domain IDNA-encoded
(``müller.de`` -> ``xn--mller-kva.de``).  Quoted local parts (``"a@b"@c.com``),
comments, IP-literal domains and control characters are refused.
"""

from __future__ import annotations

import re

__all__ = [
    "FREE_MAIL_DOMAINS",
    "email_domain",
    "find_emails",
    "fold_plus_tag",
    "is_free_mail",
    "normalise_email",
]

#: Local-part characters the finder accepts.  Narrower than RFC 5322 atext on purpose:
#: ``/``, ``|`` and ``=`` are legal but in signatures they are separators.
_ATEXT = r"\w.%+'\-"
#: One flat pattern: local part (at most 64), ``@``, domain (at most 253) ending in a
#: letter TLD.  The look-behind stops a match from starting inside a longer local part.
EMAIL_RE = re.compile(
    rf"(?<![{_ATEXT}@])[{_ATEXT}]{{1,64}}@[\w-][\w.-]{{0,251}}\.[^\W\d_]{{2,24}}(?![\w-])"
)

_LOCAL_OK = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}")
_LABEL_OK = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TLD_OK = re.compile(r"(?:[a-z]{2,24}|xn--[a-z0-9-]{1,59})")
_BAD_CHARS = re.compile(r"[\x00-\x20\x7f<>()\[\]\\,;:\"\u2028\u2029]")

#: Free-mail and consumer ISP domains: an address there says nothing about an employer.
FREE_MAIL_DOMAINS: frozenset[str] = frozenset("""
    gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.de yahoo.es yahoo.it
    yahoo.com.br yahoo.co.jp yahoo.ca yahoo.com.au ymail.com rocketmail.com
    outlook.com outlook.fr outlook.de outlook.es hotmail.com hotmail.co.uk hotmail.fr
    hotmail.de hotmail.es hotmail.it live.com live.co.uk live.fr live.de msn.com
    aol.com aol.de aol.fr aim.com icloud.com me.com mac.com proton.me protonmail.com
    protonmail.ch pm.me tutanota.com tuta.io zoho.com zohomail.com fastmail.com fastmail.fm
    hey.com mail.com email.com usa.com inbox.com gmx.com gmx.de gmx.net gmx.at gmx.ch
    gmx.fr web.de t-online.de freenet.de arcor.de posteo.de mailbox.org online.de
    orange.fr wanadoo.fr free.fr laposte.net sfr.fr neuf.fr bbox.fr numericable.fr
    libero.it virgilio.it alice.it tin.it tiscali.it email.it
    terra.es telefonica.net movistar.es
    uol.com.br bol.com.br terra.com.br ig.com.br
    ziggo.nl kpnmail.nl hetnet.nl planet.nl home.nl xs4all.nl
    telenet.be skynet.be bluewin.ch sunrise.ch
    btinternet.com sky.com virginmedia.com talktalk.net ntlworld.com
    comcast.net verizon.net att.net sbcglobal.net bellsouth.net cox.net charter.net
    earthlink.net optonline.net juno.com netzero.net
    yandex.ru yandex.com mail.ru rambler.ru list.ru bk.ru inbox.ru
    qq.com 163.com 126.com sina.com sohu.com naver.com hanmail.net daum.net
    rediffmail.com seznam.cz wp.pl o2.pl onet.pl interia.pl
""".split())

#: Second-level labels of free-mail brands that exist under many country TLDs.
_FREE_MAIL_BRANDS = frozenset({"gmail", "googlemail", "yahoo", "hotmail", "outlook", "live",
                               "gmx", "aol", "ymail", "icloud", "protonmail", "yandex"})
#: Second-level names under which ccTLDs register (``co.uk``, ``com.br``).
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "gob",
                           "gouv", "nom"})


def find_emails(text: str, *, max_chars: int = 65536) -> list[tuple[str, tuple[int, int]]]:
    """Every address-looking substring of ``text`` (first ``max_chars`` characters).

    Returns ``(normalised_email, (start, end))`` pairs in text order; candidates that
    :func:`normalise_email` refuses are left out.  The span covers the raw match.
    """
    out: list[tuple[str, tuple[int, int]]] = []
    if not text:
        return out
    for m in EMAIL_RE.finditer(text[:max_chars]):
        raw = m.group(0)
        start, end = m.span()
        # trim sentence punctuation and stray dots a permissive local part picked up
        lead = len(raw) - len(raw.lstrip(".'-"))
        raw = raw[lead:]
        start += lead
        norm = normalise_email(raw)
        if norm is not None:
            out.append((norm, (start, end)))
    return out


def normalise_email(s: str) -> str | None:
    """The normal form of one address, or None when it is not a plain, storable address.

    >>> normalise_email(" <Jane.Doe@Example.COM> ")
    'jane.doe@example.com'
    >>> normalise_email("jürgen@müller.de")
    'jürgen@xn--mller-kva.de'
    >>> normalise_email("a@b.com\\r\\nBcc: x@y.z") is None
    True
    """
    if not isinstance(s, str) or len(s) > 512:
        return None
    if "\r" in s or "\n" in s or "\x00" in s:
        return None
    s = s.strip().strip("\t ")
    if s[:7].lower() == "mailto:":
        s = s[7:]
        s = s.split("?", 1)[0]
    if s.startswith("<") and s.endswith(">"):
        s = s[1:-1].strip()
    if s.count("@") != 1:
        return None
    local, domain = s.split("@")
    if not local or not domain or _BAD_CHARS.search(local) or _BAD_CHARS.search(domain):
        return None
    local = local.lower()
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return None
    if not _LOCAL_OK.fullmatch(local.replace(".", "")) and not _local_unicode_ok(local):
        return None
    if len(local) > 64:
        return None
    domain = _normalise_domain(domain)
    if domain is None:
        return None
    out = f"{local}@{domain}"
    if len(out) > 254:
        return None
    return out


def _local_unicode_ok(local: str) -> bool:
    # internationalised local parts (RFC 6531): letters and digits of any script plus atext
    return all(ch.isalnum() or ch in ".!#$%&'*+/=?^_`{|}~-" for ch in local)


def _normalise_domain(domain: str) -> str | None:
    domain = domain.strip().rstrip(".").lower()
    if not domain or len(domain) > 253 or ".." in domain:
        return None
    labels = domain.split(".")
    if len(labels) < 2:
        return None
    out = []
    for label in labels:
        if not label:
            return None
        if not label.isascii():
            try:
                label = label.encode("idna").decode("ascii")
            except (UnicodeError, ValueError):
                return None
        if len(label) > 63 or not _LABEL_OK.fullmatch(label):
            return None
        out.append(label)
    if not _TLD_OK.fullmatch(out[-1]):
        return None
    result = ".".join(out)
    return result if len(result) <= 253 else None


def email_domain(e: str) -> str | None:
    """The (normalised) domain of an address, or None when the address is not valid."""
    norm = normalise_email(e) if isinstance(e, str) else None
    return norm.rsplit("@", 1)[1] if norm else None


def fold_plus_tag(e: str) -> str:
    """``jane+news@x.org`` -> ``jane@x.org``; the normal form when ``e`` is valid.

    Used for identity and suppression keys: an opt-out of ``jane@x.org`` also covers
    every ``jane+anything@x.org``.
    """
    norm = normalise_email(e)
    if norm is None:
        return e
    local, domain = norm.rsplit("@", 1)
    base = local.split("+", 1)[0]
    return f"{base or local}@{domain}"


def is_free_mail(domain: str) -> bool:
    """True for free-mail and consumer ISP domains (``gmail.com``, ``web.de``, ``orange.fr``,
    ``yahoo.co.jp`` ...).  Accepts a domain or a whole address."""
    if not isinstance(domain, str) or not domain:
        return False
    d = domain.rsplit("@", 1)[-1].strip().rstrip(".").lower()
    if d in FREE_MAIL_DOMAINS:
        return True
    labels = d.split(".")
    if len(labels) >= 2:
        # brand under any country TLD: yahoo.co.in, hotmail.com.ar, gmx.ch
        if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:
            brand = labels[-3]
            return brand in _FREE_MAIL_BRANDS and len(labels) == 3
        return labels[-2] in _FREE_MAIL_BRANDS and len(labels) == 2
    return False
