"""``type = "vcard"``: address books as ``.vcf`` files (one file with many cards, or
a folder of files such as the core's ``vcard`` sink writes with ``folder = ...``).

Which vCard properties become which business fields:

========================  =====================================================
``FN`` (else ``N``)       name (``N`` read as given, middle, family)
``ORG``                   company: the organisation name; its units are not a
                          company and are left out
``TITLE`` (else ``ROLE``) title
``EMAIL``                 email
``TEL``                   phone, typed from ``TYPE`` (or an Apple ``X-ABLabel``)
``ADR``                   address: the non-empty components joined with ", "
``URL``                   website, or social when it is a profile URL
``X-SOCIALPROFILE``       social (network from ``TYPE`` or the URL)
``UID``                   the record id (``uid:<UID>``), so the same card in two
                          files, or a re-export, is one item
========================  =====================================================

``HOME``-typed emails, phones, addresses and URLs are personal, not business data, and
are dropped unless ``include_home = true``.  Everything else (notes, birthdays,
photos, relations) is never read into a record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from webleads_core.components import SourceConfig
from webleads_core.errors import ConfigError

from .filesource import FileRecordSource, digest
from .normalise import SKIP, Triple, dedupe, normalise, region_hint, type_of
from .vcard import Card, components, read_cards, unescape

#: Apple's X-ABLabel values: ``_$!<Mobile>!$_``, ``_$!<WorkFAX>!$_`` ...
_AB_LABELS = {"mobile": "cell", "iphone": "cell", "main": "work", "workfax": "work,fax",
              "homefax": "home,fax", "home": "home", "work": "work", "other": "other",
              "pager": "pager"}


class VcardSource(FileRecordSource):
    """Options: ``path`` (a .vcf file or a folder), ``region`` (ISO code for numbers
    written without +), ``include_home`` (keep HOME-typed values, default false)."""

    suffixes = (".vcf", ".vcard")

    def __init__(self, config: SourceConfig) -> None:
        super().__init__(config)
        opts = config.options
        unknown = set(opts) - {"path", "region", "include_home"}
        if unknown:
            raise ConfigError(f"source {config.name!r}: unknown keys {', '.join(sorted(unknown))}")
        self.region = opts.get("region")
        if self.region is not None and (not isinstance(self.region, str) or len(self.region) != 2):
            raise ConfigError(f"source {config.name!r}: region must be a two-letter country code")
        self.include_home = opts.get("include_home", False)
        if not isinstance(self.include_home, bool):
            raise ConfigError(f"source {config.name!r}: include_home must be true or false")

    def records(self, path: Path) -> Iterator[tuple[str | None, tuple[Triple, ...]]]:
        with path.open("rb") as fh:
            for card in read_cards(fh):
                for d in card.defects:
                    self.defects[d] += 1
                triples = card_fields(card, region=self.region, include_home=self.include_home)
                yield card_key(card, triples), triples


def card_key(card: Card, triples: tuple[Triple, ...]) -> str | None:
    """``uid:<UID>`` when the card has one, else a digest of its first email, else of
    its name and company (stable across edits of its other values)."""
    uid = card.first("UID")
    if uid is not None:
        value = unescape(uid.value).strip()
        for prefix in ("urn:uuid:", "URN:UUID:"):
            value = value.removeprefix(prefix)
        if value and len(value) <= 180 and value.isprintable():
            return "uid:" + value
    emails = [v for f, v, _ in triples if f == "email"]
    if emails:
        return "e:" + digest(emails[0])
    named = [v for f, v, _ in triples if f in ("name", "company")]
    if named:
        return "n:" + digest("\0".join(named))
    return None


def _kept_type(types: set[str], include_home: bool) -> str | None:
    found = type_of(types)
    if found == SKIP:
        if not include_home:
            return SKIP
        found = type_of(types - {"home"}) or "other"
    return found


def _label_types(card: Card, group: str | None) -> set[str]:
    if group is None:
        return set()
    for p in card.properties:
        if p.group == group and p.name == "X-ABLABEL":
            label = p.value.strip().strip("_$!<>").lower().replace(" ", "")
            return set(_AB_LABELS.get(label, label).split(","))
    return set()


def card_fields(card: Card, *, region: str | None = None, include_home: bool = False) -> tuple[Triple, ...]:
    """The business field triples of one card, in normal form."""
    raw: list[tuple[str, str, str | None]] = []
    fn = card.first("FN")
    name = unescape(fn.value).strip() if fn is not None else ""
    if not name:
        n = card.first("N")
        if n is not None:
            parts = components(n.value) + [""] * 5
            family, given, middle = parts[0], parts[1], parts[2]
            name = " ".join(x.strip() for x in (given, middle, family) if x.strip())
    if name:
        raw.append(("name", name, None))
    org = card.first("ORG")
    if org is not None:
        company = components(org.value)[0].strip()
        if company:
            raw.append(("company", company, None))
    title = card.first("TITLE") or card.first("ROLE")
    if title is not None:
        raw.append(("title", unescape(title.value), None))
    for p in card.get("EMAIL"):
        types = p.types | _label_types(card, p.group)
        if _kept_type(types, include_home) == SKIP:
            continue
        raw.append(("email", unescape(p.value), None))
    for p in card.get("TEL"):
        types = p.types | _label_types(card, p.group)
        kind = _kept_type(types, include_home)
        if kind == SKIP:
            continue
        raw.append(("phone", unescape(p.value), kind or "other"))
    for p in card.get("ADR"):
        types = p.types | _label_types(card, p.group)
        if _kept_type(types, include_home) == SKIP:
            continue
        parts = [x.strip() for x in components(p.value)]
        text = ", ".join(x.replace("\n", ", ") for x in parts if x)
        if text:
            raw.append(("address", text, None))
    for p in card.get("URL"):
        types = p.types | _label_types(card, p.group)
        if _kept_type(types, include_home) == SKIP:
            continue  # a personal home page
        raw.append(("website", unescape(p.value), None))
    for p in card.get("X-SOCIALPROFILE") + card.get("X-LINKEDIN") + card.get("X-TWITTER"):
        net = next(iter(sorted(p.types)), None) or p.name[2:].lower()
        raw.append(("social", unescape(p.value), net if net != "x-socialprofile" else None))
    emails = [t for t in (normalise("email", v, s) for f, v, s in raw if f == "email") if t]
    reg = region_hint(emails, region)
    out = [t for t in (normalise(f, v, s, region=reg) for f, v, s in raw) if t is not None]
    return dedupe(out)
