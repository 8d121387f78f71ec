"""Features of the lines of an email, for the ML segmenter, computed for the whole
message at once.

What the literature found matters (Carvalho and Cohen's Jangada, Repke and Krestel's
Quagga, Talon): the shape of a line and of its neighbours, its position from the end
of its message, whether it names the sender, sign-off and title vocabularies, phone,
email and URL shapes, and layout (length, indentation, blank lines around it).  On top
of those, features of the *paragraph* a line sits in (a signature is a block of short
lines at the end of a message, often opened by the sender's name, rarely holding
prose) and of the run of lines up to the next message boundary (position from its end
counts content lines only: a disclaimer or a list of attachments after a signature does
not push it away from "the end").

Why "at once": a per-line Python function with ~100 features costs tens of
microseconds per line on a slow core, and a message has ~30 non-blank lines.  Here the
work is organised by column: digit and capitalised-word counts of every line come from
one numpy pass over the code points of the message; rare cues (URLs, disclaimer and
legal-footer words, list footers) are located by one C-level substring scan of the
whole message per needle; the costly patterns of :mod:`webleads_core.segment.cues`
run only on the lines a cheap test selects (a colon early in the line for header
fields, an ``@`` for addresses, four digits for phones ...); the vocabularies are one
dict lookup per word of a short line (a word maps to the bits of every vocabulary that
holds it).  Cost: linear in the number of lines.

Every cue reuses the core's compiled patterns and vocabularies
(:mod:`webleads_core.segment.cues`, :mod:`webleads_core.text.vocab`): one definition of
"a sign-off" for the rules and the model.  Each pattern sees at most
:data:`LINE_CAP` characters of a line, so hostile input stays bounded.

:func:`message_parts` returns the per-line block (:data:`BASE_NAMES`) and the context
block (:data:`CONTEXT_NAMES`) of the non-blank lines; :func:`message_features` the
windowed matrix training uses (:data:`FEATURE_NAMES`: the line, the previous and the
next line, the context).  The model applies its weights to the two blocks directly.
"""

from __future__ import annotations

import functools
import re
from functools import reduce
from operator import or_
from bisect import bisect_right
from itertools import accumulate
from typing import Sequence

import numpy as np

from webleads_core.segment import cues as C
from webleads_core.text.vocab import (
    COMPANY_SUFFIXES_FOLDED,
    LEGAL_FOOTER_CUES,
    ORG_WORDS,
    SIGNOFFS,
    STREET_WORDS,
    TITLE_PHRASES,
    TITLE_WORDS,
)

LINE_CAP = C.LINE_CAP
#: Quote levels read from ``>`` prefixes; deeper quotes are labelled ``quote``.
MAX_DEPTH = 8
#: Lines longer than this (after stripping) are never checked against signature
#: vocabularies: a signature line is short.
SHORT = 72

_QUOTE_PREFIX = C.QUOTE_LEVELS
_DIGIT = re.compile(r"\d")
_LOTUS = re.compile(r"[A-Za-z.' -]{2,60}/[A-Z]{2,10}(?:/[A-Z]{2,10}){0,3}@[A-Z][\w-]{1,20}")
_AT_ORG = re.compile(r"^[A-Z][\w.' -]{1,60}@(?:ENRON|ECT|EES|ENRON_DEVELOPMENT)\b", re.I)
_LABEL_COLON = re.compile(r"^[A-Za-z][\w .\-/()]{0,20}:")
_STRIP = " \t,.;:!-–—~*_'\"()[]<>|"
_FROM_NAME = re.compile(r"<[^<>]{0,200}>|\[[^\[\]]{0,200}\]|\"")


def _alternatives(pattern: "re.Pattern[str]") -> list[str]:
    """The literal words of the first ``(?:a|b|c)`` group of a core pattern, unescaped:
    the vocabulary behind the regex, for set lookups (a big alternation searched on
    every line costs ~10 us; a set lookup per word costs ~50 ns)."""
    src = pattern.pattern
    start = src.index("(?:") + 3
    depth, i = 1, start
    while depth and i < len(src):
        if src[i] == "\\":
            i += 2
            continue
        depth += {"(": 1, ")": -1}.get(src[i], 0)
        i += 1
    items = src[start:i - 1].split("|")
    return [re.sub(r"\\(.)", r"\1", it.replace(r"\s{1,3}", " ")) for it in items]


def _first_words(pattern: "re.Pattern[str]") -> frozenset[str]:
    return frozenset(C.fold(w.split()[0]) for w in _alternatives(pattern) if w.split())


_TITLE_ITEMS = _alternatives(C.TITLE)
_F_TITLE_CUE = frozenset(w for w in _TITLE_ITEMS if " " not in w)
_TITLE_CUE_PHRASES = tuple(sorted({w for w in _TITLE_ITEMS if " " in w} | set(TITLE_PHRASES)))
_F_COMPANY_CUE = frozenset(w.replace(".", "") for w in _alternatives(C.COMPANY))
_F_TITLE = frozenset(TITLE_WORDS)
#: Role nouns that end compounds (``Vertriebsleiter``, ``Accountmanager``, ``Projektleiterin``).
_TITLE_ENDINGS = tuple(sorted(w for w in (_F_TITLE | _F_TITLE_CUE) if len(w) >= 5 and w.isalpha()))
_TITLE_TAILS = frozenset(w[-3:] for w in _TITLE_ENDINGS)
_F_ORG = frozenset(ORG_WORDS)
_F_SUFFIX = frozenset(s.replace(".", "") for s in COMPANY_SUFFIXES_FOLDED)
#: First words of sign-offs and greetings: the costly patterns only run on a line
#: whose first word is one of these.
_SIGNOFF_FIRST = _first_words(C.SIGNOFF) | frozenset(C.fold(s.split()[0]) for s in SIGNOFFS)
_GREETING_FIRST = _first_words(C.GREETING)
_THANKS_FIRST = frozenset({"thanks", "thank", "many", "merci", "danke", "gracias", "grazie", "obrigado",
                           "obrigada", "bedankt"})
_ATTRIBUTION_FIRST = frozenset({"on", "le", "am", "el", "il", "op", "em", "den", "w", "dnia", "dne", "kello",
                                "päivänä", "в"})
_ATTRIBUTION_PREFIXES = tuple(sorted(w + " " for w in _ATTRIBUTION_FIRST)) + tuple(sorted(w + "\t" for w in
                                                                                       _ATTRIBUTION_FIRST))
_WROTE_ENDS = ("wrote", "writes", "schrieb", "écrit", "escribió", "scritto", "schreef", "escreveu", "skrev",
               "wrote:", "writes:", "schrieb:", "écrit :", "écrit:", "escribió:", "scritto:", "schreef:",
               "escreveu:", "skrev:", "kirjoitti:", "napisał:", "написал:", "пишет:")
