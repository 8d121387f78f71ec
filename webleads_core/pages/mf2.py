"""Microformats2 items (and the classic ``vcard``/``adr`` classes) to nodes.

A compact parser of the microformats2 parsing spec, enough for contacts: ``h-*`` roots,
``p-``/``u-``/``dt-``/``e-`` properties, nested items as property values or children,
the value-class pattern, implied ``name`` and ``url``, relative URLs resolved, and the
backward-compatible hCard/adr class names.  It reads the same lxml tree as every other
extractor (mf2py would re-parse the page with its own parser stack).  Nesting depth is
capped and a page yields at most :data:`~.nodes.MAX_NODES` items.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from .nodes import MAX_NODES, Node

MAX_DEPTH = 200
_ROOT = re.compile(r"^h(?:-[a-z0-9]+)?(?:-[a-z]+)+$")
_PROP = re.compile(r"^(p|u|dt|e)((?:-[a-z0-9]+)?(?:-[a-z]+)+)$")

# classic hCard / adr: root class -> h-* type, property class -> (prefix, name)
_BACKCOMPAT_ROOTS = {"vcard": "h-card", "adr": "h-adr"}
_BC_CARD = {
    "fn": ("p", "name"), "org": ("p", "org"), "title": ("p", "job-title"), "role": ("p", "role"),
    "email": ("u", "email"), "tel": ("p", "tel"), "url": ("u", "url"), "photo": ("u", "photo"),
    "logo": ("u", "logo"), "uid": ("u", "uid"), "note": ("p", "note"), "nickname": ("p", "nickname"),
    "given-name": ("p", "given-name"), "family-name": ("p", "family-name"),
    "additional-name": ("p", "additional-name"), "honorific-prefix": ("p", "honorific-prefix"),
    "honorific-suffix": ("p", "honorific-suffix"), "category": ("p", "category"), "label": ("p", "label"),
    "bday": ("dt", "bday"), "adr": ("p", "adr"), "geo": ("p", "geo"), "key": ("u", "key"),
    "organization-name": ("p", "organization-name"), "organization-unit": ("p", "organization-unit"),
}
_BC_ADR = {
    "street-address": ("p", "street-address"), "extended-address": ("p", "extended-address"),
    "post-office-box": ("p", "post-office-box"), "locality": ("p", "locality"),
    "region": ("p", "region"), "postal-code": ("p", "postal-code"), "country-name": ("p", "country-name"),
}
_BC_CARD.update(_BC_ADR)
_BC_PROPS = {"h-card": _BC_CARD, "h-adr": _BC_ADR}


def _classes(el) -> list[str]:
    c = el.get("class")
    return c.split() if c else []


def _tag(el) -> str:
    return el.tag if isinstance(el.tag, str) else ""


def _elements(el):
    return [c for c in el if isinstance(c.tag, str)]


def _text(el, base: str, imgs: bool = True) -> str:
    """Text content with ``<img>`` replaced by its ``alt`` (the spec's textContent rule)."""
    parts: list[str] = []
    stack = [(el, False)]
    while stack:
        node, done = stack.pop()
        if done:
            if node.tail and node is not el:
                parts.append(node.tail)
            continue
        tag = _tag(node)
        if tag in ("script", "style", "template"):
            if node.tail and node is not el:
                parts.append(node.tail)
            continue
        if tag == "img" and imgs and node is not el:
            alt = node.get("alt")
            parts.append(alt if alt is not None else "")
            if node.tail:
                parts.append(node.tail)
            continue
        if node.text and tag:
            parts.append(node.text)
        stack.append((node, True))
        for child in reversed(_elements(node)):
            stack.append((child, False))
    return " ".join("".join(parts).split())


def _value_class(el, base: str) -> str | None:
    found = []
    stack = list(reversed(_elements(el)))
    while stack:
        c = stack.pop()
        cls = _classes(c)
        if any(_ROOT.match(x) for x in cls) or _tag(c) == "template":
            continue
        if "value-title" in cls:
            found.append(c.get("title", ""))
            continue
        if "value" in cls:
            tag = _tag(c)
            if tag in ("img", "area") and c.get("alt") is not None:
                found.append(c.get("alt", ""))
            elif tag == "data":
                found.append(c.get("value") or _text(c, ""))
            elif tag == "abbr" and c.get("title") is not None:
                found.append(c.get("title", ""))
            else:
                found.append(_text(c, ""))
            continue
        stack.extend(reversed(_elements(c)))
    return "".join(found) if found else None


def _p_value(el, base: str) -> str:
    v = _value_class(el, base)
    if v is not None:
        return v.strip()
    tag = _tag(el)
    if tag in ("abbr", "link") and el.get("title") is not None:
        return el.get("title", "")
    if tag in ("data", "input") and el.get("value") is not None:
        return el.get("value", "")
    if tag in ("img", "area") and el.get("alt") is not None:
        return el.get("alt", "")
    return _text(el, base)


def _u_value(el, base: str) -> str:
    tag = _tag(el)
    for tags, attr in ((("a", "area", "link"), "href"), (("img", "audio", "video", "source", "iframe"), "src"),
                       (("video",), "poster"), (("object",), "data")):
        if tag in tags and el.get(attr) is not None:
            return urljoin(base, el.get(attr, "").strip())
    v = _value_class(el, base)
    if v is None:
        if tag == "abbr" and el.get("title") is not None:
            v = el.get("title", "")
        elif tag in ("data", "input") and el.get("value") is not None:
            v = el.get("value", "")
        else:
            v = _text(el, base)
    v = v.strip()
    return urljoin(base, v) if v and ":" not in v.split("/", 1)[0] else v


def _dt_value(el, base: str) -> str:
    v = _value_class(el, base)
    if v is not None:
        return v
    tag = _tag(el)
    if tag in ("time", "ins", "del") and el.get("datetime"):
        return el.get("datetime", "")
    if tag == "abbr" and el.get("title"):
        return el.get("title", "")
    if tag in ("data", "input") and el.get("value"):
        return el.get("value", "")
    return _text(el, base)


_VALUE = {"p": _p_value, "u": _u_value, "dt": _dt_value, "e": _p_value}


class _Parser:
    def __init__(self, base: str, root=None) -> None:
        self.base = base
        self.count = 0
        self.root = root
        self._ids: dict[str, object] | None = None
        self._including: set[str] = set()

    def by_id(self, ident: str):
        if self._ids is None:
            self._ids = {}
            if self.root is not None:
                for e in self.root.iter():
                    i = e.get("id") if isinstance(e.tag, str) else None
                    if i and i not in self._ids:
                        self._ids[i] = e
        return self._ids.get(ident)

    def include(self, ident: str, item: Node, depth: int) -> None:
        """The classic include pattern: the element ``ident`` is read as part of ``item``."""
        target = self.by_id(ident)
        if target is None or ident in self._including or len(self._including) > 8:
            return
        self._including.add(ident)
        try:
            self.visit(target, item, True, depth)
        finally:
            self._including.discard(ident)

    def roots_of(self, el, backcompat_ok: bool = True) -> tuple[list[str], bool]:
        cls = _classes(el)
        v2 = sorted({c for c in cls if _ROOT.match(c)})
        if v2:
            return v2, False
        if backcompat_ok:
            bc = sorted({_BACKCOMPAT_ROOTS[c] for c in cls if c in _BACKCOMPAT_ROOTS})
            if bc:
                return bc, True
        return [], False

    def props_of(self, el, item: Node, backcompat: bool) -> list[tuple[str, str]]:
        cls = _classes(el)
        if not backcompat:
            out = []
            for c in cls:
                m = _PROP.match(c)
                if m:
                    out.append((m.group(1), m.group(2)[1:]))
            return out
        table = _BC_PROPS.get(item.types[0] if item.types else "", {})
        return [table[c] for c in cls if c in table]

    def item(self, el, types: list[str], backcompat: bool, depth: int) -> Node:
        self.count += 1
        node = Node(types=tuple(types), line=el.sourceline or 0)
        node.props["__backcompat"] = ["1"] if backcompat else []
        node.props["__children"] = []
        node.props["__prefixes"] = []
        self.walk_props(el, node, backcompat, depth + 1)
        if backcompat:
            # itemref="a b" and a table cell's headers="a b" pull other elements in
            for attr in ("itemref", "headers"):
                for ident in (el.get(attr) or "").split()[:8]:
                    self.include(ident, node, depth + 1)
        self.imply(el, node, backcompat)
        return node

    def walk_props(self, el, item: Node, backcompat: bool, depth: int) -> None:
        if depth > MAX_DEPTH or self.count >= MAX_NODES:
            return
        for child in _elements(el):
            self.visit(child, item, backcompat, depth)

    def visit(self, child, item: Node, backcompat: bool, depth: int) -> None:
        """One element below an item: a nested item, a property, or markup to descend into."""
        if _tag(child) == "template":
            return
        if backcompat and "include" in _classes(child):
            ref = child.get("href") if _tag(child) in ("a", "area") else child.get("data")
            if ref and ref.startswith("#"):
                self.include(ref[1:], item, depth + 1)
                return
        roots, child_bc = self.roots_of(child)
        props = self.props_of(child, item, backcompat)
        if roots:
            sub = self.item(child, roots, child_bc, depth)
            if props:
                for prefix, name in props:
                    item.props["__prefixes"].append(prefix)
                    if prefix == "u":
                        sub.value = (sub.strings("url") or [_u_value(child, self.base)])[0]
                    elif prefix == "p":
                        sub.value = (sub.strings("name") or [_p_value(child, self.base)])[0]
                    else:
                        sub.value = _text(child, self.base)
                    item.add(name, sub)
            else:
                item.props["__children"].append(sub)
            return
        for prefix, name in props:
            item.props["__prefixes"].append(prefix)
            item.add(name, " ".join(_VALUE[prefix](child, self.base).split())
                     if prefix != "u" else _VALUE[prefix](child, self.base).strip())
        self.walk_props(child, item, backcompat, depth + 1)

    def imply(self, el, item: Node, backcompat: bool) -> None:
        explicit = [k for k in item.props if not k.startswith("__")]
        has_nested = any(isinstance(v, Node) for k in explicit for v in item.props[k]) or item.props["__children"]
        if backcompat:
            return
        prefixes = item.props["__prefixes"]
        if "name" not in item.props and not has_nested and "p" not in prefixes and "e" not in prefixes:
            item.add("name", self.implied_name(el))
        if "url" not in item.props and not has_nested and "u" not in prefixes:
            url = self.implied_url(el)
            if url is not None:
                item.add("url", url)

    def implied_name(self, el) -> str:
        tag = _tag(el)
        if tag in ("img", "area") and el.get("alt") is not None:
            return el.get("alt", "")
        if tag == "abbr" and el.get("title") is not None:
            return el.get("title", "")
        only = self._only_child(el)
        if only is not None and not self.roots_of(only)[0]:
            t = _tag(only)
            if t in ("img", "area") and only.get("alt") is not None:
                return only.get("alt", "")
            if t == "abbr" and only.get("title") is not None:
                return only.get("title", "")
            grand = self._only_child(only)
            if grand is not None and not self.roots_of(grand)[0]:
                t = _tag(grand)
                if t in ("img", "area") and grand.get("alt") is not None:
                    return grand.get("alt", "")
                if t == "abbr" and grand.get("title") is not None:
                    return grand.get("title", "")
        return _text(el, self.base)

    def implied_url(self, el) -> str | None:
        tag = _tag(el)
        if tag in ("a", "area") and el.get("href") is not None:
            return urljoin(self.base, el.get("href", "").strip())
        for cand in (self._only_of_type(el, ("a", "area")),):
            if cand is not None and not self.roots_of(cand)[0] and cand.get("href") is not None:
                return urljoin(self.base, cand.get("href", "").strip())
        only = self._only_child(el)
        if only is not None and not self.roots_of(only)[0]:
            cand = self._only_of_type(only, ("a", "area"))
            if cand is not None and not self.roots_of(cand)[0] and cand.get("href") is not None:
                return urljoin(self.base, cand.get("href", "").strip())
        return None

    @staticmethod
    def _only_child(el):
        kids = _elements(el)
        return kids[0] if len(kids) == 1 else None

    @staticmethod
    def _only_of_type(el, tags):
        found = [c for c in _elements(el) if _tag(c) in tags]
        return found[0] if len(found) == 1 else None


def parse_mf2(root, base_url: str = "") -> list[Node]:
    """Top-level microformat items of a page (nested ones hang below them)."""
    if not root.xpath("boolean(//*[@class and (contains(@class,'h-') or contains(@class,'vcard') "
                      "or contains(@class,'adr'))])"):
        return []
    base = base_url
    for b in root.iter("base"):
        if b.get("href"):
            base = urljoin(base_url, b.get("href", ""))
            break
    parser = _Parser(base, root)
    out: list[Node] = []
    stack = [(root, 0)]
    while stack and parser.count < MAX_NODES:
        el, depth = stack.pop()
        roots, bc = parser.roots_of(el)
        if roots:
            out.append(parser.item(el, roots, bc, depth))
            continue
        if depth < MAX_DEPTH:
            stack.extend((c, depth + 1) for c in reversed(_elements(el)))
    return out


def iter_items(items: list[Node]):
    """Every item, nested ones included (property values and children), iteratively."""
    stack = list(reversed(items))
    while stack:
        it = stack.pop()
        yield it
        nested = [v for k, vs in it.props.items() for v in vs if isinstance(v, Node)]
        stack.extend(reversed(nested))
