"""The ML signature field tagger.

From one signature block to typed field values, in three steps:

1. **Values with a shape** are read by the core's finders, which are exact where a
   model would only add noise: emails (:func:`~webleads_core.text.emails.find_emails`),
   websites and social profiles (:func:`~webleads_core.text.urls.find_urls`,
   :func:`~webleads_core.text.urls.social_profile`), phones in E.164 with their type and
   extension (:func:`~webleads_core.text.phones.find_phones`; the region comes from the
   block and the sender's domain, :func:`~webleads_core.text.phones.infer_region`).
2. **What is left** of each line once those values and their labels (``Tel:``,
   ``E-mail``) are cut out is split at strong separators (``|``, ``•``, `` – ``, tabs,
   runs of blanks) and, where a comma or `` at `` joins a title and a company, at those
   too.  Each piece is a *segment*.
3. **A linear model** (multinomial logistic regression, applied as one numpy product)
   gives each segment a class: ``name``, ``title``, ``company``, ``address`` or
   ``other``, from features of the segment, of its line and of its neighbours
   (:func:`segment_features`): title, company-suffix, organisation, street and postcode
   vocabularies in many languages, overlap with the sender's name and domain, legal-footer
   and motto cues, shape and position.  Decoding keeps one name (credentials,
   honorifics and pronouns removed by :func:`~webleads_core.text.names.clean_person_name`),
   up to two titles, one company and one address (consecutive address segments joined).

Lines that carry an Art. 9 cue or a legal footer cue are never read (BAD_INPUTS #18),
and reading stops at a quoted header, a disclaimer or a device footer.  The block is
capped at 4 KiB and 40 lines, so time is bounded on any input.

Speed: a person's lines come back in every signature of theirs and of their colleagues,
so the pure per-line and per-segment work (the rule tagger's tests, the features a
segment's text alone decides) sits in bounded LRU caches shared with the rule tagger;
:meth:`TaggerModel.clear_cache` empties them with the block cache.
"""

from __future__ import annotations

import operator
import re
import threading
from collections import OrderedDict
from typing import Any, Sequence

import attrs
import numpy as np

from webleads_core.default_plugins import signature_rules as _rules
from webleads_core.default_plugins.signature_rules import FieldValue, tag_signature
from webleads_core.text.emails import email_domain, is_free_mail
from webleads_core.text.urls import is_social_host, normalise_url, social_profile
from webleads_core.text.vocab import (
    COMPANY_SUFFIXES_FOLDED,
    CONTACT_LABELS,
    COUNTRY_NAMES,
    CREDENTIALS,
    DEVICE_FOOTERS,
    HONORIFICS,
    LEGAL_FOOTER_CUES,
    MOTTO_CUES,
    NON_NAME_WORDS,
    ORG_WORDS,
    PHONE_LABELS,
    POSTCODE_PATTERNS,
    SIGNOFFS,
    STREET_SUFFIXES,
    STREET_WORDS,
    TITLE_MODIFIERS,
    TITLE_PHRASES,
    TITLE_WORDS,
    US_STATES,
)

#: The rule tagger's caches of the core's pure text functions, shared: a line the rule
#: tagger (run inside :func:`prepare`) has tested is not tested again here, and
#: :func:`clear_caches` empties both sets.
_cached = _rules._cached
sensitive_line = _rules._sensitive_line
clean_person_name = _rules._clean_person_name
infer_region = _rules._infer_region
_line_cues = _rules._line_cues
fold = _rules._fold


def clear_caches() -> None:
    """Empty the caches of line and segment results (this module's and the rule tagger's)."""
    _rules.clear_caches()


MAX_BLOCK_CHARS = 4096
#: Blocks whose tagging result is kept (the LRU cache of :meth:`TaggerModel.tag`).
CACHE_SIZE = 4096
MAX_LINES = 40
MAX_SEGMENTS = 60
CLASSES: tuple[str, ...] = ("other", "name", "title", "company", "address")
_CI = {c: i for i, c in enumerate(CLASSES)}
FIELD_ORDER = ("name", "title", "company", "email", "phone", "address", "website", "social")

