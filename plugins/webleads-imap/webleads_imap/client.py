"""A small, read-only IMAP4rev1 client: the commands the source needs and nothing else.

Why not ``imaplib``: it allocates whatever literal size a server declares (gh-119511,
unfixed on 3.11.7), its ``IMAP4_SSL`` and ``starttls()`` skip certificate checks unless
handed a context, and its FETCH results interleave tuples and bytes that still need a
parser for BODYSTRUCTURE.  This client reads through :class:`~webleads_imap.wire.Wire`
(every size capped before allocation, total deadlines) and guarantees by construction:

* **TLS verified** with ``ssl.create_default_context()`` (optionally a private CA file);
  STARTTLS is required when configured and refused when not advertised; bytes the
  server sends before the TLS handshake of STARTTLS are an error (no injection); no
  credentials ever go over a connection that is neither TLS nor a loopback socket.
* **Read-only**: only an allowlist of commands can be sent (no STORE, COPY, MOVE,
  EXPUNGE, SELECT, APPEND ...), mailboxes are opened with EXAMINE, and a FETCH that
  would set ``\\Seen`` (``BODY[...]`` without ``.PEEK``, ``RFC822``, ``RFC822.TEXT``) is
  refused before it is sent.
"""

from __future__ import annotations

import base64
import ipaddress
import logging
import re
import socket
import ssl
from pathlib import Path
from typing import Any, Callable, Iterable

import attrs

from . import utf7
from .errors import (
    AuthFailed,
    CertificateError,
    CommandFailed,
    ConnectionLost,
    ImapError,
    ImapTimeout,
    ProtocolViolation,
    TLSRequired,
)
from .wire import Wire, WireLimits, as_int, parse_tokens, quote

log = logging.getLogger("webleads.imap")

#: Commands this client may send.  Everything that could change a mailbox is absent.
ALLOWED_COMMANDS = frozenset({b"CAPABILITY", b"STARTTLS", b"LOGIN", b"AUTHENTICATE", b"LIST",
                              b"EXAMINE", b"UID", b"NOOP", b"LOGOUT"})
ALLOWED_UID_COMMANDS = frozenset({b"FETCH", b"SEARCH"})
_SETS_SEEN = re.compile(rb"RFC822(?!\.SIZE|\.HEADER)\b|(?<!\.PEEK)BODY\[", re.I)
_STATUS = re.compile(rb"^(OK|NO|BAD|BYE|PREAUTH)\b(?: ?\[([^\]]{0,4096})\])?", re.I)
_UNSAFE_QUOTED = re.compile(rb"[\x00\r\n\x80-\xff]")


