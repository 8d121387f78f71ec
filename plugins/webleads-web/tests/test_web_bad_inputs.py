"""BAD_INPUTS cases 19-24 (hostile HTML and XML) against the page purge, each in a child
process with the CPU/memory bar, and cases 29-36 as a crawl meets them: the page is
counted as skipped with its reason, the run goes on, nothing else is damaged."""

from __future__ import annotations

import threading
import time

import pytest

from webleads_core.net.testserver import LoopbackServer, reply, trickle
from webleads_core.pages import capture_page
from webleads_core.pages.finders import BRACKET_RE, bracket_emails, phone_candidates, text_emails
from webleads_core.records import Document
from webleads_core.testing.bounded import run_bounded

MiB = 1024 * 1024


def _capture(html: bytes, url: str = "https://acme-tools.example/") -> tuple[int, list[str], list[str]]:
    """Runs in the child: the purge, then what the capture holds (blocks' text and defects)."""
    t0 = time.perf_counter()
    cap = capture_page(Document.from_page("s", url, html))
    return int((time.perf_counter() - t0) * 1000), [b.text for b in cap.blocks], list(cap.defects)


def bounded(html: bytes):
    return run_bounded(_capture, html, cpu_seconds=2.0, memory_mb=256, wall_seconds=20)


def test_19_misnested_formatting_tags_are_fast():
    n = 2000
    html = (b"<b i>" * n + b"<i i>" * n + b"x</b>" * n)
    assert len(html) >= 30000
    ms, _, _ = bounded(html)
    assert ms < 50


def test_20_deep_nesting_is_capped():
    html = b"<div>" * 20000 + b"<a href='mailto:deep@acme-tools.example'>x</a>" + b"</div>" * 20000
    ms, _, _ = bounded(html)
    assert ms < 100


def test_21_external_entities_are_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-4242 leak@acme-tools.example")
    html = (f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "file://{secret}">]>'
            f'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&x;</p><p>ok@acme-tools.example</p></body></html>')
    _, blocks, _ = bounded(html.encode())
    text = "\n".join(blocks)
    assert "ok@acme-tools.example" in text
    assert "TOPSECRET" not in text and "leak@" not in text


def test_22_billion_laughs_does_not_expand():
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(10))
           + ']><html><body><p>&lol9;</p><p>a@acme-tools.example</p></body></html>')
    ms, blocks, _ = bounded(lol.encode())
    assert ms < 500 and any("a@acme-tools.example" in b for b in blocks)


