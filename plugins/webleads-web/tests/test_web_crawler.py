"""The crawler against real servers on loopback: robots.txt (BAD_INPUTS #37, #38),
politeness (rate, Crawl-delay, User-Agent), budgets, priorities, sitemaps, conditional
requests, and the source contract."""

from __future__ import annotations

import time

import pytest

from webleads_core.components import SourceConfig, SourceContext
from webleads_core.errors import ConfigError
from webleads_core.net.testserver import LoopbackServer, reply
from webleads_core.records import Checkpoint, Document, Rejected
from webleads_core.testing.contracts import SourceContract
from webleads_web.crawler import RateLimiter, WebSource, url_key
from webleads_web.links import priority

LOOPBACK = ["127.0.0.0/8"]


def source(seeds, **opts) -> WebSource:
    opts.setdefault("allow_networks", LOOPBACK)
    opts.setdefault("rate", 200)
    return WebSource(SourceConfig(name="crawl", type="web", options={"seeds": seeds, **opts}))


def drain(src, cursor=None):
    objs = list(src.read(cursor, SourceContext()))
    docs = [o for o in objs if isinstance(o, Document)]
    return docs, [o for o in objs if isinstance(o, Checkpoint)]


def rejected(src, cursor=None) -> list[str]:
    return [o.reason for o in src.read(cursor, SourceContext()) if isinstance(o, Rejected)]


def page(*links: str, body: str = "") -> bytes:
    return reply(200, "<html><body>" + body + "".join(f'<a href="{h}">{h}</a>' for h in links) + "</body></html>")


def test_crawls_the_example_site_contact_pages_first(site):
    docs, cps = drain(source([site.url("/")]))
    paths = [h.path for h in site.hits]
    assert paths[0] == "/robots.txt" and "/sitemap.xml" in paths[:3]
    fetched = [d.url.split(str(site.port))[1] for d in docs]
    assert fetched[0] == "/"
    # contact-like pages (team, kontakt, impressum) come before the blog and services pages
    first = fetched[1:4]
    assert set(first) == {"/ueber-uns/team.html", "/kontakt.html", "/impressum.html"}
    assert "/blog/lagerprognosen.html" in fetched and "/cdn-cgi/l/email-protection" not in paths
    assert all(h.headers["user-agent"].startswith("webleads/") for h in site.hits)
    assert isinstance(cps[-1], Checkpoint) and cps[-1].cursor["v"] == 1


def test_rerun_sends_conditional_requests(site):
    docs, cps = drain(source([site.url("/")]))
    n = len(docs)
    site.hits.clear()
    again, _ = drain(source([site.url("/")]), cps[-1].cursor)
    conditional = [h for h in site.hits if "if-none-match" in h.headers]
    assert len(conditional) == n - 1  # every page but the seed
    assert [d.url for d in again] == [site.url("/")]  # 304s are not read again
    assert all(url_key(d.url) in cps[-1].cursor["pages"] for d in docs)
    assert str(site.port) not in str(cps[-1].cursor)  # digests only: no URL in the state


def test_page_and_depth_budgets():
    routes = {"/": lambda r: page("/a", "/b", "/c"), "/a": lambda r: page("/a/1"), "/a/1": lambda r: page("/a/2"),
              "/a/2": lambda r: page(), "/b": lambda r: page(), "/c": lambda r: page()}
    with LoopbackServer(routes) as srv:
        docs, _ = drain(source([srv.url("/")], max_depth=1, sitemap=False))
        assert sorted(d.url.rsplit("/", 1)[1] for d in docs) == ["", "a", "b", "c"]
        docs, _ = drain(source([srv.url("/")], max_pages=2, sitemap=False))
        assert len(docs) == 2


def test_same_site_only_and_offsite_redirects_skipped():
    with LoopbackServer({"*": lambda r: page()}, host="127.0.0.2") as other:
        routes = {"/": lambda r: page(other.url("/elsewhere"), "/away"),
                  "/away": lambda r: reply(302, b"", {"Location": other.url("/landing")})}
        with LoopbackServer(routes) as srv:
            docs, _ = drain(source([srv.url("/")], sitemap=False))
        assert [d.url for d in docs] == [srv.url("/")]
        assert [h.path for h in other.hits] == ["/landing"]  # followed the redirect, did not keep the page