def make_ssl_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """A verifying client context: the system's CAs, or only ``ca_file`` when given."""
    ctx = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def is_loopback(address: str) -> bool:
    """True for 127.0.0.0/8 and ::1, including the IPv4-mapped ``::ffff:127.x`` form that
    ``ipaddress`` on 3.11.7 does not call loopback."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


@attrs.frozen
class Mailbox:
    """One LIST entry: the decoded name, its encoded form, and its flags (lower-case)."""

    name: str
    encoded: bytes
    flags: frozenset[str]


@attrs.frozen
class MailboxStatus:
    """What EXAMINE said about a mailbox."""

    uidvalidity: int
    uidnext: int | None
    exists: int


@attrs.frozen
class Status:
    """A tagged completion: ``OK``/``NO``/``BAD``, the response code, and the untagged
    responses that arrived before it (each as its wire pieces)."""

    kind: bytes
    code: bytes
    untagged: tuple[list[bytes], ...]


def _status(text: bytes) -> tuple[bytes, bytes]:
    m = _STATUS.match(text)
    if m is None:
        return b"", b""
    return m.group(1).upper(), (m.group(2) or b"")


class ImapClient:
    """One authenticated-or-not IMAP connection.  Build it with :meth:`connect`."""

    def __init__(self, wire: Wire, *, secure: bool) -> None:
        self.wire = wire
        self.secure = secure  # TLS, or a checked loopback socket the user allowed
        self.capabilities: frozenset[bytes] = frozenset()
        self.preauth = False
        self._tag = 0
        self.closed = False

    # -- connecting ---------------------------------------------------------------------

    @classmethod
    def connect(
        cls,
        host: str,
        port: int,
        security: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        limits: WireLimits = WireLimits(),
    ) -> ImapClient:
        """Connect, verify TLS as configured, read the greeting and the capabilities.

        ``security`` is ``"tls"`` (implicit TLS), ``"starttls"`` or ``"plain"`` (only to a
        loopback peer).  Raises :class:`CertificateError`, :class:`TLSRequired`,
        :class:`ConnectionLost`; never sends credentials.
        """
        if security not in ("tls", "starttls", "plain"):
            raise ImapError(f"unknown security mode {security!r}", reason="imap.config")
        try:
            sock = socket.create_connection((host, port), timeout=limits.read_timeout)
        except (socket.timeout, TimeoutError):
            raise ImapTimeout("connecting to the IMAP server timed out") from None
        except OSError as exc:
            raise ConnectionLost(f"cannot connect to the IMAP server: {type(exc).__name__}",
                                 reason="imap.connect_failed") from None
        try:
            if security == "plain":
                peer = sock.getpeername()[0]
                if not is_loopback(peer):
                    raise TLSRequired("plain-text IMAP is only allowed to a loopback address")
            ctx = ssl_context or make_ssl_context()
            if security == "tls":
                sock = _wrap(ctx, sock, host)
            client = cls(Wire(sock, limits), secure=security in ("tls", "plain"))
            client._greeting()
            if security == "starttls":
                client._starttls(ctx, host)
            if not client.capabilities:
                client.refresh_capabilities()
            return client
        except BaseException:
            try:
                sock.close()
            except OSError:
                pass
            raise

    def _greeting(self) -> None:
        self.wire.start_command()
        pieces = self.wire.read_response()
        line = pieces[0]
        if not line.startswith(b"* "):
            raise ProtocolViolation("no IMAP greeting", reason="imap.greeting")
        kind, code = _status(line[2:])
        if kind == b"BYE":
            raise ConnectionLost("the IMAP server refused the connection (BYE)", reason="imap.bye")
        if kind not in (b"OK", b"PREAUTH"):
            raise ProtocolViolation("no IMAP greeting", reason="imap.greeting")
        self.preauth = kind == b"PREAUTH"
        self._caps_from_code(code)

    def _starttls(self, ctx: ssl.SSLContext, host: str) -> None:
        if self.preauth:
            # a PREAUTH greeting on a plain connection leaves no way to start TLS
            raise TLSRequired("the IMAP server pre-authenticated a plain connection; STARTTLS impossible")
        self.refresh_capabilities()
        if b"STARTTLS" not in self.capabilities:
            raise TLSRequired("the IMAP server does not advertise STARTTLS; refusing to log in without TLS")
        st = self._command(b"STARTTLS")
        if st.kind != b"OK":
            raise TLSRequired("the IMAP server refused STARTTLS")
        if self.wire.pending():
            # bytes sent before the handshake would be read as if they came over TLS
            raise ProtocolViolation("data injected before the STARTTLS handshake",
                                    reason="imap.starttls_injection")
        self.wire = Wire(_wrap(ctx, self.wire.sock, host), self.wire.limits)
        self.secure = True
        self.capabilities = frozenset()  # capabilities from before TLS are not trusted
        self.refresh_capabilities()

    def _caps_from_code(self, code: bytes) -> None:
        if code[:11].upper() == b"CAPABILITY ":
            self.capabilities = frozenset(code[11:].upper().split())

    def refresh_capabilities(self) -> None:
        st = self._command(b"CAPABILITY")
        caps: set[bytes] = set()
        for pieces in st.untagged:
            words = pieces[0][2:].split()
            if words and words[0].upper() == b"CAPABILITY":
                caps.update(w.upper() for w in words[1:])
        if caps:
            self.capabilities = frozenset(caps)
        elif st.code[:11].upper() == b"CAPABILITY ":
            self._caps_from_code(st.code)

    # -- commands ------------------------------------------------------------------------

    @staticmethod
    def check_read_only(command: bytes) -> None:
        """Refuse anything that could change the mailbox or its flags (raises ImapError)."""
        words = command.split(None, 2)
        verb = words[0].upper() if words else b""
        if verb not in ALLOWED_COMMANDS:
            raise ImapError(f"command {verb.decode('ascii', 'replace')} is not allowed (read-only client)",
                            reason="imap.not_read_only")
        if verb == b"UID":
            sub = words[1].upper() if len(words) > 1 else b""
            if sub not in ALLOWED_UID_COMMANDS:
                raise ImapError("UID command not allowed (read-only client)", reason="imap.not_read_only")
            if sub == b"FETCH" and len(words) > 2 and _SETS_SEEN.search(words[2]):
                raise ImapError("FETCH item would set \\Seen; use BODY.PEEK", reason="imap.not_read_only")

    def _next_tag(self) -> bytes:
        self._tag += 1
        return b"W%d" % self._tag

    def _command(
        self,
        command: bytes,
        *,
        continuation: Callable[[bytes], bytes] | None = None,
        on_untagged: Callable[[list[bytes]], None] | None = None,
        allow_bye: bool = False,
    ) -> Status:
        """Send one command and read until its tagged completion.

        Untagged responses are handed to ``on_untagged`` as they arrive, or collected.
        A ``* BYE`` raises :class:`ConnectionLost` (``imap.bye``) unless logging out.
        """
        if self.closed:
            raise ConnectionLost("connection already closed")
        self.check_read_only(command)
        tag = self._next_tag()
        self.wire.start_command()
        try:
            self.wire.send(tag + b" " + command + b"\r\n")
            collected: list[list[bytes]] = []
            while True:
                pieces = self.wire.read_response()
                line = pieces[0]
                if line.startswith(b"+"):
                    if continuation is None:
                        raise ProtocolViolation("unexpected continuation request", reason="imap.parse")
                    self.wire.send(continuation(line[2:]) + b"\r\n")
                    continue
                if line.startswith(b"* "):
                    kind, _ = _status(line[2:])
                    if kind == b"BYE" and not allow_bye:
                        raise ConnectionLost("the IMAP server said BYE", reason="imap.bye")
                    if on_untagged is not None:
                        on_untagged(pieces)
                    else:
                        collected.append(pieces)
                    continue
                if line.startswith(tag + b" "):
                    kind, code = _status(line[len(tag) + 1:])
                    if not kind:
                        raise ProtocolViolation("malformed tagged response", reason="imap.parse")
                    return Status(kind, code, tuple(collected))
                raise ProtocolViolation("unexpected response line", reason="imap.parse")
        except (ConnectionLost, ProtocolViolation):
            self.close()
            raise

    # -- authentication -----------------------------------------------------------------------

    def _require_secure(self) -> None:
        if not self.secure:
            raise TLSRequired("refusing to send credentials without TLS")

    def login(self, username: str, password: str) -> None:
        """Log in with a password: SASL PLAIN when offered, else LOGIN.  Raises
        :class:`AuthFailed` without the server's text (it may echo the username)."""
        self._require_secure()
        if self.preauth:
            return
        user, pw = username.encode("utf-8"), password.encode("utf-8")
        if b"AUTH=PLAIN" in self.capabilities:
            self._authenticate(b"PLAIN", b"\0" + user + b"\0" + pw)
        elif b"LOGINDISABLED" in self.capabilities:
            raise TLSRequired("the IMAP server disables LOGIN on this connection")
        else:
            self._login_command(user, pw)
        self._after_login()

    def login_xoauth2(self, username: str, token: str) -> None:
        """SASL XOAUTH2 (Gmail, Microsoft 365) with a bearer token."""
        self._require_secure()
        if self.preauth:
            return
        if b"AUTH=XOAUTH2" not in self.capabilities:
            raise AuthFailed("the IMAP server does not offer XOAUTH2")
        sasl = b"user=" + username.encode("utf-8") + b"\x01auth=Bearer " + token.encode("utf-8") + b"\x01\x01"
        self._authenticate(b"XOAUTH2", sasl)
        self._after_login()

    def _authenticate(self, mechanism: bytes, initial: bytes) -> None:
        encoded = base64.b64encode(initial)
        sent = [b"SASL-IR" in self.capabilities]

        def answer(challenge: bytes) -> bytes:
            if not sent[0]:
                sent[0] = True
                return encoded
            return b""  # an error challenge (XOAUTH2 sends JSON): answer empty, get the NO

        command = b"AUTHENTICATE " + mechanism + (b" " + encoded if sent[0] else b"")
        st = self._command(command, continuation=answer)
        if st.kind != b"OK":
            raise AuthFailed(_auth_message(st.code))
        self._caps_from_code(st.code)

    def _login_command(self, user: bytes, pw: bytes) -> None:
        literals: list[bytes] = []
        args: list[bytes] = []
        for value in (user, pw):
            if _UNSAFE_QUOTED.search(value):
                args.append(b"{%d}" % len(value))
                literals.append(value)
            else:
                args.append(quote(value))
        command = b"LOGIN " + b" ".join(args)
        if not literals:
            st = self._command(command)
        else:
            # synchronising literals: the line goes out up to the first {n}; after each
            # continuation request the literal follows, then the line up to the next {n}
            head, *tails = _split_at_literals(command)
            queue = list(zip(literals, tails))

            def cont(_: bytes) -> bytes:
                if not queue:
                    raise ProtocolViolation("unexpected continuation request", reason="imap.parse")
                lit, tail = queue.pop(0)
                return lit + tail

            st = self._command(head, continuation=cont)
        if st.kind != b"OK":
            raise AuthFailed(_auth_message(st.code))
        self._caps_from_code(st.code)

    def _after_login(self) -> None:
        try:
            self.refresh_capabilities()
        except CommandFailed:
            pass

    # -- mailboxes ---------------------------------------------------------------------------

    def list_mailboxes(self) -> list[Mailbox]:
        """Every mailbox with its flags; special-use flags included where the server
        supports ``LIST ... RETURN (SPECIAL-USE)`` (RFC 6154)."""
        cmd = b'LIST "" "*"'
        if b"SPECIAL-USE" in self.capabilities:
            cmd += b" RETURN (SPECIAL-USE)"
        st = self._command(cmd)
        if st.kind != b"OK":
            raise CommandFailed("LIST failed")
        out: list[Mailbox] = []
        for pieces in st.untagged:
            try:
                tokens = parse_tokens(pieces, 2)
            except ProtocolViolation:
                continue
            if len(tokens) < 4 or not isinstance(tokens[0], bytes) or tokens[0].upper() != b"LIST":
                continue
            flags, name = tokens[1], tokens[3]
            if not isinstance(flags, list) or not isinstance(name, bytes):
                continue
            out.append(Mailbox(name=utf7.decode(name), encoded=name,
                               flags=frozenset(f.decode("ascii", "replace").lower()
                                               for f in flags if isinstance(f, bytes))))
        return out

    def examine(self, encoded_name: bytes) -> MailboxStatus:
        """Open a mailbox read-only.  Raises :class:`CommandFailed` when it cannot be."""
        st = self._command(b"EXAMINE " + quote(encoded_name))
        if st.kind != b"OK":
            raise CommandFailed("EXAMINE failed", reason="imap.folder_unavailable")
        uidvalidity = uidnext = None
        exists = 0
        for pieces in st.untagged:
            line = pieces[0][2:]
            kind, code = _status(line)
            if kind == b"OK" and code:
                name, _, value = code.partition(b" ")
                if name.upper() == b"UIDVALIDITY":
                    uidvalidity = as_int(value.strip())
                elif name.upper() == b"UIDNEXT":
                    uidnext = as_int(value.strip())
                continue
            words = line.split()
            if len(words) == 2 and words[1].upper() == b"EXISTS":
                exists = as_int(words[0]) or 0
        if uidvalidity is None:
            raise ProtocolViolation("EXAMINE gave no UIDVALIDITY", reason="imap.no_uidvalidity")
        return MailboxStatus(uidvalidity=uidvalidity, uidnext=uidnext, exists=exists)

    # -- search and fetch ----------------------------------------------------------------------

    def uid_search(self, criteria: bytes) -> list[int]:
        """UIDs matching ``criteria`` (e.g. ``b"UID 1:500 SINCE 01-Jan-2024"``), ascending."""
        st = self._command(b"UID SEARCH " + criteria)
        if st.kind != b"OK":
            raise CommandFailed("UID SEARCH failed")
        uids: list[int] = []
        for pieces in st.untagged:
            words = pieces[0][2:].split()
            if words and words[0].upper() == b"SEARCH":
                uids.extend(n for n in (as_int(w) for w in words[1:]) if n is not None)
        return sorted(set(uids))

    def uid_fetch(self, uids: Iterable[int], items: bytes) -> tuple[dict[int, dict[bytes, Any]], int]:
        """``UID FETCH`` of ``items`` (a parenthesised list) for ``uids``.

        Returns ``({uid: {ITEM: value}}, unparseable)``: item names are upper-case as the
        server echoes them (``BODY[1]<0>``), and ``unparseable`` counts responses that
        could not be parsed (skipped; the stream itself stays in sync).  UIDs the server
        does not return (expunged meanwhile) are simply absent: a tagged ``NO`` such as
        Dovecot's ``[EXPUNGEISSUED]`` is tolerated, ``BAD`` is not.
        """
        wanted = set(uids)
        out: dict[int, dict[bytes, Any]] = {}
        bad = [0]

        def take(pieces: list[bytes]) -> None:
            words = pieces[0][2:20].split(None, 2)
            if len(words) < 2 or words[1].upper() != b"FETCH":
                return
            try:
                tokens = parse_tokens(pieces, 2)
            except ProtocolViolation:
                bad[0] += 1
                return
            if len(tokens) < 3 or not isinstance(tokens[2], list):
                bad[0] += 1
                return
            attrs_list = tokens[2]
            item: dict[bytes, Any] = {}
            for i in range(0, len(attrs_list) - 1, 2):
                key = attrs_list[i]
                if isinstance(key, bytes):
                    item[b" ".join(key.upper().split())] = attrs_list[i + 1]
            uid = as_int(item.get(b"UID"))
            if uid is None or uid not in wanted:
                return  # an unsolicited FETCH (flag update) or a confused server
            out.setdefault(uid, {}).update(item)

        st = self._command(b"UID FETCH " + uid_set(sorted(wanted)) + b" " + items, on_untagged=take)
        if st.kind == b"BAD":
            raise CommandFailed("UID FETCH refused by the server")
        return out, bad[0]

    # -- closing ---------------------------------------------------------------------------------

    def logout(self) -> None:
        if self.closed:
            return
        try:
            self._command(b"LOGOUT", allow_bye=True)
        except ImapError:
            pass
        finally:
            self.close()

    def close(self) -> None:
        self.closed = True
        try:
            self.wire.sock.close()
        except OSError:
            pass


