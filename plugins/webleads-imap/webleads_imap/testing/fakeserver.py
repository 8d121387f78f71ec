"""A small scripted IMAP server on 127.0.0.1 for what Dovecot will never do.

It serves single-part ``text/plain`` messages well enough for the source to sync them,
and misbehaves on request: a gigantic declared literal, ``BYE`` or a TCP reset in the
middle of a FETCH, no STARTTLS, a certificate for the wrong host (by the TLS context
it is given).  It records every command line it received, with credentials masked, and
whether any credential reached it at all.
"""

from __future__ import annotations

import re
import socket
import ssl
import struct

from .listener import LoopbackListener

FETCH_ITEM = re.compile(
    rb"UID|RFC822\.SIZE|BODYSTRUCTURE|FLAGS|BODY(?:\.PEEK)?\[([^\]]*)\](?:<(\d+)\.(\d+)>)?", re.I)

#: fault names understood by :class:`FakeImapServer`
FAULTS = ("huge_literal", "huge_literal_for_uid", "bye_mid_fetch", "reset_mid_fetch", "trickle",
          "starttls_injection")


class FakeImapServer(LoopbackListener):
    """Scripted server.  ``start()`` returns it; ``port`` is where it listens.

    Args:
        messages: raw messages, UIDs 1..n.
        tls: a server context for implicit TLS (else plain).
        starttls: a server context offered through STARTTLS (``advertise_starttls`` decides
            whether the capability is announced).
        password: the accepted password (any user); ``token``: the accepted XOAUTH2 token.
        fault: one of :data:`FAULTS`, applied to body FETCHes (those asking for the
            header block); ``fault_times`` how many times it fires, ``fault_after`` how many
            body FETCHes go through untouched first; ``fault_uid`` the message a
            ``huge_literal_for_uid`` fault targets.
        uidvalidity: what EXAMINE reports.
    """

    def __init__(self, messages: list[bytes] = (), *, tls: ssl.SSLContext | None = None,
                 starttls: ssl.SSLContext | None = None, advertise_starttls: bool = True,
                 capabilities: tuple[bytes, ...] = (b"IMAP4rev1", b"AUTH=PLAIN", b"SASL-IR"),
                 password: str = "pw", token: str | None = None, fault: str | None = None,
                 fault_times: int = 1, fault_after: int = 0, fault_uid: int = 1,
                 uidvalidity: int = 7) -> None:
        self.messages = list(messages)
        self.tls = tls
        self.starttls_ctx = starttls
        self.advertise_starttls = advertise_starttls
        self.capabilities = capabilities + ((b"AUTH=XOAUTH2",) if token else ())
        self.password = password
        self.token = token
        self.fault = fault
        self.fault_left = fault_times
        self.fault_after = fault_after
        self.body_fetches = 0
        self.fault_uid = fault_uid
        self.uidvalidity = uidvalidity
        self.received: list[bytes] = []
        self.credentials_received = False
        super().__init__()

    # -- life cycle --------------------------------------------------------------------------

    def handle(self, conn: socket.socket) -> None:
        self._serve(conn)

    # -- one connection ----------------------------------------------------------------------

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            f = conn.makefile("rb")
            conn.sendall(b"* OK fake IMAP ready\r\n")
            while not self._stop.is_set():
                line = f.readline(65536)
                if not line:
                    return
                line = line.rstrip(b"\r\n")
                tag, _, rest = line.partition(b" ")
                verb, _, args = rest.partition(b" ")
                verb = verb.upper()
                self._record(tag, verb, args)
                if verb == b"UID":
                    sub, _, args = args.partition(b" ")
                    verb = b"UID " + sub.upper()
                result = self._dispatch(conn, f, tag, verb, args)
                if result == "close":
                    return
                if isinstance(result, tuple) and result[0] == "tls":
                    conn = result[1]
                    f = conn.makefile("rb")
        except (OSError, ssl.SSLError, ValueError):
            return
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _record(self, tag: bytes, verb: bytes, args: bytes) -> None:
        if verb in (b"LOGIN", b"AUTHENTICATE"):
            self.received.append(tag + b" " + verb + b" ***")
        else:
            self.received.append(tag + b" " + verb + (b" " + args if args else b""))

    def _caps(self, tls_active: bool) -> bytes:
        caps = list(self.capabilities)
        if self.starttls_ctx is not None and self.advertise_starttls and not tls_active:
            caps.append(b"STARTTLS")
        return b" ".join(caps)

    def _dispatch(self, conn, f, tag: bytes, verb: bytes, args: bytes):
        tls_active = isinstance(conn, ssl.SSLSocket)
        send = conn.sendall
        if verb == b"CAPABILITY":
            send(b"* CAPABILITY " + self._caps(tls_active) + b"\r\n" + tag + b" OK done\r\n")
        elif verb == b"STARTTLS":
            if self.starttls_ctx is None or tls_active:
                send(tag + b" BAD no STARTTLS here\r\n")
                return None
            if self._take_fault_any("starttls_injection"):
                send(tag + b" OK begin TLS\r\n* 1 EXISTS\r\n")
            else:
                send(tag + b" OK begin TLS\r\n")
            return ("tls", self.starttls_ctx.wrap_socket(conn, server_side=True))
        elif verb == b"LOGIN":
            self.credentials_received = True
            while (m := re.search(rb"\{(\d{1,6})\}$", args)) is not None:  # synchronising literal
                send(b"+ go on\r\n")
                literal = f.read(int(m.group(1)))
                args = args[: m.start()] + b'"' + literal + b'"' + f.readline(65536).rstrip(b"\r\n")
            ok = b'"' + self.password.encode() + b'"' in args
            send(tag + (b" OK logged in\r\n" if ok else b" NO [AUTHENTICATIONFAILED] bad\r\n"))
        elif verb == b"AUTHENTICATE":
            self.credentials_received = True
            mech, _, initial = args.partition(b" ")
            if not initial:
                send(b"+ \r\n")
                initial = f.readline(65536).rstrip(b"\r\n")
            import base64

            try:
                decoded = base64.b64decode(initial)
            except ValueError:
                decoded = b""
            if mech.upper() == b"PLAIN":
                ok = decoded.split(b"\0")[-1] == self.password.encode()
            else:
                ok = self.token is not None and b"auth=Bearer " + self.token.encode() + b"\x01\x01" in decoded
                if not ok:
                    send(b"+ eyJzdGF0dXMiOiI0MDEifQ==\r\n")
                    f.readline(65536)
            send(tag + (b" OK authenticated\r\n" if ok else b" NO [AUTHENTICATIONFAILED] bad\r\n"))
        elif verb == b"LIST":
            send(b'* LIST (\\HasNoChildren) "/" INBOX\r\n' + tag + b" OK done\r\n")
        elif verb == b"EXAMINE":
            n = len(self.messages)
            send(b"* %d EXISTS\r\n* OK [UIDVALIDITY %d] ok\r\n* OK [UIDNEXT %d] ok\r\n%s OK [READ-ONLY] done\r\n"
                 % (n, self.uidvalidity, n + 1, tag))
        elif verb == b"UID SEARCH":
            m = re.search(rb"UID (\d+):(\d+|\*)", args)
            lo, hi = (int(m.group(1)), m.group(2)) if m else (1, b"*")
            top = len(self.messages) if hi == b"*" else int(hi)
            uids = [u for u in range(1, len(self.messages) + 1) if lo <= u <= top]
            send(b"* SEARCH" + b"".join(b" %d" % u for u in uids) + b"\r\n" + tag + b" OK done\r\n")
        elif verb == b"UID FETCH":
            return self._fetch(conn, tag, args)
        elif verb == b"LOGOUT":
            send(b"* BYE bye\r\n" + tag + b" OK done\r\n")
            return "close"
        elif verb == b"NOOP":
            send(tag + b" OK done\r\n")
        else:
            send(tag + b" BAD unknown command\r\n")
        return None

    def _uids(self, spec: bytes) -> list[int]:
        out: list[int] = []
        for piece in spec.split(b","):
            a, _, b = piece.partition(b":")
            lo = int(a)
            hi = int(b) if b and b != b"*" else (len(self.messages) if b == b"*" else lo)
            out.extend(u for u in range(lo, hi + 1) if 1 <= u <= len(self.messages))
        return out

    def _take_fault_any(self, name: str) -> bool:
        with self._lock:
            if self.fault == name and self.fault_left > 0:
                self.fault_left -= 1
                return True
        return False

    def _take_fault(self, name: str) -> bool:
        with self._lock:
            if self.fault == name and self.fault_left > 0 and self.body_fetches > self.fault_after:
                self.fault_left -= 1
                return True
        return False

    def _fetch(self, conn, tag: bytes, args: bytes):
        spec, _, items = args.partition(b" ")
        uids = self._uids(spec)
        body_fetch = b"[HEADER]" in items.upper()
        if body_fetch:
            with self._lock:
                self.body_fetches += 1
        if body_fetch and self.fault == "huge_literal_for_uid" and self.fault_uid in uids:
            conn.sendall(b"* %d FETCH (UID %d BODY[HEADER]<0> {999999999}\r\nFrom: x" % (self.fault_uid,
                                                                                        self.fault_uid))
            return "close"
        if body_fetch and self._take_fault("huge_literal"):
            conn.sendall(b"* 1 FETCH (BODY[] {999999999}\r\n")
            return "close"
        out = []
        for uid in uids:
            out.append(self._fetch_one(uid, items))
        if body_fetch and len(out) > 1 and self._take_fault("bye_mid_fetch"):
            conn.sendall(out[0] + b"* BYE server shutting down\r\n")
            return "close"
        if body_fetch and out and self._take_fault("reset_mid_fetch"):
            conn.sendall(out[0][: len(out[0]) // 2])
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return "close"
        if body_fetch and self._take_fault("trickle"):
            import time

            for byte in (b"".join(out) or b"*")[:50]:
                if self._stop.is_set():
                    break
                conn.sendall(bytes([byte]))
                time.sleep(0.2)
            return "close"
        conn.sendall(b"".join(out) + tag + b" OK done\r\n")
        return None

    def _fetch_one(self, uid: int, items: bytes) -> bytes:
        raw = self.messages[uid - 1]
        split = raw.find(b"\r\n\r\n")
        header, text = (raw[: split + 4], raw[split + 4:]) if split >= 0 else (raw, b"")
        parts: list[bytes] = [b"UID %d" % uid]  # UID FETCH answers always carry the UID
        for m in FETCH_ITEM.finditer(items):
            word = m.group(0).upper()
            if word == b"UID":
                continue
            elif word == b"RFC822.SIZE":
                parts.append(b"RFC822.SIZE %d" % len(raw))
            elif word == b"FLAGS":
                parts.append(b"FLAGS ()")
            elif word == b"BODYSTRUCTURE":
                parts.append(b'BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" %d %d NIL NIL NIL NIL)'
                             % (len(text), text.count(b"\n")))
            else:
                section = (m.group(1) or b"").upper()
                if section.startswith(b"HEADER.FIELDS"):
                    wanted = {w.lower() for w in re.findall(rb"[\w-]+", section[13:])}
                    keep = b"".join(l + b"\r\n" for l in header.split(b"\r\n")
                                    if l.split(b":", 1)[0].lower() in wanted) + b"\r\n"
                    data, name = keep, b"BODY[" + m.group(1) + b"]"
                elif section == b"HEADER":
                    data, name = header, b"BODY[HEADER]"
                else:
                    data, name = text, b"BODY[" + section + b"]"
                if m.group(2) is not None:
                    start, n = int(m.group(2)), int(m.group(3))
                    data = data[start: start + n]
                    name += b"<%d>" % start
                parts.append(name + b" {%d}\r\n" % len(data) + data)
        return b"* %d FETCH (" % uid + b" ".join(parts) + b")\r\n"


def server_context(cert, key) -> ssl.SSLContext:
    """A TLS server context for the fake server."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    return ctx

