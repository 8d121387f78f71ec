"""Typed errors of the safe HTTP client.

Every failure carries a stable ``reason`` code (``net.ssrf_blocked``, ``net.deadline`` ...)
so callers can count and quarantine without looking at messages.  Messages hold at
most a host name and a number, never a response body.
"""

from __future__ import annotations

from ..errors import WebleadsError

#: Every reason code :class:`FetchError` uses.
REASONS: tuple[str, ...] = (
    "net.scheme", "net.ssrf_blocked", "net.too_many_redirects", "net.deadline", "net.too_large",
    "net.decompression", "net.content_type", "net.connect", "net.dns", "net.tls", "net.protocol",
)


class FetchError(WebleadsError):
    """A request could not be completed safely.  HTTP error statuses are *not* errors:
    they come back as a :class:`~webleads_core.net.Response` and the caller decides."""

    reason = "net.protocol"

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or reason, reason=reason)


class SSRFBlocked(FetchError):
    """The target (or a redirect hop) resolves to an address that is not allowed."""

    reason = "net.ssrf_blocked"

    def __init__(self, message: str = "") -> None:
        super().__init__("net.ssrf_blocked", message)


class TooManyRedirects(FetchError):
    """More redirects than the policy allows, or a redirect loop."""

    reason = "net.too_many_redirects"

    def __init__(self, message: str = "") -> None:
        super().__init__("net.too_many_redirects", message)
