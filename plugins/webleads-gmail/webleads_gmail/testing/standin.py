"""A stand-in for the Gmail API on loopback, speaking its documented wire format.

Google cannot be reached from the tests, so they run the real client code (the
discovery-based client, google-auth, our transport) against this server::

    with GmailStandIn() as g:
        mid = g.mailbox.add_message(raw_bytes)
        token_file = g.write_token_file(tmp_path / "token.json")
        # [[sources]] type="gmail", api_endpoint=g.url, allow_networks=["127.0.0.0/8"], token_file=...

What it implements (paths under ``/gmail/v1/users/{userId}/``): ``profile``,
``labels``, ``messages`` (``maxResults`` up to 500, ``pageToken``, ``q``, repeated
``labelIds``, ``includeSpamTrash``), ``messages/{id}`` (``format=minimal|metadata|full|raw``,
``metadataHeaders``), ``history`` (``startHistoryId``, ``historyTypes``, ``labelId``,
``maxResults``, ``pageToken``; 404 below the retention horizon), and ``POST
/batch/gmail/v1`` (multipart/mixed, at most 100 parts, outer headers such as
``Authorization`` apply to every part unless a part sets its own; the retired global
``/batch`` answers 404).  Plus ``POST /token`` and ``GET /o/oauth2/auth`` (see
:mod:`.oauth`).

Authorization follows the API: a bearer token is required (401 otherwise, with
``WWW-Authenticate``); ``userId`` must be ``me`` or the token's user (403 "Delegation
denied"); a token needs one of the Gmail read scopes (403 insufficientPermissions); a
token that carries ``gmail.metadata`` may not use ``q`` nor ``format=raw|full`` (403),
even alongside other scopes.  A service-account token without a subject has no
mailbox: 400 failedPrecondition.

Faults are injected per kind of call (``profile``, ``labels.list``, ``messages.list``,
``messages.get``, ``history.list``, ``batch``, ``token``), optionally for one message id,
for a number of times: any documented error (429, 403 rate limits, 401, 5xx ...), with
or without ``Retry-After``.  ``calls`` counts requests per kind and ``batch_sizes``
records the size of every batch.
"""

from __future__ import annotations

import base64
import collections
import http.server
import json
import re
import socketserver
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any, Callable

import attrs

from ..tokenfile import write_private_json
from . import envelope
from .mailbox import Mailbox
from .multipart import BatchFormatError, InnerResponse, format_batch, parse_batch
from .oauth import SCOPE_FULL, SCOPE_METADATA, SCOPE_MODIFY, SCOPE_READONLY, OAuthServer

READ_SCOPES = frozenset({SCOPE_READONLY, SCOPE_METADATA, SCOPE_MODIFY, SCOPE_FULL})
FORMATS = ("minimal", "metadata", "full", "raw")
JSON_TYPE = "application/json; charset=UTF-8"
_USER_PATH = re.compile(r"^/gmail/v1/users/([^/]+)/(profile|labels|messages|history)(?:/([^/]+))?$")
_MESSAGE_ID = re.compile(r"[0-9a-f]{16}")


@attrs.define
class Fault:
    """An injected answer for the next ``times`` calls of a kind."""

    kind: str
    error: str  # a key of envelope.KNOWN, or "raw:<status>" for a bare status
    times: int = 1
    retry_after: str | None = None
    message_id: str | None = None
    delay: float = 0.0


Reply = tuple[int, list[tuple[str, str]], bytes]


def _json(status: int, body: Any, extra: list[tuple[str, str]] | None = None) -> Reply:
    return status, [("Content-Type", JSON_TYPE), ("Vary", "Origin"), *(extra or [])], envelope.dumps(body)


