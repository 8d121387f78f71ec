"""The rule-based signature field tagger: a transparent baseline for the ML tagger.

:func:`tag_signature` turns one signature block into typed, normalised field values.
How it decides, in order:

1. The block is capped at 4 KiB, ``>`` quote markers are removed, and processing
   stops at a reply/forward header, a disclaimer or a device/ad footer (those lines
   and everything after them are never read).  Lines with an Art. 9 cue or a legal
   footer cue are skipped one by one.
2. Emails, URLs (social profiles apart from websites) and phones are found by the
   :mod:`webleads_core.text` finders; phones are typed from their labels and read in
   the region given, else inferred from the block and the sender's domain.
3. What is left of each line once those values and their labels are cut out is split
   into segments at strong separators (``|``, ``•``, ``·``, `` – ``, tabs, runs of
   spaces).  Segments are classified:

   - **address**: street words with a number, P.O. boxes, or a postcode of a known
     country shape; consecutive address lines (up to three) are joined with ``, ``;
   - **name**: the segment most like the sender's display name / email local part
     (:func:`webleads_core.text.names.looks_like_name`), else the first name-shaped
     segment of the first lines; cleaned of credentials, honorifics and pronouns;
   - **title**: role words (``CEO``, ``Director``, ``Geschäftsführer``, ``gerente`` ...)
     near the name, never a sentence, motto or legal line;
   - **company**: a legal-form suffix (``Inc``, ``GmbH``, ``S.p.A.`` ...), the sender's
     domain spelled out (``northwind-logistics.example`` ~ ``Northwind Logistics``) or
     organisation words (``Consulting``, ``Tecnologia``) in a capitalised segment.
     A segment with a title and a company (``Director at Acme Inc``) is split.

Confidence is a plain function of the evidence (label seen, overlap with the
sender, kind of company cue) so the ML tagger has a baseline to beat.
"""

from __future__ import annotations

import functools
import re
from typing import Callable, Sequence, TypeVar

import attrs

from ..privacy.redact import sensitive_line
from ..text.emails import email_domain, find_emails, is_free_mail
from ..text.names import clean_person_name, fold, looks_like_name
from ..text.phones import find_phones, infer_region
from ..text.urls import find_urls, is_social_host, mastodon_handle, normalise_url, social_profile
from ..text.vocab import (
    COMPANY_SUFFIXES,
    COMPANY_SUFFIXES_CASE_SENSITIVE,
    COMPANY_SUFFIXES_FOLDED,
    CONTACT_LABELS,
    COUNTRY_NAMES,
    DEVICE_FOOTERS,
    DISCLAIMER_CUES,
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
    US_STATE_NAMES,
    US_STATES,
)

__all__ = ["FIELDS", "FieldValue", "MAX_BLOCK_CHARS", "clear_caches", "tag_signature"]

#: Input cap: a signature block is a few lines; more is a body.
MAX_BLOCK_CHARS = 4096
MAX_LINES = 40
FIELDS: tuple[str, ...] = ("name", "title", "company", "email", "phone", "address",
                           "website", "social")


@attrs.frozen
class FieldValue:
    """One field the tagger found in a signature block.

    Attributes:
        field: one of :data:`FIELDS`.
        value: the normalised value (E.164 phone, lower-case email, canonical URL,
            cleaned name) (personal data).
        subtype: phone type (``work``/``mobile``/``fax``/``other``) or social network
            name, else None.
        line: 0-based line of the block the value starts on.
        confidence: 0..1.
        extension: a phone extension kept apart from the E.164 value, else None.
    """

    field: str
    value: str = attrs.field(repr=False, metadata={"pii": True})
    subtype: str | None = None
    line: int = 0
    confidence: float = 0.5
    extension: str | None = attrs.field(default=None, repr=False)


# --------------------------------------------------------------------------- caches

#: Entries per cache.  The same lines come back in every signature of a person and of
#: their colleagues, and the tests below are pure functions of a line or segment, so
#: their results are kept (bounded LRU) instead of recomputed.
CACHE_SIZE = 8192
_CACHES: list[functools._lru_cache_wrapper] = []  # type: ignore[type-arg]
_F = TypeVar("_F", bound=Callable)


def _cached(fn: _F, size: int = CACHE_SIZE) -> _F:
    wrapped = functools.lru_cache(maxsize=size)(fn)
    _CACHES.append(wrapped)
    return wrapped  # type: ignore[return-value]


def clear_caches() -> None:
    """Empty the caches of line and segment tests (benchmarks start each pass cold)."""
    for c in _CACHES:
        c.cache_clear()


