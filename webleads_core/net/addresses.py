"""Which IP addresses a client may connect to.

``ipaddress.is_global`` is not trusted: on 3.11.7 several ranges are misclassified
(CVE-2024-4032), ``::ffff:127.0.0.1`` is not seen as loopback, and NAT64/6to4 forms of
private addresses claim to be global.  So the rule here is an allowlist: IPv4 outside
every IANA special-purpose block, IPv6 inside global unicast ``2000::/3`` and outside
its special blocks (which removes mapped, NAT64, 6to4, Teredo, ULA, link-local ...).
Anything else is reachable only through an explicit ``allow_networks`` entry.
"""

from __future__ import annotations

import ipaddress
from typing import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_DENY_V4 = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24",
    "192.88.99.0/24", "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
))
_GLOBAL_V6 = ipaddress.ip_network("2000::/3")
_DENY_V6 = tuple(ipaddress.ip_network(n) for n in (
    "2001::/23",      # IETF protocol assignments: Teredo 2001::/32, benchmarking, ORCHID
    "2001:db8::/32",  # documentation
    "2002::/16",      # 6to4: embeds any IPv4 address, private ones included
    "2620:4f:8000::/48",
    "3fff::/20",      # documentation
))


def parse_ip(text: str) -> IPAddress | None:
    """The address in a resolved ``sockaddr`` host string (zone id dropped), or None."""
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def is_public(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses (see the module doc)."""
    if isinstance(ip, ipaddress.IPv4Address):
        return not any(ip in n for n in _DENY_V4)
    if ip not in _GLOBAL_V6:
        return False
    return not any(ip in n for n in _DENY_V6)


def _as_v4(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_allowed(ip: IPAddress, allow: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network] = ()) -> bool:
    """True when the client may connect to ``ip``: public, or inside an allowed network.

    A mapped address (``::ffff:127.0.0.1``) is matched against ``allow`` as the IPv4
    address it carries, so an allowed ``127.0.0.0/8`` covers it and nothing else does.
    """
    if is_public(ip):
        return True
    v = _as_v4(ip)
    for net in allow:
        if v.version == net.version and v in net:
            return True
    return False
