"""The run loop: moves each item through the stages in a fixed order.

``source -> parse -> segment -> capture+purge -> extract -> privacy -> score ->
resolve/merge -> publish -> sinks``

An item that fails any stage is counted as skipped with a reason code and goes to
quarantine (ids only); the run goes on.  Evidence is written in batches, and a
source's checkpoint is committed in the same transaction as everything before it.
"""

from __future__ import annotations

import collections
import logging
import time
from typing import Any, Callable, Iterable, Iterator

import attrs

from ..components import DeferredDocument, SourceContext
from ..errors import ItemRejected, PrivacyViolation, WebleadsError
from ..privacy import stage as privacy
from ..privacy.seal import require_sealed
from ..privacy.suppress import Suppressor, load_or_create_key
from ..records import (Capture, Checkpoint, Document, Evidence, Rejected, Resync, RunResult, SealedContact,
                       SkippedItem)
from ..store import SQLiteStore
from .pipeline import Pipeline
from .progress import Progress

log = logging.getLogger("webleads.engine")

BATCH_ITEMS = 200
#: With worker processes, batches are committed this many at a time: a store transaction
#: costs about the same for one batch as for two (the pages both touch are written once),
#: and the single process that commits bounds how well the workers scale.
COMMIT_GROUP = 2


def make_policy(pipeline: Pipeline, store: SQLiteStore) -> privacy.Policy:
    key_path = pipeline.config.privacy.secret_file or store.key_path
    suppressor = Suppressor(load_or_create_key(key_path), store.suppression_digests())
    return privacy.Policy(suppressor=suppressor, rules=pipeline.privacy_rules,
                          extra_redact=pipeline.extra_redact)


def process_document(pipeline: Pipeline, doc: Document, policy: privacy.Policy) -> list[Evidence]:
    """Run one document through parse, segment, purge, extract, privacy and score.

    Raises :class:`ItemRejected` with a reason code; any other exception from a stage
    is turned into one (``<stage>.error``), carrying only the exception's type name
    so that no item content reaches a message.
    """
    stage = "parse"
    try:
        capture = _capture(pipeline, doc)
        stage = "extract"
        found: list[Evidence] = []
        for name, ex in pipeline.extractors:
            if capture.kind in ex.kinds:
                stage = f"extract.{name}"
                found.extend(ex.extract(capture))
        stage = "privacy"
        kept = privacy.enforce(found, capture, policy)
        if doc.owner:  # an address book holds the owner's contacts, not the owner
            me = f"email:{doc.owner.lower()}"
            kept = [ev for ev in kept if ev.subject != me]
        stage = "score"
        for name, scorer in pipeline.scorers:
            stage = f"score.{name}"
            kept = [ev.with_confidence(scorer.score(ev)) for ev in kept]
        return kept
    except ItemRejected as exc:
        if not exc.stage:
            exc.stage = stage
        raise
    except (PrivacyViolation, KeyboardInterrupt, MemoryError):
        raise
    except RecursionError:
        raise ItemRejected(f"{stage.split('.')[0]}.recursion", stage=stage) from None
    except Exception as exc:
        raise ItemRejected(f"{stage.split('.')[0]}.error", f"{type(exc).__name__} in {stage}",
                           stage=stage) from None


def _capture(pipeline: Pipeline, doc: Document) -> Capture:
    if doc.kind == "email":
        from ..mail import parse_message

        parsed = parse_message(doc.content)
        # the purge keeps nothing of automated mail (bulk, no-reply, bounces): its zones
        # would be thrown away, so it is not segmented (over half of a real mailbox)
        zones = pipeline.segmenter.segment(parsed) if pipeline.segmenter and not parsed.automated else ()
        return privacy.purge_email(doc, parsed, zones)
    if doc.kind == "record":
        return privacy.purge_record(doc)
    if doc.kind == "page":
        try:
            from ..pages import capture_page  # the page purge: contact-bearing parts only
        except ImportError:
            raise ItemRejected("document.page_unsupported", stage="parse") from None
        return capture_page(doc)
    raise ItemRejected("document.kind_unknown", stage="parse")


@attrs.define
class _Counts:
    items: int = 0
    processed: int = 0
    skipped: int = 0
    evidence: int = 0
    reasons: collections.Counter = attrs.field(factory=collections.Counter)
    skipped_items: list[SkippedItem] = attrs.field(factory=list)
    touched: set[int] = attrs.field(factory=set)
    failed_sources: list[str] = attrs.field(factory=list)


