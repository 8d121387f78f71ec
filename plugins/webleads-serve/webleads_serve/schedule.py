"""When a source runs: ``daily`` (the default), ``hourly``, an interval (``"every 15m"``,
``"30s"``, ``"2h"``) or a five-field cron expression (``"0 3 * * *"``, UTC).

A small matcher instead of a dependency: five fields with ``*``, ``*/n``, ``a-b``,
``a-b/n`` and lists are all a daily-update service needs, and the search for the next
time is bounded (a year of minutes at most, skipping whole days and hours).
"""

from __future__ import annotations

import datetime as dt
import re

import attrs

from webleads_core import ConfigError

_INTERVAL = re.compile(r"^(?:every\s+)?(\d{1,6})\s*(s|sec|m|min|h|d)$")
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))  # minute hour day month weekday (0 = Sunday)


@attrs.frozen
class Schedule:
    """A parsed schedule.

    Attributes:
        text: as written (shown by the API).
        interval: seconds between runs, for an interval schedule.
        cron: the allowed values of each cron field, for a cron schedule.
    """

    text: str
    interval: float | None = None
    cron: tuple[frozenset[int], ...] | None = None
    dom_any: bool = True
    dow_any: bool = True

    def next_after(self, last: dt.datetime | None, now: dt.datetime) -> dt.datetime:
        """When the next run is due, given the last run's start (None: never ran: due now)."""
        if last is None:
            return now
        if self.interval is not None:
            return last + dt.timedelta(seconds=self.interval)
        return self._next_cron(last)

    def _next_cron(self, after: dt.datetime) -> dt.datetime:
        assert self.cron is not None
        minutes, hours, days, months, wdays = self.cron
        t = after.astimezone(dt.timezone.utc).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        limit = t + dt.timedelta(days=366 * 5)
        while t < limit:
            if t.month not in months or not self._day_ok(t, days, wdays):
                t = (t + dt.timedelta(days=1)).replace(hour=0, minute=0)
                continue
            if t.hour not in hours:
                t = (t + dt.timedelta(hours=1)).replace(minute=0)
                continue
            if t.minute not in minutes:
                t += dt.timedelta(minutes=1)
                continue
            return t
        raise ConfigError(f"schedule {self.text!r} never fires")

    def _day_ok(self, t: dt.datetime, days: frozenset[int], wdays: frozenset[int]) -> bool:
        dom = t.day in days
        dow = (t.isoweekday() % 7) in wdays
        if self.dom_any or self.dow_any:  # cron: when one of them is *, the other decides
            return dom and dow
        return dom or dow


def parse_schedule(spec: object) -> Schedule:
    """Parse a ``schedule`` value; :class:`ConfigError` (one line) when it is not one."""
    if isinstance(spec, bool) or not isinstance(spec, (str, int)):
        raise ConfigError("a schedule is a string: daily, hourly, \"every 15m\" or a cron expression")
    if isinstance(spec, int):
        spec = f"{spec}s"
    text = spec.strip().lower()
    if len(text) > 100:
        raise ConfigError("schedule too long")
    if text in ("daily", "@daily"):
        return Schedule(spec, interval=86400.0)
    if text in ("hourly", "@hourly"):
        return Schedule(spec, interval=3600.0)
    m = _INTERVAL.match(text)
    if m:
        seconds = int(m.group(1)) * _UNITS[m.group(2)]
        if seconds < 1:
            raise ConfigError("an interval must be at least one second")
        return Schedule(spec, interval=float(seconds))
    fields = text.split()
    if len(fields) != 5:
        raise ConfigError(f"not a schedule: {spec[:40]!r} (daily, hourly, \"every 15m\" or five cron fields)")
    sets = tuple(_field(f, lo, hi) for f, (lo, hi) in zip(fields, _RANGES))
    return Schedule(spec, cron=sets, dom_any=fields[2] == "*", dow_any=fields[4] == "*")


def _field(text: str, lo: int, hi: int) -> frozenset[int]:
    out: set[int] = set()
    for part in text.split(","):
        m = re.fullmatch(r"(\*|\d{1,2}(?:-\d{1,2})?)(?:/(\d{1,2}))?", part)
        if not m:
            raise ConfigError(f"bad cron field {text[:20]!r}")
        rng, step = m.group(1), int(m.group(2) or 1)
        if rng == "*":
            a, b = lo, hi
        elif "-" in rng:
            a, b = (int(x) for x in rng.split("-"))
        else:
            a = b = int(rng)
            if m.group(2):
                b = hi
        if hi == 6 and b == 7:  # 7 is Sunday too
            out.add(0)
            b = 6 if a <= 6 else 6
        if not (lo <= a <= hi and lo <= b <= hi and a <= b and step >= 1):
            raise ConfigError(f"cron field {text[:20]!r} out of range {lo}-{hi}")
        out.update(range(a, b + 1, step))
    return frozenset(out)
