"""The documentation and the example config stay in step with the code."""

from __future__ import annotations

from pathlib import Path

from webleads_core import Config, build_pipeline
from webleads_imap import plugin
from webleads_imap.options import KNOWN_KEYS

ROOT = Path(__file__).resolve().parents[3]


def test_every_key_is_documented():
    doc = (ROOT / "docs" / "imap.md").read_text()
    for key in KNOWN_KEYS:
        assert f"`{key}`" in doc, f"{key} is missing from docs/imap.md"


def test_example_config_builds(monkeypatch):
    monkeypatch.setenv("WEBLEADS_WORK_IMAP_PASSWORD", "x")
    monkeypatch.setenv("WEBLEADS_GMAIL_TOKEN", "y")
    pipeline = build_pipeline(Config.from_file(ROOT / "examples" / "imap.toml"), plugins=[plugin])
    sources = {conf.name: src for conf, src in pipeline.sources}
    assert sources["work"].options.auth == "password" and sources["gmail"].options.auth == "xoauth2"
    assert sources["gmail"].owner == "dana.whitfield@gmail.com"
