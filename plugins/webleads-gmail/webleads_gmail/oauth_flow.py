"""OAuth 2.0 for installed apps: loopback redirect with PKCE (RFC 8252, RFC 7636).

1. A one-shot HTTP listener opens on ``127.0.0.1`` (an ephemeral port unless given).
2. The browser goes to the client's ``auth_uri`` with ``scope=gmail.readonly`` only,
   ``code_challenge`` (S256 of a fresh random verifier), a random ``state``,
   ``access_type=offline`` and ``prompt=consent`` (so a refresh token is issued).
3. The listener takes the redirect back: the ``state`` must match (anything else gets
   a 400 and the wait goes on), ``error=`` ends the flow with a one-line message.
4. The code and the verifier are exchanged at the client's ``token_uri`` through the
   core's safe HTTP client (deadline, size cap, no redirects).

Our own module rather than google-auth-oauthlib: it is short, uses the safe client,
needs neither requests-oauthlib nor an ``OAUTHLIB_INSECURE_TRANSPORT`` switch for
tests, and its errors are one line without server text.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import secrets
import threading
import time
import urllib.parse
import webbrowser
from pathlib import Path
from typing import Any, Callable

import attrs

from webleads_core.errors import ConfigError
from webleads_core.net import FetchError, HttpClient, NetPolicy

from .credentials import SCOPE_METADATA, SCOPE_READONLY, read_json_file
from .errors import GmailAuthError

SUCCESS_PAGE = (b"<!doctype html><meta charset=utf-8><title>webleads</title>"
                b"<p>webleads may now read this Gmail account (read-only). You can close this window.</p>")
FAILURE_PAGE = b"<!doctype html><meta charset=utf-8><title>webleads</title><p>Authorization was not granted.</p>"


@attrs.frozen
class ClientSecrets:
    """An OAuth client of type "Desktop app" (the ``installed`` block of its JSON)."""

    client_id: str
    client_secret: str = attrs.field(repr=False)
    auth_uri: str
    token_uri: str


def load_client_secrets(path: Path) -> ClientSecrets:
    data = read_json_file(path, "--client-secrets")
    block = data.get("installed")
    if not isinstance(block, dict):
        kind = "a web application client" if "web" in data else "not an OAuth client file"
        raise ConfigError(f"--client-secrets: {kind}; create an OAuth client of type 'Desktop app' "
                          "and download its JSON")
    values = {}
    for key in ("client_id", "client_secret", "auth_uri", "token_uri"):
        value = block.get(key)
        if not isinstance(value, str) or not value:
            raise ConfigError(f"--client-secrets: missing {key}")
        values[key] = value
    for key in ("auth_uri", "token_uri"):
        scheme = urllib.parse.urlsplit(values[key]).scheme
        if scheme not in ("https", "http"):
            raise ConfigError(f"--client-secrets: {key} is not an http(s) URL")
    return ClientSecrets(**values)


def pkce_pair() -> tuple[str, str]:
    """A code verifier (86 unreserved characters) and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=")
    return verifier, challenge.decode("ascii")


@attrs.define
class _Outcome:
    code: str | None = attrs.field(default=None, repr=False)
    error: str | None = None
    done: threading.Event = attrs.field(factory=threading.Event)


class _Listener(http.server.HTTPServer):
    state: str
    outcome: _Outcome


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Listener
    timeout = 10  # a connection that sends nothing cannot hold the listener

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        parts = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parts.query)
        if parts.path != "/" or self.server.outcome.done.is_set():
            self._reply(404, b"not found")
            return
        state = (query.get("state") or [""])[0]
        if not secrets.compare_digest(state.encode(), self.server.state.encode()):
            self._reply(400, b"state mismatch")  # not our redirect: keep waiting
            return
        if "error" in query:
            self.server.outcome.error = (query["error"][0] or "error")[:40]
            self._reply(200, FAILURE_PAGE)
        elif query.get("code"):
            self.server.outcome.code = query["code"][0]
            self._reply(200, SUCCESS_PAGE)
        else:
            self._reply(400, b"no code")
            return
        self.server.outcome.done.set()

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8" if body.startswith(b"<!") else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # the query holds the code: never log it
        pass


