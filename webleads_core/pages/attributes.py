"""Microdata (``itemscope``/``itemprop``) and RDFa Lite (``typeof``/``property``) to nodes.

One streaming walk (``lxml.etree.iterwalk``, no recursion) with a stack of open items
per syntax; a property belongs to the nearest enclosing item of its own syntax.
Values follow the microdata rules (``content`` of ``meta``, ``href`` of links, ``src``
of media, ``datetime`` of ``time``, ``value`` of ``data``, else the text) and RDFa's
(``content``, then ``resource``/``href``/``src``, then the text).
"""

from __future__ import annotations

import lxml.etree

from .nodes import MAX_NODES, Node, short_type

_SRC = {"audio", "embed", "iframe", "img", "source", "track", "video"}
_HREF = {"a", "area", "link"}


def _text(el) -> str:
    try:
        return " ".join(el.text_content().split())
    except ValueError:
        return ""


def _microdata_value(el) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag == "meta":
        return el.get("content", "")
    if tag in _SRC:
        return el.get("src", "")
    if tag in _HREF:
        return el.get("href", "")
    if tag == "object":
        return el.get("data", "")
    if tag in ("data", "meter"):
        return el.get("value", "")
    if tag == "time" and el.get("datetime"):
        return el.get("datetime", "")
    if el.get("content") is not None:
        return el.get("content", "")
    return _text(el)


def _rdfa_value(el) -> str:
    if el.get("content") is not None:
        return el.get("content", "")
    for attr in ("resource", "href", "src"):
        if el.get(attr):
            return el.get(attr, "")
    if el.get("datetime"):
        return el.get("datetime", "")
    return _text(el)


def _names(value: str) -> list[str]:
    return [short_type(n) for n in value.split()[:8] if n]


def parse_attributes(root) -> tuple[list[Node], list[Node]]:
    """``(microdata roots, rdfa roots)`` of a page."""
    if not root.xpath("boolean(//*[@itemscope or @typeof])"):
        return [], []
    md_roots: list[Node] = []
    rd_roots: list[Node] = []
    md_stack: list[Node] = []
    rd_stack: list[Node] = []
    pushed: list[tuple[object, int]] = []  # (element, 1 microdata | 2 rdfa | 3 both)
    count = 0
    for event, el in lxml.etree.iterwalk(root, events=("start", "end")):
        if not isinstance(el.tag, str):
            continue
        if event == "end":
            if pushed and pushed[-1][0] is el:
                _, which = pushed.pop()
                if which & 1:
                    md_stack.pop()
                if which & 2:
                    rd_stack.pop()
            continue
        which = 0
        line = el.sourceline or 0
        itemprop = el.get("itemprop")
        if el.get("itemscope") is not None and count < MAX_NODES:
            node = Node(types=tuple(_names(el.get("itemtype", ""))), line=line)
            count += 1
            if itemprop and md_stack:
                for n in _names(itemprop):
                    md_stack[-1].add(n, node)
            else:
                md_roots.append(node)
            md_stack.append(node)
            which |= 1
        elif itemprop and md_stack:
            value = _microdata_value(el)
            for n in _names(itemprop):
                md_stack[-1].add(n, value)
        prop = el.get("property")
        if el.get("typeof") is not None and count < MAX_NODES:
            node = Node(types=tuple(_names(el.get("typeof", ""))), line=line)
            count += 1
            if prop and rd_stack:
                for n in _names(prop):
                    rd_stack[-1].add(n, node)
            else:
                rd_roots.append(node)
            rd_stack.append(node)
            which |= 2
        elif prop and rd_stack:
            value = _rdfa_value(el)
            for n in _names(prop):
                rd_stack[-1].add(n, value)
        if which:
            pushed.append((el, which))
    return md_roots, rd_roots