#: Street words (the core's, plus office words of older signatures); a line counts as
#: an address line only when it also has a digit.
_ADDRESS_KEYS = frozenset(w for w in STREET_WORDS if " " not in w) | frozenset(("room", "rm", "po", "p.o"))
_FORWARD_STARTS = ("begin forwarded", "début du message", "debut du message", "anfang der", "inicio del", "comienzo del",
                   "inizio messaggio", "begin doorgestuurd", "início da", "inicio da")
_DEVICE_STARTS = ("sent", "get ", "envoy", "obten", "télécharger", "von ", "gesendet", "outlook", "enviado",
                  "obter", "inviato", "scarica", "verzonden", "verstuurd", "skickat", "sendt", "lähetetty",
                  "wysłane", "отправлено")
_LIST_KEYS = ("unsubscri", "mailing list", "you received this")
_SOCIAL_KEYS = ("linkedin", "twitter", "facebook")
_URL_KEYS = ("http", "www.", ".com")
_PARTICLES = frozenset(("van", "von", "de", "der", "den", "da", "di", "du", "del", "la", "le", "y", "e", "bin",
                        "al", "st", "st.", "&"))

#: Names of the per-line features, in column order.
BASE_NAMES: tuple[str, ...] = (
    "len_le_20", "len_le_40", "len_le_60", "len_le_80", "len_gt_80",
    "words_1", "words_2", "words_3_4", "words_5_7", "words_8p",
    "indent", "starts_upper", "starts_digit", "starts_punct", "all_caps", "cap_ratio",
    "ends_period", "ends_comma", "ends_colon", "ends_question", "ends_bang", "ends_qp",
    "digit_ratio", "has_digit", "digits_7p",
    "email", "url", "phone", "phone_label", "social", "label_colon", "wide_gap",
    "signoff_exact", "signoff_start", "signoff_name", "thanks_sentence",
    "greeting", "name_greeting",
    "header_field", "hf_from", "hf_to", "hf_cc", "hf_date", "hf_subject",
    "original_sep", "forward_sep", "wrote_end", "attribution_start", "rule_line", "notes_from_on",
    "date_time_line", "headerish", "lotus_address",
    "title_cue", "company_cue", "address_cue", "title_word", "company_suffix", "org_word",
    "sender_line", "sender_token", "sender_first_only", "sender_domain", "name_like", "single_word",
    "disclaimer_words", "device", "list_footer", "attachment", "sig_delimiter", "dash_name",
    "frame_line", "copyright", "extension", "prose", "form_line", "table_line", "disclaimer_para", "legal_footer",
    "quoted", "depth_change", "blank_before_1", "blank_before_2p", "blank_after_1", "blank_after_2p",
    "end_0", "end_1", "end_2", "end_3_5", "end_6_9", "end_10_19", "end_20p",
    "start_0", "start_1", "start_2", "start_3_5", "start_6p", "text_position",
    "hcue",
)
_NB = len(BASE_NAMES)
_I = {n: i for i, n in enumerate(BASE_NAMES)}
#: Features of the paragraph (block of non-blank lines) and of the run up to the next
#: message boundary.
CONTEXT_NAMES: tuple[str, ...] = (
    "para_len_1", "para_len_2", "para_len_3_5", "para_len_6p",
    "para_from_end_0", "para_from_end_1", "para_from_end_2p",
    "para_first_line", "para_last_line", "para_prose_share", "para_sigcue_share", "para_short_share",
    "para_has_sender", "para_opens_with_name", "para_after_signoff", "para_has_disclaimer", "para_has_phone_or_email",
    "para_disclaimer_share",
    "sigcues_after_1_4", "prose_after", "signoff_before_1_3", "name_then_sigcue", "sigcues_before_1_3",
    "last_before_boundary", "content_after_0", "content_after_1_3",
    "signoff_before_and_more_after", "signoff_before_and_last", "name_after_signoff_then_sigcue",
)
#: All feature names: the line, then ``prev:`` and ``next:`` copies, then the context.
FEATURE_NAMES: tuple[str, ...] = (
    BASE_NAMES + tuple("prev:" + n for n in BASE_NAMES) + tuple("next:" + n for n in BASE_NAMES) + CONTEXT_NAMES
)
N_FEATURES = len(FEATURE_NAMES)
_NC = len(CONTEXT_NAMES)
_CI = {n: i for i, n in enumerate(CONTEXT_NAMES)}


@functools.lru_cache(maxsize=8192)
def _fold(word: str) -> str:
    return C.fold(word)


def _tokens(name: str) -> set[str]:
    return {t for t in re.split(r"[\s,.\"'/()<>]+", C.fold(name[:200])) if len(t) >= 2 and "@" not in t}


class Sender:
    """Name tokens of a message's sender, to spot a line that names them."""

    __slots__ = ("tokens", "first", "local", "domain")

    def __init__(self, name: str | None, email: str | None) -> None:
        toks: set[str] = set()
        first = ""
        if name:
            name = name[:200]
            if "," in name and name.count(",") == 1:  # "Doe, Jane"
                last, _, given = name.partition(",")
                name = f"{given} {last}"
            toks = _tokens(name)
            words = [w for w in re.split(r"[\s,.\"'/()<>]+", C.fold(name)) if len(w) >= 2]
            first = words[0] if words else ""
        local = ""
        domain = ""
        if email and "@" in email:
            loc, _, dom = email[:254].partition("@")
            local = C.fold(loc)[:64]
            if not toks:
                toks = {t for t in re.split(r"[._\-+0-9]+", local) if len(t) >= 2}
                parts = [t for t in re.split(r"[._\-+0-9]+", local) if len(t) >= 2]
                first = parts[0] if len(parts) >= 2 else ""
            labels = dom.lower().split(".")
            if len(labels) >= 2:
                core = labels[-3] if len(labels) >= 3 and labels[-2] in ("co", "com", "net", "org", "ac") else labels[-2]
                if len(core) >= 3 and core not in ("gmail", "yahoo", "hotmail", "aol", "outlook", "msn", "mail",
                                                   "live", "icloud", "gmx", "web", "comcast", "earthlink"):
                    domain = core
        self.tokens = frozenset(toks)
        self.first = first
        self.local = re.sub(r"[^a-z]", "", local)
        self.domain = domain

    def __bool__(self) -> bool:
        return bool(self.tokens)

    def score(self, toks: Sequence[str]) -> tuple[float, float, float]:
        """(the line is the sender's name, it holds a token of it, it is only the first name),
        from the line's lower-cased words stripped of punctuation."""
        if not self.tokens or not toks:
            return 0.0, 0.0, 0.0
        folded = toks[:8]
        if not all(t.isascii() for t in folded):
            folded = [t if t.isascii() else _fold(t) for t in folded]
        if self.tokens.isdisjoint(folded):
            if self.local and len(toks) <= 3:
                squashed = "".join(folded)
                if len(squashed) >= 4 and squashed == self.local:
                    return 1.0, 1.0, 0.0
            return 0.0, 0.0, 0.0
        if len(toks) <= 5 and all(w in self.tokens or len(w) <= 1 for w in folded):
            only_first = float(len([w for w in folded if len(w) > 1]) == 1 and folded[0] == self.first)
            return 1.0 - only_first, 1.0, only_first
        return 0.0, 1.0, 0.0


