"""The web plugin's hooks: the ``web`` and ``html`` sources and the page extractors.

The sources' modules (the crawler, its HTTP client and robots cache) are imported when
a ``web`` or ``html`` source is built: every ``webleads`` command and every worker
process loads all installed plugins, and most runs crawl nothing."""

from __future__ import annotations

from webleads_core import hookimpl, lazy_factory

from .extractors import all_extractors


@hookimpl
def register_sources(register):
    register("web", lazy_factory("webleads_web.crawler:WebSource"))
    register("html", lazy_factory("webleads_web.html_source:HtmlFileSource"))


@hookimpl
def register_extractors(register):
    for extractor in all_extractors():
        register(extractor.name, extractor)
