"""The simulated contact network (examples/network): four owners' mailboxes, one person who
changes job halfway, one noisy signature, values only one owner has seen."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest

from webleads_core.api import run
from webleads_core.config import Config
from webleads_core.engine.plugins import create_plugin_manager
from webleads_core.store import open_store
from webleads_core.testing.helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("make_network", ROOT / "examples" / "network" / "make_network.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    out = tmp_path_factory.mktemp("network") / "mailboxes"
    expected = _generator().generate(out)
    return out, expected


def _config(base: Path, boxes: Path, expected: dict, owners: list[int], db: str = "net.db") -> Config:
    return Config.from_dict({
        "store": {"url": f"sqlite:///{db}"},
        "sources": [{"type": "maildir", "name": f"o{i + 1}", "owner": expected["owners"][i]["email"],
                     "path": str(boxes / expected["owners"][i]["maildir"])} for i in owners],
    }, base_dir=base)


def _run(conf: Config) -> None:
    run(conf, pm=create_plugin_manager(autoload=False))


def test_the_job_change_fires_once_at_the_right_time_after_enough_support(network, tmp_path):
    boxes, exp = network
    # owner 1 alone: she has seen the new job, but one owner is not enough
    conf = _config(tmp_path, boxes, exp, [0])
    _run(conf)
    with open_store(conf.store_url) as s:
        assert s.changes() == []
        (cid,) = s.find(exp["person"])
        states = s.field_states(cid)
        assert states["company"].network == ()            # nothing published by one owner
        assert states["company"].current == (exp["after"]["company"],)  # but the owner's newest belief
    # owners 1..4: the second independent owner hears of it on 10 July
    conf = _config(tmp_path, boxes, exp, [0, 1, 2, 3])
    _run(conf)
    with open_store(conf.store_url) as s:
        events = s.changes()
        jobs = [e for e in events if e.kind == "job"]
        assert len(jobs) == 1
        job = jobs[0]
        assert job.at == dt.datetime.fromisoformat(exp["change_established_at"])
        assert job.before["company"] == exp["before"]["company"] and job.after["company"] == exp["after"]["company"]
        assert job.before["title"] == exp["before"]["title"] and job.after["title"] == exp["after"]["title"]
        assert job.after["email_domain"] == exp["new_email"].split("@")[1]
        assert job.support >= 2 and job.evidence
        phones = [e for e in events if e.kind == "phone"]
        assert [e.after["phone"] for e in phones] == [exp["new_phone"]]
        (c,) = s.contacts(s.find(exp["person"]))
        assert (c.company, c.title) == (exp["after"]["company"], exp["after"]["title"])
        assert c.emails[0] == exp["new_email"]
        ids = [e.id for e in events]
    # a second run over the same mail (and a replay of every contact) adds no event
    _run(conf)
    with open_store(conf.store_url) as s:
        s.conn.execute("INSERT OR IGNORE INTO dirty SELECT id FROM contacts")
        assert s.refresh_changes() == 0
        assert [e.id for e in s.changes()] == ids


def test_a_single_noisy_signature_never_flips_the_network_value(network, tmp_path):
    boxes, exp = network
    conf = _config(tmp_path, boxes, exp, [0, 1, 2, 3])
    _run(conf)
    with open_store(conf.store_url) as s:
        (cid,) = s.find(exp["person"])
        title = s.field_states(cid)["title"]
        assert all(t.after != exp["noisy_title"] for t in title.transitions)
        assert [t.after for t in title.transitions] == [exp["before"]["title"], exp["after"]["title"]]
        noisy = title.value(exp["noisy_title"])
        assert noisy is not None and noisy.support == 1 and not noisy.published  # kept in history, never published
        assert not any(e.kind == "job" and exp["noisy_title"] in json.dumps(e.after) for e in s.changes())


def test_a_lone_owners_value_stays_private(network, tmp_path):
    boxes, exp = network
    conf = _config(tmp_path, boxes, exp, [0, 1, 2, 3])
    _run(conf)
    owner1, owner2 = exp["owners"][0]["email"], exp["owners"][1]["email"]
    with open_store(conf.store_url) as s:
        net = {c.id: c for c in s.contacts(view="network")}
        (pid,) = s.find(exp["person"])
        assert exp["private_phone"] not in [p.number for p in net[pid].phones]
        assert exp["new_phone"] in [p.number for p in net[pid].phones]
        mine = next(s.contacts([pid], view="owner", owner=owner1))
        assert exp["private_phone"] in [p.number for p in mine.phones]
        theirs = next(s.contacts([pid], view="owner", owner=owner2))
        assert exp["private_phone"] not in [p.number for p in theirs.phones]
        # a person only owner 2 writes with: in owner 2's book, not in the network, not in owner 1's
        (tid,) = s.find(exp["private_person"])
        assert tid not in net
        assert [c.id for c in s.contacts([tid], view="owner", owner=owner2)] == [tid]
        assert list(s.contacts([tid], view="owner", owner=owner1)) == []


def test_contacts_show_and_changes_on_the_command_line(network, tmp_path):
    boxes, exp = network
    conf = _config(tmp_path, boxes, exp, [0, 1, 2, 3])
    _run(conf)
    db = conf.store_url[len("sqlite:///"):]
    out = run_cli("contacts", "show", exp["person"], "--store", db, "--format", "json")
    assert out.returncode == 0, out.stderr
    (d,) = json.loads(out.stdout)
    company = d["fields"]["company"]
    assert company["current"] == [exp["after"]["company"]] and company["published"]
    assert company["support"] == 3 and 0.6 <= company["confidence"] <= 1
    hist = {h["value"]: h for h in company["history"]}
    assert hist[exp["before"]["company"]]["first_seen"].startswith("2024-01-10")
    assert hist[exp["before"]["company"]]["status"] != "current" and hist[exp["after"]["company"]]["status"] == "current"
    assert {r["owner"] for r in d["relationships"]} == {o["email"] for o in exp["owners"]}
    text = run_cli("contacts", "show", exp["person"], "--store", db)
    assert "company: Globex Shipping  (confidence" in text.stdout and "support 3, network" in text.stdout
    assert "superseded Interim Director" in text.stdout or "private    Interim Director" in text.stdout
    ch = run_cli("contacts", "changes", "--store", db, "--format", "json")
    assert ch.returncode == 0, ch.stderr
    assert sorted(e["kind"] for e in json.loads(ch.stdout)) == ["job", "phone"]
    later = run_cli("contacts", "changes", "--store", db, "--since", "2024-07-11", "--format", "json")
    assert json.loads(later.stdout) == []
    bad = run_cli("contacts", "changes", "--store", db, "--since", "yesterday-ish")
    assert bad.returncode == 2 and "--since" in bad.stderr and "Traceback" not in bad.stderr


def test_events_respect_restriction_and_erasure_and_are_encrypted_at_rest(network, tmp_path):
    from webleads_core.privacy.crypto import generate_keyring

    boxes, exp = network
    conf = _config(tmp_path, boxes, exp, [0, 1, 2, 3], db="enc.db")
    ring = generate_keyring()
    from webleads_core.store import SQLiteStore

    with SQLiteStore(conf.store_url, keyring=ring) as s:  # an encrypted store from the start
        pass
    from webleads_core.engine.pipeline import build_pipeline
    from webleads_core.engine.run import run_pipeline

    with SQLiteStore(conf.store_url, keyring=ring) as s:
        run_pipeline(build_pipeline(conf, pm=create_plugin_manager(autoload=False)), s)
        assert s.changes()
        (pid,) = s.find(exp["person"])
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = Path(conf.store_url[len("sqlite:///"):]).read_bytes()
        assert b"Globex" not in raw and b"Acme Freight" not in raw  # event payloads are ciphertext
        s.restrict(pid)
        assert s.changes() == []                                    # a restricted person's events stay in
        assert s.changes(include_hidden=True)
        s.lift_restriction(pid)
        s.erase([pid])
        assert s.changes(include_hidden=True) == []
        assert s.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
