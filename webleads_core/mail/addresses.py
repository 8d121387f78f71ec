"""Address headers, display names and header text decoding, safe on hostile input.

The standard library's ``email.utils.getaddresses`` on Python 3.11.7 misparses
``alice@example.org)<bob@example.org>`` (CVE-2023-27043) and ``policy.default`` is
super-linear on long address lists, so address headers go through the small
tokenizer below instead.  It is linear in the length of the header (every pattern
uses disjoint character classes and bounded quantifiers), never recurses, and treats
anything ambiguous as invalid: an element that could name two different addresses
yields none of them, plus an ``address.invalid`` defect.

Also here, because display names need them: charset resolution
(:func:`resolve_charset`, :func:`decode_bytes`) and RFC 2047 encoded-word decoding
(:func:`decode_encoded_words`), shared with :mod:`webleads_core.mail.parse`.
"""

from __future__ import annotations

import binascii
import codecs
import functools
import re
import unicodedata

from webleads_core.mail.limits import DEFAULT_LIMITS, MailLimits

__all__ = [
    "clean_display_name",
    "decode_bytes",
    "decode_encoded_words",
    "normalize_email",
    "parse_address_header",
    "resolve_charset",
    "sanitize_field",
]

# --------------------------------------------------------------------------- charsets

_CHARSET_NAME = re.compile(r"\A[A-Za-z0-9._:+-]{1,40}")
#: Codecs that exist in Python but must never decode mail: utf-7 hides markup from
#: filters (a known XSS/spoofing vector), the others are not charsets at all.
_BOGUS_CODECS = frozenset(
    {
        "utf-7",
        "idna",
        "punycode",
        "unicode-escape",
        "raw-unicode-escape",
        "undefined",
        "mbcs",
        "oem",
        "palmos",
    }
)


@functools.lru_cache(maxsize=256)
def resolve_charset(name: str | None) -> str | None:
    """The Python codec name for a MIME charset label, or None if unknown or bogus.

    ``utf-7``, bytes-to-bytes codecs (``base64``, ``zlib`` ...) and other non-charsets
    count as bogus.  Cached: unknown labels cost an import attempt in ``codecs``.
    """
    if not name:
        return None
    label = name.strip().strip("\"'").strip()
    if not _CHARSET_NAME.fullmatch(label):
        return None
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError, TypeError):
        return None
    codec = info.name.replace("_", "-").lower()
    if codec in _BOGUS_CODECS or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def decode_bytes(
    data: bytes, charset: str | None, defects: list[str], *, undeclared: str = "cp1252"
) -> str:
    """Decode ``data`` declared as ``charset``; never raises.

    * unknown or bogus charset (utf-7 included): utf-8 with replacement characters,
      defect ``charset.unknown``;
    * bytes invalid in the declared charset: replacement characters, defect
      ``charset.decode_error``;
    * no charset (or us-ascii) but 8-bit bytes: utf-8 if they are valid utf-8, else
      ``undeclared`` (windows-1252 for bodies: what undeclared 8-bit mail almost always
      is; ``"utf-8"`` gives replacement characters), defect ``charset.undeclared_8bit``.
    """
    codec: str | None
    if charset is None or not charset.strip():
        codec = None
    else:
        codec = resolve_charset(charset)
        if codec is None:
            defects.append("charset.unknown")
            return data.decode("utf-8", "replace")
    if data.isascii() and (codec is None or not codec.startswith(("utf-16", "utf-32"))):
        return data.decode("ascii")
    if codec is None or codec == "ascii":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            defects.append("charset.undeclared_8bit")
            return data.decode(undeclared, "replace")
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        defects.append("charset.decode_error")
    except (LookupError, ValueError, TypeError, OverflowError):
        defects.append("charset.unknown")
        return data.decode("utf-8", "replace")
    try:
        return data.decode(codec, "replace")
    except (LookupError, UnicodeError, ValueError, TypeError, OverflowError):
        return data.decode("utf-8", "replace")


# ---------------------------------------------------------------- RFC 2047 encoded words

# =?charset[*lang]?Q|B?text?=  -- the three parts cannot contain "?" or whitespace, so a
# failed match stops at the next "?" and the scan stays linear.
_ENCODED_WORD = re.compile(
    r"=\?([^?\s*]{1,64})(?:\*[^?\s]{0,32})?\?([QqBb])\?([^?\s]{0,2048})\?="
)
_BASE64_TEXT = re.compile(r"\A[A-Za-z0-9+/]{0,4096}+={0,2}")
_BAD_QP = re.compile(r"=(?![0-9A-Fa-f]{2})")


