"""Turning what the API returns into message bytes, defensively.

* ``raw`` is base64url (RFC 4648 section 5).  Anything else (another alphabet,
  whitespace, padding in the middle, an impossible length) is rejected as
  ``gmail.raw_invalid`` rather than guessed at: a lenient decoder would hand the
  parser bytes that are not the message.
* A message over ``max_message_bytes`` keeps its first and last half, like the local
  mail sources: headers at the head, most signatures near the tail.
* When even one message is too big to fetch whole, its headers come from
  ``format=metadata`` as JSON strings.  They are rebuilt into a header block; a value
  holding CR, LF or NUL (the API sends unfolded values, so only a forged one does) is
  dropped whole, so it can neither smuggle in a header of its own nor leave the
  smuggled address inside another header (BAD_INPUTS case 7).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any, Iterable

from .errors import RawInvalid

_B64URL = re.compile(r"[A-Za-z0-9_-]*(?:={1,2})?")
_FIELD_NAME = re.compile(r"[!-9;-~]{1,76}")  # printable ASCII except ':' (RFC 5322 ftext)
_CTL = re.compile(r"[\r\n\0]")
#: Header block rebuilt from metadata: the parser's own cap is 64 KiB.
MAX_HEADER_BLOCK = 60 * 1024
MAX_HEADERS = 500


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
    lines: list[str] = []
    size = 0
    for i, h in enumerate(headers):
        if i >= MAX_HEADERS or not isinstance(h, dict):
            break
        name, value = h.get("name"), h.get("value")
        if not isinstance(name, str) or not isinstance(value, str) or not _FIELD_NAME.fullmatch(name):
            continue
        if _CTL.search(value):
            continue
        line = f"{name}: {value.strip()}"
        size += len(line) + 2
        if size > MAX_HEADER_BLOCK:
            break
        lines.append(line)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "replace")
