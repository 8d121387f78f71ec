"""A loopback TCP listener that hands each accepted connection to a thread.

Shared by the scripted fake server and the fault-injecting proxy: both only differ in
what they do with a connection (:meth:`handle`).
"""

from __future__ import annotations

import socket
import threading
from typing import Any


class LoopbackListener:
    """Listens on 127.0.0.1 (a free port, in ``port``); ``start()``/``stop()`` or ``with``."""

    def __init__(self) -> None:
        self.connections = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def handle(self, conn: socket.socket) -> None:  # pragma: no cover - subclasses
        raise NotImplementedError

    def start(self) -> Any:
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        t = threading.Thread(target=self._accept_loop, daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(5)
        self.sock.close()

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, TimeoutError):
                continue
            except OSError:
                return
            self.connections += 1
            t = threading.Thread(target=self.handle, args=(conn,), daemon=True)
            t.start()
            self._threads.append(t)
