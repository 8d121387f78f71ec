"""The example configs and files in examples/api are valid and read what they say."""

from __future__ import annotations

from pathlib import Path

import pytest

from webleads_api import plugin
from webleads_core.config import Config
from webleads_core.engine.pipeline import build_pipeline

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "api"


@pytest.mark.parametrize("name", ["webleads.toml", "hubspot.toml", "scim.toml"])
def test_example_configs_build(name, monkeypatch, webleads_pm, webleads_register):
    for var in ("CRM_API_KEY", "HUBSPOT_TOKEN", "SCIM_CLIENT_SECRET"):
        monkeypatch.setenv(var, "example-secret")
    webleads_register(plugin)
    pipeline = build_pipeline(Config.from_file(EXAMPLES / name), pm=webleads_pm)
    assert pipeline.sources
    assert "example-secret" not in repr(pipeline.sources)


def test_example_files_read(webleads_register, webleads_run):
    webleads_register(plugin)
    outcome = webleads_run({"sources": [
        {"type": "vcard", "name": "book", "path": str(EXAMPLES / "address-book.vcf")},
        {"type": "csv", "name": "export", "path": str(EXAMPLES / "crm-export.csv")}]})
    assert outcome.result.processed == 6 and outcome.result.skipped == 0
    names = {c.name for c in outcome.contacts}
    assert {"Johnny Appleseed", "Zoë Ångström-Øster", "René Dupré", "Aiko Tanaka", "Kwame Mensah",
            "Ingrid Lund"} <= names