# the core's pure text functions, cached here (the ML tagger shares these copies)
_sensitive_line = _cached(sensitive_line)
_clean_person_name = _cached(clean_person_name)
_looks_like_name = _cached(looks_like_name)
_infer_region = _cached(infer_region, 512)


@functools.partial(_cached, size=512)
def _find_emails(text: str) -> tuple[tuple[str, tuple[int, int]], ...]:
    return tuple(find_emails(text))


@functools.partial(_cached, size=512)
def _find_urls(text: str) -> tuple[tuple[str, tuple[int, int]], ...]:
    return tuple(find_urls(text, bare_domains=True))


# --------------------------------------------------------------------------- patterns

_QUOTE_PREFIX_RE = re.compile(r"^[ \t]{0,4}(?:>[ \t]{0,2}){1,8}")
_STOP_RE = re.compile(
    r"(?i)^[ \t]{0,6}(?:-{2,10}[ \t]{0,3}(?:original message|forwarded message|message d'origine|"
    r"ursprüngliche nachricht|mensaje original|messaggio originale)|"
    r"(?:from|sent|to|subject|von|gesendet|an|betreff|de|envoyé|à|objet|para|asunto|enviado)[ \t]{0,2}:[ \t]{0,2}\S|"
    r"on .{0,200} wrote:?[ \t]{0,3}$|_{10,200}[ \t]{0,3}$|"
    r"\d{1,2}/\d{1,2}/\d{2,4}[ \t]{1,3}\d{1,2}:\d{2})"
)
_HARD_SPLIT_RE = re.compile(r"[ \t]{0,8}[|•·▪◦♦●¦][ \t]{0,8}|[ \t]{1,4}[–—][ \t]{1,4}|\t{1,8}")
_SPACE_RUN_SPLIT_RE = re.compile(r"[ \t]{3,60}")
_STATE_NAME_ZIP_RE = re.compile(r"\b([A-Z][a-z]{2,13}(?: [A-Z][a-z]{2,13})?)\.?,? {1,3}\d{5}(?:-\d{4})?\b")
_DASH_SPLIT_RE = re.compile(r"[ \t]{1,4}-[ \t]{1,4}")
_SPLIT_TITLE_COMPANY_RE = re.compile(
    r"(?i),[ \t]{1,4}|[ \t]{1,4}(?:at|@|chez|bei|en|presso|na|no|em|bij|for)[ \t]{1,4}|[ \t]{1,4}-[ \t]{1,4}"
)
_WORD_RE = re.compile(r"[^\W\d_][\w'’&]{0,40}")
_TOKEN_RE = re.compile(r"[^\s,;:()]{1,60}")
_DIGIT_RE = re.compile(r"\d")
_SPACES_RE = re.compile(r"\s{1,400}")
_OLE_RE = re.compile(r"<<[^<>\n]{0,80}>>|\[cid:[^\]\n]{0,200}\]|\[image[^\]\n]{0,200}\]")
_PO_BOX_RE = re.compile(r"(?i)\b(?:p\.?[ \t]{0,2}o\.?[ \t]{0,2}box|post[ \t]{0,2}box|postfach|postbus|"
                        r"b\.?p\.?|apartado|casilla|caixa postal)[ \t]{0,3}\d")
_HAS_LETTER_RE = re.compile(r"[^\W\d_]")

_EDGE = " \t,;:|*_~=•·-–—/\\\"'`()[]{}<>"
_ALL_PHONE_LABELS = frozenset(w for ws in PHONE_LABELS.values() for w in ws)
_LABEL_WORDS = frozenset(_ALL_PHONE_LABELS | CONTACT_LABELS | {"or", "and", "ou", "oder", "o", "y"})
_DEVICE = tuple(DEVICE_FOOTERS)
_SUFFIX_DOTTED = frozenset(s for s in COMPANY_SUFFIXES if s.endswith("."))
_AMPERSAND_ORG_RE = re.compile(r"[A-Z][\w'.-]{0,30}[ \t]{1,3}(?:&|and|und|et|y|e)[ \t]{1,3}[A-Z][\w'.-]{0,30}")
_ALNUM_FOLD_RE = re.compile(r"[^0-9a-z]{1,50}")
_TITLE_PHRASES_RE = re.compile(
    r"(?i)(?<!\w)(?:" + "|".join(re.escape(p) for p in sorted(TITLE_PHRASES, key=len, reverse=True)) + r")(?!\w)"
)
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "gob", "gouv"})
_PART_SPLIT_RE = re.compile(r"[-/&]")
_ROLE_ENDINGS = ("ist", "ologue", "ologe", "ólogo", "ologo")
#: Words a title never starts with (sentences do).
_SENTENCE_STARTS = frozenset({"the", "and", "or", "for", "of", "to", "in", "on", "at", "by", "with",
                              "from", "is", "are", "this", "that", "please", "thanks", "thank",
                              "call", "my", "your", "our", "we", "you", "it", "if", "see", "let"})
