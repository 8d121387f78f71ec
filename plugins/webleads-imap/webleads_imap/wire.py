"""Reading IMAP responses off a socket with every size checked before it is allocated.

``imaplib`` on the Python this project runs (3.11.7) reads whatever literal size a
server declares in one ``read(size)`` call, which preallocates it (gh-119511): one line
``* 1 FETCH (BODY[] {999999999}`` costs a gigabyte.  So the plugin reads the wire itself:

* a line may be at most ``max_line`` bytes (checked while it is being buffered);
* a literal's declared size is compared with ``max_literal`` as soon as the ``{n}``
  is seen, before a single byte of it is read, and is then read in chunks;
* everything one command receives is counted against ``max_response``;
* every ``recv`` gets the smaller of the read timeout and what is left of the
  command's total deadline, so a server that trickles one byte at a time is stopped by
  the deadline even though no single read times out.

:func:`parse_tokens` turns one response (lines and literals) into nested Python lists
of ``bytes`` tokens without recursion and with a nesting cap.
"""

from __future__ import annotations

import re
import socket
import ssl
import time
from typing import Any

import attrs

from .errors import ConnectionLost, ImapTimeout, LiteralTooLarge, ProtocolViolation

KiB = 1024
MiB = 1024 * KiB

_LITERAL_AT_END = re.compile(rb"\{(\d{1,20})\}\r?\n?$")


@attrs.frozen
class WireLimits:
    """Caps on what the server may send.

    Attributes:
        max_line: one response line (without its literals).
        max_literal: one literal; larger declarations are refused before reading.
        max_response: all bytes received for one command (lines and literals).
        read_timeout: seconds one ``recv`` may wait.
        command_timeout: seconds one command may take in total (connect and login included).
    """

    max_line: int = 8 * MiB
    max_literal: int = 16 * MiB
    max_response: int = 96 * MiB
    read_timeout: float = 30.0
    command_timeout: float = 300.0


class Wire:
    """A buffered, capped reader and writer over a connected (TLS or plain) socket."""

    def __init__(self, sock: socket.socket, limits: WireLimits) -> None:
        self.sock = sock
        self.limits = limits
        self.buf = bytearray()
        self.deadline = time.monotonic() + limits.command_timeout
        self.received = 0

    # -- deadlines and accounting ---------------------------------------------------

    def start_command(self) -> None:
        """Reset the total deadline and the response byte count for a new command."""
        self.deadline = time.monotonic() + self.limits.command_timeout
        self.received = 0

    def _count(self, n: int) -> None:
        self.received += n
        if self.received > self.limits.max_response:
            raise ProtocolViolation(f"response over {self.limits.max_response} bytes",
                                    reason="imap.response_too_large")

    def _recv(self) -> bytes:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise ImapTimeout("IMAP command deadline passed", reason="imap.deadline")
        self.sock.settimeout(min(self.limits.read_timeout, remaining))
        try:
            data = self.sock.recv(256 * KiB)
        except (socket.timeout, TimeoutError):
            raise ImapTimeout("IMAP server did not answer in time") from None
        except ssl.SSLError as exc:
            raise ConnectionLost(f"TLS error while reading: {type(exc).__name__}") from None
        except OSError as exc:
            raise ConnectionLost(f"connection error while reading: {type(exc).__name__}") from None
        if not data:
            raise ConnectionLost("the IMAP server closed the connection", reason="imap.connection_closed")
        return data

    # -- reading ----------------------------------------------------------------------

    def readline(self) -> bytes:
        """One line without its line end (CRLF, or a bare LF from a sloppy server)."""
        start = 0
        while True:
            nl = self.buf.find(b"\n", start)
            if nl >= 0:
                if nl > self.limits.max_line:
                    raise ProtocolViolation("response line over the cap", reason="imap.line_too_long")
                line = bytes(self.buf[:nl])
                del self.buf[: nl + 1]
                self._count(nl + 1)
                return line[:-1] if line.endswith(b"\r") else line
            if len(self.buf) > self.limits.max_line:
                raise ProtocolViolation("response line over the cap", reason="imap.line_too_long")
            start = len(self.buf)
            self.buf += self._recv()

    def read_exact(self, n: int) -> bytes:
        """Exactly ``n`` bytes; ``n`` was checked against the literal cap by the caller."""
        self._count(n)
        out = bytearray()
        if self.buf:
            take = min(n, len(self.buf))
            out += self.buf[:take]
            del self.buf[:take]
        while len(out) < n:
            chunk = self._recv()
            need = n - len(out)
            if len(chunk) > need:
                out += chunk[:need]
                self.buf += chunk[need:]
            else:
                out += chunk
        return bytes(out)

    def read_response(self) -> list[bytes]:
        """One response: ``[line, literal, line, literal, ..., line]``.

        A line ending in ``{n}`` is followed by a literal of ``n`` bytes; ``n`` is
        refused (:class:`LiteralTooLarge`) before anything is allocated for it.
        """
        pieces: list[bytes] = []
        while True:
            line = self.readline()
            pieces.append(line)
            m = _LITERAL_AT_END.search(line, max(0, len(line) - 24))
            if m is None:
                return pieces
            size = int(m.group(1))
            if size > self.limits.max_literal:
                raise LiteralTooLarge(f"server declared a {size}-byte literal; the cap is "
                                      f"{self.limits.max_literal}")
            pieces.append(self.read_exact(size))

    def pending(self) -> bool:
        """True when the server sent bytes nobody asked for yet (checked after STARTTLS)."""
        return bool(self.buf)

    # -- writing ----------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise ImapTimeout("IMAP command deadline passed", reason="imap.deadline")
        self.sock.settimeout(min(self.limits.read_timeout, remaining))
        try:
            self.sock.sendall(data)
        except (socket.timeout, TimeoutError):
            raise ImapTimeout("IMAP server did not take our data in time") from None
        except OSError as exc:
            raise ConnectionLost(f"connection error while writing: {type(exc).__name__}") from None


