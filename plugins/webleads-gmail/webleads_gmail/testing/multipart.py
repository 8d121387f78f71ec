"""The batch wire format (https://developers.google.com/gmail/api/guides/batch).

A batch is a ``multipart/mixed`` POST; each part has ``Content-Type: application/http``
and an optional ``Content-ID`` and holds one HTTP request (request line, headers, blank
line, body).  Line ends may be CRLF or bare LF: the Python client writes its inner
requests with LF.  The answer is ``multipart/mixed`` again, one part per request in
order, ``Content-ID: <response-ID>`` echoing the request's, each holding an HTTP
response written with CRLF.
"""

from __future__ import annotations

import re
import secrets
from typing import Iterable
from urllib.parse import parse_qs, urlsplit

import attrs

from .envelope import PHRASES

_BOUNDARY = re.compile(r'boundary=(?:"([^"]{1,200})"|([^";\s]{1,200}))', re.I)


class BatchFormatError(ValueError):
    """The body is not a well-formed batch."""


@attrs.frozen
class InnerRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    content_id: str | None


def boundary_of(content_type: str) -> str:
    if not content_type.lower().startswith("multipart/mixed"):
        raise BatchFormatError("batch requests must be multipart/mixed")
    m = _BOUNDARY.search(content_type)
    if not m:
        raise BatchFormatError("multipart/mixed without a boundary")
    return m.group(1) or m.group(2)


def _split_head(block: bytes) -> tuple[list[bytes], bytes]:
    """Header lines and the rest, at the first blank line (CRLF or LF)."""
    m = re.search(rb"\r?\n\r?\n", block)
    if m is None:
        return block.splitlines(), b""
    return block[:m.start()].splitlines(), block[m.end():]


def _headers(lines: list[bytes]) -> dict[str, str]:
    out: dict[str, str] = {}
    last = None
    for line in lines:
        text = line.decode("latin-1")
        if text[:1] in (" ", "\t") and last:
            out[last] += " " + text.strip()
            continue
        name, sep, value = text.partition(":")
        if not sep:
            raise BatchFormatError("malformed header line")
        last = name.strip().lower()
        out[last] = value.strip()
    return out


def parse_batch(body: bytes, content_type: str, limit: int = 100) -> list[InnerRequest]:
    boundary = boundary_of(content_type).encode("latin-1")
    delimiter = b"--" + boundary
    if delimiter not in body:
        raise BatchFormatError("boundary not found")
    chunks = body.split(delimiter)
    parts: list[InnerRequest] = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break  # the close delimiter
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk[1:] if chunk.startswith(b"\n") else chunk
        if chunk.endswith(b"\r\n"):
            chunk = chunk[:-2]
        elif chunk.endswith(b"\n"):
            chunk = chunk[:-1]
        head_lines, inner = _split_head(chunk)
        part_headers = _headers(head_lines)
        if part_headers.get("content-type", "").split(";")[0].strip().lower() != "application/http":
            raise BatchFormatError("a batch part is not application/http")
        req_lines, req_body = _split_head(inner)
        if not req_lines:
            raise BatchFormatError("empty inner request")
        request_line = req_lines[0].decode("latin-1").split()
        if len(request_line) != 3 or not request_line[2].startswith("HTTP/"):
            raise BatchFormatError("malformed inner request line")
        method, target = request_line[0].upper(), request_line[1]
        if target.startswith("http://") or target.startswith("https://"):
            target = target.split("/", 3)[3] if target.count("/") >= 3 else "/"
            target = "/" + target.lstrip("/")
        url = urlsplit(target)
        parts.append(InnerRequest(method, url.path, parse_qs(url.query, keep_blank_values=True),
                                  _headers(req_lines[1:]), req_body, part_headers.get("content-id")))
        if len(parts) > limit:
            raise BatchFormatError(f"more than {limit} requests in one batch")
    if not parts:
        raise BatchFormatError("no parts")
    return parts


@attrs.frozen
class InnerResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    content_id: str | None


def format_batch(responses: Iterable[InnerResponse]) -> tuple[str, bytes]:
    """``(content type, body)`` of a batch answer."""
    boundary = "batch_" + secrets.token_urlsafe(18).replace("-", "_")
    out = []
    for r in responses:
        head = ["Content-Type: application/http"]
        if r.content_id:
            cid = r.content_id.strip()
            inner = cid[1:-1] if cid.startswith("<") and cid.endswith(">") else cid
            head.append(f"Content-ID: <response-{inner}>")
        status_line = f"HTTP/1.1 {r.status} {PHRASES.get(r.status, 'Unknown')}"
        lines = [status_line] + [f"{k}: {v}" for k, v in r.headers] + [f"Content-Length: {len(r.body)}"]
        out.append(b"--" + boundary.encode() + b"\r\n" + "\r\n".join(head).encode() + b"\r\n\r\n"
                   + "\r\n".join(lines).encode() + b"\r\n\r\n" + r.body + b"\r\n")
    out.append(b"--" + boundary.encode() + b"--\r\n")
    return f"multipart/mixed; boundary={boundary}", b"".join(out)
