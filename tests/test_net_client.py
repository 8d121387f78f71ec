"""The safe client's ordinary behaviour against real loopback servers: requests and
responses, redirects (BAD_INPUTS #31, #32, #33), statuses returned not raised."""

from __future__ import annotations

import pytest

from webleads_core.net import FetchError, HttpClient, NetPolicy, Response, SSRFBlocked, TooManyRedirects
from webleads_core.net.testserver import LoopbackServer, gzip_layers, reply

POLICY = NetPolicy(allow_networks=("127.0.0.0/8",), deadline=5)
HTML = ("text/html", "application/xhtml+xml")


def test_get_returns_a_complete_response():
    routes = {"/page": lambda r: reply(200, "<p>héllo</p>", {"ETag": '"v1"', "X-Two": "a"})}
    with LoopbackServer(routes) as srv:
        resp = HttpClient(POLICY).request("GET", srv.url("/page?q=1"), headers={"Accept": "text/html"})
    assert isinstance(resp, Response)
    assert resp.status == 200 and resp.body == "<p>héllo</p>".encode()
    assert resp.headers["etag"] == '"v1"' and resp.headers["x-two"] == "a"
    assert resp.url.endswith("/page?q=1") and resp.history == ()
    hit = srv.hits[0]
    assert hit.method == "GET" and hit.path == "/page?q=1"
    assert hit.headers["user-agent"] == POLICY.user_agent
    assert hit.headers["host"] == f"127.0.0.1:{srv.port}" and hit.headers["accept"] == "text/html"


def test_post_body_and_error_status_is_returned():
    with LoopbackServer({"/api": lambda r: reply(503, b"busy " + r.body, content_type="text/plain")}) as srv:
        resp = HttpClient(POLICY).request("POST", srv.url("/api"), body=b"payload")
    assert resp.status == 503 and resp.body == b"busy payload"


def test_gzip_body_is_decoded():
    page = b"<html>" + b"<p>contact</p>" * 200 + b"</html>"
    with LoopbackServer({"/": lambda r: reply(200, gzip_layers(page), {"Content-Encoding": "gzip"})}) as srv:
        assert HttpClient(POLICY).get(srv.url("/")).body == page


def test_redirects_are_followed_with_history():
    routes = {"/a": lambda r: reply(301, b"", {"Location": "/b"}),
              "/b": lambda r: reply(302, b"", {"Location": "c"}),
              "/c": lambda r: reply(200, b"<p>done</p>")}
    with LoopbackServer(routes) as srv:
        resp = HttpClient(POLICY).get(srv.url("/a"))
    assert resp.status == 200 and resp.url == srv.url("/c")
    assert resp.history == (srv.url("/a"), srv.url("/b"))


def test_redirects_not_followed_when_asked():
    with LoopbackServer({"/a": lambda r: reply(302, b"", {"Location": "/b"})}) as srv:
        resp = HttpClient(POLICY).request("GET", srv.url("/a"), follow_redirects=False)
    assert resp.status == 302 and resp.headers["location"] == "/b" and len(srv.hits) == 1


def test_redirect_loop_and_long_chains():
    routes = {"/loop": lambda r: reply(302, b"", {"Location": "/loop"})}
    for i in range(8):
        routes[f"/hop{i}"] = (lambda n: lambda r: reply(302, b"", {"Location": f"/hop{n + 1}"}))(i)
    routes["/hop8"] = lambda r: reply(200, b"<p>end</p>")
    with LoopbackServer(routes) as srv:
        with pytest.raises(TooManyRedirects) as info:
            HttpClient(POLICY).get(srv.url("/loop"))
        assert info.value.reason == "net.too_many_redirects"
        with pytest.raises(TooManyRedirects):
            HttpClient(POLICY).get(srv.url("/hop0"))  # 8 hops
        assert HttpClient(POLICY).get(srv.url("/hop3")).status == 200  # exactly 5 hops
        assert len([h for h in srv.hits if h.route == "/loop"]) <= 2


def test_redirect_to_a_refused_address_is_blocked_at_the_hop():
    # BAD_INPUTS #31: "public" host (127.0.0.2 here, the only allowed range) redirects to 127.0.0.1
    with LoopbackServer({"*": lambda r: reply(200, b"<p>internal</p>")}, host="127.0.0.1") as internal, \
            LoopbackServer({"/": lambda r: reply(302, b"", {"Location": internal.url("/admin")})},
                           host="127.0.0.2") as public:
        client = HttpClient(NetPolicy(allow_networks=("127.0.0.2/32",), deadline=5),
                            resolver=lambda h, p: ["127.0.0.2"])
        with pytest.raises(SSRFBlocked):
            client.get(f"http://public.test:{public.port}/")
        assert len(public.hits) == 1 and internal.hits == []


