"""Shared helpers for the core's tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_MAILBOX = ROOT / "examples" / "mailbox"


def eml(sender: str, to: str, body: str, *, subject: str = "Hello", date: str = "Tue, 04 Mar 2025 10:12:00 +0000",
        msgid: str | None = None, extra: str = "") -> bytes:
    """A small RFC 5322 message."""
    mid = msgid or f"<{abs(hash((sender, body))) % 10**12}@test.example>"
    head = (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: {mid}\r\n"
            f"{extra}Content-Type: text/plain; charset=utf-8\r\n\r\n")
    return head.encode() + body.replace("\n", "\r\n").encode("utf-8")


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real `webleads` command in a subprocess."""
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "webleads_core.cli.main", *args], capture_output=True,
                          text=True, cwd=cwd, env=e, timeout=300)


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
