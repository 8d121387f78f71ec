"""The run loop: skipped items, checkpoints after commit, resync, idempotence."""

from __future__ import annotations

import pytest

from webleads_core import Config, Document, build_pipeline, create_plugin_manager, hookimpl
from webleads_core.engine.run import run_pipeline
from webleads_core.records import Checkpoint, Rejected, Resync
from webleads_core.store import SQLiteStore

from webleads_core.testing.helpers import eml

GOOD = eml("Jane Doe <jane.doe@northwind-logistics.example>", "me@webleads-demo.example",
           "Hi\n\nBest regards,\nJane Doe\nHead of Operations\nNorthwind Logistics Ltd\nTel: +44 20 7946 0958\n")
GOOD2 = eml("Marc Olivier <marc.olivier@atelier-moreau.example>", "me@webleads-demo.example",
            "Bonjour\n\nCordialement,\nMarc Olivier\nDirecteur commercial\nAtelier Moreau SAS\n")


class ScriptSource:
    """Plays a script of documents, checkpoints, resyncs and failures."""

    script: list = []

    def __init__(self, config):
        self.name = config.name

    def read(self, cursor, context):
        ScriptSource.cursors.append(cursor)
        for step in ScriptSource.script:
            if step == "boom":
                raise ConnectionError("lost the server")
            if isinstance(step, tuple) and step[0] == "cp":
                yield Checkpoint(self.name, {"n": step[1]})
            elif step == "resync":
                yield Resync(self.name, "uidvalidity changed")
            elif isinstance(step, tuple) and step[0] == "rej":
                yield Rejected(self.name, step[1], "test.malformed")
            else:
                item_id, raw = step
                if not context.is_seen(item_id):
                    yield Document.from_email(self.name, item_id, raw, owner="me@webleads-demo.example")


class P:
    @hookimpl
    def register_sources(self, register):
        register("script", ScriptSource)


@pytest.fixture
def run(tmp_path):
    ScriptSource.cursors = []
    store = SQLiteStore(f"sqlite:///{tmp_path / 's.db'}")

    def go(script):
        ScriptSource.script = script
        pm = create_plugin_manager(autoload=False, plugins=(P(),))
        pipeline = build_pipeline(Config.from_dict({"sources": [{"type": "script", "name": "s"}]}), pm=pm)
        return run_pipeline(pipeline, store)

    yield go, store
    store.close()


def test_bad_items_are_skipped_with_a_reason_and_the_run_goes_on(run):
    go, store = run
    result = go([("a", GOOD), ("bad", b""), ("bad2", b"\x00" * 10), ("b", GOOD2), ("cp", 1)])
    assert result.items == 4 and result.processed == 2 and result.skipped == 2
    assert all(r.startswith(("mail.", "parse.")) for r, _ in result.reasons)
    assert store.counts()["quarantine"] == 2
    assert {e for c in store.contacts() for e in c.emails} >= {
        "jane.doe@northwind-logistics.example", "marc.olivier@atelier-moreau.example"}


def test_checkpoint_is_committed_only_with_what_came_before(run):
    go, store = run
    result = go([("a", GOOD), ("cp", 1), ("b", GOOD2), "boom"])
    assert store.get_cursor("s") == {"n": 1}
    assert ("source.failed", 1) in result.reasons
    emails = {e for c in store.contacts() for e in c.emails}
    assert "jane.doe@northwind-logistics.example" in emails
    # b came after the last checkpoint and the source died: not committed, it will be read again
    assert "marc.olivier@atelier-moreau.example" not in emails
    assert not store.is_seen("s", "b")
    result = go([("a", GOOD), ("b", GOOD2), ("cp", 2)])
    assert ScriptSource.cursors[-1] == {"n": 1}
    assert result.processed == 1 and store.get_cursor("s") == {"n": 2}


def test_resync_drops_the_cursor_and_dedup_keeps_counts(run):
    go, store = run
    go([("a", GOOD), ("b", GOOD2), ("cp", 5)])
    before = store.counts()
    # a rescan after a resync: same items (seen), nothing counted twice
    ScriptSource.script = []
    go(["resync", ("a", GOOD), ("b", GOOD2), ("cp", 1)])
    after = store.counts()
    assert after["evidence"] == before["evidence"] and after["contacts"] == before["contacts"]
    assert store.get_cursor("s") == {"n": 1}


def test_processing_the_same_item_twice_changes_nothing(tmp_path):
    import webleads_core as wl

    store_url = f"sqlite:///{tmp_path / 's.db'}"
    with wl.open_store(store_url) as store:
        pipeline = build_pipeline(Config())
        from webleads_core.engine.run import make_policy, process_document

        policy = make_policy(pipeline, store)
        doc = Document.from_email("x", "m1", GOOD)
        store.commit_batch(process_document(pipeline, doc, policy))
        first = (store.counts(), list(store.contacts()))
        store.commit_batch(process_document(pipeline, doc, policy))
        second = (store.counts(), list(store.contacts()))
    assert first[0] == second[0]
    assert [wl.contact_to_dict(c) | {"last_seen": 0, "first_seen": 0} for c in first[1]] == \
           [wl.contact_to_dict(c) | {"last_seen": 0, "first_seen": 0} for c in second[1]]


def test_runs_are_recorded_and_audited(run):
    go, store = run
    go([("a", GOOD), ("cp", 1)])
    runs = store.runs()
    assert runs[-1]["status"] == "ok" and runs[-1]["counts"]["processed"] == 1
    assert store.verify_audit()
    store.conn.execute("UPDATE audit SET detail='{}' WHERE id=1")
    assert not store.verify_audit()


def test_items_a_source_rejects_are_counted_and_quarantined(run):
    go, store = run
    result = go([("a", GOOD), ("rej", "broken-1"), ("b", GOOD2), ("cp", 1)])
    assert (result.items, result.processed, result.skipped) == (3, 2, 1)
    assert ("test.malformed", 1) in result.reasons
    assert store.counts()["quarantine"] == 1 and store.is_seen("s", "broken-1")


def test_a_stop_request_ends_the_run_cleanly(tmp_path):
    import threading

    stop = threading.Event()

    class Stopper:
        def __init__(self, config):
            self.name = config.name

        def read(self, cursor, context):
            yield Document.from_email(self.name, "a", GOOD, owner="me@webleads-demo.example")
            yield Checkpoint(self.name, {"n": 1})
            stop.set()  # SIGTERM arrives here
            yield Document.from_email(self.name, "b", GOOD2, owner="me@webleads-demo.example")
            yield Checkpoint(self.name, {"n": 2})

    class SP:
        @hookimpl
        def register_sources(self, register):
            register("stopper", Stopper)

    pm = create_plugin_manager(autoload=False, plugins=(SP(),))
    pipeline = build_pipeline(Config.from_dict({"sources": [{"type": "stopper", "name": "s"}]}), pm=pm)
    with SQLiteStore(f"sqlite:///{tmp_path / 's.db'}") as store:
        result = run_pipeline(pipeline, store, stop=stop)
        assert result.processed == 1 and store.get_cursor("s") == {"n": 1}
        assert store.runs()[-1]["status"] == "stopped"
        assert not store.is_seen("s", "b")
