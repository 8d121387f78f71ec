"""BAD_INPUTS #29, #30, #33, #39: which addresses and URLs the safe client refuses,
checked against a real loopback server that must see no request."""

from __future__ import annotations

import ipaddress
import logging
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webleads_core.net import FetchError, HttpClient, NetPolicy, SSRFBlocked, is_allowed, is_public
from webleads_core.net.testserver import LoopbackServer, reply

LOOPBACK = NetPolicy(allow_networks=("127.0.0.0/8",), deadline=5)


@pytest.fixture
def server():
    with LoopbackServer({"*": lambda req: reply(200, b"<p>ok</p>")}) as srv:
        yield srv


@pytest.mark.parametrize("host", ["127.0.0.1", "[::ffff:127.0.0.1]", "2130706433", "0x7f.1", "127.1",
                                  "localhost", "0177.0.0.1"])
def test_loopback_forms_are_blocked_before_connecting(server, host):
    url = f"http://{host}:{server.port}/"
    with pytest.raises(SSRFBlocked) as info:
        HttpClient(NetPolicy(deadline=5)).get(url)
    assert info.value.reason == "net.ssrf_blocked"
    assert server.hits == []  # never connected


@pytest.mark.parametrize("url", ["http://[::1]/", "http://[64:ff9b::7f00:1]/", "http://169.254.169.254/",
                                 "http://[fd00:ec2::254]/", "http://100.100.100.200/", "http://10.0.0.5/",
                                 "http://[2002:7f00:1::1]/", "http://[64:ff9b:1::a00:5]/", "http://0.0.0.0/",
                                 "http://[::]/", "http://[fe80::1]/", "http://192.168.1.1/"])
def test_private_and_translated_literals_are_blocked(url):
    t0 = time.monotonic()
    with pytest.raises(SSRFBlocked):
        HttpClient(NetPolicy(deadline=5)).get(url)
    assert time.monotonic() - t0 < 0.5  # refused before any connection attempt


@pytest.mark.parametrize("text,public", [
    ("93.184.215.14", True), ("8.8.8.8", True), ("2606:4700:4700::1111", True),
    ("127.0.0.1", False), ("::1", False), ("::ffff:127.0.0.1", False), ("::ffff:8.8.8.8", False),
    ("64:ff9b::7f00:1", False), ("64:ff9b::808:808", False), ("2002:c0a8:101::", False),
    ("2001:0:4136:e378::1", False), ("169.254.169.254", False), ("fd00:ec2::254", False),
    ("100.64.0.1", False), ("192.0.0.170", False), ("198.18.0.1", False), ("240.0.0.1", False),
    ("224.0.0.1", False), ("2001:db8::1", False), ("fc00::1", False), ("ff02::1", False),
])
def test_is_public_table(text, public):
    assert is_public(ipaddress.ip_address(text)) is public


def test_allow_networks_covers_mapped_form_only_of_its_own_range():
    allow = (ipaddress.ip_network("127.0.0.0/8"),)
    assert is_allowed(ipaddress.ip_address("::ffff:127.0.0.1"), allow)
    assert not is_allowed(ipaddress.ip_address("::ffff:10.0.0.1"), allow)
    assert not is_allowed(ipaddress.ip_address("::1"), allow)


def test_hostname_resolving_to_public_and_private_is_blocked():
    # BAD_INPUTS #30: one refused address in the answer refuses the whole host
    calls = []

    def resolver(host, port):
        calls.append(host)
        return ["93.184.215.14", "10.0.0.5"]

    with pytest.raises(SSRFBlocked):
        HttpClient(NetPolicy(deadline=5), resolver=resolver).get("http://mixed.test/")
    assert calls == ["mixed.test"]


def test_dns_rebinding_cannot_move_the_pinned_connection():
    # the first answer is vetted and pinned; a later, different answer is never asked for
    with LoopbackServer({"*": lambda r: reply(200, b"<p>good</p>")}, host="127.0.0.1") as good, \
            LoopbackServer({"*": lambda r: reply(200, b"<p>evil</p>")}, host="127.0.0.2") as evil:
        answers = iter([["127.0.0.1"], ["127.0.0.2"], ["127.0.0.2"]])
        calls = []

        def resolver(host, port):
            calls.append(host)
            return next(answers)

        client = HttpClient(NetPolicy(allow_networks=("127.0.0.1/32",), deadline=5), resolver=resolver)
        resp = client.get(f"http://rebind.test:{good.port}/")
        assert resp.body == b"<p>good</p>"
        assert len(calls) == 1 and len(good.hits) == 1 and evil.hits == []
        assert good.hits[0].headers["host"] == f"rebind.test:{good.port}"
        # the next request resolves again: now the refused address is seen and blocked
        with pytest.raises(SSRFBlocked):
            client.get(f"http://rebind.test:{evil.port}/")
        assert evil.hits == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/", "gopher://example.com:70/",
                                 "data:text/html,<p>x</p>", "javascript:alert(1)", "http:///nohost",
                                 "http://exa mple.com/", "http://example.com:99999/"])
def test_scheme_allowlist_and_malformed_urls(url):
    with pytest.raises(FetchError) as info:
        HttpClient(NetPolicy(deadline=5)).get(url)
    assert info.value.reason == "net.scheme"


def test_loopback_needs_the_flag_and_the_flag_is_logged(server, caplog):
    with pytest.raises(SSRFBlocked):
        HttpClient(NetPolicy(deadline=5)).get(server.url("/"))
    with caplog.at_level(logging.WARNING, logger="webleads.net"):
        resp = HttpClient(LOOPBACK).get(server.url("/"))
    assert resp.status == 200
    assert any("127.0.0.0/8" in r.getMessage() for r in caplog.records)
    assert len(server.hits) == 1


def test_bad_allow_networks_is_an_error():
    with pytest.raises(FetchError):
        NetPolicy(allow_networks=("not-a-network",))


def test_ipv6_loopback_needs_its_own_flag():
    try:
        srv = LoopbackServer({"*": lambda req: reply(200, b"<p>six</p>")}, host="::1").start()
    except OSError:  # pragma: no cover - a machine without IPv6 loopback
        pytest.fail("IPv6 loopback is needed for this test")
    try:
        with pytest.raises(SSRFBlocked):
            HttpClient(LOOPBACK).get(srv.url("/"))  # 127.0.0.0/8 does not open ::1
        resp = HttpClient(NetPolicy(allow_networks=("::1/128",), deadline=5)).get(srv.url("/"))
        assert resp.body == b"<p>six</p>" and len(srv.hits) == 1
        assert srv.hits[0].headers["host"] == f"[::1]:{srv.port}"
    finally:
        srv.stop()


_PRIVATE_V4 = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
                                                  "192.168.0.0/16", "100.64.0.0/10", "0.0.0.0/8", "224.0.0.0/4")]


@given(st.sampled_from(_PRIVATE_V4), st.integers(min_value=0, max_value=2**32 - 1))
def test_no_private_v4_address_is_public_in_any_spelling(net, n):
    ip = net[n % net.num_addresses]
    assert not is_public(ip)
    assert not is_public(ipaddress.IPv6Address(f"::ffff:{ip}"))            # mapped
    assert not is_public(ipaddress.IPv6Address(f"64:ff9b::{ip}"))          # NAT64
    assert not is_public(ipaddress.IPv6Address((0x2002 << 112) | (int(ip) << 80)))  # 6to4
    assert not is_allowed(ip, ())
