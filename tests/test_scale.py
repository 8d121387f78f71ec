"""Scaling with worker processes (issue 10): the main process only lists items and writes
the store, so what it does must be cheap *and* give the same store as before:

- batched identity resolution (one lookup per batch, rows written per table) gives the
  store that resolving each group on its own gives, merges included;
- file sources hand workers references instead of bytes, which read the same bytes;
- an item a worker cannot read is skipped, not marked seen, and read on the next run.
"""

from __future__ import annotations

import datetime as dt
import functools
import pickle
import random
import sqlite3

import webleads_core as wl
from webleads_core import Evidence, SourceConfig, build_pipeline, create_plugin_manager, hookimpl
from webleads_core.components import DeferredDocument, SourceContext
from webleads_core.default_plugins import local_mail
from webleads_core.engine.executors import UNREADABLE, ProcessExecutor, make_executor, run_batch
from webleads_core.engine.run import run_pipeline
from webleads_core.records import Checkpoint, Document
from webleads_core.store import SQLiteStore
from webleads_core.testing.samples import SAMPLES

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def _ev(field, value, subject, item, subtype=None):
    return Evidence(field=field, value=value, subject=subject, item_id=item, subtype=subtype, source="s",
                    extractor="t", method="m", observed_at=T0, confidence=0.7)


def _crowd(seed: int, batches: int = 80, people: int = 40) -> list[list[Evidence]]:
    """Batches of several subjects; second addresses, shared mobiles and names at company
    domains link people, so contacts are found again and merged inside a batch too."""
    rnd = random.Random(seed)
    out = []
    for b in range(batches):
        batch = []
        for g in range(rnd.randint(1, 8)):
            p = rnd.randrange(people)
            email = f"p{p}{'.alt' if rnd.random() < 0.3 else ''}@co{p % 5}.example"
            subj, item = f"email:{email}", f"m{b}-{g}"
            batch.append(_ev("email", email, subj, item))
            if rnd.random() < 0.6:
                batch.append(_ev("name", f"Person{p} Surname{p}", subj, item))
            if rnd.random() < 0.3:
                q = p if rnd.random() < 0.7 else rnd.randrange(people)
                batch.append(_ev("phone", f"+4479111{q:05d}", subj, item, subtype="mobile"))
        out.append(batch)
    return out


def _tables(path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}"))
                for t in ("contacts", "identifiers", "evidence", "dirty", "items")}
    finally:
        conn.close()


def test_batched_resolution_gives_the_store_of_one_group_at_a_time(tmp_path):
    batches = _crowd(seed=5)
    now = [T0]
    with SQLiteStore(f"sqlite:///{tmp_path / 'batched.db'}", clock=lambda: now[0]) as a, \
            SQLiteStore(f"sqlite:///{tmp_path / 'single.db'}", clock=lambda: now[0]) as b:
        merged = 0
        for i, batch in enumerate(batches):
            now[0] = T0 + dt.timedelta(hours=i)
            seen = sorted({("s", e.item_id) for e in batch})
            a.commit_batch(batch, seen=seen)
            before = len(b.contact_ids())
            subjects = list(dict.fromkeys(e.subject for e in batch))
            for subj in subjects:  # the same groups, in the same order, one transaction each
                b.commit_batch([e for e in batch if e.subject == subj])
            b.commit_batch([], seen=seen)
            merged += before + len(subjects) - len(b.contact_ids())
        assert merged > 0 and a.counts()["contacts"] < 40 * 2
    assert _tables(tmp_path / "batched.db") == _tables(tmp_path / "single.db")


def test_a_merge_inside_a_batch_moves_the_batch_own_rows(tmp_path):
    with SQLiteStore(f"sqlite:///{tmp_path / 's.db'}") as s:
        s.commit_batch([_ev("email", "jane@acme.example", "a", "1"), _ev("email", "jd@acme.example", "b", "1")])
        assert len(s.contact_ids()) == 2
        # one batch: a new observation of each, then one that links both (a merge)
        s.commit_batch([_ev("title", "CTO", "email:jane@acme.example", "2"),
                        _ev("email", "jane@acme.example", "email:jane@acme.example", "2"),
                        _ev("title", "Buyer", "email:jd@acme.example", "2"),
                        _ev("email", "jd@acme.example", "email:jd@acme.example", "2"),
                        _ev("email", "jane@acme.example", "c", "3"), _ev("email", "jd@acme.example", "c", "3")])
        (cid,) = s.contact_ids()
        assert {r["value"] for r in s.evidence_of(cid)} == {"jane@acme.example", "jd@acme.example", "CTO", "Buyer"}
        assert [r[0] for r in s.conn.execute("SELECT contact_id FROM dirty")] == [cid]


