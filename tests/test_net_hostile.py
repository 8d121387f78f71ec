"""BAD_INPUTS #34, #35, #36: hostile servers on loopback against the safe client, each
case under a CPU/memory bound in a child process."""

from __future__ import annotations

import threading
import time
import zlib

import pytest

from webleads_core.net import FetchError, HttpClient, NetPolicy
from webleads_core.net.testserver import LoopbackServer, reply, trickle
from webleads_core.testing.bounded import ChildError, run_bounded

MiB = 1024 * 1024


def _gzip_stream(total: int, layers: int = 1) -> bytes:
    """``total`` zero bytes gzip-compressed ``layers`` times, built in chunks."""
    data = b""
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * MiB
    parts = [co.compress(block) for _ in range(total // MiB)]
    parts.append(co.flush())
    data = b"".join(parts)
    for _ in range(layers - 1):
        data = zlib.compress(data, 9) if False else _gz(data)
    return data


def _gz(data: bytes) -> bytes:
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    return co.compress(data) + co.flush()


@pytest.fixture(scope="module")
def bombs():
    one = _gzip_stream(1024 * MiB)            # 1 GiB of zeros in about 1 MB
    three = _gz(_gz(one))                     # the same behind gzip, gzip, gzip: a few KB
    return one, three


def _fetch(url, **policy):
    policy.setdefault("allow_networks", ("127.0.0.0/8",))
    resp = HttpClient(NetPolicy(**policy)).get(url)
    return resp.status, len(resp.body)


def _reason(url, **policy) -> str:
    try:
        run_bounded(_fetch, url, cpu_seconds=2.0, memory_mb=256, wall_seconds=20, **policy)
    except ChildError as exc:
        return exc.reason or exc.type_name
    return "no error"


def test_gzip_bomb_stops_at_the_cap(bombs):
    one, three = bombs
    assert len(three) < 16 * 1024
    routes = {"/one": lambda r: reply(200, one, {"Content-Encoding": "gzip"}),
              "/three": lambda r: reply(200, three, {"Content-Encoding": "gzip, gzip, gzip"}),
              "/deep": lambda r: reply(200, b"x", {"Content-Encoding": "gzip, " * 10 + "gzip"})}
    with LoopbackServer(routes) as srv:
        assert _reason(srv.url("/one"), deadline=10) in ("net.decompression", "net.too_large")
        assert _reason(srv.url("/three"), deadline=10) in ("net.decompression", "net.too_large")
        assert _reason(srv.url("/deep"), deadline=10) == "net.decompression"
        # with the ratio cap out of the way the byte cap still holds
        assert _reason(srv.url("/three"), deadline=10, max_ratio=10**9) == "net.too_large"


def test_invalid_gzip_is_net_decompression():
    with LoopbackServer({"/": lambda r: reply(200, b"\x1f\x8bnot gzip", {"Content-Encoding": "gzip"})}) as srv:
        assert _reason(srv.url("/"), deadline=5) == "net.decompression"


def test_trickling_body_hits_the_total_deadline():
    # BAD_INPUTS #35 scaled down: one byte every 0.3 s never trips a read timeout,
    # the 1.5 s total deadline must fire anyway
    stop = threading.Event()

    def slow(req):
        yield reply(200, b"", {"Content-Length": "1000"})
        yield from trickle(b"<" * 1000, 0.3, stop=stop)

    with LoopbackServer({"/": slow}) as srv:
        t0 = time.monotonic()
        with pytest.raises(FetchError) as info:
            HttpClient(NetPolicy(allow_networks=("127.0.0.0/8",), deadline=1.5)).get(srv.url("/"))
        took = time.monotonic() - t0
        stop.set()
    assert info.value.reason == "net.deadline"
    assert 1.4 < took < 3.0


def test_trickling_headers_hit_the_total_deadline():
    stop = threading.Event()

    def slow(req):
        yield from trickle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000, 0.2, stop=stop)

    with LoopbackServer({"/": slow}) as srv:
        t0 = time.monotonic()
        with pytest.raises(FetchError) as info:
            HttpClient(NetPolicy(allow_networks=("127.0.0.0/8",), deadline=1.0)).get(srv.url("/"))
        stop.set()
    assert info.value.reason == "net.deadline" and time.monotonic() - t0 < 2.5


def test_huge_content_length_is_refused_before_reading():
    def liar(req):
        yield reply(200, b"", {"Content-Length": str(10**12)})
        yield b"a" * 1000

    with LoopbackServer({"/": liar}) as srv:
        t0 = time.monotonic()
        assert _reason(srv.url("/"), deadline=5) == "net.too_large"
        assert time.monotonic() - t0 < 2


def test_endless_chunked_body_is_capped():
    stop = threading.Event()

    def endless(req):
        yield reply(200, b"", {"Transfer-Encoding": "chunked"}, length=False)
        chunk = b"%x\r\n%s\r\n" % (65536, b"a" * 65536)
        while not stop.is_set():
            yield chunk

    with LoopbackServer({"/": endless}) as srv:
        assert _reason(srv.url("/"), deadline=10) == "net.too_large"
        stop.set()


def test_body_without_length_over_the_cap():
    with LoopbackServer({"/": lambda r: reply(200, b"a" * (3 * MiB), length=False)}) as srv:
        assert _reason(srv.url("/"), deadline=10) == "net.too_large"
        assert _reason(srv.url("/"), deadline=10, max_bytes=4 * MiB) == "no error"