def clear_caches() -> None:
    """Empty the caches of per-line results (lines repeat across a mailbox: quoted
    headers, signatures); benchmarks empty them to time a cold start."""
    _quoted_sender.cache_clear()
    _fold.cache_clear()
    _short_row.cache_clear()


def strip_quote(line: str) -> tuple[str, int]:
    """The line without its ``>`` prefixes, and how many there were."""
    if ">" not in line[:8]:
        return line, 0
    m = _QUOTE_PREFIX.match(line[:200])
    if not m:
        return line, 0
    depth = m.group().count(">")
    if depth >= 3:
        g = C.groupwise_attribution(line)
        if g is not None:
            return g
    return line[m.end():], depth


#: The header cues of a GroupWise attribution (``_header_cues`` order): an attribution
#: that names its author, like "On ..., Name <addr> wrote:".
_GROUPWISE_CUES = (0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0)


def _groupwise_sender(s: str) -> Sender | None:
    """The author of a GroupWise attribution (its text without the arrows)."""
    addr = re.search(r"<([^<>\s@]{1,64}@[^<>\s]{1,200})>", s)
    name = re.split(r"<|\s\d{1,4}[/.-]\d", s, maxsplit=1)[0].strip(" \"'")
    snd = Sender(name if name and "@" not in name else None, addr.group(1) if addr else None)
    return snd if snd else None


_HEADERISH_FIRST = frozenset("xXmMrRcC")


def _header_cues(s: str, low: str) -> tuple[int, ...] | None:
    """Header cues of one stripped line, in :data:`BASE_NAMES` order from
    ``header_field`` to ``lotus_address``, or None when there is none.  Each core
    pattern runs only when the line's first character or punctuation allows a match."""
    hf = fr = to = cc = date = subj = orig = fwd = wrote = attr = rule = notes = dtl = hdrish = lotus = 0
    c0 = s[0]
    digit0 = c0.isdigit()
    colon = s.find(":")
    if colon < 0:
        colon = s.find("：")
    if colon >= 0:
        f = C.header_field(s) if colon <= 40 else None
        if f is not None:
            hf = 1
            k = f[0]
            fr, to, cc = int(k == "from"), int(k == "to"), int(k in ("cc", "bcc"))
            date, subj = int(k in ("date", "sent")), int(k == "subject")
        if s[-1] in ":：" and (C.WROTE_END.search(s) or (">" in s and "@" in s and C.ATTRIBUTION_EMAIL_COLON.search(s))):
            wrote = 1
        if c0 in _HEADERISH_FIRST and C.HEADERISH.match(s):
            hdrish = 1
        if digit0 and C.DATE_TIME_LINE.match(s):
            dtl = 1
    if c0 in "-=_*":
        if C.ORIGINAL_SEPARATOR.match(s):
            orig = 1
        elif C.FORWARD_SEPARATOR.match(s) or C.FORWARD_BY_START.match(s):
            fwd = 1
        elif C.RULE_LINE.match(s):
            rule = 1
    elif low.startswith(_FORWARD_STARTS) and C.FORWARD_SEPARATOR.match(s):
        fwd = 1
    if not wrote and low.endswith(_WROTE_ENDS) and C.WROTE_END.search(s):
        wrote = 1
    if low.startswith(_ATTRIBUTION_PREFIXES) and C.ATTRIBUTION_START.match(s):
        attr = 1
    if "/" in s:
        if "on" in low and C.NOTES_FROM_ON.search(s):
            notes = 1
        if "@" in s and _LOTUS.search(s):
            lotus = 1
        if not dtl and digit0 and C.DATE_TIME_LINE.match(s):
            dtl = 1
    elif "@" in s and c0.isupper() and _AT_ORG.match(s):
        lotus = 1
    if not (hf or wrote or hdrish or dtl or orig or fwd or rule or attr or notes or lotus):
        return None
    return (hf, fr, to, cc, date, subj, orig, fwd, wrote, attr, rule, notes, dtl, hdrish, lotus)


@functools.lru_cache(maxsize=4096)
def _quoted_sender(s: str, cues: tuple[int, ...]) -> Sender | None:
    """The author named by a quoted header line (``From: Name <addr>``, a Lotus Notes
    ``Name/HOU/ECT@ECT on ...`` line, an ``On ..., Name <addr> wrote:`` line)."""
    if cues[1]:  # From:
        val = s.split(":", 1)[1] if ":" in s else ""
        addr = re.search(r"[\w.+'-]{1,64}@[\w.-]{1,200}", val[:300])
        name = _FROM_NAME.sub(" ", val[:200]).strip()
        if "@" in name:
            name = name.split("@")[0] if " " not in name else " ".join(w for w in name.split() if "@" not in w)
        snd = Sender(name or None, addr.group() if addr else None)
        return snd if snd else None
    if cues[14] or cues[11]:  # Lotus Notes
        name = re.split(r"[/@<\"]|\son\s", s[:200])[0].strip(" \"'")
        if not name and s.startswith('"'):
            name = s[1:].split('"', 1)[0]
        snd = Sender(name or None, None)
        return snd if snd else None
    if cues[8]:  # ... wrote:
        m = re.search(r"([^,<>]{2,80}?)\s{0,3}(?:<([^<>\s]{1,200})>)?\s{0,3}(?:wrote|schrieb|a écrit|escribió|"
                      r"ha scritto|schreef|escreveu|skrev)", s[:300], re.I)
        if m:
            name = m.group(1).strip(" \"'")
            name = re.sub(r"^.*\d{2}(?::\d{2})?\s*(?:[AaPp][Mm])?\s*", "", name).strip(" ,\"'")
            snd = Sender(name if name and "@" not in name else None, m.group(2))
            return snd if snd else None
        m = re.search(r"([^,<>]{2,80}?)\s{0,3}<([^<>\s]{1,200})>\s{0,3}:\s{0,3}$", s[:300])
        if m:
            name = re.sub(r"^.*\d{2}(?::\d{2})?\s*(?:[AaPp][Mm]|GMT[+-]\d{2}:?\d{2})?\s*", "", m.group(1)).strip(" ,\"'")
            snd = Sender(name if name and "@" not in name else None, m.group(2))
            return snd if snd else None
    return None