def test_rate_limit_per_host():
    routes = {"/": lambda r: page(*[f"/p{i}" for i in range(9)]), "*": lambda r: page()}
    with LoopbackServer(routes) as srv:
        t0 = time.monotonic()
        docs, _ = drain(source([srv.url("/")], rate=20, sitemap=False))
        took = time.monotonic() - t0
    assert len(docs) == 10
    # 12 requests (robots, 10 pages, 404 sitemap off) at 20/s: at least 0.5 s between the first and last
    assert took >= 0.5


def test_crawl_delay_is_honoured():
    routes = {"/robots.txt": lambda r: reply(200, "User-agent: *\nCrawl-delay: 0.4\n", content_type="text/plain"),
              "/": lambda r: page("/a", "/b"), "*": lambda r: page()}
    with LoopbackServer(routes) as srv:
        t0 = time.monotonic()
        docs, _ = drain(source([srv.url("/")], rate=100, sitemap=False))
        took = time.monotonic() - t0
    assert len(docs) == 3 and took >= 0.8  # two waits of 0.4 s despite rate = 100/s


def test_robots_disallow_rules_and_our_agent():
    robots = "User-agent: webleads\nDisallow: /private\n\nUser-agent: *\nDisallow: /\n"
    routes = {"/robots.txt": lambda r: reply(200, robots, content_type="text/plain"),
              "/": lambda r: page("/private/x", "/public"), "*": lambda r: page()}
    with LoopbackServer(routes) as srv:
        docs, _ = drain(source([srv.url("/")], sitemap=False))
    assert sorted(d.url.rsplit("/", 1)[1] for d in docs) == ["", "public"]
    assert "/private/x" not in [h.path for h in srv.hits]


@pytest.mark.parametrize("status", [500, 503])
def test_robots_5xx_disallows_the_site(status):
    # BAD_INPUTS #37
    routes = {"/robots.txt": lambda r: reply(status, b"down"), "*": lambda r: page()}
    with LoopbackServer(routes) as srv:
        reasons = rejected(source([srv.url("/")]))
    assert [h.path for h in srv.hits] == ["/robots.txt"]
    assert reasons == ["robots.unavailable"]


def test_robots_connection_refused_disallows_the_site():
    with LoopbackServer() as srv:
        port = srv.port
    assert rejected(source([f"http://127.0.0.1:{port}/"])) == ["robots.unavailable"]


def test_robots_404_allows_everything():
    # BAD_INPUTS #38
    with LoopbackServer({"/robots.txt": lambda r: reply(404, b"no"), "/": lambda r: page("/x"),
                         "*": lambda r: page()}) as srv:
        docs, _ = drain(source([srv.url("/")], sitemap=False))
        assert rejected(source([srv.url("/")], sitemap=False)) == []
    assert len(docs) == 2


def test_robots_only_first_500_kib_parsed_and_non_utf8_decoded():
    # BAD_INPUTS #38: a 2 MB robots.txt whose Disallow comes after 500 KiB is not obeyed
    # past the limit; latin-1 bytes decode with replacement characters
    big = b"User-agent: *\nDisallow: /early\n" + b"# " + b"x" * (2 * 1024 * 1024) + b"\nDisallow: /late\n"
    latin = "User-agent: *\nDisallow: /caf\xe9\n".encode("latin-1")
    routes = {"/robots.txt": lambda r: reply(200, big, content_type="text/plain"),
              "/": lambda r: page("/early", "/late"), "*": lambda r: page()}
    with LoopbackServer(routes) as srv:
        docs, _ = drain(source([srv.url("/")], sitemap=False))
        assert sorted(d.url.rsplit("/", 1)[1] for d in docs) == ["", "late"]
        srv.routes["/robots.txt"] = lambda r: reply(200, latin, content_type="text/plain")
        docs, _ = drain(source([srv.url("/")], sitemap=False))
        assert len(docs) == 3


def test_sitemap_index_is_followed():
    def sm(req):
        base = srv.url("").rstrip("/")
        if req.route == "/sitemap.xml":
            return reply(200, f"<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
                              f"<sitemap><loc>{base}/sm2.xml</loc></sitemap></sitemapindex>", content_type="application/xml")
        return reply(200, f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>{base}/hidden-contact</loc>"
                          f"</url><url><loc>http://elsewhere.example/x</loc></url></urlset>", content_type="application/xml")

    with LoopbackServer({"/sitemap.xml": sm, "/sm2.xml": sm, "/": lambda r: page(), "*": lambda r: page()}) as srv:
        docs, _ = drain(source([srv.url("/")]))
    assert sorted(d.url.rsplit("/", 1)[1] for d in docs) == ["", "hidden-contact"]


