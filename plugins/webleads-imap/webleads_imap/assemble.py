"""Building the minimal RFC 822 message the core's parser reads, from fetched pieces.

The source fetches the header block and the chosen text part(s) only.  This module
joins them into a message that ``webleads_core.mail.parse_message`` reads exactly as it
would read the whole one:

* single-part messages: the original header block and the (head and tail of the) body;
* multipart messages: the original header block without its ``Content-*`` fields,
  followed by the chosen part's ``Content-Type`` and ``Content-Transfer-Encoding``
  (rebuilt from BODYSTRUCTURE), or a ``multipart/alternative`` holding the plain part and
  its HTML fallback;
* a long part fetched as head and tail: both cut at line boundaries (so base64 groups
  and quoted-printable escapes stay whole) and joined by a line break;
* a header block over the fetch cap is passed on as it is, without a body: the parser
  rejects it with ``mail.header_too_large``, as it would the whole message.
"""

from __future__ import annotations

import hashlib
import re

from .bodystructure import Part

_CONTENT_FIELD = re.compile(rb"content-(?:type|transfer-encoding|disposition)[ \t]*:", re.I)
_ENCODING_OK = re.compile(r"[a-z0-9-]{1,32}")


def header_complete(header: bytes) -> bool:
    """True when the fetched header block ends with its blank line (was not cut)."""
    return header.endswith(b"\r\n\r\n") or header.endswith(b"\n\n") or header in (b"\r\n", b"\n")


def strip_content_fields(header: bytes) -> bytes:
    """The header block without ``Content-Type/-Transfer-Encoding/-Disposition`` fields
    (continuation lines included) and without its terminating blank line."""
    out: list[bytes] = []
    skipping = False
    for line in header.splitlines(keepends=True):
        if line in (b"\r\n", b"\n"):
            break
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                out.append(line)
            continue
        skipping = bool(_CONTENT_FIELD.match(line))
        if not skipping:
            out.append(line)
    text = b"".join(out)
    if text and not text.endswith(b"\n"):
        text += b"\r\n"
    return text


def part_fields(part: Part) -> bytes:
    """``Content-Type`` and ``Content-Transfer-Encoding`` lines for a part."""
    ctype = "text/plain" if part.ctype == "raw" else part.ctype
    line = f"Content-Type: {ctype}"
    if part.charset:
        line += f'; charset="{part.charset}"'
    enc = part.encoding if _ENCODING_OK.fullmatch(part.encoding) else "7bit"
    return f"{line}\r\nContent-Transfer-Encoding: {enc}\r\n".encode("ascii")


def join_head_tail(head: bytes, tail: bytes) -> bytes:
    """Head and tail of a long part, each cut at a line boundary, joined by a line break."""
    nl = head.rfind(b"\n")
    if nl >= 0:
        head = head[: nl + 1]
    nl = tail.find(b"\n")
    if 0 <= nl < len(tail) - 1:
        tail = tail[nl + 1:]
    if not head.endswith(b"\n"):
        head += b"\r\n"
    return head + tail


def build_message(header: bytes, bodies: list[tuple[Part, bytes]], *, structured: bool = True,
                  header_cap: int | None = None) -> bytes:
    """The message handed to the engine as ``Document.from_email`` bytes.

    ``header_cap`` is how many header bytes were asked for: a block that long without
    its blank line was cut, and goes on alone for the parser to reject.
    """
    if not header_complete(header):
        if header_cap is not None and len(header) >= header_cap:
            return header
        if header and not header.endswith(b"\n"):
            header += b"\r\n"
        header += b"\r\n"  # a server that left out the blank line
    if not bodies:
        return strip_content_fields(header) + b"\r\n" if structured else header
    first_part = bodies[0][0]
    if first_part.single or not structured:
        return header + bodies[0][1]
    base = strip_content_fields(header)
    if len(bodies) == 1:
        part, body = bodies[0]
        return base + part_fields(part) + b"\r\n" + body
    digest = hashlib.sha256(b"".join(b for _, b in bodies)).hexdigest()[:32]
    boundary = f"=_webleads_{digest}".encode("ascii")
    out = [base, b'Content-Type: multipart/alternative; boundary="', boundary, b'"\r\n\r\n']
    for part, body in bodies:
        out += [b"--", boundary, b"\r\n", part_fields(part), b"\r\n", body]
        if not body.endswith(b"\n"):
            out.append(b"\r\n")
    out += [b"--", boundary, b"--\r\n"]
    return b"".join(out)
