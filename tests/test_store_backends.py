"""The store on both backends: the behaviours of tests/test_store.py and the store's key privacy
behaviours, run against SQLite and against a real PostgreSQL server; the two give the same
contents for the same input; PostgreSQL keeps identity resolution right with concurrent
writer processes; and a SQLite migration without a PostgreSQL counterpart is caught."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import multiprocessing
import os
import random
import signal
import sys
import time
from pathlib import Path

import attrs
import pytest

# the PostgreSQL fixtures (tests/conftest_pg.py) are a plugin of this module only
if str(Path(__file__).parent) not in sys.path:
    sys.path.append(str(Path(__file__).parent))
pytest_plugins = ["conftest_pg"]

import webleads_core as wl  # noqa: E402
from webleads_core import Evidence, StoreError  # noqa: E402
from webleads_core.engine.run import run_pipeline  # noqa: E402
from webleads_core.privacy.crypto import generate_keyring  # noqa: E402
from webleads_core.privacy.operations import optout  # noqa: E402
from webleads_core.store import SQLiteStore  # noqa: E402
from webleads_core.store import pg_schema  # noqa: E402
from webleads_core.store.pg_dialect import translate  # noqa: E402
from webleads_core.store.postgres import PostgresStore  # noqa: E402
from webleads_core.store.schema import MIGRATIONS  # noqa: E402

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
MAILBOX = Path(__file__).resolve().parents[1] / "examples" / "mailbox"


def ev(field, value, subject, item="i1", subtype=None, conf=0.8, when=T0, source="s", owner=""):
    return Evidence(field=field, value=value, subject=subject, item_id=item, subtype=subtype, confidence=conf,
                    observed_at=when, source=source, extractor="t", method="m", owner=owner)


class Backend:
    """Opens stores of one kind by name: the same name is the same store (reopen works)."""

    def __init__(self, kind, tmp_path, server=None):
        self.kind, self.tmp, self.server = kind, tmp_path, server
        self.keys = tmp_path / "keys"
        self._dbs: dict[str, str] = {}

    def url(self, name="s"):
        if self.kind == "sqlite":
            return f"sqlite:///{self.tmp / (name + '.db')}"
        if name not in self._dbs:
            self._dbs[name] = self.server.create_database()
        return self._dbs[name]

    def open(self, name="s", **kw):
        if self.kind == "sqlite":
            return SQLiteStore(self.url(name), **kw)
        return PostgresStore(self.url(name), key_dir=self.keys, **kw)

    def stored_bytes(self, name="s"):
        """What is on disk for the store (SQLite: file and WAL; PostgreSQL: the database's files)."""
        if self.kind == "sqlite":
            path = self.tmp / (name + ".db")
            return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
        return self.server.database_bytes(self.url(name))


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path):
    server = request.getfixturevalue("pg_server") if request.param == "postgres" else None
    return Backend(request.param, tmp_path, server)


@pytest.fixture
def pg(pg_server, tmp_path):
    return Backend("postgres", tmp_path, pg_server)


# -- tests/test_store.py, on both backends ------------------------------------------------------


def test_same_email_merges_across_items(backend):
    with backend.open() as s:
        s.commit_batch([ev("email", "jane@acme.example", "email:jane@acme.example"),
                        ev("name", "Jane Doe", "email:jane@acme.example")])
        s.commit_batch([ev("email", "jane@acme.example", "email:jane@acme.example", item="i2"),
                        ev("title", "CTO", "email:jane@acme.example", item="i2")])
        (c,) = list(s.contacts())
        assert (c.name, c.title, c.emails) == ("Jane Doe", "CTO", ("jane@acme.example",))
        assert len(c.sources) == 2


def test_same_mobile_or_name_at_domain_links_and_merges(backend):
    with backend.open() as s:
        s.commit_batch([ev("email", "jane@acme.example", "a"), ev("name", "Jane Doe", "a")])
        s.commit_batch([ev("email", "jdoe@acme.example", "b"), ev("phone", "+447911123456", "b", subtype="mobile")])
        assert len(s.contact_ids()) == 2
        s.commit_batch([ev("email", "j.doe@acme.example", "c", item="i3"), ev("name", "Jane  Doe", "c", item="i3"),
                        ev("phone", "+447911123456", "c", subtype="mobile", item="i3")])
        assert len(s.contact_ids()) == 1
        (c,) = list(s.contacts())
        assert set(c.emails) == {"jane@acme.example", "jdoe@acme.example", "j.doe@acme.example"}
        assert s.counts()["contacts"] == 1


