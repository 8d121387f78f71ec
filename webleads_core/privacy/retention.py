"""Retention: how long a contact may be held.

Two limits, both counted with the store's own clock (when webleads processed an item,
not the date written in the item):

- a *time to live* from the last observation: a contact nobody has written to or
  about for ``ttl_days`` is due;
- a *hard maximum* from the first collection: after ``max_days`` the contact is due
  whatever happened since.  Seeing a value again never moves the first-collection
  date (merging two contacts keeps the older one), so the hard maximum is never
  renewed by updates (the practice the CNIL fined in December 2024).

Defaults are short on purpose: one year since the last observation, three years at
most (the CNIL's own reference for B2B prospecting data).  A contact past either limit
is no longer published or exported even before ``webleads privacy purge-expired``
deletes it.  A contact under restriction (a dispute) is kept until the restriction is
lifted: restriction exists precisely to stop a deletion.
"""

from __future__ import annotations

import datetime as dt

import attrs

from ..errors import ConfigError

DEFAULT_TTL_DAYS = 365
DEFAULT_MAX_DAYS = 1095

__all__ = ["DEFAULT_MAX_DAYS", "DEFAULT_TTL_DAYS", "Retention", "month_after"]


def _positive(instance: object, attribute: attrs.Attribute, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 36500:
        raise ConfigError(f"privacy.{attribute.name}: a whole number of days between 1 and 36500")


@attrs.frozen
class Retention:
    """Retention limits.

    Attributes:
        ttl_days: days since the last observation after which a contact is due.
        max_days: days since the first collection after which it is due regardless.
    """

    ttl_days: int = attrs.field(default=DEFAULT_TTL_DAYS, validator=_positive)
    max_days: int = attrs.field(default=DEFAULT_MAX_DAYS, validator=_positive)

    def __attrs_post_init__(self) -> None:
        if self.ttl_days > self.max_days:
            raise ConfigError("privacy.retention_days cannot be longer than privacy.max_retention_days")

    def due_at(self, first_collected: dt.datetime, last_observed: dt.datetime) -> dt.datetime:
        """When a contact first collected and last observed at these times is due."""
        return min(last_observed + dt.timedelta(days=self.ttl_days),
                   first_collected + dt.timedelta(days=self.max_days))

    def is_due(self, first_collected: dt.datetime, last_observed: dt.datetime, now: dt.datetime) -> bool:
        return self.due_at(first_collected, last_observed) <= now

    def as_dict(self) -> dict[str, int]:
        return {"ttl_days": self.ttl_days, "max_days": self.max_days}


def month_after(when: dt.datetime) -> dt.datetime:
    """The same day one calendar month later (the last day when that month is shorter):
    the GDPR's one-month answer delay (art. 12(3))."""
    year, month = (when.year + 1, 1) if when.month == 12 else (when.year, when.month + 1)
    for day in (when.day, 30, 29, 28):
        try:
            return when.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
