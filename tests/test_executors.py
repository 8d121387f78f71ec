"""Executors: worker processes and Dask give the same store as a local run, and a worker
killed mid-run loses and duplicates nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import pytest

import webleads_core as wl
from webleads_core import Config, build_pipeline, create_plugin_manager, hookimpl
from webleads_core.engine.executors import ProcessExecutor, make_executor
from webleads_core.engine.run import run_pipeline
from webleads_core.records import Checkpoint, Document
from webleads_core.store import SQLiteStore

MAILBOX = Path(__file__).resolve().parents[1] / "examples" / "mailbox"


def snapshot(path: Path) -> tuple:
    """The store's contents that must not depend on where the work ran."""
    conn = sqlite3.connect(path)
    ev = sorted(conn.execute("SELECT id, field, value, subtype, source, item_id, extractor, confidence FROM evidence"))
    items = sorted(conn.execute("SELECT source, digest FROM items"))
    cursors = sorted(conn.execute("SELECT source, cursor FROM sync_state"))
    contacts = conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
    conn.close()
    return ev, items, cursors, contacts


def run_into(tmp: Path, executor: str) -> tuple:
    conf = wl.load_config({"store": {"url": "sqlite:///s.db"},
                           "sources": [{"type": "maildir", "name": "demo", "owner": "me@webleads-demo.example",
                                        "path": str(MAILBOX)}]}, base_dir=tmp)
    result = wl.run(conf, executor=executor)
    assert result.processed == 57 and result.skipped == 0
    return snapshot(tmp / "s.db")


def test_bad_executor_spec_is_a_config_error():
    for spec in ("threads:2", "processes:0", "processes:x", "dask-local:"):
        with pytest.raises(wl.ConfigError):
            make_executor(spec)


def test_processes_give_the_same_store_as_local(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert run_into(tmp_path / "a", "local") == run_into(tmp_path / "b", "processes:2")


def test_batches_committed_in_groups_keep_every_checkpoint_and_item(tmp_path, monkeypatch):
    """Many small batches, committed two at a time by the workers' run: the store (evidence,
    seen items, the last checkpoint) is the local run's, and a second run finds nothing new."""
    from webleads_core.engine import run as run_mod

    monkeypatch.setattr(run_mod, "BATCH_ITEMS", 5)  # 12 batches: odd groups and a lone last one
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    local = run_into(tmp_path / "a", "local")
    assert local == run_into(tmp_path / "b", "processes:2")
    assert local[2], "the maildir source checkpoints"
    conf = wl.load_config({"store": {"url": "sqlite:///s.db"},
                           "sources": [{"type": "maildir", "name": "demo", "owner": "me@webleads-demo.example",
                                        "path": str(MAILBOX)}]}, base_dir=tmp_path / "b")
    again = wl.run(conf, executor="processes:2")
    assert (again.items, again.processed) == (0, 0)


def test_forked_workers_start_with_the_prefork_pipeline(tmp_path):
    """With the run's config, forked workers start after the main process built and warmed
    their pipeline: the worker reuses that object (its id is the parent's).  Where the pool
    is not forked (another system, or a threaded caller: loky), nothing is built ahead."""
    from webleads_core.engine import executors

    executors._WORKER_PIPELINES.clear()
    conf = Config.from_dict({"store": {"url": "sqlite:///s.db"}}, base_dir=tmp_path)
    ex = ProcessExecutor(1, conf)
    try:
        key = executors._config_key(conf)
        if ex.forked:
            parent = executors._WORKER_PIPELINES[key]
            assert parent.segmenter is not None
            assert ex._pool.submit(_worker_pipeline_id, key).result() == id(parent)
        else:
            assert key not in executors._WORKER_PIPELINES
    finally:
        ex.close()
        executors._WORKER_PIPELINES.clear()


def _worker_pipeline_id(key: str) -> int | None:
    from webleads_core.engine import executors

    p = executors._WORKER_PIPELINES.get(key)
    return None if p is None else id(p)


def test_dask_local_cluster_gives_the_same_store_as_local(tmp_path):
    pytest.importorskip("distributed", reason="the dask extra is installed by make test")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert run_into(tmp_path / "a", "local") == run_into(tmp_path / "b", "dask-local:2")


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d.name))
    return out


class KillingSource:
    """Yields the demo mailbox in small checkpointed steps; with ``kill_at`` set, kills a
    worker process at that message, while batches are in flight."""

    def __init__(self, config):
        self.name = config.name
        self.kill_at = config.options.get("kill_at")

    def read(self, cursor, context):
        files = sorted((MAILBOX / "cur").iterdir())
        for i, f in enumerate(files):
            if not context.is_seen(f.name):
                yield Document.from_email(self.name, f.name, f.read_bytes(), owner="me@webleads-demo.example")
            if i % 10 == 9:
                yield Checkpoint(self.name, {"n": i + 1})
            if i == self.kill_at:
                workers = [p for p in _children(os.getpid())
                           if b"resource_tracker" not in Path(f"/proc/{p}/cmdline").read_bytes()]
                assert workers, "no worker process to kill"
                for pid in workers:
                    os.kill(pid, signal.SIGKILL)
        yield Checkpoint(self.name, {"n": len(files)})


class KillPlugin:
    @hookimpl
    def register_sources(self, register):
        register("killing", KillingSource)


def test_a_killed_worker_loses_and_duplicates_nothing(tmp_path, monkeypatch):
    from webleads_core.engine import run as run_mod

    monkeypatch.setattr(run_mod, "BATCH_ITEMS", 4)  # many small batches in flight when the kill comes
    results = {}
    for mode, kill_at in (("local", None), ("processes:2", 30)):
        d = tmp_path / mode.replace(":", "")
        d.mkdir()
        pm = create_plugin_manager(plugins=(KillPlugin(),))  # workers load the same entry points
        conf = Config.from_dict({"store": {"url": "sqlite:///s.db"},
                                 "sources": [{"type": "killing", "name": "demo", "kill_at": kill_at}]
                                 if kill_at is not None else [{"type": "killing", "name": "demo"}]},
                                base_dir=d)
        ex = make_executor(mode)
        try:
            with SQLiteStore(conf.store_url) as store:
                r = run_pipeline(build_pipeline(conf, pm=pm), store, executor=ex)
        finally:
            ex.close()
        assert r.processed == 57 and r.skipped == 0, r
        results[mode] = snapshot(d / "s.db")
    assert results["local"] == results["processes:2"]
