"""JSON-LD ``<script type="application/ld+json">`` blocks to :class:`Node` trees.

Tolerant: one broken script does not stop the others; common breakage (HTML comments
or CDATA around the JSON, trailing commas, raw newlines in strings, several objects
without an array) is repaired before giving up with the defect ``page.jsonld_invalid``.
Bounded: each script is capped at 1 MiB, nesting is walked iteratively with a depth
cap, and at most :data:`~.nodes.MAX_NODES` nodes are kept.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .nodes import MAX_NODES, Node, short_type

MAX_SCRIPT_CHARS = 1024 * 1024
MAX_DEPTH = 32
_TRAILING_COMMA = re.compile(r",(\s{0,100}[\]}])")


_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.){0,100000}"|//[^\n]{0,100000}')


def _strip_line_comments(text: str) -> str:
    """Drop ``// ...`` comments that are outside JSON strings (one linear regex pass:
    a string is matched whole, so a ``//`` inside it is never taken for a comment)."""
    return _STRING_OR_COMMENT.sub(lambda m: m.group(0) if m.group(0)[0] == '"' else "", text)


def _loads(text: str) -> Any:
    text = text[:MAX_SCRIPT_CHARS].strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    # cut to the JSON: HTML comments, CDATA markers or prose before the first { or [ go
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    ends = [i for i in (text.rfind("}"), text.rfind("]")) if i >= 0]
    if not starts or not ends:
        raise ValueError("no JSON object")
    fixed = text[min(starts):max(ends) + 1]
    try:
        return json.loads(fixed, strict=False)  # strict=False: raw control characters in strings
    except ValueError:
        pass
    fixed = _TRAILING_COMMA.sub(r"\1", _strip_line_comments(fixed))
    try:
        return json.loads(fixed, strict=False)
    except ValueError:
        pass
    # several top-level objects one after the other
    dec = json.JSONDecoder(strict=False)
    out, i = [], 0
    while i < len(fixed) and len(out) < 100:
        while i < len(fixed) and fixed[i] in " \t\r\n,;":
            i += 1
        if i >= len(fixed):
            break
        obj, i = dec.raw_decode(fixed, i)  # raises ValueError: caller records the defect
        out.append(obj)
    return out


def parse_scripts(scripts: list[tuple[str, int]], defects: list[str]) -> list[Node]:
    """Nodes of every script (``(text, source line)`` pairs), top-level ones first."""
    roots: list[Node] = []
    count = 0
    for text, line in scripts:
        try:
            data = _loads(text)
        except (ValueError, RecursionError):
            defects.append("page.jsonld_invalid")
            continue
        stack: list[tuple[Any, Node | None, str, int]] = [(data, None, "", 0)]
        # iterative walk: (value, parent node, property name, depth)
        while stack and count < MAX_NODES:
            value, parent, prop, depth = stack.pop()
            if depth > MAX_DEPTH:
                defects.append("page.jsonld_too_deep")
                continue
            if isinstance(value, list):
                for v in reversed(value[:1000]):
                    stack.append((v, parent, prop, depth + 1))
                continue
            if isinstance(value, dict):
                if "@graph" in value and parent is None:
                    stack.append((value["@graph"], None, "", depth + 1))
                    if "@type" not in value:
                        continue
                types = value.get("@type", ())
                if isinstance(types, str):
                    types = (types,)
                node = Node(types=tuple(short_type(t) for t in types if isinstance(t, str))[:8], line=line)
                if set(value) == {"@id"} and isinstance(value["@id"], str):
                    # a bare IRI reference ("url": {"@id": "http://..."}) is the value itself
                    node.value = value["@id"]
                count += 1
                if parent is None:
                    roots.append(node)
                else:
                    parent.add(prop, node)
                for k, v in list(value.items())[:200]:
                    if not isinstance(k, str) or k.startswith("@"):
                        if k == "@id" and isinstance(v, str):
                            node.add("@id", v)
                        if k == "@value" and isinstance(v, (str, int, float)):
                            node.value = str(v)
                        continue
                    stack.append((v, node, short_type(k), depth + 1))
                continue
            if parent is not None and isinstance(value, (str, int, float)) and not isinstance(value, bool):
                parent.add(prop, str(value))
    return roots