def _decode_word(kind: str, text: str, defects: list[str]) -> bytes | None:
    if kind in "bB":
        if not _BASE64_TEXT.fullmatch(text) or len(text.rstrip("=")) % 4 == 1:
            defects.append("header.encoded_word_invalid")
            return None
        try:
            return binascii.a2b_base64(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
        except (binascii.Error, ValueError):
            defects.append("header.encoded_word_invalid")
            return None
    if _BAD_QP.search(text):
        defects.append("header.encoded_word_invalid")
    try:
        return binascii.a2b_qp(text.encode("utf-8", "replace"), header=True)
    except (binascii.Error, ValueError):
        defects.append("header.encoded_word_invalid")
        return None


def decode_encoded_words(value: str, defects: list[str]) -> str:
    """Decode the RFC 2047 encoded words of a header value; never raises.

    Whitespace between adjacent encoded words is dropped, and adjacent words in the same
    charset are joined *before* decoding (mailers split multi-byte characters across
    words).  A word with invalid base64 becomes U+FFFD, invalid quoted-printable is
    decoded leniently; both add ``header.encoded_word_invalid``.  Unknown charsets and
    utf-7 decode as utf-8 with replacement (``charset.unknown``).  The result may contain
    any character, CR and LF included: callers sanitise with :func:`sanitize_field`.
    """
    if "=?" not in value:
        return value
    out: list[str] = []
    pos = 0
    prev_was_word = False
    pend_cs: str | None = None
    pend: bytearray | None = None

    def flush() -> None:
        nonlocal pend, pend_cs
        if pend is not None:
            out.append(decode_bytes(bytes(pend), pend_cs, defects, undeclared="utf-8"))
        pend = None
        pend_cs = None

    for m in _ENCODED_WORD.finditer(value):
        between = value[pos : m.start()]
        if not (prev_was_word and (not between or between.isspace())):
            flush()
            out.append(between)
        charset, kind, text = m.group(1), m.group(2), m.group(3)
        raw = _decode_word(kind, text, defects)
        pos = m.end()
        if raw is None:
            flush()
            out.append("\ufffd")
            prev_was_word = False
            continue
        prev_was_word = True
        if pend is not None and pend_cs is not None and pend_cs.lower() == charset.lower():
            pend += raw
        else:
            flush()
            pend_cs = charset
            pend = bytearray(raw)
    flush()
    out.append(value[pos:])
    return "".join(out)


# --------------------------------------------------------------------------- sanitising

# C0/C1 controls, DEL, line/paragraph separators, bidi and other format characters
# (U+200B..U+200F, U+202A..U+202E, U+2060..U+206F, U+FEFF).
_CONTROLS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)
_SPACES = re.compile(r"\s{1,1000}")


def sanitize_field(value: str, max_chars: int = 16384) -> str:
    """One line of text safe to store and export: no CR, LF, NUL or other control or
    bidi-override character, whitespace collapsed, at most ``max_chars`` characters."""
    if value.isprintable() and "  " not in value and value == value.strip():
        return value[:max_chars].rstrip()  # fast path: nothing to remove
    value = _CONTROLS.sub(" ", value[: max_chars * 2])
    value = _SPACES.sub(" ", value).strip()
    return value[:max_chars].rstrip()


# ----------------------------------------------------------------------------- emails

_LOCAL = re.compile(r"\A[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}+){0,32}+")
# labels of letters/digits with inner hyphens; "." is outside both classes, so the
# only backtracking is inside one label (at most 63 characters).
_LABEL_RE = r"[^\W_](?:[^\W_]|-){0,62}+"
_DOMAIN = re.compile(rf"\A{_LABEL_RE}(?:\.{_LABEL_RE}){{1,126}}+")


def normalize_email(addr: str) -> str | None:
    """``local@domain`` with the domain lower-cased, or None if it is not a plain address.

    The local part must be a dot-atom of ASCII characters (quoted local parts, which are
    how ``"a@b"@c.com`` smuggles a second ``@``, are refused); the domain needs at least
    one dot, labels of letters, digits and inner hyphens, and a TLD that is not all
    digits (no IP literals).  The local part keeps its case; compare addresses
    case-insensitively.
    """
    if not addr or len(addr) > 254 or addr.count("@") != 1:
        return None
    local, domain = addr.split("@")
    if len(local) > 64 or not _LOCAL.fullmatch(local):
        return None
    domain = domain.lower()
    if domain.endswith("."):
        domain = domain[:-1]
    if len(domain) > 253 or not _DOMAIN.fullmatch(domain):
        return None
    if "-." in domain or domain.endswith("-"):
        return None  # a label may not end with a hyphen
    if domain.rsplit(".", 1)[1].isdigit():
        return None
    return f"{local}@{domain}"


