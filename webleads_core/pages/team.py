"""Person blocks on team, staff and "about" pages: a name with its title, email,
phone and profile link, read from the smallest element that holds one person.

A name anchor is a heading, ``strong``/``b``, ``figcaption`` or an element whose class
says ``name``, whose text reads as a person's name (:func:`looks_like_name`) and is not
a common page word.  Its card is the largest ancestor (up to four levels) that still
holds no other name anchor and at most 700 characters of text.  A card is kept when it
has a title or a contact value; a page gives at most :data:`MAX_PEOPLE` of them.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urljoin, urlsplit

from ..text.names import clean_person_name, fold, looks_like_name
from ..text.phones import find_phones
from ..text.urls import social_profile
from ..text.vocab import TITLE_PHRASES, TITLE_WORDS
from .cards import Card
from .finders import bracket_emails, decode_cfemail, mailto_addresses, tel_number, text_emails
from .visible import visible_lines

MAX_PEOPLE = 200
MAX_ANCHORS = 2000
MAX_BOX_CHARS = 700
_ANCHORS = ("//h2|//h3|//h4|//h5|//h6|//strong|//b|//figcaption|//dt"
            "|//*[contains(concat(' ', normalize-space(@class), ' '), ' name ')"
            " or contains(@class, '-name') or contains(@class, 'name-') or contains(@class, '__name')]")
_PAGE_WORDS = frozenset(fold(w) for w in """
    privacy policy cookie cookies terms conditions imprint impressum legal notice contact contacts
    about news blog press careers jobs home menu login logout search services products solutions
    pricing support help faq team people staff leadership board partners clients customers
    office offices location locations address directions hours opening follow share read more
    latest upcoming events resources download downloads newsletter subscribe sitemap copyright
    mentions legales equipe kontakt datenschutz chi siamo contacto nosotros quienes somos
    """.split())
_TITLE_FOLDED = frozenset(fold(w) for w in TITLE_WORDS) | frozenset(fold(w) for w in """
    geschaftsfuhrer geschaftsfuhrerin inhaber inhaberin leiter leiterin leitung vertriebsleiter
    vertriebsleiterin partnerin beraterin berater referent referentin gerant gerante associe associee
    fondateur fondatrice fundador fundadora socio socia titolare responsabile scientist engineer
    developer designer researcher analyst consultant counsel attorney lawyer editor journalist
    """.split())
_PHRASES_FOLDED = tuple(fold(p) for p in TITLE_PHRASES)
_WORD = re.compile(r"[^\W\d_]{2,30}")


def _name_of(el) -> str | None:
    try:
        text = " ".join(el.text_content().split())
    except ValueError:
        return None
    if not 4 <= len(text) <= 60 or "@" in text or any(ch.isdigit() for ch in text):
        return None
    words = [fold(w) for w in _WORD.findall(text)]
    if not words or any(w in _PAGE_WORDS for w in words):
        return None
    name = clean_person_name(text)
    if name is None or looks_like_name(text) < 0.45 or len(name.split()) < 2:
        return None
    return name


def _looks_like_title(line: str, name: str) -> bool:
    if not 2 <= len(line) <= 90 or "@" in line or sum(c.isdigit() for c in line) > 2:
        return False
    if fold(line) == fold(name):
        return False
    words = [fold(w) for w in _WORD.findall(line)]
    if not words or len(words) > 10:
        return False
    folded = fold(line)
    return any(w in _TITLE_FOLDED for w in words) or any(p in folded for p in _PHRASES_FOLDED)


def team_cards(root, base_url: str, region: str | None, deadline: float = float("inf")) -> list[Card]:
    anchors = []
    for el in root.xpath(_ANCHORS)[:MAX_ANCHORS]:
        name = _name_of(el)
        if name is not None:
            anchors.append((el, name))
    if not anchors:
        return []
    anchor_set = {id(el) for el, _ in anchors}
    site = urlsplit(base_url).hostname or ""
    cards: list[Card] = []
    used: set[int] = set()
    for el, name in anchors:
        if id(el) in used:
            continue
        if time.perf_counter() > deadline:
            break
        box = el
        for _ in range(4):
            parent = box.getparent()
            if parent is None or parent.tag in ("body", "html", "main"):
                break
            try:
                if len(parent.text_content()) > MAX_BOX_CHARS:
                    break
            except ValueError:
                break
            if sum(1 for x in parent.iter() if id(x) in anchor_set) > 1:
                break
            box = parent
        card = _read_box(box, el, name, base_url, site, region)
        if card is not None:
            used.update(id(x) for x in box.iter() if id(x) in anchor_set)
            cards.append(card)
            if len(cards) >= MAX_PEOPLE:
                break
    return cards


def _read_box(box, anchor, name: str, base_url: str, site: str, region: str | None) -> Card | None:
    card = Card(method="team", kind="person", line=anchor.sourceline or 0)
    hidden: list[tuple[str, str | None]] = []
    lines = [t for t, _ in visible_lines(None, start=box)]
    title = None
    seen_name = False
    for line in lines[:12]:
        if not seen_name and fold(name.split()[-1]) in fold(line):
            seen_name = True
            # "Jane Doe, Head of Sales" on one line
            rest = line.split(",", 1)[1].strip() if "," in line else ""
            if rest and _looks_like_title(rest, name):
                title = rest
                break
            continue
        if seen_name and _looks_like_title(line, name):
            title = line
            break
    card.add("name", name)
    card.add("title", title)
    for a in box.iter("a"):
        href = (a.get("href") or "").strip()
        low = href[:12].lower()
        if low.startswith("mailto:"):
            for e in mailto_addresses(href):
                card.add("email", e)
        elif low.startswith("tel:"):
            card.add("phone", tel_number(href))
        elif "/cdn-cgi/l/email-protection#" in href:
            hidden.append(("cloudflare", decode_cfemail(href.rsplit("#", 1)[1])))
        elif href.startswith(("http://", "https://", "/")) or (href and ":" not in href.split("/", 1)[0]):
            url = urljoin(base_url, href) if base_url else href
            if social_profile(url) is not None:
                card.add("social", url)
            elif site and (urlsplit(url).hostname or "") == site:
                slug = fold(name.split()[-1])
                if slug and slug in fold(urlsplit(url).path):
                    card.add("website", url)
    for el in box.xpath(".//*[@data-cfemail]"):
        hidden.append(("cloudflare", decode_cfemail(el.get("data-cfemail", ""))))
    for line in lines[:30]:
        for e in text_emails(line):
            card.add("email", e)
        for e in bracket_emails(line):
            hidden.append(("bracket", e))
    plain = set(card.get("email"))
    for method, e in hidden:
        if e and e not in plain:
            card.add("decoded", f"{method} {e}")
        if sum(c.isdigit() for c in line) >= 6:
            for m in find_phones(line, region=region, max_chars=400):
                key = "fax" if m.type == "fax" else "phone"
                card.add(key, line[m.span[0]:m.span[1]])
    if title is None and not card.has_contact:
        return None
    return card