def _wrap(ctx: ssl.SSLContext, sock: socket.socket, host: str) -> ssl.SSLSocket:
    try:
        return ctx.wrap_socket(sock, server_hostname=host)
    except ssl.SSLCertVerificationError as exc:
        raise CertificateError(
            f"the IMAP server's TLS certificate does not verify ({exc.verify_message or 'unknown reason'})"
        ) from None
    except (socket.timeout, TimeoutError):
        raise ImapTimeout("TLS handshake timed out") from None
    except ssl.SSLError as exc:
        raise ImapError(f"TLS handshake failed ({exc.reason or type(exc).__name__})",
                        reason="imap.tls_failed") from None
    except OSError as exc:
        raise ConnectionLost(f"connection lost during the TLS handshake: {type(exc).__name__}") from None


def _auth_message(code: bytes) -> str:
    word = code.split(None, 1)[0].decode("ascii", "replace")[:40] if code else ""
    return "the IMAP server refused the login" + (f" ({word})" if word else "")


def _split_at_literals(command: bytes) -> list[bytes]:
    """``b'LOGIN {3} "x"'`` -> ``[b'LOGIN {3}', b' "x"']``: pieces ending at each literal."""
    out: list[bytes] = []
    pos = 0
    for m in re.finditer(rb"\{\d+\}", command):
        out.append(command[pos:m.end()])
        pos = m.end()
    tail = command[pos:]
    if out:
        out.append(tail)
    else:
        out = [command]
    # the first element is the head; each later one follows a literal
    return out


def uid_set(uids: list[int]) -> bytes:
    """A compact sequence set of sorted UIDs: ``[1, 2, 3, 7]`` -> ``b"1:3,7"``."""
    if not uids:
        raise ValueError("empty UID set")
    parts: list[bytes] = []
    start = prev = uids[0]
    for u in uids[1:]:
        if u == prev + 1:
            prev = u
            continue
        parts.append(b"%d" % start if start == prev else b"%d:%d" % (start, prev))
        start = prev = u
    parts.append(b"%d" % start if start == prev else b"%d:%d" % (start, prev))
    return b",".join(parts)