def _lines_with(text: str, needles: Sequence[str], starts: list[int]) -> dict[int, int]:
    """Row index -> number of occurrences of any of ``needles`` in that row of ``text``
    (the rows joined by newlines, ``starts`` their offsets): one C-level ``find`` scan
    per needle over the whole message instead of a test per needle and line."""
    out: dict[int, int] = {}
    for nd in needles:
        p = text.find(nd)
        while p >= 0:
            k = bisect_right(starts, p) - 1
            out[k] = out.get(k, 0) + 1
            p = text.find(nd, p + len(nd))
    return out


def _name_like(s: str, words: list[str]) -> bool:
    """One to four name tokens (or two names joined by ``&``/``and``), capitalised."""
    if "&" in words or "and" in words:
        j = words.index("&") if "&" in words else words.index("and")
        return j > 0 and _name_like(" ".join(words[:j]), words[:j]) and _name_like(" ".join(words[j + 1:]),
                                                                                  words[j + 1:])
    if not 1 <= len(words) <= 4 or len(s) > 40 or "@" in s or s.endswith((".", "?", "!", ":", ";")):
        return False
    caps = 0
    for w in words:
        if not C.NAME_TOKEN.match(w.strip(",")):
            return False
        if w[:1].isupper():
            caps += 1
    return caps >= 1


_MARK_FIRST = frozenset("*=~#+_-<([—–")
#: First character -> column (``starts_upper``/``starts_digit``/``starts_punct``, or -1).
_FIRST_COL: dict[str, int] = {}


def _first_col(c0: str) -> int:
    if c0.isupper():
        return _I["starts_upper"]
    if c0.isdigit():
        return _I["starts_digit"]
    if not c0.isalpha():
        return _I["starts_punct"]
    return -1


_LEN_COL = [0 if x <= 20 else 1 if x <= 40 else 2 if x <= 60 else 3 if x <= 80 else 4 for x in range(102)]
_WORDS_COL = [5, 5, 6, 7, 7, 8, 8, 8] + [9] * 4
_ENDS = {".": _I["ends_period"], ",": _I["ends_comma"], ":": _I["ends_colon"], "?": _I["ends_question"],
         "!": _I["ends_bang"], "=": _I["ends_qp"]}
_END_COL = [_I["end_0"], _I["end_1"], _I["end_2"]] + [_I["end_3_5"]] * 3 + [_I["end_6_9"]] * 4 \
    + [_I["end_10_19"]] * 10
_START_COL = [_I["start_0"], _I["start_1"], _I["start_2"]] + [_I["start_3_5"]] * 3
#: A message is searched for the core's legal-footer cues only when it holds one of these.
_LEGAL_GATE = ("registered", "gericht", "geschäftsf", "rcs ", "vat ", "p.iva", "kvk", "cnpj", "copyright", "©")
#: A message is searched for disclaimer words only when it holds one of these stems.
_DISC_GATE = ("confidential", "intended recipient", "privileged", "disclaimer", "vertraulich", "confidentiel")
#: Stems of legal boilerplate counted per line (a disclaimer line holds two or more).
_DISC_STEMS = ("confidential", "privileged", "intended", "recipient", "addressee", "prohibited", "unauthori",
               "disclaimer", "disseminat", "distribution", "disclosure", "virus", "notify", "delete", "erroneous",
               "liab", "vertraulich", "empfänger", "irrtümlich", "unbefugt", "weitergabe", "confidentiel",
               "destinataire", "interdit", "confidencial", "destinatario", "prohibid", "riservat", "vertrouwelijk",
               "geadresseerde", "destinatário", "sigilo")
_COPY_KEYS = ("copyright", "©", "rights reserved")
_PHRASE_FIRST: dict[str, tuple[str, ...]] = {}
for _p in _TITLE_CUE_PHRASES:
    _PHRASE_FIRST[_p.split()[0]] = _PHRASE_FIRST.get(_p.split()[0], ()) + (_p,)
_HEADER_OFFSET = _I["header_field"]
_B_TITLE_CUE, _B_TITLE, _B_COMPANY, _B_SUFFIX, _B_ORG, _B_STREET, _B_SIGNOFF, _B_GREETING, _B_THANKS, _B_PHRASE = (
    1 << i for i in range(10))


def _vocab() -> dict[str, int]:
    """One dict from a lower-cased word to the bits of the vocabularies holding it: a
    line's words are looked up once for all of them."""
    out: dict[str, int] = {}

    def put(words, bit):
        for w in words:
            for form in {w, w.replace(".", ""), C.fold(w), C.fold(w).replace(".", "")}:
                if form:
                    out[form] = out.get(form, 0) | bit

    put(_F_TITLE_CUE, _B_TITLE_CUE)
    put(_F_TITLE, _B_TITLE)
    put(_F_COMPANY_CUE, _B_COMPANY)
    put(_F_SUFFIX, _B_SUFFIX)
    put(_F_ORG, _B_ORG)
    put(_ADDRESS_KEYS, _B_STREET)
    put(_SIGNOFF_FIRST, _B_SIGNOFF)
    put(_GREETING_FIRST, _B_GREETING)
    put(_THANKS_FIRST, _B_THANKS)
    put(_PHRASE_FIRST, _B_PHRASE)
    return out


_VOCAB = _vocab()
#: US ZIP with a state, five-digit European postcode before a town, UK postcode: the
#: postcode shapes of the core's ADDRESS pattern (its street words are in the vocabulary).
_POSTCODE = re.compile(r"\b(?:[A-Z]{2}\.?,?\s{1,3}\d{5}(?:-\d{4})?|\d{5}(?:-\d{4})?\s{1,3}[A-ZÀ-Þ][a-zà-ÿ]{2,30}"
                       r"|[A-Z]{1,2}\d{1,2}[A-Z]?\s\d[A-Z]{2})\b")
_SIG_COLS = frozenset(_I[c] for c in ("email", "url", "phone", "phone_label", "title_cue", "company_cue",
                                      "address_cue", "company_suffix", "extension"))
_BOILER_COLS = frozenset(_I[c] for c in ("attachment", "device", "list_footer", "copyright", "legal_footer"))
_SIG_LIST = sorted(_SIG_COLS)
_BOILER_LIST = sorted(_BOILER_COLS)


