"""Incremental sync of ``rest`` sources: the ``[sources.incremental]`` table.

``field``     path of a record's last-modified time (ISO 8601, or epoch seconds or
              milliseconds).  The next run's high-water mark is the largest value seen,
              and records older than the mark are skipped even when the API returns them.
``param``     query parameter that asks the API for records changed since the mark.
``template``  how the mark is written into ``param`` (default ``"{since}"``; SCIM:
              ``'meta.lastModified ge "{since}"'``).
``format``    ``iso`` (``2025-03-04T10:12:00Z``), ``iso_ms``, ``epoch``, ``epoch_ms``.
``overlap``   seconds taken off the mark when asking (clock skew between servers).

With ``param`` but no ``field``, the mark is the time the sync started.  The
cursor is ``{"v": 1, "since": "<ISO UTC>", "since_ms": <epoch ms>}``: a time, no
personal data.  It is written only at the end of a complete sync, so a sync that
fails half-way is repeated from the old mark, never skipped past.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

import attrs

from webleads_core.errors import ConfigError

from .paths import Path, parse_path

FORMATS = ("iso", "iso_ms", "epoch", "epoch_ms")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def parse_time(value: Any) -> dt.datetime | None:
    """An aware UTC datetime from an ISO 8601 string or epoch seconds/milliseconds."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 40:
            return None
        if text.lstrip("-").replace(".", "", 1).isdigit():
            try:
                value = float(text)
            except ValueError:
                return None
        else:
            try:
                when = dt.datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00")
                                                 if text.endswith(("Z", "z")) else text)
            except ValueError:
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.timezone.utc)
            return when.astimezone(dt.timezone.utc)
    if isinstance(value, (int, float)):
        if value != value or abs(value) > 1e15:
            return None
        seconds = value / 1000.0 if abs(value) >= 1e11 else float(value)
        try:
            return _EPOCH + dt.timedelta(seconds=seconds)
        except OverflowError:
            return None
    return None


def format_time(when: dt.datetime, fmt: str) -> str:
    when = when.astimezone(dt.timezone.utc)
    if fmt == "epoch":
        return str(int(when.timestamp()))
    if fmt == "epoch_ms":
        return str(int(round(when.timestamp() * 1000)))
    if fmt == "iso_ms":
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@attrs.frozen
class Incremental:
    field: Path | None = None
    param: str | None = None
    template: str = "{since}"
    format: str = "iso"
    overlap: float = 0.0

    @property
    def enabled(self) -> bool:
        return self.field is not None or self.param is not None

    @classmethod
    def from_config(cls, table: Any, *, where: str) -> Incremental:
        if table is None:
            return cls()
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where} must be a table")
        unknown = set(table) - {"field", "param", "template", "format", "overlap"}
        if unknown:
            raise ConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        field = parse_path(table["field"], where=f"{where}.field") if "field" in table else None
        param = table.get("param")
        if param is not None and (not isinstance(param, str) or not param):
            raise ConfigError(f"{where}.param must be a parameter name")
        if field is None and param is None:
            raise ConfigError(f"{where}: give field, param, or both")
        template = table.get("template", "{since}")
        if not isinstance(template, str) or "{since}" not in template:
            raise ConfigError(f"{where}.template must contain {{since}}")
        fmt = table.get("format", "iso")
        if fmt not in FORMATS:
            raise ConfigError(f"{where}.format must be one of {', '.join(FORMATS)}")
        overlap = table.get("overlap", 0)
        if not isinstance(overlap, (int, float)) or isinstance(overlap, bool) or not 0 <= overlap <= 86400:
            raise ConfigError(f"{where}.overlap must be seconds from 0 to 86400")
        return cls(field=field, param=param, template=template, format=fmt, overlap=float(overlap))

    def query_value(self, since: dt.datetime) -> str:
        return self.template.replace("{since}", format_time(since - dt.timedelta(seconds=self.overlap),
                                                            self.format))


def cursor_since(cursor: Mapping[str, Any] | None) -> dt.datetime | None:
    if not cursor or cursor.get("v") != 1:
        return None
    return parse_time(cursor.get("since"))


def make_cursor(since: dt.datetime | None) -> dict[str, Any]:
    if since is None:
        return {"v": 1}
    return {"v": 1, "since": format_time(since, "iso_ms"),
            "since_ms": int(round(since.timestamp() * 1000))}
