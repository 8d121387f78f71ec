"""The entry-point module: registers the ``gmail`` source type and the ``webleads gmail``
command.  Heavy imports (Google client libraries) wait until a source is built or the
command runs, so every other ``webleads`` invocation stays fast."""

from __future__ import annotations

from webleads_core import hookimpl, lazy_factory

from . import cli


@hookimpl
def register_sources(register):
    register("gmail", lazy_factory("webleads_gmail.source:GmailSource"))


@hookimpl
def register_commands(register):
    register("gmail", cli.HELP, cli.configure, cli.run)
