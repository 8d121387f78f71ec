"""The scheduler: every source on its own schedule, one run at a time, stoppable.

Runs go through the core's public API (``build_pipeline`` + ``run_pipeline``), one
pipeline per source.  A single worker thread runs the due sources one after the other,
so a source never runs twice at once and the store has one writer.

Stopping (SIGTERM) sets an event; the source being read is wrapped so that it stops
yielding at the next item.  The engine then commits what it already read (each batch
with the checkpoint before it) and finishes the run normally: nothing read is lost,
the cursor never gets ahead of the store, and the next run resumes from the last
checkpoint (items already committed are skipped by ``is_seen``).

IMAP IDLE: the IMAP plugin's client offers no IDLE, so IMAP sources are polled on
their schedule (a short interval such as ``"every 2m"`` comes close to real time).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any, Callable, Iterator, Mapping

import attrs

from webleads_core import build_pipeline, open_store, run_pipeline

from .schedule import Schedule, parse_schedule
from .settings import ServeConfig
from .state import ServeState

log = logging.getLogger("webleads.serve.scheduler")


class _StoppingSource:
    """Delegates to a source and stops yielding once ``stop`` is set."""

    def __init__(self, inner: Any, stop: threading.Event) -> None:
        self._inner = inner
        self._stop = stop
        self.stopped = False

    def read(self, cursor: Mapping[str, Any] | None, context: Any) -> Iterator[Any]:
        it = self._inner.read(cursor, context)
        try:
            for obj in it:
                if self._stop.is_set():
                    self.stopped = True
                    return
                yield obj
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()


class Scheduler:
    """Runs the configured sources on their schedules in a background thread.

    Args:
        serve: the loaded configuration.
        state: where runs are recorded (besides the store's own ``runs`` table).
        pm: the plugin manager (None: a fresh one).
        clock: aware UTC now (tests).
    """

    def __init__(self, serve: ServeConfig, state: ServeState, *, pm: Any = None,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.serve = serve
        self.state = state
        self.pm = pm
        self._clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._manual: list[str] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.running_source: str | None = None
        self.schedules: dict[str, Schedule] = {
            s.name: serve.schedules.get(s.name) or parse_schedule("daily") for s in serve.config.sources}

    # -- control ----------------------------------------------------------------------------

    def start(self) -> None:
        self.state.mark_abandoned()
        self._thread = threading.Thread(target=self._loop, name="webleads-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> bool:
        """Ask the current run to stop at its next item and wait for the thread; True when done."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def trigger(self, source: str) -> bool:
        """Queue a manual run of one source (the API's ``POST /api/v1/runs``)."""
        if source not in self.schedules:
            return False
        with self._lock:
            if source not in self._manual:
                self._manual.append(source)
        self._wake.set()
        return True

    def next_runs(self) -> dict[str, str]:
        now = self._clock()
        return {name: sched.next_after(self.state.last_start(name), now).isoformat()
                for name, sched in self.schedules.items()}

    # -- the loop ---------------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stop.is_set():
            now = self._clock()
            due: list[tuple[str, str]] = []
            with self._lock:
                due.extend((s, "manual") for s in self._manual)
                self._manual.clear()
            wait = 60.0
            for name, sched in self.schedules.items():
                last = self.state.last_start(name)
                at = sched.next_after(last, now)
                if at <= now:
                    if all(n != name for n, _ in due):
                        due.append((name, "startup" if last is None else "schedule"))
                else:
                    wait = min(wait, (at - now).total_seconds())
            for name, trigger in due:
                if self._stop.is_set():
                    break
                self.run_source(name, trigger)
            if not due:
                self._wake.wait(max(0.05, wait))
                self._wake.clear()

    def run_source(self, name: str, trigger: str = "manual") -> str:
        """Run one source now (in the calling thread); returns the run's status."""
        conf = self.serve.config
        sconf = next(s for s in conf.sources if s.name == name)
        rid = self.state.begin_run(name, trigger)
        self.running_source = name
        status, store_run, counts = "failed", None, {}
        try:
            pipeline = build_pipeline(attrs.evolve(conf, sources=(sconf,)), pm=self.pm)
            wrapped = [(sc, _StoppingSource(src, self._stop)) for sc, src in pipeline.sources]
            pipeline = attrs.evolve(pipeline, sources=tuple(wrapped))
            with open_store(conf.store_url, privacy=conf.privacy) as store:
                result = run_pipeline(pipeline, store)
            store_run = result.run_id
            counts = {"items": result.items, "processed": result.processed, "skipped": result.skipped,
                      "evidence": result.evidence, "contacts": result.contacts}
            failed = any(k == "source.failed" for k, _ in result.reasons)
            stopped = any(w.stopped for _, w in wrapped)
            status = "stopped" if stopped else ("partial" if failed else "ok")
        except Exception as exc:  # one source's failure never stops the service
            log.error("scheduled run of %s failed: %s", name, type(exc).__name__)
            log.debug("run failure", exc_info=True)
        finally:
            self.running_source = None
            self.state.finish_run(rid, status, store_run, counts)
        log.info("run of %s (%s): %s %s", name, trigger, status, counts)
        return status
