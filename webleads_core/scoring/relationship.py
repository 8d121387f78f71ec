"""Relationship strength between an owner and a contact, from message metadata only.

Only the header observations count (who wrote to whom, and when): never a word of
content.  A message the contact sent the owner is *inbound*; one the owner sent the
contact (found in the owner's sent mail, the contact as a recipient) is *outbound*.

``strength = (1 - exp(-m / 3)) x reciprocity`` where ``m`` sums the messages weighted by
recency (each one's weight halves every ``half_life_days``, 90 by default, counted back
from ``now``) so that many recent messages in both directions make a strong tie, a
burst long ago a weak one; ``reciprocity`` is 1 when mail went both ways, 0.6 otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Sequence

import attrs

from ..records import pii_field
from .timeline import Obs

HALF_LIFE_DAYS = 90.0
_HEADER_METHODS = ("header",)


@attrs.frozen
class Relationship:
    """An owner's tie to a contact.

    Attributes:
        owner: the owner (personal data).
        messages: distinct messages with a header observation of the contact.
        inbound, outbound: of those, written by the contact / to the contact.
        first, last: first and last message time.
        per_month: messages per 30 days over the span (at least one month).
        strength: 0..1, see the module docstring.
    """

    owner: str = pii_field()
    messages: int = 0
    inbound: int = 0
    outbound: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    per_month: float = 0.0
    strength: float = 0.0

    def as_dict(self) -> dict:
        return {"owner": self.owner, "messages": self.messages, "inbound": self.inbound,
                "outbound": self.outbound, "first": self.first.isoformat() if self.first else None,
                "last": self.last.isoformat() if self.last else None, "per_month": round(self.per_month, 2),
                "strength": self.strength}


def relationships(obs: Sequence[Obs], now: dt.datetime, *, half_life_days: float = HALF_LIFE_DAYS
                  ) -> list[Relationship]:
    """One :class:`Relationship` per owner who exchanged mail with the contact, strongest first."""
    msgs: dict[str, dict[str, tuple[dt.datetime, str]]] = defaultdict(dict)
    for o in obs:
        if o.owner and o.field == "email" and o.method in _HEADER_METHODS:
            msgs[o.owner][o.item] = (o.at, o.role)
    out = []
    for owner, items in msgs.items():
        times = sorted(t for t, _ in items.values())
        inbound = sum(1 for _, r in items.values() if r == "sender")
        outbound = sum(1 for _, r in items.values() if r == "recipient")
        mass = sum(0.5 ** (max(0.0, (now - t).total_seconds()) / 86400 / half_life_days) for t in times)
        span = max(30.0, (times[-1] - times[0]).total_seconds() / 86400)
        recip = 1.0 if inbound and outbound else 0.6
        out.append(Relationship(owner=owner, messages=len(items), inbound=inbound, outbound=outbound,
                                first=times[0], last=times[-1], per_month=len(items) * 30.0 / span,
                                strength=round((1 - math.exp(-mass / 3.0)) * recip, 3)))
    out.sort(key=lambda r: (-r.strength, r.owner))
    return out
