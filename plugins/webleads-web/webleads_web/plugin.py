"""The web plugin's hooks: the ``web`` and ``html`` sources and the page extractors.

The sources' modules (the crawler, its HTTP client and robots cache) are imported when
a ``web`` or ``html`` source is built: every ``webleads`` command and every worker
process loads all installed plugins, and most runs crawl nothing."""

from __future__ import annotations

from typing import Any

from webleads_core import hookimpl

from .extractors import all_extractors


def web_source(config: Any) -> Any:
    """Factory of the ``web`` source (see :class:`webleads_web.crawler.WebSource`)."""
    from .crawler import WebSource

    return WebSource(config)


def html_source(config: Any) -> Any:
    """Factory of the ``html`` source (see :class:`webleads_web.html_source.HtmlFileSource`)."""
    from .html_source import HtmlFileSource

    return HtmlFileSource(config)


@hookimpl
def register_sources(register):
    register("web", web_source)
    register("html", html_source)


@hookimpl
def register_extractors(register):
    for extractor in all_extractors():
        register(extractor.name, extractor)
