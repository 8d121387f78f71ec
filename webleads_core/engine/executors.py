"""Where the CPU-heavy stages run: in this process, in local worker processes, or on Dask.

Work is shipped in batches of documents (a task per item would cost milliseconds of
overhead each).  Workers run parse, segment, purge, extract, privacy and score, and send
back only the privacy-checked evidence; the store and the checkpoints stay in the main
process, so a batch's checkpoint is committed only after its evidence is stored, and a
batch lost with a dead worker is simply computed again (nothing was stored from it).

Workers build their own pipeline from the configuration with the plugins installed
through entry points; plugins registered programmatically exist only in the local
executor.

The main process lists items, writes the store and nothing else, because with N workers
its time per item bounds the whole run: executors whose workers see the same files
(``processes:N``, ``dask-local:N``) get :class:`DeferredDocument` references from file
sources and the workers read the bytes themselves; workers start (and import the
pipeline's modules) while the main process opens the store and lists the first items.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import pickle
from concurrent.futures import Future
from typing import Any, Callable, Sequence

import attrs

from ..components import DeferredDocument
from ..config import Config
from ..errors import ConfigError, ItemRejected
from ..records import Document, Evidence

log = logging.getLogger("webleads.executors")


@attrs.frozen
class Outcome:
    """What became of one document on a worker: evidence, or a skip with its reason."""

    item_id: str
    evidence: tuple[Evidence, ...] = ()
    reason: str | None = None
    stage: str = ""


@attrs.frozen
class BatchJob:
    """A batch of documents and what a worker needs to process them."""

    config: Config
    key: bytes = attrs.field(repr=False)
    digests: tuple[str, ...] = attrs.field(repr=False)
    docs: tuple[Document | DeferredDocument, ...] = attrs.field(repr=False)


_WORKER_PIPELINES: dict[str, Any] = {}  # per worker process: built once per configuration


def _config_key(config: Config) -> str:
    return hashlib.sha256(pickle.dumps(config)).hexdigest()


def prefork(config: Config) -> None:
    """In the main process, before workers are forked from it: build and warm the
    workers' pipeline for ``config``, so each forked worker starts with it ready (see
    :mod:`webleads_core.engine.warmup`)."""
    from .pipeline import build_pipeline
    from .warmup import warm

    try:
        pipeline = build_pipeline(config, sources=())
    except Exception:  # the first batch reports any real problem, as without a prefork
        log.debug("prefork failed", exc_info=True)
        return
    warm(pipeline)
    _WORKER_PIPELINES[_config_key(config)] = pipeline


def process_batch(job: BatchJob) -> list[Outcome]:
    """Run on a worker: build (or reuse) the pipeline, process each document."""
    from ..privacy import stage as privacy
    from ..privacy.suppress import Suppressor
    from .pipeline import build_pipeline
    from .run import process_document

    pipeline = _WORKER_PIPELINES.get(_config_key(job.config))
    if pipeline is None:
        pipeline = build_pipeline(job.config, sources=())
        _WORKER_PIPELINES[_config_key(job.config)] = pipeline
    policy = privacy.Policy(suppressor=Suppressor(job.key, job.digests), rules=pipeline.privacy_rules,
                            extra_redact=pipeline.extra_redact)
    return run_batch(lambda doc: process_document(pipeline, doc, policy), job.docs)


#: The reason of an item a worker could not read: counted as skipped, but neither marked
#: seen nor quarantined, so the next run tries it again (as a source does with a file it
#: cannot read).
UNREADABLE = "source.unreadable"


def single_threaded_blas() -> contextlib.AbstractContextManager[Any]:
    """BLAS limited to one thread while a batch runs.

    Models apply their weights to one message's few dozen lines at a time; on such small
    matrices OpenBLAS's own threads only spin, and with one worker per core they fight
    the other workers (measured: a sixth of the CPU of a run with the ML segmenter).
    The limit is lifted when the batch ends, so a host application keeps its setting."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def one_blas_thread() -> None:
    """In a worker process of our own pool (one per core, one batch at a time): BLAS on one
    thread for the process's life.  Raising and lowering the limit around every batch made
    OpenBLAS start its threads again after each one (measured: 0.25 s of the two workers'
    5.6 s CPU on the real-mail corpus)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return
    threadpool_limits(limits=1, user_api="blas")


def _loky_worker_start() -> None:
    one_blas_thread()
    warm_up()


def run_batch(fn: Callable[[Document], list[Evidence]],
              docs: Sequence[Document | DeferredDocument]) -> list[Outcome]:
    with single_threaded_blas():
        return _run_batch(fn, docs)


def _run_batch(fn: Callable[[Document], list[Evidence]],
               docs: Sequence[Document | DeferredDocument]) -> list[Outcome]:
    out = []
    for doc in docs:
        if isinstance(doc, DeferredDocument):
            try:
                doc = doc.document()
            except OSError:
                out.append(Outcome(doc.item_id, reason=UNREADABLE, stage="source"))
                continue
        try:
            out.append(Outcome(doc.item_id, tuple(fn(doc))))
        except ItemRejected as exc:
            out.append(Outcome(doc.item_id, reason=exc.reason, stage=exc.stage))
    return out


def warm_up() -> None:
    """Run on a new worker: import what a batch needs and load the installed plugins, so
    the worker's start-up overlaps with the main process's instead of delaying its first batch."""
    try:
        from .pipeline import build_pipeline
        from .warmup import warm

        warm(build_pipeline(Config(), sources=()))
    except Exception:  # best effort: the first batch reports any real problem
        log.debug("warm-up failed", exc_info=True)


class Handle:
    """A batch in flight."""

    def __init__(self, future: Future | Any | None = None, value: list[Outcome] | None = None) -> None:
        self.future, self.value = future, value

    def result(self) -> list[Outcome]:
        return self.value if self.future is None else self.future.result()


class LocalExecutor:
    """Everything in this process (the default): no pickling, programmatic plugins work."""

    name = "local"
    workers = 1
    local = True
    shares_files = True

    def submit(self, fn: Callable[[], list[Outcome]], job: BatchJob | None) -> Handle:
        return Handle(value=fn())

    def close(self) -> None:
        pass


class ProcessExecutor:
    """``processes:N``: N local worker processes.

    On Linux, when the calling process runs a single thread (``webleads run``, ``wl.run``),
    the workers are forked at once: they start with every module and plugin the main
    process already imported, instead of spending most of a second each importing them
    again; given the run's configuration, the main process also builds and warms their
    pipeline once before the fork (:func:`prefork`), so the workers share what it loaded.
    Elsewhere (other systems, a threaded host such as a web server, where forking is
    unsafe) joblib's loky starts fresh interpreters.  A pool broken by a dead worker is
    replaced by :meth:`restart`.
    """

    local = False
    shares_files = True  # the workers run on this machine: they can read the source's files

    def __init__(self, workers: int, config: Config | None = None) -> None:
        self.workers = workers
        self.name = f"processes:{workers}"
        self.forked = False
        self._config = config
        self._pool = self._new_pool()

    def _new_pool(self) -> Any:
        import sys
        import threading

        if sys.platform == "linux" and threading.active_count() == 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            if self._config is not None and not self.forked:
                prefork(self._config)  # once: a pool started again after a crash forks it warm too
            pool: Any = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"),
                                            initializer=one_blas_thread)
            self.forked = True
        else:
            from joblib.externals.loky import get_reusable_executor

            pool = get_reusable_executor(max_workers=self.workers, timeout=60, initializer=_loky_worker_start)
            self.forked = False
        pool.submit(int)  # start the workers now (before any thread of the run exists)
        return pool

    def submit(self, fn: Callable[[], list[Outcome]], job: BatchJob) -> Handle:
        return Handle(self._pool.submit(process_batch, job))

    def restart(self) -> None:
        old, self._pool = self._pool, None
        try:
            old.shutdown(wait=False, cancel_futures=True)
        except TypeError:  # loky's shutdown has no cancel_futures
            old.shutdown(wait=False)
        self._pool = self._new_pool()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)


class DaskExecutor:
    """``dask-local:N`` (a LocalCluster) or ``dask://HOST:PORT`` (an existing scheduler).

    Dask reschedules the tasks of a worker that dies; ``retries`` covers tasks that fail.
    """

    local = False

    def __init__(self, address: str | None = None, workers: int = 2) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ConfigError("the dask executors need the extra: pip install 'webleads-core[dask]'") from None
        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                         dashboard_address=None)
            self.client = Client(self._cluster)
            self.name = f"dask-local:{workers}"
        else:
            self.client = Client(address, timeout=30)
            self.name = f"dask://{address.removeprefix('tcp://')}"
        # a LocalCluster's workers read this machine's files; a remote cluster's may not
        self.shares_files = address is None
        info = self.client.scheduler_info().get("workers", {})
        self.workers = max(1, len(info) or workers)
        # one warm-up per worker, not awaited (the futures are kept: Dask drops unreferenced ones)
        self._warming = [self.client.submit(warm_up, pure=False, workers=[w], allow_other_workers=True)
                         for w in info]

    def submit(self, fn: Callable[[], list[Outcome]], job: BatchJob) -> Handle:
        return Handle(self.client.submit(process_batch, job, pure=False, retries=2))

    def restart(self) -> None:
        pass

    def close(self) -> None:
        self._warming = []
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(spec: str | None,
                  config: Config | None = None) -> LocalExecutor | ProcessExecutor | DaskExecutor:
    """Parse ``--executor``: ``local``, ``processes:N``, ``dask-local:N``, ``dask://HOST:PORT``.

    ``config``, the run's configuration, lets forked workers start with its pipeline
    built and warm (:func:`prefork`); without it they build it on their first batch."""
    spec = (spec or "local").strip()
    try:
        if spec == "local":
            return LocalExecutor()
        if spec.startswith("processes:"):
            return ProcessExecutor(_count(spec.split(":", 1)[1]), config)
        if spec.startswith("dask-local:"):
            return DaskExecutor(None, _count(spec.split(":", 1)[1]))
        if spec.startswith(("dask://", "tcp://")):
            return DaskExecutor("tcp://" + spec.split("://", 1)[1])
    except ValueError:
        pass
    raise ConfigError(f"--executor {spec!r}: use local, processes:N, dask-local:N or dask://HOST:PORT")


def _count(text: str) -> int:
    n = int(text)
    if not 1 <= n <= 512:
        raise ValueError(text)
    return n
