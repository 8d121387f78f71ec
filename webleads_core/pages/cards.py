"""Contact cards: what every page reader produces, and how a card is kept in a Block.

A :class:`Card` is one person or organisation seen in one place of a page, with the
method that found it (``jsonld``, ``microdata``, ``rdfa``, ``hcard``, ``mailto``,
``tel``, ``cloudflare``, ``bracket``, ``text``, ``team``).  The capture keeps each card
as a :class:`~webleads_core.records.Block` whose text is a few ``key: value`` lines
(:func:`card_to_text`); the page extractors read them back with :func:`text_to_card`.
The values in a block are exactly the decoded values found on the page (a
de-obfuscated address is written decoded), so the privacy stage's grounding check
finds every value an extractor reports.
"""

from __future__ import annotations

import attrs

#: Card keys in the order they are written.  ``region`` is the page's country signal
#: (for reading phone numbers), never a business field.  ``decoded`` holds an address a
#: person block only shows obfuscated, as ``"<method> <address>"`` (``cloudflare``,
#: ``bracket``), so evidence can say it was found through de-obfuscation.
KEYS = ("name", "title", "company", "email", "decoded", "phone", "fax", "address", "website", "social", "region")
MAX_CARD_VALUES = 12
MAX_LINE = 400
HEADER = "#web"


@attrs.define(repr=False)
class Card:
    """One person (``kind="person"``) or organisation/role (``kind="org"``)."""

    method: str
    kind: str = "person"
    line: int = 0
    values: list[tuple[str, str]] = attrs.field(factory=list)

    def add(self, key: str, value: str | None) -> None:
        if not value or key not in KEYS:
            return
        value = " ".join(str(value).split())[:MAX_LINE]
        if value and (key, value) not in self.values and len(self.values) < MAX_CARD_VALUES * 4:
            if sum(1 for k, _ in self.values if k == key) < MAX_CARD_VALUES:
                self.values.append((key, value))

    def get(self, key: str) -> list[str]:
        return [v for k, v in self.values if k == key]

    def decoded(self) -> list[tuple[str, str]]:
        """``(method, address)`` of the addresses found only through de-obfuscation."""
        return [tuple(v.split(" ", 1)) for v in self.get("decoded") if " " in v]  # type: ignore[misc]

    @property
    def has_contact(self) -> bool:
        return any(k in ("email", "decoded", "phone", "fax", "address", "website", "social") for k, _ in self.values)


def card_to_text(card: Card) -> str:
    lines = [f"{HEADER} {card.method} {card.kind}"]
    for key in KEYS:
        for v in card.get(key):
            lines.append(f"{key}: {v}")
    return "\n".join(lines)


def text_to_card(text: str, line: int = 0) -> Card | None:
    """The card a block holds, or None when the block is not a page card."""
    rows = text.split("\n")
    head = rows[0].split() if rows else []
    if len(head) != 3 or head[0] != HEADER:
        return None
    card = Card(method=head[1], kind=head[2], line=line)
    for row in rows[1:]:
        key, sep, value = row.partition(": ")
        if sep and key in KEYS:
            card.values.append((key, value))
    return card
