"""The visible text of a page as lines, each with its source line number.

One streaming walk (``iterwalk``, no recursion); block-level elements and ``<br>``
end a line; ``script``, ``style``, ``template``, ``noscript``, ``svg`` and the head are
skipped.  Used only to *find* contact values: the text itself never leaves the
capture step.
"""

from __future__ import annotations

import lxml.etree

MAX_LINES = 20000
MAX_LINE_CHARS = 2000
SKIP = {"script", "style", "template", "noscript", "svg", "head", "iframe", "object", "canvas", "select"}
BLOCK = {"p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
         "th", "table", "section", "article", "aside", "header", "footer", "nav", "main", "address",
         "blockquote", "pre", "hr", "figure", "figcaption", "form", "fieldset", "legend", "body", "html",
         "caption", "tbody", "thead", "tfoot", "details", "summary", "label", "option", "button"}


def visible_lines(root, *, start=None) -> list[tuple[str, int]]:
    """``(text, source line)`` for every non-empty visible line below ``start`` (default: the root)."""
    lines: list[tuple[str, int]] = []
    cur: list[str] = []
    cur_line = 0

    def flush() -> None:
        nonlocal cur, cur_line
        if cur:
            text = " ".join("".join(cur).split())
            if text:
                lines.append((text[:MAX_LINE_CHARS], cur_line))
            cur = []

    walker = lxml.etree.iterwalk(start if start is not None else root, events=("start", "end"))
    top = start if start is not None else root
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in SKIP or not tag:
                walker.skip_subtree()
                continue
            if tag in BLOCK:
                flush()
            if el.text:
                if not cur:
                    cur_line = el.sourceline or 0
                cur.append(el.text)
            if len(lines) >= MAX_LINES:
                break
        else:
            if tag in BLOCK:
                flush()
            if el.tail and el is not top:
                if not cur:
                    cur_line = el.sourceline or 0
                cur.append(el.tail)
    flush()
    return lines
