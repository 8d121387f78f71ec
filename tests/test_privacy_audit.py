"""The audit log: append-only, hash-chained, anchored outside the store; tampering of any
kind is detected, by the API and by `webleads privacy audit verify` (exit 4)."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from webleads_core.privacy.audit import entry_hash, sanitize
from webleads_core.store import SQLiteStore
from webleads_core.testing.helpers import run_cli


@pytest.fixture
def logged(tmp_path):
    path = tmp_path / "a.db"
    with SQLiteStore(f"sqlite:///{path}") as s:
        for i in range(5):
            s.audit("test.event", {"n": i, "subject": "0123456789abcdef"})
    return path


def verify(path):
    with SQLiteStore(f"sqlite:///{path}") as s:
        return s.audit_report()


def raw(path):
    conn = sqlite3.connect(path, isolation_level=None)
    return conn


def test_intact_log_verifies(logged):
    report = verify(logged)
    assert report.ok and report.entries == 5 and report.anchored


def test_edited_entry_is_detected(logged):
    raw(logged).execute("UPDATE audit SET detail='{\"n\": 9}' WHERE id=3")
    report = verify(logged)
    assert not report.ok and report.first_bad == 3


def test_a_consistently_rewritten_chain_is_detected_by_the_anchor(logged):
    conn = raw(logged)
    rows = conn.execute("SELECT id, at, action, detail FROM audit ORDER BY id").fetchall()
    prev = "0" * 64
    for rid, at, action, detail in rows:  # rewrite entry 2 and recompute every hash after it
        if rid == 2:
            detail = json.dumps({"n": 42})
        h = entry_hash(prev, at, action, detail)
        conn.execute("UPDATE audit SET detail=?, prev_hash=?, hash=? WHERE id=?", (detail, prev, h, rid))
        prev = h
    report = verify(logged)
    assert not report.ok and "anchor" in report.problem


def test_cutting_off_the_tail_is_detected(logged):
    conn = raw(logged)
    conn.execute("DROP TRIGGER audit_append_only")  # a tamperer can drop the trigger...
    conn.execute("DELETE FROM audit WHERE id >= 4")
    report = verify(logged)  # ...but not forge the anchor
    assert not report.ok and "anchor" in report.problem


def test_an_appended_forged_entry_is_detected(logged):
    conn = raw(logged)
    last = conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()[0]
    h = entry_hash(last, "2030-01-01T00:00:00+00:00", "run.start", "{}")
    conn.execute("INSERT INTO audit (at, action, detail, prev_hash, hash) VALUES (?,?,?,?,?)",
                 ("2030-01-01T00:00:00+00:00", "run.start", "{}", last, h))
    assert not verify(logged).ok


def test_deleting_entries_is_refused(logged):
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw(logged).execute("DELETE FROM audit WHERE id=1")


def test_missing_key_is_reported_not_hidden(logged):
    (logged.parent / "a.db.key").unlink()
    report = verify(logged)
    assert not report.ok and "key is missing" in report.problem


def test_details_are_pseudonymous():
    clean = sanitize({"email": "jane@x.example", "phone": "+44 20 7946 0958", "url": "https://x.example/jane",
                      "digest": hashlib.sha256(b"x").hexdigest()[:16], "n": 3, "ok": True,
                      "when": "2026-01-01T10:00:00+00:00", "nested": {"who": "bob@y.example"}})
    assert clean["email"] == clean["phone"] == clean["url"] == "[removed]"
    assert clean["nested"] == {"who": "[removed]"}
    assert clean["n"] == 3 and clean["ok"] is True and len(clean["digest"]) == 16
    assert clean["when"].startswith("2026-01-01")


def test_audit_verify_cli_exit_codes(logged, capsys, monkeypatch):
    from webleads_core.cli.main import main

    monkeypatch.setenv("WEBLEADS_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert main(["privacy", "audit", "verify", "--store", str(logged)]) == 0
    assert "intact (5 entries, anchor checked)" in capsys.readouterr().out
    assert main(["privacy", "audit-verify", "--store", str(logged)]) == 0  # the old spelling
    raw(logged).execute("UPDATE audit SET action='run.finish' WHERE id=1")
    r = run_cli("privacy", "audit", "verify", "--store", str(logged))  # the real command, in a subprocess
    assert r.returncode == 4 and "TAMPERED" in r.stdout and "entry 1" in r.stdout and "Traceback" not in r.stderr
