"""Scoring: per-evidence confidence on the way in, cross-source judgement at read time.

- :mod:`.methods` the default scorer (registered through ``register_scorers``): the
  extractor's confidence times a prior for the method that found the value;
- :mod:`.independence` which observations count once;
- :mod:`.timeline` current values, support, history and the network view, replayed from
  the stored evidence;
- :mod:`.changes` change events (new job, new phone, new address);
- :mod:`.relationship` how strong an owner's tie to a contact is, from metadata only;
- :mod:`.settings` the knobs (``k``, ``threshold``, ``half_life_days``, ``job_window_days``).

Per-evidence scorers cannot see other evidence, so agreement, independence and recency
are judged where all the evidence is: in the store, when contacts are read.
"""

from __future__ import annotations

from .changes import ChangeEvent, detect
from .independence import group_key
from .methods import METHOD_PRIORS, MethodPriorScorer, method_prior
from .relationship import Relationship, relationships
from .settings import ScoringConfig
from .timeline import FieldState, Transition, ValueState, evaluate, observations, owner_beliefs

__all__ = ["ChangeEvent", "FieldState", "METHOD_PRIORS", "MethodPriorScorer", "Relationship", "ScoringConfig",
           "Transition", "ValueState", "detect", "evaluate", "group_key", "method_prior", "observations",
           "owner_beliefs", "relationships"]
