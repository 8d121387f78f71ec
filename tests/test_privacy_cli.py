"""Every `webleads privacy` command works on the demo store and is documented; exports follow
erasures; bad input gets one line and the documented exit code.

The commands run in-process (``webleads_core.cli.main.main``) with plugin autoloading off,
to stay fast; the subprocess path is covered by the canary and encryption tests.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from webleads_core.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
JANE = "jane.okafor@northwind-logistics.example"
PRIYA = "priya@heliocloud.example"
TOM = "tom.hargreaves@brightwater-foods.example"
COMMANDS = ("optout", "export", "erase", "rectify", "restrict", "list-requests", "purge-expired", "audit verify",
            "audit-verify", "audit list", "ropa", "encrypt", "rotate-key")


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("WEBLEADS_DISABLE_PLUGIN_AUTOLOAD", "1")
    work = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--keep", str(work), "--format", "jsonl"]) == 0
    mp.undo()
    return work


@pytest.fixture
def demo(demo_dir, tmp_path, monkeypatch):
    """A fresh copy of the demo store with a config that names its sinks."""
    monkeypatch.setenv("WEBLEADS_DISABLE_PLUGIN_AUTOLOAD", "1")
    for f in demo_dir.iterdir():
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "webleads.toml").write_text(
        '[store]\nurl = "sqlite:///demo.db"\n'
        '[[sinks]]\ntype = "jsonl"\npath = "contacts.jsonl"\n[[sinks]]\ntype = "csv"\npath = "contacts.csv"\n'
        '[privacy]\ncontroller = "Demo Ltd, dpo@webleads-demo.example"\n'
        'purposes = ["keeping the demo address book"]\n')
    return tmp_path


def cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_every_command_is_documented():
    cli_doc = (ROOT / "docs" / "cli.md").read_text()
    privacy_doc = (ROOT / "docs" / "privacy.md").read_text()
    for cmd in COMMANDS:
        assert f"webleads privacy {cmd}" in cli_doc, cmd
        assert f"privacy {cmd}" in privacy_doc, cmd


def test_the_whole_request_cycle_on_the_demo_store(demo, capsys):
    cfg = str(demo / "webleads.toml")
    code, out, err = cli(capsys, "privacy", "export", JANE.upper(), "-c", cfg)
    assert code == 0
    report = json.loads(out)
    assert report["held"] and report["controller"].startswith("Demo Ltd")
    assert report["purposes"] == ["keeping the demo address book"]
    assert {v["field"] for v in report["contacts"][0]["values"]} >= {"name", "email", "phone"}
    assert "record(s) found" in err
    code, out, _ = cli(capsys, "privacy", "export", JANE, "-c", cfg, "--format", "html", "-o", str(demo / "j.html"))
    assert code == 0 and "<table>" in (demo / "j.html").read_text()
    code, out, _ = cli(capsys, "privacy", "export", JANE, "-c", cfg, "--format", "text")
    assert "Record" in out and "(erasure and objection)" in out

    code, out, _ = cli(capsys, "privacy", "rectify", JANE, "title", "Chief Operating Officer", "-c", cfg)
    assert code == 0 and "1 contact(s) corrected" in out
    assert "Chief Operating Officer" in (demo / "contacts.jsonl").read_text()

    code, out, _ = cli(capsys, "privacy", "restrict", PRIYA, "-c", cfg)
    assert code == 0 and "frozen" in out
    assert PRIYA not in (demo / "contacts.jsonl").read_text()
    code, out, _ = cli(capsys, "privacy", "restrict", PRIYA, "--lift", "-c", cfg)
    assert code == 0 and PRIYA in (demo / "contacts.jsonl").read_text()

    assert TOM in (demo / "contacts.csv").read_text()
    code, out, _ = cli(capsys, "privacy", "erase", TOM, "-c", cfg)
    assert code == 0 and "1 contact(s) erased" in out and "exports rewritten" in out
    for f in ("contacts.jsonl", "contacts.csv"):
        assert "hargreaves" not in (demo / f).read_text().lower()

    code, out, _ = cli(capsys, "privacy", "optout", "@heliocloud.example", "-c", cfg)
    assert code == 0 and "opted out" in out
    assert "heliocloud" not in (demo / "contacts.jsonl").read_text()

    code, out, _ = cli(capsys, "privacy", "export", "nobody@nowhere.example", "-c", cfg)
    assert json.loads(out)["held"] is False

    code, out, _ = cli(capsys, "privacy", "list-requests", "-c", cfg, "--format", "json")
    rows = json.loads(out)
    assert [r["kind"] for r in rows] == ["access", "access", "access", "rectification", "restriction", "erasure",
                                         "objection", "access"]
    assert all(re.fullmatch(r"[0-9a-f]{16}", r["subject"]) for r in rows)
    code, out, _ = cli(capsys, "privacy", "list-requests", "-c", cfg)
    assert "8 request(s), 0 open" in out and "lifted" in out

    code, out, _ = cli(capsys, "privacy", "purge-expired", "-c", cfg, "--dry-run")
    assert code == 0 and out.startswith("0 contact(s)")
    code, out, _ = cli(capsys, "privacy", "audit", "verify", "-c", cfg)
    assert code == 0 and "intact" in out
    code, out, _ = cli(capsys, "privacy", "audit", "list", "-c", cfg, "--format", "json")
    log = out.lower()
    for secret in ("okafor", "hargreaves", "priya", "heliocloud", "nowhere", "@"):
        assert secret not in log, secret
    assert "config.change" in log


def test_purge_expired_reports_and_rewrites(demo, capsys):
    cfg = demo / "webleads.toml"
    cfg.write_text(cfg.read_text() + "retention_days = 1\nmax_retention_days = 1\n")
    import sqlite3

    conn = sqlite3.connect(demo / "demo.db")
    conn.execute("UPDATE contacts SET created_at='2020-01-01T00:00:00+00:00', updated_at='2020-01-01T00:00:00+00:00' "
                 "WHERE id IN (SELECT id FROM contacts ORDER BY id LIMIT 3)")
    conn.commit()
    conn.close()
    code, out, _ = cli(capsys, "privacy", "purge-expired", "-c", str(cfg), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["contacts"] == 3 and report["evidence"] > 0 and report["ttl_days"] == 1
    lines = (demo / "contacts.jsonl").read_text().splitlines()
    code, out, _ = cli(capsys, "contacts", "list", "-c", str(cfg), "--format", "jsonl")
    assert len(out.splitlines()) == len(lines)


def test_ropa_from_config_and_plugins(demo, capsys):
    cfg = demo / "webleads.toml"
    cfg.write_text(cfg.read_text().replace('[privacy]', '[[sources]]\ntype = "maildir"\nname = "archive"\n'
                                           'owner = "me@webleads-demo.example"\npath = "mail"\n[privacy]'))
    (demo / "mail" / "cur").mkdir(parents=True)
    code, out, _ = cli(capsys, "privacy", "ropa", "-c", str(cfg), "--format", "json")
    ropa = json.loads(out)
    assert ropa["controller"].startswith("Demo Ltd")
    assert ropa["sources"] == [{"name": "archive", "type": "maildir", "plugin": "webleads_core.default_plugins.local_mail",
                                "owner": "me@webleads-demo.example"}]
    assert [x["type"] for x in ropa["recipients"]["exports"]] == ["jsonl", "csv"]
    assert {c["field"] for c in ropa["categories"]} == {"name", "title", "company", "email", "phone", "address",
                                                        "website", "social"}
    assert ropa["retention"]["ttl_days"] == 365 and ropa["security"]["encryption_at_rest"] == "off"
    code, out, _ = cli(capsys, "privacy", "ropa", "-c", str(cfg))
    assert out.startswith("# Record of processing") and "| email | contact details |" in out


def test_encrypt_then_rotate_on_the_demo_store(demo, capsys):
    cfg = str(demo / "webleads.toml")
    before = json.loads(cli(capsys, "privacy", "export", JANE, "-c", cfg)[1])["contacts"][0]["current"]
    code, out, _ = cli(capsys, "privacy", "encrypt", "-c", cfg)
    assert code == 0 and "demo.db.keys" in out
    assert b"Okafor" not in (demo / "demo.db").read_bytes()
    code, out, _ = cli(capsys, "privacy", "rotate-key", "-c", cfg, "--retire")
    assert code == 0 and "re-encrypted" in out
    after = json.loads(cli(capsys, "privacy", "export", JANE, "-c", cfg)[1])["contacts"][0]["current"]
    assert after == before
    code, out, _ = cli(capsys, "privacy", "ropa", "-c", cfg, "--format", "json")
    assert json.loads(out)["security"]["encryption_at_rest"].startswith("AES-256-GCM")


@pytest.mark.parametrize("args, code, message", [
    (("privacy", "export", "@acme.example"), 2, "email address or phone"),
    (("privacy", "erase", "not-an-identifier"), 2, "email address or phone"),
    (("privacy", "rectify", JANE, "title"), 2, "VALUE or --clear"),
    (("privacy", "rectify", JANE, "title", "x", "--clear"), 2, "VALUE or --clear"),
    (("privacy", "optout", "hello"), 2, "not an email address"),
    (("privacy", "export", JANE, "--received", "yesterday"), 2, "--received"),
])
def test_bad_requests_are_one_line(demo, capsys, args, code, message):
    got, out, err = cli(capsys, *args, "-c", str(demo / "webleads.toml"))
    assert got == code and message in err and err.count("\n") == 1


def test_a_missing_store_is_a_config_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WEBLEADS_DISABLE_PLUGIN_AUTOLOAD", "1")
    code, _, err = cli(capsys, "privacy", "export", JANE, "--store", str(tmp_path / "none.db"))
    assert code == 2 and "no store" in err
    assert not (tmp_path / "none.db").exists()
