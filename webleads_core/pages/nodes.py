"""The common shape of structured data found in a page: typed nodes with properties.

JSON-LD, microdata, RDFa Lite and microformats2 all become :class:`Node` trees, so
one mapper (:mod:`.cards`) turns each syntax into contact cards.  Nodes hold personal
data and stay inside the capture step: only cards leave it.
"""

from __future__ import annotations

from typing import Union

import attrs

#: Properties per node and values per property kept (a page cannot make us hold more).
MAX_PROPS = 64
MAX_VALUES = 500
MAX_VALUE_CHARS = 2000
MAX_NODES = 10000


@attrs.define(repr=False)
class Node:
    """One item: its types (``Person``, ``h-card``), properties and source line.

    Attributes:
        types: type names without vocabulary prefix (``"Person"``, ``"h-card"``).
        props: property name -> values (strings or nested nodes).
        line: source line of the element (or script) it came from.
        value: for mf2 nested items, the item's value (its name) as a string.
    """

    types: tuple[str, ...] = ()
    props: dict[str, list[Union[str, "Node"]]] = attrs.field(factory=dict)
    line: int = 0
    value: str = ""

    def add(self, name: str, value: Union[str, "Node"]) -> None:
        if isinstance(value, str):
            value = value[:MAX_VALUE_CHARS]
        if name not in self.props:
            if len(self.props) >= MAX_PROPS:
                return
            self.props[name] = []
        if len(self.props[name]) < MAX_VALUES:
            self.props[name].append(value)

    def strings(self, name: str) -> list[str]:
        out = []
        for v in self.props.get(name, ()):
            if isinstance(v, str):
                out.append(v)
            elif v.value:
                out.append(v.value)
        return out

    def first(self, *names: str) -> str:
        for n in names:
            for v in self.strings(n):
                if v.strip():
                    return " ".join(v.split())
        return ""

    def nodes(self, name: str) -> list["Node"]:
        return [v for v in self.props.get(name, ()) if isinstance(v, Node)]


def short_type(t: str) -> str:
    """``https://schema.org/Person`` -> ``Person``; ``schema:Person`` -> ``Person``."""
    t = t.strip()
    for sep in ("#", "/", ":"):
        if sep in t:
            t = t.rsplit(sep, 1)[-1]
    return t
