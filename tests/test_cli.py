"""The `webleads` command: shapes, exit codes, one-line errors with no traceback."""

from __future__ import annotations

import json

import pytest

from webleads_core.testing.helpers import run_cli

from pathlib import Path

EXAMPLE_MAILBOX = Path(__file__).resolve().parents[1] / "examples" / "mailbox"

KEYS = ("name", "title", "company", "emails", "phones", "address", "websites", "social", "kind", "role",
        "confidence", "sources")


def test_help_lists_every_command():
    r = run_cli("--help")
    assert r.returncode == 0
    for cmd in ("demo", "extract", "segment", "run", "init", "contacts", "plugins", "privacy"):
        assert cmd in r.stdout
    assert "exit codes" in r.stdout


def test_extract_prints_contacts_in_the_documented_shape(mailbox):
    r = run_cli("extract", str(mailbox), "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows
    for row in rows:
        assert set(KEYS) <= set(row)
        assert isinstance(row["emails"], list) and isinstance(row["social"], dict)
        for p in row["phones"]:
            assert p["number"].startswith("+") and p["type"] in ("work", "mobile", "fax", "other")
        assert row["kind"] in ("person", "role") and row["role"] in ("sender", "recipient", "quoted")
        for s in row["sources"]:
            assert set(s) >= {"item", "extractor", "method"}
    jane = next(r for r in rows if "jane.doe@northwind-logistics.example" in r["emails"])
    assert jane["name"] == "Jane Doe" and jane["title"] == "Head of Operations"
    assert {"number": "+447911123456", "type": "mobile"} in jane["phones"]
    marc = next(r for r in rows if "marc.olivier@atelier-moreau.example" in r["emails"])
    assert marc["company"] == "Atelier Moreau SAS"
    assert {"number": "+33612345678", "type": "mobile"} in marc["phones"]


@pytest.mark.parametrize("fmt,marker", [("json", "["), ("csv", "First Name"), ("vcf", "BEGIN:VCARD")])
def test_extract_formats(mailbox, fmt, marker):
    r = run_cli("extract", str(mailbox), "--format", fmt)
    assert r.returncode == 0 and r.stdout.startswith(marker)


def test_segment_prints_zones(webleads_sample_mail):
    r = run_cli("segment", str(webleads_sample_mail / "02-reply.eml"), "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    (row,) = [json.loads(line) for line in r.stdout.splitlines()]
    kinds = {(z["kind"], z["message"]) for z in row["zones"]}
    assert ("reply_header", 1) in kinds and ("signature", 1) in kinds
    for z in row["zones"]:
        assert z["start"] < z["end"] and isinstance(z["text"], str)


def test_init_then_run_then_contacts(tmp_path, mailbox):
    cfg = tmp_path / "webleads.toml"
    assert run_cli("init", str(cfg)).returncode == 0
    assert run_cli("init", str(cfg)).returncode == 2  # exists
    text = cfg.read_text().replace('path = "mail/"', f'path = "{mailbox}"')
    cfg.write_text(text)
    r = run_cli("run", "-c", str(cfg), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["processed"] == 3
    r2 = json.loads(run_cli("run", "-c", str(cfg), "--format", "json").stdout)
    assert r2["items"] == 0  # incremental: nothing new
    assert (tmp_path / "contacts.jsonl").exists()
    listing = run_cli("contacts", "list", "-c", str(cfg))
    assert "Jane Doe" in listing.stdout and "contacts" in listing.stdout
    show = run_cli("contacts", "show", "jane.doe@northwind-logistics.example", "-c", str(cfg))
    assert "evidence:" in show.stdout and "signature" in show.stdout
    assert run_cli("contacts", "show", "nobody@nowhere.example", "-c", str(cfg)).returncode == 2
    out = tmp_path / "x.vcf"
    assert run_cli("contacts", "export", "-c", str(cfg), "--format", "vcf", "-o", str(out)).returncode == 0
    assert out.read_text().count("BEGIN:VCARD") >= 2


@pytest.mark.parametrize("content,needle", [
    ("this is = not toml [", "invalid TOML"),
    ("[[sources]]\ntype = 'nope'\nname = 'x'\n", "unknown type 'nope'"),
    ("[[sources]]\ntype = 'maildir'\nname = 'x'\npath = '/does/not/exist'\n", "not a Maildir"),
    ("[store]\nurl = 'mysql://x'\n", "unsupported store"),
    ("[privacy]\nenabled = false\n", "mandatory"),
    ("[[sources]]\ntype = 'eml'\n[[sources]]\ntype = 'eml'\n", "duplicate source name"),
])
def test_bad_config_is_one_line_and_exit_2(tmp_path, content, needle):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(content)
    r = run_cli("run", "-c", str(cfg))
    assert r.returncode == 2
    assert needle in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_missing_paths_and_stores_are_clear_errors(tmp_path):
    r = run_cli("extract", str(tmp_path / "nope"))
    assert r.returncode == 2 and "no such file" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("contacts", "list", "--store", str(tmp_path / "none.db"))
    assert r.returncode == 2 and "no store" in r.stderr


def test_corrupt_store_is_exit_5(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 1000)
    r = run_cli("contacts", "list", "--store", str(bad))
    assert r.returncode == 5 and "Traceback" not in r.stderr


def test_plugins_lists_components():
    r = run_cli("plugins", "--format", "json")
    data = json.loads(r.stdout)
    names = {c["name"] for p in data for c in p["components"]}
    assert {"eml", "mbox", "maildir", "rules", "headers", "jsonl", "csv", "vcard", "markdown"} <= names


def test_demo_runs_on_the_bundled_mailbox():
    r = run_cli("demo")
    assert r.returncode == 0, r.stderr
    assert "contacts" in r.stdout and "Name" in r.stdout
    assert len(list((EXAMPLE_MAILBOX / "cur").iterdir())) >= 40
