"""Documentation stays complete: every hook documented and tested, every command documented."""

from __future__ import annotations

import re

from webleads_core.cli.commands import BUILTIN
from webleads_core.hookspecs import HOOK_NAMES

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HOOKS_DOC = (ROOT / "docs" / "hooks.md").read_text()
TESTS = "\n".join(p.read_text() for p in (ROOT / "tests").glob("test_*.py") if p.name != "test_docs.py")


def test_every_hook_is_documented():
    for name in HOOK_NAMES:
        assert re.search(rf"^## {name}$", HOOKS_DOC, re.M), f"{name} is not documented in docs/hooks.md"


def test_every_hook_is_tested():
    for name in HOOK_NAMES:
        assert f"def test_{name}" in TESTS, f"{name} has no test named test_{name}*"


def test_every_hook_has_a_docstring():
    from webleads_core import hookspecs

    for name in HOOK_NAMES:
        doc = getattr(hookspecs, name).__doc__ or ""
        assert ":param register:" in doc, f"{name} docstring lacks the register signature"


def test_every_command_is_documented():
    cli = (ROOT / "docs" / "cli.md").read_text()
    readme = (ROOT / "README.md").read_text()
    for name, *_ in BUILTIN:
        assert f"webleads {name}" in cli, f"`webleads {name}` missing from docs/cli.md"
    assert "make demo" in readme and "make test" in readme


def test_public_api_is_curated():
    import webleads_core

    assert sorted(webleads_core.__all__) == sorted(set(webleads_core.__all__))
    for name in webleads_core.__all__:
        assert hasattr(webleads_core, name)
