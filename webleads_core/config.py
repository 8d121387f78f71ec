"""Loading and validating ``webleads.toml``.

Errors are :class:`ConfigError` with one line that names the key: the CLI prints
it and exits with code 2.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Mapping

import attrs

from .components import SinkConfig, SourceConfig
from .errors import ConfigError

#: Keys that would switch a mandatory privacy stage off.  Asking for any of them is
#: a configuration error, never a silent no-op (pytest's essential plugins are the model).
_FORBIDDEN_PRIVACY_KEYS = ("enabled", "disable", "disabled", "purge", "redact", "minimise",
                          "minimize", "suppress", "seal", "stages", "skip")


#: Default purposes of processing, shown in subject access exports and the ROPA.
DEFAULT_PURPOSES = ("keeping the owners' business address books up to date",
                    "business-to-business contact with the people in them")

_PRIVACY_KEYS = ("secret_file", "extra_redact", "key_file", "encrypt", "retention_days",
                 "max_retention_days", "purposes", "controller")


@attrs.frozen
class PrivacyConfig:
    """The ``[privacy]`` table: only settings that tighten or operate the policy.

    Attributes:
        secret_file: HMAC key for the opt-out list (kept outside the store).
        extra_redact: extra regular expressions whose matches are redacted.
        key_file: the store's encryption keyring (default ``<store>.keys`` when it exists).
        encrypt: create new stores encrypted (a keyring is made when none exists).
        retention_days: days since the last observation after which a contact is due.
        max_retention_days: days since the first collection after which it is due regardless.
        purposes: why the contacts are processed (subject exports and the ROPA).
        controller: who is responsible (name and contact of the controller or DPO).
    """

    secret_file: Path | None = None
    extra_redact: tuple[str, ...] = ()
    key_file: Path | None = None
    encrypt: bool = False
    retention_days: int = 365
    max_retention_days: int = 1095
    purposes: tuple[str, ...] = DEFAULT_PURPOSES
    controller: str = ""


@attrs.frozen
class Config:
    """A whole configuration.

    Attributes:
        store_url: ``sqlite:///path`` (relative to the config file) or ``sqlite:///:memory:``.
        sources, sinks: the tables in order.
        segmenter: force a segmenter by name (default: the highest priority one).
        plugins: when given, only these extra plugin modules are loaded by name.
        base_dir: folder of the config file.
    """

    store_url: str = "sqlite:///:memory:"
    sources: tuple[SourceConfig, ...] = ()
    sinks: tuple[SinkConfig, ...] = ()
    segmenter: str | None = None
    privacy: PrivacyConfig = PrivacyConfig()
    scoring: Any = None  # ScoringConfig from a [scoring] table, else the store's remembered settings
    base_dir: Path = Path(".")

    @classmethod
    def from_file(cls, path: str | Path) -> Config:
        p = Path(path)
        return cls.from_dict(read_toml(p), base_dir=p.resolve().parent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, base_dir: str | Path = ".") -> Config:
        base = Path(base_dir)
        if not isinstance(data, Mapping):
            raise ConfigError("config must be a table")
        unknown = set(data) - {"store", "sources", "sinks", "pipeline", "privacy", "plugins", "scoring"}
        if unknown:
            raise ConfigError(f"unknown top-level keys: {', '.join(sorted(unknown))}")
        store = _table(data, "store")
        url = store.get("url", "sqlite:///:memory:")
        if not isinstance(url, str):
            raise ConfigError("store.url must be a string")
        url = _resolve_store_url(url, base)

        sources = []
        names: set[str] = set()
        for i, raw in enumerate(_array(data, "sources")):
            where = f"sources[{i}]"
            typ = _str(raw, "type", where)
            name = raw.get("name", typ)
            if not isinstance(name, str) or not name:
                raise ConfigError(f"{where}.name must be a non-empty string")
            if name in names:
                raise ConfigError(f"{where}: duplicate source name {name!r}")
            names.add(name)
            owner = raw.get("owner", "")
            if not isinstance(owner, str):
                raise ConfigError(f"{where}.owner must be a string")
            opts = {k: v for k, v in raw.items() if k not in ("type", "name", "owner")}
            sources.append(SourceConfig(name=name, type=typ, owner=owner, options=opts, base_dir=base))

        sinks = []
        for i, raw in enumerate(_array(data, "sinks")):
            typ = _str(raw, "type", f"sinks[{i}]")
            sinks.append(SinkConfig(type=typ, options={k: v for k, v in raw.items() if k != "type"},
                                    base_dir=base))

        pipeline = _table(data, "pipeline")
        seg = pipeline.get("segmenter")
        if seg is not None and not isinstance(seg, str):
            raise ConfigError("pipeline.segmenter must be a string")

        privacy = _table(data, "privacy")
        for key in privacy:
            if key in _FORBIDDEN_PRIVACY_KEYS:
                raise ConfigError(
                    f"privacy.{key}: the privacy stages are mandatory and cannot be configured off"
                )
        if set(privacy) - set(_PRIVACY_KEYS):
            bad = sorted(set(privacy) - set(_PRIVACY_KEYS))
            raise ConfigError(f"unknown privacy keys: {', '.join(bad)}")
        pconf = _privacy_config(privacy, base)
        from .scoring.settings import ScoringConfig

        scoring = _table(data, "scoring")
        try:
            sconf = ScoringConfig.from_dict(scoring) if scoring else None
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"scoring: {exc}") from None
        return cls(store_url=url, sources=tuple(sources), sinks=tuple(sinks), segmenter=seg,
                   privacy=pconf, scoring=sconf, base_dir=base)


def _privacy_config(privacy: Mapping[str, Any], base: Path) -> PrivacyConfig:
    def path(key: str) -> Path | None:
        value = privacy.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise ConfigError(f"privacy.{key} must be a path")
        p = Path(value).expanduser()
        return p if p.is_absolute() else base / p

    extra = privacy.get("extra_redact", [])
    if not isinstance(extra, list) or not all(isinstance(x, str) for x in extra):
        raise ConfigError("privacy.extra_redact must be a list of strings")
    encrypt = privacy.get("encrypt", False)
    if not isinstance(encrypt, bool):
        raise ConfigError("privacy.encrypt must be true or false")
    days = {}
    for key, default in (("retention_days", 365), ("max_retention_days", 1095)):
        value = privacy.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 36500:
            raise ConfigError(f"privacy.{key} must be a whole number of days between 1 and 36500")
        days[key] = value
    if days["retention_days"] > days["max_retention_days"]:
        raise ConfigError("privacy.retention_days cannot be longer than privacy.max_retention_days")
    purposes = privacy.get("purposes", list(DEFAULT_PURPOSES))
    if not isinstance(purposes, list) or not purposes or not all(isinstance(x, str) and x for x in purposes):
        raise ConfigError("privacy.purposes must be a non-empty list of strings")
    controller = privacy.get("controller", "")
    if not isinstance(controller, str):
        raise ConfigError("privacy.controller must be a string")
    return PrivacyConfig(secret_file=path("secret_file"), extra_redact=tuple(extra), key_file=path("key_file"),
                         encrypt=encrypt, purposes=tuple(purposes), controller=controller, **days)


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; every way it can be unreadable is one ConfigError line.

    Plugins with tables of their own (``[serve]``) read the file with this, take their
    table out, and hand the rest to :meth:`Config.from_dict`."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _resolve_store_url(url: str, base: Path) -> str:
    if url.startswith(("postgresql://", "postgres://")):
        return url
    if not url.startswith("sqlite:///"):
        scheme = url.split(":", 1)[0]
        raise ConfigError(f"store.url: unsupported store {scheme!r} (use sqlite:///PATH or postgresql://...)")
    path = url[len("sqlite:///"):]
    if path == ":memory:" or not path:
        return "sqlite:///:memory:"
    p = Path(path).expanduser()
    if not p.is_absolute():
        p = base / p
    return f"sqlite:///{p}"


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{key} must be a table ([{key}])")
    return value


def _array(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ConfigError(f"{key} must be an array of tables ([[{key}]])")
    return value


def _str(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}.{key} must be a non-empty string")
    return value