# ------------------------------------------------------------------------------ tokens


class TooDeep:
    """Stands for a list nested deeper than the cap; its content was scanned, not kept."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "TooDeep"


TOO_DEEP = TooDeep()
MAX_DEPTH = 48

_ATOM_END = frozenset(b' ()"{\r\n')


def parse_tokens(pieces: list[bytes], start: int = 0, max_depth: int = MAX_DEPTH) -> list[Any]:
    """Tokens of one response from offset ``start`` of its first line.

    Atoms and strings are ``bytes``, ``NIL`` is ``None``, parenthesised lists are
    Python lists.  An atom may contain a ``[...]`` section with spaces and parentheses
    inside (``BODY[HEADER.FIELDS (MESSAGE-ID)]<0>``).  Lists nested deeper than
    ``max_depth`` become :data:`TOO_DEEP` (their content is skipped in linear time).

    Raises :class:`ProtocolViolation` (``imap.parse``) on unbalanced input.
    """
    root: list[Any] = []
    stack: list[list[Any]] = [root]
    skipped_depth = 0  # levels opened beyond max_depth, being skipped
    for idx in range(0, len(pieces), 2):
        line = pieces[idx]
        literal = pieces[idx + 1] if idx + 1 < len(pieces) else None
        i = start if idx == 0 else 0
        n = len(line)
        while i < n:
            c = line[i]
            if c == 0x20:
                i += 1
            elif c == 0x28:  # (
                if skipped_depth or len(stack) > max_depth:
                    skipped_depth += 1
                else:
                    new: list[Any] = []
                    stack[-1].append(new)
                    stack.append(new)
                i += 1
            elif c == 0x29:  # )
                if skipped_depth:
                    skipped_depth -= 1
                    if not skipped_depth:
                        stack[-1].append(TOO_DEEP)
                elif len(stack) > 1:
                    stack.pop()
                else:
                    raise ProtocolViolation("unbalanced parenthesis in a response", reason="imap.parse")
                i += 1
            elif c == 0x22:  # "
                j = i + 1
                out = bytearray()
                while True:
                    if j >= n:
                        raise ProtocolViolation("unterminated quoted string", reason="imap.parse")
                    d = line[j]
                    if d == 0x5C and j + 1 < n:  # backslash
                        out.append(line[j + 1])
                        j += 2
                    elif d == 0x22:
                        break
                    else:
                        out.append(d)
                        j += 1
                if not skipped_depth:
                    stack[-1].append(bytes(out))
                i = j + 1
            elif c == 0x7B and literal is not None and _LITERAL_AT_END.match(line, i):  # {n}
                if not skipped_depth:
                    stack[-1].append(literal)
                i = n
            else:
                j = i
                while j < n:
                    d = line[j]
                    if d == 0x5B:  # [ ... ] is part of the atom
                        close = line.find(b"]", j + 1)
                        j = n if close < 0 else close + 1
                        continue
                    if d in _ATOM_END:
                        break
                    j += 1
                if j == i:  # a lone special character: keep going rather than loop
                    j = i + 1
                if not skipped_depth:
                    atom = line[i:j]
                    stack[-1].append(None if atom.upper() == b"NIL" else atom)
                i = j
    if len(stack) != 1 or skipped_depth:
        raise ProtocolViolation("unbalanced parenthesis in a response", reason="imap.parse")
    return root


def as_int(token: Any) -> int | None:
    """An unsigned number token as an int, else None."""
    if isinstance(token, bytes) and token.isdigit() and len(token) <= 20:
        return int(token)
    return None


def quote(value: str | bytes) -> bytes:
    """An IMAP quoted string (callers send literals for anything with CR, LF or NUL)."""
    b = value.encode("utf-8") if isinstance(value, str) else value
    return b'"' + b.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
