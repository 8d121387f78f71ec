"""Web pages: the mandatory page purge and the readers it is built from.

:func:`capture_page` turns a page :class:`~webleads_core.records.Document` into a
:class:`~webleads_core.records.Capture` that holds only contact cards (structured
data, h-cards, team blocks, ``mailto:``/``tel:`` links, decoded obfuscated addresses,
contact values of the visible text); the page text is never kept.  The engine calls it
for every document of kind ``page``; page extractors read the cards back with
:func:`text_to_card`.
"""

from __future__ import annotations

from .capture import capture_page, page_cards, page_region
from .cards import KEYS, Card, card_to_text, text_to_card
from .html import MAX_PAGE_BYTES, decode_page, parse_html

__all__ = ["KEYS", "MAX_PAGE_BYTES", "Card", "capture_page", "card_to_text", "decode_page", "page_cards",
           "page_region", "parse_html", "text_to_card"]
