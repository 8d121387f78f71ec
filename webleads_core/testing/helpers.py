"""Small helpers for tests of the core and of plugins: build messages, run the real CLI,
feed a pipeline from memory."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..components import SourceConfig, SourceContext
from ..hookspecs import hookimpl
from ..records import Checkpoint, Document


def eml(sender: str, to: str, body: str, *, subject: str = "Hello",
        date: str = "Tue, 04 Mar 2025 10:12:00 +0000", msgid: str | None = None, extra: str = "") -> bytes:
    """A small RFC 5322 message with CRLF line ends."""
    mid = msgid or "<%s@test.example>" % hashlib.sha256((sender + body).encode()).hexdigest()[:16]
    head = (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: {mid}\r\n"
            f"{extra}Content-Type: text/plain; charset=utf-8\r\n\r\n")
    return head.encode() + body.replace("\n", "\r\n").encode("utf-8")


def run_cli(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real ``webleads`` command in a subprocess (text mode)."""
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "webleads_core.cli.main", *args], capture_output=True,
                          text=True, cwd=cwd, env=e, timeout=timeout)


class MemorySource:
    """``type = "memory"``: yields the raw messages of the ``messages`` option, then a checkpoint.

    Register it with :class:`MemoryPlugin` (tests only)."""

    def __init__(self, config: SourceConfig) -> None:
        self.config = config

    def read(self, cursor: Mapping[str, Any] | None, context: SourceContext) -> Iterator:
        msgs = self.config.options["messages"]
        for i, raw in enumerate(msgs):
            if not context.is_seen(f"m{i}"):
                yield Document.from_email(self.config.name, f"m{i}", raw,
                                          owner=self.config.owner or "me@webleads-demo.example")
        yield Checkpoint(self.config.name, {"done": len(msgs)})


class MemoryPlugin:
    @hookimpl
    def register_sources(self, register):
        register("memory", MemorySource)