def authorize(client: ClientSecrets, *, port: int = 0, timeout: float = 300.0, open_browser: bool = True,
              announce: Callable[[str], None] = print, allow_networks: tuple[str, ...] = (),
              login_hint: str | None = None) -> dict[str, Any]:
    """Run the flow; returns the token endpoint's JSON (with a ``refresh_token``).

    Raises :class:`GmailAuthError` (denied, timed out, refused) with one line.
    """
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(24)
    try:
        server = _Listener(("127.0.0.1", port), _Handler)
    except OSError as exc:
        raise ConfigError(f"cannot listen on 127.0.0.1:{port} ({type(exc).__name__})") from None
    server.state = state
    server.outcome = _Outcome()
    server.timeout = 0.5
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/"
    params = {"client_id": client.client_id, "redirect_uri": redirect_uri, "response_type": "code",
              "scope": SCOPE_READONLY, "state": state, "code_challenge": challenge,
              "code_challenge_method": "S256", "access_type": "offline", "prompt": "consent"}
    if login_hint:
        params["login_hint"] = login_hint
    sep = "&" if urllib.parse.urlsplit(client.auth_uri).query else "?"
    url = client.auth_uri + sep + urllib.parse.urlencode(params)
    announce("Open this address in a browser and allow read-only access to Gmail:\n  " + url)
    if open_browser:
        try:
            webbrowser.open(url, new=1, autoraise=True)
        except Exception:  # no browser here: the printed address is enough
            pass
    deadline = time.monotonic() + timeout
    try:
        while not server.outcome.done.is_set():
            if time.monotonic() >= deadline:
                raise GmailAuthError(f"no answer from the browser within {timeout:g} s",
                                     reason="gmail.auth_timeout")
            server.handle_request()
    finally:
        server.server_close()
    if server.outcome.error:
        raise GmailAuthError(f"authorization was not granted ({server.outcome.error})",
                             reason="gmail.auth_denied")
    assert server.outcome.code is not None
    return exchange_code(client, server.outcome.code, verifier, redirect_uri, allow_networks=allow_networks)


def exchange_code(client: ClientSecrets, code: str, verifier: str, redirect_uri: str, *,
                  allow_networks: tuple[str, ...] = ()) -> dict[str, Any]:
    body = urllib.parse.urlencode({
        "grant_type": "authorization_code", "code": code, "code_verifier": verifier,
        "client_id": client.client_id, "client_secret": client.client_secret, "redirect_uri": redirect_uri,
    }).encode("ascii")
    http = HttpClient(NetPolicy(allow_networks=allow_networks, deadline=60.0, max_bytes=256 * 1024,
                                max_redirects=0))
    try:
        resp = http.request("POST", client.token_uri, body=body, follow_redirects=False, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    except FetchError as exc:
        raise GmailAuthError(f"token endpoint unreachable ({exc.reason})", reason="gmail.token_unreachable") from None
    try:
        data = json.loads(resp.body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise GmailAuthError(f"token endpoint answered HTTP {resp.status} without JSON", reason="gmail.auth_failed")
    if resp.status != 200 or "error" in data:
        code_ = str(data.get("error", "error"))[:40]
        raise GmailAuthError(f"the token endpoint refused the authorization code ({code_})",
                             reason="gmail.auth_failed")
    granted = set(str(data.get("scope", "")).split())
    if "scope" in data and SCOPE_READONLY not in granted:
        raise GmailAuthError("the read-only Gmail permission was not granted (it was unticked on the "
                             "consent screen); run auth again and allow it", reason="gmail.invalid_scope")
    if SCOPE_METADATA in granted:
        raise GmailAuthError("the grant includes gmail.metadata, which forbids reading messages: remove the "
                             "app's access at https://myaccount.google.com/permissions and run auth again",
                             reason="gmail.metadata_scope")
    if not data.get("refresh_token"):
        raise GmailAuthError("no refresh token was issued: remove the app's access at "
                             "https://myaccount.google.com/permissions and run auth again",
                             reason="gmail.no_refresh_token")
    return data


def token_file_data(client: ClientSecrets, token: dict[str, Any]) -> dict[str, Any]:
    """The authorized-user JSON google-auth reads (no access token: it is refreshed on use)."""
    scopes = str(token.get("scope") or SCOPE_READONLY).split()
    return {"type": "authorized_user", "client_id": client.client_id, "client_secret": client.client_secret,
            "refresh_token": token["refresh_token"], "token_uri": client.token_uri, "scopes": scopes}