# ----------------------------------------------------------------------- display names

_QUOTE_PAIRS = {'"': '"', "'": "'", "`": "'", "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb", "\u201e": "\u201c"}
_EMAILISH = re.compile(r"[^\s@<>()\"',;:]{1,64}@[^\s@<>()\"',;:]{1,253}\.[^\s@<>()\"',;:]{1,63}")
_NAME_BAD_CHARS = re.compile(r"[@<>\"\\]")
_VIA = re.compile(r"\s(?:\(\s{0,5})?via\s[^()]{1,100}\)?\s{0,5}\Z", re.IGNORECASE)
_TRAILING_ORG = re.compile(r"\s{0,5}(?:\([^()]{0,100}\)|\[[^\[\]]{0,100}\])\s{0,5}\Z")
_LAST_FIRST = re.compile(r"\A([^,]{1,60}+),\s{0,5}+([^,]{1,60}+)")
_NAME_TOKEN = re.compile(r"\A[^\W\d_](?:[^\W\d_]|['\u2019.-]){0,40}+")
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "dos", "das", "le", "la", "ter", "ten", "zu", "bin", "al"})
_NOT_NAMES = frozenset(
    {
        "jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "esq", "cpa", "dds", "rn",
        "inc", "llc", "ltd", "gmbh", "ag", "co", "corp", "corporation", "company", "sa", "sas",
        "sarl", "bv", "nv", "plc", "llp", "lp", "oy", "ab", "as", "spa", "srl", "kg",
        "team", "support", "sales", "info", "service", "services", "office", "admin",
        "marketing", "billing", "department", "dept", "group", "the", "and", "of", "for",
    }
)
_NAME_EDGE_PUNCT = ",;:|/-_*~=+"
_MAX_NAME = 128
_SIMPLE_NAME = re.compile(r"\A[^\W\d_](?:[^\W\d_]|[ .'-]){0,100}+")


def _is_name_part(part: str, max_words: int, allow_particles: bool) -> bool:
    words = part.split()
    if not 1 <= len(words) <= max_words:
        return False
    for i, w in enumerate(words):
        if allow_particles and i < len(words) - 1 and w.lower() in _PARTICLES:
            continue
        if not _NAME_TOKEN.fullmatch(w) or not w[0].isupper():
            return False
        if w.lower().strip(".") in _NOT_NAMES:
            return False
        letters = w.replace(".", "").replace("-", "").replace("'", "").replace("\u2019", "")
        if len(letters) > 2 and letters.isupper():
            return False  # "ACME", "CEO": not a clear first/last name
    return True


def _strip_quotes(s: str) -> str:
    for _ in range(4):
        if len(s) >= 2 and _QUOTE_PAIRS.get(s[0]) == s[-1]:
            s = s[1:-1].strip()
        else:
            break
    return s.strip("\"'`\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e ")


def clean_display_name(name: str | None) -> str | None:
    """A display name fit to store, or None.

    Removes control, bidi and line-break characters; drops the name entirely when it
    contains an e-mail address (a spoofing pattern: ``"ceo@bank.com" <x@evil.example>``);
    strips surrounding quotes, a mailing-list ``via X`` suffix and a trailing
    ``(Company)`` or ``[Company]``; removes ``@ < > " \\``; turns ``Doe, Jane`` into
    ``Jane Doe`` only when both sides are clearly names (one or two capitalised words,
    no suffix, title or company word); caps the length at 128 characters.
    """
    if not name:
        return None
    if _SIMPLE_NAME.fullmatch(name) and " via " not in name.lower():
        return " ".join(name.split())  # fast path: letters, spaces, dots, hyphens only
    s = sanitize_field(name, 1024)
    if not s or _EMAILISH.search(s):
        return None
    s = _strip_quotes(s)
    s = _NAME_BAD_CHARS.sub(" ", s)
    s = _SPACES.sub(" ", s).strip()
    stripped = _VIA.sub("", s).strip()
    if stripped:
        s = _strip_quotes(stripped)
    stripped = _TRAILING_ORG.sub("", s).strip()
    if stripped and any(c.isalpha() for c in stripped):
        s = _strip_quotes(stripped)
    m = _LAST_FIRST.fullmatch(s)
    if m:
        last, first = m.group(1).strip(), m.group(2).strip()
        if _is_name_part(last, 3, True) and _is_name_part(first, 2, False):
            s = f"{first} {last}"
    s = s.strip(_NAME_EDGE_PUNCT + " ")
    s = _SPACES.sub(" ", s).strip()
    if not s or not any(unicodedata.category(c).startswith("L") for c in s):
        return None
    if len(s) > _MAX_NAME:
        s = s[:_MAX_NAME].rsplit(" ", 1)[0].strip() or s[:_MAX_NAME]
    return s


