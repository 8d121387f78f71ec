"""Modified UTF-7 (RFC 3501 section 5.1.3), the encoding of IMAP mailbox names.

Users write folder names as they see them ("Éléments envoyés"); the wire wants
``&AMk-l&AOk-ments envoy&AOk-s``.
"""

from __future__ import annotations

import base64


def encode(name: str) -> bytes:
    """A mailbox name in modified UTF-7."""
    out = bytearray()
    run: list[str] = []

    def flush() -> None:
        if run:
            data = "".join(run).encode("utf-16-be")
            out.extend(b"&" + base64.b64encode(data).rstrip(b"=").replace(b"/", b",") + b"-")
            run.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.extend(b"&-" if ch == "&" else ch.encode("ascii"))
        else:
            run.append(ch)
    flush()
    return bytes(out)


def decode(raw: bytes) -> str:
    """A modified UTF-7 mailbox name as text (bad sequences are kept as they are)."""
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        c = raw[i : i + 1]
        if c != b"&":
            out.append(c.decode("latin-1"))
            i += 1
            continue
        end = raw.find(b"-", i + 1)
        if end < 0:
            out.append(raw[i:].decode("latin-1"))
            break
        chunk = raw[i + 1 : end]
        if not chunk:
            out.append("&")
        else:
            b64 = chunk.replace(b",", b"/")
            b64 += b"=" * (-len(b64) % 4)
            try:
                out.append(base64.b64decode(b64, validate=True).decode("utf-16-be"))
            except (ValueError, UnicodeDecodeError):
                out.append(raw[i : end + 1].decode("latin-1"))
        i = end + 1
    return "".join(out)
