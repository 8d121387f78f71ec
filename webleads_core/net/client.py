"""The safe HTTP client every webleads plugin that talks to the network uses.

Built on :mod:`http.client` with its own connection: for every hop the host is
resolved once, *every* resolved address is checked (:mod:`.addresses`), and the socket
is opened to a checked address only (the connection is pinned: a DNS answer that
changes between check and connect cannot redirect it).  TLS is verified with
``ssl.create_default_context()``; SNI and the ``Host`` header come from the URL.

One total deadline covers the whole response, every hop, headers and body: a
watchdog shuts the socket down when it expires, so a server that trickles a byte
every few seconds cannot keep a request alive (a read timeout alone resets on every
byte).  Bodies are capped on decoded size and compression ratio (:mod:`.decode`).
HTTP error statuses are returned, not raised.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
import threading
import time
from typing import Callable, Iterable, Mapping
from urllib.parse import quote, urljoin, urlsplit

import attrs

from .addresses import is_allowed, parse_ip
from .decode import BodyDecoder
from .errors import FetchError, SSRFBlocked, TooManyRedirects
from .policy import NetPolicy

log = logging.getLogger("webleads.net")

SCHEMES = {"http": 80, "https": 443}
REDIRECTS = (301, 302, 303, 307, 308)
READ_CHUNK = 64 * 1024

Resolver = Callable[[str, int], Iterable[str]]


@attrs.frozen
class Response:
    """A complete response.

    Attributes:
        status: the HTTP status (errors are returned, not raised).
        headers: lower-case names; repeated headers joined with ``", "``.
        body: the decoded body (at most ``max_bytes``).
        url: the final URL after redirects.
        history: the URLs that redirected, in order.
    """

    status: int
    headers: dict[str, str] = attrs.field(hash=False)
    body: bytes = attrs.field(repr=False)
    url: str
    history: tuple[str, ...] = ()

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


@attrs.frozen
class _Target:
    scheme: str
    host: str  # IDNA-encoded, or an IP literal without brackets
    port: int
    path: str  # request target: path and query

    @property
    def host_header(self) -> str:
        h = f"[{self.host}]" if ":" in self.host else self.host
        return h if self.port == SCHEMES[self.scheme] else f"{h}:{self.port}"


def parse_target(url: str) -> _Target:
    """Split and check a URL: http or https only, a host, a valid port, no control characters."""
    if not isinstance(url, str) or len(url) > 8192 or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise FetchError("net.scheme", "malformed URL")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError("net.scheme", "malformed URL") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise FetchError("net.scheme", f"scheme not allowed: {scheme[:12]!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchError("net.scheme", "URL without a host")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise FetchError("net.scheme", "host is not a valid IDN") from None
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return _Target(scheme, host.lower(), port or SCHEMES[scheme], path)


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host`` (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


class _Watchdog:
    """Shuts a socket down when the deadline passes (a blocked read then returns)."""

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self.fired = False
        self._sock = sock
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def cancel(self) -> None:
        self._timer.cancel()


class HttpClient:
    """A client bound to one :class:`NetPolicy`.

    Args:
        policy: the limits (default: public addresses only, 30 s, 2 MiB).
        resolver: ``resolver(host, port) -> [ip, ...]`` (tests use a fixed table);
            the system resolver by default.
        ssl_context: TLS settings (default ``ssl.create_default_context()``: verified).
    """

    def __init__(self, policy: NetPolicy | None = None, *, resolver: Resolver | None = None,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.policy = policy or NetPolicy()
        self._allow = self.policy.allowed
        self._resolver = resolver or system_resolver
        self._ssl = ssl_context
        if self._allow:
            log.warning("network policy allows non-public networks: %s",
                        ", ".join(self.policy.allow_networks))

    # -- public ----------------------------------------------------------------

    def request(self, method: str, url: str, headers: Mapping[str, str] | None = None,
                body: bytes | None = None, follow_redirects: bool = True) -> Response:
        """Send one request (following redirects) and return the complete response.

        Raises :class:`FetchError` (``reason`` tells why), :class:`SSRFBlocked` before any
        connection to a refused address, :class:`TooManyRedirects`.
        """
        deadline = time.monotonic() + self.policy.deadline
        method = method.upper()
        history: list[str] = []
        current = url
        while True:
            target = parse_target(current)
            status, resp_headers, reader = self._exchange(target, method, headers or {}, body, deadline)
            location = resp_headers.get("location")
            if follow_redirects and status in REDIRECTS and location:
                reader.close()
                nxt = urljoin(current, location.strip())
                history.append(current)
                if len(history) > self.policy.max_redirects or nxt in history:
                    log.warning("redirect chain too long or looping after %d hops", len(history))
                    raise TooManyRedirects(f"more than {self.policy.max_redirects} redirects")
                log.info("redirect %d: %s -> %s", len(history), target.host,
                         (urlsplit(nxt).hostname or "?")[:80])
                if status == 303 or (status in (301, 302) and method == "POST"):
                    method, body = ("GET" if method != "HEAD" else "HEAD"), None
                try:
                    parse_target(nxt)
                except FetchError:
                    log.warning("redirect to a refused URL after %d hops", len(history))
                    raise
                current = nxt
                continue
            try:
                if 200 <= status < 300 and self.policy.content_types is not None:
                    mt = resp_headers.get("content-type", "").split(";", 1)[0].strip().lower()
                    if mt not in self.policy.content_types:
                        raise FetchError("net.content_type", f"content type not accepted: {mt[:40]!r}")
                data = reader.read_body(resp_headers, method)
            finally:
                reader.close()
            return Response(status=status, headers=resp_headers, body=data, url=current,
                            history=tuple(history))

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> Response:
        return self.request("GET", url, headers=headers)

    # -- one hop ---------------------------------------------------------------

    def _vetted_addresses(self, target: _Target, deadline: float) -> list[str]:
        literal = parse_ip(target.host)
        if literal is not None:
            found = [str(literal)]
        else:
            found = self._resolve(target.host, target.port, deadline)
        if not found:
            raise FetchError("net.dns", "no address")
        ips = []
        for text in found:
            ip = parse_ip(text)
            if ip is None or not is_allowed(ip, self._allow):
                log.warning("blocked a request to %s: an address is not allowed", target.host[:80])
                raise SSRFBlocked(f"{target.host[:80]} resolves to a refused address")
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
            ips.append(str(ip))
        return list(dict.fromkeys(ips))

    def _resolve(self, host: str, port: int, deadline: float) -> list[str]:
        box: dict[str, object] = {}

        def work() -> None:
            try:
                box["ok"] = list(self._resolver(host, port))
            except (OSError, UnicodeError) as exc:
                box["err"] = exc

        t = threading.Thread(target=work, daemon=True)
        t.start()
        t.join(max(0.0, deadline - time.monotonic()))
        if t.is_alive():
            raise FetchError("net.deadline", "deadline passed while resolving")
        if "err" in box:
            raise FetchError("net.dns", f"cannot resolve {host[:80]}")
        return [str(x) for x in box.get("ok", [])]  # type: ignore[union-attr]

    def _connect(self, target: _Target, ips: list[str], deadline: float) -> socket.socket:
        last: Exception | None = None
        for ip in ips:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError("net.deadline", "deadline passed while connecting")
            family = socket.AF_INET6 if ":" in ip else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.settimeout(remaining)
            try:
                sock.connect((ip, target.port))
            except OSError as exc:
                sock.close()
                last = exc
                continue
            if target.scheme == "https":
                ctx = self._ssl or ssl.create_default_context()
                try:
                    sock = ctx.wrap_socket(sock, server_hostname=target.host)
                except ssl.SSLError:
                    sock.close()
                    raise FetchError("net.tls", f"TLS handshake with {target.host[:80]} failed") from None
                except OSError:
                    sock.close()
                    if time.monotonic() >= deadline:
                        raise FetchError("net.deadline", "deadline passed during TLS") from None
                    raise FetchError("net.tls", f"TLS handshake with {target.host[:80]} failed") from None
            return sock
        if time.monotonic() >= deadline:
            raise FetchError("net.deadline", "deadline passed while connecting")
        raise FetchError("net.connect", f"cannot connect to {target.host[:80]} ({type(last).__name__})")

    def _exchange(self, target: _Target, method: str, headers: Mapping[str, str],
                  body: bytes | None, deadline: float) -> tuple[int, dict[str, str], _Reader]:
        ips = self._vetted_addresses(target, deadline)
        sock = self._connect(target, ips, deadline)
        dog = _Watchdog(sock, deadline - time.monotonic())
        conn = http.client.HTTPConnection(target.host, target.port)
        conn.sock = sock  # pinned: http.client never connects by itself
        reader = _Reader(conn, dog, self.policy, deadline)
        try:
            conn.putrequest(method, target.path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", target.host_header)
            sent = {k.lower() for k in headers}
            if "user-agent" not in sent:
                conn.putheader("User-Agent", self.policy.user_agent)
            if "accept-encoding" not in sent:
                conn.putheader("Accept-Encoding", "gzip, deflate")
            conn.putheader("Connection", "close")
            for k, v in headers.items():
                if k.lower() in ("host", "connection", "content-length"):
                    continue
                conn.putheader(k, v)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
        except FetchError:
            reader.close()
            raise
        except ValueError:
            reader.close()
            raise FetchError("net.protocol", "invalid request header") from None
        except (OSError, http.client.HTTPException) as exc:
            reader.close()
            raise reader.error(exc) from None
        reader.resp = resp
        merged: dict[str, str] = {}
        for k, v in resp.getheaders():
            k = k.lower()
            merged[k] = f"{merged[k]}, {v}" if k in merged else v
        return resp.status, merged, reader


class _Reader:
    """Reads one response body under the deadline and the caps, then closes."""

    def __init__(self, conn: http.client.HTTPConnection, dog: _Watchdog, policy: NetPolicy,
                 deadline: float) -> None:
        self.conn = conn
        self.dog = dog
        self.policy = policy
        self.deadline = deadline
        self.resp: http.client.HTTPResponse | None = None

    def error(self, exc: BaseException) -> FetchError:
        if self.dog.fired or time.monotonic() >= self.deadline:
            return FetchError("net.deadline", f"total deadline of {self.policy.deadline:g} s passed")
        if isinstance(exc, http.client.HTTPException):
            return FetchError("net.protocol", f"bad HTTP response ({type(exc).__name__})")
        return FetchError("net.connect", f"connection failed ({type(exc).__name__})")

    def read_body(self, headers: Mapping[str, str], method: str) -> bytes:
        assert self.resp is not None
        if method == "HEAD":
            return b""
        length = headers.get("content-length", "").strip()
        if length.isdigit() and int(length) > self.policy.max_bytes:
            raise FetchError("net.too_large", "declared length over the cap")
        decoder = BodyDecoder(headers.get("content-encoding", ""), self.policy.max_bytes,
                              self.policy.max_ratio)
        sock = self.conn.sock
        try:
            while True:
                remaining = self.deadline - time.monotonic()
                if remaining <= 0 or self.dog.fired:
                    raise FetchError("net.deadline", f"total deadline of {self.policy.deadline:g} s passed")
                if sock is not None:
                    sock.settimeout(remaining)
                chunk = self.resp.read1(READ_CHUNK)
                if not chunk:
                    break
                decoder.feed(chunk)
        except FetchError:
            raise
        except (OSError, http.client.HTTPException) as exc:
            raise self.error(exc) from None
        if self.dog.fired:
            raise FetchError("net.deadline", f"total deadline of {self.policy.deadline:g} s passed")
        return decoder.finish()

    def close(self) -> None:
        self.dog.cancel()
        try:
            if self.resp is not None:
                self.resp.close()
            self.conn.close()
        except Exception:
            pass