def test_23_huge_page_and_huge_script_are_truncated():
    big = b"<html><body><p>top@acme-tools.example</p>" + b"<p>lorem ipsum dolor</p>" * 80000 + b"</body></html>"
    assert len(big) > 1.8 * MiB
    _, blocks, defects = bounded(big)
    assert any("top@acme-tools.example" in b for b in blocks)
    script = b"<html><body><p>first@acme-tools.example</p><script>" + b"var a=1;" * (10 * MiB // 8) + b"</script></body></html>"
    _, blocks, defects = bounded(script)
    assert "page.truncated" in defects and any("first@acme-tools.example" in b for b in blocks)


def test_24_lying_charsets_decode_with_replacement():
    latin = '<html><head><meta charset="utf-32"></head><body><p>Müller: mueller@acme-tools.example</p></body></html>'
    _, blocks, defects = bounded(latin.encode("latin-1"))
    assert any("mueller@acme-tools.example" in b for b in blocks) and "page.invalid_bytes" in defects
    bom = b"\xff\xfe" + "<p>x@acme-tools.example</p>".encode("utf-8")  # UTF-16 BOM on UTF-8 bytes
    bounded(bom)  # no crash, bounded
    bogus = b'<meta charset="x-bogus"><p>y@acme-tools.example</p>'
    _, blocks, _ = bounded(bogus)
    assert any("y@acme-tools.example" in b for b in blocks)
    utf7 = b'<meta charset="utf-7"><p>+ADw-script+AD4-</p><p>z@acme-tools.example</p>'
    _, blocks, _ = bounded(utf7)
    assert not any("<script>" in b for b in blocks)


@pytest.mark.parametrize("attack", ["a" * 10_000 + "!", "a." * 5000, "@" * 10_000, "[at]" * 3000,
                                    "a [at] " * 2000 + "b", "1-2 " * 20000, "(" * 10000 + "1" * 30])
def test_27_page_patterns_are_linear(attack):
    from webleads_core.pages.capture import _BRACKET_CC
    from webleads_core.pages.html import sniff_charset
    from webleads_core.pages.jsonld import _TRAILING_COMMA, _strip_line_comments

    for func in (lambda: sniff_charset(("<meta " + attack).encode()), lambda: _TRAILING_COMMA.sub("", attack),
                 lambda: _strip_line_comments(attack), lambda: _BRACKET_CC.sub("", attack),
                 lambda: BRACKET_RE.findall(attack), lambda: bracket_emails(attack), lambda: text_emails(attack),
                 lambda: phone_candidates(attack)):
        t0 = time.perf_counter()
        func()
        assert time.perf_counter() - t0 < 0.05


def _web(webleads_run, url, **opts):
    return webleads_run({"sources": [{"type": "web", "name": "w", "seeds": [url], "allow_networks": ["127.0.0.0/8"],
                                      "rate": 200, "deadline": 1.5, "sitemap": False, **opts}]})


def test_29_to_36_hostile_pages_are_skipped_with_reasons_and_the_crawl_goes_on(web_plugin, webleads_run):
    import zlib

    stop = threading.Event()
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = b"".join(co.compress(b"\0" * MiB) for _ in range(64)) + co.flush()

    def slow(req):
        yield reply(200, b"", {"Content-Length": "5000"})
        yield from trickle(b"<" * 5000, 0.25, stop=stop)

    routes = {
        "/": lambda r: reply(200, '<p>home@acme-tools.example</p>' + "".join(
            f'<a href="/{p}">{p}</a>' for p in ("slow", "bomb", "zip", "loop", "huge", "ssrf", "ok"))),
        "/slow": slow,
        "/bomb": lambda r: reply(200, bomb, {"Content-Encoding": "gzip"}),
        "/zip": lambda r: reply(200, b"PK\x03\x04", content_type="application/zip"),
        "/loop": lambda r: reply(302, b"", {"Location": "/loop"}),
        "/huge": lambda r: reply(200, b"x", {"Content-Length": str(10**12)}),
        "/ssrf": lambda r: reply(302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"}),
        "/ok": lambda r: reply(200, "<p>Kontakt: ok@acme-tools.example</p>"),
    }
    with LoopbackServer(routes) as srv:
        out = _web(webleads_run, srv.url("/"))
        stop.set()
    reasons = dict(out.result.reasons)
    # the bomb is 64 MiB behind ~64 KB: the 2 MiB byte cap fires before the ratio cap
    assert reasons == {"net.deadline": 1, "net.too_large": 2, "net.content_type": 1,
                       "net.too_many_redirects": 1, "net.ssrf_blocked": 1}
    assert out.result.processed == 2 and out.result.skipped == 6
    emails = {e for c in out.contacts for e in c.emails}
    assert emails == {"home@acme-tools.example", "ok@acme-tools.example"}


def test_microformat_include_loops_are_bounded():
    # classic hCard includes that point at each other, and 3,000 cards including one block
    loop = ('<div class="vcard" id="a"><span class="fn">Loop Person</span><a class="include" href="#b">x</a></div>'
            '<div id="b" class="org"><a class="include" href="#a">y</a><object class="include" data="#b"></object></div>')
    ms, blocks, _ = bounded(loop.encode())
    assert ms < 500 and any("Loop Person" in b for b in blocks)
    many = ('<div id="co"><p class="org">Acme Tools</p><a class="email" href="mailto:info@acme-tools.example">m</a></div>'
            + '<div class="vcard" itemref="co co co"><span class="fn">A B</span><a class="include" href="#co">c</a></div>' * 3000)
    ms, blocks, _ = bounded(many.encode())
    assert ms < 2000