def test_work_numbers_and_free_mail_do_not_merge_people(backend):
    with backend.open() as s:
        s.commit_batch([ev("email", "a@acme.example", "a"), ev("phone", "+442079460958", "a", subtype="work")])
        s.commit_batch([ev("email", "b@acme.example", "b"), ev("phone", "+442079460958", "b", subtype="work")])
        s.commit_batch([ev("email", "x@gmail.com", "x"), ev("name", "Jane Doe", "x")])
        s.commit_batch([ev("email", "y@gmail.com", "y"), ev("name", "Jane Doe", "y")])
        assert len(s.contact_ids()) == 4


def test_newer_title_wins(backend):
    with backend.open() as s:
        subj = "email:jane@acme.example"
        s.commit_batch([ev("email", "jane@acme.example", subj), ev("title", "Engineer", subj, item="1"),
                        ev("title", "Engineer", subj, item="2")])
        s.commit_batch([ev("title", "VP Engineering", subj, item="3", when=T0 + dt.timedelta(days=500)),
                        ev("title", "VP Engineering", subj, item="4", when=T0 + dt.timedelta(days=510))])
        (c,) = list(s.contacts())
        assert c.title == "VP Engineering"


def test_the_same_batch_twice_changes_nothing_and_checkpoints_follow_batches(backend):
    batch = [ev("email", "jane@acme.example", "email:jane@acme.example"), ev("name", "Jane Doe", "email:jane@acme.example")]
    with backend.open() as s:
        s.commit_batch(batch, seen=[("s", "i1")], cursor=("s", {"uid": 7}))
        before = s.counts()
        s.commit_batch(batch, seen=[("s", "i1")], cursor=("s", {"uid": 8}))
        assert s.counts() == before
        assert s.is_seen("s", "i1") and not s.is_seen("s", "i2")
        assert s.get_cursor("s") == {"uid": 8}
        with pytest.raises(ZeroDivisionError):  # a batch that fails leaves neither its rows nor its cursor
            s.commit_batch([ev("email", "bob@acme.example", "email:bob@acme.example")], seen=[("s", "i9")],
                           cursor=("s", {"uid": 1 / 0}))
        assert s.counts() == before and s.get_cursor("s") == {"uid": 8} and not s.is_seen("s", "i9")
    with backend.open() as s:
        assert s.get_cursor("s") == {"uid": 8}
        s.clear_cursor("s")
        assert s.get_cursor("s") is None


def test_migrations_and_reopen(backend):
    with backend.open() as s:
        s.commit_batch([ev("email", "jane@acme.example", "a")])
        (version,) = s.conn.execute("SELECT version FROM webleads_schema" if backend.kind == "postgres"
                                    else "PRAGMA user_version").fetchone()
        assert version == len(MIGRATIONS)
        s.conn.execute("UPDATE webleads_schema SET version=?" if backend.kind == "postgres"
                       else "PRAGMA user_version = 99", *([(len(MIGRATIONS) + 5,)] if backend.kind == "postgres"
                                                           else []))
    with pytest.raises(StoreError, match="newer"):
        backend.open()


def test_values_come_back_exactly_as_written(backend):
    """SQLite stores any string; PostgreSQL text cannot hold NUL: the adapter carries them."""
    odd = ["Zoë \x00 nul", "\x01starts with SOH", "\x02starts with STX", "100% ?", "it's", "ümlaut 名前 🙂", "\\x41"]
    with backend.open() as s:
        s.commit_batch([ev("email", "odd@acme.example", "email:odd@acme.example")]
                       + [ev("title", v, "email:odd@acme.example", item=f"i{i}") for i, v in enumerate(odd)])
        (cid,) = s.contact_ids()
        assert sorted(e["value"] for e in s.evidence_of(cid) if e["field"] == "title") == sorted(odd)
        s.meta_set("k", "\x01\x00x")
        assert s.meta_get("k") == "\x01\x00x"
        assert s.find("odd@acme.example") == [cid]


# -- privacy behaviour on both backends -----------------------------------------------------------


