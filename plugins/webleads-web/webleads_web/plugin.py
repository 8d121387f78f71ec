"""The web plugin's hooks: the ``web`` and ``html`` sources and the page extractors."""

from __future__ import annotations

from webleads_core import hookimpl

from .crawler import WebSource
from .extractors import all_extractors
from .html_source import HtmlFileSource


@hookimpl
def register_sources(register):
    register("web", WebSource)
    register("html", HtmlFileSource)


@hookimpl
def register_extractors(register):
    for extractor in all_extractors():
        register(extractor.name, extractor)