_QUOTE = re.compile(r"^[ \t]{0,4}(?:>[ \t]{0,2}){1,8}")
_OLE = re.compile(r"<<[^<>\n]{0,80}>>|\[cid:[^\]\n]{0,200}\]|\[image[^\]\n]{0,200}\]|<Embedded [^<>\n]{0,60}>")
_STOP = re.compile(
    r"(?i)^[ \t]{0,6}(?:-{2,10}[ \t]{0,3}(?:original message|forwarded|message d'origine|ursprüngliche nachricht|"
    r"mensaje original|messaggio originale)|(?:from|sent|to|subject|von|gesendet|betreff|de|envoyé|objet|para|"
    r"asunto|enviado)[ \t]{0,2}:[ \t]{0,2}\S|on .{0,200} wrote:?[ \t]{0,3}$|_{10,200}[ \t]{0,3}$)"
)
_STRONG = re.compile(r"[ \t]{0,8}[|•·▪◦♦●¦][ \t]{0,8}|[ \t]{1,4}[–—][ \t]{1,4}|\t{1,8}|[ \t]{3,60}")
_SOFT = re.compile(r",[ \t]{1,4}|[ \t]{1,4}(?:at|@|chez|bei|presso|bij|for|of)[ \t]{1,4}|[ \t]{1,4}-[ \t]{1,4}|[ \t]{0,2}/[ \t]{0,2}")
_WORD = re.compile(r"[^\W\d_][\w'’&.-]{0,40}")
_DIGIT = re.compile(r"\d")
_PO_BOX = re.compile(r"(?i)\b(?:p\.?[ \t]{0,2}o\.?[ \t]{0,2}box|post[ \t]{0,2}box|postfach|postbus|b\.?p\.?|"
                     r"apartado|casilla|caixa postal)[ \t]{0,3}\d")
_LETTER = re.compile(r"[^\W\d_]")
_MASTODON = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{1,30}@[A-Za-z0-9.-]{1,200}\.[A-Za-z]{2,24}")
_NORM = re.compile(r"[^\w]+")
_PHONE_SHAPE = re.compile(r"(?<![\w@])(?:\+|\(\+?)?\d[\d ().\-/]{5,22}\d(?![\w@])")
_EXT_AFTER = re.compile(r"(?i)[ \t]{0,3}[,;/(]?[ \t]{0,3}(?:ext|extn|extension|x|poste|durchwahl|dw|int)\.?[ \t]{0,3}[:.#]?[ \t]{0,3}\d{1,6}\)?")
_TITLE_PHRASES = re.compile(
    r"(?i)(?<!\w)(?:" + "|".join(re.escape(p) for p in sorted(TITLE_PHRASES, key=len, reverse=True)) + r")(?!\w)")
_EDGE = " \t,;:|*_~=•·-–—/\\\"'`()[]{}<>"
_LABELS = frozenset({w for ws in PHONE_LABELS.values() for w in ws} | CONTACT_LABELS
                    | {"or", "and", "ou", "oder", "o", "y", "ext", "x", "direct", "ph", "phone", "fax"})
_F_TITLE = frozenset(fold(w) for w in TITLE_WORDS)
_F_MOD = frozenset(fold(w) for w in TITLE_MODIFIERS)
_F_ORG = frozenset(fold(w) for w in ORG_WORDS)
_F_MOTTO = frozenset(fold(w) for w in MOTTO_CUES)
_F_NON_NAME = frozenset(fold(w) for w in NON_NAME_WORDS)
_F_STREET = frozenset(STREET_WORDS)
_F_COUNTRY = frozenset(COUNTRY_NAMES)
_F_HONOR = frozenset(HONORIFICS)
_F_CRED = frozenset(CREDENTIALS)
_DEVICE = tuple(DEVICE_FOOTERS)
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "gob", "gouv"})

#: Per-segment feature names, in column order (the model's card lists the full set).
SEG_NAMES: tuple[str, ...] = (
    "words_1", "words_2", "words_3", "words_4_5", "words_6p", "len_gt_40",
    "cap_ratio", "all_caps", "has_digit", "digit_ratio", "has_comma", "ends_period",
    "title_word", "title_phrase", "title_modifier_only", "title_modifier",
    "suffix", "org_word", "ampersand", "author_domain", "block_domain",
    "street", "postcode", "po_box", "country", "us_state_zip", "number_start",
    "author_name_full", "author_name_token", "author_local", "name_shape", "honorific", "credential",
    "non_name_word", "signoff", "motto", "legal", "sentence",
    "line_0", "line_1", "line_2", "line_3p", "content_first", "content_rank_1", "content_rank_2",
    "content_last", "line_has_value", "line_has_email", "line_has_phone", "piece_of_line", "piece_first",
    "soft_split", "line_segments_2p",
    "rules_name", "rules_title", "rules_company", "rules_address", "title_compound",
)
_NS = len(SEG_NAMES)
_SI = {n: i for i, n in enumerate(SEG_NAMES)}
_CONTEXT_KEYS = ("title_word", "title_phrase", "suffix", "org_word", "street", "postcode", "name_shape",
                 "author_name_token", "has_digit", "author_domain")
FEATURE_NAMES: tuple[str, ...] = (
    SEG_NAMES + tuple("prev:" + n for n in _CONTEXT_KEYS) + tuple("next:" + n for n in _CONTEXT_KEYS)
    + ("prev_line_blank", "after_name_line_1", "after_name_line_2", "before_value_line")
)
N_FEATURES = len(FEATURE_NAMES)
_CTX_IDX = [_SI[k] for k in _CONTEXT_KEYS]
_PART_SPLIT = re.compile(r"[-/&]")
_SPACE_CUE_STEMS = tuple(c[:-1] for c in LEGAL_FOOTER_CUES if c.endswith(" "))
#: Title phrases by their first (folded) word: a segment is searched only for the
#: phrases its own words can start.
_PHRASE_FIRST: dict[str, tuple[str, ...]] = {}
for _p in TITLE_PHRASES:
    _PHRASE_FIRST[fold(_p.split()[0])] = _PHRASE_FIRST.get(fold(_p.split()[0]), ()) + (_p.casefold(),)
