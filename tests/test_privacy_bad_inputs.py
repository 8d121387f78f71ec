"""BAD_INPUTS cases 17 and 18 end to end, each in a bounded worker (2 s CPU, 256 MB):
sensitive values in a signature never reach the store, the log or the quarantine, and
lines with an Art. 9 hint are not stored, while the business fields around them are.

(The other bad inputs of issue 9 are tested beside their feature: a store copied without
its key in test_store_encryption.py, a tampered audit log in test_privacy_audit.py, an
access request for an unknown identifier in test_privacy_requests.py.)
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from webleads_core.testing.bounded import run_bounded
from webleads_core.testing.helpers import eml

OWNER = "me@webleads-demo.example"
SECRETS_17 = ("4012 8888 8888 1881", "4012888888881881", "GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432",
              "536-22-1234", "hunter2", "AKIAIOSFODNN7EXAMPLE", "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
              "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0")
SIG_17 = ("Hello,\n\nSee attached.\n\nBest regards,\nJane Doe\nHead of Operations\nNorthwind Logistics Ltd\n"
          "Tel: 212 555 0199\nCard: 4012 8888 8888 1881\nTest card: 4012 8888 8888 1882\n"
          "IBAN: GB82 WEST 1234 5698 7654 32\nSSN 536-22-1234\npassword: hunter2\nkey AKIAIOSFODNN7EXAMPLE\n"
          "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc\n"
          "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U\n")
HINTS_18 = ("Union rep", "sick leave", "Church elder", "Parteimitglied")
SIG_18 = ("Hi,\n\nThanks.\n\nKind regards,\nMarc Olivier\nDirecteur commercial\nAtelier Moreau SAS\n"
          "Union rep, local 12\nCurrently on sick leave until Monday\nChurch elder at St Mary's\n"
          "Parteimitglied SPD\nTél : +33 1 44 55 66 77\n")


def _run_case(folder: str, sender: str, body: str, encrypted: bool) -> dict:
    """Run one message (and a broken copy of it) through the whole pipeline into a store,
    with a DEBUG log; return everything written, for the parent to search."""
    from webleads_core import Config, build_pipeline, create_plugin_manager
    from webleads_core.engine.run import run_pipeline
    from webleads_core.privacy.crypto import generate_keyring
    from webleads_core.store import SQLiteStore
    from webleads_core.testing.helpers import MemoryPlugin

    base = Path(folder)
    log_file = base / "run.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    logger = logging.getLogger("webleads")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    broken = f"From: x\r\nSubject: {body[:200]}\r\n".encode() + b"\xff\xfe" * 10 + body.encode()
    conf = Config.from_dict({
        "store": {"url": "sqlite:///s.db"},
        "sources": [{"type": "memory", "name": "m", "owner": OWNER,
                     "messages": [eml(sender, OWNER, body), broken]}],
        "sinks": [{"type": "jsonl", "path": "out.jsonl"}],
    }, base_dir=base)
    pm = create_plugin_manager(autoload=False, plugins=[MemoryPlugin()])
    with SQLiteStore(conf.store_url, keyring=generate_keyring() if encrypted else None) as store:
        result = run_pipeline(build_pipeline(conf, pm=pm), store)
        quarantine = [tuple(r) for r in store.conn.execute("SELECT * FROM quarantine")]
        contacts = [(c.name, c.title, c.company, tuple(p.number for p in c.phones)) for c in store.contacts()]
    handler.close()
    logger.removeHandler(handler)
    files = {f.name: f.read_bytes() for f in base.iterdir() if f.is_file()}
    return {"processed": result.processed, "skipped": result.skipped, "quarantine": quarantine,
            "contacts": contacts, "files": files}


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_case_17_sensitive_values_in_a_signature(tmp_path, encrypted):
    out = run_bounded(_run_case, str(tmp_path), "Jane Doe <jane.doe@northwind-logistics.example>", SIG_17,
                      encrypted, cpu_seconds=2.0, memory_mb=256, wall_seconds=30)
    assert out["processed"] >= 1
    (jane,) = [c for c in out["contacts"] if c[0] == "Jane Doe"]
    assert jane[1] == "Head of Operations" and jane[2] == "Northwind Logistics Ltd"
    assert "+12125550199" in jane[3]  # the phone is kept as a phone, not flagged as an NHS number
    for name, data in out["files"].items():
        for secret in SECRETS_17:
            assert secret.encode() not in data, (secret, name)
    assert repr(out["quarantine"]).find("hunter2") < 0 and all(len(row) == 5 for row in out["quarantine"])
    assert "run.log" in out["files"] and out["files"]["run.log"]


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_case_18_art9_lines_are_not_stored(tmp_path, encrypted):
    out = run_bounded(_run_case, str(tmp_path), "Marc Olivier <marc.olivier@atelier-moreau.example>", SIG_18,
                      encrypted, cpu_seconds=2.0, memory_mb=256, wall_seconds=30)
    (marc,) = [c for c in out["contacts"] if c[0] == "Marc Olivier"]
    assert marc[2] == "Atelier Moreau SAS" and "+33144556677" in marc[3]
    for name, data in out["files"].items():
        for hint in HINTS_18:
            assert hint.encode() not in data, (hint, name)
        assert b"local 12" not in data and b"SPD" not in data