def test_a_deferred_document_reads_what_the_source_would_have_read(tmp_path):
    for i, (_, text) in enumerate(SAMPLES[:5]):
        (tmp_path / f"m{i}.eml").write_text(text + "\n" + "filler line\n" * 2000)  # 24 kB or more
    src = local_mail.EmlSource(SourceConfig(name="e", type="eml", owner="me@x.example",
                                            options={"path": str(tmp_path)}))
    plain = [d for d in src.read(None, SourceContext()) if isinstance(d, Document)]
    refs = [d for d in src.read(None, SourceContext(deferred=True)) if not isinstance(d, Checkpoint)]
    assert len(plain) == len(refs) == min(5, len(SAMPLES)) and all(isinstance(r, DeferredDocument) for r in refs)
    for doc, ref in zip(plain, refs):
        shipped = pickle.loads(pickle.dumps(ref))  # what a worker receives: a path, not the bytes
        assert len(pickle.dumps(ref)) < 1000 < 20_000 < len(doc.content)
        got = shipped.document()
        assert (got.item_id, got.owner, got.kind, got.content) == (doc.item_id, doc.owner, doc.kind, doc.content)


class _Vanishing:
    """An eml folder whose files may disappear between listing and reading."""

    def __init__(self, config):
        self.inner = local_mail.EmlSource(config)

    def read(self, cursor, context):
        for obj in self.inner.read(cursor, SourceContext(is_seen=context.is_seen, deferred=True)):
            if isinstance(obj, DeferredDocument) and obj.item_id == "gone.eml":
                obj = DeferredDocument(obj.source, obj.item_id, obj.owner,
                                       functools.partial(local_mail.read_capped, "/nonexistent/gone.eml"))
            yield obj


class _VanishingPlugin:
    @hookimpl
    def register_sources(self, register):
        register("vanishing", _Vanishing)


def test_an_unreadable_item_is_skipped_but_not_marked_seen(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    for name, (_, text) in zip(("a.eml", "gone.eml", "b.eml"), SAMPLES):
        (folder / name).write_text(text)
    conf = wl.Config.from_dict({"store": {"url": "sqlite:///s.db"},
                                "sources": [{"type": "vanishing", "name": "v", "path": str(folder)}]},
                               base_dir=tmp_path)
    pipeline = build_pipeline(conf, pm=create_plugin_manager(plugins=(_VanishingPlugin(),)))
    with SQLiteStore(conf.store_url) as store:
        r = run_pipeline(pipeline, store)
        assert (r.items, r.processed, r.skipped, dict(r.reasons)) == (3, 2, 1, {UNREADABLE: 1})
        assert not store.is_seen("v", "gone.eml") and store.is_seen("v", "a.eml")
        assert store.counts()["quarantine"] == 0
    # the next run (the file readable again) reads it, and only it
    conf2 = wl.Config.from_dict({"store": {"url": "sqlite:///s.db"},
                                 "sources": [{"type": "eml", "name": "v", "path": str(folder)}]}, base_dir=tmp_path)
    with SQLiteStore(conf2.store_url) as store:
        r = run_pipeline(build_pipeline(conf2), store)
        assert (r.items, r.processed) == (1, 1) and store.is_seen("v", "gone.eml")


def test_run_batch_reads_references_and_reports_unreadable_ones(tmp_path):
    good = tmp_path / "good.eml"
    good.write_bytes(SAMPLES[0][1].encode())
    refs = [DeferredDocument("s", "good", "", functools.partial(local_mail.read_capped, str(good))),
            DeferredDocument("s", "bad", "", functools.partial(local_mail.read_capped, str(tmp_path / "no.eml")))]
    got = run_batch(lambda d: [_ev("email", "x@y.example", "a", d.item_id)] if d.content else [], refs)
    assert [(o.item_id, len(o.evidence), o.reason) for o in got] == [("good", 1, None), ("bad", 0, UNREADABLE)]


def test_workers_on_this_machine_get_references_a_remote_cluster_would_not():
    ex = make_executor("processes:1")
    try:
        assert isinstance(ex, ProcessExecutor) and ex.shares_files and not ex.local
    finally:
        ex.close()
