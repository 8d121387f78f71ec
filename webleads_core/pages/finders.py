"""Contact values in links and visible text: ``mailto:``, ``tel:``, Cloudflare-protected
addresses, bracketed obfuscations and plain text.

- ``mailto:`` per RFC 6068: the addresses of the path and of the ``to`` field,
  percent-decoded; a share link with no address (``mailto:?subject=...``) gives nothing.
- ``tel:`` per RFC 3966: the number before any ``;`` parameter, visual separators kept.
- Cloudflare email protection: ``data-cfemail`` and ``/cdn-cgi/l/email-protection#hex``
  hold the address XOR-ed with the first byte; decoded here.
- Bracketed obfuscations (``jane [at] example [dot] com``, ``jane(at)example.com``,
  ``jane {at} example {dot} com``) are decoded; a bare word ``at`` between two words is
  never read as ``@`` ("meet us at Berlin dot com" stays text).
- Text: addresses by the core's bounded pattern; phone candidates only in lines with
  at least six digits, read later by phonenumbers.
Every pattern has bounded quantifiers (BAD_INPUTS #27).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote

from ..text.emails import EMAIL_RE, normalise_email

MAX_CFEMAIL_HEX = 512

_AT = r"(?:\s{0,3}(?:\[\s{0,2}(?:at|@|ät)\s{0,2}\]|\(\s{0,2}(?:at|@|ät)\s{0,2}\)|\{\s{0,2}(?:at|@|ät)\s{0,2}\}|<\s{0,2}(?:at|@)\s{0,2}>)\s{0,3})"
_DOT = r"(?:\s{0,3}(?:\[\s{0,2}(?:dot|punkt|point|punto|\.)\s{0,2}\]|\(\s{0,2}(?:dot|punkt|point|punto|\.)\s{0,2}\)|\{\s{0,2}(?:dot|punkt|point|punto|\.)\s{0,2}\})\s{0,3}|\.)"
BRACKET_RE = re.compile(
    rf"(?i)(?<![\w.+-])([\w.+-]{{1,64}}){_AT}((?:[a-z0-9-]{{1,63}}{_DOT}){{1,6}}[a-z]{{2,24}})(?![\w-])"
)
_DOT_TOKEN = re.compile(rf"(?i){_DOT}")
_PHONE_CHARS = re.compile(r"(?:\+|\(?\d)[\d\s().\-/]{5,28}\d")
_DIGIT = re.compile(r"\d")


def mailto_addresses(href: str) -> list[str]:
    """Addresses of a ``mailto:`` URI (RFC 6068); [] for a share link without one."""
    rest = href.strip()[7:]
    path, _, query = rest.partition("?")
    found = [unquote(a) for a in path.split(",") if a.strip()]
    for k, v in parse_qsl(query[:2000], keep_blank_values=False):
        if k.lower() == "to":
            found.extend(a for a in v.split(",") if a.strip())
    out = []
    for a in found[:10]:
        norm = normalise_email(a.strip())
        if norm and norm not in out:
            out.append(norm)
    return out


def tel_number(href: str) -> str | None:
    """The number of a ``tel:`` URI (RFC 3966), or None."""
    rest = unquote(href.strip()[4:]).split(";", 1)[0].strip()
    if len(rest) > 40 or len(_DIGIT.findall(rest)) < 5:
        return None
    return rest


def decode_cfemail(hexstr: str) -> str | None:
    """Cloudflare's XOR-encoded address: first byte is the key, the rest the address."""
    hexstr = hexstr.strip()
    if not 4 <= len(hexstr) <= MAX_CFEMAIL_HEX or len(hexstr) % 2:
        return None
    try:
        data = bytes.fromhex(hexstr)
    except ValueError:
        return None
    key = data[0]
    try:
        text = bytes(b ^ key for b in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return normalise_email(text)


def bracket_emails(text: str) -> list[str]:
    """Addresses written with bracketed ``at``/``dot`` (decoded), in text order."""
    out = []
    for m in BRACKET_RE.finditer(text):
        domain = _DOT_TOKEN.sub(".", m.group(2))
        norm = normalise_email(f"{m.group(1)}@{domain}")
        if norm and norm not in out:
            out.append(norm)
    return out


def text_emails(text: str) -> list[str]:
    out = []
    for m in EMAIL_RE.finditer(text):
        raw = m.group(0).lstrip(".'-")
        norm = normalise_email(raw)
        if norm and norm not in out:
            out.append(norm)
    return out


def phone_candidates(text: str) -> list[tuple[str, str]]:
    """``(raw number, label context)`` pairs of phone-looking runs of a line (digits >= 6)."""
    if len(_DIGIT.findall(text[:4000])) < 6:
        return []
    out = []
    for m in _PHONE_CHARS.finditer(text[:4000]):
        raw = m.group(0).strip()
        if len(_DIGIT.findall(raw)) < 6:
            continue
        context = text[max(0, m.start() - 24):m.start()]
        out.append((raw, context))
        if len(out) >= 10:
            break
    return out
