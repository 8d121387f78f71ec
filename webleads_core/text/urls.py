"""Web addresses: finding them in text, normalising them, recognising social profiles.

Normal form of a website (:func:`normalise_url`): ``http`` or ``https`` only (a bare
``www.`` host gets ``https://``), no user-info, host lower-case and IDNA-encoded,
default port dropped, fragment and tracking parameters (``utm_*``, ``fbclid``,
``gclid`` ...) dropped, and a root path written without the slash
(``https://www.example.com``).

Social profiles (:func:`social_profile`) are returned as ``(network, canonical_url)``
with the network one of ``linkedin``, ``twitter`` (X; the host seen, ``twitter.com``
or ``x.com``, is kept so the value stays grounded in the signature), ``github``,
``xing``, ``facebook``, ``instagram``, ``youtube`` and ``mastodon``.  Share,
intent and post links are not profiles and give None.

All patterns are flat and bounded (BAD_INPUTS #27).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "SOCIAL_HOSTS",
    "find_urls",
    "is_social_host",
    "mastodon_handle",
    "normalise_url",
    "social_profile",
]

#: ``http(s)://...`` or ``www....`` up to the next blank, quote or angle bracket.
URL_RE = re.compile(r"(?i)(?<![\w@.\-/])(?:https?://|www\.)[^\s<>\"'`\x00-\x1f\x7f]{1,2048}")
#: A bare domain (``acme.com``, ``acme.co.uk/contact``) with a known TLD; only used when
#: the caller asks for bare domains (a signature line ``acme.com``).
BARE_DOMAIN_RE = re.compile(
    r"(?i)(?<![\w@.\-/])[a-z0-9][a-z0-9.-]{0,200}\.(?:com|net|org|io|co|biz|info|eu|de|fr|uk|"
    r"es|it|nl|be|ch|at|pt|br|ca|us|au|se|no|dk|fi|pl|ie|jp|in|mx|ar|cl|lu|cz|app|dev|ai|"
    r"tech|agency|consulting|law|group|global|solutions)(?![\w@-])(?:/[^\s<>\"'`]{0,512})?"
)
#: ``@user@host.tld`` (a fediverse handle).
MASTODON_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{1,30})@([A-Za-z0-9][A-Za-z0-9.-]{0,200}\.[A-Za-z]{2,24})(?![\w-])")

_TRAILING = ".,;:!?'\")]}>*"
_TRACKING_PREFIXES = ("utm_",)
_TRACKING = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "trk", "trkcampaign", "igshid",
                       "_hsenc", "_hsmi", "mkt_tok", "si", "ref_src", "ref"})
_HOST_OK = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_BAD_CHARS = re.compile(r"[\x00-\x20\x7f<>\"\\^`{|}]")

#: Hosts of the social networks :func:`social_profile` knows (without ``www.``).
SOCIAL_HOSTS: frozenset[str] = frozenset({
    "linkedin.com", "twitter.com", "x.com", "mobile.twitter.com", "github.com", "xing.com",
    "facebook.com", "fb.com", "m.facebook.com", "instagram.com", "youtube.com",
    "m.youtube.com", "youtu.be", "lnkd.in", "t.co", "fb.me",
})


def find_urls(
    text: str, *, bare_domains: bool = False, max_chars: int = 65536
) -> list[tuple[str, tuple[int, int]]]:
    """Web addresses in ``text``: ``(raw_url, (start, end))`` in text order.

    The raw URL has trailing sentence punctuation and unbalanced closing brackets
    removed; pass it to :func:`normalise_url` or :func:`social_profile`.  With
    ``bare_domains`` also ``acme.com``-style hosts with a common TLD (never the
    domain of an email address).
    """
    out: list[tuple[str, tuple[int, int]]] = []
    if not text:
        return out
    text = text[:max_chars]
    taken: list[tuple[int, int]] = []
    patterns = (URL_RE, BARE_DOMAIN_RE) if bare_domains else (URL_RE,)
    for pat in patterns:
        for m in pat.finditer(text):
            start, end = m.span()
            if any(s < end and start < e for s, e in taken):
                continue
            raw = _trim(m.group(0))
            if not raw or "." not in raw:
                continue
            out.append((raw, (start, start + len(raw))))
            taken.append((start, start + len(raw)))
    out.sort(key=lambda x: x[1])
    return out


def _trim(raw: str) -> str:
    while raw and raw[-1] in _TRAILING:
        ch = raw[-1]
        if ch == ")" and raw.count("(") >= raw.count(")"):
            break
        raw = raw[:-1]
    return raw


def _split(u: str):
    u = u.strip()
    if not u or len(u) > 4096 or _BAD_CHARS.search(u):
        return None
    if u.lower().startswith("www.") or "://" not in u:
        u = "https://" + u
    try:
        parts = urlsplit(u)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    return parts


def _host(parts) -> str | None:
    try:
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except (UnicodeError, ValueError):
            return None
    host = host.lower()
    labels = host.split(".")
    if len(labels) < 2 or any(not _HOST_OK.fullmatch(x) for x in labels):
        return None
    if labels[-1].isdigit():  # IP literals are not websites of a contact
        return None
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    return host


def normalise_url(u: str) -> str | None:
    """The normal form of a website URL, or None when it is not an http(s) web address.

    >>> normalise_url("WWW.Example.COM/?utm_source=x#top")
    'https://www.example.com'
    """
    if not isinstance(u, str):
        return None
    parts = _split(u)
    if parts is None:
        return None
    host = _host(parts)
    if host is None:
        return None
    scheme = parts.scheme.lower()
    path = parts.path or ""
    if path == "/":
        path = ""
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING]
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def is_social_host(u: str) -> bool:
    """True when the URL's host belongs to a social network :func:`social_profile` knows
    (so a share link there is neither a profile nor a company website)."""
    parts = _split(u) if isinstance(u, str) else None
    host = _host(parts) if parts is not None else None
    if not host:
        return False
    host = host.removeprefix("www.")
    return host in SOCIAL_HOSTS or any(host.endswith("." + h) for h in SOCIAL_HOSTS)


_LINKEDIN_SLUG = re.compile(r"[A-Za-z0-9%_-]{2,100}")
_TWITTER_HANDLE = re.compile(r"[A-Za-z0-9_]{1,15}")
_GITHUB_USER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_XING_SLUG = re.compile(r"[A-Za-z0-9_.-]{2,100}")
_FB_NAME = re.compile(r"[A-Za-z0-9.]{5,50}")
_IG_USER = re.compile(r"[A-Za-z0-9._]{1,30}")
_YT_HANDLE = re.compile(r"@[A-Za-z0-9._-]{3,30}")
_MASTODON_PATH = re.compile(r"@[A-Za-z0-9_]{1,30}")

_TWITTER_RESERVED = frozenset({
    "intent", "share", "home", "search", "hashtag", "i", "settings", "login", "signup",
    "explore", "messages", "notifications", "compose", "tos", "privacy", "about", "download",
})
_GITHUB_RESERVED = frozenset({
    "orgs", "settings", "marketplace", "features", "about", "login", "join", "topics",
    "sponsors", "apps", "enterprise", "pricing", "explore", "notifications", "pulls",
    "issues", "search", "collections", "trending", "site", "security", "customer-stories",
    "readme", "team", "contact", "new",
})
_FB_RESERVED = frozenset({
    "sharer", "sharer.php", "share.php", "share", "dialog", "plugins", "login", "login.php",
    "hashtag", "events", "watch", "marketplace", "help", "policies", "privacy", "home.php",
    "photo.php", "photo", "story.php", "permalink.php", "groups", "gaming", "pages", "l.php",
})
_IG_RESERVED = frozenset({"p", "reel", "reels", "explore", "accounts", "stories", "tv", "about",
                          "direct", "developer", "legal"})


def social_profile(url: str) -> tuple[str, str] | None:
    """``(network, canonical_url)`` when ``url`` is a person's or company's profile.

    >>> social_profile("linkedin.com/in/Jane-Doe-42/?trk=x")
    ('linkedin', 'https://www.linkedin.com/in/jane-doe-42')
    >>> social_profile("https://www.linkedin.com/shareArticle?url=x") is None
    True
    >>> social_profile("@jane@mastodon.social")
    ('mastodon', 'https://mastodon.social/@jane')
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    handle = mastodon_handle(url)
    if handle is not None:
        return handle
    parts = _split(url)
    if parts is None:
        return None
    host = _host(parts)
    if host is None:
        return None
    bare = host.removeprefix("www.")
    segs = [s for s in parts.path.split("/") if s]
    low = [s.lower() for s in segs]

    if bare == "linkedin.com" or bare.endswith(".linkedin.com"):
        if len(segs) >= 2 and low[0] in ("in", "company", "school", "showcase") \
                and _LINKEDIN_SLUG.fullmatch(segs[1]):
            return "linkedin", f"https://www.linkedin.com/{low[0]}/{low[1]}"
        if len(segs) >= 2 and low[0] == "pub" and _LINKEDIN_SLUG.fullmatch(segs[1]):
            return "linkedin", "https://www.linkedin.com/pub/" + "/".join(low[1:5])
        return None
    if bare in ("twitter.com", "x.com", "mobile.twitter.com"):
        if len(segs) == 1 and _TWITTER_HANDLE.fullmatch(segs[0]) and low[0] not in _TWITTER_RESERVED:
            site = "x.com" if bare == "x.com" else "twitter.com"
            return "twitter", f"https://{site}/{low[0]}"
        return None
    if bare == "github.com":
        if len(segs) == 1 and _GITHUB_USER.fullmatch(segs[0]) and low[0] not in _GITHUB_RESERVED:
            return "github", f"https://github.com/{low[0]}"
        return None
    if bare == "xing.com":
        if len(segs) >= 2 and low[0] in ("profile", "companies", "pages") \
                and _XING_SLUG.fullmatch(segs[1]):
            return "xing", f"https://www.xing.com/{low[0]}/{segs[1]}"
        return None
    if bare in ("facebook.com", "fb.com", "m.facebook.com"):
        if len(segs) == 1 and low[0] == "profile.php":
            q = dict(parse_qsl(parts.query))
            if q.get("id", "").isdigit():
                return "facebook", f"https://www.facebook.com/profile.php?id={q['id']}"
            return None
        if len(segs) == 1 and _FB_NAME.fullmatch(segs[0]) and low[0] not in _FB_RESERVED:
            return "facebook", f"https://www.facebook.com/{low[0]}"
        return None
    if bare == "instagram.com":
        if len(segs) == 1 and _IG_USER.fullmatch(segs[0]) and low[0] not in _IG_RESERVED:
            return "instagram", f"https://www.instagram.com/{low[0]}"
        return None
    if bare in ("youtube.com", "m.youtube.com"):
        if len(segs) == 1 and _YT_HANDLE.fullmatch(segs[0]):
            return "youtube", f"https://www.youtube.com/{low[0]}"
        if len(segs) == 2 and low[0] in ("c", "channel", "user"):
            return "youtube", f"https://www.youtube.com/{low[0]}/{segs[1]}"
        return None
    # Mastodon-style profile URL: https://host/@user
    if len(segs) == 1 and _MASTODON_PATH.fullmatch(segs[0]):
        return "mastodon", f"https://{host}/@{low[0][1:]}"
    return None


def mastodon_handle(s: str) -> tuple[str, str] | None:
    """``("mastodon", "https://host/@user")`` for a fediverse handle ``@user@host``."""
    m = MASTODON_RE.fullmatch(s.strip()) if isinstance(s, str) else None
    if m is None:
        return None
    host = m.group(2).lower().rstrip(".")
    return "mastodon", f"https://{host}/@{m.group(1).lower()}"
