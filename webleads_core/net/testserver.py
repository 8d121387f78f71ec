"""A programmable HTTP server on loopback for tests of network code.

It speaks just enough HTTP/1.1 to play the hostile parts real servers play (trickling,
redirect loops, decompression bombs, lying ``Content-Length``, endless chunked bodies),
because it writes whatever bytes a route returns::

    with LoopbackServer({"/": lambda req: reply(200, b"<p>hi</p>")}) as srv:
        HttpClient(NetPolicy(allow_networks=("127.0.0.0/8",))).get(srv.url("/"))

A route returns ``bytes`` (a whole response) or an iterable of ``bytes`` written one by
one (a generator may sleep between pieces).  Every request is recorded in ``hits``.
Used by the core's and the plugins' tests; it binds loopback addresses only.
"""

from __future__ import annotations

import gzip
import socket
import socketserver
import threading
import time
from typing import Callable, Iterable, Mapping

import attrs

__all__ = ["LoopbackServer", "Request", "reply", "gzip_layers", "trickle"]


@attrs.frozen
class Request:
    method: str
    path: str  # path and query as sent
    headers: dict[str, str] = attrs.field(hash=False)
    body: bytes = b""

    @property
    def route(self) -> str:
        return self.path.split("?", 1)[0]


Route = Callable[[Request], "bytes | Iterable[bytes]"]

_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
            307: "Temporary Redirect", 308: "Permanent Redirect", 403: "Forbidden", 404: "Not Found",
            500: "Internal Server Error", 503: "Service Unavailable"}


def reply(status: int = 200, body: bytes | str = b"", headers: Mapping[str, str] | None = None, *,
          content_type: str | None = "text/html; charset=utf-8", length: bool = True) -> bytes:
    """A whole HTTP/1.1 response as bytes (``Content-Length`` added unless ``length=False``)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    hdrs = dict(headers or {})
    if content_type and not any(k.lower() == "content-type" for k in hdrs):
        hdrs["Content-Type"] = content_type
    if length and not any(k.lower() == "content-length" for k in hdrs):
        hdrs["Content-Length"] = str(len(body))
    hdrs.setdefault("Connection", "close")
    lines += [f"{k}: {v}" for k, v in hdrs.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def gzip_layers(data: bytes, layers: int = 1) -> bytes:
    """``data`` gzip-compressed ``layers`` times (for ``Content-Encoding: gzip, gzip``)."""
    for _ in range(layers):
        data = gzip.compress(data, compresslevel=9)
    return data


def trickle(data: bytes, every: float, *, stop: threading.Event | None = None) -> Iterable[bytes]:
    """Yield ``data`` one byte at a time, sleeping ``every`` seconds between bytes."""
    for i in range(len(data)):
        if stop is not None and stop.is_set():
            return
        yield data[i:i + 1]
        time.sleep(every)


class _Handler(socketserver.BaseRequestHandler):
    server: "_Server"

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(10)
        buf = b""
        try:
            while b"\r\n\r\n" not in buf and len(buf) < 65536:
                chunk = sock.recv(4096)
                if not chunk:
                    return
                buf += chunk
            head, _, rest = buf.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _version = (lines[0].split(" ", 2) + ["", ""])[:3]
            headers: dict[str, str] = {}
            for line in lines[1:]:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            want = int(headers.get("content-length", "0") or 0)
            while len(rest) < want:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                rest += chunk
            req = Request(method, path, headers, rest[:want])
            srv = self.server.owner
            srv.hits.append(req)
            route = srv.routes.get(req.route) or srv.routes.get(req.path) or srv.routes.get("*")
            out = route(req) if route else reply(404, b"not found")
            if isinstance(out, (bytes, bytearray)):
                sock.sendall(out)
            else:
                for piece in out:
                    if srv.stopping.is_set():
                        break
                    sock.sendall(piece)
        except OSError:
            pass
        finally:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: "LoopbackServer"


class LoopbackServer:
    """A threaded server on ``host`` (a loopback address), port chosen by the system.

    Attributes:
        routes: path -> route (``"*"`` catches everything else); may be changed while running.
        hits: every request received, in order.
    """

    def __init__(self, routes: Mapping[str, Route] | None = None, host: str = "127.0.0.1") -> None:
        if not (host.startswith("127.") or host == "::1"):
            raise ValueError("LoopbackServer binds loopback addresses only")
        self.routes: dict[str, Route] = dict(routes or {})
        self.hits: list[Request] = []
        self.stopping = threading.Event()
        self.host = host
        cls = _Server
        if ":" in host:
            cls = type("_Server6", (_Server,), {"address_family": socket.AF_INET6})
        self._server = cls((host, 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def url(self, path: str = "/", host: str | None = None) -> str:
        h = host or self.host
        h = f"[{h}]" if ":" in h else h
        return f"http://{h}:{self.port}{path}"

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