def test_erase_leaves_no_trace_in_the_stored_files(backend):
    with backend.open() as s:
        s.commit_batch([ev("email", "zebulon.unique@acme.example", "a"), ev("name", "Zebulon Quux", "a"),
                        ev("title", "Chief Zebra Officer", "a")])
        s.commit_batch([ev("email", "other@acme.example", "b"), ev("name", "Otto Other", "b")])
        assert b"Zebulon Quux" in backend.stored_bytes()  # the check below can see what is there
        assert s.erase(s.find("zebulon.unique@acme.example")) == 1
        assert len(s.contact_ids()) == 1
        data = backend.stored_bytes()
        assert b"zebulon" not in data.lower() and b"Quux" not in data and b"Zebra" not in data
        assert b"Otto Other" in data


def test_encrypted_store_holds_ciphertext_and_needs_its_key(backend):
    ring = generate_keyring()
    subj = "email:zebulon.unique@acme.example"
    with backend.open(keyring=ring) as s:
        assert s.encrypted
        s.commit_batch([ev("email", "zebulon.unique@acme.example", subj), ev("name", "Zebulon Quux", subj),
                        ev("phone", "+447700900123", subj, subtype="mobile", owner="owner-canary@me.example")])
        s.commit_batch([ev("email", "zebulon.unique@acme.example", subj, item="i2"), ev("title", "CZO", subj, item="i2")])
        (cid,) = s.contact_ids()  # identity resolution through blind indexes
        assert s.find("+447700900123") == [cid] and s.match("Zebulon.Unique+news@ACME.example") == [cid]
        assert (s.contact(cid).name, s.contact(cid).title) == ("Zebulon Quux", "CZO")
        s.set_pin(cid, "company", "Zebra Corp")
        assert s.contact(cid).company == "Zebra Corp"
        data = backend.stored_bytes()
        for bit in (b"zebulon", b"Quux", b"+447700900123", b"owner-canary", b"acme.example", b"Zebra Corp"):
            assert bit not in data, bit
    with pytest.raises(StoreError, match="key was not found"):
        backend.open()
    with pytest.raises(StoreError, match="wrong key"):
        backend.open(keyring=generate_keyring())
    with backend.open(keyring=ring) as s:
        assert s.contact(cid).name == "Zebulon Quux"


def test_a_plain_store_is_encrypted_in_place_and_rotated(backend):
    with backend.open() as s:
        s.commit_batch([ev("email", "zebulon.unique@acme.example", "a"), ev("name", "Zebulon Quux", "a")])
        s.set_pin(s.contact_ids()[0], "title", "Chief Zebra Officer")
        ring = generate_keyring()
        assert s.encrypt_with(ring) == 2 * 3 + 1  # two evidence rows of three values, one pin
        (cid,) = s.find("zebulon.unique@acme.example")
        assert (s.contact(cid).name, s.contact(cid).title) == ("Zebulon Quux", "Chief Zebra Officer")
        data = backend.stored_bytes()
        assert b"Zebulon" not in data and b"Zebra" not in data
        assert s.reencrypt(ring.with_new_data_key()) == 7
        assert s.contact(cid).name == "Zebulon Quux"
        assert s.verify_audit()


def test_optout_erases_and_blocks_later_batches(backend):
    with backend.open() as s:
        s.commit_batch([ev("email", "jane@acme.example", "email:jane@acme.example"),
                        ev("phone", "+447911123456", "email:jane@acme.example", subtype="mobile")])
        s.commit_batch([ev("email", "bob@acme.example", "email:bob@acme.example")])
        assert optout(s, "Jane+x@ACME.example") == 1
        s.commit_batch([ev("email", "jane@acme.example", "email:jane@acme.example", item="later")])
        assert [c.emails for c in s.contacts()] == [("bob@acme.example",)]
        assert [r["kind"] for r in s.requests()] == ["objection"]
        assert s.verify_audit()


