"""Encryption at rest: personal columns are AES-GCM ciphertext, lookups go through blind
indexes, a store without its key (or with the wrong one) stops with a clear error,
keys rotate, and a plain store converts without leaving plain bytes behind."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3

import pytest

from webleads_core import Evidence, StoreError
from webleads_core.privacy.crypto import (ENV_KEY, generate_keyring, keyring_from_master, read_keyring,
                                          write_keyring)
from webleads_core.privacy.operations import encrypt_store, optout, rotate_store_key
from webleads_core.store import SQLiteStore, open_store
from webleads_core.testing.helpers import run_cli

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
SECRET_BITS = (b"zebulon", b"Quux", b"Chief Zebra Officer", b"+447700900123", b"owner-canary", b"item-canary")


def ev(field, value, subject, item="item-canary-1", subtype=None):
    return Evidence(field=field, value=value, subject=subject, item_id=item, subtype=subtype, confidence=0.8,
                    observed_at=T0, source="s", extractor="t", method="m", owner="owner-canary@me.example")


def fill(store):
    subj = "email:zebulon.unique@acme.example"
    store.commit_batch([ev("email", "zebulon.unique@acme.example", subj), ev("name", "Zebulon Quux", subj),
                        ev("title", "Chief Zebra Officer", subj),
                        ev("phone", "+447700900123", subj, subtype="mobile")])
    store.commit_batch([ev("email", "other@acme.example", "email:other@acme.example", item="item-canary-2")])


def file_bytes(path):
    data = path.read_bytes()
    for suffix in ("-wal", "-journal"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            data += extra.read_bytes()
    return data


@pytest.fixture
def keyfile(tmp_path):
    path = tmp_path / "keys"
    write_keyring(path, generate_keyring())
    return path


def test_personal_columns_are_ciphertext_and_lookups_still_work(tmp_path, keyfile):
    path = tmp_path / "e.db"
    with SQLiteStore(f"sqlite:///{path}", keyring=read_keyring(keyfile)) as s:
        assert s.encrypted
        fill(s)
        (cid,) = s.find("zebulon.unique@acme.example")
        assert s.find("+447700900123") == [cid]
        assert s.match("Zebulon.Unique+news@ACME.example") == [cid]
        assert set(s.match("@acme.example")) == set(s.contact_ids())
        c = s.contact(cid)
        assert (c.name, c.title, c.phones[0].number) == ("Zebulon Quux", "Chief Zebra Officer", "+447700900123")
        assert s.evidence_of(cid)[0]["owner"] == "owner-canary@me.example"
        # identity resolution through blind indexes: the same email merges
        s.commit_batch([ev("email", "zebulon.unique@acme.example", "email:zebulon.unique@acme.example",
                           item="item-canary-3"), ev("title", "CZO", "email:zebulon.unique@acme.example",
                                                     item="item-canary-3")])
        assert len(s.contact_ids()) == 2
    data = file_bytes(path)
    for bit in SECRET_BITS + (b"acme.example",):
        assert bit not in data, bit
    assert oct(keyfile.stat().st_mode & 0o777) == "0o600"


def test_a_store_copied_without_its_key_says_so(tmp_path, keyfile):
    path = tmp_path / "e.db"
    with SQLiteStore(f"sqlite:///{path}", keyring=read_keyring(keyfile)) as s:
        fill(s)
    copy = tmp_path / "elsewhere" / "copy.db"
    copy.parent.mkdir()
    shutil.copy(path, copy)
    before = copy.read_bytes()
    with pytest.raises(StoreError, match="encrypted and its key was not found"):
        open_store(f"sqlite:///{copy}")
    with pytest.raises(StoreError, match="does not open"):
        SQLiteStore(f"sqlite:///{copy}", keyring=generate_keyring())
    assert copy.read_bytes() == before  # nothing damaged
    r = run_cli("contacts", "list", "--store", str(copy))
    assert r.returncode == 5 and r.stderr.count("\n") == 1 and "key was not found" in r.stderr
    r = run_cli("privacy", "export", "zebulon.unique@acme.example", "--store", str(copy))
    assert r.returncode == 5 and "Traceback" not in r.stderr


def test_tampered_ciphertext_fails_its_integrity_check(tmp_path, keyfile):
    path = tmp_path / "e.db"
    with SQLiteStore(f"sqlite:///{path}", keyring=read_keyring(keyfile)) as s:
        fill(s)
    conn = sqlite3.connect(path, isolation_level=None)
    # move one row's encrypted title onto another row: the associated data no longer matches
    rows = conn.execute("SELECT id, value FROM evidence WHERE field IN ('name', 'title') ORDER BY field").fetchall()
    conn.execute("UPDATE evidence SET value=? WHERE id=?", (rows[1][1], rows[0][0]))
    conn.close()
    with SQLiteStore(f"sqlite:///{path}", keyring=read_keyring(keyfile)) as s:
        with pytest.raises(StoreError, match="integrity"):
            list(s.contacts())


def test_environment_master_key(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_KEY, os.urandom(32).hex())
    path = tmp_path / "env.db"
    with open_store(f"sqlite:///{path}") as s:
        assert s.encrypted
        fill(s)
    with open_store(f"sqlite:///{path}") as s:
        assert len(list(s.contacts())) == 2
    monkeypatch.setenv(ENV_KEY, os.urandom(32).hex())
    with pytest.raises(StoreError, match="does not open"):
        open_store(f"sqlite:///{path}")
    monkeypatch.setenv(ENV_KEY, "not a key")
    from webleads_core import ConfigError

    with pytest.raises(ConfigError, match=ENV_KEY):
        open_store(f"sqlite:///{path}")


def test_a_plain_store_is_not_silently_left_plain(tmp_path, monkeypatch):
    path = tmp_path / "p.db"
    with SQLiteStore(f"sqlite:///{path}") as s:
        fill(s)
    monkeypatch.setenv(ENV_KEY, os.urandom(32).hex())
    with pytest.raises(StoreError, match="privacy encrypt"):
        open_store(f"sqlite:///{path}")


def test_converting_a_plain_store_leaves_no_plain_byte(tmp_path):
    path = tmp_path / "p.db"
    with SQLiteStore(f"sqlite:///{path}") as s:
        fill(s)
        optout(s, "other@acme.example")
        assert b"Zebulon" in file_bytes(path)
        dest = encrypt_store(s)
        assert dest == tmp_path / "p.db.keys" and s.encrypted
        assert s.match("zebulon.unique@acme.example") and s.contact(s.find("zebulon.unique@acme.example")[0]).name
    data = file_bytes(path)
    for bit in SECRET_BITS:
        assert bit not in data, bit
    with open_store(f"sqlite:///{path}") as s:  # found <store>.keys next to it
        (c,) = list(s.contacts())
        assert c.title == "Chief Zebra Officer"
        assert s.verify_audit()


def test_key_rotation_reencrypts_and_retires(tmp_path, keyfile):
    path = tmp_path / "r.db"
    with SQLiteStore(f"sqlite:///{path}", keyring=read_keyring(keyfile)) as s:
        fill(s)
        before = {r[0]: r[1] for r in s.conn.execute("SELECT id, value FROM evidence")}
        _, n = rotate_store_key(s, key_file=keyfile, retire=True)
        assert n == 3 * len(before)
        after = {r[0]: r[1] for r in s.conn.execute("SELECT id, value FROM evidence")}
        assert set(after) == set(before) and all(after[k] != before[k] for k in before)
    ring = read_keyring(keyfile)
    assert [v for v, _ in ring.data_keys] == [2]
    with SQLiteStore(f"sqlite:///{path}", keyring=ring) as s:
        assert {c.name for c in s.contacts()} == {"Zebulon Quux", None}
        assert [e["action"] for e in s.audit_entries()][-1] == "store.rotate_key"


def test_rotation_needs_a_key_file(tmp_path):
    from webleads_core import ConfigError

    with SQLiteStore(f"sqlite:///{tmp_path / 'm.db'}", keyring=keyring_from_master(os.urandom(32))) as s:
        with pytest.raises(ConfigError, match="key file"):
            rotate_store_key(s)


def test_encrypt_true_in_config_creates_the_key(tmp_path):
    from webleads_core.config import Config

    conf = Config.from_dict({"store": {"url": "sqlite:///c.db"}, "privacy": {"encrypt": True}}, base_dir=tmp_path)
    with open_store(conf.store_url, privacy=conf.privacy) as s:
        assert s.encrypted
        fill(s)
    assert (tmp_path / "c.db.keys").exists()
    with open_store(conf.store_url) as s:
        assert len(list(s.contacts())) == 2


def test_encrypt_and_rotate_cli(tmp_path, capsys, monkeypatch):
    from webleads_core.cli.main import main

    monkeypatch.setenv("WEBLEADS_DISABLE_PLUGIN_AUTOLOAD", "1")
    path = tmp_path / "cli.db"
    with SQLiteStore(f"sqlite:///{path}") as s:
        fill(s)
    assert main(["privacy", "encrypt", "--store", str(path)]) == 0
    assert (tmp_path / "cli.db.keys").exists()
    assert main(["privacy", "encrypt", "--store", str(path)]) == 2
    assert "already encrypted" in capsys.readouterr().err
    assert main(["privacy", "rotate-key", "--store", str(path)]) == 0
    assert "re-encrypted" in capsys.readouterr().out
    assert main(["contacts", "show", "zebulon.unique@acme.example", "--store", str(path), "--format", "json"]) == 0
    assert "Chief Zebra Officer" in capsys.readouterr().out
    for bit in SECRET_BITS:
        assert bit not in file_bytes(path)
