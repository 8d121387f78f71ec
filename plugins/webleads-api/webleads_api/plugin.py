"""The hook module of webleads-api (entry point ``webleads: api``): registers the
``rest``, ``vcard`` and ``csv`` source types."""

from __future__ import annotations

from webleads_core import hookimpl


@hookimpl
def register_sources(register):
    from .csv_source import CsvSource
    from .rest_source import RestSource
    from .vcard_source import VcardSource

    register("rest", RestSource)
    register("vcard", VcardSource)
    register("csv", CsvSource)