def test_restriction_pins_and_retention(backend):
    clock_now = [dt.datetime(2026, 1, 31, tzinfo=dt.timezone.utc)]
    with backend.open(clock=lambda: clock_now[0]) as s:
        s.commit_batch([ev("email", "jane@acme.example", "a"), ev("title", "Engineer", "a")])
        s.commit_batch([ev("email", "bob@acme.example", "b")])
        jane, bob = s.find("jane@acme.example")[0], s.find("bob@acme.example")[0]
        s.set_pin(jane, "title", "Chief Engineer")
        s.set_pin(jane, "title", "Principal Engineer")  # replaced, not duplicated
        assert s.pins_of(jane) == [("title", "Principal Engineer")]
        s.restrict(jane)
        s.restrict(jane)
        assert [c.id for c in s.contacts()] == [bob]
        assert s.contact(jane) is None and next(s.contacts([jane], include_hidden=True)).title == "Principal Engineer"
        clock_now[0] += dt.timedelta(days=3000)
        report = s.purge_expired()
        assert (report["contacts"], report["kept_restricted"]) == (1, 1)
        assert s.lift_restriction(jane) and not s.lift_restriction(jane)
        assert s.purge_expired()["contacts"] == 1 and s.contact_ids() == []


def test_audit_is_chained_anchored_and_append_only(backend):
    with backend.open() as s:
        for i in range(4):
            s.audit("test.event", {"n": i, "who": "jane@acme.example"})
        assert s.audit_report().ok and s.audit_report().entries == 4
        assert "acme" not in json.dumps(s.audit_entries())
        with pytest.raises(Exception, match="append-only"):
            s.conn.execute("DELETE FROM audit WHERE id=2")
        if backend.kind == "postgres":
            with pytest.raises(Exception, match="append-only"):
                s.conn.execute("TRUNCATE audit")
        s.conn.execute("UPDATE audit SET detail=? WHERE id=3", ('{"n": 9}',))
        report = s.audit_report()
        assert not report.ok and report.first_bad == 3


def test_changes_and_outbox(backend):
    with backend.open() as s:
        subj = "email:jane@acme.example"
        batches = [[ev("email", "jane@acme.example", subj, item=f"a{i}", owner=f"o{i}@x.example"),
                    ev("title", "Engineer", subj, item=f"a{i}", owner=f"o{i}@x.example")] for i in range(3)]
        batches += [[ev("email", "jane@acme.example", subj, item=f"b{i}", owner=f"o{i}@x.example",
                        when=T0 + dt.timedelta(days=400 + i)),
                     ev("title", "CTO", subj, item=f"b{i}", owner=f"o{i}@x.example", when=T0 + dt.timedelta(days=400 + i))]
                    for i in range(3)]
        for b in batches:
            s.commit_batch(b)
        events = s.changes()
        assert [(e.kind, e.before, e.after) for e in events] == [("job", {"title": "Engineer"}, {"title": "CTO"})]
        assert s.changes() == events  # replaying changes nothing
        (cid,) = s.contact_ids()
        assert s.outbox_put("t1", [("k1", "change", cid, '{"é": "\\u00e9"}'), ("k2", "contact", cid, "{}")]) == 2
        assert s.outbox_put("t1", [("k1", "change", cid, "{}")]) == 0
        pending = s.outbox_pending("t1")
        assert [(p["key"], p["body"]) for p in pending] == [("k1", '{"é": "\\u00e9"}'), ("k2", "{}")]
        s.outbox_mark(pending[0]["id"], status="delivered", attempts=1)
        assert s.outbox_counts("t1") == {"delivered": 1, "pending": 1}
        s.set_webhook_digest("t1", cid, "d1")
        s.set_webhook_digest("t1", cid, "d2")
        assert s.webhook_digest("t1", cid) == "d2"


# -- the same input gives the same store on both backends ------------------------------------------


def crowd_batches(seed=7, people=40, batches=60):
    """Overlapping observations: second addresses, shared mobiles and names at company
    domains link people, so contacts are created, found and merged."""
    rnd = random.Random(seed)
    out = []
    for b in range(batches):
        batch = []
        for g in range(rnd.randint(1, 5)):
            p = rnd.randrange(people)
            email = f"p{p}{'.alt' if rnd.random() < 0.3 else ''}@co{p % 6}.example"
            subj = f"email:{email}"
            item = f"m{b}-{g}"
            when = T0 + dt.timedelta(days=rnd.randrange(600))
            owner = f"owner{rnd.randrange(4)}@me.example"
            batch.append(ev("email", email, subj, item=item, when=when, owner=owner))
            if rnd.random() < 0.6:
                batch.append(ev("name", f"Person {p} Surname{p}", subj, item=item, when=when, owner=owner))
            if rnd.random() < 0.4:
                batch.append(ev("title", rnd.choice(["Engineer", "CTO", "Buyer"]), subj, item=item, when=when,
                                owner=owner))
            if rnd.random() < 0.3:
                q = p if rnd.random() < 0.8 else rnd.randrange(people)  # sometimes a mobile links two people
                batch.append(ev("phone", f"+4479111{q:05d}", subj, subtype="mobile", item=item, when=when,
                                owner=owner))
        out.append(batch)
    return out