#: Role nouns that end compounds (``Vertriebsleiter``, ``Accountmanager``).
_TITLE_ENDINGS = tuple(sorted(w for w in _F_TITLE if len(w) >= 5 and w.isalpha()))


@attrs.define
class Segment:
    """A piece of a signature line the model classifies (text is personal data)."""

    line: int
    start: int
    end: int
    text: str = attrs.field(repr=False)
    soft: bool = False
    piece: int = 0
    pieces: int = 1


@attrs.frozen
class Prepared:
    """A block read for tagging: values found by the finders and the segments left."""

    lines: tuple[str, ...] = attrs.field(repr=False)
    offsets: tuple[int, ...] = ()
    raw_offsets: tuple[int, ...] = ()
    prefixes: tuple[int, ...] = ()
    values: tuple[FieldValue, ...] = attrs.field(default=(), repr=False)
    segments: tuple[Segment, ...] = attrs.field(default=(), repr=False)
    features: Any = attrs.field(default=None, repr=False)


@_cached
def _norm(s: str) -> str:
    return " ".join(_NORM.sub(" ", fold(s)).split())


def _domain_tokens(domain: str | None) -> tuple[str, ...]:
    if not domain or is_free_mail(domain):
        return ()
    labels = domain.lower().split(".")
    if len(labels) < 2:
        return ()
    core = labels[-3] if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL else labels[-2]
    if core.startswith("xn--"):
        return ()
    return tuple(t for t in core.split("-") if t)


@_cached
def _segment_domain_hit(raw: str, tokens: tuple[str, ...]) -> bool:
    """:func:`_domain_hit` of a segment's text (its words are the cached ones)."""
    return _domain_hit(_text_features(raw).words, raw, tokens)


def _domain_hit(words: Sequence[str], raw: str, tokens: Sequence[str]) -> bool:
    if not tokens:
        return False
    compact = "".join(tokens)
    if len(compact) < 3 or not words:
        return False
    joined = "".join(words)
    if joined.startswith(compact) or all(t in words for t in tokens):
        return True
    caps = [w for w in _WORD.findall(raw) if w[:1].isupper()]
    return len(caps) >= 2 and "".join(fold(w)[0] for w in caps) == compact


def _suffix(raw: str) -> bool:
    return _rules.has_company_suffix(raw.split(), longest=2)


def _street(raw: str, low_toks: list[str]) -> bool:
    if _PO_BOX.search(raw):
        return True
    if not _DIGIT.search(raw):
        return False
    for t in low_toks:
        if t.replace(".", "") in _F_STREET or t in _F_STREET:
            return True
        if len(t) > 5 and t.endswith(STREET_SUFFIXES):
            return True
    return False


def _postcode(raw: str) -> tuple[bool, bool]:
    us = False
    for code, pat in POSTCODE_PATTERNS.items():
        m = pat.search(raw)
        if not m:
            continue
        if code == "US":
            if m.group(0)[:2] not in US_STATES:
                continue
            us = True
        return True, us
    return False, False


def _label_word(w: str) -> bool:
    key = " ".join(w.casefold().replace(".", " ").replace(":", " ").split())
    return key in _LABELS or key.replace(" ", "") in _LABELS


_TOKEN = re.compile(r"\S+")


