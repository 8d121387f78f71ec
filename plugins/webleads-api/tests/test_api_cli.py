"""Acceptance: ``webleads run`` with ``rest``, ``vcard`` and ``csv`` sources fills the
store, and a rerun of the ``rest`` source fetches only what changed.  The real CLI in
a subprocess, the plugin found through its entry point, a stand-in API on loopback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from webleads_api.testing import API_KEY, T0
from webleads_core.testing.helpers import run_cli

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "api"


def test_webleads_run_fills_the_store_and_reruns_incrementally(generic, people, tmp_path):
    shutil.copy(EXAMPLES / "address-book.vcf", tmp_path / "address-book.vcf")
    shutil.copy(EXAMPLES / "crm-export.csv", tmp_path / "crm-export.csv")
    (tmp_path / "webleads.toml").write_text(f"""
[store]
url = "sqlite:///webleads.db"

[[sources]]
type = "rest"
name = "crm-api"
owner = "me@webleads-demo.example"
url = "{generic.url()}"
records = "data"
allow_networks = ["127.0.0.0/8"]
pagination = {{ type = "link" }}
auth = {{ type = "api_key", header = "X-API-Key", key_env = "CRM_API_KEY" }}
incremental = {{ field = "updated_at", param = "updated_since" }}

[sources.mapping]
name = "full_name"
title = "job.title"
company = "organisation.name"
email = "contact.emails[*]"
phone = {{ path = "contact.phones[*].number", type_from = "kind" }}

[[sources]]
type = "vcard"
name = "phone-book"
path = "address-book.vcf"

[[sources]]
type = "csv"
name = "crm-export"
path = "crm-export.csv"
""")
    env = {"CRM_API_KEY": API_KEY, "WEBLEADS_DISABLE_PLUGIN_AUTOLOAD": ""}
    first = run_cli("run", "-c", "webleads.toml", "--format", "json", "--no-progress", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout.splitlines()[0])
    assert summary["skipped"] == 0 and summary["processed"] >= 12 + 3 + 3
    assert API_KEY not in first.stdout + first.stderr

    listed = run_cli("contacts", "list", "-c", "webleads.toml", "--format", "jsonl", cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    contacts = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]
    emails = {e for c in contacts for e in c["emails"]}
    assert {p.email for p in people} <= emails                      # from the API
    assert "johnny.appleseed@kitsune-robotics.example" in emails   # from the vCard file
    assert "aiko.tanaka@kitsune-robotics.example" in emails        # from the CSV export

    generic.touch(4, T0.replace(hour=20), title="Chief Executive")
    generic.served.clear()
    second = run_cli("run", "-c", "webleads.toml", "--format", "json", "--no-progress", cwd=tmp_path, env=env)
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout.splitlines()[0])
    assert generic.served == [people[4].id]      # the API sent only the changed contact
    assert again["items"] == 1                   # and the unchanged files were not read again
    shown = run_cli("contacts", "show", people[4].email, "-c", "webleads.toml", "--format", "json",
                    cwd=tmp_path, env=env)
    assert json.loads(shown.stdout)[0]["title"] == "Chief Executive"
