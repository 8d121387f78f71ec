"""Authentication of ``rest`` sources: the ``[sources.auth]`` table.

============  ====================================================================
``bearer``    ``Authorization: Bearer <token>``; ``token_env`` / ``token_file``
``basic``     ``Authorization: Basic``; ``username`` (plain), ``password_env`` / ``_file``
``api_key``   ``header = "X-API-Key"`` or ``query = "api_key"``; ``key_env`` / ``key_file``
``oauth2``    client credentials grant (RFC 6749 4.4): ``token_url``, ``client_id``
              (plain or ``client_id_env``), ``client_secret_env`` / ``_file``, optional
              ``scope``, ``audience``, ``client_auth = "basic"`` (default) or ``"body"``
============  ====================================================================

An OAuth2 token is fetched on the first request, reused until 30 s before it
expires, and fetched again once when the API answers 401.  Tokens and secrets live
in :class:`~webleads_api.secrets.Secret` objects only: not in cursors, logs, errors
or ``repr``.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import quote, urlencode

from webleads_core.errors import ConfigError

from .errors import ApiError, CredentialsError
from .secrets import Secret, resolve_secret

#: ``fetch(method, url, headers, body) -> (status, headers, body bytes)``, through the
#: source's safe HTTP client.
Fetch = Callable[[str, str, dict, bytes | None], tuple[int, dict, bytes]]


class Auth:
    """No authentication."""

    kind = "none"

    def prepare(self, headers: dict[str, str], query: list[tuple[str, str]]) -> None:
        """Add credentials to a request about to be sent."""

    def refresh(self) -> bool:
        """Called after a 401: True when new credentials make a retry worthwhile."""
        return False

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class BearerAuth(Auth):
    kind = "bearer"

    def __init__(self, token: Secret) -> None:
        self._token = token

    def prepare(self, headers, query) -> None:
        headers["Authorization"] = f"Bearer {self._token.value}"


class BasicAuth(Auth):
    kind = "basic"

    def __init__(self, username: str, password: Secret) -> None:
        self._username = username
        self._password = password

    def prepare(self, headers, query) -> None:
        raw = f"{self._username}:{self._password.value}".encode("utf-8")
        headers["Authorization"] = "Basic " + base64.b64encode(raw).decode("ascii")


class ApiKeyAuth(Auth):
    kind = "api_key"

    def __init__(self, key: Secret, *, header: str | None = None, query: str | None = None) -> None:
        self._key = key
        self._header = header
        self._query = query

    def prepare(self, headers, query) -> None:
        if self._header:
            headers[self._header] = self._key.value
        else:
            assert self._query
            query.append((self._query, self._key.value))


class OAuth2ClientCredentials(Auth):
    kind = "oauth2"
    #: Seconds before expiry at which a token is no longer used.
    MARGIN = 30.0

    def __init__(self, token_url: str, client_id: Secret, client_secret: Secret, *,
                 scope: str | None = None, audience: str | None = None, client_auth: str = "basic",
                 fetch: Fetch | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self.scope = scope
        self.audience = audience
        self.client_auth = client_auth
        self.fetch = fetch
        self._clock = clock
        self._token: Secret | None = None
        self._expires = 0.0
        self.fetched = 0  # how many tokens were fetched (tests and diagnostics)

    def prepare(self, headers, query) -> None:
        if self._token is None or self._clock() >= self._expires:
            self._get_token()
        assert self._token is not None
        headers["Authorization"] = f"Bearer {self._token.value}"

    def refresh(self) -> bool:
        self._token = None
        return True

    def _get_token(self) -> None:
        if self.fetch is None:  # pragma: no cover - set by the session
            raise ApiError("api.oauth_token", "no HTTP client to fetch a token with")
        form: dict[str, str] = {"grant_type": "client_credentials"}
        if self.scope:
            form["scope"] = self.scope
        if self.audience:
            form["audience"] = self.audience
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        if self.client_auth == "body":
            form["client_id"] = self._client_id.value
            form["client_secret"] = self._client_secret.value
        else:
            # RFC 6749 2.3.1: both parts form-urlencoded before the Basic encoding
            pair = f"{quote(self._client_id.value, safe='')}:{quote(self._client_secret.value, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        status, _h, body = self.fetch("POST", self.token_url, headers, urlencode(form).encode("ascii"))
        if status in (400, 401, 403):
            raise CredentialsError("api.oauth_refused", f"the token endpoint refused the client (HTTP {status})")
        if not 200 <= status < 300:
            raise ApiError("api.oauth_token", f"the token endpoint answered HTTP {status}")
        try:
            data = json.loads(body)
            token = data["access_token"]
            ttl = float(data.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError, RecursionError):
            raise ApiError("api.oauth_token", "the token endpoint's answer is not a token") from None
        if not isinstance(token, str) or not token or len(token) > 16384:
            raise ApiError("api.oauth_token", "the token endpoint's answer is not a token")
        self._token = Secret(token)
        self._expires = self._clock() + max(0.0, min(ttl, 86400.0) - self.MARGIN)
        self.fetched += 1


def build_auth(table: Any, *, where: str, base_dir: Path) -> Auth:
    """The :class:`Auth` of an ``auth`` table (None or missing: no authentication)."""
    if table is None:
        return Auth()
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} must be a table")
    kind = table.get("type")
    allowed = {
        "bearer": {"type", "token_env", "token_file", "token"},
        "basic": {"type", "username", "password_env", "password_file", "password"},
        "api_key": {"type", "header", "query", "key_env", "key_file", "key"},
        "oauth2": {"type", "token_url", "client_id", "client_id_env", "client_id_file",
                   "client_secret_env", "client_secret_file", "client_secret", "scope", "audience",
                   "client_auth"},
    }
    if kind not in allowed:
        raise ConfigError(f"{where}.type must be one of {', '.join(allowed)}")
    unknown = set(table) - allowed[kind]
    if unknown:
        raise ConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    if kind == "bearer":
        return BearerAuth(_secret(table, "token", where, base_dir))
    if kind == "basic":
        user = table.get("username")
        if not isinstance(user, str) or not user or ":" in user:
            raise ConfigError(f"{where}.username must be a non-empty string without ':'")
        return BasicAuth(user, _secret(table, "password", where, base_dir))
    if kind == "api_key":
        header, query = table.get("header"), table.get("query")
        if (header is None) == (query is None):
            raise ConfigError(f"{where}: give header or query (where the key goes)")
        name = header if header is not None else query
        if not isinstance(name, str) or not name or not name.replace("-", "").replace("_", "").isalnum():
            raise ConfigError(f"{where}: header/query must be a plain name")
        return ApiKeyAuth(_secret(table, "key", where, base_dir), header=header, query=query)
    token_url = table.get("token_url")
    if not isinstance(token_url, str) or not token_url.startswith(("https://", "http://")):
        raise ConfigError(f"{where}.token_url must be an http(s) URL")
    if isinstance(table.get("client_id"), str) and table["client_id"]:
        client_id = Secret(table["client_id"])  # an id is not secret, but is kept out of repr alike
    else:
        cid = resolve_secret({k: v for k, v in table.items() if k in ("client_id_env", "client_id_file")},
                             "client_id", where=where, base_dir=base_dir)
        assert cid is not None
        client_id = cid
    client_auth = table.get("client_auth", "basic")
    if client_auth not in ("basic", "body"):
        raise ConfigError(f"{where}.client_auth must be basic or body")
    scope, audience = table.get("scope"), table.get("audience")
    for k, v in (("scope", scope), ("audience", audience)):
        if v is not None and not isinstance(v, str):
            raise ConfigError(f"{where}.{k} must be a string")
    return OAuth2ClientCredentials(token_url, client_id, _secret(table, "client_secret", where, base_dir),
                                   scope=scope, audience=audience, client_auth=client_auth)


def _secret(table: Mapping[str, Any], key: str, where: str, base_dir: Path) -> Secret:
    found = resolve_secret(table, key, where=where, base_dir=base_dir)
    assert found is not None
    return found