def test_fetch_failures_are_rejected_with_reasons():
    routes = {"/": lambda r: page("/zip", "/gone", "/error"),
              "/zip": lambda r: reply(200, b"PK", content_type="application/zip"),
              "/gone": lambda r: reply(404, b"no"), "/error": lambda r: reply(500, b"x")}
    with LoopbackServer(routes) as srv:
        reasons = sorted(rejected(source([srv.url("/")], sitemap=False)))
    assert reasons == ["http.404", "http.500", "net.content_type"]


def test_ssrf_seed_is_rejected_without_the_flag():
    with LoopbackServer({"*": lambda r: page()}) as srv:
        src = WebSource(SourceConfig(name="c", type="web", options={"seeds": [srv.url("/")]}))
        reasons = rejected(src)
    assert srv.hits == [] and reasons == ["robots.unavailable"]


def test_settings_are_validated():
    for bad in ({"seeds": []}, {"seeds": ["ftp://x.example/"]}, {"seeds": ["x.example"], "rate": 0},
                {"seeds": ["x.example"], "user_agent": "Mozilla/5.0"}, {"seeds": ["x.example"], "allow_networks": ["nope"]},
                {"seeds": ["x.example"], "max_pages": "ten"}):
        with pytest.raises(ConfigError):
            WebSource(SourceConfig(name="c", type="web", options=bad))
    src = WebSource(SourceConfig(name="c", type="web", options={"seeds": ["Example.org"]}))
    assert src.settings.seeds == ("https://example.org/",)


def test_priority_words():
    assert priority("https://x.example/kontakt") == 0
    assert priority("https://x.example/mentions-legales.html") == 0
    assert priority("https://x.example/chi-siamo/") == 0
    assert priority("https://x.example/p/42", "Our Team") == 0
    assert priority("https://x.example/blog/post") == 1


def test_rate_limiter_spaces_requests_per_host():
    now = [0.0]
    slept = []
    lim = RateLimiter(clock=lambda: now[0], sleep=lambda s: (slept.append(s), now.__setitem__(0, now[0] + s)))
    for _ in range(3):
        lim.wait("a", 0.5)
    lim.wait("b", 0.5)
    assert slept == [0.5, 0.5]


class TestWebSourceContract(SourceContract):
    @pytest.fixture
    def make_source(self, site):
        return lambda: source([site.url("/")])


class TestHtmlSourceContract(SourceContract):
    @pytest.fixture
    def make_source(self):
        from webleads_web.html_source import HtmlFileSource
        from webleads_web.testing import example_site

        return lambda: HtmlFileSource(SourceConfig(name="h", type="html", options={"path": str(example_site())}))


def test_robots_cache_expires_after_at_most_24_hours():
    from webleads_core.net import HttpClient, NetPolicy
    from webleads_web.robots import RobotsCache

    now = [0.0]
    with LoopbackServer({"/robots.txt": lambda r: reply(200, "User-agent: *\nDisallow: /x\n",
                                                        content_type="text/plain")}) as srv:
        cache = RobotsCache(HttpClient(NetPolicy(allow_networks=LOOPBACK)), clock=lambda: now[0], ttl=10**9)
        origin = srv.url("").rstrip("/")
        assert not cache.rules(origin).allowed(srv.url("/x"), "webleads")
        now[0] = 23 * 3600
        cache.rules(origin)
        assert len(srv.hits) == 1
        now[0] = 24 * 3600 + 1
        cache.rules(origin)
        assert len(srv.hits) == 2


def test_http_charset_header_wins_over_meta():
    from webleads_core.pages import capture_page

    body = '<meta charset="utf-8"><p>Jürgen Groß: juergen.gross@acme-tools.example, Tel. 030 5557 1200</p>'
    routes = {"/": lambda r: reply(200, body.encode("latin-1"), content_type="text/html; charset=ISO-8859-1")}
    with LoopbackServer(routes) as srv:
        docs, _ = drain(source([srv.url("/")], sitemap=False))
    cap = capture_page(docs[0])
    assert "page.invalid_bytes" not in cap.defects
    assert any("juergen.gross@acme-tools.example" in b.text for b in cap.blocks)