#: Column numbers as module constants (a global load is cheaper than a dict lookup in the per-row loops).
_c_address_cue = _I["address_cue"]
_c_all_caps = _I["all_caps"]
_c_attachment = _I["attachment"]
_c_blank_after_1 = _I["blank_after_1"]
_c_blank_after_2p = _I["blank_after_2p"]
_c_blank_before_1 = _I["blank_before_1"]
_c_blank_before_2p = _I["blank_before_2p"]
_c_cap_ratio = _I["cap_ratio"]
_c_company_cue = _I["company_cue"]
_c_company_suffix = _I["company_suffix"]
_c_copyright = _I["copyright"]
_c_dash_name = _I["dash_name"]
_c_depth_change = _I["depth_change"]
_c_device = _I["device"]
_c_digit_ratio = _I["digit_ratio"]
_c_digits_7p = _I["digits_7p"]
_c_disclaimer_para = _I["disclaimer_para"]
_c_disclaimer_words = _I["disclaimer_words"]
_c_email = _I["email"]
_c_end_20p = _I["end_20p"]
_c_extension = _I["extension"]
_c_form_line = _I["form_line"]
_c_frame_line = _I["frame_line"]
_c_greeting = _I["greeting"]
_c_has_digit = _I["has_digit"]
_c_hcue = _I["hcue"]
_c_indent = _I["indent"]
_c_label_colon = _I["label_colon"]
_c_legal_footer = _I["legal_footer"]
_c_list_footer = _I["list_footer"]
_c_name_greeting = _I["name_greeting"]
_c_name_like = _I["name_like"]
_c_org_word = _I["org_word"]
_c_phone = _I["phone"]
_c_phone_label = _I["phone_label"]
_c_prose = _I["prose"]
_c_quoted = _I["quoted"]
_c_sender_domain = _I["sender_domain"]
_c_sender_first_only = _I["sender_first_only"]
_c_sender_line = _I["sender_line"]
_c_sender_token = _I["sender_token"]
_c_sig_delimiter = _I["sig_delimiter"]
_c_signoff_exact = _I["signoff_exact"]
_c_signoff_name = _I["signoff_name"]
_c_signoff_start = _I["signoff_start"]
_c_single_word = _I["single_word"]
_c_social = _I["social"]
_c_start_6p = _I["start_6p"]
_c_starts_digit = _I["starts_digit"]
_c_starts_punct = _I["starts_punct"]
_c_starts_upper = _I["starts_upper"]
_c_table_line = _I["table_line"]
_c_text_position = _I["text_position"]
_c_thanks_sentence = _I["thanks_sentence"]
_c_title_cue = _I["title_cue"]
_c_title_word = _I["title_word"]
_c_url = _I["url"]
_c_wide_gap = _I["wide_gap"]
_x_content_after_0 = _CI["content_after_0"]
_x_content_after_1_3 = _CI["content_after_1_3"]
_x_last_before_boundary = _CI["last_before_boundary"]
_x_name_after_signoff_then_sigcue = _CI["name_after_signoff_then_sigcue"]
_x_name_then_sigcue = _CI["name_then_sigcue"]
_x_para_after_signoff = _CI["para_after_signoff"]
_x_para_disclaimer_share = _CI["para_disclaimer_share"]
_x_para_first_line = _CI["para_first_line"]
_x_para_from_end_0 = _CI["para_from_end_0"]
_x_para_from_end_1 = _CI["para_from_end_1"]
_x_para_from_end_2p = _CI["para_from_end_2p"]
_x_para_has_disclaimer = _CI["para_has_disclaimer"]
_x_para_has_phone_or_email = _CI["para_has_phone_or_email"]
_x_para_has_sender = _CI["para_has_sender"]
_x_para_last_line = _CI["para_last_line"]
_x_para_len_1 = _CI["para_len_1"]
_x_para_len_2 = _CI["para_len_2"]
_x_para_len_3_5 = _CI["para_len_3_5"]
_x_para_len_6p = _CI["para_len_6p"]
_x_para_opens_with_name = _CI["para_opens_with_name"]
_x_para_prose_share = _CI["para_prose_share"]
_x_para_short_share = _CI["para_short_share"]
_x_para_sigcue_share = _CI["para_sigcue_share"]
_x_prose_after = _CI["prose_after"]
_x_sigcues_after_1_4 = _CI["sigcues_after_1_4"]
_x_sigcues_before_1_3 = _CI["sigcues_before_1_3"]
_x_signoff_before_1_3 = _CI["signoff_before_1_3"]
_x_signoff_before_and_last = _CI["signoff_before_and_last"]
_x_signoff_before_and_more_after = _CI["signoff_before_and_more_after"]


@functools.lru_cache(maxsize=16384)  # short rows recur (sign-offs, list footers, names): at most 72 chars each
def _short_row(s: str, d: int) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """The columns of a short row that depend on its text alone (sign-offs, greetings,
    vocabularies, address and name shapes), and its folded words for the sender test.
    ``d`` is the row's digit count."""
    low = s.lower()
    words = s.split()
    nw = len(words)
    n_ = len(s)
    c0 = s[0]
    get = _VOCAB.get
    out: list[int] = []
    ap = out.append
    if low.startswith(_DEVICE_STARTS) and C.DEVICE_FOOTER.match(s) and C.DEVICE_WORDS.search(s):
        ap(_c_device)
    if ":" in s and _LABEL_COLON.match(s):
        ap(_c_label_colon)
    toks = [w.strip(_STRIP) for w in low.split()]
    bits = [get(t, 0) for t in toks]
    allb = reduce(or_, bits, 0)
    first = bits[0] if bits else 0
    if n_ <= 60:
        if first & _B_SIGNOFF or c0 in "-–—~":
            bare = low.strip(_STRIP)
            if not bare.isascii():
                bare = C.fold(bare)
            if bare in SIGNOFFS:
                ap(_c_signoff_exact)
            m = C.SIGNOFF.match(s)
            if m:
                ap(_c_signoff_start)
                rest = s[m.end():].strip(" \t,.!:;-–—~)(")
                rw = rest.split()
                if rw and len(rw) <= 4 and not _DIGIT.search(rest) and all(
                        C.NAME_TOKEN.match(w.strip(",.")) for w in rw):
                    ap(_c_signoff_name)
        if first & _B_THANKS and n_ <= 70 and C.THANKS_SENTENCE.match(s):
            ap(_c_thanks_sentence)
        if first & _B_GREETING and C.GREETING.match(s):
            ap(_c_greeting)
        if s[-1] in ",:" and C.NAME_GREETING.match(s):
            ap(_c_name_greeting)
        if nw >= 3 and ("  " in s or "\t" in s) and C.WIDE_GAP.search(s):
            ap(_c_wide_gap)
    if allb & _B_TITLE or (not allb & _B_TITLE_CUE and nw <= 4 and n_ <= 40
                           and any(t[-3:] in _TITLE_TAILS and t.endswith(_TITLE_ENDINGS)
                                   for t in toks if len(t) >= 8)):
        allb |= _B_TITLE_CUE
    if allb:
        if allb & _B_TITLE_CUE:
            ap(_c_title_cue)
        elif allb & _B_PHRASE and nw >= 2:
            for t in toks:
                if get(t, 0) & _B_PHRASE and any(p in low for p in _PHRASE_FIRST[t]):
                    ap(_c_title_cue)
                    break
        if allb & _B_TITLE:
            ap(_c_title_word)
        if allb & _B_ORG:
            ap(_c_org_word)
        if nw >= 2 and (allb & (_B_COMPANY | _B_SUFFIX)):
            rest_bits = reduce(or_, bits[1:], 0)
            if rest_bits & _B_COMPANY:
                ap(_c_company_cue)
            if rest_bits & _B_SUFFIX:
                ap(_c_company_suffix)
        if allb & _B_STREET and d:
            ap(_c_address_cue)
        elif d >= 4 and n_ <= 60 and _POSTCODE.search(s):
            ap(_c_address_cue)
    elif d >= 4 and n_ <= 60 and _POSTCODE.search(s):
        ap(_c_address_cue)
    if nw <= 9 and n_ <= 60 and _name_like(s, words):
        ap(_c_name_like)
    if nw == 1 and n_ <= 20:
        ap(_c_single_word)
    return tuple(out), tuple(toks)


