"""The shared safe HTTP client: SSRF checks on every resolved address of every hop, a
pinned connection, a total deadline, caps on size, decompression and content type.

Used by every webleads component that talks to the network (web crawler, API and
Gmail plugins)::

    from webleads_core.net import HttpClient, NetPolicy
    client = HttpClient(NetPolicy(content_types=("text/html",)))
    resp = client.request("GET", "https://example.com/")
"""

from __future__ import annotations

from .addresses import is_allowed, is_public
from .client import HttpClient, Response, parse_target
from .errors import REASONS, FetchError, SSRFBlocked, TooManyRedirects
from .policy import DEFAULT_USER_AGENT, NetPolicy

__all__ = [
    "DEFAULT_USER_AGENT", "FetchError", "HttpClient", "NetPolicy", "REASONS", "Response", "SSRFBlocked",
    "TooManyRedirects", "is_allowed", "is_public", "parse_target",
]
