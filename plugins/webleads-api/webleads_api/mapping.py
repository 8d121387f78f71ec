"""Field mappings: from a record (a JSON object, a CSV row) to business field triples.

A mapping is the ``[sources.mapping]`` table of a ``rest`` or ``csv`` source: one
key per business field, each value one *rule* or a list of rules::

    email   = "properties.email"                           # a path
    phone   = [{ path = "properties.phone", type = "work" },
               { path = "properties.mobilephone", type = "mobile" }]
    phone   = { path = "phoneNumbers[*].value", type_from = "type" }   # sibling key
    name    = { join = ["name.givenName", "name.familyName"] }       # joined with a space
    company = { const = "Northwind Logistics" }                      # a constant

Rule keys: ``path`` | ``join`` (+ ``sep``) | ``const``; optional ``type`` (a fixed
subtype: phone type, or social network), ``type_from`` (a path read from the object
that holds the value), ``types`` (raw type word -> subtype, ``"skip"`` drops),
``required`` (the record is skipped when the rule yields nothing).  The user's
reference is docs/sources.md.

A mapping whose paths never match anything is almost always a typo, so
:class:`Mapping` counts, per rule, how many records it matched; sources log the
rules that matched nothing in a whole run (config text only, never a value).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Iterable, Mapping as MappingT

import attrs

from webleads_core.errors import ConfigError
from webleads_core.records import BUSINESS_FIELDS

from .normalise import SKIP, Triple, dedupe, normalise, region_hint, scalar, type_of
from .paths import Path, parse_path

_RULE_KEYS = {"path", "join", "sep", "const", "type", "type_from", "types", "required"}
#: Longest raw text value read from a record, before normalisation.
MAX_RAW_CHARS = 4096


@attrs.frozen
class Rule:
    """One way of reading one business field.

    Attributes:
        field: the business field.
        paths: one path, or the paths a ``join`` concatenates.
        join: separator for ``join`` rules, else None.
        const: a constant value (no path).
        subtype: fixed subtype (phone type, social network).
        type_from: path of the value's type, read from the value's holder.
        types: raw type word -> subtype (``"skip"`` drops the value).
        required: a record without this field is skipped.
        label: the config text, for messages (never a value).
    """

    field: str
    paths: tuple[Path, ...] = ()
    join: str | None = None
    const: str | None = None
    subtype: str | None = None
    type_from: Path | None = None
    types: MappingT[str, str] = attrs.field(factory=dict, hash=False)
    required: bool = False
    label: str = ""


def parse_rules(
    table: Any, *, where: str, path_parser: Callable[[str, str], Path] | None = None
) -> tuple[Rule, ...]:
    """Parse a ``mapping`` table into rules; mistakes are :class:`ConfigError`."""
    parse = path_parser or (lambda text, w: parse_path(text, where=w))
    if not isinstance(table, MappingT) or not table:
        raise ConfigError(f"{where} must be a non-empty table of field = rule")
    rules: list[Rule] = []
    for field, spec in table.items():
        if field not in BUSINESS_FIELDS:
            raise ConfigError(f"{where}: {field!r} is not a business field "
                              f"({', '.join(BUSINESS_FIELDS)})")
        specs = spec if isinstance(spec, list) else [spec]
        if not specs:
            raise ConfigError(f"{where}.{field}: empty list")
        for k, one in enumerate(specs):
            w = f"{where}.{field}" + (f"[{k}]" if isinstance(spec, list) else "")
            rules.append(_parse_rule(field, one, w, parse))
    return tuple(rules)


def _parse_rule(field: str, spec: Any, where: str, parse: Callable[[str, str], Path]) -> Rule:
    if isinstance(spec, str):
        return Rule(field=field, paths=(parse(spec, where),), label=f"{field} = {spec}")
    if not isinstance(spec, MappingT):
        raise ConfigError(f"{where}: a rule is a path string or a table")
    unknown = set(spec) - _RULE_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    kinds = [k for k in ("path", "join", "const") if k in spec]
    if len(kinds) != 1:
        raise ConfigError(f"{where}: give exactly one of path, join, const")
    subtype = spec.get("type")
    if subtype is not None and (not isinstance(subtype, str) or not subtype):
        raise ConfigError(f"{where}.type must be a non-empty string")
    if field == "phone" and subtype is not None and subtype not in ("work", "mobile", "fax", "other"):
        raise ConfigError(f"{where}.type: a phone type is work, mobile, fax or other")
    types = spec.get("types", {})
    if not isinstance(types, MappingT) or not all(isinstance(v, str) for v in types.values()):
        raise ConfigError(f"{where}.types must be a table of raw type = subtype")
    types = {str(k).lower(): v for k, v in types.items()}
    type_from = spec.get("type_from")
    tf = parse(type_from, f"{where}.type_from") if type_from is not None else None
    required = spec.get("required", False)
    if not isinstance(required, bool):
        raise ConfigError(f"{where}.required must be true or false")
    common = dict(field=field, subtype=subtype, type_from=tf, types=types, required=required)
    if "const" in spec:
        const = spec["const"]
        if not isinstance(const, str) or not const.strip():
            raise ConfigError(f"{where}.const must be a non-empty string")
        return Rule(const=const, label=f"{field} = const", **common)
    if "join" in spec:
        parts = spec["join"]
        if not isinstance(parts, list) or not parts or not all(isinstance(p, str) for p in parts):
            raise ConfigError(f"{where}.join must be a list of paths")
        sep = spec.get("sep", " ")
        if not isinstance(sep, str):
            raise ConfigError(f"{where}.sep must be a string")
        return Rule(paths=tuple(parse(p, f"{where}.join") for p in parts), join=sep,
                    label=f"{field} = join({', '.join(parts)})", **common)
    path = spec["path"]
    if not isinstance(path, str):
        raise ConfigError(f"{where}.path must be a string")
    return Rule(paths=(parse(path, where),), label=f"{field} = {path}", **common)


@attrs.define
class Mapping:
    """Applies rules to records and keeps per-rule match counts for diagnostics.

    Attributes:
        rules: the parsed rules.
        region: region for phone numbers without ``+`` (else the email's ccTLD).
        matched: rule label -> number of records the rule yielded a raw value for.
        defects: reason code -> count (``mapping.invalid_email`` ...), no values.
    """

    rules: tuple[Rule, ...]
    region: str | None = None
    matched: Counter = attrs.field(factory=Counter)
    defects: Counter = attrs.field(factory=Counter)
    records: int = 0

    def apply(self, record: Any) -> tuple[Triple, ...] | None:
        """The record's triples in normal form; None when a required rule found nothing."""
        self.records += 1
        raw: list[tuple[Rule, str, str | None]] = []
        missing_required = False
        for rule in self.rules:
            values = list(_raw_values(rule, record))
            if values:
                self.matched[rule.label] += 1
            elif rule.required:
                missing_required = True
            raw.extend((rule, v, s) for v, s in values)
        if missing_required:
            self.defects["mapping.required_missing"] += 1
            return None
        # emails first: their domains tell the region of numbers written without +
        emails = []
        for rule, value, subtype in raw:
            if rule.field == "email":
                t = normalise("email", value, subtype)
                if t is None:
                    self.defects["mapping.invalid_email" if subtype != SKIP else "mapping.skipped_type"] += 1
                else:
                    emails.append(t)
        region = region_hint(emails, self.region)
        out: list[Triple] = list(emails)
        for rule, value, subtype in raw:
            if rule.field == "email":
                continue
            if subtype == SKIP:
                self.defects["mapping.skipped_type"] += 1
                continue
            t = normalise(rule.field, value, subtype, region=region)
            if t is None:
                self.defects[f"mapping.invalid_{rule.field}"] += 1
            else:
                out.append(t)
        return dedupe(out)

    def unmatched(self) -> list[str]:
        """Labels of rules (config text) that matched no record at all."""
        if not self.records:
            return []
        return [r.label for r in self.rules if r.const is None and not self.matched[r.label]]


def _raw_values(rule: Rule, record: Any) -> Iterable[tuple[str, str | None]]:
    if rule.const is not None:
        yield rule.const, _subtype(rule, None, record)
        return
    if rule.join is not None:
        parts = []
        for p in rule.paths:
            v = scalar(p.first(record))
            if v and v.strip():
                parts.append(v.strip()[:MAX_RAW_CHARS])
        if parts:
            yield rule.join.join(parts), _subtype(rule, None, record)
        return
    for value, holder in rule.paths[0].resolve(record):
        if isinstance(value, list):  # a path ending on a list of strings: each one
            for element in value[:100]:
                text = scalar(element)
                if text and text.strip():
                    yield text[:MAX_RAW_CHARS], _subtype(rule, holder, record)
            continue
        text = scalar(value)
        if text and text.strip():
            yield text[:MAX_RAW_CHARS], _subtype(rule, holder, record)


def _subtype(rule: Rule, holder: Any, record: Any) -> str | None:
    if rule.type_from is not None:
        raw = rule.type_from.first(holder if holder is not None else record)
        raw_text = raw if isinstance(raw, str) else None
        if isinstance(raw, list):
            raw_text = ",".join(x for x in raw[:20] if isinstance(x, str))
        if raw_text:
            raw_text = raw_text[:200]
            if rule.field == "social":
                net = rule.types.get(raw_text.lower(), raw_text.lower())
                return net if net != SKIP else SKIP
            found = type_of([raw_text], rule.types)
            if found is not None:
                if rule.field != "phone" and found != SKIP:
                    return rule.subtype  # only "keep or skip" matters for other fields
                return found
    return rule.subtype
