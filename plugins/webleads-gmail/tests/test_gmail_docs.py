"""The documentation and the example config stay in step with the code: every option is
documented and shown, and the example parses."""

from __future__ import annotations

import re
from pathlib import Path

from webleads_core.config import Config
from webleads_gmail.options import KNOWN_KEYS

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "gmail.md"
EXAMPLE = ROOT / "examples" / "gmail.toml"


def test_every_option_is_in_the_docs_table():
    table = {k for row in re.findall(r"^\| (`[^|]+`) \|", DOC.read_text(), re.M)
             for k in re.findall(r"`(\w+)`", row)}
    assert table == set(KNOWN_KEYS)


def test_every_option_is_shown_in_the_example_and_it_parses():
    text = EXAMPLE.read_text()
    section = text.split("[[sources]]", 1)[1].split("[[sinks]]", 1)[0]
    shown = set(re.findall(r"^#?\s?(\w+) = ", section, re.M)) - {"type", "name", "owner"}
    assert shown == set(KNOWN_KEYS)
    conf = Config.from_file(EXAMPLE)
    assert [s.type for s in conf.sources] == ["gmail"] and set(conf.sources[0].options) <= KNOWN_KEYS


def test_docs_explain_setup_and_verification():
    text = DOC.read_text()
    for needed in ("Desktop app", "gmail.readonly", "restricted scope verification", "security assessment",
                   "domain-wide delegation", "invalid_grant", "webleads gmail auth"):
        assert needed in text