# ----------------------------------------------------------------------- the tokenizer

# One token per match, all alternatives start with a distinct character class, so the
# scanner never backtracks across tokens.
_TOKEN = re.compile(
    r"""
    (?P<ew>=\?[^?\s*]{1,64}(?:\*[^?\s]{0,32})?\?[QqBb]\?[^?\s]{0,2048}\?=)
  | (?P<ws>\s{1,4096})
  | (?P<qs>"(?:[^"\\]|\\[\s\S]){0,16384}"?)
  | (?P<angle><[^<>]{0,1024}>?)
  | (?P<comment>\()
  | (?P<special>[,;:)>])
  | (?P<atom>[^\s"(),:;<>]{1,4096})
    """,
    re.VERBOSE,
)
_COMMENT_CHARS = re.compile(r"[()\\]")
_FOLD = re.compile(r"\r?\n[ \t]")
_BREAK = re.compile(r"[\r\n\x00]")
_MAX_COMMENT_DEPTH = 32


def _scan_comment(value: str, pos: int) -> tuple[str, int, bool]:
    """Scan a (possibly nested) comment starting at ``value[pos] == "("``.

    Returns its inner text, the position after it, and whether it was well formed.
    Iterative, so deep nesting cannot recurse.
    """
    depth = 0
    i = pos
    for m in _COMMENT_CHARS.finditer(value, pos):
        c = m.group()
        j = m.start()
        if j < i:
            continue  # the character after a backslash
        if c == "\\":
            i = j + 2
            continue
        if c == "(":
            depth += 1
            if depth > _MAX_COMMENT_DEPTH:
                return "", len(value), False
        else:
            depth -= 1
            if depth == 0:
                return value[pos + 1 : j], j + 1, True
        i = j + 1
    return value[pos + 1 :], len(value), False


class _Element:
    __slots__ = ("phrase", "angle", "angles", "after_angle", "comments", "invalid", "has_qs", "tokens")

    def __init__(self) -> None:
        self.phrase: list[tuple[str, str]] = []  # ("qs" | "atom", text)
        self.angle: str | None = None
        self.angles = 0
        self.after_angle = False
        self.comments: list[str] = []
        self.invalid = False
        self.has_qs = False
        self.tokens = 0


def _unquote(qs: str) -> str:
    inner = qs[1:-1] if len(qs) >= 2 and qs.endswith('"') else qs[1:]
    return re.sub(r"\\([\s\S])", r"\1", inner)


def _strip_comments(s: str) -> tuple[str, bool]:
    """Remove comments from inside an angle address; False if unbalanced."""
    if "(" not in s and ")" not in s:
        return s, True
    out = []
    pos = 0
    while pos < len(s):
        j = s.find("(", pos)
        k = s.find(")", pos)
        if k != -1 and (j == -1 or k < j):
            return s, False
        if j == -1:
            out.append(s[pos:])
            break
        out.append(s[pos:j])
        _, pos, ok = _scan_comment(s, j)
        if not ok:
            return s, False
    return "".join(out), True


def _finish(el: _Element, defects: list[str]) -> tuple[str | None, str] | None:
    """Turn one comma-separated element into ``(name, email)`` or None."""
    if el.tokens == 0:
        return None
    if el.invalid:
        defects.append("address.invalid")
        return None
    name_raw: str | None = None
    if el.angle is not None:
        if el.angles > 1 or el.after_angle:
            defects.append("address.invalid")
            return None
        inner, ok = _strip_comments(el.angle)
        inner = "".join(inner.split())
        if not ok:
            defects.append("address.invalid")
            return None
        if not inner:
            defects.append("address.empty")
            return None
        email = normalize_email(inner)
        if email is None:
            defects.append("address.invalid")
            return None
        atoms = [t for k, t in el.phrase if k == "atom"]
        bare = " ".join(atoms)
        if "@" in bare:
            # An unquoted "@" is not allowed in a display name.  A phrase that is the
            # same address is a common client habit; anything else could name a second
            # address (CVE-2023-27043 style), so the element yields nothing.
            if bare.strip().lower() != inner.lower() and _EMAILISH.search(bare):
                defects.append("address.invalid")
                return None
        if el.phrase:
            name_raw = " ".join(_unquote(t) if k == "qs" else t for k, t in el.phrase)
        elif el.comments:
            name_raw = el.comments[0]
    else:
        if el.has_qs or len(el.phrase) != 1:
            defects.append("address.invalid")
            return None
        email = normalize_email(el.phrase[0][1])
        if email is None:
            defects.append("address.invalid")
            return None
        if el.comments:
            name_raw = el.comments[0]
    name = None
    if name_raw:
        decoded = decode_encoded_words(name_raw, defects)
        lowered = email.lower()
        if any(m.group().lower() != lowered for m in _EMAILISH.finditer(decoded, 0, 4096)):
            defects.append("address.name_has_address")  # a spoofing pattern; name dropped
        name = clean_display_name(decoded)
        if name is not None and name.lower() == email.lower():
            name = None
    return name, email