def _err(kind: str, message: str | None = None, extra: list[tuple[str, str]] | None = None) -> Reply:
    code, body = envelope.error(kind, message)
    headers = list(extra or [])
    if code == 401:
        headers.append(("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/", error="invalid_token"'))
    return _json(code, body, headers)


class GmailStandIn:
    """The server.  Start it with ``with GmailStandIn() as g:`` or :meth:`start`.

    Attributes:
        mailbox: the default user's mailbox (more with :meth:`add_mailbox`).
        oauth: clients, tokens, service accounts (see :class:`.oauth.OAuthServer`).
        calls: requests per kind.
        batch_sizes: parts per batch request.
        after_list: called with the ids of each ``messages.list`` page after it is built
            (tests delete a listed message there).
    """

    def __init__(self, address: str = "me@standin.example", *, seed: int = 1, token_lifetime: int = 3599) -> None:
        self.mailboxes: dict[str, Mailbox] = {}
        self.mailbox = self.add_mailbox(address, seed=seed)
        self.oauth = OAuthServer(token_lifetime)
        self.oauth.consent_user = address
        self.lock = threading.RLock()
        self.faults: list[Fault] = []
        self.calls: collections.Counter[str] = collections.Counter()
        self.batch_sizes: list[int] = []
        self.after_list: Callable[[list[str]], None] | None = None
        self._pages: collections.OrderedDict[str, list[str]] = collections.OrderedDict()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> GmailStandIn:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.standin = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="gmail-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> GmailStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start the stand-in first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def token_uri(self) -> str:
        return self.url + "token"

    @property
    def auth_uri(self) -> str:
        return self.url + "o/oauth2/auth"

    # -- set-up helpers ------------------------------------------------------------------------

    def add_mailbox(self, address: str, *, seed: int = 1) -> Mailbox:
        box = Mailbox(address, seed=seed)
        self.mailboxes[address.lower()] = box
        return box

    def inject(self, kind: str, error: str, *, times: int = 1, retry_after: str | None = None,
               message_id: str | None = None, delay: float = 0.0) -> Fault:
        fault = Fault(kind, error, times, retry_after, message_id, delay)
        with self.lock:
            self.faults.append(fault)
        return fault

    def client_secrets(self) -> dict[str, Any]:
        """An installed-app client secrets JSON for a new client of this server."""
        cid, secret = self.oauth.add_client()
        return {"installed": {"client_id": cid, "project_id": "standin", "client_secret": secret,
                              "auth_uri": self.auth_uri, "token_uri": self.token_uri,
                              "auth_provider_x509_cert_url": self.url + "oauth2/v1/certs",
                              "redirect_uris": ["http://localhost"]}}

    def write_token_file(self, path: Path, *, user: str | None = None,
                         scopes: tuple[str, ...] = (SCOPE_READONLY,)) -> Path:
        """A token file as ``webleads gmail auth`` writes it, with a fresh refresh token."""
        cid, secret = self.oauth.add_client()
        refresh = self.oauth.issue_refresh_token(cid, user or self.mailbox.address, set(scopes))
        write_private_json(Path(path), {"type": "authorized_user", "client_id": cid, "client_secret": secret,
                                        "refresh_token": refresh, "token_uri": self.token_uri,
                                        "scopes": list(scopes)})
        return Path(path)

    # -- dispatch --------------------------------------------------------------------------

    def _take_fault(self, kind: str, message_id: str | None = None) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.kind == kind and fault.times > 0 and fault.message_id in (None, message_id):
                    fault.times -= 1
                    return fault
        return None

    def _fault_reply(self, fault: Fault) -> Reply:
        if fault.delay:
            time.sleep(fault.delay)
        extra = [("Retry-After", fault.retry_after)] if fault.retry_after is not None else []
        if fault.error.startswith("raw:"):
            status = int(fault.error[4:])
            return status, [("Content-Type", "text/html; charset=UTF-8"), *extra], \
                f"<html><title>Error {status}</title></html>".encode()
        return _err(fault.error, extra=extra)

    def handle(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str],
               body: bytes, *, inner: bool = False) -> Reply:
        if path == "/token" and method == "POST" and not inner:
            return self._token(headers, body)
        if path == "/o/oauth2/auth" and method == "GET" and not inner:
            self.calls["authorize"] += 1
            status, extra, content = self.oauth.authorize(query)
            return status, [("Content-Type", "text/plain"), *extra.items()], content
        if path == "/batch/gmail/v1" and not inner:
            return self._batch(method, headers, body)
        m = _USER_PATH.match(path)
        if m is None:
            return _err("notFound", "Not Found")
        user_id, resource, ident = urllib.parse.unquote(m.group(1)), m.group(2), m.group(3)
        kind = {"profile": "profile", "labels": "labels.list", "history": "history.list",
                "messages": "messages.get" if ident else "messages.list"}[resource]
        self.calls[kind] += 1
        if method != "GET":
            return _err("badRequest", "Method not supported by the stand-in")
        fault = self._take_fault(kind, ident)
        if fault is not None:
            return self._fault_reply(fault)
        grant, failure = self._authorize(headers, query)
        if failure is not None:
            return failure
        assert grant is not None
        if grant.user is None:
            return _err("failedPrecondition")
        if user_id != "me" and user_id.lower() != grant.user.lower():
            return _err("forbidden", f"Delegation denied for {grant.user}")
        box = self.mailboxes.get(grant.user.lower())
        if box is None:
            return _err("failedPrecondition", "Mail service not enabled")
        if not grant.scopes & READ_SCOPES:
            return _err("insufficientPermissions")
        metadata_only = SCOPE_METADATA in grant.scopes
        if resource == "profile":
            return self._profile(box)
        if resource == "labels":
            return _json(200, {"labels": [attrs.asdict(lab) for lab in box.labels.values()]})
        if resource == "history":
            return self._history(box, query)
        if ident:
            return self._get(box, ident, query, metadata_only)
        return self._list(box, query, metadata_only)

    def _authorize(self, headers: dict[str, str], query: dict[str, list[str]]) -> tuple[Any, Reply | None]:
        auth = headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else (query.get("access_token") or [""])[0]
        if not token:
            return None, _err("required", "Request is missing required authentication credential. Expected "
                              "OAuth 2 access token, login cookie or other valid authentication credential.")
        grant = self.oauth.access.get(token)
        if grant is None or grant.revoked or grant.expires_at < time.time():
            return None, _err("authError", "Request had invalid authentication credentials. Expected OAuth 2 "
                              "access token, login cookie or other valid authentication credential.")
        return grant, None

    # -- resources ---------------------------------------------------------------------------

    def _profile(self, box: Mailbox) -> Reply:
        with box.lock:
            threads = {m.thread_id for m in box.messages.values()}
            return _json(200, {"emailAddress": box.address, "messagesTotal": len(box.messages),
                               "threadsTotal": len(threads), "historyId": str(box.history_id)})

    @staticmethod
    def _int_param(query: dict[str, list[str]], name: str, default: int, hi: int) -> int | Reply:
        raw = (query.get(name) or [None])[0]
        if raw is None:
            return default
        if not re.fullmatch(r"\d{1,10}", raw):
            return _err("badRequest", f"Invalid value at '{name}' (TYPE_UINT32), \"{raw[:20]}\"")
        return max(1, min(int(raw), hi))

    def _list(self, box: Mailbox, query: dict[str, list[str]], metadata_only: bool) -> Reply:
        q = (query.get("q") or [""])[0]
        if q and metadata_only:
            return _err("forbidden", "Metadata scope does not support 'q' parameter")
        size = self._int_param(query, "maxResults", 100, 500)
        if not isinstance(size, int):
            return size
        label_ids = query.get("labelIds") or []
        for lid in label_ids:
            if lid not in box.labels:
                return _err("badRequest", f"Invalid label: {lid[:40]}")
        spam = (query.get("includeSpamTrash") or ["false"])[0].lower() == "true"
        token = (query.get("pageToken") or [None])[0]
        if token:
            try:
                key, offset_text = base64.urlsafe_b64decode(token.encode() + b"==").decode().split(":")
                offset = int(offset_text)
            except (ValueError, UnicodeError):
                return _err("badRequest", "Invalid pageToken")
            with self.lock:
                ids = self._pages.get(key)
            if ids is None:
                return _err("badRequest", "Invalid pageToken")
        else:
            ids = box.listing(label_ids, q, spam)
            key = base64.urlsafe_b64encode(json.dumps([time.time_ns(), len(self._pages)]).encode()).decode()[:24]
            with self.lock:
                self._pages[key] = ids
                while len(self._pages) > 256:
                    self._pages.popitem(last=False)
            offset = 0
        page = ids[offset:offset + size]
        body: dict[str, Any] = {"resultSizeEstimate": len(ids)}
        if page:
            with box.lock:
                body["messages"] = [{"id": mid, "threadId": box.messages[mid].thread_id if mid in box.messages
                                     else mid} for mid in page]
        if offset + size < len(ids):
            body["nextPageToken"] = base64.urlsafe_b64encode(f"{key}:{offset + size}".encode()).decode().rstrip("=")
        if self.after_list is not None:
            self.after_list(list(page))
        return _json(200, body)

    def _get(self, box: Mailbox, ident: str, query: dict[str, list[str]], metadata_only: bool) -> Reply:
        fmt = (query.get("format") or ["full"])[0]
        if fmt not in FORMATS:
            return _err("badRequest", f"Invalid value at 'format' (type.googleapis.com/google.apps.gmail.v1."
                        f"MessageFormat), \"{fmt[:20]}\"")
        if metadata_only and fmt in ("raw", "full"):
            return _err("forbidden", f"Metadata scope doesn't allow format {fmt.upper()}")
        if not _MESSAGE_ID.fullmatch(ident):
            return _err("badRequest", "Invalid id value")
        with box.lock:
            msg = box.messages.get(ident)
            if msg is None:
                return _err("notFound")
            return _json(200, box.resource(msg, fmt, query.get("metadataHeaders") or []))

    def _history(self, box: Mailbox, query: dict[str, list[str]]) -> Reply:
        start_text = (query.get("startHistoryId") or [""])[0]
        if not start_text:
            return _err("badRequest", "Missing required parameter: startHistoryId")
        if not re.fullmatch(r"\d{1,20}", start_text):
            return _err("badRequest", f"Invalid value at 'start_history_id' (TYPE_UINT64), \"{start_text[:20]}\"")
        start = int(start_text)
        size = self._int_param(query, "maxResults", 100, 500)
        if not isinstance(size, int):
            return size
        types = query.get("historyTypes") or []
        for t in types:
            if t not in ("messageAdded", "messageDeleted", "labelAdded", "labelRemoved"):
                return _err("badRequest", f"Invalid value at 'history_types', \"{t[:20]}\"")
        with box.lock:
            if start < box.horizon:
                return _err("notFound")
            label = (query.get("labelId") or [None])[0]
            token = (query.get("pageToken") or [None])[0]
            after = start
            if token:
                try:
                    after = int(base64.urlsafe_b64decode(token.encode() + b"==").decode())
                except (ValueError, UnicodeError):
                    return _err("badRequest", "Invalid pageToken")
                if after < box.horizon:
                    return _err("notFound")
            records = box.history_after(after, types, label)
            body: dict[str, Any] = {"historyId": str(box.history_id)}
            if records[:size]:
                body["history"] = records[:size]
            if len(records) > size:
                last = records[size - 1]["id"]
                body["nextPageToken"] = base64.urlsafe_b64encode(str(last).encode()).decode().rstrip("=")
            return _json(200, body)

    # -- batch -------------------------------------------------------------------------------

    def _batch(self, method: str, headers: dict[str, str], body: bytes) -> Reply:
        self.calls["batch"] += 1
        if method != "POST":
            return _err("badRequest", "Batch requests must be POST")
        fault = self._take_fault("batch")
        if fault is not None:
            return self._fault_reply(fault)
        try:
            parts = parse_batch(body, headers.get("content-type", ""))
        except BatchFormatError as exc:
            return _err("badRequest", str(exc))
        with self.lock:
            self.batch_sizes.append(len(parts))
        inherited = {k: v for k, v in headers.items()
                     if k not in ("content-type", "content-length", "content-encoding", "transfer-encoding")}
        answers = []
        for part in parts:
            inner_headers = dict(inherited)
            inner_headers.update(part.headers)
            status, rh, content = self.handle(part.method, part.path, part.query, inner_headers, part.body,
                                              inner=True)
            answers.append(InnerResponse(status, tuple(rh), content, part.content_id))
        ctype, payload = format_batch(answers)
        return 200, [("Content-Type", ctype)], payload

    # -- token endpoint ------------------------------------------------------------------------

    def _token(self, headers: dict[str, str], body: bytes) -> Reply:
        self.calls["token"] += 1
        fault = self._take_fault("token")
        if fault is not None:
            return self._fault_reply(fault)
        if headers.get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
            return _json(400, {"error": "invalid_request", "error_description": "Bad Request"})
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items()}
        with self.lock:
            status, answer = self.oauth.token(form)
        return _json(status, answer, [("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")])


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    standin: GmailStandIn


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 30
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms stalls on keep-alive

    def _serve(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        length = int(headers.get("content-length", "0") or 0)
        if length > 64 * 1024 * 1024:
            self._send(413, [("Content-Type", "text/plain")], b"too large")
            return
        body = self.rfile.read(length) if length else b""
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        try:
            status, rh, content = self.server.standin.handle(self.command, parts.path, query, headers, body)
        except Exception as exc:  # a stand-in bug must show as a 500, not a hang
            status, rh, content = _err("backendError", f"stand-in failure: {type(exc).__name__}: {exc}")
        self._send(status, rh, content)

    do_GET = do_POST = _serve  # noqa: N815

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status, envelope.PHRASES.get(status))
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass
