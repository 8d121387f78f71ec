"""The stand-in's OAuth 2.0 side: an authorization endpoint that consents on the user's
behalf, and a token endpoint for the three grants the plugin uses.

* ``authorization_code`` with PKCE (RFC 7636): the code is single-use and bound to the
  client, the redirect URI and the ``code_challenge``; S256 is checked.  Redirect URIs
  must be loopback (``http://127.0.0.1:PORT/``, ``http://[::1]:PORT/``, ``http://localhost:PORT/``)
  as Google requires for desktop clients.
* ``refresh_token``: the client id and secret must match the grant; a revoked or unknown
  refresh token answers 400 ``invalid_grant``; ``scope`` may narrow, never widen.
* ``urn:ietf:params:oauth:grant-type:jwt-bearer`` (service accounts): the RS256
  assertion is verified with the account's public key; ``aud`` must be Google's token
  endpoint ``https://oauth2.googleapis.com/token`` (whatever URL the assertion is posted
  to, as with Google); ``sub`` must be delegated (domain-wide delegation) or the answer is 401
  ``unauthorized_client`` as Google sends it.

Errors use RFC 6749's ``{"error": ..., "error_description": ...}`` shape.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import urllib.parse
from typing import Any

import attrs

SCOPE_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
SCOPE_METADATA = "https://www.googleapis.com/auth/gmail.metadata"
SCOPE_MODIFY = "https://www.googleapis.com/auth/gmail.modify"
SCOPE_FULL = "https://mail.google.com/"
KNOWN_SCOPES = {SCOPE_READONLY, SCOPE_METADATA, SCOPE_MODIFY, SCOPE_FULL,
                "https://www.googleapis.com/auth/gmail.labels", "openid", "email", "profile"}
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
JWT_AUDIENCE = "https://oauth2.googleapis.com/token"


@attrs.define
class Grant:
    """What an access or refresh token stands for."""

    user: str | None  # the mailbox address; None for a service account acting as itself
    scopes: frozenset[str]
    client_id: str
    expires_at: float = 0.0
    revoked: bool = False


@attrs.define
class PendingCode:
    client_id: str
    redirect_uri: str
    user: str
    scopes: frozenset[str]
    challenge: str | None
    method: str | None
    offline: bool
    used: bool = False


@attrs.define
class ServiceAccount:
    client_email: str
    client_id: str
    public_pem: str = attrs.field(repr=False)
    delegated_scopes: frozenset[str] = frozenset()


def _oauth_error(status: int, code: str, description: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": code, "error_description": description}


class OAuthServer:
    """Token state of the stand-in (used under the server's lock)."""

    def __init__(self, token_lifetime: int = 3599) -> None:
        self.clients: dict[str, str] = {}
        self.access: dict[str, Grant] = {}
        self.refresh: dict[str, Grant] = {}
        self.codes: dict[str, PendingCode] = {}
        self.service_accounts: dict[str, ServiceAccount] = {}
        self.token_lifetime = token_lifetime
        self.consent_user: str | None = None
        self.consent: str = "allow"  # "allow", "deny", or "drop_scopes" (granular consent unticked)
        self.authorization_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []

    # -- set-up --------------------------------------------------------------------------

    def add_client(self, client_id: str | None = None, secret: str | None = None) -> tuple[str, str]:
        client_id = client_id or f"{secrets.randbelow(10**12):012d}-standin.apps.googleusercontent.com"
        secret = secret or "GOCSPX-" + secrets.token_urlsafe(21)
        self.clients[client_id] = secret
        return client_id, secret

    def issue_refresh_token(self, client_id: str, user: str, scopes: set[str] | frozenset[str]) -> str:
        token = "1//" + secrets.token_urlsafe(48)
        self.refresh[token] = Grant(user, frozenset(scopes), client_id)
        return token

    def issue_access_token(self, user: str | None, scopes: set[str] | frozenset[str], client_id: str = "",
                           lifetime: int | None = None) -> str:
        token = "ya29." + secrets.token_urlsafe(60)
        life = self.token_lifetime if lifetime is None else lifetime
        self.access[token] = Grant(user, frozenset(scopes), client_id, time.time() + life)
        return token

    def revoke_all(self) -> None:
        for g in list(self.refresh.values()) + list(self.access.values()):
            g.revoked = True

    def expire_access_tokens(self) -> None:
        for g in self.access.values():
            g.expires_at = 0.0

    def add_service_account(self, client_email: str, public_pem: str, delegated: set[str] | None = None) -> None:
        self.service_accounts[client_email] = ServiceAccount(
            client_email, str(secrets.randbelow(10**21)), public_pem, frozenset(delegated or ()))

    # -- authorization endpoint ------------------------------------------------------------

    def authorize(self, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        q = {k: v[0] for k, v in query.items()}
        self.authorization_requests.append(q)
        client_id, redirect = q.get("client_id", ""), q.get("redirect_uri", "")
        if client_id not in self.clients:
            return 401, {}, b"Error 401: invalid_client"
        parts = urllib.parse.urlsplit(redirect)
        if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "::1", "localhost") or not parts.port:
            return 400, {}, b"Error 400: redirect_uri_mismatch"
        if q.get("response_type") != "code":
            return 400, {}, b"Error 400: unsupported_response_type"
        scopes = frozenset(q.get("scope", "").split())
        if not scopes or not scopes <= KNOWN_SCOPES:
            return 400, {}, b"Error 400: invalid_scope"
        if q.get("code_challenge_method") not in (None, "S256", "plain"):
            return 400, {}, b"Error 400: invalid_request"
        back = {"state": q["state"]} if "state" in q else {}
        if self.consent == "deny":
            back["error"] = "access_denied"
        else:
            granted = scopes - {SCOPE_READONLY} if self.consent == "drop_scopes" else scopes
            code = "4/" + secrets.token_urlsafe(40)
            self.codes[code] = PendingCode(client_id, redirect, self.consent_user or "me@standin.example",
                                           frozenset(granted), q.get("code_challenge"),
                                           q.get("code_challenge_method"), q.get("access_type") == "offline")
            back.update(code=code, scope=" ".join(sorted(granted)))
        sep = "&" if parts.query else "?"
        return 302, {"Location": redirect + sep + urllib.parse.urlencode(back)}, b""

    # -- token endpoint --------------------------------------------------------------------

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.token_requests.append({k: v for k, v in form.items() if k in ("grant_type", "scope")})
        grant = form.get("grant_type")
        if grant == "authorization_code":
            return self._code_grant(form)
        if grant == "refresh_token":
            return self._refresh_grant(form)
        if grant == JWT_GRANT:
            return self._jwt_grant(form)
        return _oauth_error(400, "unsupported_grant_type", "Invalid grant_type: " + str(grant)[:40])

    def _client_ok(self, form: dict[str, str]) -> bool:
        cid = form.get("client_id", "")
        return cid in self.clients and secrets.compare_digest(self.clients[cid], form.get("client_secret", ""))

    def _tokens(self, user: str | None, scopes: frozenset[str], client_id: str,
                refresh: bool) -> tuple[int, dict[str, Any]]:
        body: dict[str, Any] = {"access_token": self.issue_access_token(user, scopes, client_id),
                                "expires_in": self.token_lifetime, "scope": " ".join(sorted(scopes)),
                                "token_type": "Bearer"}
        if refresh:
            body["refresh_token"] = self.issue_refresh_token(client_id, user or "", scopes)
        return 200, body

    def _code_grant(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if not self._client_ok(form):
            return _oauth_error(401, "invalid_client", "Unauthorized")
        pending = self.codes.get(form.get("code", ""))
        if pending is None or pending.used or pending.client_id != form.get("client_id"):
            return _oauth_error(400, "invalid_grant", "Malformed auth code.")
        pending.used = True
        if pending.redirect_uri != form.get("redirect_uri"):
            return _oauth_error(400, "redirect_uri_mismatch", "Bad Request")
        if pending.challenge is not None:
            verifier = form.get("code_verifier")
            if not verifier:
                return _oauth_error(400, "invalid_grant", "Missing code verifier.")
            if pending.method == "S256":
                digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
                expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            else:
                expected = verifier
            if not secrets.compare_digest(expected, pending.challenge):
                return _oauth_error(400, "invalid_grant", "Invalid code verifier.")
        return self._tokens(pending.user, pending.scopes, pending.client_id, pending.offline)

    def _refresh_grant(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if not self._client_ok(form):
            return _oauth_error(401, "invalid_client", "The OAuth client was not found.")
        g = self.refresh.get(form.get("refresh_token", ""))
        if g is None or g.revoked or g.client_id != form.get("client_id"):
            return _oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
        scopes = g.scopes
        if form.get("scope"):
            asked = frozenset(form["scope"].split())
            if not asked <= g.scopes:
                return _oauth_error(400, "invalid_scope", "Bad Request")
            scopes = asked
        return self._tokens(g.user, scopes, g.client_id, refresh=False)

    def _jwt_grant(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        from google.auth import exceptions, jwt

        assertion = form.get("assertion", "")
        try:
            unverified = jwt.decode(assertion, verify=False)
        except (ValueError, exceptions.GoogleAuthError):
            return _oauth_error(400, "invalid_grant", "Invalid JWT Signature.")
        account = self.service_accounts.get(str(unverified.get("iss", "")))
        if account is None:
            return _oauth_error(400, "invalid_grant", "Invalid grant: account not found")
        try:
            claims = jwt.decode(assertion, certs=account.public_pem, audience=JWT_AUDIENCE)
        except (ValueError, exceptions.GoogleAuthError):
            return _oauth_error(400, "invalid_grant", "Invalid JWT Signature.")
        now = time.time()
        if not (claims.get("iat", 0) <= now + 300 and claims.get("exp", 0) > now - 300
                and claims.get("exp", 0) - claims.get("iat", 0) <= 3600):
            return _oauth_error(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token "
                                "(60 minutes) and in a reasonable timeframe.")
        scopes = frozenset(str(claims.get("scope", "")).split())
        subject = claims.get("sub")
        if subject and subject != account.client_email:
            if not scopes or not scopes <= account.delegated_scopes:
                return _oauth_error(401, "unauthorized_client", "Client is unauthorized to retrieve access "
                                    "tokens using this method, or client not authorized for any of the "
                                    "scopes requested.")
            return self._tokens(str(subject), scopes, account.client_id, refresh=False)
        return self._tokens(None, scopes, account.client_id, refresh=False)