def parse_address_header(
    value: str, limits: MailLimits | None = None
) -> tuple[list[tuple[str | None, str]], list[str]]:
    """Parse an address header value (unfolded, encoded words *not* yet decoded).

    Returns ``(pairs, defects)`` where ``pairs`` are ``(name, email)`` tuples, each email
    at most once (case-insensitive), at most ``limits.max_addresses`` of them.  Encoded
    words are decoded only inside display names, after the structure is known, so a
    decoded ``<`` or ``,`` cannot change it.  An email is never taken from a display name
    or a comment.  Defects: ``address.invalid``, ``address.empty`` (``<>``, an empty
    group such as ``undisclosed-recipients:;``), ``address.cap``, ``header.truncated``.
    """
    limits = limits or DEFAULT_LIMITS
    defects: list[str] = []
    pairs: list[tuple[str | None, str]] = []
    if not value:
        return pairs, defects
    if "\n" in value or "\r" in value or "\x00" in value:
        # Folding (a line break before white space) is fine; any other line break or a
        # NUL is an injection attempt ("...\r\nBcc: victim@x"): nothing after it counts.
        value = _FOLD.sub(" ", value)
        cut = _BREAK.search(value)
        if cut is not None:
            value = value[: cut.start()]
            defects.append("header.injection")
    if len(value) > limits.max_header_value:
        cut = value.rfind(",", 0, limits.max_header_value)
        value = value[:cut] if cut > 0 else ""
        defects.append("header.truncated")
    seen: set[str] = set()
    el = _Element()
    in_group = False
    group_members = 0
    pos = 0
    n = len(value)
    capped = False

    def finish() -> None:
        nonlocal el, group_members, capped
        if el.tokens and in_group:
            group_members += 1
        res = _finish(el, defects)
        el = _Element()
        if res is not None:
            key = res[1].lower()
            if key not in seen:
                seen.add(key)
                pairs.append(res)
                if len(pairs) >= limits.max_addresses:
                    capped = True

    while pos < n and not capped:
        m = _TOKEN.match(value, pos)
        if m is None:  # cannot happen (the alternatives cover every character); be safe
            el.invalid = True
            el.tokens += 1
            pos += 1
            continue
        kind = m.lastgroup
        text = m.group()
        if kind == "ws":
            pos = m.end()
            continue
        if kind == "comment":
            inner, pos, ok = _scan_comment(value, pos)
            el.tokens += 1
            if ok:
                el.comments.append(inner)
            else:
                el.invalid = True
            continue
        pos = m.end()
        if kind == "special":
            if text == ",":
                finish()
            elif text == ";":
                finish()
                if in_group:
                    if group_members == 0:
                        defects.append("address.empty")
                    in_group = False
            elif text == ":":
                if in_group or el.angle is not None:
                    el.invalid = True  # nested group, or ":" after an address
                    el.tokens += 1
                else:
                    # group start: the phrase so far is the group's name, never an address
                    el = _Element()
                    in_group = True
                    group_members = 0
            else:  # a stray ")" or ">" is never part of a valid address
                el.invalid = True
                el.tokens += 1
            continue
        el.tokens += 1
        if kind == "angle":
            el.angles += 1
            if not text.endswith(">") or len(text) < 2:
                el.invalid = True
            el.angle = text[1:-1] if text.endswith(">") else text[1:]
            continue
        if el.angle is not None:
            el.after_angle = True
            continue
        if kind == "ew":
            el.has_qs = True  # an encoded word is a display name, never an address
            el.phrase.append(("ew", text))
        elif kind == "qs":
            el.has_qs = True
            if not text.endswith('"') or len(text) < 2:
                el.invalid = True
            el.phrase.append(("qs", text))
        else:
            el.phrase.append(("atom", text))
    if capped:
        if pos < n and value[pos:].strip(" \t\r\n,;"):
            defects.append("address.cap")
    else:
        finish()
        if in_group:
            # group never closed with ";": the members found still count
            if group_members == 0:
                defects.append("address.empty")
    return pairs, defects
