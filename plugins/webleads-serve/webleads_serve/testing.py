"""Real servers on loopback for the tests (and for anyone embedding the portal): the app
under uvicorn in a thread, and an SMTP server (aiosmtpd) that keeps what it receives.

aiosmtpd is a test dependency only; importing :class:`SmtpSink` needs it.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn


OWNER = "me@webleads-demo.example"


def write_config(root: Path, smtp_port: int, *, extra_serve: str = "", schedule: str = "daily",
                 mailbox: str = "mailbox") -> Path:
    cfg = root / "webleads.toml"
    cfg.write_text(f"""
[store]
url = "sqlite:///store.db"

[[sources]]
type = "maildir"
name = "demo"
owner = "{OWNER}"
path = "{mailbox}"
schedule = "{schedule}"

[[sinks]]
type = "jsonl"
path = "contacts.jsonl"

[privacy]
controller = "Demo Ltd, privacy@webleads-demo.example"

[serve]
public_url = "http://127.0.0.1"
{extra_serve}

[serve.smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
sender = "privacy@webleads-demo.example"
""", encoding="utf-8")
    return cfg


class LiveServer:
    """``with LiveServer(app) as url:`` serves ``app`` on a free loopback port."""

    def __init__(self, app: Any, host: str = "127.0.0.1") -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host=host, port=0, log_level="warning", access_log=False,
                                                    lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = ""

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        host, port = self.server.servers[0].sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self.url

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class SmtpSink:
    """An SMTP server on loopback that records every message (envelope and content)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                with sink._lock:
                    sink.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                          "data": envelope.content.decode("utf-8", "replace")})
                return "250 OK"

        import socket

        with socket.socket() as probe:  # a free port (aiosmtpd checks readiness by connecting to it)
            probe.bind(("127.0.0.1", 0))
            self._port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self._port)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    @property
    def port(self) -> int:
        return int(self._port)

    def stop(self) -> None:
        self.controller.stop()

    def count(self) -> int:
        with self._lock:
            return len(self.messages)

    def code_for(self, address: str, timeout: float = 10.0) -> str:
        """The six-digit code of the newest message to ``address``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for m in reversed(self.messages):
                    if address.lower() in [a.lower() for a in m["to"]]:
                        found = re.search(r"\b(\d{6})\b", m["data"])
                        if found:
                            return found.group(1)
            time.sleep(0.05)
        raise AssertionError("no code arrived for the address")
