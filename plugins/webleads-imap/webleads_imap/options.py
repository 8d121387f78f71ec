"""The ``[[sources]]`` keys of ``type = "imap"``, validated into one frozen record.

Every mistake is a :class:`~webleads_core.errors.ConfigError` with one line that names
the key; no message ever contains a password or a token (only the name of the
environment variable or the path of the file that should hold it).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import stat
from pathlib import Path
from typing import Any, Mapping

import attrs

from webleads_core.components import SourceConfig
from webleads_core.errors import ConfigError

from .client import is_loopback
from .wire import MiB, WireLimits

KNOWN_KEYS = frozenset({
    "host", "port", "security", "username", "password_env", "password_file", "ca_file",
    "oauth2_token_env", "oauth2_token_file", "folders", "since", "batch_size", "timeout",
    "command_timeout", "retries", "backoff", "max_literal_bytes",
})
_SECRET_KEYS = ("password_env", "password_file", "oauth2_token_env", "oauth2_token_file")
_DEFAULT_PORTS = {"tls": 993, "starttls": 143, "plain": 143}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
MAX_SECRET_BYTES = 64 * 1024


class Secret:
    """A password or token that stays out of ``repr``, logs and tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@attrs.frozen
class ImapOptions:
    """A validated IMAP source configuration.

    Attributes:
        host, port: the server.
        security: ``"tls"`` (implicit TLS, default), ``"starttls"``, or ``"plain"``
            (only when ``host`` is a loopback address).
        username: the login (personal data: never logged).
        auth: ``"password"`` or ``"xoauth2"``.
        secret: the password or bearer token.
        ca_file: a CA bundle for a private server (replaces the system's CAs).
        folders: folder names as the user wrote them; empty means INBOX and the
            folder the server marks ``\\Sent`` (SPECIAL-USE).
        since: only messages received on or after this date (IMAP ``SINCE``).
        batch_size: UIDs per FETCH round trip and per checkpoint.
        retries: reconnect attempts in a row without progress before the source gives up.
        backoff: first wait in seconds before reconnecting; doubles up to 60 s.
        limits: caps on what the server may send (line, literal, response, timeouts).
    """

    host: str
    port: int
    security: str
    username: str = attrs.field(repr=False)
    auth: str
    secret: Secret = attrs.field(repr=False)
    ca_file: Path | None = None
    folders: tuple[str, ...] = ()
    since: dt.date | None = None
    batch_size: int = 100
    retries: int = 5
    backoff: float = 1.0
    limits: WireLimits = WireLimits()


def _fail(config: SourceConfig, message: str) -> ConfigError:
    return ConfigError(f"source {config.name!r} (imap): {message}")


def _int(config: SourceConfig, key: str, default: int, lo: int, hi: int) -> int:
    value = config.options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _fail(config, f"{key} must be an integer from {lo} to {hi}")
    return value


def _float(config: SourceConfig, key: str, default: float, lo: float, hi: float) -> float:
    value = config.options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise _fail(config, f"{key} must be a number from {lo} to {hi}")
    return float(value)


def _read_secret_file(config: SourceConfig, key: str) -> str:
    path = config.path(key)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise _fail(config, f"{key} {path} is not a regular file")
        if st.st_size > MAX_SECRET_BYTES:
            raise _fail(config, f"{key} {path} is larger than {MAX_SECRET_BYTES} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(config, f"cannot read {key} {path}: {exc.strerror or type(exc).__name__}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _fail(config, f"{key} {path} is not UTF-8 text") from None
    text = text.rstrip("\r\n")
    if not text:
        raise _fail(config, f"{key} {path} is empty")
    if "\n" in text or "\r" in text or "\0" in text:
        raise _fail(config, f"{key} {path} must hold one line")
    return text


def _read_secret_env(config: SourceConfig, key: str) -> str:
    name = config.options.get(key)
    if not isinstance(name, str) or not _ENV_NAME.fullmatch(name):
        raise _fail(config, f"{key} must name an environment variable")
    value = os.environ.get(name)
    if not value:
        raise _fail(config, f"environment variable {name} ({key}) is not set or empty")
    if "\n" in value or "\r" in value or "\0" in value:
        raise _fail(config, f"environment variable {name} ({key}) must hold one line")
    return value


def _since(config: SourceConfig) -> dt.date | None:
    value = config.options.get("since")
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _fail(config, "since must be a date (YYYY-MM-DD)")


def _folders(config: SourceConfig) -> tuple[str, ...]:
    value = config.options.get("folders")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise _fail(config, "folders must be a non-empty list of folder names")
    out: list[str] = []
    for f in value:
        if not isinstance(f, str) or not f.strip() or len(f) > 1000 or any(c in f for c in "\r\n\0"):
            raise _fail(config, "folders must be a non-empty list of folder names")
        if f not in out:
            out.append(f)
    return tuple(out)


def _loopback_host(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.", "ip6-localhost"):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return is_loopback(host.strip("[]"))


def parse_options(config: SourceConfig) -> ImapOptions:
    """Validate the table and read the secret; raises :class:`ConfigError`."""
    opts: Mapping[str, Any] = config.options
    unknown = sorted(set(opts) - KNOWN_KEYS)
    if unknown:
        raise _fail(config, f"unknown keys: {', '.join(unknown)}")
    host = opts.get("host")
    if not isinstance(host, str) or not host.strip() or any(c in host for c in " /\r\n\0"):
        raise _fail(config, "host must be a host name or an address")
    host = host.strip()
    security = opts.get("security", "tls")
    if security not in _DEFAULT_PORTS:
        raise _fail(config, 'security must be "tls", "starttls" or "plain"')
    if security == "plain" and not _loopback_host(host):
        raise _fail(config, 'security = "plain" is only allowed for a loopback host '
                            '(127.0.0.1, ::1, localhost); use "tls" or "starttls"')
    port = _int(config, "port", _DEFAULT_PORTS[security], 1, 65535)
    username = opts.get("username")
    if not isinstance(username, str) or not username or len(username) > 1024 or \
            any(c in username for c in "\r\n\0"):
        raise _fail(config, "username must be a non-empty string")

    given = [k for k in _SECRET_KEYS if opts.get(k) not in (None, "")]
    if len(given) != 1:
        raise _fail(config, "give exactly one of password_env, password_file, oauth2_token_env, "
                            "oauth2_token_file")
    key = given[0]
    value = _read_secret_env(config, key) if key.endswith("_env") else _read_secret_file(config, key)
    auth = "xoauth2" if key.startswith("oauth2") else "password"

    ca_file = None
    if opts.get("ca_file"):
        ca_file = config.path("ca_file")
        if not ca_file.is_file():
            raise _fail(config, f"ca_file {ca_file} is not a file")

    timeout = _float(config, "timeout", 30.0, 0.1, 3600.0)
    command_timeout = _float(config, "command_timeout", 300.0, 0.1, 86400.0)
    max_literal = _int(config, "max_literal_bytes", 16 * MiB, 64 * 1024, 1024 * MiB)
    limits = WireLimits(max_literal=max_literal, max_response=max(96 * MiB, 4 * max_literal),
                        read_timeout=timeout, command_timeout=command_timeout)
    return ImapOptions(
        host=host, port=port, security=security, username=username, auth=auth, secret=Secret(value),
        ca_file=ca_file, folders=_folders(config), since=_since(config),
        batch_size=_int(config, "batch_size", 100, 1, 1000),
        retries=_int(config, "retries", 5, 0, 100),
        backoff=_float(config, "backoff", 1.0, 0.0, 60.0),
        limits=limits,
    )
