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


@attrs.frozen
class PrivacyConfig:
    """The ``[privacy]`` table: only settings that tighten or operate the policy.

    Attributes:
        secret_file: HMAC key for the opt-out list (kept outside the store).
        extra_redact: extra regular expressions whose matches are redacted.
    """

    secret_file: Path | None = None
    extra_redact: tuple[str, ...] = ()


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
    base_dir: Path = Path(".")

    @classmethod
    def from_file(cls, path: str | Path) -> Config:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {p}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{p}: not UTF-8 text") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{p}: invalid TOML: {exc}") from None
        return cls.from_dict(data, base_dir=p.resolve().parent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, base_dir: str | Path = ".") -> Config:
        base = Path(base_dir)
        if not isinstance(data, Mapping):
            raise ConfigError("config must be a table")
        unknown = set(data) - {"store", "sources", "sinks", "pipeline", "privacy", "plugins"}
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
        if set(privacy) - {"secret_file", "extra_redact"}:
            bad = sorted(set(privacy) - {"secret_file", "extra_redact"})
            raise ConfigError(f"unknown privacy keys: {', '.join(bad)}")
        secret = privacy.get("secret_file")
        extra = privacy.get("extra_redact", [])
        if not isinstance(extra, list) or not all(isinstance(x, str) for x in extra):
            raise ConfigError("privacy.extra_redact must be a list of strings")
        pconf = PrivacyConfig(
            secret_file=(base / secret) if isinstance(secret, str) else None,
            extra_redact=tuple(extra),
        )
        return cls(store_url=url, sources=tuple(sources), sinks=tuple(sinks), segmenter=seg,
                   privacy=pconf, base_dir=base)


def _resolve_store_url(url: str, base: Path) -> str:
    if not url.startswith("sqlite:///"):
        scheme = url.split(":", 1)[0]
        raise ConfigError(f"store.url: unsupported store {scheme!r} (use sqlite:///PATH)")
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