def snapshot(store):
    """The store's contents, independent of contact numbering and of write order."""
    contacts = sorted(repr(attrs.asdict(attrs.evolve(c, id=0))) for c in store.contacts(include_hidden=True))
    evidence = sorted((tuple(sorted(store.contact(cid).emails)), e["field"], e["value"], e["item_id"], e["owner"],
                       e["confidence"], e["observed_at"])
                      for cid in store.contact_ids() for e in store.evidence_of(cid))
    events = sorted((tuple(sorted(store.contact(e.contact_id).emails)), e.kind, e.at.isoformat(),
                     json.dumps([e.before, e.after, e.support, e.confidence], sort_keys=True))
                    for e in store.changes())
    counts = {k: v for k, v in store.counts().items() if k != "runs"}
    lifetimes = sorted((tuple(sorted(store.contact(cid).emails)), first.isoformat(), last.isoformat())
                       for cid, (first, last) in store.lifetimes().items())
    return contacts, evidence, events, counts, lifetimes


def partition(store):
    return sorted(tuple(sorted(c.emails)) for c in store.contacts(include_hidden=True))


def test_the_same_batches_give_the_same_store_on_both_backends(tmp_path, pg):
    batches = crowd_batches()
    now = [T0]
    stores = [SQLiteStore(f"sqlite:///{tmp_path / 'ref.db'}", clock=lambda: now[0]), pg.open(clock=lambda: now[0])]
    try:
        for i, b in enumerate(batches):
            now[0] = T0 + dt.timedelta(days=i)  # contacts' first collection and last observation differ
            if i == 30:  # an opted-out person's later observations touch no one
                for s in stores:
                    optout(s, "p3@co3.example")
            if i == 20:  # subjects' corrections follow their contact through later merges
                for s in stores:
                    for p in range(12):
                        for cid in s.find(f"p{p}.alt@co{p % 6}.example")[:1]:
                            s.set_pin(cid, "title", f"Pinned {p}")
            for s in stores:
                s.commit_batch(b)
        ref, other = (snapshot(s) for s in stores)
        emails = {e.value for b in batches for e in b if e.field == "email"}
        assert ref[3]["contacts"] < len(emails) - 10 and ref[3]["evidence"] > 300  # merges happened
        assert ref[2] and ref[3]["pins"] and ref[3]["suppressions"]  # and change events, pins, an opt-out
        assert other == ref
    finally:
        for s in stores:
            s.close()


def test_a_pipeline_run_gives_the_same_store_on_both_backends(tmp_path, pg):
    conf = wl.load_config({"sources": [{"type": "maildir", "name": "demo", "owner": "me@webleads-demo.example",
                                        "path": str(MAILBOX)}]}, base_dir=tmp_path)
    pipeline = wl.build_pipeline(conf)
    with SQLiteStore(f"sqlite:///{tmp_path / 'ref.db'}") as ref, pg.open() as other:
        a = run_pipeline(pipeline, ref, publish=False)
        b = run_pipeline(pipeline, other, publish=False)
        assert (a.processed, a.skipped, a.evidence) == (b.processed, b.skipped, b.evidence) and a.processed == 57
        assert snapshot(other)[:4] == snapshot(ref)[:4]  # lifetimes are the real clock's: they differ
        cursors = "SELECT source, cursor FROM sync_state ORDER BY source"
        assert other.conn.execute(cursors).fetchall() == ref.conn.execute(cursors).fetchall()
        assert other.verify_audit() and [r["status"] for r in other.runs()] == ["ok"]


# -- concurrent writers ------------------------------------------------------------------------------


