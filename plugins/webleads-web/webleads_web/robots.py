"""robots.txt per RFC 9309, fetched through the safe client.

- Fetched with the crawler's own :class:`~webleads_core.net.HttpClient` (same SSRF
  checks, deadline and caps; any content type), redirects followed (at most 5).
- 2xx: the first 500 KiB are parsed (decoded as UTF-8 with replacement characters) by
  protego, the robots.txt parser Scrapy uses.  4xx: "unavailable", everything is
  allowed.  5xx, a network error or a refused fetch: "unreachable", everything is
  disallowed (RFC 9309 section 2.3.1.4).
- Each origin's answer is cached for at most 24 hours.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

import attrs
from protego import Protego

from webleads_core.net import FetchError, HttpClient

log = logging.getLogger("webleads.web")

MAX_ROBOTS_BYTES = 500 * 1024
CACHE_SECONDS = 24 * 3600


@attrs.frozen
class Robots:
    """The rules of one origin.

    Attributes:
        state: ``"parsed"``, ``"allow_all"`` (4xx) or ``"disallow_all"`` (5xx, errors).
        reason: why the site is disallowed (``robots.unavailable`` plus the fetch reason).
    """

    state: str
    parser: Protego | None = attrs.field(default=None, repr=False)
    reason: str = ""
    fetched_at: float = 0.0

    def allowed(self, url: str, agent: str) -> bool:
        if self.state == "allow_all":
            return True
        if self.state == "disallow_all" or self.parser is None:
            return False
        return bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return float(delay) if delay is not None else None

    def sitemaps(self) -> list[str]:
        return list(self.parser.sitemaps)[:10] if self.parser is not None else []


class RobotsCache:
    """``rules(origin)`` fetches an origin's robots.txt once per :data:`CACHE_SECONDS`."""

    def __init__(self, client: HttpClient, *, clock: Callable[[], float] = time.monotonic,
                 ttl: float = CACHE_SECONDS, throttle: Callable[[str], None] | None = None) -> None:
        self.client = client
        self.throttle = throttle
        self.clock = clock
        self.ttl = min(ttl, CACHE_SECONDS)
        self._cache: dict[str, Robots] = {}

    def rules(self, origin: str) -> Robots:
        now = self.clock()
        cached = self._cache.get(origin)
        if cached is not None and now - cached.fetched_at < self.ttl:
            return cached
        robots = self._fetch(origin, now)
        self._cache[origin] = robots
        return robots

    def _fetch(self, origin: str, now: float) -> Robots:
        url = origin.rstrip("/") + "/robots.txt"
        if self.throttle is not None:
            self.throttle(origin)  # robots.txt counts against the host's rate like any request
        try:
            resp = self.client.request("GET", url, headers={"Accept": "text/plain, */*"})
        except FetchError as exc:
            log.warning("robots.txt of %s unreachable (%s): site disallowed", origin, exc.reason)
            return Robots("disallow_all", reason="robots.unavailable", fetched_at=now)
        if 200 <= resp.status < 300:
            text = resp.body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
            try:
                return Robots("parsed", parser=Protego.parse(text), fetched_at=now)
            except Exception:  # a parser bug must not open the site: treat as unreachable
                log.warning("robots.txt of %s could not be parsed: site disallowed", origin)
                return Robots("disallow_all", reason="robots.unparsable", fetched_at=now)
        if 400 <= resp.status < 500:
            return Robots("allow_all", fetched_at=now)
        log.warning("robots.txt of %s answered %d: site disallowed", origin, resp.status)
        return Robots("disallow_all", reason="robots.unavailable", fetched_at=now)
