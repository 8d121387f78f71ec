"""The rule-based segmenter: the baseline every learned segmenter has to beat.

:func:`segment` labels each line of a decoded email text with a zone kind and the
index of the message it belongs to (0 = newest, 1 = first quoted or forwarded one ...).

How it works, in two layers:

* **Splitting messages.**  The lines of one quoting level are scanned top to bottom.
  ``>``-quoted runs are stripped of one level of ``>`` and segmented recursively as the
  next message (mapping line numbers back); attribution lines (``On ... wrote:`` in a
  dozen languages, also wrapped) become the ``reply_header`` of the next message;
  Outlook/Gmail/Apple Mail/Lotus Notes header blocks become its ``reply_header`` or
  ``forward_header`` and everything after them is that message, split the same way.
* **Labelling one message.**  From the end: device footers, then disclaimers and list
  footers, then the signature (after a ``-- `` delimiter, after a sign-off line, at a
  line naming the sender, or a trailing run of signature-like lines: phones, addresses,
  URLs, titles, company suffixes, short name lines), then the sign-off; from the top,
  the greeting.  The rest is ``body``.

All regexes see at most :data:`~webleads_core.segment.cues.LINE_CAP` characters of a
line; message labelling only looks at the first and last few dozen lines of a message,
and quoting recursion stops at :data:`MAX_DEPTH`, so the run time is linear in the
number of lines.

Speed (the output is that of the plain rules, kept by ``tests/test_segment_equivalence.py``
against a snapshot and against the plain versions of the fast paths):

* the split loop asks :func:`_maybe_split`, a cheap superset test, before the
  attribution, header-block and device-footer tests; per-level ``blank`` / ``quoted``
  flags are computed once;
* ``(?i)`` cues run through :class:`~webleads_core.segment.cues.Caseless`: on ASCII text,
  a case-sensitive twin on the lower-cased line, with the same spans and much faster;
* literal and token prefilters (``_STRONG_ASCII_LITERALS``, ``_TITLE_TOKENS`` ...) skip a
  pattern on ASCII text that cannot hold a match; each is built from, or tested against,
  the pattern it stands for;
* paragraphs at the end of a message are split and classified only as far as the scan
  from the end goes; ``_prose`` and ``_signoff`` are computed once per line of a message;
  the sender's ``names`` answers are remembered (bounded) per sender.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import compress, groupby
from operator import not_
from typing import Sequence

from ..records import HeaderContact, Zone
from . import cues as C
from .quoted_headers import parse_quoted_header

_LINE_CAP = C.LINE_CAP
_DEVICE_FOOTER = C.Caseless(C.DEVICE_FOOTER)
_ADDRESS = C.Caseless(C.ADDRESS)
_DEVICE_WORDS = C.Caseless(C.DEVICE_WORDS)

# The (?i) patterns of the cues used on every line, with their fast twins for ASCII text
# (same spans: see cues.Caseless).
_DISCLAIMER_STRONG = C.Caseless(C.DISCLAIMER_STRONG)
_DISCLAIMER_WORDS = C.Caseless(C.DISCLAIMER_WORDS)
_COPYRIGHT = C.Caseless(C.COPYRIGHT)
_LIST_FOOTER = C.Caseless(C.LIST_FOOTER)
_TITLE = C.Caseless(C.TITLE)
_COMPANY = C.Caseless(C.COMPANY)
_SOCIAL = C.Caseless(C.SOCIAL)
_PHONE_LABEL = C.Caseless(C.PHONE_LABEL)
_URL = C.Caseless(C.URL)
_SIGNOFF = C.Caseless(C.SIGNOFF)
_THANKS_SENTENCE = C.Caseless(C.THANKS_SENTENCE)
_GREETING = C.Caseless(C.GREETING)
_WROTE_END = C.Caseless(C.WROTE_END)
_WROTE_ANY = C.Caseless(C.WROTE_ANY)
_ATTRIBUTION_START = C.Caseless(C.ATTRIBUTION_START)
_FORWARD_SEPARATOR = C.Caseless(C.FORWARD_SEPARATOR)
_ORIGINAL_SEPARATOR = C.Caseless(C.ORIGINAL_SEPARATOR)

#: Quote levels segmented recursively; deeper quotes are labelled ``quote``.
MAX_DEPTH = 8
#: How many non-blank lines at the end of a message the signature search looks at.
TAIL_LINES = 40
#: Longest signature block (non-blank lines) accepted without a ``-- `` delimiter.
MAX_SIG_LINES = 14
#: Longest signature block accepted after a ``-- `` delimiter.
MAX_DELIMITED_SIG_LINES = 30

Label = tuple[str, int] | None


#: ``[\s,.]+`` on a line of at most 48 characters.
_NAME_SPLIT = re.compile(r"[\s,.]{1,100}")
# For _Sender (a longer run only splits into more empty pieces, which are dropped).
_NAME_JUNK = re.compile(r"<[^<>]{0,300}>|\([^()]{0,100}\)|\[[^\[\]]{0,100}\]")
_NAME_SEPARATORS = re.compile(r"[\s,.\"'/]{1,300}")
_LOCAL_SEPARATORS = re.compile(r"[._\-+0-9]{1,100}")
_NOT_A_Z = re.compile(r"[^a-z]")
#: The characters of ``[\s,.]`` in ASCII, to drop with ``str.translate``.
_ASCII_NAME_SEPARATORS = {c: None for c in range(128) if chr(c).isspace() or chr(c) in ",."}


class _Sender:
    """Name tokens of the sender of a message, to spot a line that names them."""

    __slots__ = ("tokens", "full", "initials", "local", "_seen")

    def __init__(self, name: str | None, email: str | None) -> None:
        toks: list[str] = []
        if name:
            clean = _NAME_JUNK.sub(" ", name[:200])
            toks = [t for t in _NAME_SEPARATORS.split(C.fold(clean)) if len(t) >= 2 and "@" not in t]
        local = ""
        if email and "@" in email:
            local = C.fold(email.split("@", 1)[0])[:64]
            if not toks:
                toks = [t for t in _LOCAL_SEPARATORS.split(local) if len(t) >= 2]
        self.tokens = set(toks)
        self.full = " ".join(toks)
        self.initials = "".join(t[0] for t in toks) if len(toks) >= 2 else ""
        self.local = _NOT_A_Z.sub("", local)
        self._seen: dict[str, bool] = {}  # names() of the lines asked about

    def __bool__(self) -> bool:
        return bool(self.tokens)

    def names(self, line: str) -> bool:
        """True if ``line`` is (close to) the sender's name: full name, first or last name,
        initials, or the e-mail local part."""
        got = self._seen.get(line)
        if got is None:
            if len(self._seen) >= 512:
                self._seen.clear()
            got = self._seen[line] = self._names(line)
        return got

    def _names(self, line: str) -> bool:
        s = line.strip(" \t-–—~*_>|,")
        if not s or len(s) > 48 or "@" in s or _has_isdigit(s):
            return False
        if s.isascii():
            # folded, an ASCII line is lower-cased; each way to a yes below needs a token
            # or the initials in it, or the local part once the separators are dropped
            low = s.lower()
            if not (
                any(map(low.__contains__, self.tokens))
                or (self.initials and self.initials in low)
                or (len(self.local) >= 4 and low.translate(_ASCII_NAME_SEPARATORS) == self.local)
            ):
                return False
        words = [w for w in _NAME_SPLIT.split(C.fold(s)) if w]
        if not words or len(words) > 5:
            return False
        if len(words) == 1 and self.initials and words[0] == self.initials:
            return True
        hits = [w for w in words if w in self.tokens]
        if not hits:
            squashed = "".join(words)
            return bool(self.local) and len(squashed) >= 4 and squashed == self.local
        # every other word must be an initial or a name particle
        for w in words:
            if w in self.tokens or len(w) == 1 or w in ("van", "von", "de", "der", "da", "di", "del", "la", "le"):
                continue
            return False
        return True


# ----------------------------------------------------------------------------- line cues


def _blank(line: str) -> bool:
    # == ``not line.strip()``: str.strip and str.isspace use the same whitespace set, and
    # isspace stops at the first other character (cheap on a megabyte line)
    return not line or line.isspace()


_DATE_START = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}(?:\s|$)")


def _digits(s: str) -> int:
    return sum(ch.isdigit() for ch in s)


def _has_phone(s: str) -> bool:
    if _DIGIT.search(s) is None:
        return False  # every PHONE match has digits
    for m in C.PHONE.finditer(s):
        g = m.group().strip()
        d = _digits(g)
        if 7 <= d <= 16:
            # dates like 12/07/2000 (10:45) are not phones
            if _DATE_START.match(g):
                continue
            return True
    return False


def _name_like(s: str) -> bool:
    """A short line of capitalised words or initials: "Jane Doe", "J. R. Smith", "JD"."""
    s = s.strip(" \t-–—~*_|,")
    if not s or len(s) > 40 or "@" in s or _has_isdigit(s):
        return False
    if s.isupper() and 2 <= len(s) <= 4 and s.isalpha():
        return True  # initials
    words = s.split()
    if not 1 <= len(words) <= 4:
        return False
    caps = 0
    for w in words:
        w = w.rstrip(",")
        if not C.NAME_TOKEN.match(w):
            return False
        if w[0].isupper():
            caps += 1
    return caps >= 1 and not C.SENTENCE_END.search(s.rstrip(".")) and not (len(words) == 1 and s.endswith("."))


def _prose(s: str) -> bool:
    """Running text rather than a signature line."""
    s = s.strip()
    words = s.split()
    n = len(words)
    alpha = lower = 0
    if n >= 5:
        # words starting with a letter, and those of them starting with a lower-case one
        firsts = "".join([w[0] for w in words])
        if firsts.isascii():  # (an ASCII lower-case character is a letter)
            alpha = sum(map(str.isalpha, firsts))
            lower = sum(map(str.islower, firsts))
        else:
            alpha = sum(1 for c in firsts if c.isalpha())
            lower = sum(1 for c in firsts if c.isalpha() and c.islower())
    if n >= 7 and alpha and lower / alpha >= 0.5:
        return True
    if len(s) > 90 and not (C.EMAIL.search(s) or _URL.search(s) or "|" in s):
        return True
    if n >= 5 and C.SENTENCE_END.search(s) and not s.endswith(":"):
        if alpha and lower / alpha >= 0.4:
            return True
    return False


# Token prefilters for the ``(?<![\w])(?:phrase|...)(?![\w])`` patterns (see
# :func:`cues.first_tokens`): an ASCII line none of whose lower-cased word runs is the
# first token of a phrase cannot match.
_TITLE_TOKENS = C.first_tokens(C.words_of(C._TITLE_WORDS))
_COMPANY_TOKENS = C.first_tokens(
    C.words_of(C.COMPANY.pattern.split("(?:", 1)[1].split(r")(?![\w])", 1)[0])
)
#: First tokens of the street words of :data:`cues.ADDRESS` (``p\.?\s?o\.?\s?box`` gives
#: "p", "po" and "pobox"); its other branches need a digit.
_ADDRESS_TOKENS = frozenset(
    """street st avenue ave boulevard blvd road rd suite ste floor fl drive dr lane ln way plaza square
    parkway pkwy p po pobox postfach straße strasse str platz weg allee gasse rue bd chemin place cedex
    calle avenida paseo via viale piazza corso laan straat plein gracht rua praça travessa""".split()
)
#: Literals one of which is in every match of :data:`cues.SOCIAL` (lower-cased, ASCII).
_SOCIAL_LITERALS = ("linkedin", "twitter", "facebook", "instagram", "xing", "github.com", "skype", "@")
_ASCII_WORD = C.ASCII_WORD
_SIGNOFF_TOKENS = C.first_tokens(C.words_of(C._SIGNOFF_WORDS))


def _strength(s: str, sender: _Sender | None) -> int:
    """How much a line looks like part of a signature: 2 strong, 1 weak, 0 none."""
    # every match of EMAIL has an "@", of PHONE, EXTENSION a digit, of PHONE_LABEL a digit,
    # "+" or "("; of URL a "." or ":"
    digit = _DIGIT.search(s) is not None
    if (
        ("@" in s and C.EMAIL.search(s))
        or (digit and _has_phone(s))
        or ((digit or "+" in s or "(" in s) and _PHONE_LABEL.search(s))
        or (digit and C.EXTENSION.match(s))
    ):
        return 2
    if ("." in s or ":" in s) and _URL.search(s):
        return 2
    if s.isascii():
        low = s.lower()
        toks = set(_ASCII_WORD.findall(low))
        if any(map(low.__contains__, _SOCIAL_LITERALS)) and _SOCIAL.search(s, low):
            return 2
        if (digit or not toks.isdisjoint(_ADDRESS_TOKENS)) and _ADDRESS.search(s, low):
            return 2
        short = len(s.strip()) <= 60
        if short and (
            (not toks.isdisjoint(_TITLE_TOKENS) and _TITLE.search(s, low))
            or (not toks.isdisjoint(_COMPANY_TOKENS) and _COMPANY.search(s, low))
        ):
            return 2
    else:
        if _SOCIAL.search(s) or C.ADDRESS.search(s):
            return 2
        short = len(s.strip()) <= 60
        if short and (_TITLE.search(s) or _COMPANY.search(s)):
            return 2
    if sender and sender.names(s):
        return 2
    if _name_like(s):
        return 1
    return 0


def _signoff(s: str) -> bool:
    """A sign-off line: a closing phrase, optionally followed by a short name."""
    s = s[:_LINE_CAP].strip()
    if len(s) > 60:
        return False
    low = None
    if s.isascii():
        # the phrase starts the first run of word characters (only dashes, tildes and
        # spaces may come before it): that run must be the first token of a phrase
        low = s.lower()
        w = _ASCII_WORD.search(low)
        if w is None or w.group() not in _SIGNOFF_TOKENS:
            return False
    m = _SIGNOFF.match(s, low)
    if not m:
        return False
    rest = s[m.end():].strip(" \t,.!:;-–—~)(")
    if not rest:
        return True
    if _digits(rest):
        return False
    # "Best regards, Jane Doe", "Thanks - Bob", "Regards Jane"
    words = rest.split()
    return len(words) <= 4 and all(C.NAME_TOKEN.match(w.strip(",.")) for w in words)


def _thanks_sentence(s: str) -> bool:
    """ "Thanks for your help!" : a short closing sentence (ends with . ! or ,)."""
    s = s[:_LINE_CAP].strip()
    return len(s) <= 60 and s.endswith((".", "!", ",")) and bool(_THANKS_SENTENCE.match(s)) and "?" not in s


def _greeting(s: str) -> bool:
    s = s[:_LINE_CAP].strip()
    if not s or len(s) > 70 or "?" in s or _signoff(s):
        return False
    m = _GREETING.match(s)
    if m:
        words = s.split()
        if s.endswith((",", ":", "!")) or len(words) <= 4:
            # "Hello, I am writing to ..." is a sentence, not a greeting
            return not (len(words) > 4 and "," in s[:-1])
        return False
    return bool(C.NAME_GREETING.match(s))


_DEVICE_FIRST = frozenset(
    """sent get envoyé envoye obtenir télécharger von gesendet outlook enviado obtener obter inviato
    scarica verzonden verstuurd skickat sendt lähetetty wysłane отправлено""".split()
)


_DEVICE_FIRST_CHARS = frozenset(w[0] for w in _DEVICE_FIRST)


def _device(s: str) -> bool:
    c = s[:1]
    if c and not c.isspace() and c.lower()[:1] not in _DEVICE_FIRST_CHARS:
        return False  # (the same test as below, before stripping)
    s = s[:_LINE_CAP].strip()
    # (the lower-cased first word starts with the lower-cased first character)
    if not s or s[0].lower()[:1] not in _DEVICE_FIRST_CHARS:
        return False
    if len(s) > 100 or s[:14].split(" ", 1)[0].lower() not in _DEVICE_FIRST:
        return False
    low = s.lower() if s.isascii() else None
    return bool(_DEVICE_FOOTER.match(s, low)) and bool(_DEVICE_WORDS.search(s, low))


def _boilerplate(lines: Sequence[str], para: list[int]) -> str | None:
    texts = [lines[i][:_LINE_CAP] for i in para]
    if all(_device(t) for t in texts):
        return "device_footer"
    if all(C.ATTACHMENT.match(t) for t in texts):
        return "attachment"
    # the paragraph joined once for both the disclaimer and the list-footer tests
    text = " ".join(x[:_LINE_CAP].strip() for x in texts[:40])
    low = text.lower()
    if (
        _disclaimer_text(text, low, len(texts))
        or _list_footer_para(texts, text, low)
        or all(C.FRAME_LINE.match(t) for t in texts)
    ):
        return "disclaimer"
    return None


_DISCLAIMER_HINTS = (
    # the most frequent first, so that any() stops early
    "email", "message", "e-mail", "do not", "error", "company", "iva", "copyright", "rights reserved",
    "confiden", "intended", "privileg", "recipient", "prohibit", "unauthori", "disclaim", "virus",
    "dissemin", "vertraulich", "empfänger", "destinat", "riservat", "vertrouwelijk", "geadresseerde",
    "environment", "registered", "diese", "mensaje", "messaggio", "bericht", "mensagem", "handelsregister",
    "amtsgericht", "geschäftsführer", "siège", "registro", "irrtümlich", "unbefugt", "weitergabe", "courriel",
    "reçu", "interdit", "prohibid", "sigilo", "legally", "notify", "delete", "attachment", "disclos", "distribut",
    "(c)", "©", "sender",
)

# Literal prefilters for case-insensitive patterns.  On an ASCII text, a pattern written
# with ``(?i)`` matches a lower-case literal exactly where the lower-cased text contains it
# (the extra case-insensitive matches of the ``re`` module, such as ``ı`` for ``i`` or
# ``ſ`` for ``s``, are not ASCII), so when none of the literals that a pattern cannot
# match without occurs in the lower-cased text, the pattern cannot match; on other texts
# the pattern is always run.

#: One of these occurs wherever :data:`cues.DISCLAIMER_STRONG` matches in ASCII text (its
#: branches, shortened to what they share: "confiden" for confidential, confidentiel and
#: confidencial ...; the branches with non-ASCII letters left out).
_STRONG_ASCII_LITERALS = (
    "confiden", "intended ", "named addressee", "privileged", "in error", "prohibi", "unauthori", "disclaimer",
    "legally", "virus", "vertraulich", "unbefugt", "destinat", "strictement interdit", "riservat",
    "vertrouwelijk", "geadresseerde", "sigilo", "registered ", "company ", "handelsregister", "amtsgericht",
    "sitz der gesellschaft", "registro mercantil", "consider the environment",
)
#: ... where :data:`cues.COPYRIGHT` matches.
_COPYRIGHT_LITERALS = ("copyright", "all rights reserved", "(c)")
#: ... where :data:`cues.LIST_FOOTER` matches.
#: ("unsubscribe" stands for "to unsubscribe", "unsubscribe from this", "list-unsubscribe"
#: and a ".../unsubscribe" link.)
_LIST_FOOTER_LITERALS = (
    "mailing list", "unsubscribe", "you are receiving this", "you received this message because",
    "reply to this email directly", "view it on github", "/mailman/listinfo", "/options",
    "for more options, visit", "manage your subscription",
)


def _may_match(text: str, low: str, literals: tuple[str, ...]) -> bool:
    """False only if a ``(?i)`` pattern needing one of ``literals`` cannot match ``text``."""
    return not text.isascii() or any(map(low.__contains__, literals))


def _maybe_disclaimer(text: str) -> bool:
    low = text.lower()
    return any(map(low.__contains__, _DISCLAIMER_HINTS))


def _disclaimer_para(lines: Sequence[str]) -> bool:
    text = " ".join(x[:_LINE_CAP].strip() for x in lines[:40])
    return _disclaimer_text(text, text.lower(), len(lines))


def _disclaimer_text(text: str, low: str, nlines: int) -> bool:
    """:func:`_disclaimer_para` of a paragraph of ``nlines`` lines joined as ``text``
    (``low`` is ``text.lower()``)."""
    ascii = text.isascii()
    if ascii and not (
        (nlines <= 3 and any(map(low.__contains__, _COPYRIGHT_LITERALS)))
        or (len(text) < 50 and "environment" in low and "print" in low)
        or (len(text) >= 50 and any(map(low.__contains__, _STRONG_ASCII_LITERALS)))
    ):
        return False  # none of the three ways to a disclaimer below is open
    if not any(map(low.__contains__, _DISCLAIMER_HINTS)):
        return False
    if nlines <= 3 and (not ascii or any(map(low.__contains__, _COPYRIGHT_LITERALS))) and _COPYRIGHT.search(text, low):
        return True
    if len(text) < 50:
        return "environment" in low and "print" in low
    if not _DISCLAIMER_STRONG.search(text, low):
        return False  # (on ASCII text, a strong literal was seen above)
    # only "none", "one" or "two or more" matters: the first two of ``findall``
    hits = 0
    for _ in _DISCLAIMER_WORDS.finditer(text, low):
        hits += 1
        if hits >= 2:
            break
    if not hits:
        return False
    long = len(text) >= 120
    return (hits >= 2 and len(text) >= 60) or (hits >= 1 and long) or "environment" in low


def _list_footer_para(lines: Sequence[str], text: str | None = None, low: str | None = None) -> bool:
    """A list or notification footer among the first 12 lines; ``text`` (with ``low``) is
    the paragraph joined as by :func:`_disclaimer_para`, to skip the search when no line
    can match."""
    if text is not None and low is not None and not _may_match(text, low, _LIST_FOOTER_LITERALS):
        return False
    for x in lines[:12]:
        t = x[:_LINE_CAP].strip()
        tl = t.lower()
        if _may_match(t, tl, _LIST_FOOTER_LITERALS) and _LIST_FOOTER.search(t, tl):
            return True
    return False


# ----------------------------------------------------------------------------- one message


def _label_message(
    lines: Sequence[str], sender: _Sender | None, blank: Sequence[bool] | None = None
) -> list[str | None]:
    """Kinds for the lines of one message (None for blank lines); ``blank`` tells which
    lines are blank when the caller knows it already."""
    n = len(lines)
    if blank is None:
        blank = [_blank(x) for x in lines]
    kinds: list[str | None] = [None if b else "body" for b in blank]
    nb = list(compress(range(n), map(not_, blank)))
    if not nb:
        return kinds

    # ---- tail: device footers, disclaimers, list footers (paragraph by paragraph, from the end)
    tail_nb = nb[-TAIL_LINES * 2:]
    # the paragraphs of the tail (runs of consecutive lines), from the last one up, split
    # off when the scan below reaches them; and their kinds, computed then too
    paras: list[list[int]] = []  # paras[q]: the q-th paragraph from the end
    boiler: list[str | None | bool] = []
    unsplit = len(tail_nb)  # tail_nb[:unsplit] is not split yet

    def para_at(q: int) -> list[int] | None:
        nonlocal unsplit
        while len(paras) <= q and unsplit > 0:
            start = unsplit - 1
            while start > 0 and tail_nb[start - 1] == tail_nb[start] - 1:
                start -= 1
            paras.append(tail_nb[start:unsplit])
            boiler.append(False)
            unsplit = start
        return paras[q] if q < len(paras) else None

    def boiler_of(q: int) -> str | None:
        got = boiler[q]
        if got is False:
            got = boiler[q] = _boilerplate(lines, paras[q])
        return got  # type: ignore[return-value]

    content_end = n  # first line index of the trailing boilerplate
    q = 0
    while (para := para_at(q)) is not None:
        texts = [lines[i] for i in para]
        kind = boiler_of(q)
        if kind == "device_footer":
            for i in para:
                kinds[i] = "device_footer"
        elif kind == "attachment":
            pass  # attachment markers stay body, after the signature
        elif kind == "disclaimer":
            for i in para:
                kinds[i] = "disclaimer"
        elif (
            len(para) <= 4
            and not any(_prose(t[:_LINE_CAP]) or C.HEADERISH.match(t[:_LINE_CAP]) for t in texts)
            and para_at(q + 1) is not None and boiler_of(q + 1) == "disclaimer"
            and any(_strength(t[:_LINE_CAP], sender) == 2 for t in texts)
        ):
            for i in para:
                kinds[i] = "signature"  # company contact lines under a disclaimer
        elif _device(texts[-1]) and len(para) <= 3:
            # "-- \nSent from my iPhone" : the footer line, the rest is looked at below
            kinds[para[-1]] = "device_footer"
            content_end = para[-1]
            break
        else:
            break
        content_end = para[0]
        q += 1
    # a device footer inside the last lines (e.g. "Sent from my iPhone" above a signature)
    # (the lines labelled above are all at or after content_end: the rest is still body)
    content = nb[:bisect_left(nb, content_end)]
    last6 = content[-6:]
    for i in last6:
        if _device(lines[i]):
            kinds[i] = "device_footer"
    if any(kinds[i] != "body" for i in last6):
        content = content[:-6] + [i for i in last6 if kinds[i] == "body"]
    while content and C.ATTACHMENT.match(lines[content[-1]][:_LINE_CAP]):
        content.pop()  # attachment markers stay body, after the signature
    if not content:
        return kinds

    # ---- greeting (first line only)
    first = content[0]
    greet = False
    if len(content) > 1 and _greeting(lines[first]):
        kinds[first] = "greeting"
        greet = True
    body_lines = content[1:] if greet else content
    if not body_lines:
        return kinds

    signoff_at = _signoffs(lines)
    sig_start = _find_signature(lines, body_lines, sender, _Prose(lines), signoff_at)
    if sig_start is not None:
        # a frame or rule line right above the signature opens it
        pos = bisect_left(body_lines, sig_start)
        if (
            pos > 0 and C.FRAME_LINE.match(lines[body_lines[pos - 1]][:_LINE_CAP])
            and body_lines[pos - 1] >= sig_start - 2
        ):
            sig_start = body_lines[pos - 1]
        elif pos > 1 and sender and sender.names(lines[body_lines[pos - 1]][:_LINE_CAP]):
            sig_start = body_lines[pos - 1]  # "Olivia\n\n-- \nOlivia Chen | VP Product"
        start = bisect_left(body_lines, sig_start)
        for i in body_lines[start:]:
            kinds[i] = "signature"
        # the sign-off right above the signature
        above = body_lines[:start]
        k = len(above) - 1
        while k >= 0 and k >= len(above) - 3:
            t = lines[above[k]]
            if signoff_at(above[k]) or (k == len(above) - 1 and _thanks_sentence(t) and len(above) > 1):
                kinds[above[k]] = "signoff"
                k -= 1
            else:
                break
    else:
        # no signature: a closing sign-off line can still end the message
        last = body_lines[-1]
        if len(body_lines) > 1 and signoff_at(last):
            kinds[last] = "signoff"
    return kinds


class _Prose:
    """``_prose`` of the lines of one message, each computed once (``_prose`` strips its
    argument, so the capped line and its stripped form give the same answer)."""

    __slots__ = ("lines", "seen", "fn")

    def __init__(self, lines: Sequence[str], fn=None) -> None:
        self.lines = lines
        self.seen: dict[int, bool] = {}
        self.fn = _prose if fn is None else fn

    def __call__(self, i: int) -> bool:
        got = self.seen.get(i)
        if got is None:
            got = self.seen[i] = self.fn(self.lines[i][: C.LINE_CAP])
        return got


def _signoffs(lines: Sequence[str]) -> _Prose:
    """``_signoff`` of the lines of one message, each computed once (it caps and strips
    its argument itself)."""
    return _Prose(lines, _signoff)


#: A dash-led name line starts, after at most three spaces, with one of these.
_DASH_NAME_FIRST = ("-", "~", "—", "–")


def _find_signature(
    lines: Sequence[str], idx: list[int], sender: _Sender | None, prose_at: _Prose | None = None,
    signoff_at: _Prose | None = None,
) -> int | None:
    """Line index where the signature starts among the non-blank lines ``idx``, or None."""
    if prose_at is None:
        prose_at = _Prose(lines)
    if signoff_at is None:
        signoff_at = _signoffs(lines)
    tail = idx[-TAIL_LINES:]
    m = len(tail)

    # 1. an explicit delimiter ("-- ") near the end (a SIG_DELIMITER line has at most 9
    #    characters: it is anchored at both ends)
    for k in range(m - 1, -1, -1):
        t = lines[tail[k]]
        if len(t) <= 9 and C.SIG_DELIMITER.match(t):
            after = tail[k + 1:]
            if not after:
                break
            if len(after) <= MAX_DELIMITED_SIG_LINES and tail[k] != idx[0]:
                prose = sum(1 for i in after if prose_at(i))
                if prose <= max(1, len(after) // 3):
                    return tail[k]
            break
        if m - k > MAX_DELIMITED_SIG_LINES:
            break

    # 2. a sign-off line followed by a short signature-like block
    for k in range(m - 1, max(-1, m - MAX_SIG_LINES - 2), -1):
        i = tail[k]
        t = lines[i][:_LINE_CAP]
        # a line longer than 60 characters with no blank at either end is neither
        if len(t) > 60 and not t[0].isspace() and not t[-1].isspace():
            continue
        is_off = signoff_at(i) or (k >= m - 4 and k < m - 1 and _thanks_sentence(t))
        if not is_off:
            continue
        after = tail[k + 1:]
        if not after:
            return None  # sign-off is the last line: no signature
        if _sig_block_ok(lines, after, sender, after_signoff=True, prose_at=prose_at):
            return after[0]
        break

    # 3. a dash-led name ("-Abhishek Kona") or the sender's name near the end
    for k in range(m - 1, max(-1, m - MAX_SIG_LINES - 1), -1):
        i = tail[k]
        t = lines[i][:_LINE_CAP]
        if (t.lstrip()[:1] in _DASH_NAME_FIRST and C.DASH_NAME.match(t)) or (sender and sender.names(t)):
            after = tail[k + 1:]
            if i == idx[0] and not after:
                break  # the whole message is one name
            if not after or _sig_block_ok(lines, after, sender, after_signoff=True, prose_at=prose_at):
                return i
        if i == idx[0]:
            break
        if prose_at(i):
            break

    # 4. a trailing run of signature-like lines
    return _trailing_block(lines, idx, sender, prose_at)


def _sig_block_ok(
    lines: Sequence[str], block: list[int], sender: _Sender | None, *, after_signoff: bool,
    prose_at: _Prose | None = None,
) -> bool:
    if len(block) > MAX_SIG_LINES:
        return False
    if prose_at is None:
        prose_at = _Prose(lines)
    prose = 0
    for i in block:
        if prose_at(i):
            prose += 1
    if prose == 0:
        return True
    # a long line or two (an address, a slogan) is fine in a longer block with strong cues
    strong = sum(1 for i in block if _strength(lines[i][:_LINE_CAP], sender) == 2)
    return prose == 1 and strong >= 2 and after_signoff


def _trailing_block(
    lines: Sequence[str], idx: list[int], sender: _Sender | None, prose_at: _Prose | None = None
) -> int | None:
    if len(idx) < 2:
        return None
    if prose_at is None:
        prose_at = _Prose(lines)
    block: list[int] = []
    strengths: list[int] = []
    prev = None
    for i in reversed(idx):
        t = lines[i][:_LINE_CAP].strip()
        if prose_at(i) or len(t) > 100:
            break
        if prev is not None and prev - i > 3:
            break  # a wide gap: the signature does not reach further up
        if len(block) >= MAX_SIG_LINES:
            return None  # too long for a signature
        if C.SENTENCE_END.search(t) and not C.EMAIL.search(t) and not _URL.search(t):
            st = _strength(t, sender)
            if st < 2 and not _name_like(t):
                break  # "Let me know." : a short body sentence
        else:
            st = _strength(t, sender)
        block.append(i)
        strengths.append(st)
        prev = i
    if not block:
        return None
    block.reverse()
    strengths.reverse()
    # drop weak lines at the top of the block until a name or a strong line
    while block and strengths[0] == 0:
        block.pop(0)
        strengths.pop(0)
    if not block:
        return None
    strong = sum(1 for s in strengths if s == 2)
    names = sum(1 for s in strengths if s >= 1)
    first = lines[block[0]][:_LINE_CAP]
    first_is_name = _name_like(first) or bool(sender and sender.names(first))
    texts = [lines[i][:_LINE_CAP] for i in block]
    if any(C.HEADERISH.match(t) for t in texts):
        return None
    if sum(1 for t in texts if C.FORM_LINE.match(t)) >= 2:
        return None  # "Request ID    : 123" : an automated form
    if sum(1 for t in texts if _has_phone(t)) > 5:
        return None  # a phone directory, not one person's signature
    if block[0] == idx[0] and not (strong >= 3 and first_is_name):
        return None  # nothing but the block: only a clear signature counts
    if strong >= 2 and (first_is_name or strong >= 3 or len(block) <= 4):
        return block[0]
    if strong >= 1 and first_is_name and len(block) >= 2:
        return block[0]
    if sender and sender.names(first) and len(block) <= 4 and names == len(block):
        return block[0]
    return None


# ----------------------------------------------------------------------------- message split


def _is_quoted(line: str) -> bool:
    return bool(C.QUOTED.match(line[:8])) and not _groupwise_here(line)


#: A date-like number: ``\d{1,4}[:./-]\d{1,2}|\d{4}`` found wherever this is found,
#: written to start with ``\d`` so that ``search`` skips to the digits.
_DATEY = re.compile(r"\d(?:[:./-]\d|\d\d\d)")
#: The same on ASCII text, where ``\d`` is ``[0-9]`` (a range is quicker to test).
_DATEY_ASCII = re.compile(r"[0-9](?:[:./-][0-9]|[0-9][0-9][0-9])")


def _attribution(lines: Sequence[str], j: int) -> int:
    """Number of lines (1-3) of an attribution starting at ``j``, or 0."""
    first = lines[j][:_LINE_CAP].strip()
    if not first or _is_quoted(lines[j]) or len(first) > 280:
        return 0
    starts = bool(_ATTRIBUTION_START.match(first))
    datey = starts or bool((_DATEY_ASCII if first.isascii() else _DATEY).search(first[:100]))
    if not datey and not first.endswith((":", "：")):
        return 0
    if not starts and not first.endswith((":", "：")):
        # without an opener, the joined text must end with a colon: one of the (at most
        # two) next lines then does
        for x in (1, 2):
            if j + x < len(lines) and lines[j + x][:_LINE_CAP].strip().endswith((":", "：")):
                break
        else:
            return 0
    joined = first
    for k in range(3):
        if k:
            if j + k >= len(lines) or not datey:
                break
            nxt = lines[j + k][:_LINE_CAP].strip()
            if not nxt or len(nxt) > 200:
                break
            if _is_quoted(lines[j + k]) and not (joined.count("<") > joined.count(">") and nxt.startswith(">")):
                break
            if C.SENTENCE_END.search(joined) and not joined.endswith(":"):
                break
            joined = joined + " " + nxt
        if _attribution_text(joined, starts, datey):
            return k + 1
    return 0


def _attribution_text(t: str, starts: bool, datey: bool) -> bool:
    if len(t) > 600:
        return False
    colon = t.endswith((":", "："))
    if not colon and not starts:
        return False  # whatever the verb: both answers below need a colon or an opener
    if _WROTE_END.search(t[-60:]):
        # "... wrote:" ; without a colon only when it opens like an attribution
        return colon or starts
    if not colon:
        return False
    if datey and _WROTE_ANY.search(t):
        return True  # "Am 25.11.2025 um 15:00 schrieb Max <max@x.de>:"
    if "@" in t and C.ATTRIBUTION_EMAIL_COLON.search(t[-400:]) and not t.lower().startswith(("from", "to", "cc")):
        return True  # "ср, 30 апр. 2025 г. в 15:19, John Doe <doe@example.com>:"
    return False


_AMBIGUOUS_LABELS = frozenset({"a", "da", "de", "an", "do", "para", "data", "till", "til", "van", "od"})


def _field_of(line: str) -> tuple[str, str] | None:
    found = C.header_field_match(line)
    if found is None:
        return None
    f, m = found
    label = m.group("label").strip().lower()
    if label in _AMBIGUOUS_LABELS:
        value = f[1].strip()
        if not ("@" in value or len(value) <= 60):
            return None
    return f


_SEPARATOR_START = ("begin", "début", "debut", "anfang", "inicio", "comienzo", "inizio", "início")


def _maybe_header_start(t: str) -> bool:
    """Cheap test before the header-block regexes."""
    s = t.lstrip(" \t")
    if not s:
        return False
    if s[0] in "-=_*" or ":" in s[:80] or "：" in s[:80] or s[0] == ">" and _groupwise_here(t):
        return True
    if s[:8].lower().startswith(_SEPARATOR_START):
        return True
    return "/" in s and _has_isdigit(s)


def _has_isdigit(s: str) -> bool:
    """``any(ch.isdigit() for ch in s)``; on ASCII text ``isdigit`` is ``\\d``."""
    if s.isascii():
        return _DIGIT.search(s) is not None
    return any(ch.isdigit() for ch in s)


_RULE_FIRST = ("-", "=", "_", "*")


def _first_words(alternation: str) -> tuple[str, ...]:
    """The first word (up to a blank) of each phrase of an alternation, lower-cased: one
    of them is in any ASCII text the alternation matches with ``(?i)``."""
    return tuple(sorted({w.split(" ", 1)[0].lower() for w in C.words_of(alternation) if w.isascii()}))


_FORWARD_FIRST_WORDS = _first_words(C._FORWARD_WORDS)
_FORWARD_START_FIRST_WORDS = _first_words(C._FORWARD_START_WORDS)
_ORIGINAL_FIRST_WORDS = _first_words(C._ORIGINAL_WORDS)
#: What every Lotus Notes date in a header line contains (``12/07/2000``).
_NOTES_DATE = re.compile(r"\d/\d{1,2}/\d")
#: ``"Doe, Jane" <jane@x.com> on 04/19/2001`` (the time follows on the next line).
_NOTES_ON_DATE_END = re.compile(r"\son\s\d{1,2}/\d{1,2}/\d{2,4}\s{0,3}$")
#: ... that next line: ``09:01:03 PM``.
_NOTES_TIME_START = re.compile(r"^\s{0,10}\d{1,2}:\d{2}")


def _header_block(
    lines: Sequence[str], j: int, memo: dict[int, tuple[str, str] | None] | None = None
) -> tuple[int, str, bool] | None:
    """If a quoted header block starts at ``j``: ``(end, kind, by_field)``, kind being
    ``reply_header`` or ``forward_header`` and ``by_field`` telling that the block opens
    with a header field rather than a separator line.  ``memo`` caches field lookups
    across calls on the same lines."""
    t = lines[j][:_LINE_CAP]
    if not _maybe_header_start(t):
        return None
    if t.lstrip(" \t")[:1] == ">" and _groupwise_here(t):
        return j + 1, "reply_header", False  # the one line is the whole header
    n = len(lines)
    if memo is None:
        memo = {}

    def _field(k: int) -> tuple[str, str] | None:
        if k not in memo:
            memo[k] = _field_of(lines[k][:_LINE_CAP])
        return memo[k]

    fields: set[str] = set()
    last_field: str | None = None
    # the three Lotus Notes forms below need a date "12/07/2000"
    notesy = "/" in t and _NOTES_DATE.search(t) is not None
    # the separators and rules start (after blanks) with one of "-=_*" ...
    c0 = t.lstrip()[:1]
    ruled = c0 in _RULE_FIRST
    low = t.lower() if t.isascii() else None
    # a bare rule ("-----", "-- ") has no phrase
    worded = not ruled or bool(t.strip().strip("-=_*"))
    if ruled:
        # ... and then, on an ASCII line, the first word of one of their phrases follows
        forward = worded and (low is None or any(map(low.__contains__, _FORWARD_FIRST_WORDS)))
    else:
        # ... or FORWARD_SEPARATOR's other branch opens the line ("Begin forwarded message:")
        forward = low is None or low.lstrip().startswith(_FORWARD_START_FIRST_WORDS)
    if forward and _FORWARD_SEPARATOR.match(t, low):
        kind = "forward_header"
    elif (
        c0 == "-" and worded and C.FORWARD_BY_START.match(t) and j + 1 < n
        and C.FORWARD_BY_END.match(lines[j + 1][:_LINE_CAP])
    ):
        kind = "forward_header"
        j += 1  # the separator is wrapped over two lines
    elif (
        notesy and len(t.strip()) < 200 and j + 1 < n and "@" in t and _NOTES_ON_DATE_END.search(t)
        and _NOTES_TIME_START.match(lines[j + 1][:_LINE_CAP])
    ):
        kind = "notes"
        j += 1  # '"Doe, Jane" <jane@x.com> on 04/19/2001\n09:01:03 PM
    elif (
        ruled and worded and (low is None or any(map(low.__contains__, _ORIGINAL_FIRST_WORDS)))
        and _ORIGINAL_SEPARATOR.match(t, low)
    ):
        kind = "reply_header"
    elif ruled and C.RULE_LINE.match(t):
        kind = "rule"
    elif notesy and len(t.strip()) < 200 and (
        C.NOTES_FROM_ON.search(t.rstrip()) or C.NOTES_NAME_DATE.match(t.rstrip())
    ):
        kind = "notes"
    else:
        f = _field(j)
        if f is None or f[0] not in ("from", "to", "date"):
            return None
        kind = "fields"
        fields.add(f[0])
        last_field = f[0]
    end = j + 1
    k = j + 1
    gap = 0
    limit = min(n, j + 40)
    while k < limit:
        s = lines[k][:_LINE_CAP]
        if _is_quoted(lines[k]):
            break
        f = _field(k)
        if f is not None:
            if f[0] != "other":
                fields.add(f[0])
            last_field = f[0]
            end = k + 1
            gap = 0
            k += 1
            continue
        if not s.strip():
            gap += 1
            if gap > 3 or ("subject" in fields and len(fields) >= 2):
                break
            k += 1
            continue
        if last_field in ("to", "cc") and gap == 0 and (
            lines[k - 1][:_LINE_CAP].rstrip().endswith((",", ";")) or "@" in s or "/" in s
        ):
            end = k + 1  # a wrapped To:/Cc: line
            k += 1
            continue
        if not fields and k - j <= 4 and kind in ("reply_header", "forward_header") and (
            C.DATE_TIME_LINE.match(s) or C.EMAIL.search(s) or len(s.strip()) <= 60
        ):
            end = k + 1  # Lotus Notes "sender / date" lines under a separator
            k += 1
            continue
        break
    if kind == "fields":
        if len(fields) < 2:
            return None
        if "from" in fields or {"to", "subject"} <= fields and ("cc" in fields or "date" in fields):
            return end, "reply_header", True
        return None
    if kind == "rule":
        if len(fields) >= 2 and fields & {"from", "to"}:
            return end, "reply_header", False
        return None
    if kind == "notes":
        return (end, "reply_header", False) if len(fields) >= 2 else None
    if fields:
        return end, kind, False
    return j + 1, kind, False


def _notes_header_above(lines: Sequence[str], j: int, floor: int) -> int:
    """A Lotus Notes block ``Name\\n date time\\n To: ...`` starts above its To: line."""
    k = j - 1
    top = j
    seen_date = False
    while k >= floor and j - k <= 5:
        s = lines[k][:_LINE_CAP].strip()
        if not s:
            k -= 1
            continue
        if C.DATE_TIME_LINE.match(s):
            seen_date = True
            top = k
        elif len(s) <= 80 and not _prose(s) and (seen_date or C.EMAIL.search(s)):
            top = k
            if seen_date:
                break
        else:
            break
        k -= 1
    return top if seen_date else j


def _strip_quote(lines: Sequence[str], quoted: Sequence[bool] | None = None) -> list[str]:
    """The lines without one level of ``>`` (``quoted`` tells which lines have it)."""
    if quoted is None:
        out = []
        for line in lines:
            m = C.QUOTE_PREFIX.match(line[:8])
            out.append(line[m.end():] if m else line)
        return out
    out = []
    for line, q in zip(lines, quoted):
        if q:  # QUOTE_PREFIX: up to three spaces, ">" and one space
            k = line.index(">") + 1
            if line[k:k + 1] == " ":
                k += 1
            line = line[k:]
        out.append(line)
    return out


def _quoted_flags(lines: Sequence[str]) -> list[bool]:
    """``_is_quoted`` of every line: ``QUOTED`` is ``^ {0,3}>``, a GroupWise attribution
    at this level excepted."""
    return [(x[0] == ">" or x[0] == " " and x[:4].lstrip(" ")[:1] == ">") and not _groupwise_here(x) if x else False
            for x in lines]


def _groupwise_here(line: str) -> bool:
    """A GroupWise attribution (``>>> Name 01/02/01 11:12AM >>>``) at this quote level:
    it opens the message below it, which GroupWise does not quote."""
    if not line.endswith(">>>", 0, len(line.rstrip())):
        return False
    g = C.groupwise_attribution(line)
    return g is not None and g[1] == 0


#: The start of a line that may open an attribution, a quoted header block or a device
#: footer: leading ``-=_*`` (separators, rules), separator words ("Begin forwarded
#: message"), attribution openers ("On ...", :data:`cues.ATTRIBUTION_START`) and the first
#: words of :data:`cues.DEVICE_FOOTER` ("Sent ...").  Same flags as those patterns, so a
#: line they match is matched here too.
_SPLIT_START = re.compile(
    r"(?i)^\s{0,300}(?:[-=_*]"
    r"|(?:on|le|am|el|il giorno|il|op|em|den|w dniu|dnia|dne|kello|päivänä|в)\s"
    r"|begin|début|debut|anfang|inicio|comienzo|inizio|início"
    r"|sent|get|envoyé|envoye|obtenir|télécharger|von|gesendet|outlook|enviado|obtener|obter|inviato"
    r"|scarica|verzonden|verstuurd|skickat|sendt|lähetetty|wysłane|отправлено)"
)
_SPLIT_START_CI = C.Caseless(_SPLIT_START)
_DIGIT = re.compile(r"\d")
#: The first two letters of the words of :data:`_SPLIT_START` (lower-case ASCII; an opener
#: followed by a blank, "w dniu", is let through by the blank, non-ASCII ones always).
_SPLIT_PREFIXES = frozenset(
    "on le am el il op em de dn ke be an in co se ge en ob vo ou sc ve sk wy".split()
)
#: Where :data:`_SPLIT_START` may match: after the blanks, one of "-=_*", a non-ASCII
#: character or a blank among the first two, or the two letters of :data:`_SPLIT_PREFIXES`
#: in any case (the letters that match an ASCII one under ``(?i)`` are not ASCII).
_SPLIT_GATE = re.compile(
    r"^\s{0,300}(?:[-=_*]|[^\x00-\x7f]|.[^\x00-\x7f]|.\s|"
    + "|".join(f"[{p[0]}{p[0].upper()}][{p[1]}{p[1].upper()}]" for p in sorted(_SPLIT_PREFIXES))
    + ")"
)


def _maybe_split(cap: str) -> bool:
    """A cheap superset test on a capped, non-blank, unquoted line: False only if
    ``_attribution``, ``_header_block`` and ``_device`` are all false at this line.

    * ``_attribution`` needs an opener word, a date-like number (:data:`_DATEY`) or a
      final colon;
    * ``_header_block`` needs a separator or rule (leading ``-=_*`` or separator words), a
      header field label, or a Lotus Notes date ("name on 12/07/2000": date-like);
    * ``_device`` needs the first words of :data:`cues.DEVICE_FOOTER`.
    """
    g = _SPLIT_GATE.match(cap)
    if g is not None:
        if g.group()[-1:] in _RULE_FIRST or _SPLIT_START_CI.match(cap):
            return True
    if ":" in cap or "：" in cap:
        if cap.rstrip().endswith((":", "：")) or C.header_field_match(cap) is not None:
            return True  # an attribution or a header field ("From: ...")
    # a date-like number, which every Lotus Notes date ("12/07/2000") also is
    return (_DATEY_ASCII if cap.isascii() else _DATEY).search(cap) is not None


def _segment_level(
    lines: Sequence[str],
    base: int,
    msg: int,
    depth: int,
    out: list[Label],
    sender: _Sender | None,
    fresh: bool,
    blank: list[bool] | None = None,
) -> None:
    """Label ``lines`` (one quoting level, first line at ``base`` in the full text);
    ``blank`` tells which lines are blank when the caller knows it already."""
    n = len(lines)
    if blank is None:
        blank = [not x or x.isspace() for x in lines]
    quoted = _quoted_flags(lines)
    fmemo: dict[int, tuple[str, str] | None] = {}
    own: list[int] = []
    own_nonblank = False
    attributed = False  # an attribution for msg+1 was seen at this level
    pending_sender: _Sender | None = None
    cur_sender = sender
    cap = C.LINE_CAP

    def flush() -> None:
        if own:
            first, last = own[0], own[-1]
            if last - first + 1 == len(own):  # one run of lines (the usual case)
                kinds = _label_message(lines[first:last + 1], cur_sender, blank[first:last + 1])
                # (the blank lines of the run, kind None, are still unlabelled)
                labels: dict[str | None, Label] = {k: (k, msg) for k in set(kinds) if k is not None}
                out[base + first:base + last + 1] = [labels.get(k) for k in kinds]
                return
            kinds = _label_message([lines[i] for i in own], cur_sender, [blank[i] for i in own])
            labels = {}
            for i, kind in zip(own, kinds):
                if kind is not None:
                    lab = labels.get(kind)
                    if lab is None:
                        lab = labels[kind] = (kind, msg)
                    out[base + i] = lab

    # The lines that need a look: quoted ones, and those that may open an attribution,
    # a header block or be a device footer.  The others (blank, or plain lines of this
    # message) are taken a run at a time.
    special = [q or (not b and _maybe_split(x[:cap])) for x, b, q in zip(lines, blank, quoted)]
    specials = list(compress(range(n), special))
    j = 0
    while j < n:
        if not special[j]:
            at = bisect_left(specials, j)
            k = specials[at] if at < len(specials) else n
            own.extend(range(j, k))
            if not own_nonblank and not all(blank[j:k]):
                own_nonblank = True
            j = k
            continue
        line = lines[j]
        if quoted[j]:
            r = j + 1
            last_q = j
            while r < n:
                if quoted[r]:
                    last_q = r
                elif blank[r]:
                    pass
                elif (
                    r == last_q + 1 and r + 1 < n and quoted[r + 1]
                    and not _blank(lines[last_q].lstrip(" >"))
                ):
                    pass  # a line wrapped without its ">" inside a quote
                else:
                    break
                r += 1
            r = last_q + 1
            rest_blank = all(blank[r:r + 200])
            # a quote at the top of a header-introduced message is that message's text;
            # one after an attribution (or own text) is the next message
            target = msg if (fresh and not own_nonblank and not attributed) else msg + 1
            if depth + 1 > MAX_DEPTH:
                for x in range(j, r):
                    out[base + x] = ("quote", target)
            elif target == msg or attributed or rest_blank or r >= n or _opens_with_header(lines[j:r]):
                _segment_level(_strip_quote(lines[j:r], quoted[j:r]), base + j, target, depth + 1, out,
                               cur_sender if target == msg else pending_sender, True)
            else:
                for x in range(j, r):
                    out[base + x] = ("quote", target)
            j = r
            continue
        k = _attribution(lines, j)
        if k:
            hdr = "\n".join(x[:_LINE_CAP] for x in lines[j:j + k])
            new_sender = _sender_from_header(hdr)
            for x in range(j, j + k):
                out[base + x] = ("reply_header", msg + 1)
            nxt = j + k
            while nxt < n and blank[nxt]:
                nxt += 1
            if nxt < n and quoted[nxt]:
                attributed = True
                pending_sender = new_sender
                j = j + k
                continue
            flush()
            own, own_nonblank, attributed, pending_sender = [], False, False, None
            msg += 1
            cur_sender = new_sender
            fresh = True
            j = j + k
            continue
        hb = _header_block(lines, j, fmemo)
        if hb is not None:
            end, kind, by_field = hb
            if fresh and not own_nonblank and msg > 0:
                # a header at the very top of a quoted/forwarded message is its own header
                msg -= 1
            top = j
            if by_field:
                # Lotus Notes: "Name / date" lines just above the To: line belong to the block
                top = _notes_header_above(lines, j, max(0, j - 5))
                if top < j and not set(range(top, j)) <= set(own[-6:]):
                    top = j
                if top < j:
                    own = [x for x in own if x < top]
            if by_field and top == j:
                # a short rule ("====", "-----") just above the first field
                up = j - 1
                if up >= 0 and blank[up] and up - 1 >= 0 and up in own:
                    up -= 1
                if up >= 0 and up in own[-3:] and C.SHORT_RULE.match(lines[up][:_LINE_CAP]):
                    top = up
                    own = [x for x in own if x < top]
            hdr = "\n".join(x[:_LINE_CAP] for x in lines[top:end])
            new_sender = _sender_from_header(hdr)
            flush()
            for x in range(top, end):
                out[base + x] = (kind, msg + 1)
            own, own_nonblank, attributed, pending_sender = [], False, False, None
            msg += 1
            cur_sender = new_sender
            fresh = True
            j = end
            continue
        own.append(j)
        own_nonblank = True
        j += 1
        if _device(line) and _split_after_device(lines, j, fmemo):
            # "Sent from my iPhone" then an unquoted older message without a header
            flush()
            own, own_nonblank, attributed, pending_sender = [], False, False, None
            msg += 1
            cur_sender = None
            fresh = True
    flush()


def _opens_with_header(quoted: Sequence[str]) -> bool:
    """Does a quoted run start with its own header block or attribution?"""
    head = _strip_quote(quoted[:12])
    for k, line in enumerate(head):
        if not _blank(line):
            return bool(_attribution(head, k) or _header_block(head, k))
    return False


def _split_after_device(lines: Sequence[str], j: int, memo: dict[int, tuple[str, str] | None]) -> bool:
    """After a device footer at ``j - 1``: does an older message follow (and not the
    sender's own signature or more boilerplate)?"""
    n = len(lines)
    rest: list[str] = []
    k = j
    while k < n and len(rest) < 5:
        if not _blank(lines[k]):
            if _is_quoted(lines[k]) or (len(rest) < 3 and (_attribution(lines, k) or _header_block(lines, k, memo))):
                return False  # the ordinary split handles it
            rest.append(lines[k][:_LINE_CAP])
        k += 1
    if not rest:
        return False
    if all(_device(t) or (len(t) > 40 and _maybe_disclaimer(t) and _DISCLAIMER_WORDS.search(t)) for t in rest):
        return False
    if _greeting(rest[0]) or any(_prose(t) for t in rest):
        return True
    return len(rest) >= 5


def _sender_from_header(text: str) -> _Sender | None:
    try:
        found = parse_quoted_header(text)
    except Exception:  # pragma: no cover - a parse failure only loses a hint
        return None
    for name, email, header in found:
        if header == "from":
            s = _Sender(name, email)
            return s if s else None
    return None


def segment(text: str, sender: HeaderContact | None = None) -> tuple[Zone, ...]:
    """Split the decoded text of an email into labelled zones.

    Args:
        text: the decoded text (lines split on ``\\n``; ``\\r`` is ignored).
        sender: the From contact of the newest message, if known: a line naming them
            near the end of the message starts its signature.

    Returns:
        Zones in line order, non-overlapping; every non-blank line is in exactly one.
    """
    if not text:
        return ()
    lines = text.split("\n")
    work = [x[:-1] if x.endswith("\r") else x for x in lines] if "\r" in text else lines
    n = len(work)
    out: list[Label] = [None] * n
    blank = [not x or x.isspace() for x in work]
    snd = _Sender(sender.name, sender.email) if sender is not None else None
    _segment_level(work, 0, 0, 0, out, snd if snd else None, False, blank)

    nonblank = list(compress(range(n), map(not_, blank)))
    if None in map(out.__getitem__, nonblank):
        # outer-blank lines join a zone only between two lines of that zone; non-blank
        # lines left unlabelled (">" lines blank inside a quote) take the label of their
        # neighbours
        prev: Label = None
        for i in range(n):
            if out[i] is None and not blank[i]:
                out[i] = prev
            if out[i] is not None:
                prev = out[i]
        nxt: Label = None
        for i in range(n - 1, -1, -1):
            if out[i] is None and not blank[i]:
                out[i] = nxt
            if out[i] is not None:
                nxt = out[i]
        # every non-blank line must have a label (fallback: body of message 0)
        for i in nonblank:
            if out[i] is None:
                out[i] = ("body", 0)
    # blank lines: inside a run only (every non-blank line has a label now)
    if not nonblank:
        return ()
    if nonblank[0] > 0:
        out[:nonblank[0]] = [None] * nonblank[0]
    for a, b in [(a, b) for a, b in zip(nonblank, nonblank[1:]) if b > a + 1]:
        lab = out[a]
        out[a + 1:b] = [lab if out[b] == lab else None] * (b - a - 1)
    if nonblank[-1] + 1 < n:
        out[nonblank[-1] + 1:] = [None] * (n - nonblank[-1] - 1)

    zones: list[Zone] = []
    i = 0
    for lab, run in groupby(out):  # runs of equal labels
        k = i + len(list(run))
        if lab is not None:
            zones.append(Zone(lab[0], lab[1], i, k, "\n".join(lines[i:k])))
        i = k
    return tuple(zones)