def _writer(url, key_dir, batches, start, conn):
    try:
        with PostgresStore(url, key_dir=key_dir) as s:
            start.wait(30)
            rid = s.begin_run()
            for b in batches:
                s.commit_batch(b, seen=[("s", e.item_id) for e in b])
            s.finish_run(rid, "ok", {"batches": len(batches)})
        conn.send("ok")
    except BaseException as exc:  # pragma: no cover - reported to the test
        conn.send(f"{type(exc).__name__}: {exc}")


def test_concurrent_writers_resolve_identities_like_one_writer(tmp_path, pg):
    """Four processes write interleaved batches about the same people at the same time: the
    contacts (which addresses belong together), the evidence and the seen items are exactly
    those of one writer doing everything alone; nothing is duplicated, the audit chain holds."""
    batches = crowd_batches(seed=11, people=30, batches=120)
    with SQLiteStore(f"sqlite:///{tmp_path / 'ref.db'}") as ref:
        for b in batches:
            ref.commit_batch(b, seen=[("s", e.item_id) for e in b])
        want_partition, want_counts = partition(ref), ref.counts()
    url = pg.url()
    with pg.open() as s:
        s.audit("test.start", {})  # creates the audit key before the writers race for it
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    procs, pipes = [], []
    for w in range(4):
        mine = batches[w::4]
        ctx_rnd = random.Random(w)
        ctx_rnd.shuffle(mine)
        parent, child = ctx.Pipe()
        p = ctx.Process(target=_writer, args=(url, pg.keys, mine, start, child))
        p.start()
        procs.append(p)
        pipes.append(parent)
    start.set()
    results = [pp.recv() if pp.poll(60) else "timeout" for pp in pipes]
    for p in procs:
        p.join(10)
    assert results == ["ok"] * 4
    with pg.open() as s:
        assert partition(s) == want_partition
        counts = s.counts()
        for k in ("contacts", "evidence", "items"):
            assert counts[k] == want_counts[k], k
        orphans = s.conn.execute("SELECT count(*) FROM identifiers i LEFT JOIN contacts c ON c.id = i.contact_id "
                                 "WHERE c.id IS NULL").fetchone()[0]
        bare = s.conn.execute("SELECT count(*) FROM contacts c WHERE NOT EXISTS "
                              "(SELECT 1 FROM identifiers i WHERE i.contact_id = c.id)").fetchone()[0]
        assert (orphans, bare) == (0, 0)
        assert s.audit_report().ok and s.audit_report().entries == 1 + 4 * 2


def _hold_a_batch(url, key_dir, ready):
    s = PostgresStore(url, key_dir=key_dir)
    lock = s._lock_batch
    s._lock_batch = lambda idents: (lock(idents), ready.set(), time.sleep(60))  # type: ignore[method-assign]
    s.commit_batch([ev("email", "jane@acme.example", "a"), ev("name", "Killed Writer", "a")])


def test_a_writer_killed_mid_batch_leaves_nothing_and_blocks_no_one(pg):
    url = pg.url()
    with pg.open() as s:
        s.audit("test.start", {})
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    p = ctx.Process(target=_hold_a_batch, args=(url, pg.keys, ready))
    p.start()
    assert ready.wait(30)  # the child holds Jane's locks inside its transaction
    os.kill(p.pid, signal.SIGKILL)
    p.join(10)
    with pg.open() as s:
        s.commit_batch([ev("email", "jane@acme.example", "a", item="i2"), ev("name", "Jane Doe", "a", item="i2")])
        (c,) = list(s.contacts())
        assert c.name == "Jane Doe" and s.counts()["evidence"] == 2


# -- PostgreSQL specifics ------------------------------------------------------------------------------


def test_every_sqlite_migration_has_a_current_postgres_counterpart():
    assert pg_schema.missing() == [], "write the PostgreSQL DDL for these migrations in store/pg_schema.py"
    assert pg_schema.stale() == [], ("these SQLite migrations changed after their PostgreSQL counterpart was "
                                     "written: update store/pg_schema.py (and its fingerprint)")


def test_a_migration_without_counterpart_stops_the_open_with_its_number(pg, monkeypatch):
    last = len(MIGRATIONS)
    monkeypatch.setattr(pg_schema, "MIGRATIONS", {n: m for n, m in pg_schema.MIGRATIONS.items() if n != last})
    with pytest.raises(StoreError, match=f"migration {last} has no PostgreSQL counterpart"):
        pg.open()


