"""The hook module of webleads-api (entry point ``webleads: api``): registers the
``rest``, ``vcard`` and ``csv`` source types.

Each source's module is imported when a source of its type is built: every
``webleads`` process and worker loads all installed plugins, most runs use none of these."""

from __future__ import annotations

from typing import Any

from webleads_core import hookimpl


def rest_source(config: Any) -> Any:
    """Factory of the ``rest`` source (:class:`webleads_api.rest_source.RestSource`)."""
    from .rest_source import RestSource

    return RestSource(config)


def vcard_source(config: Any) -> Any:
    """Factory of the ``vcard`` source (:class:`webleads_api.vcard_source.VcardSource`)."""
    from .vcard_source import VcardSource

    return VcardSource(config)


def csv_source(config: Any) -> Any:
    """Factory of the ``csv`` source (:class:`webleads_api.csv_source.CsvSource`)."""
    from .csv_source import CsvSource

    return CsvSource(config)


@hookimpl
def register_sources(register):
    register("rest", rest_source)
    register("vcard", vcard_source)
    register("csv", csv_source)