_ADDRESS_LABEL_RE = re.compile(
    r"(?i)^[ \t]{0,4}(?:address|addr|adresse|anschrift|dirección|direccion|indirizzo|endereço|"
    r"endereco|adres|office address|mailing address|postal address|visiting address|"
    r"besuchsadresse|postanschrift|sede)[ \t]{0,3}:"
)
_HOUSE_NUMBER_RE = re.compile(r"^\d{1,6}[A-Za-z]?,?[ \t]{1,3}[A-ZÄÖÜÉ][\w.'-]{1,40}")
_SMALL_WORDS = frozenset({"of", "and", "&", "the", "for", "de", "du", "des", "la", "le", "der",
                          "die", "und", "für", "y", "e", "di", "da", "van", "von"})
_ACRONYM_RE = re.compile(r"[A-Z][A-Z&]{1,7}")


# accent-folded copies of the vocabularies (segments are folded before lookup)
_F_TITLE_WORDS = frozenset(fold(w) for w in TITLE_WORDS)
_F_TITLE_MODIFIERS = frozenset(fold(w) for w in TITLE_MODIFIERS)
_F_ORG_WORDS = frozenset(fold(w) for w in ORG_WORDS)
_F_MOTTO_CUES = frozenset(fold(w) for w in MOTTO_CUES)
_F_NON_NAME_WORDS = frozenset(fold(w) for w in NON_NAME_WORDS)
_SUFFIX_HEADS = frozenset(COMPANY_SUFFIXES_FOLDED) | {s.split()[0] for s in COMPANY_SUFFIXES_FOLDED}


def _cap(text: str) -> str:
    return text[:MAX_BLOCK_CHARS]


def _norm_space(s: str) -> str:
    return _SPACES_RE.sub(" ", s).strip()


_fold = _cached(fold, 16384)


@_cached
def _words(s: str) -> tuple[str, ...]:
    return tuple(_fold(w).strip("'’") for w in _WORD_RE.findall(s))


def _is_signoff(s: str) -> bool:
    low = s.casefold().strip(" ,.!:;-–—")
    return low in SIGNOFFS


def _is_device(s: str) -> bool:
    low = s.casefold().strip(" -_*")
    return low.startswith(_DEVICE)


_DISCLAIMER_TAIL_CUES = tuple(c for c in DISCLAIMER_CUES if c.endswith(" "))


@_cached
def _line_cues(low: str) -> tuple[bool, bool, bool]:
    """For a stripped, case-folded line: (a disclaimer cue in it, a disclaimer cue in it
    with a space appended, a legal-footer cue in it with a space appended).  Cues written
    with a trailing space ("hrb ") so match at the end of the line too; only such cues
    can match the appended space."""
    disclaimer = any(c in low for c in DISCLAIMER_CUES)
    spaced = low + " "
    return (disclaimer, disclaimer or any(c in spaced for c in _DISCLAIMER_TAIL_CUES),
            any(c in spaced for c in LEGAL_FOOTER_CUES))


# --------------------------------------------------------------------------- cues


@_cached
def _suffix_hit(seg: str) -> bool:
    return has_company_suffix(_TOKEN_RE.findall(seg))


def has_company_suffix(tokens: Sequence[str], longest: int = 3) -> bool:
    """A legal-form suffix ("Ltd", "GmbH", "S.A.", "Pty Ltd") after the first of
    ``tokens`` (punctuation around each is ignored): the sign of a company name.

    A suffix written in mixed case where only capitals are one ("Ag" for "AG") does not
    count, nor "company" unless it is the last word.  ``longest`` is the longest suffix
    tried, in words (the ML tagger's features were trained with two)."""
    toks = [t.strip(".,;:()'\"") for t in tokens]
    toks = [t for t in toks if t]
    if len(toks) < 2:
        return False
    folded = [t.casefold().replace(".", "") for t in toks]
    if _SUFFIX_HEADS.isdisjoint(folded[1:]):
        return False  # no suffix, nor the first word of one, after the first token
    for i in range(1, len(toks)):
        f = folded[i]
        if f in COMPANY_SUFFIXES_FOLDED:
            raw = toks[i].replace(".", "")
            if raw.upper() in COMPANY_SUFFIXES_CASE_SENSITIVE and raw != raw.upper():
                continue
            if f == "company" and i != len(toks) - 1:
                continue
            return True
        if longest >= 2 and i + 1 < len(toks) and f"{f} {folded[i + 1]}" in COMPANY_SUFFIXES_FOLDED:
            return True
        if longest >= 3 and i + 2 < len(toks) and f"{f} {folded[i + 1]} {folded[i + 2]}" in COMPANY_SUFFIXES_FOLDED:
            return True
    return False