def test_a_store_from_before_migration_2_gets_its_lookups(pg):
    import psycopg

    url = pg.url()
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    with psycopg.connect(url, autocommit=True) as raw:
        raw.execute(pg_schema.MIGRATIONS[1].ddl)
        raw.execute("CREATE TABLE webleads_schema (version BIGINT NOT NULL); INSERT INTO webleads_schema VALUES (1)")
        raw.execute("INSERT INTO contacts VALUES (1, %s, %s)", (now, now))
        raw.execute("SELECT setval(pg_get_serial_sequence('contacts', 'id'), 1)")
        raw.execute("INSERT INTO identifiers VALUES ('email', 'jane+news@acme.example', 1)")
        for eid, field, value in (("e1", "email", "jane+news@acme.example"), ("e2", "name", "Jane Old")):
            raw.execute("INSERT INTO evidence VALUES (%s, 1, %s, %s, NULL, 'person', 'sender', 's', 'i1', "
                        "'me@x.example', 't', '1', 'm', NULL, NULL, '2025-01-01T00:00:00+00:00', 0.9)",
                        (eid, field, value))
    with pg.open() as s:
        assert s.find("jane+news@acme.example") == [1]
        assert s.match("JANE@acme.example") == [1]
        assert s.contact(1).name == "Jane Old"
        s.commit_batch([ev("email", "jane+news@acme.example", "email:jane+news@acme.example", item="new")])
        assert s.contact_ids() == [1]
        s.commit_batch([ev("email", "new@acme.example", "email:new@acme.example")])
        assert s.contact_ids() == [1, 2]  # the identity sequence continues after the old rows
        assert optout(s, "jane@acme.example") == 1 and s.contact_ids() == [2]


def test_bad_urls_and_unreachable_servers_are_one_line_without_the_password(pg_server, tmp_path):
    with pytest.raises(StoreError, match="not a postgresql URL"):
        PostgresStore("mysql://x@y/z", key_dir=tmp_path)
    closed = pg_server.port + 1 if pg_server.port < 65535 else 1
    for url in (f"postgresql://webleads:Sup3rSecretPw@127.0.0.1:{closed}/x",
                pg_server.url_for("no_such_db").replace("webleads@", "webleads:Sup3rSecretPw@")):
        with pytest.raises(StoreError, match="cannot open store") as info:
            PostgresStore(url, key_dir=tmp_path, connect_timeout=3)
        assert "Sup3rSecretPw" not in str(info.value) and "\n" not in str(info.value)
    good = pg_server.create_database().replace("webleads@", "webleads:Sup3rSecretPw@")
    with PostgresStore(good, key_dir=tmp_path) as s:
        assert "Sup3rSecretPw" not in repr(s) and "Sup3rSecretPw" not in repr(s.conn)


def test_database_errors_name_no_value(pg):
    import psycopg

    with pg.open() as s:
        s.commit_batch([ev("email", "jane.secret@acme.example", "a")])
        with pytest.raises(psycopg.errors.UniqueViolation) as info:
            s.conn.execute("INSERT INTO identifiers SELECT kind, value, contact_id FROM identifiers")
        assert "jane" not in str(info.value) and "unique constraint" in str(info.value)


def test_keys_live_outside_the_database_in_the_key_dir(pg):
    with pg.open(privacy=wl.config.PrivacyConfig(encrypt=True)) as s:
        s.commit_batch([ev("email", "jane@acme.example", "a")])
        s.audit("x", {})
        assert s.encrypted and s.store_key_path.exists() and s.key_path.exists()
        assert s.store_key_path.parent == pg.keys and oct(s.store_key_path.stat().st_mode & 0o777) == "0o600"
    with pg.open() as s:  # found again in the key dir
        assert s.encrypted and s.find("jane@acme.example") and s.audit_report().ok


def test_the_postgres_store_sets_up_what_the_sqlite_store_does(pg):
    """PostgresStore.__init__ mirrors SQLiteStore.__init__: a new attribute there must be set here."""
    with SQLiteStore() as a, pg.open() as b:
        assert set(vars(a)) <= set(vars(b))


