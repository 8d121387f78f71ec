"""The entry point module: registers the ``imap`` source type.

The source module (imaplib, ssl, the sync state machine) is imported when an ``imap``
source is built, not when the plugin loads: every ``webleads`` command and every worker
process loads all installed plugins, and most runs read no IMAP account."""

from __future__ import annotations

from webleads_core import hookimpl, lazy_factory


@hookimpl
def register_sources(register):
    register("imap", lazy_factory("webleads_imap.source:ImapSource"))
