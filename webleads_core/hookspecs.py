"""Every hook a webleads plugin can implement.

All hooks are *registration* hooks: a plugin hands the engine named components
through the ``register`` callable it receives; the engine validates them, builds a
frozen pipeline, and then moves the data itself.  There is deliberately no
per-item hook: nothing a plugin does can reorder, swallow or bypass the mandatory
privacy stages (:mod:`webleads_core.privacy`).

Implement a hook with :data:`webleads_core.hookimpl`::

    from webleads_core import hookimpl

    @hookimpl
    def register_sinks(register):
        register("parquet", ParquetSink)

Each hook below documents what ``register`` accepts.  The components' protocols
are in :mod:`webleads_core.components`.
"""

from __future__ import annotations

from typing import Callable

import pluggy

PROJECT = "webleads"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# -- sources -------------------------------------------------------------------


@hookspec
def register_sources(register: Callable[..., None]) -> None:
    """Register source types.

    Call ``register(type_name, factory)`` where ``factory(config: SourceConfig)``
    returns an object following :class:`webleads_core.components.Source`.
    ``type_name`` is what users write as ``type = "..."`` in a ``[[sources]]`` table.

    :param register: ``register(type_name: str, factory: Callable[[SourceConfig], Source])``.
    """


# -- segmentation and extraction -------------------------------------------------


@hookspec
def register_segmenters(register: Callable[..., None]) -> None:
    """Register email segmenters (zone labelling of a parsed message).

    Call ``register(name, segmenter, priority=0)``; ``segmenter`` follows
    :class:`webleads_core.components.Segmenter`.  The engine uses the one with the
    highest priority unless the config names one (``[pipeline] segmenter = "..."``).
    The rule-based segmenter of the core registers with priority 0.

    :param register: ``register(name: str, segmenter: Segmenter, priority: int = 0)``.
    """


@hookspec
def register_extractors(register: Callable[..., None]) -> None:
    """Register extractors that turn a :class:`~webleads_core.records.Capture` into
    :class:`~webleads_core.records.Evidence`.

    Call ``register(name, extractor)``; ``extractor`` follows
    :class:`webleads_core.components.Extractor`.  An extractor only sees what survived
    the purge (header contacts and redacted signature blocks), never a body.

    :param register: ``register(name: str, extractor: Extractor)``.
    """


@hookspec
def register_scorers(register: Callable[..., None]) -> None:
    """Register scorers that weigh evidence before it is merged.

    Call ``register(name, scorer)``; ``scorer`` follows
    :class:`webleads_core.components.Scorer`.  Scorers run in registration order,
    after the privacy stage; each returns a new confidence for a piece of evidence.

    :param register: ``register(name: str, scorer: Scorer)``.
    """


# -- outputs -------------------------------------------------------------------


@hookspec
def register_sinks(register: Callable[..., None]) -> None:
    """Register sink types (where published contacts go).

    Call ``register(type_name, factory)`` where ``factory(config: SinkConfig)`` returns
    a :class:`webleads_core.components.Sink`.  Sinks only ever receive
    :class:`~webleads_core.records.SealedContact` records, and the engine verifies
    each seal before handing it over.

    :param register: ``register(type_name: str, factory: Callable[[SinkConfig], Sink])``.
    """


# -- privacy -------------------------------------------------------------------


@hookspec
def register_privacy_rules(register: Callable[..., None]) -> None:
    """Register rules that *tighten* the privacy policy.

    Call ``register(name, rule)`` where ``rule(evidence) -> bool`` returns False to
    drop a piece of evidence.  Rules can only remove: they run after the mandatory
    stages and their output is re-checked.  A rule that raises drops the item.

    :param register: ``register(name: str, rule: Callable[[Evidence], bool])``.
    """


# -- command line ----------------------------------------------------------------


@hookspec
def register_commands(register: Callable[..., None]) -> None:
    """Register ``webleads`` subcommands.

    Call ``register(name, help, configure, run)``: ``configure(parser)`` adds
    arguments to an :class:`argparse.ArgumentParser`; ``run(args) -> int`` executes the
    command and returns the exit code.  Raise :class:`webleads_core.errors.WebleadsError`
    for user errors: the CLI prints one line, no traceback.

    :param register: ``register(name: str, help: str, configure: Callable, run: Callable)``.
    """


#: The hook names, in the order a pipeline is built.  ``tests/test_docs.py`` checks
#: that each is documented in docs/hooks.md and exercised by a test.
HOOK_NAMES: tuple[str, ...] = (
    "register_sources",
    "register_segmenters",
    "register_extractors",
    "register_scorers",
    "register_sinks",
    "register_privacy_rules",
    "register_commands",
)
