"""Turning what the API returns into message bytes, defensively.

* ``raw`` is base64url (RFC 4648 section 5).  Anything else (another alphabet,
  whitespace, padding in the middle, an impossible length) is rejected as
  ``gmail.raw_invalid`` rather than guessed at: a lenient decoder would hand the
  parser bytes that are not the message.
* A message over ``max_message_bytes`` keeps its first and last half, like the local
  mail sources: headers at the head, most signatures near the tail.
* When even one message is too big to fetch whole (big attachments, mostly), it is
  fetched with ``format=full``, which carries the text parts and only references the
  attachments, and rebuilt as a multipart message of its headers and text parts.  When
  that is still too big (a huge text part), its headers come from ``format=metadata``.
  Either way the headers arrive as JSON strings.  They are rebuilt into a header block; a value
  holding CR, LF or NUL (the API sends unfolded values, so only a forged one does) is
  dropped whole, so it can neither smuggle in a header of its own nor leave the
  smuggled address inside another header (BAD_INPUTS case 7).
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from typing import Any, Iterable

from .errors import RawInvalid

_B64URL = re.compile(r"[A-Za-z0-9_-]*(?:={1,2})?")
_FIELD_NAME = re.compile(r"[!-9;-~]{1,76}")  # printable ASCII except ':' (RFC 5322 ftext)
_CTL = re.compile(r"[\r\n\0]")
#: Header block rebuilt from metadata: the parser's own cap is 64 KiB.
MAX_HEADER_BLOCK = 60 * 1024
MAX_HEADERS = 500
#: Text parts taken from a ``format=full`` payload, and how deep it is walked.
MAX_TEXT_PARTS = 8
MAX_DEPTH = 8
MAX_WALK = 200
_TEXT_TYPES = ("text/plain", "text/html")
#: Top-level headers replaced when a message is rebuilt from its text parts.
_MIME_HEADERS = ("content-type", "content-transfer-encoding", "mime-version", "content-length")


def decode_raw(value: Any, max_bytes: int) -> tuple[bytes, bool]:
    """Decode a ``raw`` field; returns ``(message bytes, truncated)``.

    Raises :class:`RawInvalid` (``gmail.raw_missing`` / ``gmail.raw_invalid``).
    """
    if not isinstance(value, str) or not value:
        raise RawInvalid("gmail.raw_missing")
    if len(value) % 4 == 1 or not _B64URL.fullmatch(value):
        raise RawInvalid("gmail.raw_invalid")
    if "=" in value and len(value) % 4:
        raise RawInvalid("gmail.raw_invalid")
    try:
        data = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise RawInvalid("gmail.raw_invalid") from None
    if len(data) <= max_bytes:
        return data, False
    half = max_bytes // 2
    return data[:half] + b"\r\n" + data[-half:], True


def headers_only(headers: Iterable[Any]) -> bytes:
    """A header-only message from ``payload.headers`` of ``format=metadata``."""
    return _header_block(headers) + b"\r\n"


def _header_block(headers: Iterable[Any], drop: tuple[str, ...] = ()) -> bytes:
    """Header lines (each ending in CRLF) from the API's ``[{name, value}]`` list."""
    lines: list[str] = []
    size = 0
    for i, h in enumerate(headers):
        if i >= MAX_HEADERS or not isinstance(h, dict):
            break
        name, value = h.get("name"), h.get("value")
        if not isinstance(name, str) or not isinstance(value, str) or not _FIELD_NAME.fullmatch(name):
            continue
        if name.lower() in drop:
            continue
        if _CTL.search(value):
            continue
        line = f"{name}: {value.strip()}"
        if size + len(line) + 2 > MAX_HEADER_BLOCK:
            continue  # one huge header must not push From and Date out
        size += len(line) + 2
        lines.append(line)
    return "".join(line + "\r\n" for line in lines).encode("utf-8", "replace")


def _text_parts(payload: dict[str, Any]) -> list[tuple[str, bytes]]:
    """``(content type header, decoded bytes)`` of the inline text parts, in order."""
    found: list[tuple[str, bytes]] = []
    stack: list[tuple[Any, int]] = [(payload, 0)]
    visited = 0
    while stack and len(found) < MAX_TEXT_PARTS and visited < MAX_WALK:
        part, depth = stack.pop()
        visited += 1
        if not isinstance(part, dict):
            continue
        children = part.get("parts")
        if isinstance(children, list) and depth < MAX_DEPTH:
            stack.extend((child, depth + 1) for child in reversed(children[:MAX_WALK]))
            continue
        mime = str(part.get("mimeType", "")).lower()
        body = part.get("body") if isinstance(part.get("body"), dict) else {}
        data = body.get("data")
        if mime not in _TEXT_TYPES or part.get("filename") or not isinstance(data, str):
            continue  # attachments only carry an attachmentId: never fetched
        try:
            raw, _ = decode_raw(data, 4 * 1024 * 1024)
        except RawInvalid:
            continue
        ctype = next((h.get("value") for h in part.get("headers") or () if isinstance(h, dict)
                      and str(h.get("name", "")).lower() == "content-type" and isinstance(h.get("value"), str)
                      and not _CTL.search(h["value"])), None)
        found.append((ctype or f"{mime}; charset=utf-8", raw))
    return found


def from_full(payload: Any) -> bytes:
    """A message rebuilt from a ``format=full`` payload: its headers and its text parts
    (attachments left out), as ``multipart/mixed``.  Header-only when it has no text part."""
    if not isinstance(payload, dict):
        return headers_only(())
    headers = payload.get("headers") or ()
    parts = _text_parts(payload)
    if not parts:
        return headers_only(headers)
    boundary = "webleads-" + secrets.token_hex(12)
    out = [_header_block(headers, drop=_MIME_HEADERS),
           f'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'.encode()]
    for ctype, data in parts:
        out.append(f"--{boundary}\r\nContent-Type: {ctype}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n".encode(
            "utf-8", "replace"))
        out.append(data.replace(f"--{boundary}".encode(), b"- -"))
        out.append(b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)
