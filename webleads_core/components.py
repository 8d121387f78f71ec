"""The protocols components follow, and the config records they are built from.

A plugin registers *factories* (sources, sinks) or *instances* (segmenters,
extractors, scorers) through the hooks in :mod:`webleads_core.hookspecs`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Protocol, runtime_checkable

import attrs

from .records import Capture, Checkpoint, Document, Evidence, ParsedMessage, Resync, SealedContact, Zone


@attrs.frozen
class SourceConfig:
    """One ``[[sources]]`` table.

    Attributes:
        name: unique per config; names the sync state.
        type: the registered source type.
        owner: whose address book the contacts enter.
        options: the type-specific keys, as written.
        base_dir: folder of the config file: relative paths are relative to it.
    """

    name: str
    type: str
    owner: str = ""
    options: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    base_dir: Path = Path(".")

    def path(self, key: str = "path") -> Path:
        """A path option resolved against the config's folder."""
        from .errors import ConfigError

        value = self.options.get(key)
        if not value:
            raise ConfigError(f"source {self.name!r}: missing {key!r}")
        p = Path(str(value)).expanduser()
        return p if p.is_absolute() else self.base_dir / p


@attrs.frozen
class SinkConfig:
    """One ``[[sinks]]`` table (see :class:`SourceConfig`)."""

    type: str
    options: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    base_dir: Path = Path(".")

    def path(self, key: str = "path") -> Path:
        from .errors import ConfigError

        value = self.options.get(key)
        if not value:
            raise ConfigError(f"sink {self.type!r}: missing {key!r}")
        p = Path(str(value)).expanduser()
        return p if p.is_absolute() else self.base_dir / p


@attrs.frozen
class SourceContext:
    """What the engine offers a source while it reads.

    Attributes:
        is_seen: ``is_seen(item_id) -> bool``; True when the store already processed
            the item, so a source can skip reading it again (local files, rescans).
    """

    is_seen: Callable[[str], bool] = lambda item_id: False
    deferred: bool = False


@attrs.frozen
class DeferredDocument:
    """A document whose bytes are read where it is processed, not where it is listed.

    A source may yield one instead of a :class:`Document` when ``context.deferred`` is
    true (the engine runs the stages in worker processes that see the same files): only
    this small reference travels to the worker, which reads the bytes itself, so the one
    process that lists items and writes the store does not read or ship them.

    Attributes:
        source, item_id, owner, kind, observed_at: as :class:`Document`.
        load: returns the item's bytes; it must pickle by reference (a module-level
            function, or a ``functools.partial`` of one over a path and offsets).  An
            ``OSError`` skips the item (reason ``source.unreadable``) without marking it seen.
    """

    source: str
    item_id: str
    owner: str
    load: Callable[[], bytes] = attrs.field(repr=False)
    kind: str = "email"
    observed_at: dt.datetime = attrs.field(factory=lambda: dt.datetime.now(dt.timezone.utc))

    def document(self) -> Document:
        """Read the bytes: the :class:`Document` the source would have yielded."""
        return Document(source=self.source, item_id=self.item_id, kind=self.kind,  # type: ignore[arg-type]
                        owner=self.owner, content=self.load(), observed_at=self.observed_at)


@runtime_checkable
class Source(Protocol):
    """Yields documents, and checkpoints the engine commits once what came before is stored.

    ``read`` receives the last committed cursor (None on a first run) and may yield
    :class:`Resync` when the cursor is no longer valid.  Times must be timezone-aware;
    cursors hold no personal data.  Raise :class:`webleads_core.errors.ItemRejected`
    from inside the iteration only through a yielded marker: a source that cannot read
    one item should skip it itself (and may log its id), never stop.  When
    ``context.deferred`` is true, a source of local files may yield
    :class:`DeferredDocument` references instead of documents.
    """

    def read(
        self, cursor: Mapping[str, Any] | None, context: SourceContext
    ) -> Iterator[Document | DeferredDocument | Checkpoint | Resync]: ...


@runtime_checkable
class Segmenter(Protocol):
    """Labels the lines of a parsed message with zones (see ``ZONE_KINDS``)."""

    def segment(self, message: ParsedMessage) -> tuple[Zone, ...]: ...


@runtime_checkable
class Extractor(Protocol):
    """Turns a capture into evidence.

    Attributes:
        name, version: recorded in every piece of evidence's provenance.
        kinds: the document kinds it handles (``"email"``, ``"page"``, ``"record"``).
        replaces: optional tuple of extractor names this one takes the place of (a trained
            signature tagger replaces ``"signature-rules"``); those are left out of the pipeline.
        pairs_with: optional segmenter name: the extractor is used only when that segmenter is
            the pipeline's (a tagger trained on a segmenter's blocks), and replaces nothing otherwise.

    Optional ``warm_up()`` (extractors and scorers): load what the component would load on
    its first item (a model, lookup tables) now.  The engine calls it once in the main
    process before forking worker processes, so the workers share what it loaded instead of
    each loading its own.  It must not reach the network or store anything.
    """

    name: str
    version: str
    kinds: tuple[str, ...]

    def extract(self, capture: Capture) -> Iterable[Evidence]: ...


@runtime_checkable
class Scorer(Protocol):
    """Returns a new confidence (0..1) for one piece of evidence."""

    def score(self, evidence: Evidence) -> float: ...


@runtime_checkable
class Sink(Protocol):
    """Receives sealed contacts at the end of a run.

    ``write`` must be idempotent (writing the same records twice leaves the same
    output) and must refuse records whose seal does not verify: subclass
    :class:`webleads_core.sinkbase.BaseSink`, which does both checks.
    """

    def write(self, records: Iterable[SealedContact]) -> int: ...


SourceFactory = Callable[[SourceConfig], Source]
SinkFactory = Callable[[SinkConfig], Sink]
PrivacyRule = Callable[[Evidence], bool]
