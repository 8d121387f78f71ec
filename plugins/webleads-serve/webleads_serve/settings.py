"""The ``[serve]`` table and each source's ``schedule`` key.

The core's :class:`webleads_core.Config` refuses keys it does not know (a typo must
fail loudly), so this module takes the ``[serve]`` table and the ``schedule`` keys out
of the TOML before handing the rest to ``Config.from_dict``.  Every error is a
:class:`ConfigError` naming the key, shown by the CLI as one line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

import attrs

from webleads_core import Config, ConfigError
from webleads_core.config import read_toml

from .schedule import Schedule, parse_schedule

_SERVE_KEYS = {"host", "port", "public_url", "state", "secret_file", "code_ttl_minutes", "max_attempts",
               "client_limit", "address_limit", "trust_proxy", "smtp", "api", "portal",
               "controller_name"}
_SMTP_KEYS = {"host", "port", "security", "username", "password_env", "password_file", "sender", "timeout",
              "ca_file"}


@attrs.frozen
class SmtpSettings:
    """Where verification codes are sent from (``[serve.smtp]``).

    Attributes:
        host, port: the submission server.
        security: ``starttls`` (default, port 587), ``tls`` (implicit, 465) or ``none``
            (loopback relays and tests only: refused for any other host).
        username, password: login, when the server needs one (the password comes from
            ``password_env`` or ``password_file``, never from the TOML itself).
        sender: the From address of the codes.
        timeout: seconds per SMTP operation.
        ca_file: a private CA for the server's certificate.
    """

    host: str = ""
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password: str = attrs.field(default="", repr=False)
    sender: str = ""
    timeout: float = 20.0
    ca_file: Path | None = None

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)


@attrs.frozen
class ServeSettings:
    """The ``[serve]`` table.

    Attributes:
        host, port: where uvicorn listens (put a TLS reverse proxy in front: docs/serve.md).
        public_url: the portal's public address, used in the code emails.
        state: the serve state database (API keys, pending codes): default ``<store>.serve.db``.
        secret_file: key for CSRF tokens and code digests: default ``<store>.serve.key`` (0600).
        code_ttl_minutes: how long a verification code is valid.
        max_attempts: wrong codes before a pending request is void.
        client_limit: ``(count, seconds)``: form submissions per client address.
        address_limit: ``(count, seconds)``: codes sent per email address or phone.
        trust_proxy: take the client address from ``X-Forwarded-For`` (only behind your proxy).
        api, portal: serve the API and the portal.
        controller_name: shown on the portal pages.
    """

    host: str = "127.0.0.1"
    port: int = 8750
    public_url: str = ""
    state: Path | None = None
    secret_file: Path | None = None
    code_ttl_minutes: int = 15
    max_attempts: int = 5
    client_limit: tuple[int, int] = (20, 600)
    address_limit: tuple[int, int] = (3, 3600)
    trust_proxy: bool = False
    api: bool = True
    portal: bool = True
    controller_name: str = ""
    smtp: SmtpSettings = SmtpSettings()


@attrs.frozen
class ServeConfig:
    """Everything ``webleads serve`` needs: the core config, the serve settings and one
    schedule per source (by source name)."""

    config: Config
    settings: ServeSettings
    schedules: Mapping[str, Schedule]
    path: Path | None = None


def load_serve_config(source: str | Path | Mapping[str, Any], *, base_dir: str | Path = ".") -> ServeConfig:
    """Read a ``webleads.toml`` (or a dict in its shape) with its ``[serve]`` table."""
    path: Path | None = None
    if isinstance(source, Mapping):
        data = dict(source)
        base = Path(base_dir)
    else:
        path = Path(source)
        data = read_toml(path)
        base = path.resolve().parent
    serve = data.pop("serve", {})
    if not isinstance(serve, Mapping):
        raise ConfigError("serve must be a table ([serve])")
    schedules: dict[str, Schedule] = {}
    sources = data.get("sources", [])
    if isinstance(sources, list):
        cleaned = []
        for i, raw in enumerate(sources):
            if isinstance(raw, Mapping):
                raw = dict(raw)
                spec = raw.pop("schedule", "daily")
                name = raw.get("name", raw.get("type"))
                try:
                    sched = parse_schedule(spec)
                except ConfigError as exc:
                    raise ConfigError(f"sources[{i}].schedule: {exc}") from None
                if isinstance(name, str):
                    schedules[name] = sched
            cleaned.append(raw)
        data["sources"] = cleaned
    config = Config.from_dict(data, base_dir=base)
    settings = _settings(serve, base, config)
    return ServeConfig(config=config, settings=settings, schedules=schedules, path=path)


def _settings(raw: Mapping[str, Any], base: Path, config: Config) -> ServeSettings:
    unknown = set(raw) - _SERVE_KEYS
    if unknown:
        raise ConfigError(f"unknown serve keys: {', '.join(sorted(unknown))}")

    def typed(key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        value = raw.get(key, default)
        if isinstance(value, bool) and kind is not bool:
            raise ConfigError(f"serve.{key} has the wrong type")
        if not isinstance(value, kind):
            raise ConfigError(f"serve.{key} has the wrong type")
        return value

    def path(key: str) -> Path | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise ConfigError(f"serve.{key} must be a path")
        p = Path(value).expanduser()
        return p if p.is_absolute() else base / p

    def limit(key: str, default: tuple[int, int]) -> tuple[int, int]:
        value = raw.get(key)
        if value is None:
            return default
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in value)):
            raise ConfigError(f"serve.{key} must be [count, seconds] with positive whole numbers")
        return (value[0], value[1])

    port = typed("port", int, 8750)
    if not 0 <= port <= 65535:
        raise ConfigError("serve.port must be between 0 and 65535")
    ttl = typed("code_ttl_minutes", int, 15)
    if not 1 <= ttl <= 60:
        raise ConfigError("serve.code_ttl_minutes must be between 1 and 60")
    attempts = typed("max_attempts", int, 5)
    if not 1 <= attempts <= 10:
        raise ConfigError("serve.max_attempts must be between 1 and 10")
    store_path = _store_path(config)
    state = path("state") or (store_path.with_name(store_path.name + ".serve.db") if store_path else None)
    secret = path("secret_file") or (store_path.with_name(store_path.name + ".serve.key") if store_path else None)
    return ServeSettings(
        host=typed("host", str, "127.0.0.1"), port=port, public_url=typed("public_url", str, ""),
        state=state, secret_file=secret, code_ttl_minutes=ttl, max_attempts=attempts,
        client_limit=limit("client_limit", (20, 600)), address_limit=limit("address_limit", (3, 3600)),
        trust_proxy=typed("trust_proxy", bool, False), api=typed("api", bool, True),
        portal=typed("portal", bool, True), controller_name=typed("controller_name", str, ""),
        smtp=_smtp(raw.get("smtp", {}), base),
    )


def _store_path(config: Config) -> Path | None:
    url = config.store_url
    rest = url[len("sqlite:///"):]
    return None if rest in ("", ":memory:") else Path(rest)


def _smtp(raw: Any, base: Path) -> SmtpSettings:
    if not isinstance(raw, Mapping):
        raise ConfigError("serve.smtp must be a table ([serve.smtp])")
    unknown = set(raw) - _SMTP_KEYS
    if unknown:
        raise ConfigError(f"unknown serve.smtp keys: {', '.join(sorted(unknown))}")
    if not raw:
        return SmtpSettings()
    host = raw.get("host", "")
    sender = raw.get("sender", "")
    security = raw.get("security", "starttls")
    port = raw.get("port", {"starttls": 587, "tls": 465, "none": 25}.get(security, 587))
    if not isinstance(host, str) or not host:
        raise ConfigError("serve.smtp.host must be a host name")
    if not isinstance(sender, str) or "@" not in sender or any(c in sender for c in "\r\n\0<>,;"):
        raise ConfigError("serve.smtp.sender must be a plain email address")
    if security not in ("starttls", "tls", "none"):
        raise ConfigError("serve.smtp.security is starttls, tls or none")
    if security == "none" and host not in ("127.0.0.1", "localhost", "::1"):
        raise ConfigError("serve.smtp.security = \"none\" is only allowed for a relay on loopback")
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ConfigError("serve.smtp.port must be a port number")
    timeout = raw.get("timeout", 20)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 1 <= timeout <= 120:
        raise ConfigError("serve.smtp.timeout must be 1 to 120 seconds")
    username = raw.get("username", "")
    if not isinstance(username, str):
        raise ConfigError("serve.smtp.username must be a string")
    password = ""
    if "password_env" in raw:
        password = os.environ.get(str(raw["password_env"]), "")
        if not password:
            raise ConfigError(f"serve.smtp.password_env: the variable {raw['password_env']} is not set")
    elif "password_file" in raw:
        p = Path(str(raw["password_file"])).expanduser()
        p = p if p.is_absolute() else base / p
        try:
            password = p.read_text(encoding="utf-8").strip()
        except OSError:
            raise ConfigError("serve.smtp.password_file cannot be read") from None
    if username and not password:
        raise ConfigError("serve.smtp.username needs password_env or password_file")
    ca = raw.get("ca_file")
    ca_path = None
    if ca is not None:
        ca_path = Path(str(ca)).expanduser()
        ca_path = ca_path if ca_path.is_absolute() else base / ca_path
    return SmtpSettings(host=host, port=port, security=security, username=username, password=password,
                        sender=sender, timeout=float(timeout), ca_file=ca_path)
