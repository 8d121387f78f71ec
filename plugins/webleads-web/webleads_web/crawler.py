"""``type = "web"``: a polite, SSRF-safe crawler of company sites.

For each seed (a URL or a bare domain) the crawler reads robots.txt (:mod:`.robots`),
then ``sitemap.xml``, then follows same-site links, contact-like pages first
(:mod:`.links`), within a page and depth budget per site.  Requests go through the
core's safe client (:mod:`webleads_core.net`): every resolved address of every hop is
checked, the connection pinned, one total deadline per response, capped bodies, HTML
and XHTML only.  Each host gets at most ``rate`` requests per second, slower when its
robots.txt asks for a ``Crawl-delay``.

Incremental: the cursor keeps each page's validators (``ETag``, ``Last-Modified``)
under a digest of its URL (no URL, so no name in a path, reaches the state).  Reruns
send conditional requests; a page answering 304 is not read again.  Seeds and sitemaps
are always fetched in full, since they are how pages are found.

A page that cannot be fetched is yielded as :class:`~webleads_core.records.Rejected` (the
engine counts it as skipped with the reason, ``net.deadline``, ``http.503`` ...); the
crawl goes on.
"""

from __future__ import annotations

import codecs
import hashlib
import heapq
import ipaddress
import logging
import os
import queue
import re
import threading
import time
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import urlsplit

import attrs
import lxml.etree

from webleads_core.components import SourceConfig, SourceContext
from webleads_core.errors import ConfigError
from webleads_core.net import DEFAULT_USER_AGENT, FetchError, HttpClient, NetPolicy
from webleads_core.pages import parse_html
from webleads_core.records import Checkpoint, Document, Rejected

from .links import normalise_link, priority, site_key
from .robots import RobotsCache

log = logging.getLogger("webleads.web")

HTML_TYPES = ("text/html", "application/xhtml+xml")
ALLOW_ENV = "WEBLEADS_WEB_ALLOW_NETWORKS"
CHECKPOINT_EVERY = 25
#: Items the crawl thread may fetch ahead of the engine.
PREFETCH = 32
MAX_VALIDATORS = 20000
MAX_SITEMAP_URLS = 50000
MAX_CRAWL_DELAY = 60.0
AUX_MAX_BYTES = 4 * 1024 * 1024
_SITEMAP_PARSER = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                                       recover=True)


def _num(options: Mapping[str, Any], key: str, default: float, lo: float, hi: float, name: str) -> float:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise ConfigError(f"source {name!r}: {key} must be a number from {lo:g} to {hi:g}")
    return value


@attrs.frozen
class CrawlSettings:
    """The ``[[sources]]`` keys of a ``web`` source (see docs/web.md)."""

    seeds: tuple[str, ...]
    max_pages: int = 50
    max_depth: int = 3
    rate: float = 1.0
    user_agent: str = DEFAULT_USER_AGENT
    allow_networks: tuple[str, ...] = ()
    same_site: bool = True
    sitemap: bool = True
    deadline: float = 30.0
    max_bytes: int = 2 * 1024 * 1024

    @classmethod
    def from_config(cls, config: SourceConfig) -> CrawlSettings:
        o, name = config.options, config.name
        seeds = o.get("seeds")
        if isinstance(seeds, str):
            seeds = [seeds]
        if not isinstance(seeds, list) or not seeds or not all(isinstance(s, str) and s.strip() for s in seeds):
            raise ConfigError(f"source {name!r}: seeds must be a non-empty list of URLs or domains")
        norm = []
        for s in seeds:
            s = s.strip()
            if "://" not in s:
                s = "https://" + s.strip("/") + "/"
            url = normalise_link(s, s)
            if url is None:
                raise ConfigError(f"source {name!r}: seed is not an http(s) URL or a domain: {s[:80]!r}")
            norm.append(url)
        ua = o.get("user_agent", DEFAULT_USER_AGENT)
        if not isinstance(ua, str) or not ua.strip() or any(ord(c) < 32 for c in ua) or len(ua) > 300:
            raise ConfigError(f"source {name!r}: user_agent must be a one-line string")
        if "webleads" not in ua.lower() and "+" not in ua and "@" not in ua:
            raise ConfigError(f"source {name!r}: user_agent must identify the crawler "
                              "(name 'webleads' or give a contact URL after '+')")
        allow = o.get("allow_networks")
        if allow is None:
            env = os.environ.get(ALLOW_ENV, "")
            allow = [x for x in env.replace(",", " ").split() if x]
        if isinstance(allow, str):
            allow = [allow]
        if not isinstance(allow, list):
            raise ConfigError(f"source {name!r}: allow_networks must be a list of networks")
        for net in allow:
            try:
                ipaddress.ip_network(str(net), strict=False)
            except ValueError:
                raise ConfigError(f"source {name!r}: allow_networks: not a network: {str(net)[:60]!r}") from None
        for key in ("same_site", "sitemap"):
            if not isinstance(o.get(key, True), bool):
                raise ConfigError(f"source {name!r}: {key} must be true or false")
        return cls(
            seeds=tuple(dict.fromkeys(norm)),
            max_pages=int(_num(o, "max_pages", 50, 1, 100000, name)),
            max_depth=int(_num(o, "max_depth", 3, 0, 50, name)),
            rate=float(_num(o, "rate", 1.0, 0.001, 1000, name)),
            user_agent=ua.strip(),
            allow_networks=tuple(str(n) for n in allow),
            same_site=o.get("same_site", True),
            sitemap=o.get("sitemap", True),
            deadline=float(_num(o, "deadline", 30.0, 0.1, 600, name)),
            max_bytes=int(_num(o, "max_bytes", 2 * 1024 * 1024, 1024, 64 * 1024 * 1024, name)),
        )


