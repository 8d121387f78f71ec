"""Pagination styles of ``rest`` sources: the ``[sources.pagination]`` table.

=============  ===========================================================================
``none``       one request
``link``       RFC 8288 ``Link: <...>; rel="next"`` response header (GitHub, GitLab, ...)
``cursor``     a cursor or next token in the body (``cursor_path``) sent back as ``param``
``next_url``   the next page's URL in the body (``next_path``: ``links.next``, ``["@odata.nextLink"]``)
``offset``     ``offset_param`` / ``start`` advanced by the records received; stops on an
               empty or short page, or when ``total_path`` says all were seen
``page``       ``page_param`` from ``start`` (1), stops on an empty or short page, or at
               ``total_pages_path``
=============  ===========================================================================

Every style may send a page size: ``size_param`` and ``size``.

The walk is bounded twice: a page whose URL was already asked for in this sync, or
whose records are exactly those of the page before, is a *page loop* (a server
handing back the same cursor) and ends the sync with ``api.page_loop`` instead of
spinning; and ``max_pages`` caps the pages of one sync (``api.too_many_pages``).
"""

from __future__ import annotations

import re
from typing import Any, Mapping
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import attrs

from webleads_core.errors import ConfigError

from .paths import Path, parse_path

STYLES = ("none", "link", "cursor", "next_url", "offset", "page")
_KEYS = {
    "none": set(),
    "link": {"size_param", "size"},
    "cursor": {"cursor_path", "param", "has_more_path", "size_param", "size"},
    "next_url": {"next_path", "size_param", "size"},
    "offset": {"offset_param", "start", "size_param", "size", "total_path"},
    "page": {"page_param", "start", "size_param", "size", "total_pages_path"},
}
_LINK = re.compile(r'<([^>]{1,4096})>((?:\s*;\s*[^;,]{1,200})*)')


def set_query(url: str, values: Mapping[str, Any]) -> str:
    """``url`` with query parameters set (replacing any of the same name)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in values]
    query += [(k, str(v)) for k, v in values.items() if v is not None]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` target of a ``Link`` header, or None."""
    if not header:
        return None
    for m in _LINK.finditer(header[:65536]):
        params = m.group(2).lower()
        rel = re.search(r'rel\s*=\s*"?([^";]+)"?', params)
        if rel and "next" in rel.group(1).split():
            return m.group(1).strip()
    return None


@attrs.frozen
class Pagination:
    """A parsed pagination table (see the module docs for the keys)."""

    style: str = "none"
    cursor_path: Path | None = None
    param: str | None = None
    has_more_path: Path | None = None
    next_path: Path | None = None
    offset_param: str = "offset"
    page_param: str = "page"
    start: int = 0
    size_param: str | None = None
    size: int | None = None
    total_path: Path | None = None
    total_pages_path: Path | None = None

    @classmethod
    def from_config(cls, table: Any, *, where: str) -> Pagination:
        if table is None:
            return cls()
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where} must be a table")
        style = table.get("type", "none")
        if style not in STYLES:
            raise ConfigError(f"{where}.type must be one of {', '.join(STYLES)}")
        unknown = set(table) - _KEYS[style] - {"type"}
        if unknown:
            raise ConfigError(f"{where}: unknown keys for {style}: {', '.join(sorted(unknown))}")

        def path(key: str, required: bool = False) -> Path | None:
            if key not in table:
                if required:
                    raise ConfigError(f"{where}.{key} is required for type {style}")
                return None
            return parse_path(table[key], where=f"{where}.{key}")

        def name(key: str, default: str | None) -> str | None:
            value = table.get(key, default)
            if value is not None and (not isinstance(value, str) or not value):
                raise ConfigError(f"{where}.{key} must be a parameter name")
            return value

        size = table.get("size")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 10000):
            raise ConfigError(f"{where}.size must be an integer from 1 to 10000")
        size_param = name("size_param", "limit" if style == "offset" else
                          "per_page" if style == "page" else None)
        if size is not None and size_param is None:
            raise ConfigError(f"{where}: size needs size_param (the parameter that carries it)")
        start = table.get("start", 1 if style == "page" else 0)
        if not isinstance(start, int) or isinstance(start, bool) or start < 0:
            raise ConfigError(f"{where}.start must be a non-negative integer")
        if style == "cursor" and "param" not in table:
            raise ConfigError(f"{where}.param is required for type cursor (where the cursor goes)")
        return cls(style=style, cursor_path=path("cursor_path", style == "cursor"),
                   param=name("param", None), has_more_path=path("has_more_path"),
                   next_path=path("next_path", style == "next_url"),
                   offset_param=name("offset_param", "offset") or "offset",
                   page_param=name("page_param", "page") or "page", start=start,
                   size_param=size_param if size is not None or style in ("offset", "page") else None,
                   size=size if size is not None else (100 if style in ("offset", "page") else None),
                   total_path=path("total_path"), total_pages_path=path("total_pages_path"))

    # -- walking -------------------------------------------------------------------

    def first_url(self, url: str) -> str:
        values: dict[str, Any] = {}
        if self.size_param and self.size:
            values[self.size_param] = self.size
        if self.style == "offset":
            values[self.offset_param] = self.start
        elif self.style == "page":
            values[self.page_param] = self.start
        return set_query(url, values) if values else url

    def next_url(self, url: str, headers: Mapping[str, str], body: Any, n_records: int,
                 position: int) -> str | None:
        """The next page's URL, or None at the end.

        ``position`` is the offset or page number of the page just read.
        """
        if self.style == "none":
            return None
        if self.style == "link":
            target = next_link(headers.get("link"))
            return urljoin(url, target) if target else None
        if self.style == "next_url":
            assert self.next_path is not None
            target = self.next_path.first(body)
            return urljoin(url, target) if isinstance(target, str) and target.strip() else None
        if self.style == "cursor":
            assert self.cursor_path is not None and self.param
            if self.has_more_path is not None and self.has_more_path.first(body) is False:
                return None
            cursor = self.cursor_path.first(body)
            if isinstance(cursor, bool) or cursor is None or not str(cursor).strip():
                return None
            if not isinstance(cursor, (str, int)) or len(str(cursor)) > 4096:
                return None
            return set_query(url, {self.param: cursor})
        if n_records == 0:
            return None
        if self.style == "offset":
            nxt = position + n_records
            if self.total_path is not None:
                total = self.total_path.first(body)
                if isinstance(total, int) and not isinstance(total, bool) and nxt - self.start >= total:
                    return None
            elif self.size and n_records < self.size:
                return None
            return set_query(url, {self.offset_param: nxt})
        # page numbers
        if self.total_pages_path is not None:
            total = self.total_pages_path.first(body)
            if isinstance(total, int) and not isinstance(total, bool) and position >= total:
                return None
        elif self.size and n_records < self.size:
            return None
        return set_query(url, {self.page_param: position + 1})

    def advance(self, position: int, n_records: int) -> int:
        """The position of the next page (an offset, or a page number)."""
        if self.style == "offset":
            return position + n_records
        if self.style == "page":
            return position + 1
        return position + 1