def run_pipeline(
    pipeline: Pipeline,
    store: SQLiteStore,
    *,
    progress: Progress | None = None,
    publish: bool = True,
    executor: Any = None,
    stop: Any = None,
) -> RunResult:
    """Run every source of the pipeline into the store, then publish to the sinks.

    ``executor`` (see :mod:`webleads_core.engine.executors`) says where the CPU-heavy
    stages run; the default runs them in this process.  ``stop`` (a ``threading.Event``)
    ends the run cleanly between items: what was read is committed with its checkpoint,
    and the run is recorded as ``stopped``.
    """
    from .executors import LocalExecutor

    started = time.perf_counter()
    run_id = store.begin_run()
    policy = make_policy(pipeline, store)
    counts = _Counts()
    progress = progress or Progress(enabled=False)
    executor = executor or LocalExecutor()
    status = "ok"
    try:
        for sconf, source in pipeline.sources:
            if stop is not None and stop.is_set():
                break
            try:
                _run_source(pipeline, store, sconf.name, source, policy, counts, progress, executor, stop)
            except (PrivacyViolation, KeyboardInterrupt):
                raise
            except Exception as exc:
                # a source that breaks (unreadable folder, lost server) fails alone
                counts.failed_sources.append(sconf.name)
                # webleads errors carry no personal data by contract: their message is shown;
                # anything else only by type (its message may hold item content)
                if isinstance(exc, WebleadsError):
                    log.error("source %s failed (%s): %s", sconf.name, exc.reason, exc)
                else:
                    log.error("source %s failed: %s (see -vv)", sconf.name, type(exc).__name__)
                log.debug("source failure", exc_info=True)
        if stop is not None and stop.is_set():
            status = "stopped"
        elif publish and pipeline.sinks:
            publish_to_sinks(pipeline, store, policy)
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        progress.close()
        if counts.failed_sources and status == "ok":
            status = "partial"
            counts.reasons["source.failed"] += len(counts.failed_sources)
        result = RunResult(
            run_id=run_id, items=counts.items, processed=counts.processed, skipped=counts.skipped,
            evidence=counts.evidence, contacts=len(counts.touched),
            seconds=time.perf_counter() - started,
            reasons=tuple(sorted(counts.reasons.items())),
            skipped_items=tuple(counts.skipped_items),
        )
        store.finish_run(run_id, status, {
            "items": result.items, "processed": result.processed, "skipped": result.skipped,
            "evidence": result.evidence, "contacts": result.contacts, "executor": executor.name,
            "failed_sources": len(counts.failed_sources), "reasons": dict(counts.reasons)})
    return result


@attrs.define
class _InFlight:
    handle: Any
    docs: list[Document]
    cursor: dict | None = None
    tries: int = 0
    rejected: list[SkippedItem] = attrs.field(factory=list)