_CHARSET = re.compile(r"""charset\s{0,4}=\s{0,4}["']?([A-Za-z0-9_.:-]{1,40})""", re.I)


def with_header_charset(body: bytes, content_type: str) -> bytes:
    """The page as UTF-8 with a BOM when the HTTP header names its charset.

    A page document carries bytes only; the purge reads a BOM first, so this keeps the
    header's word over a ``<meta>`` (the HTML standard's order) without a header field in
    the record.  A body that already starts with a BOM, or a charset Python does not know,
    is left as it is.
    """
    m = _CHARSET.search(content_type or "")
    if not m or body[:3] == codecs.BOM_UTF8 or body[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return body
    try:
        name = codecs.lookup(m.group(1)).name
    except LookupError:
        return body
    if name in ("utf-7", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"):
        return body
    return codecs.BOM_UTF8 + body.decode(name, errors="replace").encode("utf-8")


def url_key(url: str) -> str:
    """The cursor's key for a URL: a digest, so no path (and no name in it) is stored."""
    return hashlib.sha256(url.encode("utf-8", "replace")).hexdigest()[:20]


def _clean_validator(v: str | None) -> str | None:
    if not v:
        return None
    v = "".join(ch for ch in v if 32 <= ord(ch) < 127)[:200]
    return v or None


class RateLimiter:
    """At most one request per ``interval`` seconds per host."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.clock = clock
        self.sleep = sleep
        self._next: dict[str, float] = {}

    def wait(self, host: str, interval: float) -> None:
        now = self.clock()
        due = self._next.get(host, now)
        if due > now:
            self.sleep(due - now)
            now = due
        self._next[host] = now + interval


@attrs.define
class _Site:
    key: str
    origin: str
    frontier: list = attrs.field(factory=list)
    queued: set = attrs.field(factory=set)
    pages: int = 0
    seq: int = 0

    def push(self, url: str, depth: int, prio: int) -> None:
        if url in self.queued:
            return
        self.queued.add(url)
        self.seq += 1
        heapq.heappush(self.frontier, (prio, depth, self.seq, url))


class WebSource:
    """The ``web`` source: see the module doc and docs/web.md."""

    def __init__(self, config: SourceConfig, *, resolver=None, limiter: RateLimiter | None = None) -> None:
        self.config = config
        self.settings = s = CrawlSettings.from_config(config)
        page_policy = NetPolicy(allow_networks=s.allow_networks, deadline=s.deadline, max_bytes=s.max_bytes,
                                content_types=HTML_TYPES, user_agent=s.user_agent)
        aux_policy = NetPolicy(allow_networks=s.allow_networks, deadline=s.deadline, max_bytes=AUX_MAX_BYTES,
                               content_types=None, user_agent=s.user_agent)
        self.client = HttpClient(page_policy, resolver=resolver)
        self.aux = HttpClient(aux_policy, resolver=resolver)
        self.limiter = limiter or RateLimiter()
        self.robots = RobotsCache(self.aux, throttle=lambda origin: self.limiter.wait(
            urlsplit(origin).netloc.lower(), 1.0 / s.rate))
        self.agent = s.user_agent.split("/", 1)[0].split()[0] or "webleads"
        self.stats: dict[str, int] = {}

    # -- helpers -------------------------------------------------------------

    def _count(self, key: str) -> None:
        self.stats[key] = self.stats.get(key, 0) + 1

    def _interval(self, robots) -> float:
        delay = robots.crawl_delay(self.agent)
        interval = 1.0 / self.settings.rate
        if delay is not None:
            interval = max(interval, min(float(delay), MAX_CRAWL_DELAY))
        return interval

    def _same_site(self, site: _Site, url: str) -> bool:
        if not self.settings.same_site:
            return True
        return site_key(urlsplit(url).hostname or "") == site.key

    def _fetch(self, client: HttpClient, url: str, robots, headers: Mapping[str, str] | None = None):
        host = urlsplit(url).netloc.lower()
        self.limiter.wait(host, self._interval(robots))
        return client.request("GET", url, headers=dict(headers or {}))

    def _sitemap_urls(self, site: _Site, robots) -> list[str]:
        todo = [normalise_link(site.origin + "/", u, pages_only=False) for u in robots.sitemaps()] \
            or [site.origin + "/sitemap.xml"]
        todo = [u for u in todo if u]
        found: list[str] = []
        fetched = 0
        while todo and fetched < 6 and len(found) < MAX_SITEMAP_URLS:
            url = todo.pop(0)
            if not self._same_site(site, url) or not robots.allowed(url, self.agent):
                continue
            fetched += 1
            try:
                resp = self._fetch(self.aux, url, robots)
            except FetchError as exc:
                log.info("sitemap of %s not read (%s)", site.key, exc.reason)
                continue
            if resp.status != 200 or not resp.body.lstrip()[:1] == b"<":
                continue
            try:
                root = lxml.etree.fromstring(resp.body, parser=_SITEMAP_PARSER)
            except (lxml.etree.XMLSyntaxError, ValueError):
                continue
            if root is None:
                continue
            is_index = lxml.etree.QName(root).localname == "sitemapindex" if isinstance(root.tag, str) else False
            for loc in root.iter("{*}loc"):
                text = (loc.text or "").strip()
                if not text:
                    continue
                if is_index:
                    nested = normalise_link(url, text, pages_only=False)
                    if nested:
                        todo.append(nested)
                else:
                    found.append(text)
        return found[:MAX_SITEMAP_URLS]

    @staticmethod
    def _links(body: bytes, base: str) -> list[tuple[str, str]]:
        root, _ = parse_html(body)
        if root is None:
            return []
        for b in root.iter("base"):
            href = b.get("href")
            if href:
                base = normalise_link(base, href) or base
            break
        out = []
        for a in root.iter("a", "area"):
            href = a.get("href")
            if not href or (a.get("rel") or "").lower().find("nofollow") >= 0:
                continue
            url = normalise_link(base, href)
            if url:
                try:
                    text = a.text_content()[:80]
                except ValueError:
                    text = ""
                out.append((url, text))
            if len(out) >= 5000:
                break
        return out

    # -- the crawl -------------------------------------------------------------

    def read(self, cursor: Mapping[str, Any] | None, context: SourceContext) -> Iterator[Document | Checkpoint | Rejected]:
        """Crawl in a background thread, at most :data:`PREFETCH` items ahead of the engine,
        so that fetching waits only for the rate limit and never for page processing."""
        items: queue.Queue = queue.Queue(maxsize=PREFETCH)
        stop = threading.Event()
        done = object()

        def produce() -> None:
            try:
                for obj in self._crawl(cursor):
                    while not stop.is_set():
                        try:
                            items.put(obj, timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                items.put(done)
            except BaseException as exc:  # handed to the engine's thread, which fails the source
                items.put(exc)

        worker = threading.Thread(target=produce, name=f"webleads-crawl-{self.config.name}", daemon=True)
        worker.start()
        try:
            while True:
                obj = items.get()
                if obj is done:
                    return
                if isinstance(obj, BaseException):
                    raise obj
                yield obj
        finally:
            stop.set()
            worker.join(timeout=self.settings.deadline + 5)

    def _crawl(self, cursor: Mapping[str, Any] | None) -> Iterator[Document | Checkpoint | Rejected]:
        s = self.settings
        old: dict[str, list] = {}
        if cursor and cursor.get("v") == 1 and isinstance(cursor.get("pages"), dict):
            old = dict(cursor["pages"])
        validators: dict[str, list] = dict(old)
        fetched_total = int(cursor.get("fetched", 0)) if cursor and cursor.get("v") == 1 else 0
        sites: dict[str, _Site] = {}
        seed_set = set(s.seeds)
        for seed in s.seeds:
            parts = urlsplit(seed)
            key = site_key(parts.hostname or "")
            site = sites.setdefault(key, _Site(key=key, origin=f"{parts.scheme}://{parts.netloc}"))
            site.push(seed, 0, -1)
        since_checkpoint = 0
        name, owner = self.config.name, self.config.owner
        for site in sites.values():
            robots = self.robots.rules(site.origin)
            if robots.state == "disallow_all":
                self._count(robots.reason)
                for _, _, _, url in site.frontier:
                    yield Rejected(name, url, robots.reason)
                continue
            if s.sitemap and s.max_depth >= 1:
                for url in self._sitemap_urls(site, robots):
                    norm = normalise_link(url, url)
                    if norm and self._same_site(site, norm):
                        site.push(norm, 1, priority(norm))
            while site.frontier and site.pages < s.max_pages:
                prio, depth, _, url = heapq.heappop(site.frontier)
                if not robots.allowed(url, self.agent):
                    self._count("robots.disallowed")
                    if url in seed_set:
                        yield Rejected(name, url, "robots.disallowed")
                    continue
                key = url_key(url)
                headers = {"Accept": "text/html,application/xhtml+xml;q=0.9"}
                prev = old.get(key)
                if prev and url not in seed_set:
                    if prev[0]:
                        headers["If-None-Match"] = prev[0]
                    if prev[1]:
                        headers["If-Modified-Since"] = prev[1]
                site.pages += 1
                fetched_total += 1
                try:
                    resp = self._fetch(self.client, url, robots, headers)
                except FetchError as exc:
                    self._count(exc.reason)
                    log.warning("page of %s not fetched: %s", site.key, exc.reason)
                    yield Rejected(name, url, exc.reason)
                    continue
                if resp.status == 304:
                    self._count("http.not_modified")
                    continue
                if not 200 <= resp.status < 300:
                    self._count(f"http.{resp.status}")
                    yield Rejected(name, url, f"http.{resp.status}")
                    continue
                final = normalise_link(resp.url, resp.url) or url
                if not self._same_site(site, final):
                    self._count("web.offsite_redirect")
                    continue
                validators[key] = [_clean_validator(resp.headers.get("etag")),
                                   _clean_validator(resp.headers.get("last-modified"))]
                if final != url:
                    site.queued.add(final)
                if depth < s.max_depth:
                    for link, text in self._links(resp.body, final):
                        if self._same_site(site, link):
                            site.push(link, depth + 1, priority(link, text))
                self._count("web.pages")
                yield Document(source=name, item_id=final, kind="page", owner=owner,
                               content=with_header_charset(resp.body, resp.headers.get("content-type", "")),
                               url=final)
                since_checkpoint += 1
                if since_checkpoint >= CHECKPOINT_EVERY:
                    since_checkpoint = 0
                    yield Checkpoint(name, self._cursor(validators, fetched_total))
        yield Checkpoint(name, self._cursor(validators, fetched_total))
        log.info("source %s: crawl done: %s", name,
                 ", ".join(f"{k} {v}" for k, v in sorted(self.stats.items())) or "nothing fetched")

    @staticmethod
    def _cursor(validators: dict[str, list], fetched: int) -> dict[str, Any]:
        if len(validators) > MAX_VALIDATORS:
            validators = dict(list(validators.items())[-MAX_VALIDATORS:])
        return {"v": 1, "fetched": fetched, "pages": {k: v for k, v in validators.items() if v[0] or v[1]}}
