"""Content-Encoding decoding with caps on decoded size and compression ratio.

A 1 KB gzip body can expand to 1 GB (BAD_INPUTS #34), and ``gzip, gzip, gzip`` stacks
bombs.  Every layer is decoded in streaming fashion with ``max_length`` set to what the
cap still allows, so no layer ever holds more than ``max_bytes`` + 1 bytes of output.
"""

from __future__ import annotations

import zlib

from .errors import FetchError

#: Below this many decoded bytes the ratio is not checked (tiny bodies compress very well).
RATIO_FLOOR = 64 * 1024


class _Layer:
    """One ``gzip``/``deflate`` layer (concatenated gzip members supported)."""

    def __init__(self, kind: str, limit: int) -> None:
        self.kind = kind
        self.limit = limit
        self.produced = 0
        self.obj: zlib._Decompress | None = None  # type: ignore[name-defined]
        self.done = False

    def _new(self, first: bytes) -> zlib._Decompress:  # type: ignore[name-defined]
        if self.kind == "deflate" and len(first) >= 2:
            b0, b1 = first[0], first[1]
            if (b0 & 0x0F) != 8 or ((b0 << 8) | b1) % 31 != 0:
                return zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
        return zlib.decompressobj(zlib.MAX_WBITS | 32)

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        while data:
            if self.obj is None:
                self.obj = self._new(data)
            try:
                chunk = self.obj.decompress(data, self.limit - self.produced + 1)
            except zlib.error:
                raise FetchError("net.decompression", f"invalid {self.kind} data") from None
            self.produced += len(chunk)
            out += chunk
            if self.produced > self.limit or self.obj.unconsumed_tail:
                raise FetchError("net.too_large", "decoded body over the cap")
            if self.obj.eof:
                rest = self.obj.unused_data
                self.obj = None
                # a new gzip member may follow; trailing garbage after the last one is dropped
                data = rest if rest[:2] == b"\x1f\x8b" else b""
            else:
                data = b""
        return bytes(out)

    def flush(self) -> bytes:
        if self.obj is None:
            return b""
        try:
            chunk = self.obj.flush()
        except zlib.error:
            raise FetchError("net.decompression", f"invalid {self.kind} data") from None
        self.produced += len(chunk)
        if self.produced > self.limit:
            raise FetchError("net.too_large", "decoded body over the cap")
        return chunk


class BodyDecoder:
    """Decodes a body as it arrives and enforces ``max_bytes`` and ``max_ratio``.

    Args:
        content_encoding: the raw ``Content-Encoding`` header ("" or "identity" for none).
    """

    def __init__(self, content_encoding: str, max_bytes: int, max_ratio: float) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 4:
            raise FetchError("net.decompression", "too many content codings")
        layers = []
        for c in reversed(codings):  # the last coding applied is the first to undo
            if c in ("gzip", "x-gzip"):
                layers.append(_Layer("gzip", max_bytes + 64 * 1024))
            elif c == "deflate":
                layers.append(_Layer("deflate", max_bytes + 64 * 1024))
            else:
                raise FetchError("net.decompression", "unsupported content coding")
        self.layers = layers
        self.max_bytes = max_bytes
        self.max_ratio = max_ratio
        self.received = 0
        self.decoded = 0
        self.parts: list[bytes] = []

    def _push(self, data: bytes, flush: bool) -> None:
        for layer in self.layers:
            data = layer.feed(data)
            if flush:
                data += layer.flush()
        self.decoded += len(data)
        if self.decoded > self.max_bytes:
            raise FetchError("net.too_large", "body over the cap")
        if self.layers and self.decoded > RATIO_FLOOR and self.decoded > self.max_ratio * max(1, self.received):
            raise FetchError("net.decompression", "compression ratio over the cap")
        if data:
            self.parts.append(data)

    def feed(self, raw: bytes) -> None:
        self.received += len(raw)
        if not self.layers and self.received > self.max_bytes:
            raise FetchError("net.too_large", "body over the cap")
        self._push(raw, False)

    def finish(self) -> bytes:
        if self.layers:
            self._push(b"", True)
        return b"".join(self.parts)
