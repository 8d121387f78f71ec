"""The knobs of cross-source judgement, in one frozen record.

They are kept in the store (``meta`` key ``scoring``) so that every reader of a store
(the CLI, the webhook sink, the serve plugin) judges the same way, and so a change is
audited like the privacy settings are.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import attrs

from ..errors import ConfigError


def _positive(name: str, low: float, high: float) -> Any:
    def check(inst: Any, attribute: Any, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) \
                or not low <= value <= high:
            raise ConfigError(f"scoring.{name} must be a number between {low} and {high}")
    return check


@attrs.frozen
class ScoringConfig:
    """How values are weighed across sources.

    Attributes:
        k: independent owners or sources that must agree before a value enters the
            network view (and can supersede the network value).
        threshold: combined confidence (0..1) the agreeing observations must reach too.
        half_life_days: an observation's weight halves every this many days of age.
        job_window_days: company, title and email-domain changes this close in time
            are one job change (one event, not three).
    """

    k: int = attrs.field(default=2, validator=_positive("k", 1, 1000))
    threshold: float = attrs.field(default=0.6, validator=_positive("threshold", 0.0, 1.0))
    half_life_days: float = attrs.field(default=365.0, validator=_positive("half_life_days", 1.0, 36500.0))
    job_window_days: float = attrs.field(default=30.0, validator=_positive("job_window_days", 0.0, 3650.0))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ScoringConfig:
        data = dict(data or {})
        unknown = set(data) - {a.name for a in attrs.fields(cls)}
        if unknown:
            raise ConfigError(f"unknown scoring keys: {', '.join(sorted(unknown))}")
        if "k" in data and (isinstance(data["k"], bool) or not isinstance(data["k"], int)):
            raise ConfigError("scoring.k must be a whole number")
        return cls(**data)

    def as_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)
