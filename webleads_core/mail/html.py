"""HTML to text with line breaks kept, in bounded time.

lxml's HTML parser (libxml2) is linear on the inputs that take html5lib seconds
(BAD_INPUTS #19, #20) and stops building the tree at depth 256 without
``huge_tree``, so 20,000 nested ``<div>`` cost well under a millisecond.  The parser
loads no DTD and touches no network (``no_network``); libxml2's HTML parser knows only
the predefined HTML entities and never resolves external ones (``HTMLParser`` has no
``resolve_entities`` switch: there is nothing to resolve).  html5lib is never used.

Block elements become line breaks, ``<br>`` a hard line break, table cells a space;
``<script>``, ``<style>``, ``<head>`` and friends are dropped; whitespace is collapsed
inside lines and runs of blank lines are reduced to one.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from webleads_core.mail.limits import DEFAULT_LIMITS

__all__ = ["html_to_text", "sniff_html_charset"]

BLOCK_TAGS: tuple[str, ...] = (
    "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote",
    "ul", "ol", "dl", "dt", "dd", "hr", "pre", "address", "center", "section", "article",
    "header", "footer", "aside", "nav", "main", "figure", "figcaption", "form",
    "fieldset", "legend", "caption", "tbody", "thead", "tfoot", "details", "summary",
    "body", "html",
)
DROP_TAGS: tuple[str, ...] = (
    "script", "style", "head", "title", "noscript", "template", "object", "embed",
    "iframe", "svg", "math", "select", "option", "button",
)
_SOFT = "\ue000"  # private-use markers: a block boundary, a <br>
_HARD = "\ue001"
_MARKERS_UTF8 = (_SOFT.encode("utf-8"), _HARD.encode("utf-8"))

# Every pattern starts with a fixed character or class, so the regex engine skips
# ordinary text quickly; single spaces are left alone.
_HTML_WS = re.compile(r"[ \t\n\r\f\v]{2,100000}|[\t\n\r\f\v]")
# A run of spaces and markers becomes max(1, number of <br>) newlines: block markers and
# spaces around each <br> marker are absorbed into it, then each remaining run of block
# markers becomes one newline.
_HARD_THEN = re.compile(f"{_HARD}[ {_SOFT}]{{1,100000}}")
_SOFT_BEFORE_HARD = re.compile(f"{_SOFT}[ {_SOFT}]{{0,100000}}{_HARD}")
_SOFT_RUN = re.compile(f"{_SOFT}[ {_SOFT}]{{0,100000}}")
_ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]{1,100000}")
_SPACE_RUN = re.compile(r"  {1,100000}")
_BLANK_RUNS = re.compile(r"\n{3,100000}")
_DROP_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200b\u2060\ufeff\ue000-\ue001]")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,512}?charset\s{0,8}=\s{0,8}["']?\s{0,8}([A-Za-z0-9._:+-]{1,40})""", re.IGNORECASE)

_C0_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]{1,100000}")

_local = threading.local()


def _parser() -> etree.HTMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.HTMLParser(
            encoding="utf-8",
            no_network=True,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            recover=True,
            collect_ids=False,
            default_doctype=False,
            remove_blank_text=False,
        )
        _local.parser = parser
    return parser


def sniff_html_charset(data: bytes) -> str | None:
    """The charset a ``<meta>`` in the first 4 KiB declares, if any."""
    m = _META_CHARSET.search(data, 0, 4096)
    return m.group(1).decode("ascii") if m else None


def _to_utf8(html: bytes | str) -> bytes:
    from webleads_core.mail.addresses import decode_bytes

    if isinstance(html, str):
        return html.encode("utf-8", "replace")
    data = bytes(html)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace").encode("utf-8", "replace")
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    return decode_bytes(data, sniff_html_charset(data), []).encode("utf-8", "replace")


def _cap(data: bytes, max_bytes: int) -> bytes:
    """Keep the first quarter and the last three quarters of the budget: an HTML mail's
    own text and signature are at the top, the signature of a long thread at the end."""
    if len(data) <= max_bytes:
        return data
    head_n = max_bytes // 4
    head = data[:head_n]
    while head and (head[-1] & 0xC0) == 0x80:  # don't cut a utf-8 character
        head = head[:-1]
    lt = head.rfind(b"<")
    if lt > head.rfind(b">"):
        head = head[:lt]  # don't leave half a tag
    tail = data[len(data) - (max_bytes - head_n) :]
    gt = tail.find(b">", 0, 4096)
    if gt != -1 and (tail.find(b"<", 0, gt) == -1):
        tail = tail[gt + 1 :]
    else:
        i = 0
        while i < len(tail) and (tail[i] & 0xC0) == 0x80:
            i += 1
        tail = tail[i:]
    return head + b"\n<br>\n" + tail


def html_to_text(html: bytes | str, max_bytes: int = DEFAULT_LIMITS.max_html_bytes) -> str:
    """Visible text of an HTML document or fragment, one line per block; never raises.

    ``bytes`` are decoded from a BOM, as utf-8 when valid, else from a ``<meta>``
    charset (falling back to windows-1252).  Input over ``max_bytes`` (as utf-8) keeps
    its head and tail.
    """
    if not html:
        return ""
    data = _to_utf8(html)
    for marker in _MARKERS_UTF8:
        if marker in data:
            data = data.replace(marker, b"")
    data = _cap(data, max_bytes)
    if _C0_BYTES.search(data):
        data = _C0_BYTES.sub(b"", data)  # libxml2 drops the whole document on one of these
    if not data.strip():
        return ""
    try:
        root = etree.fromstring(data, _parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, TypeError):
        return ""
    if root is None:
        return ""
    try:
        return _tree_text(root)
    except (ValueError, TypeError):  # lxml refuses odd characters on assignment
        return ""


def _tree_text(root: etree._Element) -> str:
    etree.strip_elements(root, *DROP_TAGS, with_tail=False)
    for pre in root.iter("pre", "textarea", "plaintext", "xmp", "listing"):
        for node in pre.iter():
            if node.text and "\n" in node.text:
                node.text = node.text.replace("\n", _HARD)
            if node is not pre and node.tail and "\n" in node.tail:
                node.tail = node.tail.replace("\n", _HARD)
    for el in root.iter(*BLOCK_TAGS):
        el.text = _SOFT + el.text if el.text else _SOFT
        el.tail = _SOFT + el.tail if el.tail else _SOFT
    for el in root.iter("br"):
        el.tail = _HARD + el.tail if el.tail else _HARD
    for el in root.iter("td", "th"):
        el.tail = " " + el.tail if el.tail else " "
    text = "".join(root.itertext())
    text = _HTML_WS.sub(" ", text)
    text = _HARD_THEN.sub(_HARD, text)
    text = _SOFT_BEFORE_HARD.sub(_HARD, text)
    text = _SOFT_RUN.sub("\n", text)
    text = text.replace(_HARD, "\n")
    text = _DROP_CHARS.sub("", text)
    text = _ODD_SPACES.sub(" ", text)  # after the breaks: an &nbsp; line stays a blank line
    text = _SPACE_RUN.sub(" ", text)
    text = text.replace(" \n", "\n").replace("\n ", "\n")
    text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip("\n ")
