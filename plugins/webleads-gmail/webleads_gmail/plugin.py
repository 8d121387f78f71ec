"""The entry-point module: registers the ``gmail`` source type and the ``webleads gmail``
command.  Heavy imports (Google client libraries) wait until a source is built or the
command runs, so every other ``webleads`` invocation stays fast."""

from __future__ import annotations

from typing import Any

from webleads_core import hookimpl

from . import cli


def gmail_source(config: Any) -> Any:
    """Factory of the ``gmail`` source (see :class:`webleads_gmail.source.GmailSource`)."""
    from .source import GmailSource

    return GmailSource(config)


@hookimpl
def register_sources(register):
    register("gmail", gmail_source)


@hookimpl
def register_commands(register):
    register("gmail", cli.HELP, cli.configure, cli.run)
