"""The hook module of webleads-api (entry point ``webleads: api``): registers the
``rest``, ``vcard`` and ``csv`` source types.

Each source's module is imported when a source of its type is built: every
``webleads`` process and worker loads all installed plugins, most runs use none of these."""

from __future__ import annotations

from webleads_core import hookimpl, lazy_factory


@hookimpl
def register_sources(register):
    register("rest", lazy_factory("webleads_api.rest_source:RestSource"))
    register("vcard", lazy_factory("webleads_api.vcard_source:VcardSource"))
    register("csv", lazy_factory("webleads_api.csv_source:CsvSource"))
