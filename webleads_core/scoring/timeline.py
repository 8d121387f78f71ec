"""Replaying a contact's evidence in time order: current values, support, history, and
the moments the network value changed.

Rules (the plain-words version is ``docs/scoring.md``):

1. An observation weighs ``confidence x 0.5 ** (age / half_life)``.
2. Observations are grouped by independence (:mod:`.independence`); inside a group a
   value keeps its best weighted observation (repeats add nothing).
3. Single-valued fields (name, title, company, address): each group *believes* its best
   weighted value; with equal confidence that is the newest one (an owner's address book
   holds what they saw last).
4. A value is *established* when at least ``k`` groups believe it and their combined
   confidence ``1 - prod(1 - w_g)`` reaches ``threshold``.  The network value is the
   established value that became established most recently: a newer value with enough
   support supersedes an older one, a lone observation never does.  When nothing is
   established the network value stays what it was (nothing is dropped silently).
5. Multi-valued fields (email, phone, website, social): every value is kept; a value is
   published once ``k`` groups saw it with the combined confidence.
6. The current value is the network value, else (a value nobody else has confirmed yet)
   the best private belief; a subject's own correction outranks both (applied by the store).

Everything is computed from the stored evidence, so it can be recomputed at any time
and gives the same answer.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Iterable, Sequence

import attrs

from ..records import pii_field
from .independence import group_key
from .settings import ScoringConfig

SINGLE: tuple[str, ...] = ("name", "title", "company", "address")
MULTI: tuple[str, ...] = ("email", "phone", "website", "social")
FIELDS: tuple[str, ...] = SINGLE + MULTI
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
_FLOOR = 1e-6


@attrs.frozen
class Obs:
    """One evidence row, prepared for the replay."""

    field: str
    value: str = pii_field()
    subtype: str | None = None
    group: str = pii_field("")
    owner: str = pii_field("")
    item: str = pii_field("")
    source: str = ""
    extractor: str = ""
    method: str = ""
    at: dt.datetime = _EPOCH
    days: float = 0.0
    confidence: float = 0.5
    kind: str = "person"
    role: str = "sender"


def observations(rows: Iterable[Sequence]) -> list[Obs]:
    """Rows as the store hands them: ``(field, value, subtype, kind, role, source, item_id,
    owner, extractor, method, observed_at, confidence)``."""
    out = []
    for r in rows:
        at = r[10] if isinstance(r[10], dt.datetime) else dt.datetime.fromisoformat(r[10])
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.timezone.utc)
        out.append(Obs(field=r[0], value=r[1], subtype=r[2], kind=r[3], role=r[4], source=r[5], item=r[6] or "",
                       owner=r[7] or "", extractor=r[8], method=r[9], at=at,
                       days=(at - _EPOCH).total_seconds() / 86400.0, confidence=float(r[11]),
                       group=group_key(r[5], r[6] or "", r[7] or "")))
    out.sort(key=lambda o: (o.days, -o.confidence, o.field, o.value))
    return out


@attrs.frozen
class EvidenceRef:
    """Provenance of an observation that supports a change, without personal data."""

    source: str
    extractor: str
    method: str
    observed_at: dt.datetime
    confidence: float

    def as_dict(self) -> dict:
        return {"source": self.source, "extractor": self.extractor, "method": self.method,
                "observed_at": self.observed_at.isoformat(), "confidence": round(self.confidence, 3)}


@attrs.frozen
class Transition:
    """The network value of a field changed (``before`` None: first publication)."""

    field: str
    before: object = pii_field()
    after: object = pii_field()
    at: dt.datetime = _EPOCH
    support: int = 0
    confidence: float = 0.0
    evidence: tuple[EvidenceRef, ...] = ()
    items: frozenset[str] = pii_field(frozenset())


@attrs.frozen
class ValueState:
    """One value of a field with its history.

    Attributes:
        status: single-valued fields: ``current``, ``network`` (published, not the current
            value), ``private`` (believed by fewer than ``k`` independent groups) or
            ``superseded`` (nobody believes it any more; kept, never deleted);
            multi-valued fields: ``network`` or ``private``.
        support: independent groups that ever observed it.
        believers: groups that hold it now (single-valued) / observed it (multi-valued).
        confidence: combined weight of the believers at the contact's newest observation.
    """

    value: str = pii_field()
    first_seen: dt.datetime = _EPOCH
    last_seen: dt.datetime = _EPOCH
    support: int = 0
    believers: int = 0
    confidence: float = 0.0
    observations: int = 0
    published: bool = False
    status: str = "private"
    subtype: str | None = None
    owners: tuple[str, ...] = pii_field(())


@attrs.frozen
class FieldState:
    """A field of a contact: its current value(s), network value(s) and history."""

    field: str
    current: tuple[str, ...] = pii_field(())
    network: tuple[str, ...] = pii_field(())
    values: tuple[ValueState, ...] = ()
    transitions: tuple[Transition, ...] = ()

    def value(self, v: str) -> ValueState | None:
        return next((s for s in self.values if s.value == v), None)


class _Weights:
    """Per (group, value): the best weighted observation, kept as ``log2(c) + t/H`` so that
    comparing two observations does not depend on the time they are evaluated at."""

    def __init__(self, half_life: float) -> None:
        self.h = half_life
        self.log: dict[tuple[str, str], float] = {}
        self.last: dict[tuple[str, str], Obs] = {}

    def add(self, o: Obs) -> None:
        key = (o.group, o.value)
        lm = math.log2(max(o.confidence, _FLOOR)) + o.days / self.h
        if lm >= self.log.get(key, -math.inf):
            self.log[key] = lm
        self.last[key] = o

    def at(self, group: str, value: str, days: float) -> float:
        return min(1.0, 2.0 ** (self.log[(group, value)] - days / self.h))

    def combined(self, groups: Iterable[str], value: str, days: float) -> float:
        p = 1.0
        for g in groups:
            p *= 1.0 - min(self.at(g, value, days), 0.999999)
        return 1.0 - p


def _ref(o: Obs) -> EvidenceRef:
    return EvidenceRef(source=o.source, extractor=o.extractor, method=o.method, observed_at=o.at,
                       confidence=o.confidence)


def _history(obs: list[Obs]) -> dict[str, dict]:
    h: dict[str, dict] = {}
    for o in obs:
        s = h.get(o.value)
        if s is None:
            h[o.value] = s = {"first": o.at, "last": o.at, "groups": set(), "n": 0, "owners": set(),
                              "subtypes": defaultdict(float)}
        s["last"] = max(s["last"], o.at)
        s["groups"].add(o.group)
        s["n"] += 1
        if o.owner:
            s["owners"].add(o.owner)
        s["subtypes"][o.subtype] += o.confidence
    return h


def _single(field: str, obs: list[Obs], cfg: ScoringConfig, now: float) -> FieldState:
    w = _Weights(cfg.half_life_days)
    belief: dict[str, str] = {}
    believers: dict[str, set[str]] = defaultdict(set)
    since: dict[str, tuple[float, dt.datetime]] = {}
    ever_network: set[str] = set()
    network: str | None = None
    transitions: list[Transition] = []
    for o in obs:
        w.add(o)
        g = o.group
        old = belief.get(g)
        # weights only grow, so the group's best value changes only to the value just seen
        # (O(1) per observation, however many values a hostile source invents)
        if old is None or old == o.value or w.log[(g, o.value)] >= w.log[(g, old)]:
            new = o.value
        else:
            new = old
        if new != old:
            if old is not None:
                believers[old].discard(g)
            believers[new].add(g)
            belief[g] = new
        for v in {old, new} - {None}:
            sup = believers[v]
            ok = len(sup) >= cfg.k and w.combined(sup, v, o.days) >= cfg.threshold  # type: ignore[arg-type]
            if ok and since.get(v) is None:  # type: ignore[arg-type]
                since[v] = (o.days, o.at)  # type: ignore[index]
            elif not ok:
                since.pop(v, None)  # type: ignore[arg-type]
        cands = list(since)  # established values only: at most (groups / k) of them
        if cands:
            win = max(cands, key=lambda v: (since[v][0], len(believers[v]), v))
            if win != network:
                sup = sorted(believers[win])
                transitions.append(Transition(
                    field=field, before=network, after=win, at=o.at, support=len(sup),
                    confidence=round(w.combined(sup, win, o.days), 3),
                    evidence=tuple(_ref(w.last[(g2, win)]) for g2 in sup),
                    items=frozenset(w.last[(g2, win)].item for g2 in sup)))
                network = win
                ever_network.add(win)
    hist = _history(obs)
    states = []
    for v, s in hist.items():
        held = believers.get(v, set())
        states.append(ValueState(
            value=v, first_seen=s["first"], last_seen=s["last"], support=len(s["groups"]), believers=len(held),
            confidence=round(w.combined(held, v, now), 3) if held else 0.0, observations=s["n"],
            published=v == network, status="network" if v == network else "private" if held else "superseded",
            subtype=max(s["subtypes"], key=lambda t: (s["subtypes"][t], t or "")),
            owners=tuple(sorted(s["owners"]))))
    if network is not None:
        current = network
    else:
        held = [s for s in states if s.believers]
        current = max(held, key=lambda s: (s.believers, s.confidence, s.last_seen, s.value)).value if held else None
    states = [attrs.evolve(s, status="current") if s.value == current else s for s in states]
    states.sort(key=lambda s: (s.first_seen, s.value))
    return FieldState(field=field, current=(current,) if current is not None else (),
                      network=(network,) if network is not None else (), values=tuple(states),
                      transitions=tuple(transitions))


def _multi(field: str, obs: list[Obs], cfg: ScoringConfig, now: float) -> FieldState:
    w = _Weights(cfg.half_life_days)
    groups: dict[str, set[str]] = defaultdict(set)
    published: list[str] = []
    done: set[str] = set()
    transitions: list[Transition] = []
    for o in obs:
        w.add(o)
        groups[o.value].add(o.group)
        v = o.value
        if v in done:
            continue
        sup = groups[v]
        if len(sup) >= cfg.k and w.combined(sup, v, o.days) >= cfg.threshold:
            transitions.append(Transition(
                field=field, before=tuple(published), after=v, at=o.at, support=len(sup),
                confidence=round(w.combined(sup, v, o.days), 3),
                evidence=tuple(_ref(w.last[(g, v)]) for g in sorted(sup)),
                items=frozenset(w.last[(g, v)].item for g in sup)))
            published.append(v)
            done.add(v)
    hist = _history(obs)
    states = []
    for v, s in hist.items():
        pub = v in done
        states.append(ValueState(
            value=v, first_seen=s["first"], last_seen=s["last"], support=len(s["groups"]),
            believers=len(s["groups"]), confidence=round(w.combined(s["groups"], v, now), 3),
            observations=s["n"], published=pub, status="network" if pub else "private",
            subtype=max(s["subtypes"], key=lambda t: (s["subtypes"][t], t or "")),
            owners=tuple(sorted(s["owners"]))))
    # published values first; among them the most recently seen (after a job change the new
    # address leads), then the best supported
    states.sort(key=lambda s: (not s.published, -s.last_seen.date().toordinal(), -s.support, -s.confidence,
                               -s.observations, s.value))
    return FieldState(field=field, current=tuple(s.value for s in states),
                      network=tuple(s.value for s in states if s.published), values=tuple(states),
                      transitions=tuple(transitions))


def evaluate(obs: Sequence[Obs], cfg: ScoringConfig) -> dict[str, FieldState]:
    """Every field of one contact, from its observations (sorted by :func:`observations`)."""
    by_field: dict[str, list[Obs]] = defaultdict(list)
    for o in obs:
        by_field[o.field].append(o)
    now = max((o.days for o in obs), default=0.0)
    out: dict[str, FieldState] = {}
    for f, fobs in by_field.items():
        out[f] = (_single if f in SINGLE else _multi)(f, fobs, cfg, now)
    return out


def owner_beliefs(obs: Sequence[Obs], owner: str, cfg: ScoringConfig) -> dict[str, tuple[str, ...]]:
    """What one owner's own address book says, field by field (their evidence only)."""
    mine = [o for o in obs if o.owner and o.owner.lower() == owner.lower()]
    out: dict[str, tuple[str, ...]] = {}
    w = _Weights(cfg.half_life_days)
    seen: dict[str, list[str]] = defaultdict(list)
    for o in mine:
        o2 = attrs.evolve(o, group="me")
        w.add(o2)
        if o.value not in seen[o.field]:
            seen[o.field].append(o.value)
    for f, vals in seen.items():
        if f in SINGLE:
            out[f] = (max(vals, key=lambda v: (w.log[("me", v)], w.last[("me", v)].days, v)),)
        else:
            out[f] = tuple(vals)
    return out