def message_parts(
    lines: Sequence[str], sender: Sender | None
) -> tuple[np.ndarray, np.ndarray, list[int], list[int], list[bool]]:
    """``(B, ctx, index, depth, boundary)``: the per-line features (:data:`BASE_NAMES`)
    and the context features (:data:`CONTEXT_NAMES`) of the non-blank lines, see
    :func:`message_features`.  The model applies its weights to the two blocks without
    building the windowed matrix."""
    if any(">" in line[:8] for line in lines) if ">" in "".join(lines) else False:
        bodies = []
        depth_all = []
        gw_lines = []
        for i, line in enumerate(lines):
            if ">" in line[:8]:
                body, d = strip_quote(line)
                if d < 3 and ">>>" in line[:60] and C.groupwise_attribution(line) is not None:
                    gw_lines.append(i)
            else:
                body, d = line, 0
            bodies.append(body)
            depth_all.append(d)
    else:
        bodies = lines
        depth_all = None
        gw_lines = []
    stripped = [b[:LINE_CAP].strip() for b in bodies]
    index = [i for i, x in enumerate(stripped) if x]
    S = [stripped[i] for i in index]
    indent = [bodies[i][:1] in " \t" for i in index]
    depths = [depth_all[i] for i in index] if depth_all is not None else [0] * len(index)
    gaps = [index[0]] + [index[k] - index[k - 1] - 1 for k in range(1, len(index))] if index else []
    n = len(S)
    if n == 0:
        return np.zeros((0, _NB), dtype=np.float32), np.zeros((0, _NC), dtype=np.float32), [], [], []
    joined = "\n".join(S)
    jlow = joined.lower()
    # digits per line: one numpy pass over the code points
    L = [len(s) for s in S]
    if n > 1:
        starts = np.zeros(n, dtype=np.int64)
        starts[1:] = np.cumsum(np.asarray(L[:-1], dtype=np.int64) + 1)
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        nd = np.add.reduceat((codes - 48) < 10, starts).tolist()
        # capitalised and lower-case words: a word starts after whitespace (or a row start)
        space = codes <= 32
        word_start = ~space
        word_start[1:] &= space[:-1]
        upper = ((codes - 65) < 26) | (((codes - 192) < 31) & (codes != 215))
        lower_ = ((codes - 97) < 26) | (((codes - 223) < 33) & (codes != 247))
        n_caps = np.add.reduceat(word_start & upper, starts).tolist()
        n_lower = np.add.reduceat(word_start & lower_, starts).tolist()
    else:
        x = S[0]
        nd = [sum(c.isdigit() for c in x)]
        n_caps = [sum(1 for w in x.split() if w[0].isupper())]
        n_lower = [sum(1 for w in x.split() if w[0].islower())]
    # rare cues: the rows holding them, found by scanning the whole message once per
    # needle; a costly pattern then runs on those rows only
    row_starts = [0, *accumulate(x + 1 for x in L[:-1])]
    url_rows = _lines_with(jlow, _URL_KEYS, row_starts)
    social_rows = _lines_with(jlow, _SOCIAL_KEYS, row_starts)
    list_rows = _lines_with(jlow, _LIST_KEYS, row_starts)
    copy_rows = _lines_with(jlow, _COPY_KEYS, row_starts)
    disc_rows = _lines_with(jlow, _DISC_STEMS, row_starts) if any(k in jlow for k in _DISC_GATE) else {}
    legal_rows = _lines_with(jlow, LEGAL_FOOTER_CUES, row_starts) if any(k in jlow for k in _LEGAL_GATE) else {}
    g_disc = bool(disc_rows)

    rows: list[int] = []
    cols: list[int] = []
    cap_ratio = [0.0] * n
    digit_ratio = [0.0] * n
    disc_words = [0.0] * n
    disc_hits = [0] * n
    hcue = [False] * n
    senders: list[tuple[int, Sender]] = []
    row_cols: list[list[int]] = []
    i_sender = 0
    cur_sender = sender
    # quoted headers first, so that a quoted message's sender is known for its lines
    header_rows: dict[int, tuple[int, ...]] = {}
    LOW = [x.lower() for x in S]
    if gw_lines:
        row_of = {i: k for k, i in enumerate(index)}
        gw_rows = {row_of[i] for i in gw_lines if i in row_of}
    else:
        gw_rows = set()
    for k in range(n):
        s = S[k]
        low = LOW[k]
        if k in gw_rows:
            header_rows[k] = _GROUPWISE_CUES
            hcue[k] = True
            snd = _groupwise_sender(s)
            if snd is not None:
                senders.append((k, snd))
            continue
        c0 = s[0]
        colon = s.find(":")
        # every header cue needs one of these (a time has a colon, a Lotus address an @)
        if not ((0 <= colon <= 40) or s[-1] in ":：" or c0 in "-=_*" or "：" in s
                or ("@" in s and (c0.isupper() or "/" in s)) or (colon > 0 and "/" in s and "on" in low)
                or low.endswith(_WROTE_ENDS) or low.startswith(_ATTRIBUTION_PREFIXES)
                or low.startswith(_FORWARD_STARTS)):
            continue
        hc = _header_cues(s, low)
        if hc is None:
            continue
        header_rows[k] = hc
        if hc[1] or hc[6] or hc[7] or (hc[8] and L[k] < 300) or hc[11] or (hc[14] and len(s.split()) <= 8):
            hcue[k] = True
            snd = _quoted_sender(s, hc)
            if snd is not None:
                senders.append((k, snd))
    # -- features of every row, one column at a time -------------------------------------
    WS = [x.split() for x in S]
    NW = [len(w) for w in WS]
    row_cols = [[_LEN_COL[a if a < 101 else 101], _WORDS_COL[b if b < 11 else 11]] for a, b in zip(L, NW)]
    for k in [k for k, x in enumerate(indent) if x]:
        row_cols[k].append(_c_indent)
    for k, x in enumerate(S):
        col = _FIRST_COL.get(x[0])
        if col is None:
            col = _FIRST_COL[x[0]] = _first_col(x[0])
        if col >= 0:
            row_cols[k].append(col)
        col = _ENDS.get(x[-1])
        if col is not None:
            row_cols[k].append(col)
    for k in [k for k, d in enumerate(nd) if d]:
        d = nd[k]
        c = row_cols[k]
        c.append(_c_has_digit)
        digit_ratio[k] = d / L[k] if d < L[k] else 1.0
        if d >= 7:
            c.append(_c_digits_7p)
    for k in range(n):
        nw = NW[k]
        caps, lower = n_caps[k], n_lower[k]
        cap_ratio[k] = caps / nw if caps < nw else 1.0
        if L[k] > 90 or (nw >= 7 and lower and lower * 2 >= caps + lower):
            row_cols[k].append(_c_prose)
        if caps >= nw and S[k][:80].isupper():
            row_cols[k].append(_c_all_caps)
    for k, hc in header_rows.items():
        c = row_cols[k]
        for j, v in enumerate(hc):
            if v:
                c.append(_HEADER_OFFSET + j)
        if hcue[k]:
            c.append(_c_hcue)
    # -- shaped values and boilerplate, on the rows a cheap test selects --------------------
    for k in [k for k, x in enumerate(S) if "@" in x]:
        x = S[k]
        if C.EMAIL.search(x):
            row_cols[k].append(_c_email)
        if L[k] <= 120 and C.SOCIAL.search(x):
            row_cols[k].append(_c_social)
    for k in social_rows:
        if "@" not in S[k] and L[k] <= 120 and C.SOCIAL.search(S[k]):
            row_cols[k].append(_c_social)
    for k in url_rows:
        if C.URL.search(S[k]):
            row_cols[k].append(_c_url)
    for k in [k for k, d in enumerate(nd) if d >= 4]:
        if L[k] > 120:
            continue
        x, d, c = S[k], nd[k], row_cols[k]
        if d >= 7:
            for m in C.PHONE.finditer(x):
                if 7 <= len(_DIGIT.findall(m.group())) <= 16:
                    c.append(_c_phone)
                    break
        if d >= 5 and C.PHONE_LABEL.search(x):
            c.append(_c_phone_label)
        if L[k] <= 16 and C.EXTENSION.match(x):
            c.append(_c_extension)
    for k in [k for k, x in enumerate(S) if "|" in x]:
        x = S[k]
        if x.count("|") >= 3 or x[0] == "|" or x[-1] == "|" or "-+-" in x:
            row_cols[k].append(_c_table_line)
    for k in [k for k, x in enumerate(S) if "=" in x or ":" in x]:
        x = S[k]
        if ("=" in x and (" = " in x or x.endswith("=") and NW[k] >= 2)) or (
                ("  " in x or "\t" in x) and C.FORM_LINE.match(x)):
            row_cols[k].append(_c_form_line)
    for k, hits in disc_rows.items():
        if NW[k] >= 3:
            disc_hits[k] = hits
            disc_words[k] = hits / 3.0 if hits < 3 else 1.0
    for k in list_rows:
        if C.LIST_FOOTER.search(S[k]):
            row_cols[k].append(_c_list_footer)
    for k in legal_rows:
        if L[k] >= 8:
            row_cols[k].append(_c_legal_footer)
    for k in copy_rows:
        if C.COPYRIGHT.search(S[k]):
            row_cols[k].append(_c_copyright)
    for k in [k for k, x in enumerate(S) if x[0] in _MARK_FIRST or x.startswith(("attach", "Attach", "ATTACH"))]:
        x, c0, c = S[k], S[k][0], row_cols[k]
        if c0 in "*=~#+_-" and C.FRAME_LINE.match(x):
            c.append(_c_frame_line)
        if C.ATTACHMENT.match(x):
            c.append(_c_attachment)
        if L[k] <= 6 and C.SIG_DELIMITER.match(x):
            c.append(_c_sig_delimiter)
        if c0 in "-~—–" and C.DASH_NAME.match(x):
            c.append(_c_dash_name)
    # -- short rows: sign-offs, greetings, vocabularies, names ------------------------------
    for k in [k for k in range(n) if L[k] <= SHORT and NW[k] <= 10]:
        static, toks = _short_row(S[k], nd[k])
        c = row_cols[k]
        c.extend(static)
        while i_sender < len(senders) and senders[i_sender][0] <= k:
            cur_sender = senders[i_sender][1]
            i_sender += 1
        if cur_sender is not None and NW[k] <= 8:
            full, tok, only_first = cur_sender.score(toks)
            if full:
                c.append(_c_sender_line)
            if tok:
                c.append(_c_sender_token)
            if only_first:
                c.append(_c_sender_first_only)
            if cur_sender.domain and cur_sender.domain in LOW[k]:
                c.append(_c_sender_domain)

    # -- layout: quotes, blank lines, runs (up to the next message boundary) ---------------
    boundary = [False] * n
    run_start = [0] * n
    for k in range(n):
        c = row_cols[k]
        if depths[k]:
            c.append(_c_quoted)
        if k and depths[k] != depths[k - 1]:
            c.append(_c_depth_change)
        gk = gaps[k]
        if gk >= 2:
            c.append(_c_blank_before_2p)
        elif gk == 1 or k == 0:
            c.append(_c_blank_before_1)
        ga = gaps[k + 1] if k + 1 < n else 2
        if ga == 1:
            c.append(_c_blank_after_1)
        elif ga >= 2:
            c.append(_c_blank_after_2p)
        boundary[k] = k == 0 or hcue[k] or depths[k] > depths[k - 1]
        run_start[k] = k if boundary[k] else run_start[k - 1]
    run_end = [n] * n
    for k in range(n - 2, -1, -1):
        run_end[k] = k + 1 if boundary[k + 1] else run_end[k + 1]
    # paragraphs: [a, b) ranges of rows with no blank line, boundary or depth change inside
    paras: list[tuple[int, int]] = []
    p0 = 0
    for k in range(1, n + 1):
        if k == n or boundary[k] or gaps[k] > 0 or depths[k] != depths[k - 1]:
            paras.append((p0, k))
            p0 = k
    # boilerplate: attachment markers, device and list footers, copyright lines, and the
    # lines of a paragraph dense in legal words (a disclaimer); what is left is content
    boiler = [not _BOILER_COLS.isdisjoint(c) or disc_words[k] > 0.5 for k, c in enumerate(row_cols)]
    disc_para = [False] * n
    if g_disc:
        for a, b in paras:
            hits = sum(disc_hits[a:b])
            if hits >= 3 or (hits >= 2 and b - a <= 3):
                for x in range(a, b):
                    disc_para[x] = True
                    boiler[x] = True
    content = [not x for x in boiler]
    cs_content = [0, *accumulate(content)]
    for k in range(n):
        # position from the end of the run counts content rows only: a long disclaimer
        # or a list of attachments does not push a signature away from "the end"
        ca = cs_content[run_end[k]] - cs_content[k + 1]
        r_st = k - run_start[k]
        c = row_cols[k]
        c.append(_END_COL[ca] if ca < 20 else _c_end_20p)
        c.append(_START_COL[r_st] if r_st < 6 else _c_start_6p)
        if disc_para[k]:
            c.append(_c_disclaimer_para)
        rows.extend([k] * len(c))
        cols.extend(c)
    B = np.zeros((n, _NB), dtype=np.float32)
    B[rows, cols] = 1.0
    B[:, _c_cap_ratio] = cap_ratio
    B[:, _c_digit_ratio] = digit_ratio
    B[:, _c_disclaimer_words] = disc_words
    B[:, _c_text_position] = [i / len(lines) for i in index]

    # -- paragraph and run context, in plain Python (a message has ~30 rows) ----------------
    sig = B[:, _SIG_LIST].any(axis=1).tolist()
    prose = B[:, _c_prose].tolist()
    off = (B[:, _c_signoff_start] + B[:, _c_signoff_exact]).tolist()
    namey = (B[:, _c_name_like] + B[:, _c_sender_line]).tolist()
    sendery = (B[:, _c_sender_line] + B[:, _c_sender_token]).tolist()
    disc = [x > 0.5 or disc_para[k] for k, x in enumerate(disc_words)]
    phem = (B[:, _c_phone] + B[:, _c_email]).tolist()
    ctx: list[list[float]] = [[] for _ in range(n)]
    after = 0
    for q in range(len(paras) - 1, -1, -1):
        a, b = paras[q]
        plen = b - a
        if q + 1 < len(paras) and run_start[paras[q + 1][0]] == run_start[a]:
            # paragraphs after this one in its run, boilerplate paragraphs not counted
            after += any(content[paras[q + 1][0]:paras[q + 1][1]])
        else:
            after = 0
        t = [0.0] * _NC
        t[_x_para_len_1 if plen == 1 else _x_para_len_2 if plen == 2 else
          _x_para_len_3_5 if plen <= 5 else _x_para_len_6p] = 1.0
        t[_x_para_from_end_0 if after == 0 else _x_para_from_end_1 if after == 1 else _x_para_from_end_2p] = 1.0
        t[_x_para_prose_share] = sum(prose[a:b]) / plen
        t[_x_para_sigcue_share] = sum(sig[a:b]) / plen
        t[_x_para_short_share] = sum(1 for x in L[a:b] if x <= 50) / plen
        t[_x_para_has_sender] = float(any(sendery[a:b]))
        t[_x_para_opens_with_name] = float(namey[a])
        t[_x_para_has_disclaimer] = float(any(disc[a:b]))
        t[_x_para_disclaimer_share] = sum(1 for x in disc_hits[a:b] if x) / plen
        t[_x_para_has_phone_or_email] = float(any(phem[a:b]))
        if q > 0 and off[a - 1] and run_start[a - 1] == run_start[a]:
            t[_x_para_after_signoff] = 1.0
        first = t.copy()
        first[_x_para_first_line] = 1.0
        ctx[a] = first
        if b - a > 1:
            if off[a]:
                t[_x_para_after_signoff] = 1.0
            for x in range(a + 1, b):
                ctx[x] = t.copy()
        ctx[b - 1][_x_para_last_line] = 1.0
    cs_sig = [0, *accumulate(sig)]
    cs_prose = [0, *accumulate(p and c for p, c in zip(prose, content))]
    cs_off = [0, *accumulate(off)]
    i_sa, i_pa, i_ob, i_nt = _x_sigcues_after_1_4, _x_prose_after, _x_signoff_before_1_3, _x_name_then_sigcue
    i_sb, i_lb, i_c0, i_c13 = _x_sigcues_before_1_3, _x_last_before_boundary, _x_content_after_0, \
        _x_content_after_1_3
    i_om, i_ol, i_ons = _x_signoff_before_and_more_after, _x_signoff_before_and_last, \
        _x_name_after_signoff_then_sigcue
    for k in range(n):
        v = ctx[k]
        end = run_end[k]
        lo = run_start[k]
        if lo < k - 3:
            lo = k - 3
        hi = k + 5 if k + 5 < end else end
        v[i_sa] = (cs_sig[hi] - cs_sig[k + 1]) / 4.0
        pa = cs_prose[end] - cs_prose[k + 1]
        v[i_pa] = (pa if pa < 4 else 4) / 4.0
        if cs_off[k] > cs_off[lo]:
            v[i_ob] = 1.0
        v[i_sb] = (cs_sig[k] - cs_sig[lo]) / 3.0
        if namey[k] and k + 1 < end and sig[k + 1]:
            v[i_nt] = 1.0
        if k == end - 1:
            v[i_lb] = 1.0
        ca = cs_content[end] - cs_content[k + 1]
        if ca == 0:
            v[i_c0] = 1.0
        elif ca <= 3:
            v[i_c13] = 1.0
        if v[i_ob]:
            if ca:
                v[i_om] = 1.0
                if namey[k] and k + 1 < end and sig[k + 1]:
                    v[i_ons] = 1.0
            else:
                v[i_ol] = 1.0
    return B, np.asarray(ctx, dtype=np.float32), index, depths, boundary


def assemble(B: np.ndarray, ctx: np.ndarray) -> np.ndarray:
    """The full feature matrix (:data:`FEATURE_NAMES` columns) from the per-line block
    and the context block: the line, the previous line, the next line, the context."""
    n = B.shape[0]
    X = np.zeros((n, N_FEATURES), dtype=np.float32)
    if n:
        X[:, :_NB] = B
        X[1:, _NB:2 * _NB] = B[:-1]
        X[:-1, 2 * _NB:3 * _NB] = B[1:]
        X[:, 3 * _NB:] = ctx
    return X


def message_features(
    lines: Sequence[str], sender: Sender | None
) -> tuple[np.ndarray, list[int], list[int], list[bool]]:
    """Features of the non-blank lines of ``lines``.

    Returns ``(X, index, depth, boundary)``: ``X`` has one row per non-blank line,
    ``index[k]`` is that line's position in ``lines``, ``depth[k]`` its quote depth and
    ``boundary[k]`` whether a new message may start at it (a strong header cue or a
    deeper quote).
    """
    B, ctx, index, depths, boundary = message_parts(lines, sender)
    return assemble(B, ctx), index, depths, boundary