@pytest.mark.parametrize("sql, want", [
    ("INSERT OR IGNORE INTO items VALUES (?,?,?)", "INSERT INTO items VALUES (%s,%s,%s) ON CONFLICT DO NOTHING"),
    ("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
     "INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value=EXCLUDED.value"),
    ("UPDATE contacts SET created_at=min(created_at, (SELECT created_at FROM contacts WHERE id=?)) WHERE id=?",
     "UPDATE contacts SET created_at=LEAST(created_at, (SELECT created_at FROM contacts WHERE id=%s)) WHERE id=%s"),
    ("SELECT max(observed_at) FROM evidence WHERE x LIKE '%?'", "SELECT max(observed_at) FROM evidence WHERE x LIKE '%%?'"),
])
def test_translation(sql, want):
    from webleads_core.store.pg_dialect import Table

    catalog = {"meta": Table(("key", "value"), ("key",), None), "items": Table(("source", "digest", "seen_at"),
                                                                                ("source", "digest"), None)}
    assert translate(sql, catalog).sql == want


# -- the privacy request tests of tests/test_privacy_requests.py, on PostgreSQL ------------------------
# Every test there that takes the `store` fixture runs here again with a PostgreSQL store, except
# those that read the SQLite file itself (erasure on disk is checked above for both backends).

import test_privacy_requests as _requests  # noqa: E402

pipeline = _requests.pipeline
clock = _requests.clock


@pytest.fixture
def store(pg, clock):
    with pg.open(clock=clock) as s:
        yield s


for _name, _fn in list(vars(_requests).items()):
    if (_name.startswith("test_") and callable(_fn) and "store" in inspect.signature(_fn).parameters
            and "read_bytes" not in inspect.getsource(_fn)):
        globals()[_name + "__on_postgres"] = _fn


def test_webleads_run_into_postgresql_from_a_config_file(pg_url, tmp_path, monkeypatch):
    """The whole CLI path: a config whose [store] is a postgresql:// URL."""
    from webleads_core.testing.helpers import run_cli

    mailbox = Path(__file__).resolve().parents[1] / "examples" / "mailbox"
    monkeypatch.setenv("WEBLEADS_PG_KEY_DIR", str(tmp_path / "keys"))
    cfg = tmp_path / "webleads.toml"
    cfg.write_text(f'[store]\nurl = "{pg_url}"\n[[sources]]\ntype = "maildir"\nname = "demo"\n'
                   f'owner = "me@webleads-demo.example"\npath = "{mailbox}"\n')
    r = run_cli("run", "-c", str(cfg), "--format", "json", env={"WEBLEADS_PG_KEY_DIR": str(tmp_path / "keys")})
    assert r.returncode == 0, r.stderr
    import json

    assert json.loads(r.stdout)["processed"] == 57
    listing = run_cli("contacts", "list", "-c", str(cfg), "--format", "jsonl",
                      env={"WEBLEADS_PG_KEY_DIR": str(tmp_path / "keys")})
    assert listing.returncode == 0, listing.stderr
    emails = {e for line in listing.stdout.splitlines() for e in json.loads(line)["emails"]}
    assert "jane.okafor@northwind-logistics.example" in emails


def test_the_privacy_commands_work_on_a_postgres_store(tmp_path, pg, capsys, monkeypatch):
    """`webleads privacy ...` with a config whose store is PostgreSQL: no file is looked for."""
    from webleads_core.cli.main import main

    monkeypatch.chdir(tmp_path)
    jane = "jane.okafor@northwind-logistics.example"
    cfg = tmp_path / "webleads.toml"
    cfg.write_text(f'[store]\nurl = "{pg.url()}"\n\n[[sources]]\ntype = "maildir"\nname = "demo"\n'
                   f'owner = "me@webleads-demo.example"\npath = "{MAILBOX}"\n')
    assert main(["run", "-c", str(cfg)]) == 0
    capsys.readouterr()
    assert main(["privacy", "export", jane, "-c", str(cfg), "--format", "json"]) == 0
    assert jane in capsys.readouterr().out
    assert main(["privacy", "erase", jane, "-c", str(cfg)]) == 0
    capsys.readouterr()
    main(["privacy", "export", jane, "-c", str(cfg), "--format", "json"])
    assert "Okafor" not in capsys.readouterr().out
    assert main(["privacy", "ropa", "-c", str(cfg), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)
    assert main(["privacy", "encrypt", "-c", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "SQLite" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    with pg.open() as store:
        assert not [c for c in store.contacts() if jane in c.emails]
