"""Acceptance: ``webleads run`` with a ``gmail`` source syncs the stand-in mailbox fully,
then incrementally, then recovers from an expired history id, and the store ends up
identical to one made by a single clean full sync of the same mailbox."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from webleads_core.store import open_store
from webleads_core.testing.helpers import run_cli
from webleads_gmail.testing.helpers import fill


def _config(folder: Path, standin, token_file: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "webleads.toml"
    path.write_text(f"""
[store]
url = "sqlite:///store.db"

[[sources]]
type = "gmail"
name = "work-gmail"
owner = "me@standin.example"
token_file = "{token_file}"
api_endpoint = "{standin.url}"
allow_networks = ["127.0.0.0/8"]
max_gets_per_second = 0
""")
    return path


def _run(config: Path) -> dict:
    res = run_cli("run", "-c", str(config), "--format", "json", "--no-progress")
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[0])


def _snapshot(folder: Path) -> dict:
    """What a store holds, independent of the order things arrived in."""
    db = folder / "store.db"
    conn = sqlite3.connect(db)
    items = {r[0] for r in conn.execute("SELECT digest FROM items WHERE source='work-gmail'")}
    evidence = {r[0] for r in conn.execute("SELECT id FROM evidence")}
    quarantine = set(conn.execute("SELECT digest, stage, reason FROM quarantine"))
    conn.close()
    with open_store(f"sqlite:///{db}") as store:
        contacts = sorted(
            json.dumps([c.name, c.title, c.company, sorted(c.emails), sorted((p.number, p.type) for p in c.phones),
                        c.address, sorted(c.websites), sorted(c.social), c.kind])
            for c in store.contacts())
        cursor = store.get_cursor("work-gmail")
    return {"items": items, "evidence": evidence, "quarantine": quarantine, "contacts": contacts, "cursor": cursor}


def test_full_then_incremental_then_expired_history_equals_one_clean_sync(standin, token_file, tmp_path):
    box = standin.mailbox
    fill(standin, 80)
    junk = fill(standin, 1, start=900)[0]
    box.messages[junk].raw_override = "this is not base64url!"
    fill(standin, 2, start=950, labels=("SPAM",))
    config = _config(tmp_path / "synced", standin, token_file)

    full = _run(config)
    assert full["items"] == 81 and full["skipped"] == 1
    assert full["reasons"] == {"gmail.raw_invalid": 1}  # counted and quarantined by the engine
    assert standin.calls["messages.get"] == 81 and "history.list" not in standin.calls
    first = _snapshot(tmp_path / "synced")
    assert len(first["items"]) == 81 and first["contacts"]  # the rejected one is marked seen
    assert first["cursor"]["history_id"] == box.history_id

    fill(standin, 20, start=200)
    lists, gets = standin.calls["messages.list"], standin.calls["messages.get"]
    incremental = _run(config)
    assert incremental["items"] == 20
    assert standin.calls["messages.list"] == lists and standin.calls["history.list"] == 1
    assert standin.calls["messages.get"] - gets == 20
    assert _snapshot(tmp_path / "synced")["cursor"]["history_id"] == box.history_id

    fill(standin, 10, start=300)
    box.expire_history()
    gets = standin.calls["messages.get"]
    resynced = _run(config)
    assert resynced["items"] == 10  # the rescan fetched and processed only what was new
    assert standin.calls["messages.get"] - gets == 10  # the quarantined message is not fetched again

    clean_config = _config(tmp_path / "clean", standin, token_file)
    clean = _run(clean_config)
    assert clean["items"] == 111 and clean["skipped"] == 1

    synced, fresh = _snapshot(tmp_path / "synced"), _snapshot(tmp_path / "clean")
    assert synced["items"] == fresh["items"] and len(fresh["items"]) == 111
    assert synced["evidence"] == fresh["evidence"] and fresh["evidence"]
    assert synced["quarantine"] == fresh["quarantine"] and [r[2] for r in fresh["quarantine"]] == ["gmail.raw_invalid"]
    assert synced["contacts"] == fresh["contacts"]
    assert synced["cursor"] == fresh["cursor"] == {"v": 1, "history_id": box.history_id,
                                                   "filter": synced["cursor"]["filter"]}