def _run_source(pipeline, store, name, source, policy, counts, progress, executor, stop=None) -> None:
    """Read one source; process batches on the executor; commit each batch in order with
    the checkpoint that followed it, so a checkpoint never gets ahead of the store."""
    from .executors import UNREADABLE, BatchJob, run_batch

    cursor = store.get_cursor(name)
    before = (counts.items, counts.skipped)
    log.info("source %s: %s", name, "resuming from its checkpoint" if cursor else "first run")
    # workers that see this machine's files read them themselves: the source lists them only
    deferred = not executor.local and getattr(executor, "shares_files", False)
    # a source with nothing stored yet (a first run) has seen nothing: no query per item
    # (an id repeated inside that run is processed twice; its evidence ids make that idempotent)
    if store.has_items(name):
        context = SourceContext(is_seen=lambda item_id: store.is_seen(name, item_id), deferred=deferred)
    else:
        context = SourceContext(is_seen=lambda item_id: False, deferred=deferred)
    window: collections.deque[_InFlight] = collections.deque()
    # batches in flight; with workers, enough that each still has one queued while the
    # main process waits for the group of batches it commits next
    group = 1 if executor.local else COMMIT_GROUP
    depth = 0 if executor.local else 2 * executor.workers + group - 1
    key = digests = None
    if not executor.local:
        key = load_or_create_key(pipeline.config.privacy.secret_file or store.key_path)
        digests = tuple(store.suppression_digests())
    docs: list[Document | DeferredDocument] = []

    def submit(batch: list[Document | DeferredDocument]) -> Any:
        if executor.local:
            return executor.submit(
                lambda: run_batch(lambda d: process_document(pipeline, d, policy), batch), None)
        job = BatchJob(pipeline.config, key, digests, tuple(batch))
        try:
            return executor.submit(None, job)
        except Exception as exc:  # the pool broke (a worker died) before this batch went out
            if not hasattr(executor, "restart"):
                raise
            log.warning("source %s: the worker pool broke (%s); starting a new one", name, type(exc).__name__)
            executor.restart()
            for e in window:  # batches in flight on the broken pool are lost: send them again
                e.handle = executor.submit(None, BatchJob(pipeline.config, key, digests, tuple(e.docs)))
                e.tries += 1
            return executor.submit(None, job)

    def send() -> None:
        if docs:
            window.append(_InFlight(submit(list(docs)), list(docs)))
            docs.clear()
        while len(window) > depth:
            commit_oldest(group)

    def commit_oldest(n: int = 1) -> None:
        """Wait for the ``n`` oldest batches and commit them in one transaction, with the
        last checkpoint among them."""
        done: list[tuple[_InFlight, list]] = []
        for entry in list(window)[:n]:
            try:
                done.append((entry, entry.handle.result()))
            except ItemRejected:
                raise
            except Exception as exc:  # a worker died: its batch is computed again, nothing was stored
                if executor.local or entry.tries >= 2:
                    raise
                log.warning("source %s: a batch failed on a worker (%s); retrying it", name, type(exc).__name__)
                if hasattr(executor, "restart"):
                    executor.restart()
                for e in window:  # the other batches in flight shared the broken pool
                    e.handle = submit(e.docs)
                    e.tries += 1
                return commit_oldest(n)
        for _ in done:
            window.popleft()
        evidence: list[Evidence] = []
        skipped: list[SkippedItem] = []
        seen: list[tuple[str, str]] = []
        cursor: dict | None = None
        for entry, outcomes in done:
            unread = _collect(outcomes, evidence, skipped)
            seen += [(name, d.item_id) for d in entry.docs if not unread or d.item_id not in unread]
            seen += [(name, r.item_id) for r in entry.rejected]
            skipped += entry.rejected
            if entry.cursor is not None:
                cursor = entry.cursor
        counts.touched |= store.commit_batch(evidence, seen=seen, skipped=skipped,
                                             cursor=(name, cursor) if cursor is not None else None)
        progress.update(counts.processed + counts.skipped, counts.skipped)

    def _collect(outcomes: list, evidence: list[Evidence], skipped: list[SkippedItem]) -> set[str]:
        """Count one batch's outcomes into the run; returns the ids its worker could not read."""
        unread: set[str] = set()
        for out in outcomes:
            if out.reason is None:
                counts.processed += 1
                counts.evidence += len(out.evidence)
                evidence.extend(out.evidence)
            else:
                counts.skipped += 1
                counts.reasons[out.reason] += 1
                item = SkippedItem(source=name, item_id=out.item_id, stage=out.stage, reason=out.reason)
                if out.reason == UNREADABLE:  # not seen: a later run reads it again
                    unread.add(out.item_id)
                else:
                    skipped.append(item)
                if len(counts.skipped_items) < 1000:
                    counts.skipped_items.append(item)
                log.warning("skipped an item of %s: %s", name, out.reason)
        return unread

    def drain() -> None:
        send()
        while window:
            commit_oldest(group)

    for obj in source.read(cursor, context):
        if stop is not None and stop.is_set():
            break  # what was read so far is drained and committed below
        if isinstance(obj, Checkpoint):
            if obj.source != name:
                log.warning("source %s yielded a checkpoint for %s: ignored", name, obj.source)
                continue
            send()
            if window:
                window[-1].cursor = dict(obj.cursor)
            else:
                store.commit_batch([], cursor=(name, dict(obj.cursor)))
        elif isinstance(obj, Resync):
            drain()
            store.clear_cursor(name)
            store.audit("source.resync", {"source": name, "reason": obj.reason[:80]})
            log.info("source %s: resync (%s)", name, obj.reason[:80])
        elif isinstance(obj, (Document, DeferredDocument)):
            counts.items += 1
            docs.append(attrs.evolve(obj, source=name) if obj.source != name else obj)
            if len(docs) >= BATCH_ITEMS:
                send()
        elif isinstance(obj, Rejected):
            counts.items += 1
            counts.skipped += 1
            counts.reasons[obj.reason] += 1
            item = SkippedItem(source=name, item_id=obj.item_id, stage="source", reason=obj.reason)
            if len(counts.skipped_items) < 1000:
                counts.skipped_items.append(item)
            log.warning("skipped an item of %s: %s", name, obj.reason)
            send()  # keep order: the rejection is quarantined with the batch it follows
            if window:
                window[-1].rejected.append(item)
            else:
                store.commit_batch([], seen=[(name, obj.item_id)], skipped=[item])
        else:
            log.warning("source %s yielded a %s: ignored", name, type(obj).__name__)
    drain()
    log.info("source %s: %d items, %d skipped", name, counts.items - before[0], counts.skipped - before[1])


def publish_to_sinks(pipeline: Pipeline, store: SQLiteStore, policy: privacy.Policy) -> int:
    """Seal every publishable contact and hand the snapshot to each sink."""
    if hasattr(store, "refresh_changes"):
        store.refresh_changes()  # change events of this run, before sinks that send them
    sealed = list(sealed_contacts(store, policy))
    for kind, sink in pipeline.sinks:
        if hasattr(sink, "bind_store"):
            sink.bind_store(store)  # sinks with an outbox keep it in the run's store
        sink.write([require_sealed(r) for r in sealed])
    return len(sealed)


def sealed_contacts(store: SQLiteStore, policy: privacy.Policy,
                    ids: Iterable[int] | None = None) -> Iterator[SealedContact]:
    for contact in store.contacts(ids):
        record = privacy.publish_contact(contact, policy.suppressor)
        if record is not None:
            yield record