@_cached
def _title_hit(seg: str) -> bool:
    words = _words(seg)
    if not words:
        return False
    parts = [p for w in words for p in _PART_SPLIT_RE.split(w) if p]
    # the word lookup first: it is cheap, and either test alone makes a title
    if not _F_TITLE_WORDS.isdisjoint(parts) or _TITLE_PHRASES_RE.search(seg):
        return True
    # role nouns by their ending: analyst, geologist, specialist (short segments only)
    return len(words) <= 4 and any(len(p) >= 7 and p.endswith(_ROLE_ENDINGS) for p in parts)


@_cached
def _motto(seg: str) -> bool:
    s = seg.strip()
    if s.endswith(("!", "?")) or s.count('"') >= 2 or s.count("“") or s.count("„"):
        return True
    words = _words(s)
    if not _F_MOTTO_CUES.isdisjoint(words):
        return True
    if len(words) > 10:
        return True
    # a sentence: ends with a period and most words lower-case
    if s.endswith(".") and len(words) >= 4:
        lower = sum(1 for w in _WORD_RE.findall(s) if w[:1].islower())
        if lower >= len(words) / 2:
            return True
    return False


def _domain_label(domain: str | None) -> tuple[str, ...]:
    if not domain or is_free_mail(domain):
        return ()
    labels = domain.split(".")
    if len(labels) < 2:
        return ()
    core = labels[-3] if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL else labels[-2]
    if core.startswith("xn--"):
        return ()
    return tuple(t for t in core.split("-") if t)


@_cached
def _domain_hit(seg: str, label_tokens: tuple[str, ...]) -> bool:
    if not label_tokens:
        return False
    compact = "".join(label_tokens)
    if len(compact) < 3:
        return False
    words = _words(seg)
    if not words:
        return False
    seg_compact = _ALNUM_FOLD_RE.sub("", " ".join(words))
    if seg_compact.startswith(compact) or all(t in words for t in label_tokens):
        return True
    caps = [w for w in _WORD_RE.findall(seg) if w[:1].isupper()]
    if len(caps) >= 2 and "".join(fold(w)[0] for w in caps) == compact:
        return True  # acronym: "International Business Machines" ~ ibm
    return False


