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
import threading
from typing import Callable


class FaultProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.cut_bytes: int | None = None
        self.cut_times = 0
        self.cuts = 0
        self.hooks: list[tuple[re.Pattern[bytes], Callable[[], None]]] = []
        self.connections = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def cut_after(self, n: int, times: int = 1) -> None:
        self.cut_bytes, self.cut_times = n, times

    def on_command(self, pattern: bytes, hook: Callable[[], None]) -> None:
        self.hooks.append((re.compile(pattern, re.I), hook))

    def start(self) -> FaultProxy:
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

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.sock.accept()
            except (socket.timeout, TimeoutError):
                continue
            except OSError:
                return
            self.connections += 1
            t = threading.Thread(target=self._pump, args=(client,), daemon=True)
            t.start()
            self._threads.append(t)

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
