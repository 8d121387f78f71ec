"""What a client may do: which networks, how long, how much."""

from __future__ import annotations

import ipaddress

import attrs

from .errors import FetchError

DEFAULT_USER_AGENT = "webleads/0.1 (+https://github.com/webleads)"


def _networks(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    out = []
    for item in value or ():  # type: ignore[union-attr]
        try:
            out.append(str(ipaddress.ip_network(str(item), strict=False)))
        except ValueError:
            raise FetchError("net.scheme", f"allow_networks: not a network: {str(item)[:60]!r}") from None
    return tuple(out)


def _content_types(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = (value,)
    return tuple(str(v).strip().lower() for v in value)  # type: ignore[union-attr]


@attrs.frozen
class NetPolicy:
    """The limits of one :class:`~webleads_core.net.HttpClient`.

    Attributes:
        allow_networks: networks reachable even though they are not globally routable
            (``("127.0.0.0/8",)`` for tests on loopback).  Empty: only global addresses.
        deadline: total seconds for one response (every hop, headers and body), not a
            per-read timeout: a server that trickles one byte every few seconds is cut off.
        max_bytes: cap on the decoded body.
        max_ratio: cap on decoded size / received size when the body is compressed.
        max_redirects: redirects followed before :class:`TooManyRedirects`.
        content_types: media types accepted for 2xx responses (None: any).
        user_agent: sent on every request.
    """

    allow_networks: tuple[str, ...] = attrs.field(default=(), converter=_networks)
    deadline: float = 30.0
    max_bytes: int = 2 * 1024 * 1024
    max_ratio: float = 100
    max_redirects: int = 5
    content_types: tuple[str, ...] | None = attrs.field(default=None, converter=_content_types)
    user_agent: str = DEFAULT_USER_AGENT

    @property
    def allowed(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(ipaddress.ip_network(n) for n in self.allow_networks)
