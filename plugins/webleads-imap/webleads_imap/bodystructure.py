"""Reading BODYSTRUCTURE to fetch only what the mail parser will look at.

The core's parser (``webleads_core.mail.parse_message``) reads one text part: the first
non-attachment ``text/plain`` (an unnamed one before a named one), else ``text/html``,
and of a long part only its head and tail.  So the source fetches the header block,
that part (and an HTML fallback when the plain part is next to empty), and for long
parts only the same head and tail; attachments are never transferred.  The ranking
here mirrors the parser's, with the same caps on MIME depth and part count.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from webleads_core.mail.limits import DEFAULT_LIMITS, MailLimits

from .wire import TooDeep, as_int

KiB = 1024
#: HTML is turned into text by the core; signatures sit at its end, so more tail than head.
HTML_HEAD = 256 * KiB
HTML_TAIL = 768 * KiB
#: Body bytes of a message whose structure could not be read (too deep, malformed).
RAW_HEAD = 256 * KiB
RAW_TAIL = 768 * KiB
#: A raw body's size is only known as the whole message's (RFC822.SIZE): the tail window
#: is widened by the header cap so that it still reaches the body's end.
RAW_TAIL_SLACK = 72 * KiB
#: A plain part smaller than this may be an empty stub next to the real HTML body.
TINY_PLAIN = 64
_CHARSET_OK = re.compile(r"[A-Za-z0-9._:+-]{1,40}")


@attrs.frozen
class Part:
    """A leaf of the MIME tree worth fetching.

    Attributes:
        section: IMAP section (``"1.2"``), or ``"TEXT"`` for the body of a single-part
            message, whose own header block carries its Content-Type.
        ctype: ``"text/plain"`` or ``"text/html"`` (``"raw"`` for an unreadable structure).
        charset: the charset parameter when it is a plausible name, else None.
        encoding: Content-Transfer-Encoding, lower-case.
        size: octets of the encoded part (what a FETCH would transfer).
        rank: the parser's preference (lower wins).
    """

    section: str
    ctype: str
    charset: str | None
    encoding: str
    size: int
    rank: int = 0

    @property
    def single(self) -> bool:
        return self.section == "TEXT"

    def ranges(self, limits: MailLimits = DEFAULT_LIMITS) -> tuple[tuple[int, int], ...] | None:
        """``None`` to fetch the whole part, else ``((0, head), (start, tail))`` partial ranges."""
        if self.ctype == "text/html":
            head, tail = HTML_HEAD, HTML_TAIL
        elif self.ctype == "raw":
            head, tail = RAW_HEAD, RAW_TAIL + RAW_TAIL_SLACK
        else:
            factor = 3 if self.encoding in ("quoted-printable", "base64") else 1
            head = limits.text_head_bytes * factor + 4096
            tail = limits.max_text_bytes * factor + 4096
        if self.size <= head + tail:
            return None
        return ((0, head), (self.size - tail, tail))

    def planned_bytes(self) -> int:
        r = self.ranges()
        return self.size if r is None else sum(n for _, n in r)


@attrs.frozen
class Plan:
    """What to fetch for one message besides its header block.

    Attributes:
        parts: the chosen text parts (best first), possibly empty.
        structured: False when BODYSTRUCTURE could not be read: then ``parts`` holds
            one ``raw`` pseudo-part for the whole body and the original header is kept.
    """

    parts: tuple[Part, ...]
    structured: bool = True


def _lower(token: Any) -> str:
    return token.decode("ascii", "replace").lower() if isinstance(token, bytes) else ""


def _params(token: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(token, list):
        for i in range(0, len(token) - 1, 2):
            k, v = token[i], token[i + 1]
            if isinstance(k, bytes) and isinstance(v, bytes):
                out.setdefault(k.decode("ascii", "replace").lower(), v.decode("utf-8", "replace"))
    return out


class _Walk:
    __slots__ = ("parts", "count", "limits", "broken")

    def __init__(self, limits: MailLimits) -> None:
        self.parts: list[Part] = []
        self.count = 0
        self.limits = limits
        self.broken = False


def _visit(w: _Walk, node: Any, section: str, depth: int, top: bool) -> None:
    """One entity; recursion is bounded by ``max_mime_depth`` (and the wire's nesting cap)."""
    if w.broken:
        return
    w.count += 1
    if w.count > w.limits.max_parts:
        return
    if isinstance(node, TooDeep) or not isinstance(node, list) or not node:
        w.broken = True
        return
    if isinstance(node[0], (list, TooDeep)):  # multipart
        if depth >= w.limits.max_mime_depth:
            return
        n = 0
        for child in node:
            if not isinstance(child, (list, TooDeep)):
                break
            n += 1
            _visit(w, child, f"{section}.{n}" if section else str(n), depth + 1, False)
        return
    if len(node) < 7:
        w.broken = True
        return
    ctype = f"{_lower(node[0])}/{_lower(node[1])}"
    if ctype not in ("text/plain", "text/html"):
        return
    params = _params(node[2])
    encoding = _lower(node[5]) or "7bit"
    size = as_int(node[6])
    if size is None:
        w.broken = True
        return
    disposition = node[9] if len(node) > 9 else None
    disp_type, disp_params = "", {}
    if isinstance(disposition, list) and disposition:
        disp_type = _lower(disposition[0])
        disp_params = _params(disposition[1]) if len(disposition) > 1 else {}
    if disp_type == "attachment":
        return
    named = "name" in params or "name*" in params or "filename" in disp_params or "filename*" in disp_params
    charset = params.get("charset")
    if charset is not None and not _CHARSET_OK.fullmatch(charset):
        charset = None
    rank = (0 if ctype == "text/plain" else 1) + (2 if named else 0)
    w.parts.append(Part(section="TEXT" if top else (section or "1"), ctype=ctype, charset=charset,
                        encoding=encoding, size=size, rank=rank))


def plan(bodystructure: Any, total_size: int | None = None, limits: MailLimits = DEFAULT_LIMITS) -> Plan:
    """The parts to fetch for a message with this BODYSTRUCTURE.

    The best part by the parser's ranking comes first; when it is a near-empty plain
    part, the best HTML part follows as the fallback the parser would use.  A missing,
    malformed or too-deep structure gives an unstructured plan (header + raw body head
    and tail, sized from ``total_size``).
    """
    w = _Walk(limits)
    _visit(w, bodystructure, "", 0, True)
    if w.broken:
        return Plan(parts=(Part(section="TEXT", ctype="raw", charset=None, encoding="7bit",
                                size=max(0, total_size or 0)),), structured=False)
    if not w.parts:
        return Plan(parts=())
    best = min(w.parts, key=lambda p: p.rank)  # min() keeps the first of equal ranks
    chosen = [best]
    if best.ctype == "text/plain" and best.size < TINY_PLAIN:
        html = [p for p in w.parts if p.ctype == "text/html"]
        if html:
            chosen.append(min(html, key=lambda p: p.rank))
    return Plan(parts=tuple(chosen))
