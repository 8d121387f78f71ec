"""Which observations are independent of each other.

Agreement only means something between observers who could have been wrong
separately.  So observations are grouped, and a group counts once however often it
repeats itself:

- everything from one owner's mailbox or account is one group (the same sender's
  signature seen in 200 messages is one observation, not 200);
- every page of one web site is one group, whoever crawled it;
- anything else (an API, an address book without owner) is one group per source.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def site_of(url: str) -> str | None:
    """The host of a page URL without ``www.`` and port, or None for anything else."""
    if not url.startswith(("http://", "https://")):
        return None
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    return host.removeprefix("www.") or None


def group_key(source: str, item_id: str, owner: str) -> str:
    """The independence group of one observation (personal data: kept in memory only)."""
    site = site_of(item_id)
    if site:
        return "site:" + site
    if owner:
        return "owner:" + owner.lower()
    return "source:" + source