@_cached
def _org_word_hit(seg: str) -> bool:
    words = _words(seg)
    if len(words) < 2:
        return False
    raw = _WORD_RE.findall(seg)
    caps = sum(1 for w in raw if w[:1].isupper() or w.isupper())
    if caps < max(1, (len(raw) + 1) // 2):
        return False
    if not _F_ORG_WORDS.isdisjoint(words):
        return True
    return bool(_AMPERSAND_ORG_RE.search(seg)) and not _title_hit(seg)


@_cached
def _street_hit(seg: str) -> bool:
    """A street word (or a German/Dutch street suffix) with a house number near it."""
    if _PO_BOX_RE.search(seg):
        return True
    if not _DIGIT_RE.search(seg) or _motto(seg):
        return False
    toks = [t.strip(".,;:()").casefold() for t in _TOKEN_RE.findall(seg)]
    numbered = [i for i, t in enumerate(toks) if t[:1].isdigit()]
    for i, t in enumerate(toks):
        if t.replace(".", "") in STREET_WORDS or t in STREET_WORDS:
            if any(abs(i - j) <= 4 for j in numbered):
                return True
        elif len(t) > 5 and t.endswith(STREET_SUFFIXES) and i + 1 in numbered:
            return True  # Hauptstraße 5, Keizersgracht 123
    return False


@_cached
def _postcode_hit(seg: str) -> bool:
    if not _DIGIT_RE.search(seg):
        return False  # every postcode shape (and the state-name ZIP) has digits
    for m in _STATE_NAME_ZIP_RE.finditer(seg):
        if m.group(1).casefold() in US_STATE_NAMES:
            return True
    for code, pat in POSTCODE_PATTERNS.items():
        m = pat.search(seg)
        if not m:
            continue
        if code == "US" and m.group(0)[:2] not in US_STATES:
            continue
        return True
    return False


@_cached
def _country_only(seg: str) -> bool:
    low = seg.casefold().strip(" .,")
    return low in COUNTRY_NAMES


@_cached
def _clean_value(seg: str) -> str:
    s = _norm_space(seg).strip(_EDGE)
    if s.endswith("."):
        last = s.split()[-1] if s.split() else ""
        if last not in _SUFFIX_DOTTED and not (len(last) <= 3 and last.count(".") >= 2):
            s = s.rstrip(".")
    return s


# --------------------------------------------------------------------------- segments


@attrs.define
class _Seg:
    line: int
    text: str
    kind: str | None = None


def _strip_labels(piece: str, left: bool, right: bool) -> str:
    """Drop contact labels (``Tel:``, ``E-mail``, ``Office``) next to a cut-out value."""
    toks = piece.split()
    for _ in range(3):
        changed = False
        if right and toks:
            for n in (2, 1):
                if len(toks) >= n and _label_word(" ".join(toks[-n:]).strip(_EDGE + ".#=")):
                    toks = toks[:-n]
                    changed = True
                    break
        if left and toks:
            for n in (2, 1):
                if len(toks) >= n and _label_word(" ".join(toks[:n]).strip(_EDGE + ".#=")):
                    toks = toks[n:]
                    changed = True
                    break
        if not changed:
            break
    return " ".join(toks)


def _label_word(w: str) -> bool:
    key = " ".join(w.casefold().replace(".", " ").replace(":", " ").split())
    return key in _LABEL_WORDS or key.replace(" ", "") in _LABEL_WORDS


@_cached
def _residual_pieces(line: str, spans: tuple[tuple[int, int], ...]) -> tuple[str, ...]:
    """The text of ``line`` outside ``spans``, as pieces with adjacent labels removed."""
    if not spans:
        return (line,)
    spans = tuple(sorted(spans))
    pieces: list[tuple[str, bool, bool]] = []
    pos = 0
    for s, e in spans:
        if s > pos:
            pieces.append((line[pos:s], pos > 0, True))
        pos = max(pos, e)
    if pos < len(line):
        pieces.append((line[pos:], True, False))
    out: list[str] = []
    for text, after_span, before_span in pieces:
        t = _strip_labels(text, left=after_span, right=before_span)
        t = t.strip(_EDGE)
        if t and _HAS_LETTER_RE.search(t):
            out.append(t)
    return tuple(out)


@_cached
def _split_strong(piece: str) -> tuple[str, ...]:
    """Split at separators (``|``, bullets, dashes, tabs); a part that is not an address
    is split again at runs of three or more spaces (column layouts)."""
    out: list[str] = []
    for part in _HARD_SPLIT_RE.split(piece):
        part = part.strip(_EDGE)
        if not part:
            continue
        if _street_hit(part) or _postcode_hit(part):
            out.append(_norm_space(part))
            continue
        out.extend(p.strip(_EDGE) for p in _SPACE_RUN_SPLIT_RE.split(part) if p.strip(_EDGE))
    return tuple(out)


# --------------------------------------------------------------------------- tagger


def tag_signature(
    block: str,
    *,
    author_name: str | None,
    author_email: str | None,
    region_hint: str | None = None,
) -> list[FieldValue]:
    """Field values of one signature block (see the module docstring for the rules).

    Values come back in line order; each field at most a few times (one name, one or
    two titles, one company, one address; every email, phone, website and profile).
    """
    if not isinstance(block, str) or not block.strip():
        return []
    text = _cap(block).replace("\r\n", "\n").replace("\r", "\n")
    raw_lines = text.split("\n")[:MAX_LINES]
    lines: list[str] = []
    for ln in raw_lines:
        ln = _QUOTE_PREFIX_RE.sub("", ln)
        ln = _OLE_RE.sub(" ", ln)
        lines.append(ln.replace("\x00", " ").rstrip())

    # -- which lines may be read
    usable = [True] * len(lines)
    stop = len(lines)
    seen_content = False
    for i, ln in enumerate(lines):
        s = ln.strip()
        if not s:
            continue
        low = s.casefold()
        if seen_content and _STOP_RE.match(s) or _is_device(s) or (len(low) > 12 and _line_cues(low)[0]):
            stop = i
            break
        if _is_signoff(s) and not seen_content:
            usable[i] = False
            continue
        if _sensitive_line(s) or _line_cues(low)[2]:
            usable[i] = False
            continue
        if _HAS_LETTER_RE.search(s) or _DIGIT_RE.search(s):
            seen_content = True
    for i in range(stop, len(lines)):
        usable[i] = False

    # joined text of the usable lines, with line offsets
    offsets: list[int] = []
    pos = 0
    for i, ln in enumerate(lines):
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

    results: list[FieldValue] = []
    cut: dict[int, list[tuple[int, int]]] = {}

    def add_cut(start: int, end: int) -> None:
        li = line_of(start)
        base = offsets[li]
        cut.setdefault(li, []).append((start - base, min(end, base + len(lines[li])) - base))

    author_domain = email_domain(author_email) if author_email else None
    norm_author = author_email.strip().lower() if author_email else None

    # -- emails (and fediverse handles, which look like emails after the first @)
    email_spans: list[tuple[int, int]] = []
    seen_emails: set[str] = set()
    for email, (s, e) in _find_emails(work):
        email_spans.append((s, e))
        add_cut(s, e)
        if email in seen_emails:
            continue
        seen_emails.add(email)
        conf = 0.95 if norm_author and email == norm_author else 0.9
        results.append(FieldValue("email", email, None, line_of(s), conf))

    # -- URLs and social profiles
    seen_urls: set[str] = set()
    for raw, (s, e) in _find_urls(work):
        if any(s < ee and ss < e for ss, ee in email_spans):
            continue
        add_cut(s, e)
        prof = social_profile(raw)
        if prof is not None:
            net, url = prof
            if url not in seen_urls:
                seen_urls.add(url)
                results.append(FieldValue("social", url, net, line_of(s), 0.85))
            continue
        if is_social_host(raw):
            continue  # share links and posts are neither profiles nor websites
        url = normalise_url(raw)
        if url is None or url in seen_urls:
            continue
        seen_urls.add(url)
        host = url.split("://", 1)[-1].split("/", 1)[0]
        if is_free_mail(host.removeprefix("www.")):
            continue
        conf = 0.9 if author_domain and host.removeprefix("www.").endswith(author_domain) else 0.8
        results.append(FieldValue("website", url, None, line_of(s), conf))
    for m in re.finditer(r"(?<![\w@])@[A-Za-z0-9_]{1,30}@[A-Za-z0-9.-]{1,200}\.[A-Za-z]{2,24}", work):
        prof = mastodon_handle(m.group(0))
        if prof and prof[1] not in seen_urls:
            seen_urls.add(prof[1])
            add_cut(m.start(), m.end())
            results.append(FieldValue("social", prof[1], prof[0], line_of(m.start()), 0.75))

    # -- phones (URL and email spans blanked so their digits are not read as numbers)
    chars = list(work)
    for ln_i, spans in cut.items():
        for s, e in spans:
            a, b = offsets[ln_i] + s, offsets[ln_i] + e
            if b > a:
                chars[a:b] = " " * (b - a)
    phone_text = "".join(chars)
    # every phone has a digit: without one, neither the matcher nor the region guess runs
    has_digit = bool(_DIGIT_RE.search(phone_text))
    region = (region_hint or _infer_region(work, author_domain)) if has_digit else None
    seen_phones: set[str] = set()
    for pm in find_phones(phone_text, region=region, max_chars=MAX_BLOCK_CHARS) if has_digit else ():
        add_cut(pm.span[0], pm.span[1])
        if pm.e164 in seen_phones:
            continue
        seen_phones.add(pm.e164)
        conf = 0.9 if pm.label else 0.8
        if pm.region_assumed:
            conf -= 0.1
        results.append(FieldValue("phone", pm.e164, pm.type, line_of(pm.span[0]), round(conf, 3),
                                  extension=pm.extension))

    # -- segments of what is left
    segs: list[_Seg] = []
    for i, ln in enumerate(lines):
        if not usable[i] or not ln.strip():
            continue
        for piece in _residual_pieces(ln, tuple(cut.get(i, ()))):
            for part in _split_strong(piece):
                if _is_signoff(part) or len(part) > 160:
                    continue
                segs.append(_Seg(i, part))

    label_tokens = _domain_label(author_domain)
    block_domains: list[tuple[str, ...]] = []
    for fv in results:
        if fv.field == "email":
            block_domains.append(_domain_label(fv.value.rsplit("@", 1)[1]))
        elif fv.field == "website":
            block_domains.append(_domain_label(fv.value.split("://", 1)[-1].split("/", 1)[0]))

    # -- addresses first (they carry capitalised words that look like names)
    addr_groups: list[list[_Seg]] = []
    for sg in segs:
        labelled = _ADDRESS_LABEL_RE.match(sg.text)
        if labelled:
            sg.text = sg.text[labelled.end():].strip(_EDGE)
        strong = bool(labelled) or _street_hit(sg.text) or _postcode_hit(sg.text)
        if strong and not _title_hit(sg.text) or strong and _DIGIT_RE.search(sg.text):
            sg.kind = "address"
            if addr_groups and addr_groups[-1][-1].line >= sg.line - 1 and len(addr_groups[-1]) < 3:
                addr_groups[-1].append(sg)
            else:
                addr_groups.append([sg])
    # continuation lines: a city/country line right after or before an address line
    for grp in addr_groups:
        for direction in (1, -1):
            edge = grp[-1] if direction == 1 else grp[0]
            cand = [s for s in segs if s.kind is None and s.line == edge.line + direction]
            if len(cand) == 1 and len(grp) < 3:
                c = cand[0]
                words = _words(c.text)
                plain = (not _title_hit(c.text) and not _suffix_hit(c.text)
                         and not _org_word_hit(c.text))
                if (_country_only(c.text)
                        or (direction == 1 and 1 <= len(words) <= 4 and plain and "," in c.text)
                        or (direction == -1 and plain and _HOUSE_NUMBER_RE.match(c.text)
                            and len(words) <= 5)):
                    c.kind = "address"
                    if direction == 1:
                        grp.append(c)
                    else:
                        grp.insert(0, c)
    if addr_groups:
        grp = max(addr_groups, key=len)
        value = ", ".join(_clean_value(s.text) for s in grp)
        if value:
            conf = 0.75 if len(grp) > 1 else 0.6
            results.append(FieldValue("address", value, None, grp[0].line, conf))

    # -- name
    name_seg: _Seg | None = None
    name_score = 0.0
    name_value = None
    content_lines = sorted({s.line for s in segs})
    early = set(content_lines[:4])
    best_possible = 0.95 if author_name or author_email else 0.5
    for sg in segs:
        if sg.kind is not None:
            continue
        cands = [sg.text]
        if "," in sg.text and _clean_person_name(sg.text) is None:
            cands.append(sg.text.split(",", 1)[0])
        for cand in cands:
            # a candidate that does not clean to two words or more is never taken,
            # whatever its score: it is not scored (looks_like_name is the dear part)
            cleaned = _clean_person_name(cand)
            if cleaned is None or len(cleaned.split()) < 2:
                continue
            # looks_like_name scores at most 0.5 for the shape plus 0.45 for overlap with
            # the author: a candidate that cannot beat the best so far (or reach the 0.56
            # a later line needs) is not scored
            if best_possible <= name_score + 1e-9 or (sg.line not in early and best_possible <= 0.56):
                continue
            sc = _looks_like_name(cand, author_name, author_email)
            overlap = sc > 0.56
            if not overlap and sg.line not in early:
                continue
            if sc > name_score + 1e-9:
                name_seg, name_score, name_value = sg, sc, cleaned
    if name_seg is not None and name_score >= 0.5 and name_value:
        name_seg.kind = "name"
        results.append(FieldValue("name", name_value, None, name_seg.line,
                                  round(min(0.95, 0.35 + 0.6 * name_score), 3)))
    else:
        name_seg, name_value = None, None
    name_line = name_seg.line if name_seg else None

    # -- titles and companies
    def near(sg: _Seg, reach: int) -> bool:
        if name_line is None:
            return sg.line in set(content_lines[:6])
        return -1 <= sg.line - name_line <= reach

    title_cands: list[tuple[_Seg, str]] = []
    company_cands: list[tuple[float, _Seg, str]] = []

    strengths: dict[str, float] = {}

    def company_strength(text: str) -> float:
        # the same segment is asked several times; the answer depends on the block too
        st = strengths.get(text)
        if st is None:
            st = strengths[text] = _company_strength(text)
        return st

    def _company_strength(text: str) -> float:
        if _motto(text) and not _suffix_hit(text):
            return 0.0
        if len(_words(text)) > 8:
            return 0.0
        if _suffix_hit(text):
            return 0.85
        if _domain_hit(text, label_tokens):
            return 0.8
        if any(_domain_hit(text, d) for d in block_domains):
            return 0.7
        if _org_word_hit(text) and not _title_hit(text):
            return 0.6
        return 0.0

    title_ok = _title_ok

    for sg in segs:
        if sg.kind is not None:
            continue
        text = sg.text
        is_title = title_ok(text)
        strength = company_strength(text)
        if is_title and strength >= 0.8 and not _TITLE_PHRASES_RE.fullmatch(text.strip()):
            # "Director at Acme Inc", "Head of Sales, Acme Ltd": split it
            parts = [p.strip(_EDGE) for p in _SPLIT_TITLE_COMPANY_RE.split(text) if p.strip(_EDGE)]
            done = False
            if len(parts) >= 2:
                merged: list[str] = []
                for p in parts:  # glue "Inc." back onto "Acme"
                    if merged and p.replace(".", "").casefold() in COMPANY_SUFFIXES_FOLDED:
                        merged[-1] = merged[-1] + ", " + p
                    else:
                        merged.append(p)
                t_parts = [p for p in merged if title_ok(p) and company_strength(p) < 0.8]
                c_parts = [p for p in merged if company_strength(p) >= 0.8 and not title_ok(p)]
                if t_parts and c_parts:
                    title_cands.append((sg, ", ".join(t_parts)))
                    company_cands.append((company_strength(c_parts[0]), sg, c_parts[0]))
                    done = True
            if done:
                continue
        if is_title and "," in text:
            head, _, tail = text.rpartition(",")
            tail = tail.strip(_EDGE)
            if head and tail and _ACRONYM_RE.fullmatch(tail) and title_ok(head):
                # "Senior Counsel, EWS": the acronym is the unit or company
                title_cands.append((sg, head))
                company_cands.append((0.5, sg, tail))
                continue
        if is_title and (strength < 0.8 or _title_words_only(text)):
            title_cands.append((sg, text))
        elif strength > 0:
            company_cands.append((strength, sg, text))
        elif "," in text or _DASH_SPLIT_RE.search(text):
            # "Jane Doe, CEO" after the name was taken, "Sales - Acme Consulting"
            for p in re.split(r",[ \t]{1,4}|[ \t]{1,4}-[ \t]{1,4}", text):
                p = p.strip(_EDGE)
                if not p:
                    continue
                if title_ok(p):
                    title_cands.append((sg, p))
                elif company_strength(p) > 0:
                    company_cands.append((company_strength(p), sg, p))

    taken_titles = 0
    for sg, t in title_cands:
        if not near(sg, 4) or taken_titles >= 2:
            continue
        val = _clean_value(t)
        if not val:
            continue
        conf = 0.8 if name_line is not None and 0 <= sg.line - name_line <= 2 else 0.6
        if _words(val) and all(w in _F_TITLE_MODIFIERS for w in _words(val)):
            continue
        results.append(FieldValue("title", val, None, sg.line, conf))
        taken_titles += 1

    if not company_cands and name_line is not None:
        # name / title / company is the usual order: an unclaimed capitalised line
        # right under the title (or the name) is most likely the organisation
        title_lines = [sg.line for sg, _ in title_cands if 0 <= sg.line - name_line <= 2]
        after = max(title_lines) if title_lines else name_line
        for sg in segs:
            if sg.kind is not None or not 0 < sg.line - after <= 1 or sg.line <= name_line:
                continue
            if any(sg is t for t, _ in title_cands):
                continue
            raw_words = _WORD_RE.findall(sg.text)
            if (1 <= len(raw_words) <= 5 and not _DIGIT_RE.search(sg.text)
                    and all(w[:1].isupper() or w.casefold() in _SMALL_WORDS for w in raw_words)
                    and not _motto(sg.text)
                    and _looks_like_name(sg.text, author_name, author_email) < 0.6):
                company_cands.append((0.45, sg, sg.text))
                break

    if company_cands:
        def rank(c: tuple[float, _Seg, str]) -> tuple[float, int]:
            strength, sg, _ = c
            dist = abs(sg.line - name_line) if name_line is not None else sg.line
            return (strength - 0.05 * min(dist, 6), -sg.line)

        best = max((c for c in company_cands if near(c[1], 6) or c[0] >= 0.8), key=rank, default=None)
        if best is not None:
            val = _clean_value(best[2])
            if val and _clean_person_name(val) != (name_value or None):
                results.append(FieldValue("company", val, None, best[1].line, best[0]))

    results.sort(key=lambda fv: (fv.line, FIELDS.index(fv.field)))
    return results


@_cached
def _title_ok(text: str) -> bool:
    """A title segment: role words, not a motto or a sentence, not too long."""
    if not _title_hit(text) or _motto(text):
        return False
    words = _WORD_RE.findall(text)
    if not words or len(words) > 10 or len(text) > 100:
        return False
    if _words(text)[0] in _SENTENCE_STARTS:
        return False
    return True


@_cached
def _title_words_only(text: str) -> bool:
    """True when a segment with a company-looking word is still a title
    (``Account Manager, Services`` has no legal suffix)."""
    return not _suffix_hit(text)
