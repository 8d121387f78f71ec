"""Privacy is a property we test: canaries planted in bodies and sensitive values are
searched for in every output, the store file, logs and error messages."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from webleads_core.testing.helpers import eml, run_cli

CANARY = "CANARY-7f3a9c-body-text"
QUOTED_CANARY = "CANARY-quoted-5b21e"
CARD = "4012 8888 8888 1881"
IBAN = "GB82 WEST 1234 5698 7654 32"
SSN = "536-22-1234"
PASSWORD = "hunter2-canary"
AWS = "AKIAIOSFODNN7EXAMPLE"
SECRETS = (CANARY, QUOTED_CANARY, CARD, CARD.replace(" ", ""), IBAN, IBAN.replace(" ", ""), SSN, PASSWORD, AWS,
           "Union rep")


def planted_mailbox(root: Path) -> Path:
    md = root / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    msgs = [
        eml("Jane Doe <jane.doe@northwind-logistics.example>", "me@webleads-demo.example",
            f"Hi Dana,\n\n{CANARY} our card is {CARD} and the IBAN {IBAN}.\n\nBest regards,\nJane Doe\n"
            f"Head of Operations\nNorthwind Logistics Ltd\nTel: +44 20 7946 0958\nCard: {CARD}\n"
            f"IBAN: {IBAN}\nSSN {SSN}\npassword: {PASSWORD}\nkey {AWS}\nUnion rep, local 12\n"),
        eml("Marc Olivier <marc.olivier@atelier-moreau.example>", "me@webleads-demo.example",
            f"Bonjour,\n\nMerci pour tout {CANARY}.\n\nCordialement,\nMarc Olivier\nDirecteur commercial\n"
            f"Atelier Moreau SAS\nTél : +33 1 44 55 66 77\n\n"
            f"On Tue, 4 Mar 2025 at 10:12, Jane Doe <jane.doe@northwind-logistics.example> wrote:\n"
            f"> {QUOTED_CANARY} please pay with {CARD}\n>\n> Best regards,\n> Jane Doe\n"
            f"> Head of Operations\n> Northwind Logistics Ltd\n"),
        # a broken message: its error must not leak content either
        f"From: x\r\nSubject: {CANARY}\r\n".encode() + b"\xff\xfe" * 10,
    ]
    for i, raw in enumerate(msgs):
        (md / "cur" / f"1700{i}.M{i}.canary:2,S").write_bytes(raw)
    return md


def assert_clean(blob: bytes | str, where: str) -> None:
    data = blob if isinstance(blob, bytes) else blob.encode("utf-8", "replace")
    for s in SECRETS:
        assert s.encode() not in data, f"{s!r} leaked into {where}"


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_canaries_never_leave_the_pipeline(tmp_path, encrypted):
    md = planted_mailbox(tmp_path)
    log = tmp_path / "webleads.log"
    outputs: list[tuple[str, str]] = []
    env = {"WEBLEADS_STORE_KEY": os.urandom(32).hex()} if encrypted else {}

    def cli(*args):
        r = run_cli("-vv", "--log-file", str(log), *args, cwd=tmp_path, env=env)
        assert r.returncode == 0, r.stderr[-2000:]
        outputs.append((f"stdout of {args}", r.stdout))
        outputs.append((f"stderr of {args}", r.stderr))
        return r

    for fmt in ("jsonl", "json", "csv", "vcf"):
        cli("extract", str(md), "--format", fmt)
    cfg = tmp_path / "webleads.toml"
    cfg.write_text(f"""
[store]
url = "sqlite:///store.db"
[[sources]]
type = "maildir"
name = "planted"
owner = "me@webleads-demo.example"
path = "{md}"
[[sinks]]
type = "jsonl"
path = "out.jsonl"
[[sinks]]
type = "csv"
path = "out.csv"
[[sinks]]
type = "vcard"
path = "out.vcf"
[[sinks]]
type = "vcard"
folder = "cards"
""")
    r = cli("run", "-c", str(cfg), "--format", "json")
    summary = json.loads(r.stdout)
    assert summary["processed"] >= 2 and summary["evidence"] > 0
    for fmt in ("table", "jsonl", "json", "csv", "vcf"):
        cli("contacts", "list", "-c", str(cfg), "--format", fmt)
    for fmt in ("jsonl", "csv", "vcf"):
        cli("contacts", "export", "-c", str(cfg), "--format", fmt)
    cli("contacts", "show", "jane.doe@northwind-logistics.example", "-c", str(cfg), "--format", "json")
    cli("contacts", "show", "jane.doe@northwind-logistics.example", "-c", str(cfg))
    cli("plugins")
    cli("privacy", "optout", "marc.olivier@atelier-moreau.example", "-c", str(cfg))

    # the pipeline did its job: Jane is there with her business fields
    shown = json.loads(run_cli("contacts", "show", "jane.doe@northwind-logistics.example", "-c", str(cfg),
                               "--format", "json", cwd=tmp_path, env=env).stdout)
    assert shown[0]["title"] == "Head of Operations"
    assert shown[0]["phones"] == [{"number": "+442079460958", "type": "work"}]

    for where, text in outputs:
        assert_clean(text, where)
    for f in tmp_path.rglob("*"):
        if f.is_file() and not str(f).startswith(str(md)) and f.suffix != ".py":
            assert_clean(f.read_bytes(), str(f))
    assert log.exists() and log.stat().st_size > 0
    if encrypted:  # the business values themselves are ciphertext in the store
        store = (tmp_path / "store.db").read_bytes()
        for value in (b"Head of Operations", b"jane.doe", b"Northwind", b"+442079460958"):
            assert value not in store, value
        r = run_cli("contacts", "list", "-c", str(cfg), cwd=tmp_path)  # without the key
        assert r.returncode == 5 and "key was not found" in r.stderr


def test_api_extract_is_clean(tmp_path):
    import webleads_core as wl

    md = planted_mailbox(tmp_path)
    contacts, result = wl.extract([md])
    assert result.processed + result.skipped == 3 and result.processed >= 2
    text = json.dumps([wl.contact_to_dict(c) for c in contacts])
    assert_clean(text, "API contacts")
    assert_clean(repr(contacts), "repr of contacts")
