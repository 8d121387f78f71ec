"""Person names: cleaning, identity keys and a "does this line look like a name" score.

Decisions:

- :func:`clean_person_name` drops honorifics before the name (``Dr.``, ``Prof.``,
  ``Mr``, ``Herr``, ``Mme`` ...), credentials after it (``PhD``, ``MBA``, ``CPA``,
  ``Esq.``, ``CFA`` ...), pronoun markers (``(she/her)``, ``he/him``, ``Pronouns:
  they/them``), emoji and surrounding punctuation.  Generational suffixes (``Jr.``,
  ``Sr.``, ``III``) are part of a legal name and are **kept** (normalised to ``Jr.``,
  ``Sr.``, ``III``); :func:`name_key` ignores them.  ``Doe, Jane`` becomes ``Jane Doe``;
  ALL-CAPS names are title-cased.  Strings with digits, ``@``, URLs, more than six
  words or characters that do not belong in a name give None.
- :func:`name_key` is the identity-resolution key: accents folded (NFKD, combining
  marks dropped), lower-case, honorifics/credentials/generational suffixes removed,
  then **first and last token** (``Mark D. Guinney`` and ``Mark Guinney`` share a key;
  middle names and initials do not split a person).
- :func:`looks_like_name` scores a signature line 0..1 from its shape
  (capitalised words, no role or company words) and its overlap with the sender's
  display name and email local part (``j.doe@``, ``jane.doe@``, ``jdoe@``).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from .vocab import (
    AMBIGUOUS_HONORIFICS,
    COMPANY_SUFFIXES_FOLDED,
    COUNTRY_NAMES,
    CREDENTIALS,
    GENERATIONAL,
    HONORIFICS,
    NAME_PARTICLES,
    NON_NAME_WORDS,
    ORG_WORDS,
    SIGNOFFS,
    TITLE_MODIFIERS,
    TITLE_WORDS,
    US_STATE_NAMES,
)

__all__ = ["clean_person_name", "fold", "looks_like_name", "name_key", "name_tokens"]

MAX_NAME_WORDS = 6
MAX_NAME_CHARS = 80

_PRONOUNS_RE = re.compile(
    r"(?i)[(\[]?\s{0,3}(?:pronouns?\s{0,3}:?\s{0,3})?"
    r"\b(?:she|he|they|ze|xe|zie|ey|it|elle|il|iel|sie|er|ella|él)\s{0,2}/\s{0,2}"
    r"(?:her|hers|him|his|them|theirs|hir|zir|em|its|elle|lui|iel|ihr|ihm|ella|él|she|he|they)"
    r"(?:\s{0,2}/\s{0,2}[a-zé]{2,6})?\b\s{0,3}[)\]]?"
)
_PRONOUN_LABEL_RE = re.compile(r"(?i)\bpronouns?\s{0,3}:.{0,40}$")
_URLISH_RE = re.compile(r"(?i)(?:https?://|www\.|\.(?:com|net|org|io|de|fr)\b)")
_ALLOWED_CHARS_RE = re.compile(r"[^\w .'’\-]")
_SPACE_RE = re.compile(r"\s{1,200}")
_WORD_SPLIT_RE = re.compile(r"[\s]{1,50}")
_LOCAL_SPLIT_RE = re.compile(r"[._\-+]{1,5}|\d{1,10}")
_EDGE_PUNCT = " \t\"'`*_~=|•·:;,.-–—()[]{}<>«»“”„‘’!?#/\\"


def _is_emoji(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat in ("So", "Sk", "Cs", "Co", "Cn") or ch in "\u200d\ufe0e\ufe0f\u20e3" or (
        0x1F000 <= ord(ch) <= 0x1FAFF)


#: ASCII characters :func:`_is_emoji` is true for (``^`` and ``` ` ``` are modifier symbols):
#: an ASCII string needs no per-character look-up, only these replaced.
_ASCII_EMOJI = str.maketrans({c: " " for c in map(chr, range(128)) if _is_emoji(c)})


def fold(s: str) -> str:
    """Accent-folded, case-folded text (``Müller`` -> ``muller``)."""
    nfkd = unicodedata.normalize("NFKD", s)
    return "".join(ch for ch in nfkd if not unicodedata.combining(ch)).casefold()


def _bare(tok: str) -> str:
    return tok.casefold().replace(".", "").strip(",;:'’()")


def _is_credential(tok: str) -> bool:
    b = _bare(tok)
    return b in CREDENTIALS or (b.replace("-", "") in CREDENTIALS and len(b) > 1)


def _is_honorific(tok: str) -> bool:
    return _bare(tok) in HONORIFICS


def _canon_generational(tok: str) -> str | None:
    b = _bare(tok)
    if b in ("jr", "sr"):
        return b.capitalize() + "."
    if b in ("ii", "iii", "iv"):
        return b.upper()
    return None


def _title_case(word: str) -> str:
    if word.casefold() in NAME_PARTICLES:
        return word.lower()
    parts = re.split(r"([-'’])", word)
    return "".join(p[:1].upper() + p[1:].lower() if p not in "-'’" else p for p in parts)


def clean_person_name(s: str) -> str | None:
    """A person's name without decorations, or None when ``s`` is not a name.

    >>> clean_person_name("Dr. Jane Doe, PhD (she/her)")
    'Jane Doe'
    >>> clean_person_name("DOE, JANE")
    'Jane Doe'
    >>> clean_person_name("Martin Luther King, Jr.")
    'Martin Luther King Jr.'
    """
    if not isinstance(s, str) or not s or len(s) > 4 * MAX_NAME_CHARS:
        return None
    if "\r" in s or "\n" in s or "\x00" in s:
        return None
    if s.isascii():  # NFC leaves ASCII alone
        s = s.translate(_ASCII_EMOJI)
    else:
        s = unicodedata.normalize("NFC", s)
        s = "".join(" " if _is_emoji(ch) else ch for ch in s)
    s = _PRONOUNS_RE.sub(" ", s)
    s = _PRONOUN_LABEL_RE.sub(" ", s)
    if "@" in s or _URLISH_RE.search(s) or any(ch.isdigit() for ch in s):
        return None
    s = _SPACE_RE.sub(" ", s).strip(_EDGE_PUNCT)
    if not s:
        return None
    # comma forms: "Doe, Jane", "Jane Doe, PhD, MBA", "King, Jr."
    parts = [p.strip(_EDGE_PUNCT) for p in s.split(",")]
    parts = [p for p in parts if p]
    kept: list[str] = []
    trailing: list[str] = []
    for p in parts:
        toks = p.split()
        if toks and all(_is_credential(t) for t in toks):
            continue
        if len(toks) == 1 and _canon_generational(toks[0]):
            trailing.append(_canon_generational(toks[0]) or "")
            continue
        kept.append(p)
    if not kept:
        return None
    if len(kept) == 2 and len(kept[0].split()) <= 3 and len(kept[1].split()) <= 3:
        kept = [kept[1], kept[0]]  # "Doe, Jane" -> "Jane Doe"
    elif len(kept) > 2:
        return None
    tokens = " ".join(kept).split()
    # honorifics in front (possibly several: "Prof. Dr.")
    while tokens and _is_honorific(tokens[0]) and len(tokens) > 1:
        if _bare(tokens[0]) in AMBIGUOUS_HONORIFICS and len(tokens) < 3:
            break  # "Don Fuller" is a name, "Don Juan Pérez" drops the honorific
        tokens.pop(0)
    # credentials at the back
    while tokens and _is_credential(tokens[-1]) and len(tokens) > 1:
        tokens.pop()
    if len(tokens) == 1 and (_is_honorific(tokens[0]) or _is_credential(tokens[0])):
        return None
    out: list[str] = []
    for i, t in enumerate(tokens):
        gen = _canon_generational(t) if i == len(tokens) - 1 and i > 0 else None
        if gen:
            trailing.insert(0, gen)
            continue
        out.append(t)
    if not out:
        return None
    name = " ".join(out)
    if _ALLOWED_CHARS_RE.search(name) or "_" in name:
        return None
    words = name.split()
    if len(words) + len(trailing) > MAX_NAME_WORDS or len(name) > MAX_NAME_CHARS:
        return None
    if not any(ch.isalpha() for ch in name):
        return None
    letters = [ch for ch in name if ch.isalpha()]
    if len(letters) > 3 and all(ch.isupper() for ch in letters):
        words = [_title_case(w) for w in words]
        if words:
            words[0] = words[0][:1].upper() + words[0][1:]
    words = [w.strip(".-'’") if len(w.strip(".")) > 1 and w.endswith(("-", "'", "’")) else w
             for w in words]
    words = [w for w in words if w]
    if not words:
        return None
    return " ".join(words + trailing)


def name_tokens(name: str) -> list[str]:
    """Folded tokens of a (cleaned) name, without credentials after the first word,
    generational suffixes and dots (initials stay as one letter)."""
    if not name:
        return []
    toks = []
    for t in _WORD_SPLIT_RE.split(fold(name)):
        t = t.strip(".,;:()'’\"")
        if not t:
            continue
        b = t.replace(".", "")
        if b in GENERATIONAL or (b in CREDENTIALS and toks):
            continue
        b = "".join(ch for ch in b if ch.isalnum() or ch == "-")
        if b:
            toks.append(b)
    return toks


def name_key(name: str) -> str:
    """Identity key of a person's name: folded first and last token (``"jane doe"``).

    Middle names, initials, honorifics, credentials and ``Jr.`` do not change it; a
    ``Doe, Jane`` spelling gives the same key as ``Jane Doe``.  Empty for non-names.
    """
    if not isinstance(name, str):
        return ""
    cleaned = clean_person_name(name)
    if cleaned is None:
        return ""
    toks = name_tokens(cleaned)
    if not toks:
        return ""
    if len(toks) == 1:
        return toks[0]
    return f"{toks[0]} {toks[-1]}"


@functools.lru_cache(maxsize=1024)
def _local_tokens(email: str | None) -> tuple[str, ...]:
    # cached: one sender's address is scored against every candidate line of a block
    if not email or "@" not in email:
        return ()
    local = email.rsplit("@", 1)[0].split("+", 1)[0]
    return tuple(t for t in _LOCAL_SPLIT_RE.split(fold(local)) if t)


def _email_overlap(toks: list[str], email: str | None) -> float:
    """0..1: how well the email local part spells the name tokens."""
    local_toks = _local_tokens(email)
    if not local_toks or not toks:
        return 0.0
    first, last = toks[0], toks[-1]
    joined = "".join(local_toks)
    long_toks = [t for t in toks if len(t) > 1]
    hits = sum(1 for t in long_toks if t in local_toks)
    if len(toks) >= 2:
        if first in local_toks and last in local_toks:
            return 1.0
        if joined in (first + last, last + first, first[0] + last, first + last[0],
                      last + first[0], first[0] + "." + last):
            return 0.9
        if len(local_toks) >= 2 and local_toks[-1] == last and local_toks[0] == first[:len(local_toks[0])]:
            return 0.9  # j.doe, jan.doe
        if local_toks[0] == first and local_toks[-1][:1] == last[:1]:
            return 0.8  # jane.d
        if last in local_toks or (len(last) > 3 and last in joined):
            return 0.6
        if first in local_toks or (len(first) > 3 and joined.startswith(first)):
            return 0.5
    else:
        if hits or (len(first) > 3 and first in joined):
            return 0.5
    return 0.0


@functools.lru_cache(maxsize=1024)
def _author_tokens(author_name: str) -> tuple[tuple[str, ...], str]:
    """The sender's name tokens and their key, computed once per sender instead of once
    per candidate line (callers only read them)."""
    a = tuple(name_tokens(clean_person_name(author_name) or author_name))
    return a, name_key(" ".join(a))


def _display_overlap(toks: list[str], author_name: str | None) -> float:
    if not author_name or not toks:
        return 0.0
    a, a_key = _author_tokens(author_name)
    if not a:
        return 0.0
    if len(toks) >= 2 and len(a) >= 2 and name_key(" ".join(toks)) == a_key:
        return 1.0
    sa, st = set(a), set(toks)
    common = {t for t in sa & st if len(t) > 1}
    if not common:
        # initials: "J. Doe" vs "Jane Doe"
        if len(toks) >= 2 and len(a) >= 2 and toks[-1] == a[-1]:
            return 0.7
        return 0.0
    if toks[-1] == a[-1] and len(toks) >= 2:
        return 0.85 if toks[0][:1] == a[0][:1] else 0.6
    return 0.5 * len(common) / max(len(sa), len(st)) + 0.2


_F_BAD_WORDS: frozenset[str] = frozenset()


def _bad_words() -> frozenset[str]:
    global _F_BAD_WORDS
    if not _F_BAD_WORDS:
        _F_BAD_WORDS = frozenset(fold(w) for w in (*TITLE_WORDS, *ORG_WORDS, *NON_NAME_WORDS,
                                                   *TITLE_MODIFIERS))
    return _F_BAD_WORDS


def looks_like_name(line: str, author_name: str | None = None,
                    author_email: str | None = None) -> float:
    """Score 0..1 for "this line is a person's name", best when it is the author's.

    Shape alone gives at most about 0.55 (two or three capitalised words, none a role,
    company or common word); overlap with the sender's display name or email local part
    adds up to 0.45.
    """
    if not isinstance(line, str) or not line.strip():
        return 0.0
    raw = line.strip()
    low = raw.casefold().strip(" ,.!:;-")
    if low in SIGNOFFS:
        return 0.0
    cleaned = clean_person_name(raw)
    if cleaned is None:
        return 0.0
    words = cleaned.split()
    toks = name_tokens(cleaned)
    if not toks:
        return 0.0
    folded = [fold(w).strip(".") for w in words]
    bad_words = _bad_words()
    bad = sum(1 for w in folded if w in bad_words or w.replace(".", "") in COMPANY_SUFFIXES_FOLDED)
    if bad:
        shape = 0.05 if bad < len(words) else 0.0
    else:
        caps = sum(1 for w in words if w[:1].isupper() or w.casefold() in NAME_PARTICLES)
        cap_ratio = caps / len(words)
        n = len(toks)
        shape = {1: 0.2, 2: 0.5, 3: 0.5, 4: 0.35}.get(n, 0.2)
        shape *= 0.4 + 0.6 * cap_ratio
        if any(len(w.strip(".")) == 1 for w in words) and n == 2 and len(words) == 2:
            shape *= 0.8  # "J. Doe"
        if any(len(w) >= 3 and w.isupper() for w in words) and not cleaned.isupper():
            shape *= 0.5  # an acronym among capitalised words: "California ISO"
        if any(f in COUNTRY_NAMES or f in US_STATE_NAMES for f in folded) \
                or fold(cleaned) in COUNTRY_NAMES or fold(cleaned) in US_STATE_NAMES:
            shape *= 0.5  # a place
    overlap = max(_display_overlap(toks, author_name), _email_overlap(toks, author_email))
    if bad and overlap < 0.9:
        overlap *= 0.3
    score = shape + 0.45 * overlap
    return max(0.0, min(1.0, round(score, 4)))
