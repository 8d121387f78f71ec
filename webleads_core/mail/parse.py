"""RFC 822 / MIME parsing shared by every mail source, safe on hostile input.

Nothing here hands untrusted bytes to ``email``'s parsers.  ``policy.default`` is
super-linear on hostile headers and recurses on deep MIME trees, and even ``compat32``'s
feed parser splits the whole body into line objects (a 30 MB body costs hundreds of MB
and seconds).  So this module:

1. finds the end of the header block itself (first blank line) and rejects the item
   when it is over ``max_header_bytes``, before the body is looked at;
2. splits that capped block into fields with a few lines of code (unfolding, an
   ``mbox`` ``From `` line, a field-name check); header values are bytes decoded as
   utf-8, with replacement and ``header.8bit`` when they are not;
3. walks the MIME tree on the raw bytes with ``bytes.find`` for boundaries, no copies
   of the body, at most ``max_mime_depth`` levels (the recursion is bounded by it) and
   ``max_parts`` entities, and remembers the best text part by position;
4. decodes only the chosen text part, and only its head and tail when it is large
   (``max_text_bytes`` + ``text_head_bytes``), so a 30 MB body or a 25 MB attachment
   costs a few ``find`` calls.

Errors a hostile item can provoke (``RecursionError``, ``LookupError``,
``UnicodeDecodeError``) cannot happen by construction; the items that cannot be parsed
at all raise :class:`~webleads_core.errors.ItemRejected` with a ``mail.*`` reason.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

from webleads_core.errors import ItemRejected
from webleads_core.mail.addresses import (
    decode_bytes,
    decode_encoded_words,
    parse_address_header,
    sanitize_field,
)
from webleads_core.mail.automated import is_automated, is_role_address
from webleads_core.mail.html import html_to_text, sniff_html_charset
from webleads_core.mail.limits import DEFAULT_LIMITS, MailLimits
from webleads_core.records import HeaderContact, ParsedMessage
from webleads_core.text.dates import parse_header_date

__all__ = ["parse_message", "parse_content_type", "split_headers"]

STAGE = "parse"

#: Address headers read from the top-level header block, and the role of their contacts.
ADDRESS_HEADERS: tuple[tuple[str, str], ...] = (
    ("from", "sender"),
    ("reply-to", "sender"),
    ("sender", "sender"),
    ("to", "recipient"),
    ("cc", "recipient"),
)
#: At least one of these must be present for bytes to count as an email.
MAIL_HEADERS = frozenset(
    {
        "from", "to", "cc", "bcc", "date", "subject", "message-id", "received", "return-path",
        "mime-version", "content-type", "sender", "reply-to", "delivered-to", "in-reply-to",
        "references", "x-mailer", "user-agent", "envelope-to", "x-original-to",
    }
)

# A field and its continuation lines; "[^\n]" and "\n[ \t]" cannot overlap, so matching
# is linear.
# The lookbehind and the possessive quantifiers keep even a search() over hostile text
# linear (no restart inside a run of name characters, no backtracking).
_FIELD = re.compile(
    rb"(?<![\x21-\x39\x3b-\x7e])([\x21-\x39\x3b-\x7e]{1,128}+)[ \t]{0,64}+:"
    rb"([^\n]{0,1000000}+(?:\n[ \t][^\n]{0,1000000}+){0,1000000}+)(?:\n|\Z)"
)
_MSGID_BAD = re.compile(r"[\x00-\x20\x7f]")
_BLANK_LINE = re.compile(rb"\n\r?\n")
_LEADING_SPACE = re.compile(rb"[\r\n]{0,4096}")
_MULTIPART_FIRST_DELIM = re.compile(rb"^--([^\s]{1,200})[ \t]{0,64}\r?$", re.MULTILINE)
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]{1,1000000}")
_BASE64_JUNK = re.compile(rb"[^A-Za-z0-9+/=\s]")
_NOT_BASE64_PAD = re.compile(rb"[^A-Za-z0-9+/=]{1,1000000}")
_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]")
_PARAM = re.compile(
    r"""\s{0,64};\s{0,64}([^\s=;"]{1,128})\s{0,64}(?:=\s{0,64}(?:"((?:[^"\\]|\\.){0,4096})"|([^\s;"]{0,4096})))?""",
    re.DOTALL,
)
_MSGID = re.compile(r"<([^<>\s]{1,900})>")
_MSGID_BARE = re.compile(r"[^<>\s]{1,900}")


class _Defects(list):
    """Ordered defect codes, each once."""

    def add(self, code: str) -> None:
        if code not in self:
            self.append(code)

    def merge(self, codes: Iterable[str]) -> None:
        for c in codes:
            self.add(c)


# ----------------------------------------------------------------------------- headers


def split_headers(
    block: bytes,
) -> tuple[list[tuple[str, bytes]], int, bool]:
    """Split a header block (no terminating blank line) into ``(name, raw value)`` fields.

    Names are lower-case; values are unfolded (CR LF before white space removed) and
    stripped.  Reading stops at the first line that is neither a field nor a
    continuation: returns the fields, the offset where that line starts (the body
    starts there) or ``len(block)``, and whether such a line was found.  Continuation
    lines before the first field are skipped.
    """
    fields: list[tuple[str, bytes]] = []
    pos = 0
    n = len(block)
    match = _FIELD.match
    while pos < n:
        m = match(block, pos)
        if m is None:
            nl = block.find(b"\n", pos)
            line = block[pos : n if nl < 0 else nl]
            if not fields and line[:1] in (b" ", b"\t"):
                pos = n if nl < 0 else nl + 1  # continuation with nothing to continue
                continue
            if not line.strip(b"\r") and nl < 0:
                break  # trailing empty remainder
            return fields, pos, True
        value = m.group(2)
        if b"\n" in value:
            value = value.replace(b"\r\n", b"").replace(b"\n", b"")
        fields.append((m.group(1).decode("ascii").lower(), value.strip()))
        pos = m.end()
    return fields, n, False


def _header_text(raw: bytes, defects: _Defects) -> str:
    if raw.isascii():
        return raw.decode("ascii")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        defects.add("header.8bit")
        return raw.decode("utf-8", "replace")


def parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """``("type/subtype", params)`` of a Content-Type (or Content-Disposition) value.

    The type is lower-case, parameter names lower-case, values unquoted.  A value
    without ``/`` gives its first token as the type (callers default it).
    """
    value = value[:8192]
    semi = value.find(";")
    head = (value if semi == -1 else value[:semi]).strip().lower()
    params: dict[str, str] = {}
    if semi != -1:
        for m in _PARAM.finditer(value, semi):
            key = m.group(1).lower()
            if m.group(2) is not None:
                val = re.sub(r"\\(.)", r"\1", m.group(2))
            else:
                val = m.group(3) or ""
            params.setdefault(key, val)
    return "".join(head.split()), params


# --------------------------------------------------------------------------------- MIME


class _Candidate:
    __slots__ = ("rank", "ctype", "charset", "cte", "start", "end")

    def __init__(self, rank: int, ctype: str, charset: str | None, cte: str, start: int, end: int) -> None:
        self.rank = rank
        self.ctype = ctype
        self.charset = charset
        self.cte = cte
        self.start = start
        self.end = end


class _Walk:
    __slots__ = ("buf", "limits", "defects", "parts", "stopped", "best", "fallback_html")

    def __init__(self, buf: bytes, limits: MailLimits, defects: _Defects) -> None:
        self.buf = buf
        self.limits = limits
        self.defects = defects
        self.parts = 0
        self.stopped = False
        self.best: _Candidate | None = None
        self.fallback_html: _Candidate | None = None

    def offer(self, cand: _Candidate) -> None:
        if self.best is None or cand.rank < self.best.rank:
            self.best = cand
        if cand.ctype == "text/html" and (
            self.fallback_html is None or cand.rank < self.fallback_html.rank
        ):
            self.fallback_html = cand


def _find_delimiter(buf: bytes, delim: bytes, container_start: int, pos: int, end: int) -> tuple[int, int, bool] | None:
    """Next ``--boundary`` line in ``buf[pos:end]``: (line start, after the line, closing?)."""
    dl = len(delim)
    while True:
        p = buf.find(delim, pos, end)
        if p < 0:
            return None
        if p == container_start or buf[p - 1] == 0x0A:
            q = p + dl
            if buf.startswith(b"--", q, end):
                nl = buf.find(b"\n", q, end)
                return p, (end if nl < 0 else nl + 1), True
            # only transport padding (spaces, tabs) may follow, up to the line end
            nl = buf.find(b"\n", q, min(end, q + 1026))
            stop = end if nl < 0 and end - q <= 1025 else nl
            if stop >= 0 and not buf[q:stop].rstrip(b"\r").strip(b" \t"):
                return p, (end if nl < 0 else nl + 1), False
        pos = p + 1


def _part_end(buf: bytes, start: int, delim_pos: int) -> int:
    """The CRLF before a delimiter line belongs to the delimiter."""
    e = delim_pos
    if e > start and buf[e - 1] == 0x0A:
        e -= 1
        if e > start and buf[e - 1] == 0x0D:
            e -= 1
    return e


def _iter_parts(w: _Walk, start: int, end: int, boundary: bytes) -> Iterator[tuple[int, int]] | None:
    """Spans of the body parts of a multipart entity, or None if the boundary never occurs."""
    buf = w.buf
    delim = b"--" + boundary
    first = _find_delimiter(buf, delim, start, start, end)
    if first is None:
        return None

    def gen() -> Iterator[tuple[int, int]]:
        _, after, close = first
        while not close:
            nxt = _find_delimiter(buf, delim, start, after, end)
            if nxt is None:
                w.defects.add("mime.boundary_unclosed")
                yield after, end
                return
            yield after, _part_end(buf, after, nxt[0])
            _, after, close = nxt

    return gen()


def _guess_boundary(buf: bytes, start: int, end: int) -> bytes | None:
    m = _MULTIPART_FIRST_DELIM.search(buf, start, min(end, start + 8192))
    if m is None:
        return None
    b = m.group(1)
    return b[:-2] if b.endswith(b"--") else b


def _entity_headers(
    w: _Walk, start: int, end: int
) -> tuple[list[tuple[str, bytes]], int] | None:
    """Headers of a body part in ``buf[start:end]`` and where its body starts."""
    buf = w.buf
    cap = w.limits.max_part_header_bytes
    if buf.startswith(b"\n", start, end):
        return [], start + 1
    if buf.startswith(b"\r\n", start, end):
        return [], start + 2
    limit = min(end, start + cap + 2)
    m = _BLANK_LINE.search(buf, start, limit)
    if m is not None:
        block = buf[start : m.start()]
        fields, off, stopped = split_headers(block)
        return fields, (start + off if stopped else m.end())
    if end - start > cap:
        block = buf[start : start + cap]
        fields, off, stopped = split_headers(block)
        if not stopped:
            return None
        return fields, start + off
    fields, off, stopped = split_headers(buf[start:end])
    return fields, start + off


def _first(fields: list[tuple[str, bytes]], name: str) -> bytes | None:
    for k, v in fields:
        if k == name:
            return v
    return None


def _walk(
    w: _Walk,
    start: int,
    end: int,
    fields: list[tuple[str, bytes]],
    depth: int,
    default_type: str = "text/plain",
) -> None:
    """Visit one entity; recursion depth is bounded by ``max_mime_depth``."""
    if w.stopped:
        return
    w.parts += 1
    if w.parts > w.limits.max_parts:
        w.defects.add("mime.part_cap")
        w.stopped = True
        return
    defects = w.defects
    ct_raw = _first(fields, "content-type")
    ctype, params = default_type, {}
    if ct_raw is not None:
        parsed, params = parse_content_type(_header_text(ct_raw, defects))
        if "/" in parsed and len(parsed) <= 128:
            ctype = parsed
        else:
            defects.add("mime.content_type_invalid")
            params = {}
    cte_raw = _first(fields, "content-transfer-encoding")
    cte = _header_text(cte_raw, defects).strip().lower()[:64] if cte_raw else "7bit"

    if ctype.startswith("multipart/"):
        if depth >= w.limits.max_mime_depth:
            defects.add("mime.depth_cap")
            return
        boundary_s = params.get("boundary", "")
        boundary = boundary_s.encode("utf-8", "replace") if 0 < len(boundary_s) <= 200 else None
        spans = _iter_parts(w, start, end, boundary) if boundary else None
        if spans is None:
            defects.add("mime.boundary_missing")
            guessed = _guess_boundary(w.buf, start, end)
            if guessed is not None and guessed != boundary:
                spans = _iter_parts(w, start, end, guessed)
        if spans is None:
            # no structure to follow: treat the body as one plain-text part
            w.offer(_Candidate(6, "text/plain", params.get("charset"), cte, start, end))
            return
        child_default = "message/rfc822" if ctype == "multipart/digest" else "text/plain"
        for pstart, pend in spans:
            if w.stopped:
                break
            got = _entity_headers(w, pstart, pend)
            if got is None:
                defects.add("mime.part_header_too_large")
                w.parts += 1
                if w.parts > w.limits.max_parts:
                    defects.add("mime.part_cap")
                    w.stopped = True
                continue
            pfields, body_start = got
            _walk(w, body_start, pend, pfields, depth + 1, child_default)
        return

    if ctype not in ("text/plain", "text/html"):
        return
    disp_raw = _first(fields, "content-disposition")
    disposition, dparams = ("", {})
    if disp_raw is not None:
        disposition, dparams = parse_content_type(_header_text(disp_raw, defects))
    if disposition == "attachment":
        return
    named = "filename" in dparams or "name" in params or "filename*" in dparams or "name*" in params
    rank = (0 if ctype == "text/plain" else 1) + (2 if named else 0)
    w.offer(_Candidate(rank, ctype, params.get("charset"), cte, start, end))


# ----------------------------------------------------------------------------- decoding


def _transfer_decode(data: bytes, cte: str, defects: _Defects) -> bytes:
    if cte == "base64":
        if _BASE64_JUNK.search(data):
            defects.add("mime.base64_invalid")  # a2b_base64 skips such bytes
        try:
            return binascii.a2b_base64(data)
        except (binascii.Error, ValueError):
            defects.add("mime.base64_invalid")
            clean = _NOT_BASE64.sub(b"", data)
            rem = len(clean) % 4
            if rem == 1:
                clean = clean[:-1]
            elif rem:
                clean += b"=" * (4 - rem)
            try:
                return binascii.a2b_base64(clean)
            except (binascii.Error, ValueError):
                return b""
    if cte == "quoted-printable":
        return binascii.a2b_qp(data)
    if cte not in ("7bit", "8bit", "binary", ""):
        defects.add("mime.cte_unknown")
    return data


def _align_base64(seg: bytes, from_end: bool) -> bytes:
    """A base64 slice cut at 4-character group boundaries (padding counts)."""
    clean = _NOT_BASE64_PAD.sub(b"", seg)
    rem = len(clean) % 4
    if not rem:
        return clean
    return clean[rem:] if from_end else clean[: len(clean) - rem]


def _decoded_slices(w: _Walk, cand: _Candidate, head_n: int, tail_n: int) -> tuple[bytes, bytes | None]:
    """Transfer-decoded bytes of a part: all of it, or its head and tail when it is
    much larger than what will be kept (the middle is never decoded)."""
    buf, start, end = w.buf, cand.start, cand.end
    factor = 3 if cand.cte in ("quoted-printable", "base64") else 1
    head_enc = head_n * factor + 4096
    tail_enc = tail_n * factor + 4096
    if end - start <= head_enc + tail_enc:
        return _transfer_decode(buf[start:end], cand.cte, w.defects), None
    w.defects.add("text.truncated")
    head = buf[start : start + head_enc]
    nl = head.rfind(b"\n")
    if nl > 0:
        head = head[:nl]
    tail = buf[end - tail_enc : end]
    nl = tail.find(b"\n")
    if 0 <= nl < len(tail) - 1:
        tail = tail[nl + 1 :]
    if cand.cte == "base64":
        head, tail = _align_base64(head, False), _align_base64(tail, True)
    return (
        _transfer_decode(head, cand.cte, w.defects),
        _transfer_decode(tail, cand.cte, w.defects),
    )


def _clean_text(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _TEXT_CONTROLS.sub("", text)


def _cap_text(text: str, head_n: int, tail_n: int, defects: _Defects) -> str:
    if len(text) <= head_n + tail_n:
        return text
    defects.add("text.truncated")
    head = text[:head_n]
    nl = head.rfind("\n")
    if nl > head_n // 2:
        head = head[:nl]
    tail = text[len(text) - tail_n :]
    nl = tail.find("\n")
    if 0 <= nl < tail_n // 2:
        tail = tail[nl + 1 :]
    return head.rstrip("\n") + "\n\n" + tail.lstrip("\n")


def _candidate_text(w: _Walk, cand: _Candidate) -> str:
    limits = w.limits
    head_n, tail_n = limits.text_head_bytes, limits.max_text_bytes
    if cand.ctype == "text/html":
        quarter = limits.max_html_bytes // 4
        head, tail = _decoded_slices(w, cand, quarter, limits.max_html_bytes - quarter)
        data = head if tail is None else head + b"\n<br>\n" + tail
        charset = cand.charset or sniff_html_charset(data)
        html = decode_bytes(data, charset, w.defects)
        text = html_to_text(html, limits.max_html_bytes)
    else:
        head, tail = _decoded_slices(w, cand, head_n, tail_n)
        text = decode_bytes(head, cand.charset, w.defects)
        if tail is not None:
            text = text + "\n\n" + decode_bytes(tail, cand.charset, w.defects)
    return _cap_text(_clean_text(text), head_n, tail_n, w.defects)


# ------------------------------------------------------------------------------ message


def _reject(reason: str, message: str) -> ItemRejected:
    return ItemRejected(reason, message, stage=STAGE)


def _top_headers(raw: bytes, limits: MailLimits) -> tuple[list[tuple[str, bytes]], int, bool]:
    """Fields of the top-level header block, where the body starts, and whether a
    header line was malformed.  Rejects the item when the block is over the cap."""
    n = len(raw)
    start = _LEADING_SPACE.match(raw).end()
    if raw.startswith(b"From ", start):  # mbox separator line
        nl = raw.find(b"\n", start, start + limits.max_header_bytes)
        if nl < 0:
            raise _reject("mail.header_too_large", "mbox From line over the header cap")
        start = nl + 1
    cap = limits.max_header_bytes
    m = _BLANK_LINE.search(raw, start, min(n, start + cap + 2))
    if m is not None:
        fields, off, stopped = split_headers(raw[start : m.start()])
        return fields, (start + off if stopped else m.end()), stopped
    if n - start > cap:
        fields, off, stopped = split_headers(raw[start : start + cap])
        if not stopped:
            raise _reject(
                "mail.header_too_large", f"header block over {cap} bytes"
            )
        return fields, start + off, True
    fields, off, stopped = split_headers(raw[start:])
    return fields, start + off, stopped


_ADDRESS_CACHE_MAX_LEN = 1000  # longer values are parsed every time: the cache's memory stays bounded


@lru_cache(maxsize=4096)
def _addresses_cached(text: str, limits: MailLimits) -> tuple[tuple[tuple[str | None, str], ...], tuple[str, ...]]:
    pairs, found = parse_address_header(text, limits)
    return tuple(pairs), tuple(found)


def _addresses(text: str, limits: MailLimits) -> tuple[Sequence[tuple[str | None, str]], Sequence[str]]:
    """:func:`parse_address_header`, remembered for short values: a mailbox repeats the same
    ``From:``/``To:`` values message after message (7 in 10 calls on the spamassassin corpus)."""
    if len(text) > _ADDRESS_CACHE_MAX_LEN:
        return parse_address_header(text, limits)
    return _addresses_cached(text, limits)


def _contacts(
    values: dict[str, list[bytes]], limits: MailLimits, defects: _Defects
) -> list[HeaderContact]:
    contacts: list[HeaderContact] = []
    seen: set[tuple[str, str]] = set()
    for header, role in ADDRESS_HEADERS:
        raws = values.get(header, [])
        if header == "from":
            if not raws:
                defects.add("header.from_missing")
            elif len(raws) > 1:
                defects.add("header.from_duplicate")
            if any(len(r) > limits.max_header_value for r in raws):
                raise _reject("mail.from_too_large", f"From header over {limits.max_header_value} bytes")
        elif len(raws) > 1 and header in ("reply-to", "sender"):
            defects.add(f"header.{header}_duplicate")
        chosen: list[tuple[str | None, str]] = []
        for raw in raws:
            text = _header_text(raw, defects)
            pairs, found = _addresses(text, limits)
            defects.merge(found)
            if header in ("to", "cc"):
                chosen.extend(pairs)  # several To: headers add up
                continue
            if pairs:
                chosen = list(pairs)  # first valid one wins
                break
        if header == "from" and raws and not chosen:
            defects.add("header.from_invalid")
        for name, email in chosen[: limits.max_addresses]:
            key = (header, email.lower())
            if key in seen:
                continue
            seen.add(key)
            contacts.append(
                HeaderContact(
                    email=email,
                    name=name,
                    header=header,
                    role=role,
                    kind="role" if is_role_address(email) else "person",
                    message=0,
                )
            )
    return contacts


def _message_id(raw: bytes | None, defects: _Defects) -> str | None:
    if raw is None:
        return None
    text = _header_text(raw[:2048], defects)
    m = _MSGID.search(text)
    if m is None:
        m = _MSGID_BARE.search(text)
    if m is None:
        defects.add("header.message_id_invalid")
        return None
    value = m.group(1) if m.re is _MSGID else m.group()
    if _MSGID_BAD.search(value):
        defects.add("header.message_id_invalid")
        return None
    return value


def parse_message(raw: bytes, limits: MailLimits | None = None) -> ParsedMessage:
    """Parse one raw RFC 822 message into header contacts, text and metadata.

    Raises :class:`ItemRejected` (stage ``parse``) with reason ``mail.empty``,
    ``mail.not_email``, ``mail.header_too_large`` or ``mail.from_too_large``; everything
    else odd is recorded in ``defects`` and parsing goes on.
    """
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        raise TypeError(f"parse_message() needs bytes, not {type(raw).__name__}")
    limits = limits or DEFAULT_LIMITS
    raw = bytes(raw) if not isinstance(raw, bytes) else raw
    defects = _Defects()
    if not raw or not raw[:4096].strip() and not raw.strip():
        raise _reject("mail.empty", "empty message")
    if len(raw) > limits.max_message_bytes:
        half = limits.max_message_bytes // 2
        raw = raw[:half] + b"\n" + raw[len(raw) - half :]
        defects.add("message.truncated")

    fields, body_start, malformed = _top_headers(raw, limits)
    if not fields:
        raise _reject("mail.not_email", "no header fields")
    values: dict[str, list[bytes]] = {}
    for name, value in fields:
        values.setdefault(name, []).append(value)
    if not MAIL_HEADERS.intersection(values):
        raise _reject("mail.not_email", "no mail header fields")
    if malformed:
        defects.add("header.malformed")

    contacts = _contacts(values, limits, defects)

    subject = ""
    if "subject" in values:
        sraw = values["subject"][0]
        if len(sraw) > limits.max_header_value:
            sraw = sraw[: limits.max_header_value]
            defects.add("header.truncated")
        found: list[str] = []
        subject = sanitize_field(decode_encoded_words(_header_text(sraw, defects), found), 1024)
        defects.merge(found)

    sent_at = None
    if "date" in values:
        found = []
        sent_at = parse_header_date(_header_text(values["date"][0][:512], defects), found)
        defects.merge(found)
    else:
        defects.add("header.date_missing")

    message_id = _message_id(values.get("message-id", [None])[0], defects)

    small = {
        name: [_header_text(v[:4096], defects) for v in vals]
        for name, vals in values.items()
        if name in _AUTOMATION_HEADERS
    }
    from_emails = [c.email for c in contacts if c.header == "from"]
    automated = is_automated(small, from_emails=from_emails)

    walk = _Walk(raw, limits, defects)
    _walk(walk, body_start, len(raw), fields, 0)
    text = ""
    if walk.best is not None:
        text = _candidate_text(walk, walk.best)
        if not text.strip() and walk.fallback_html is not None and walk.fallback_html is not walk.best:
            text = _candidate_text(walk, walk.fallback_html)

    return ParsedMessage(
        contacts=tuple(contacts),
        text=text,
        subject=subject,
        sent_at=sent_at,
        message_id=message_id,
        defects=tuple(defects),
        automated=automated,
    )


_AUTOMATION_HEADERS = frozenset(
    {
        "from", "list-unsubscribe", "list-id", "list-post", "list-help", "precedence",
        "auto-submitted", "x-autoreply", "x-autorespond", "x-autogenerated", "return-path",
    }
)
