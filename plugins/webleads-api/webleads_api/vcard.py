"""A bounded, streaming vCard reader (RFC 2426 vCard 3.0, RFC 6350 vCard 4.0, and
the vCard 2.1 that phones and Outlook still write).

What address books do, and what this reader copes with:

- lines folded at 75 octets with a space or a tab (RFC 6350 3.2), sometimes in the
  middle of a UTF-8 sequence (folds are joined as bytes, then decoded);
- vCard 2.1 ``ENCODING=QUOTED-PRINTABLE`` values with ``=`` soft line breaks and a
  ``CHARSET`` parameter; ``ENCODING=b`` / ``BASE64`` values;
- bare 2.1 parameters (``TEL;WORK;FAX:``), ``TYPE=work,voice`` lists, quoted
  ``TYPE="work,voice"`` (4.0), RFC 6868 caret escapes, Apple's ``item1.`` groups
  with an ``X-ABLabel`` naming the type;
- ``ORG:Company;Unit;Sub-unit``, ``N:Family;Given;Middle;Prefix;Suffix``,
  ``ADR:;;Street;City;Region;Code;Country``, backslash escapes;
- files with a UTF-8 or UTF-16 byte order mark, CRLF or LF line ends.

Bounds (BAD_INPUTS): a physical line is read at most :data:`MAX_LINE` bytes at a
time; a logical (unfolded) line longer than that is dropped whole, without being
kept in memory, with the defect ``vcard.line_too_long``; a card keeps at most
:data:`MAX_PROPERTIES` properties.  Undecodable values degrade to replacement
characters (or a cp1252 reading) with a defect, and never raise.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import io
import re
from typing import BinaryIO, Iterator

import attrs

#: Longest logical line kept (a PHOTO is the usual big one, and is not needed).
MAX_LINE = 64 * 1024
#: Most properties, and most value characters, kept per card.
MAX_PROPERTIES = 1000
MAX_CARD_CHARS = 1024 * 1024
_READ = MAX_LINE + 2


@attrs.frozen
class Property:
    """One content line: ``group.NAME;params:value``.

    Attributes:
        name: upper-case property name (``TEL``).
        group: Apple-style group (``item1``), lower-case, or None.
        params: ``(NAME, value)`` pairs, names upper-case; bare 2.1 parameters are
            ``("TYPE", value)``; a ``TYPE=a,b`` list gives one pair per value.
        value: the decoded value, escapes still in place (components differ per property).
    """

    name: str
    group: str | None
    params: tuple[tuple[str, str], ...]
    value: str = attrs.field(repr=False)

    def param(self, key: str) -> list[str]:
        return [v for k, v in self.params if k == key]

    @property
    def types(self) -> set[str]:
        return {v.lower() for v in self.param("TYPE")}


@attrs.frozen
class Card:
    """One vCard: its properties in file order and the defects met reading it."""

    properties: tuple[Property, ...] = attrs.field(repr=False)
    defects: tuple[str, ...] = ()
    version: str | None = None

    def get(self, name: str) -> list[Property]:
        return [p for p in self.properties if p.name == name]

    def first(self, name: str) -> Property | None:
        for p in self.properties:
            if p.name == name:
                return p
        return None


# -- physical and logical lines ---------------------------------------------------


def _physical_lines(fh: BinaryIO) -> Iterator[tuple[bytes | None, bool]]:
    """``(line without its end, starts with a space or tab)``; the line is None when
    it is over the cap (its rest is skipped unread, in bounded chunks)."""
    while True:
        line = fh.readline(_READ)
        if not line:
            return
        folded = line[:1] in (b" ", b"\t")
        if len(line) >= _READ and not line.endswith(b"\n"):
            while True:
                more = fh.readline(_READ)
                if not more or more.endswith(b"\n"):
                    break
            yield None, folded
            continue
        yield line.rstrip(b"\r\n"), folded


def _is_qp_head(line: bytes) -> bool:
    head = line.split(b":", 1)[0].upper()
    return b"QUOTED-PRINTABLE" in head


def logical_lines(fh: BinaryIO, defects: list[str]) -> Iterator[bytes]:
    """Unfolded content lines.  Over-long ones are dropped (and reported in ``defects``)."""
    cur: bytearray | None = None
    dropping = False   # the current logical line went over MAX_LINE: discard its pieces
    is_qp = False      # the current logical line is quoted-printable
    qp_soft = False    # ... and ended with a soft line break "="
    for line, folded in _physical_lines(fh):
        open_line = cur is not None or dropping
        if open_line and (folded or qp_soft):
            if dropping:
                qp_soft = is_qp and line is not None and line.endswith(b"=")
                continue
            assert cur is not None
            if line is None:
                cur, dropping = None, True
                continue
            piece = line if qp_soft else line[1:]
            if qp_soft:
                del cur[-1]  # the soft break's "="
            if len(cur) + len(piece) > MAX_LINE:
                cur, dropping = None, True
                continue
            cur += piece
            qp_soft = is_qp and cur.endswith(b"=")
            continue
        if dropping:
            defects.append("vcard.line_too_long")
        elif cur is not None:
            yield bytes(cur)
        cur, dropping, is_qp, qp_soft = None, False, False, False
        if line is None:
            dropping = True
            continue
        cur = bytearray(line)
        is_qp = _is_qp_head(line)
        qp_soft = is_qp and line.endswith(b"=")
    if dropping:
        defects.append("vcard.line_too_long")
    elif cur is not None:
        yield bytes(cur)


# -- one content line -------------------------------------------------------------


def _split_unquoted(text: str, sep: str) -> list[str]:
    if '"' not in text:
        return text.split(sep)
    out, cur, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == sep and not quoted:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _caret(v: str) -> str:
    """RFC 6868 parameter value escapes."""
    if "^" not in v:
        return v
    return re.sub(r"\^(n|\^|')", lambda m: {"n": "\n", "^": "^", "'": '"'}[m.group(1)], v)


def _decode_text(raw: bytes, charset: str | None, defects: list[str]) -> str:
    if charset:
        try:
            codec = codecs.lookup(charset).name
        except LookupError:
            defects.append("vcard.charset_unknown")
            codec = "utf-8"
        else:
            if codec in ("utf-7",):  # never executed as an encoding of data we read
                codec = "utf-8"
        try:
            return raw.decode(codec)
        except (UnicodeDecodeError, LookupError):
            defects.append("vcard.charset_mismatch")
            return raw.decode(codec if codec != "utf-7" else "utf-8", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        defects.append("vcard.not_utf8")
        return raw.decode("cp1252", "replace")


def parse_property(line: bytes, defects: list[str]) -> Property | None:
    """One content line, or None when it is not one (a defect is recorded)."""
    # the name and parameters end at the first colon outside double quotes
    colon = line.find(b":", 0, 4096)
    if colon > 0 and b'"' in line[:colon]:
        quoted, colon = False, -1
        for i, b in enumerate(line[:4096]):
            if b == 0x22:
                quoted = not quoted
            elif b == 0x3A and not quoted:
                colon = i
                break
    if colon <= 0:
        defects.append("vcard.bad_line")
        return None
    head = line[:colon].decode("utf-8", "replace")
    raw_value = line[colon + 1:]
    parts = _split_unquoted(head, ";")
    name = parts[0].strip()
    group = None
    if "." in name:
        group, name = name.rsplit(".", 1)
        group = group.lower()
    name = name.upper()
    if not name or not re.fullmatch(r"[A-Z0-9-]{1,64}", name):
        defects.append("vcard.bad_name")
        return None
    params: list[tuple[str, str]] = []
    for p in parts[1:][:64]:
        p = p.strip()
        if not p:
            continue
        if "=" in p:
            k, v = p.split("=", 1)
            k = k.strip().upper()
        else:
            k, v = "TYPE", p  # vCard 2.1 bare parameter
        for one in _split_unquoted(v, ","):
            one = _caret(one.strip().strip('"'))
            if one:
                params.append((k, one))
    encoding = next((v.upper() for k, v in params if k == "ENCODING"), None)
    charset = next((v for k, v in params if k == "CHARSET"), None)
    if encoding in ("QUOTED-PRINTABLE", "QP"):
        try:
            raw_value = binascii.a2b_qp(raw_value)
        except (binascii.Error, ValueError):  # pragma: no cover - a2b_qp is lenient
            defects.append("vcard.bad_quoted_printable")
            return None
        if re.search(rb"=(?![0-9A-Fa-f]{2})", raw_value):
            defects.append("vcard.bad_quoted_printable")  # left as is, readably
    elif encoding in ("B", "BASE64"):
        if name in ("PHOTO", "LOGO", "SOUND", "KEY"):
            return None  # binary data is not contact data
        try:
            raw_value = base64.b64decode(b"".join(raw_value.split()), validate=False)
        except (binascii.Error, ValueError):
            defects.append("vcard.bad_base64")
            return None
    value = _decode_text(raw_value, charset, defects)
    return Property(name=name, group=group, params=tuple(params), value=value)


# -- cards --------------------------------------------------------------------------


def read_cards(fh: BinaryIO) -> Iterator[Card]:
    """Every top-level card of a vCard stream, in order.

    Nested cards (2.1 ``AGENT``) are skipped; a card that never ends is returned
    with the defect ``vcard.unterminated`` when it has properties.
    """
    fh = _utf8_stream(fh)
    defects: list[str] = []
    props: list[Property] | None = None
    depth = 0
    version = None
    size = 0
    for line in logical_lines(fh, defects):
        upper = line[:16].upper().strip()
        if upper == b"BEGIN:VCARD":
            depth += 1
            if depth == 1:
                props, version, size = [], None, 0
                defects.clear()  # what went wrong outside any card belongs to none
            continue
        if upper == b"END:VCARD":
            if depth == 1 and props is not None:
                card = Card(properties=tuple(props), defects=tuple(defects), version=version)
                props = None
                defects.clear()  # the same list: logical_lines appends to it
                yield card
            depth = max(0, depth - 1)
            continue
        if depth != 1 or props is None:
            continue  # outside any card, or inside a nested one
        if len(props) >= MAX_PROPERTIES:
            if "vcard.too_many_properties" not in defects:
                defects.append("vcard.too_many_properties")
            continue
        prop = parse_property(line, defects)
        if prop is None:
            continue
        if prop.name == "VERSION":
            version = prop.value.strip()[:8]
        size += len(prop.value)
        if size > MAX_CARD_CHARS:
            if "vcard.card_too_large" not in defects:
                defects.append("vcard.card_too_large")
            continue
        props.append(prop)
    if props:
        yield Card(properties=tuple(props), defects=tuple(defects) + ("vcard.unterminated",),
                   version=version)


def _utf8_stream(fh: BinaryIO) -> BinaryIO:
    """The stream itself, or a UTF-8 re-encoding of a UTF-16 file (found by its BOM);
    a UTF-8 BOM is skipped."""
    head = fh.read(4)
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        enc = "utf-16-le" if head[:2] == codecs.BOM_UTF16_LE else "utf-16-be"
        rest = head[2:]
        text = io.TextIOWrapper(_Prefixed(rest, fh), encoding=enc, errors="replace", newline="")
        return _Utf8Lines(text)
    if head[:3] == codecs.BOM_UTF8:
        return _Prefixed(head[3:], fh)  # type: ignore[return-value]
    return _Prefixed(head, fh)  # type: ignore[return-value]


class _Prefixed(io.RawIOBase):
    """A read-only stream: some bytes already read, then the rest of ``fh``."""

    def __init__(self, prefix: bytes, fh: BinaryIO) -> None:
        self._prefix = prefix
        self._fh = fh

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        if self._prefix:
            n = min(len(b), len(self._prefix))
            b[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._fh.read(len(b))
        n = len(data)
        b[:n] = data
        return n

    def readline(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        if self._prefix:
            if size is None or size < 0:
                size = 1 << 62
            i = self._prefix.find(b"\n")
            if 0 <= i < size:
                line, self._prefix = self._prefix[:i + 1], self._prefix[i + 1:]
                return line
            if len(self._prefix) >= size:
                line, self._prefix = self._prefix[:size], self._prefix[size:]
                return line
            line, self._prefix = self._prefix, b""
            return line + self._fh.readline(size - len(line))
        return self._fh.readline(size)


class _Utf8Lines:
    """Bounded ``readline`` over a text stream, giving UTF-8 bytes."""

    def __init__(self, text: io.TextIOBase) -> None:
        self._text = text

    def readline(self, size: int = -1) -> bytes:
        # characters are at most 4 UTF-8 bytes: read a quarter, stay under the cap
        line = self._text.readline(max(1, size // 4) if size and size > 0 else -1)
        return line.encode("utf-8", "replace")

    def read(self, size: int = -1) -> bytes:
        return self._text.read(size).encode("utf-8", "replace")


# -- values ---------------------------------------------------------------------------


def unescape(value: str) -> str:
    """Backslash escapes of text values (``\\n``, ``\\,``, ``\\;``, ``\\\\``)."""
    if "\\" not in value:
        return value
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def components(value: str) -> list[str]:
    """A structured value split at unescaped semicolons, each part unescaped."""
    out, cur, i = [], [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            cur.append(value[i:i + 2])
            i += 2
            continue
        if ch == ";":
            out.append(unescape("".join(cur)))
            cur = []
        else:
            cur.append(ch)
        i += 1
    out.append(unescape("".join(cur)))
    return out


def list_values(value: str) -> list[str]:
    """A text-list value (``CATEGORIES``, ``NICKNAME``) split at unescaped commas."""
    return [unescape(p) for p in re.split(r"(?<!\\),", value)]
