"""Bytes of a page to an lxml tree, in bounded time and memory.

- At most :data:`MAX_PAGE_BYTES` (2 MiB) of a page are parsed; the rest is dropped and
  the defect ``page.truncated`` recorded (BAD_INPUTS #23).
- Decoding follows the HTML prescan: a BOM wins, then a ``<meta charset>`` in the first
  4 KiB, else UTF-8.  A meta that claims UTF-16/UTF-32 is read as UTF-8 (the HTML
  standard's rule: a page whose markup could be prescanned is ASCII-compatible), unknown
  or unsafe codecs (``utf-7``) become UTF-8, and invalid bytes become U+FFFD (#24).
- The parser is lxml's libxml2 HTML parser with network access off and its nesting
  limit on (20,000 nested ``<div>`` parse in well under a millisecond, #20); its HTML
  mode never loads external entities or expands a DTD's internal entities (#21, #22).
  html5lib took 9.8 s on 9 KB of crafted markup (#19) and is never used here.
"""

from __future__ import annotations

import codecs
import re

import lxml.etree
import lxml.html

MAX_PAGE_BYTES = 2 * 1024 * 1024
_META_CHARSET = re.compile(rb"""<meta[^>]{0,512}?charset\s{0,4}=\s{0,4}["']?\s{0,4}([A-Za-z0-9_.:-]{1,40})""", re.I)
_XML_DECL = re.compile(r"^\s{0,64}<\?xml[^>]{0,256}\?>")
_XML_ENCODING = re.compile(rb"""^\s{0,64}<\?xml[^>]{0,200}?encoding\s{0,4}=\s{0,4}["']([A-Za-z0-9_.:-]{1,40})["']""")
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_UNSAFE = {"utf-7", "utf7", "x-user-defined"}
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))

_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True,
                               huge_tree=False, default_doctype=False)


def sniff_charset(raw: bytes) -> tuple[str, int]:
    """``(codec name, bytes to skip)`` for a page: a BOM, then an XML declaration's
    encoding (XHTML), then the meta prescan, else UTF-8.  A crawler that knows the HTTP
    ``charset`` re-encodes the page as UTF-8 with a BOM first (the BOM outranks the
    header, which outranks the meta, as in the HTML standard)."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name, len(bom)
    m = _XML_ENCODING.match(raw[:512]) or _META_CHARSET.search(raw[:4096])
    if m:
        label = m.group(1).decode("ascii", "replace").lower()
        try:
            name = codecs.lookup(label).name
        except LookupError:
            return "utf-8", 0
        if name.startswith(("utf-16", "utf-32")) or name in _UNSAFE or label in _UNSAFE:
            return "utf-8", 0
        return name, 0
    return "utf-8", 0


def decode_page(raw: bytes) -> tuple[str, list[str]]:
    """The page's text and the defects met (``page.truncated``, ``page.charset``)."""
    defects: list[str] = []
    if len(raw) > MAX_PAGE_BYTES:
        raw = raw[:MAX_PAGE_BYTES]
        defects.append("page.truncated")
    name, skip = sniff_charset(raw)
    try:
        text = raw[skip:].decode(name, errors="replace")
    except (LookupError, ValueError):
        text = raw[skip:].decode("utf-8", errors="replace")
        defects.append("page.charset")
    if "\ufffd" in text[:MAX_PAGE_BYTES]:
        defects.append("page.invalid_bytes")
    text = _XML_DECL.sub("", text, count=1)
    return _BAD_CHARS.sub(" ", text), defects


def parse_html(raw: bytes) -> tuple[lxml.html.HtmlElement | None, list[str]]:
    """The root element (None for an empty or unparsable page) and the defects."""
    text, defects = decode_page(raw)
    if not text.strip():
        return None, defects + ["page.empty"]
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except lxml.etree.ParserError:
        # markup with no element at all (only comments): an empty document, not an error
        return lxml.html.document_fromstring("<html></html>", parser=_PARSER), defects + ["page.no_elements"]
    except (lxml.etree.XMLSyntaxError, ValueError):
        return None, defects + ["page.unparsable"]
    return root, defects
