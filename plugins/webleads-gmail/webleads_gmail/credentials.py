"""Credentials: the authorized-user token of ``webleads gmail auth``, or a service
account acting for a Workspace user (domain-wide delegation).

Only ``gmail.readonly`` is ever asked for.  ``gmail.metadata`` is never requested,
not even next to it: a token that carries it may not use ``q`` nor ``format=raw``.
When a token file lists more scopes (made by another tool), refreshes still ask
for ``gmail.readonly`` alone, which narrows the access token.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import google.auth.credentials
import google.auth.exceptions
import google.oauth2.credentials
import google.oauth2.service_account

from webleads_core.errors import ConfigError

from .errors import REAUTH_HINT, GmailAuthError
from .options import GmailOptions

SCOPE_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
SCOPE_METADATA = "https://www.googleapis.com/auth/gmail.metadata"
SCOPES = (SCOPE_READONLY,)
#: Cap on a credentials file: they are a few KB.
MAX_FILE = 64 * 1024


def read_json_file(path: Path, what: str) -> dict[str, Any]:
    """A small JSON object from a file, or a one-line :class:`ConfigError`."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE + 1)
    except OSError as exc:
        raise ConfigError(f"{what} cannot be read ({type(exc).__name__})") from None
    if len(data) > MAX_FILE:
        raise ConfigError(f"{what} is too large to be a credentials file")
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise ConfigError(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise ConfigError(f"{what} is not a JSON object")
    return value


def load_credentials(options: GmailOptions, where: str = "gmail") -> google.auth.credentials.Credentials:
    """Build credentials from the configured file (no network yet)."""
    if options.service_account_file is not None:
        info = read_json_file(options.service_account_file, f"{where}: service_account_file")
        if info.get("type") != "service_account" or not info.get("private_key") or not info.get("client_email"):
            raise ConfigError(f"{where}: service_account_file is not a service-account key "
                              "(download a JSON key of the service account)")
        try:
            creds: Any = google.oauth2.service_account.Credentials.from_service_account_info(
                info, scopes=list(SCOPES), subject=options.subject)
        except (ValueError, TypeError):
            raise ConfigError(f"{where}: service_account_file holds an unusable key") from None
    else:
        assert options.token_file is not None
        info = read_json_file(options.token_file, f"{where}: token_file")
        missing = [k for k in ("client_id", "client_secret", "refresh_token") if not info.get(k)]
        if missing:
            raise ConfigError(f"{where}: token_file lacks {', '.join(missing)}; {REAUTH_HINT}")
        try:
            creds = google.oauth2.credentials.Credentials.from_authorized_user_info(info, scopes=list(SCOPES))
        except (ValueError, TypeError):
            raise ConfigError(f"{where}: token_file is not a usable token; {REAUTH_HINT}") from None
        # the access token in the file (if any) is ignored: the first request refreshes
        creds.token = None
    if options.token_uri:
        creds = creds.with_token_uri(options.token_uri)
    return creds


def _error_code(exc: google.auth.exceptions.RefreshError) -> str:
    for arg in exc.args[1:]:
        if isinstance(arg, dict) and isinstance(arg.get("error"), str):
            return arg["error"][:40]
    text = str(exc.args[0]) if exc.args else ""
    head = text.split(":", 1)[0].strip()
    return head[:40] if head.replace("_", "").isalpha() else "unknown"


def auth_error(exc: google.auth.exceptions.RefreshError) -> GmailAuthError:
    """Turn a refused token refresh into one clear message (no server text, no token)."""
    code = _error_code(exc)
    if code == "invalid_grant":
        return GmailAuthError(
            "Gmail refused the stored authorization (invalid_grant: it expired or was revoked, "
            f"or a service-account key, subject or clock is wrong); {REAUTH_HINT}",
            reason="gmail.invalid_grant")
    if code == "unauthorized_client":
        return GmailAuthError(
            "the service account is not authorized for domain-wide delegation of "
            f"{SCOPE_READONLY}: a Workspace admin must add its client ID under Security > API controls",
            reason="gmail.unauthorized_client")
    if code == "invalid_client":
        return GmailAuthError(
            "the OAuth client was deleted or its secret changed: download new client secrets, "
            f"then {REAUTH_HINT}",
            reason="gmail.invalid_client")
    if code == "invalid_scope":
        return GmailAuthError(f"the read-only Gmail scope was not granted; {REAUTH_HINT}",
                              reason="gmail.invalid_scope")
    return GmailAuthError(f"token refresh failed ({code})", reason="gmail.auth_failed")
