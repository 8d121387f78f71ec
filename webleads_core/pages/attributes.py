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
_COPY = "rdfa:copy"
_PATTERN = "rdfa:Pattern"


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
    pushed: list[tuple[object, int, int]] = []  # (element, microdata items pushed, rdfa items pushed)
    count = 0
    # itemref: an element named by an item's itemref holds properties of that item, wherever it is
    refs: dict[str, list] = {}
    for item in root.xpath("//*[@itemscope][@itemref]")[:MAX_NODES]:
        for ident in item.get("itemref", "").split()[:32]:
            refs.setdefault(ident, []).append(item)
    md_nodes: dict[object, Node] = {}

    def md_node(item) -> Node:
        node = md_nodes.get(item)
        if node is None:
            node = md_nodes[item] = Node(types=tuple(_names(item.get("itemtype", ""))), line=item.sourceline or 0)
        return node
    patterns: dict[str, Node] = {}
    copies: list[tuple[Node, str]] = []
    for event, el in lxml.etree.iterwalk(root, events=("start", "end")):
        if not isinstance(el.tag, str):
            continue
        if event == "end":
            if pushed and pushed[-1][0] is el:
                _, n_md, n_rd = pushed.pop()
                del md_stack[len(md_stack) - n_md:]
                del rd_stack[len(rd_stack) - n_rd:]
            continue
        n_md = n_rd = 0
        if refs and el.get("id") in refs:
            for item in refs[el.get("id")]:
                if item is not el and not any(a is item for a in el.iterancestors()):
                    md_stack.append(md_node(item))
                    n_md += 1
        line = el.sourceline or 0
        itemprop = el.get("itemprop")
        if el.get("itemscope") is not None and count < MAX_NODES:
            node = md_node(el)
            count += 1
            if itemprop and md_stack:
                for n in _names(itemprop):
                    md_stack[-1].add(n, node)
            else:
                md_roots.append(node)
            md_stack.append(node)
            n_md += 1
        elif itemprop and md_stack:
            value = _microdata_value(el)
            for n in _names(itemprop):
                md_stack[-1].add(n, value)
        prop = el.get("property")
        # RDFa 1.1 chains a new typed node with rel as with property (<div rel="x" typeof="T">)
        link = prop or el.get("rel")
        if prop and _COPY in prop.split() and rd_stack:
            copies.append((rd_stack[-1], el.get("href") or el.get("resource") or ""))
        if el.get("typeof") is not None and count < MAX_NODES:
            typeof = el.get("typeof", "")
            node = Node(types=tuple(_names(typeof)), line=line)
            count += 1
            ident = el.get("resource") or el.get("about")
            if ident:
                node.add("@id", ident)
            if _PATTERN in typeof.split():
                patterns[ident or ""] = node
            elif link and rd_stack:
                for n in _names(link):
                    rd_stack[-1].add(n, node)
            else:
                rd_roots.append(node)
            rd_stack.append(node)
            n_rd += 1
        elif prop and rd_stack:
            value = _rdfa_value(el)
            for n in _names(prop):
                rd_stack[-1].add(n, value)
        if n_md or n_rd:
            pushed.append((el, n_md, n_rd))
    for node, ref in copies:  # RDFa vocabulary expansion: rdfa:copy takes in a pattern's properties
        pattern = patterns.get(ref)
        if pattern is not None:
            for name, values in pattern.props.items():
                if name != "@id":
                    for v in values:
                        node.add(name, v)
    return md_roots, rd_roots
