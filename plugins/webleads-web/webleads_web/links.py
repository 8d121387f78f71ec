"""Which links a crawl follows, and in what order.

Same-site only by default (the seed's host, with or without ``www.``); http and https;
no fragments; no obvious non-page files.  Contact-like pages come first: a link whose
path or anchor text names a contact, about, team, people, staff, leadership, imprint
or legal-notice page in one of many languages gets priority 0, others priority 1.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

CONTACT_WORDS = (
    "contact", "contacts", "contact-us", "contactus", "kontakt", "contacto", "contactos", "contatti", "contato",
    "contactez", "nous-contacter", "about", "about-us", "aboutus", "who-we-are", "ueber-uns", "uber-uns",
    "über-uns", "a-propos", "qui-sommes-nous", "chi-siamo", "quienes-somos", "sobre", "sobre-nosotros",
    "nosotros", "over-ons", "team", "our-team", "teams", "people", "our-people", "staff", "leadership",
    "management", "board", "directors", "founders", "equipe", "équipe", "l-equipe", "mitarbeiter", "squadra",
    "equipo", "impressum", "imprint", "legal-notice", "legal", "mentions-legales", "mentions-légales",
    "aviso-legal", "note-legali", "colofon", "press", "presse", "media", "offices", "locations", "directory",
)
_WORD_RE = re.compile(r"[\w-]{2,40}", re.UNICODE)
_CONTACT = frozenset(CONTACT_WORDS)
_SKIP_EXT = re.compile(r"(?i)\.(?:pdf|jpe?g|png|gif|svg|webp|ico|css|js|json|xml|zip|gz|tgz|rar|7z|mp[34]|mov|avi|"
                       r"wav|docx?|xlsx?|pptx?|exe|dmg|woff2?|ttf|eot|rss|atom)$")


def site_key(host: str) -> str:
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def normalise_link(base: str, href: str, *, pages_only: bool = True) -> str | None:
    """An absolute http(s) URL without fragment, or None for anything not to crawl
    (with ``pages_only``, also None for links to images, scripts, archives ...)."""
    href = href.strip()
    if not href or href.startswith("#") or len(href) > 2000:
        return None
    low = href[:11].lower()
    if low.startswith(("mailto:", "tel:", "javascript", "data:", "ftp:", "file:", "sms:", "callto:")):
        return None
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    if pages_only and (_SKIP_EXT.search(parts.path or "") or (parts.path or "").startswith("/cdn-cgi/")):
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[scheme]
    netloc = host if port in (None, default) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def priority(url: str, anchor_text: str = "") -> int:
    """0 for contact-like pages, 1 for the rest."""
    path = urlsplit(url).path.lower()
    words = set(_WORD_RE.findall(path.replace("/", " ").replace(".", " ")))
    words |= {w.strip("-") for w in path.split("/") if w}
    text = anchor_text.lower()[:80]
    words |= set(_WORD_RE.findall(text))
    words |= {text.strip().replace(" ", "-")}
    return 0 if words & _CONTACT else 1
