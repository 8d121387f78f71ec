"""The SQLite store: identity resolution, merging, migrations, erasure."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from webleads_core import Evidence, StoreError
from webleads_core.store import SQLiteStore
from webleads_core.store.schema import MIGRATIONS

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def ev(field, value, subject, item="i1", subtype=None, conf=0.8, when=T0, source="s"):
    return Evidence(field=field, value=value, subject=subject, item_id=item, subtype=subtype, confidence=conf,
                    observed_at=when, source=source, extractor="t", method="m")


def test_same_email_merges_across_items(tmp_path):
    with SQLiteStore(f"sqlite:///{tmp_path / 's.db'}") as s:
        s.commit_batch([ev("email", "jane@acme.example", "email:jane@acme.example"),
                        ev("name", "Jane Doe", "email:jane@acme.example")])
        s.commit_batch([ev("email", "jane@acme.example", "email:jane@acme.example", item="i2"),
                        ev("title", "CTO", "email:jane@acme.example", item="i2")])
        (c,) = list(s.contacts())
        assert (c.name, c.title, c.emails) == ("Jane Doe", "CTO", ("jane@acme.example",))
        assert len(c.sources) == 2


def test_same_mobile_or_name_at_domain_links_and_merges(tmp_path):
    with SQLiteStore() as s:
        s.commit_batch([ev("email", "jane@acme.example", "a"), ev("name", "Jane Doe", "a")])
        s.commit_batch([ev("email", "jdoe@acme.example", "b"), ev("phone", "+447911123456", "b", subtype="mobile")])
        assert len(s.contact_ids()) == 2
        # one observation that links both: same name at the same company domain + the mobile
        s.commit_batch([ev("email", "j.doe@acme.example", "c", item="i3"), ev("name", "Jane  Doe", "c", item="i3"),
                        ev("phone", "+447911123456", "c", subtype="mobile", item="i3")])
        assert len(s.contact_ids()) == 1
        (c,) = list(s.contacts())
        assert set(c.emails) == {"jane@acme.example", "jdoe@acme.example", "j.doe@acme.example"}


def test_work_numbers_and_free_mail_do_not_merge_people(tmp_path):
    with SQLiteStore() as s:
        s.commit_batch([ev("email", "a@acme.example", "a"), ev("phone", "+442079460958", "a", subtype="work")])
        s.commit_batch([ev("email", "b@acme.example", "b"), ev("phone", "+442079460958", "b", subtype="work")])
        s.commit_batch([ev("email", "x@gmail.com", "x"), ev("name", "Jane Doe", "x")])
        s.commit_batch([ev("email", "y@gmail.com", "y"), ev("name", "Jane Doe", "y")])
        assert len(s.contact_ids()) == 4


def test_newer_title_wins(tmp_path):
    with SQLiteStore() as s:
        subj = "email:jane@acme.example"
        s.commit_batch([ev("email", "jane@acme.example", subj), ev("title", "Engineer", subj, item="1"),
                        ev("title", "Engineer", subj, item="2")])
        s.commit_batch([ev("title", "VP Engineering", subj, item="3", when=T0 + dt.timedelta(days=500)),
                        ev("title", "VP Engineering", subj, item="4", when=T0 + dt.timedelta(days=510))])
        (c,) = list(s.contacts())
        assert c.title == "VP Engineering"


def test_migrations_and_reopen(tmp_path):
    path = tmp_path / "s.db"
    with SQLiteStore(f"sqlite:///{path}") as s:
        s.commit_batch([ev("email", "jane@acme.example", "a")])
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    conn.close()
    with SQLiteStore(f"sqlite:///{path}") as s:
        assert s.counts()["evidence"] == 1
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        SQLiteStore(f"sqlite:///{path}")


def test_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "junk.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open store"):
        SQLiteStore(f"sqlite:///{bad}")
    assert bad.read_bytes() == b"this is not sqlite" * 100  # nothing damaged


def test_erase_leaves_no_trace_in_the_file(tmp_path):
    path = tmp_path / "s.db"
    with SQLiteStore(f"sqlite:///{path}") as s:
        s.commit_batch([ev("email", "zebulon.unique@acme.example", "a"), ev("name", "Zebulon Quux", "a")])
        s.commit_batch([ev("email", "other@acme.example", "b")])
        s.erase(s.find("zebulon.unique@acme.example"))
        assert len(s.contact_ids()) == 1
    data = path.read_bytes() + (path.with_name("s.db-wal").read_bytes() if path.with_name("s.db-wal").exists() else b"")
    assert b"zebulon" not in data.lower() and b"Quux" not in data


def test_a_store_from_before_migration_2_gets_its_lookups(tmp_path):
    """A v1 store (issue 9 added migration 2) keeps working: lookups are filled in on open,
    and find, match and the opt-out reach its old rows."""
    from webleads_core.privacy.operations import optout

    path = tmp_path / "old.db"
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript("BEGIN;" + MIGRATIONS[0] + ";PRAGMA user_version = 1;COMMIT;")
    conn.execute("INSERT INTO contacts VALUES (1, ?, ?)", (now, now))  # recent: within retention
    conn.execute("INSERT INTO identifiers VALUES ('email', 'jane+news@acme.example', 1)")
    conn.execute("INSERT INTO evidence VALUES ('e1', 1, 'email', 'jane+news@acme.example', NULL, 'person', "
                 "'sender', 's', 'i1', 'me@x.example', 't', '1', 'm', NULL, NULL, '2025-01-01T00:00:00+00:00', 0.9)")
    conn.execute("INSERT INTO evidence VALUES ('e2', 1, 'name', 'Jane Old', NULL, 'person', "
                 "'sender', 's', 'i1', 'me@x.example', 't', '1', 'm', NULL, NULL, '2025-01-01T00:00:00+00:00', 0.9)")
    conn.close()
    with SQLiteStore(f"sqlite:///{path}") as s:
        assert s.find("jane+news@acme.example") == [1]
        assert s.match("JANE@acme.example") == [1]
        assert s.contact(1).name == "Jane Old"
        s.commit_batch([ev("email", "jane+news@acme.example", "email:jane+news@acme.example", item="new")])
        assert s.contact_ids() == [1]  # resolved onto the old contact through its plain identifier
        assert optout(s, "jane@acme.example") == 1
        assert s.contact_ids() == [] and s.verify_audit()
    assert b"Jane Old" not in path.read_bytes()