@_cached
def _pieces(line: str, spans: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Character ranges of ``line`` outside ``spans``, with the contact labels next to a
    cut-out value (``Tel:``, ``E-mail``, ``(fax)``) removed."""
    spans = tuple(sorted(spans))
    raw: list[tuple[int, int, bool, bool]] = []
    pos = 0
    for s, e in spans:
        if s > pos:
            raw.append((pos, s, pos > 0, True))
        pos = max(pos, e)
    if pos < len(line):
        raw.append((pos, len(line), bool(spans), False))
    out = []
    for s, e, left, right in raw:
        toks = [(m.start(), m.end()) for m in _TOKEN.finditer(line, s, e)]
        for _ in range(3):
            changed = False
            for n in (2, 1):
                if right and spans and len(toks) >= n and _label_word(
                        " ".join(line[a:b] for a, b in toks[-n:]).strip(_EDGE + ".#=")):
                    toks = toks[:-n]
                    changed = True
                    break
            for n in (2, 1):
                if left and len(toks) >= n and _label_word(
                        " ".join(line[a:b] for a, b in toks[:n]).strip(_EDGE + ".#=")):
                    toks = toks[n:]
                    changed = True
                    break
            if not changed:
                break
        if toks:
            out.append((toks[0][0], toks[-1][1]))
    return tuple(out)


@_cached
def _split(line: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    out = []
    pos = start
    for m in _STRONG.finditer(line, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    res = []
    for s, e in out:
        seg = line[s:e]
        ls = len(seg) - len(seg.lstrip(_EDGE))
        rs = len(seg.rstrip(_EDGE))
        if rs > ls and _LETTER.search(seg):
            res.append((s + ls, s + rs))
    return tuple(res)


@_cached
def _soft_split(text: str) -> tuple[tuple[int, int], ...]:
    """Sub-ranges of a segment joined by a comma, ``at``, `` - `` or ``/``, when each
    side has letters (``Manager, Enron Corp.``; ``Director at Acme``)."""
    parts = []
    pos = 0
    for m in _SOFT.finditer(text):
        parts.append((pos, m.start()))
        pos = m.end()
    parts.append((pos, len(text)))
    good = [(s, e) for s, e in parts if _LETTER.search(text[s:e] or "")]
    if len(good) < 2:
        return ()
    # "Inc." after a comma stays with its company
    merged: list[tuple[int, int]] = []
    for s, e in good:
        piece = text[s:e].strip(_EDGE).replace(".", "").casefold()
        if merged and (piece in COMPANY_SUFFIXES_FOLDED or piece in _F_CRED or piece in ("jr", "sr", "ii", "iii")):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return tuple(merged) if len(merged) >= 2 else ()


class AuthorCues:
    """The author's name tokens, email local part and domain words."""

    __slots__ = ("tokens", "local", "domain_tokens", "domain")

    def __init__(self, name: str | None, email: str | None) -> None:
        self.tokens = frozenset(t for t in re.split(r"[\s,.\"'/()<>-]+", fold(name or "")[:200]) if len(t) >= 2)
        local = fold(email.split("@", 1)[0])[:64] if email and "@" in email else ""
        self.local = re.sub(r"[^a-z]", "", local)
        if not self.tokens and local:
            self.tokens = frozenset(t for t in re.split(r"[._\-+0-9]+", local) if len(t) >= 2)
        self.domain = email_domain(email) if email and "@" in email else None
        self.domain_tokens = _domain_tokens(self.domain)


_author_cues = _cached(AuthorCues, 1024)


def prepare(block: str, author_name: str | None, author_email: str | None,
            region_hint: str | None = None) -> Prepared:
    """Find the shaped values of a block and cut the rest into segments with features."""
    if not isinstance(block, str) or not block.strip():
        return Prepared(lines=())
    text = block[:MAX_BLOCK_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    lines: list[str] = []
    raw_offsets: list[int] = []
    prefixes: list[int] = []
    rpos = 0
    for ln in text.split("\n")[:MAX_LINES]:
        raw_offsets.append(rpos)
        rpos += len(ln) + 1
        qm = _QUOTE.match(ln)
        prefixes.append(qm.end() if qm else 0)
        ln = ln[qm.end():] if qm else ln
        ln = _OLE.sub(lambda m: " " * len(m.group()), ln)
        lines.append(ln.replace("\x00", " ").rstrip())
    usable = [False] * len(lines)
    seen_content = False
    # disclaimer and legal-footer cues are looked for in each line with a space appended,
    # so that cues written with a trailing space match at the end (the rule tagger's
    # cached per-line answers, shared)
    for i, ln in enumerate(lines):
        s = ln.strip()
        if not s:
            continue
        low = s.casefold()
        if seen_content and _STOP.match(s) or low.strip(" -_*").startswith(_DEVICE) or (
                len(low) > 12 and _line_cues(low)[1]):
            break
        if not seen_content and low.strip(" ,.!:;-–—") in SIGNOFFS:
            continue
        if _line_cues(low)[2] or sensitive_line(s):
            continue
        usable[i] = True
        if _LETTER.search(s) or _DIGIT.search(s):
            seen_content = True
    offsets = []
    pos = 0
    for ln in lines:
        offsets.append(pos)
        pos += len(ln) + 1
    work = "\n".join(ln if usable[i] else " " * len(ln) for i, ln in enumerate(lines))

    def line_of(p: int) -> int:
        lo, hi = 0, len(offsets) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if offsets[mid] <= p:
                lo = mid
            else:
                hi = mid - 1
        return lo

    cut: dict[int, list[tuple[int, int]]] = {}

    def add_cut(s: int, e: int) -> None:
        li = line_of(s)
        cut.setdefault(li, []).append((s - offsets[li], min(e, offsets[li] + len(lines[li])) - offsets[li]))

    values: list[FieldValue] = []
    author = _author_cues(author_name, author_email)
    norm_author = author_email.strip().lower() if author_email else None
    email_spans = []
    seen: set[tuple[str, str]] = set()
    for email, (s, e) in _rules._find_emails(work):
        email_spans.append((s, e))
        add_cut(s, e)
        if ("email", email) not in seen:
            seen.add(("email", email))
            values.append(FieldValue("email", email, None, line_of(s), 0.95 if email == norm_author else 0.9))
    for raw, (s, e) in _rules._find_urls(work):
        if any(s < ee and ss < e for ss, ee in email_spans):
            continue
        add_cut(s, e)
        prof = social_profile(raw)
        if prof is not None:
            if ("social", prof[1]) not in seen:
                seen.add(("social", prof[1]))
                values.append(FieldValue("social", prof[1], prof[0], line_of(s), 0.85))
            continue
        if is_social_host(raw):
            continue
        url = normalise_url(raw)
        if url is None or ("website", url) in seen:
            continue
        seen.add(("website", url))
        host = url.split("://", 1)[-1].split("/", 1)[0].removeprefix("www.")
        if is_free_mail(host):
            continue
        conf = 0.9 if author.domain and host.endswith(author.domain) else 0.8
        values.append(FieldValue("website", url, None, line_of(s), conf))
    for m in _MASTODON.finditer(work):
        from webleads_core.text.urls import mastodon_handle

        prof = mastodon_handle(m.group(0))
        if prof and ("social", prof[1]) not in seen:
            seen.add(("social", prof[1]))
            add_cut(m.start(), m.end())
            values.append(FieldValue("social", prof[1], prof[0], line_of(m.start()), 0.75))
    # phones, and the rule-based tagger's reading of the block (used as features: the
    # model learns where to trust it); its phone matching is reused, not repeated
    # the region only matters to the rule tagger's phone matcher, which has nothing to
    # read in a block without a digit: no guess then (the guess scans the whole block)
    region = region_hint or (infer_region(work, author.domain) if _DIGIT.search(text) else None)
    rule_vals = tag_signature(block, author_name=author_name, author_email=author_email, region_hint=region)
    phone_lines = set()
    for v in rule_vals:
        if v.field == "phone" and ("phone", v.value) not in seen:
            seen.add(("phone", v.value))
            values.append(v)
            phone_lines.add(v.line)
    for li in phone_lines:
        if li >= len(lines):
            continue
        taken = cut.get(li, [])
        for m in _PHONE_SHAPE.finditer(lines[li]):
            if 7 <= len(_DIGIT.findall(m.group())) <= 16 and not any(m.start() < e and s < m.end() for s, e in taken):
                add_cut(offsets[li] + m.start(), offsets[li] + m.end())
                ext = _EXT_AFTER.match(lines[li], m.end())
                if ext:
                    add_cut(offsets[li] + m.end(), offsets[li] + ext.end())
    rules = [(v.field, _norm(v.value)) for v in rule_vals if v.field in ("name", "title", "company", "address")]
    # segments of what is left
    segs: list[Segment] = []
    for i, ln in enumerate(lines):
        if not usable[i] or not ln.strip():
            continue
        ranges = []
        for s, e in _pieces(ln, tuple(cut.get(i, ()))):
            ranges.extend(_split(ln, s, e))
        for k, (s, e) in enumerate(ranges):
            piece = ln[s:e]
            if len(piece) > 160 or fold(piece.strip(" ,.!:;-")) in SIGNOFFS:
                continue
            segs.append(Segment(i, s, e, piece, False, k, len(ranges)))
            for a, b in _soft_split(piece):
                sub = piece[a:b].strip(_EDGE)
                if not sub:
                    continue
                off = piece.find(sub, a)
                segs.append(Segment(i, s + off, s + off + len(sub), sub, True, k, len(ranges)))
            if len(segs) >= MAX_SEGMENTS:
                break
        if len(segs) >= MAX_SEGMENTS:
            break
    block_domains = []
    for v in values:
        if v.field == "email":
            block_domains.append(_domain_tokens(v.value.rsplit("@", 1)[1]))
        elif v.field == "website":
            block_domains.append(_domain_tokens(v.value.split("://", 1)[-1].split("/", 1)[0]))
    X = segment_features(lines, usable, segs, values, author, block_domains, rules)
    return Prepared(lines=tuple(lines), offsets=tuple(offsets), raw_offsets=tuple(raw_offsets),
                    prefixes=tuple(prefixes), values=tuple(values), segments=tuple(segs), features=X)


_NAME_PARTICLE_WORDS = ("van", "von", "de", "der", "da", "di", "la", "le")
_RULE_COLS = {f: _SI["rules_" + f] for f in ("name", "title", "company", "address")}
_COL_COMPOUND = _SI["title_compound"]
_ctx_of = operator.itemgetter(*_CTX_IDX)
_COL_NAME_SHAPE = _SI["name_shape"]
_COL_AUTHOR_TOKEN = _SI["author_name_token"]


@attrs.frozen
class _TextFeatures:
    """What a segment's text alone decides: most feature columns, and the word forms the
    columns that also depend on the author and the block are computed from."""

    row: tuple[float, ...]
    words: tuple[str, ...] = attrs.field(repr=False)
    nw: int = 0
    long_words: tuple[str, ...] = attrs.field(default=(), repr=False)
    joined: str = attrs.field(default="", repr=False)
    norm: str = attrs.field(default="", repr=False)


@_cached
def _text_features(raw: str) -> _TextFeatures:
    v = [0.0] * _NS
    rw = _WORD.findall(raw)
    words = [fold(w).strip("'’.") for w in rw]
    nw = len(words)
    v[0 if nw <= 1 else 1 if nw == 2 else 2 if nw == 3 else 3 if nw <= 5 else 4] = 1.0
    v[5] = float(len(raw) > 40)
    if rw:
        v[6] = sum(1 for w in rw if w[:1].isupper()) / len(rw)
    v[7] = float(raw.isupper() and len(raw) > 3)
    nd = len(_DIGIT.findall(raw))
    v[8] = float(nd > 0)
    v[9] = nd / max(1, len(raw))
    v[10] = float("," in raw)
    v[11] = float(raw.rstrip().endswith("."))
    parts = [p for w in words for p in _PART_SPLIT.split(w) if p] if ("-" in raw or "/" in raw or "&" in raw) \
        else words
    v[12] = float(not _F_TITLE.isdisjoint(parts))
    low_raw = raw.casefold()
    v[13] = float(any(p in low_raw for w in _PHRASE_FIRST.keys() & words for p in _PHRASE_FIRST[w]))
    v[_COL_COMPOUND] = float(any(len(p) >= 8 and p.endswith(_TITLE_ENDINGS) for p in parts))
    # set operations instead of any()/all() over the words: same answers, a fraction
    # of the interpreter work (this runs once per distinct segment)
    v[14] = float(bool(parts) and _F_MOD.issuperset(parts))
    v[15] = float(not _F_MOD.isdisjoint(parts))
    v[16] = float(_suffix(raw))
    v[17] = float(not _F_ORG.isdisjoint(words))
    v[18] = float("&" in raw or " and " in raw)
    # 19, 20: the author's and the block's domains (segment_features)
    if nd:  # a street number, a postcode and a P.O. box number all need a digit
        low_toks = [t.strip(".,;:()").casefold() for t in raw.split()]
        v[21] = float(_street(raw, low_toks))
        pc, us = _postcode(raw)
        v[22] = float(pc)
        v[23] = float(bool(_PO_BOX.search(raw)))
    else:
        us = False
    v[24] = float(raw.casefold().strip(" .,") in _F_COUNTRY)
    v[25] = float(us)
    v[26] = float(raw[:1].isdigit())
    # 27-29: overlap with the author (segment_features)
    v[30] = float(1 <= nw <= 4 and nd == 0 and "@" not in raw
                  and all(w[:1].isupper() or fold(w) in _NAME_PARTICLE_WORDS for w in rw))
    v[31] = float(bool(words) and words[0].rstrip(".") in _F_HONOR)
    v[32] = float(not _F_CRED.isdisjoint([w.replace(".", "") for w in words[1:]]))
    v[33] = float(not _F_NON_NAME.isdisjoint(words))
    v[34] = float(fold(raw.strip(" ,.!:;-")) in SIGNOFFS)
    v[35] = float(not _F_MOTTO.isdisjoint(words) or raw.rstrip().endswith(("!", "?")) or nw > 10)
    # segments come from usable lines only, which hold no legal-footer cue: the one way
    # a cue can still match ``segment + " "`` is a cue ending in a space ("hrb ") whose
    # stem ends the segment
    v[36] = float(low_raw.endswith(_SPACE_CUE_STEMS))
    v[37] = float(raw.rstrip().endswith(".") and nw >= 4 and sum(1 for w in rw if w[:1].islower()) >= nw / 2)
    return _TextFeatures(tuple(v), tuple(words), nw, tuple(w for w in words if len(w) >= 2), "".join(words),
                         _norm(raw))


def segment_features(lines: Sequence[str], usable: Sequence[bool], segs: Sequence[Segment],
                     values: Sequence[FieldValue], author: AuthorCues, block_domains: Sequence[Sequence[str]],
                     rules: Sequence[tuple[str, str]] = ()) -> np.ndarray:
    """The feature matrix of the segments (one row each, :data:`FEATURE_NAMES`).

    Rows are built as Python lists and turned into one array at the end: per-cell numpy
    assignment costs more than the features themselves on a block of a dozen segments."""
    m = len(segs)
    if not m:
        return np.zeros((0, N_FEATURES), dtype=np.float32)
    content = [i for i, ln in enumerate(lines) if usable[i] and ln.strip()]
    last_content = content[-1] if content else None
    rank = {li: k for k, li in enumerate(content)}
    value_lines = {v.line for v in values}
    email_lines = {v.line for v in values if v.field == "email"}
    phone_lines = {v.line for v in values if v.field == "phone"}
    rule_cols = [(_RULE_COLS[field], field == "name", val) for field, val in rules]
    a_tokens = author.tokens
    one_token = len(a_tokens) == 1
    a_local = author.local if author.local and len(author.local) >= 4 else None
    rows = []
    for sg in segs:
        raw = sg.text
        tf = _text_features(raw)
        v = list(tf.row)
        nw = tf.nw
        if author.domain_tokens:
            v[19] = float(_segment_domain_hit(raw, author.domain_tokens))
        if block_domains:
            v[20] = float(any(_segment_domain_hit(raw, d) for d in block_domains))
        toks = tf.long_words
        hits = sum(1 for w in toks if w in a_tokens) if a_tokens else 0
        v[27] = float(bool(toks) and hits >= 2 or (hits >= 1 and one_token and nw <= 3))
        v[28] = float(hits >= 1)
        v[29] = float(a_local is not None and tf.joined == a_local)
        li = sg.line
        r = rank.get(li, 9)
        v[38 if li == 0 else 39 if li == 1 else 40 if li == 2 else 41] = 1.0
        v[42] = float(r == 0)
        v[43] = float(r == 1)
        v[44] = float(r == 2)
        v[45] = float(li == last_content)
        v[46] = float(li in value_lines)
        v[47] = float(li in email_lines)
        v[48] = float(li in phone_lines)
        v[49] = float(sg.pieces > 1)
        v[50] = float(sg.piece == 0)
        v[51] = float(sg.soft)
        v[52] = float(sg.pieces >= 2)
        if rule_cols:
            ns = tf.norm
            for col, is_name, val in rule_cols:
                if ns == val or (is_name and ns and (val in ns)):
                    v[col] = 1.0
                elif ns and val and (ns in val or val in ns) and v[col] < 0.5:
                    v[col] = 0.5
        rows.append(v)
    # neighbours: the nearest segment on the previous and next content line (the
    # context keys are 0/1 columns, so their per-line maximum is exact in float32 too)
    by_line: dict[int, list[int]] = {}
    for k, sg in enumerate(segs):
        if not sg.soft:
            by_line.setdefault(sg.line, []).append(k)
    seg_lines = sorted(by_line)
    first_name_line = next((li for li in seg_lines if any(rows[k][_COL_NAME_SHAPE] or rows[k][_COL_AUTHOR_TOKEN]
                                                          for k in by_line[li])), None)
    nc = len(_CONTEXT_KEYS)
    line_ctx = {li: list(_ctx_of(rows[ks[0]])) if len(ks) == 1
                else [max(col) for col in zip(*(_ctx_of(rows[k]) for k in ks))] for li, ks in by_line.items()}
    pos_of = {li: q for q, li in enumerate(seg_lines)}
    zeros = [0.0] * nc
    out = []
    for k, sg in enumerate(segs):
        li = sg.line
        pos = pos_of.get(li)
        prev_ctx = line_ctx[seg_lines[pos - 1]] if pos is not None and pos > 0 else zeros
        next_ctx = line_ctx[seg_lines[pos + 1]] if pos is not None and pos + 1 < len(seg_lines) else zeros
        if first_name_line is not None:
            after1, after2 = float(li - first_name_line == 1), float(li - first_name_line == 2)
        else:
            after1 = after2 = 0.0
        out.append(rows[k] + prev_ctx + next_ctx + [float(li == 0 or not lines[li - 1].strip()), after1, after2,
                                                    float(li + 1 in value_lines)])
    return np.asarray(out, dtype=np.float32)


class TaggerModel:
    """An applied tagging model: segment classes by one matrix product, then decoding."""

    def __init__(self, payload: dict[str, Any], card: dict[str, Any] | None = None) -> None:
        from .artifacts import ModelError

        if tuple(payload["features"]) != FEATURE_NAMES or tuple(payload["classes"]) != CLASSES:
            raise ModelError("the tagger model was trained on other features than this plugin computes")
        self.coef = np.asarray(payload["coef"], dtype=np.float32)
        self.intercept = np.asarray(payload["intercept"], dtype=np.float32)
        self.threshold = float(payload.get("threshold", 0.5))
        self._cache: OrderedDict[tuple, tuple[FieldValue, ...]] = OrderedDict()
        self._lock = threading.Lock()
        self.card = card or {}
        self.version = str(self.card.get("version", payload.get("version", "1")))

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        z = X @ self.coef + self.intercept
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def tag(self, block: str, *, author_name: str | None = None, author_email: str | None = None,
            region_hint: str | None = None) -> list[FieldValue]:
        """Field values of one signature block, in line order.

        The same block comes back again and again in a mailbox (every email a person
        sends, every reply that quotes it), so results are kept in a bounded LRU cache
        keyed by the block and its author: a hit returns exactly what tagging returned
        (the values are frozen records).  :meth:`clear_cache` empties it (benchmarks do,
        between passes)."""
        key = (block, author_name, author_email, region_hint)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
        if hit is not None:
            return list(hit)
        prep = prepare(block, author_name, author_email, region_hint)
        values = decode(prep, self.probabilities(prep.features) if prep.segments else None, self.threshold)
        if isinstance(block, str) and len(block) <= MAX_BLOCK_CHARS:
            with self._lock:
                self._cache[key] = tuple(values)
                if len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return values

    def clear_cache(self) -> None:
        """Forget the blocks read so far, and the per-line and per-segment results behind
        them (:func:`clear_caches`), so a benchmark pass starts cold."""
        with self._lock:
            self._cache.clear()
        clear_caches()


def decode(prep: Prepared, probs: np.ndarray | None, threshold: float = 0.5) -> list[FieldValue]:
    """Pick the values from segment probabilities (see the module docstring).

    The probabilities are read from one ``tolist()`` copy (exactly the float32 values,
    as Python floats) rather than one numpy scalar at a time; the address threshold is
    compared on the float32 column, as before."""
    out = list(prep.values)
    if probs is None or not len(prep.segments):
        return _sorted(out)
    segs = prep.segments
    pl = probs.tolist()
    used: list[tuple[int, int, int]] = []  # (line, start, end) taken

    def overlaps(sg: Segment) -> bool:
        return any(sg.line == li and sg.start < e and s < sg.end for li, s, e in used)

    # one name: the most likely segment that cleans to a person's name
    ni = _CI["name"]
    for k in np.argsort(-probs[:, ni], kind="stable").tolist():
        p = pl[k][ni]
        if p < threshold:
            break
        name = clean_person_name(segs[k].text)
        if name is None or not _LETTER.search(name):
            continue
        out.append(FieldValue("name", name, None, segs[k].line, round(min(0.97, p), 3)))
        used.append((segs[k].line, segs[k].start, segs[k].end))
        break
    # a company, then up to two titles, then the address lines
    for field, limit in (("company", 1), ("title", 2)):
        fi = _CI[field]
        taken = 0
        for k in np.argsort(-probs[:, fi], kind="stable").tolist():
            p = pl[k][fi]
            if p < threshold or taken >= limit:
                break
            sg = segs[k]
            if overlaps(sg):
                continue
            val = _clean(sg.text)
            if not val or not _LETTER.search(val):
                continue
            out.append(FieldValue(field, val, None, sg.line, round(min(0.95, p), 3)))
            used.append((sg.line, sg.start, sg.end))
            taken += 1
    ai = _CI["address"]
    over = (probs[:, ai] >= threshold).tolist()
    addr = [k for k in range(len(segs)) if over[k] and not overlaps(segs[k]) and not segs[k].soft]
    if addr:
        groups: list[list[int]] = []
        for k in addr:
            if groups and segs[k].line - segs[groups[-1][-1]].line <= 1 and len(groups[-1]) < 4:
                groups[-1].append(k)
            else:
                groups.append([k])
        grp = max(groups, key=lambda g: (sum(pl[k][ai] for k in g), -g[0]))
        value = ", ".join(_clean(segs[k].text) for k in grp if _clean(segs[k].text))
        if value:
            conf = float(probs[grp, ai].mean())
            out.append(FieldValue("address", value, None, segs[grp[0]].line, round(min(0.9, conf), 3)))
    return _sorted(out)


@_cached
def _clean(seg: str) -> str:
    s = " ".join(seg.split()).strip(_EDGE)
    if s.endswith(".") and s.count(".") == 1 and not s.split()[-1].replace(".", "").casefold() in COMPANY_SUFFIXES_FOLDED:
        s = s.rstrip(".")
    return s


def _sorted(values: list[FieldValue]) -> list[FieldValue]:
    return sorted(values, key=lambda fv: (fv.line, FIELD_ORDER.index(fv.field)))


def gold_segment_labels(prep: Prepared, gold: Sequence[Any]) -> list[int]:
    """The class of each segment from gold field spans (for training): the field whose
    span covers most of the segment, when it covers at least 60 % of it and the segment
    covers at least 60 % of the span, else ``other``."""
    ci = {c: i for i, c in enumerate(CLASSES)}
    spans = []
    for g in gold:
        if g.field in ("name", "title", "company", "address") and g.start >= 0:
            spans.append((g.start, g.end, g.field))
    out = []
    for sg in prep.segments:
        s = prep.raw_offsets[sg.line] + prep.prefixes[sg.line] + sg.start
        e = prep.raw_offsets[sg.line] + prep.prefixes[sg.line] + sg.end
        best, best_cov = "other", 0.0
        for a, b, f in spans:
            inter = max(0, min(e, b) - max(s, a))
            if not inter:
                continue
            cov_seg = inter / max(1, e - s)
            cov_span = inter / max(1, b - a)
            if f == "address":
                ok = cov_seg >= 0.6
            else:
                ok = cov_seg >= 0.6 and cov_span >= 0.6
            if ok and cov_seg > best_cov:
                best, best_cov = f, cov_seg
        out.append(ci[best])
    return out
