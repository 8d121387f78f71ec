"""Test helpers of the web plugin: serve a folder of pages on loopback like a real site.

:func:`site_server` answers ``GET`` for the files of a folder (``/`` and ``/dir/`` serve
``index.html``), with ``ETag``/``Last-Modified`` validators and ``304 Not Modified``
answers to conditional requests, ``{BASE}`` in ``.xml``/``.txt`` files replaced by the
server's address.  It is built on the core's :class:`~webleads_core.net.testserver.LoopbackServer`,
so routes can be added to play hostile parts.
"""

from __future__ import annotations

import hashlib
import mimetypes
from email.utils import formatdate
from pathlib import Path

from webleads_core.net.testserver import LoopbackServer, Request, reply

LAST_MODIFIED = formatdate(1767225600, usegmt=True)  # 2026-01-01, fixed so reruns can compare


def site_server(folder: Path, host: str = "127.0.0.1") -> LoopbackServer:
    """A started server for ``folder``; stop it with ``.stop()`` or use it as a context manager."""
    folder = Path(folder).resolve()
    server = LoopbackServer(host=host)

    def serve(req: Request) -> bytes:
        path = req.route
        if ".." in path:
            return reply(404, b"not found")
        target = folder / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            return reply(404, b"<h1>Not found</h1>")
        body = target.read_bytes()
        if target.suffix in (".xml", ".txt"):
            body = body.replace(b"{BASE}", server.url("").rstrip("/").encode())
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
        if req.headers.get("if-none-match") == etag:
            return reply(304, b"", {"ETag": etag}, content_type=None, length=False)
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/"):
            ctype += "; charset=utf-8"
        return reply(200, body, {"ETag": etag, "Last-Modified": LAST_MODIFIED}, content_type=ctype)

    server.routes["*"] = serve
    return server.start()


def example_site() -> Path:
    """The repository's ``examples/site`` folder (tests run from a source checkout)."""
    for parent in Path(__file__).resolve().parents:
        cand = parent / "examples" / "site"
        if (cand / "index.html").is_file():
            return cand
    raise FileNotFoundError("examples/site not found: run the tests from a source checkout")
