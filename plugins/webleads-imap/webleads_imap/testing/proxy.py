"""A fault-injecting TCP proxy on 127.0.0.1 in front of a real server (Dovecot).

It forwards bytes both ways and can, on command:

* ``cut_after(n)``: reset the connection (RST) once ``n`` bytes of the server's answer to
  a body FETCH (one that asks for ``BODY.PEEK[HEADER]``) went through, the first
  ``times`` times: a TCP reset in the middle of a FETCH batch;
* ``on_command(pattern, hook)``: call ``hook()`` before forwarding the first client
  command that matches ``pattern`` (e.g. expunge messages with doveadm just before the
  source fetches them).
"""

from __future__ import annotations

import re
import select
import socket
import struct
from typing import Callable

from .listener import LoopbackListener


class FaultProxy(LoopbackListener):
    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        super().__init__()
        self.target = (target_host, target_port)
        self.cut_bytes: int | None = None
        self.cut_times = 0
        self.cuts = 0
        self.hooks: list[tuple[re.Pattern[bytes], Callable[[], None]]] = []

    def cut_after(self, n: int, times: int = 1) -> None:
        self.cut_bytes, self.cut_times = n, times

    def on_command(self, pattern: bytes, hook: Callable[[], None]) -> None:
        self.hooks.append((re.compile(pattern, re.I), hook))

    def handle(self, conn: socket.socket) -> None:
        self._pump(conn)

    def _take_cut(self) -> int | None:
        with self._lock:
            if self.cut_bytes is not None and self.cut_times > 0:
                self.cut_times -= 1
                self.cuts += 1
                return self.cut_bytes
        return None

    def _pump(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        armed: int | None = None  # bytes of server data left before the cut
        try:
            while not self._stop.is_set():
                ready, _, _ = select.select([client, upstream], [], [], 0.2)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    if s is client:
                        for pattern, hook in list(self.hooks):
                            if pattern.search(data):
                                self.hooks.remove((pattern, hook))
                                hook()
                        if b"BODY.PEEK[HEADER]" in data.upper() and armed is None:
                            armed = self._take_cut()
                        upstream.sendall(data)
                    else:
                        if armed is not None:
                            if len(data) >= armed:
                                client.sendall(data[:armed])
                                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                                return
                            armed -= len(data)
                        client.sendall(data)
        except OSError:
            return
        finally:
            client.close()
            upstream.close()
