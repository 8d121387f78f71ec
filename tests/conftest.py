"""Shared helpers for the core's tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_MAILBOX = ROOT / "examples" / "mailbox"


@pytest.fixture
def mailbox(tmp_path) -> Path:
    """A Maildir with three realistic messages."""
    from webleads_core.testing.samples import SAMPLES

    md = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    for i, (name, text) in enumerate(SAMPLES):
        (md / "cur" / f"17000000{i}.M{i}P1.test:2,S").write_bytes(text.replace("\n", "\r\n").encode())
    return md