@pytest.mark.parametrize("location", ["file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://x.test/"])
def test_redirect_to_a_refused_scheme(location):
    with LoopbackServer({"/": lambda r: reply(302, b"", {"Location": location})}) as srv:
        with pytest.raises(FetchError) as info:
            HttpClient(POLICY).get(srv.url("/"))
    assert info.value.reason == "net.scheme"


def test_content_type_allowlist():
    policy = NetPolicy(allow_networks=("127.0.0.0/8",), deadline=5, content_types=HTML)
    routes = {"/zip": lambda r: reply(200, b"PK\x03\x04", content_type="application/zip"),
              "/x": lambda r: reply(200, b"<html/>", content_type="application/xhtml+xml; charset=utf-8"),
              "/missing": lambda r: reply(404, b"nope", content_type="text/plain")}
    with LoopbackServer(routes) as srv:
        with pytest.raises(FetchError) as info:
            HttpClient(policy).get(srv.url("/zip"))
        assert info.value.reason == "net.content_type"
        assert HttpClient(policy).get(srv.url("/x")).body == b"<html/>"
        assert HttpClient(policy).get(srv.url("/missing")).status == 404  # errors are not type-checked


def test_connection_refused_is_net_connect():
    with LoopbackServer() as srv:
        port = srv.port
    with pytest.raises(FetchError) as info:
        HttpClient(POLICY).get(f"http://127.0.0.1:{port}/")
    assert info.value.reason == "net.connect"


def test_unresolvable_host_is_net_dns():
    def resolver(host, port):
        raise OSError("no such host")

    with pytest.raises(FetchError) as info:
        HttpClient(POLICY, resolver=resolver).get("http://nowhere.test/")
    assert info.value.reason == "net.dns"


def test_garbage_response_is_net_protocol():
    with LoopbackServer({"/": lambda r: b"SSH-2.0-OpenSSH\r\n\r\n"}) as srv:
        with pytest.raises(FetchError) as info:
            HttpClient(POLICY).get(srv.url("/"))
    assert info.value.reason == "net.protocol"


def _raw_server(payload: bytes):
    """A TCP server on loopback that writes ``payload`` as soon as a client connects."""
    import socket
    import threading

    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(4)

    def serve():
        while True:
            try:
                conn, _ = lsock.accept()
            except OSError:
                return
            try:
                conn.sendall(payload)
                conn.close()
            except OSError:
                pass

    threading.Thread(target=serve, daemon=True).start()
    return lsock


def test_tls_to_a_plain_server_is_net_tls():
    lsock = _raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    try:
        with pytest.raises(FetchError) as info:
            HttpClient(POLICY).get(f"https://127.0.0.1:{lsock.getsockname()[1]}/")
    finally:
        lsock.close()
    assert info.value.reason == "net.tls"


def test_self_signed_certificate_is_refused_and_a_trusted_one_works(tmp_path):
    """TLS is verified by default; with the test CA trusted, SNI and Host come from the URL."""
    import shutil
    import socket
    import ssl
    import subprocess
    import threading

    assert shutil.which("openssl"), "openssl is part of the machine image"
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "2", "-subj", "/CN=site.test",
                    "-addext", "subjectAltName=DNS:site.test"], check=True, capture_output=True)
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(cert, key)
    seen_sni = []
    sctx.sni_callback = lambda s, name, c: seen_sni.append(name)
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(4)

    def serve():
        while True:
            try:
                raw, _ = lsock.accept()
            except OSError:
                return
            try:
                with sctx.wrap_socket(raw, server_side=True) as s:
                    s.recv(65536)
                    s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 7\r\n\r\n<p>s</p>"[:-1])
            except (OSError, ssl.SSLError):
                pass

    threading.Thread(target=serve, daemon=True).start()
    port = lsock.getsockname()[1]
    try:
        resolver = lambda h, p: ["127.0.0.1"]
        with pytest.raises(FetchError) as info:
            HttpClient(POLICY, resolver=resolver).get(f"https://site.test:{port}/")
        assert info.value.reason == "net.tls"
        trusted = ssl.create_default_context(cafile=str(cert))
        resp = HttpClient(POLICY, resolver=resolver, ssl_context=trusted).get(f"https://site.test:{port}/")
        assert resp.status == 200 and resp.body == b"<p>s</p"
        assert seen_sni[-1] == "site.test"
    finally:
        lsock.close()
