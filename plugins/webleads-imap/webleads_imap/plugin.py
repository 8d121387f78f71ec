"""The entry point module: registers the ``imap`` source type."""

from __future__ import annotations

from webleads_core import hookimpl

from .source import ImapSource


@hookimpl
def register_sources(register):
    register("imap", ImapSource)
