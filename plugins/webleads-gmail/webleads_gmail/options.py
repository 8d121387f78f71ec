"""The keys of a ``type = "gmail"`` ``[[sources]]`` table, checked once.

Every mistake is a one-line :class:`ConfigError` naming the key; values are not echoed
back when they may hold personal data (a query, a label name, a path under a home).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import stat
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

import attrs

from webleads_core.components import SourceConfig
from webleads_core.errors import ConfigError

log = logging.getLogger("webleads.gmail")

GOOGLE_ENDPOINT = "https://gmail.googleapis.com/"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
MiB = 1024 * 1024

#: Every key a ``gmail`` table may hold (a typo is an error, not a silent default).
KNOWN_KEYS = frozenset({
    "token_file", "service_account_file", "subject", "labels", "query", "include_spam_trash",
    "include_drafts", "api_endpoint", "allow_networks", "batch_size", "page_size",
    "max_gets_per_second", "retries", "backoff", "backoff_cap", "max_retry_wait", "timeout",
    "max_message_bytes", "max_batch_bytes",
})


@attrs.frozen
class GmailOptions:
    """A validated ``gmail`` source table.

    Attributes:
        token_file: the authorized-user token written by ``webleads gmail auth``.
        service_account_file: a service-account key (Workspace domain-wide delegation).
        subject: the Workspace user the service account acts as.
        labels: label ids or names; a message must carry all of them.
        query: a Gmail search query (full sync lists with it; incremental sync keeps
            only new messages it matches).
        include_spam_trash: also read Spam and Trash.
        include_drafts: also read drafts (off: unsent, half-written mail).
        api_endpoint: base URL of the API; also the base of the batch URI
            (``batch/gmail/v1``) and, when set, of the token URI (``token``).
        token_uri: where tokens are refreshed (None: the one in the credentials file).
        allow_networks: non-public networks the endpoint may live in (proxies, tests).
        batch_size: messages per batch request (at most 50, Gmail's advice).
        page_size: ids per ``messages.list`` / records per ``history.list`` page (<= 500).
        max_gets_per_second: pacing of ``messages.get`` (0: none).
        retries: attempts per call on rate limits and server errors.
        backoff, backoff_cap: first and largest backoff step, seconds.
        max_retry_wait: longest ``Retry-After`` honoured; a longer one stops the run.
        timeout: total seconds for one HTTP response, body included.
        max_message_bytes: beyond it a message keeps its first and last half.
        max_batch_bytes: cap on one batch response; over it the batch is split.
    """

    token_file: Path | None = attrs.field(default=None, repr=False)
    service_account_file: Path | None = attrs.field(default=None, repr=False)
    subject: str | None = attrs.field(default=None, repr=False)
    labels: tuple[str, ...] = attrs.field(default=(), repr=False)
    query: str = attrs.field(default="", repr=False)
    include_spam_trash: bool = False
    include_drafts: bool = False
    api_endpoint: str = GOOGLE_ENDPOINT
    token_uri: str | None = None
    allow_networks: tuple[str, ...] = ()
    batch_size: int = 50
    page_size: int = 500
    max_gets_per_second: float = 50.0
    retries: int = 8
    backoff: float = 1.0
    backoff_cap: float = 64.0
    max_retry_wait: float = 300.0
    timeout: float = 120.0
    max_message_bytes: int = 8 * MiB
    max_batch_bytes: int = 16 * MiB

    @property
    def batch_uri(self) -> str:
        """The batch endpoint of the configured API endpoint (``new_batch_http_request()``
        would use the discovery document's root URL instead, ignoring ``api_endpoint``)."""
        return self.api_endpoint + "batch/gmail/v1"


def parse_options(config: SourceConfig) -> GmailOptions:
    """Validate a ``gmail`` table; raises :class:`ConfigError` with one line."""
    o: Mapping[str, Any] = config.options
    where = f"source {config.name!r}"
    unknown = sorted(set(o) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown keys for type gmail: {', '.join(unknown)}")

    token_file = _path(config, "token_file")
    sa_file = _path(config, "service_account_file")
    subject = o.get("subject")
    if subject is not None and (not isinstance(subject, str) or "@" not in subject):
        raise ConfigError(f"{where}: subject must be the email address of a Workspace user")
    if token_file and sa_file:
        raise ConfigError(f"{where}: set token_file or service_account_file, not both")
    if not token_file and not sa_file:
        raise ConfigError(f"{where}: set token_file (from `webleads gmail auth`) or "
                          "service_account_file with subject")
    if sa_file and not subject:
        raise ConfigError(f"{where}: service_account_file needs subject (the user whose mailbox to read)")
    if subject and not sa_file:
        raise ConfigError(f"{where}: subject only applies with service_account_file")
    for key, path in (("token_file", token_file), ("service_account_file", sa_file)):
        if path is not None:
            _check_secret_file(where, key, path)

    labels = o.get("labels", [])
    if isinstance(labels, str):
        labels = [labels]
    if not isinstance(labels, list) or not all(isinstance(x, str) and x.strip() for x in labels):
        raise ConfigError(f"{where}: labels must be a list of label names or ids")
    query = o.get("query", "")
    if not isinstance(query, str) or len(query) > 2000 or any(c in query for c in "\r\n\0"):
        raise ConfigError(f"{where}: query must be one line of Gmail search text")

    endpoint = o.get("api_endpoint", GOOGLE_ENDPOINT)
    endpoint = _endpoint(where, endpoint)
    token_uri = endpoint + "token" if "api_endpoint" in o else None

    nets = o.get("allow_networks", [])
    if isinstance(nets, str):
        nets = [nets]
    if not isinstance(nets, list):
        raise ConfigError(f"{where}: allow_networks must be a list of networks (CIDR)")
    for n in nets:
        try:
            ipaddress.ip_network(str(n), strict=False)
        except ValueError:
            raise ConfigError(f"{where}: allow_networks: not a network: {str(n)[:60]!r}") from None

    return GmailOptions(
        token_file=token_file,
        service_account_file=sa_file,
        subject=subject,
        labels=tuple(x.strip() for x in labels),
        query=query.strip(),
        include_spam_trash=_bool(o, "include_spam_trash", False, where),
        include_drafts=_bool(o, "include_drafts", False, where),
        api_endpoint=endpoint,
        token_uri=token_uri,
        allow_networks=tuple(str(n) for n in nets),
        batch_size=_int(o, "batch_size", 50, 1, 50, where),
        page_size=_int(o, "page_size", 500, 1, 500, where),
        max_gets_per_second=_num(o, "max_gets_per_second", 50.0, 0.0, 10_000.0, where),
        retries=_int(o, "retries", 8, 1, 50, where),
        backoff=_num(o, "backoff", 1.0, 0.0, 600.0, where),
        backoff_cap=_num(o, "backoff_cap", 64.0, 0.0, 3600.0, where),
        max_retry_wait=_num(o, "max_retry_wait", 300.0, 0.0, 86_400.0, where),
        timeout=_num(o, "timeout", 120.0, 1.0, 3600.0, where),
        max_message_bytes=_int(o, "max_message_bytes", 8 * MiB, 64 * 1024, 64 * MiB, where),
        max_batch_bytes=_int(o, "max_batch_bytes", 16 * MiB, 1 * MiB, 512 * MiB, where),
    )


def _endpoint(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: api_endpoint must be an http(s) URL")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        raise ConfigError(f"{where}: api_endpoint is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"{where}: api_endpoint must be an http(s) URL without query")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        # bearer tokens must not cross a network in clear text
        raise ConfigError(f"{where}: api_endpoint may use plain http only on loopback")
    return value if value.endswith("/") else value + "/"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _path(config: SourceConfig, key: str) -> Path | None:
    value = config.options.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"source {config.name!r}: {key} must be a path")
    return config.path(key)


def _check_secret_file(where: str, key: str, path: Path) -> None:
    try:
        st = path.stat()
    except FileNotFoundError:
        hint = " (create it with `webleads gmail auth`)" if key == "token_file" else ""
        raise ConfigError(f"{where}: {key} does not exist{hint}") from None
    except OSError as exc:
        raise ConfigError(f"{where}: {key} cannot be read ({type(exc).__name__})") from None
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(f"{where}: {key} is not a file")
    if os.name == "posix" and st.st_mode & 0o077:
        log.warning("%s: %s is readable by other users; restrict it with chmod 600", where, key)


def _bool(o: Mapping[str, Any], key: str, default: bool, where: str) -> bool:
    value = o.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be true or false")
    return value


def _int(o: Mapping[str, Any], key: str, default: int, lo: int, hi: int, where: str) -> int:
    value = o.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise ConfigError(f"{where}: {key} must be an integer from {lo} to {hi}")
    return value


def _num(o: Mapping[str, Any], key: str, default: float, lo: float, hi: float, where: str) -> float:
    value = o.get(key, default)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not lo <= value <= hi:
        raise ConfigError(f"{where}: {key} must be a number from {lo:g} to {hi:g}")
    return float(value)
