"""Who a quoted or forwarded message is from (and to): the people named in its header.

:func:`parse_quoted_header` reads the text of a ``reply_header`` or ``forward_header``
zone: an attribution line (``On Mon, 3 Mar 2025 at 10:12, Jane Doe <jane@x.example>
wrote:`` and its French, German, Spanish, Italian, Dutch, Portuguese ... forms, also
wrapped), an Outlook/Gmail/Apple Mail block (``From:``/``To:``/``Cc:`` and their
localised labels), or a Lotus Notes block (``"Doe, Jane" <jane@x.com> on 09/13/2001
07:58 PM``, ``Jane Doe/HOU/ECT@ECT``).

Rules: the address comes from ``<...>``, ``[mailto:...]``, ``[...]`` or a part that is
only an address, never out of a display name; domains are lower-cased; names lose their
quotes and brackets and are dropped when they contain ``@`` or ``<``; a name without an
address is kept (with email ``""``) only for the ``from`` header.
"""

from __future__ import annotations

import re

from . import cues as C

#: At most this many lines of a header zone are read.
MAX_LINES = 60

_ANGLE = re.compile(r"<\s{0,3}(?:mailto:)?([^<>\s]{1,320})\s{0,3}>")
_SQUARE = re.compile(r"\[\s{0,3}(?:mailto:)?([^\[\]\s]{1,320})\s{0,3}\]")
_ADDR = re.compile(r"^[^\s@<>()\[\],;:\"]{1,64}@[A-Za-z0-9.-]{1,253}$")
_NOTES_ADDR = re.compile(r"^([^/@<>\"]{1,80})/[^\s<>\"]{0,120}@[^\s.<>\"]{1,60}$")
_NOTES_ON = re.compile(
    r"(?i)\s{1,3}on\s{1,3}\d{1,2}/\d{1,2}/\d{2,4}\s{1,3}\d{1,2}:\d{2}(?::\d{2})?\s{0,3}(?:am|pm)?\s{0,3}$"
)
_LOTUS_AT_ORG = re.compile(r"\s@\s[^\s@]{1,60}(?:\s{1,40}\d{1,2}/\d{1,2}/\d{2,4}[^\n]{0,40})?$")
_TRAILING_DATE = re.compile(r"\s{1,40}\d{1,2}/\d{1,2}/\d{2,4}(?:\s{1,3}\d{1,2}:\d{2}(?::\d{2})?\s{0,3}(?:[AaPp][Mm])?)?\s{0,3}$")
_PARENS = re.compile(r"\([^()]{0,100}\)")
# (?i) cues with their fast twins for ASCII text (same spans: see cues.Caseless)
_WROTE_ANY = C.Caseless(C.WROTE_ANY)
_HEADER_FIELD = C.Caseless(C.HEADER_FIELD)
_FORWARD_SEPARATOR = C.Caseless(C.FORWARD_SEPARATOR)
_ORIGINAL_SEPARATOR = C.Caseless(C.ORIGINAL_SEPARATOR)
_DATE_TIME_LINE = C.Caseless(C.DATE_TIME_LINE)
#: ``\s+`` on at most 300 (1200) characters.
_BLANKS = re.compile(r"\s{1,300}")
_LONG_BLANKS = re.compile(r"\s{1,1200}")

#: Words that end a name when reading an attribution backwards.
_STOP = frozenset(
    """on le am el il op em den w dniu dnia at um à a alle ore om às as às, kl kl. klo o à las
    las wrote writes schrieb escribió escribio ha scritto schreef escreveu skrev kirjoitti napisał
    napisała pisze написал написала пишет écrit ecrit geschrieben hat heeft has written giorno
    mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday
    feb apr jun jul aug sep sept oct nov dec am pm a.m. p.m. gmt utc cet cest est edt pst pdt
    lun mer jeu ven sam dim mo di mi do fr sa so lu mi ju vi sá sab dom seg ter qua qui sex
    di wo do vr za zo г. в de del der van von the and et und y e""".split()
)
_NAME_PARTICLES = frozenset({"de", "del", "der", "van", "von", "da", "di", "du", "la", "le", "y"})


def normalize_email(raw: str) -> str:
    """A valid address with its domain lower-cased, or ``""``."""
    s = raw.strip().strip("'\"<>[]().,;:")
    if s.lower().startswith("mailto:"):
        s = s[7:]
    if s.count("@") != 1 or len(s) > 254 or not _ADDR.match(s):
        return ""
    local, domain = s.split("@")
    domain = domain.lower().rstrip(".")
    labels = domain.split(".")
    if len(labels) < 2 or any(not lab or lab.startswith("-") or lab.endswith("-") for lab in labels):
        return ""
    if not labels[-1].isalpha() or len(labels[-1]) < 2:
        return ""
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return ""
    return f"{local}@{domain}"


def clean_name(raw: str | None) -> str | None:
    """Display name without quotes, brackets and trailing junk; None if empty or if it
    looks like an address (contains ``@`` or ``<``)."""
    if not raw:
        return None
    s = _PARENS.sub(" ", raw[:200])
    s = s.replace("\\\"", "\"")
    s = _BLANKS.sub(" ", s).strip(" \t\"'`,;:*")
    if not s or "@" in s or "<" in s or ">" in s or "[" in s or "]" in s:
        return None
    if not any(ch.isalpha() for ch in s):
        return None
    return s[:100]


def _split_addresses(value: str) -> list[str]:
    """Split an address list on ``;`` (Outlook) or on commas outside quotes/brackets."""
    value = value[:2000]
    if ";" in value:
        return [p for p in value.split(";") if p.strip()]
    parts: list[str] = []
    depth = 0
    quoted = False
    cur: list[str] = []
    for ch in value:
        if ch == '"':
            quoted = not quoted
        elif ch in "<[(" and not quoted:
            depth += 1
        elif ch in ">])" and not quoted and depth:
            depth -= 1
        if ch == "," and not quoted and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur))
    return [p for p in parts if p.strip()]


def _parse_address(part: str) -> tuple[str | None, str]:
    """``(name, email)`` of one address; email ``""`` when there is none."""
    s = part.strip()
    s = _NOTES_ON.sub("", s)
    angles = list(_ANGLE.finditer(s))
    if angles:
        m = angles[-1]
        before = s[: m.start()]
        if "@" in before and before[-1:] not in (" ", "\t", '"', "'"):
            # 'alice@example.org)<bob@example.org>': which address is meant is ambiguous
            # (CVE-2023-27043): take neither
            return None, ""
        email = normalize_email(m.group(1))
        name = clean_name(s[: angles[0].start()]) if email else None
        return name, email
    squares = [m for m in _SQUARE.finditer(s) if "@" in m.group(1)]
    if squares:
        m = squares[-1]
        email = normalize_email(m.group(1))
        return (clean_name(s[: m.start()]) if email else None), email
    bare = s.strip(" \t\"'()")
    if "@" in bare and " " not in bare:
        email = normalize_email(bare)
        if email:
            return None, email
        notes = _NOTES_ADDR.match(bare)
        if notes:
            return clean_name(notes.group(1)), ""
        return None, ""
    notes = _NOTES_ADDR.match(s)
    if notes:
        return clean_name(notes.group(1)), ""
    # "Jane Doe jane@x.example": a trailing address token after the name
    toks = s.split()
    if len(toks) >= 2 and "@" in toks[-1] and all("@" not in t for t in toks[:-1]):
        email = normalize_email(toks[-1])
        if email:
            return clean_name(" ".join(toks[:-1])), email
    s = _LOTUS_AT_ORG.sub("", s)
    s = _TRAILING_DATE.sub("", s)
    if "@" in s:
        return None, ""
    return clean_name(s), ""


def _name_before(text: str) -> str | None:
    """The name that ends ``text`` in an attribution ("..., 10:12, Jane Doe")."""
    t = text.rstrip(" \t,")
    if t.endswith('"'):
        q = t.rfind('"', 0, len(t) - 1)
        if q >= 0:
            return clean_name(t[q + 1 : -1])
    toks = t.split()
    name: list[str] = []
    for tok in reversed(toks[-12:]):
        bare = tok.strip(",;()")
        if tok.endswith(",") and name:
            break
        if not bare:
            break
        low = bare.lower()
        if any(ch.isdigit() for ch in bare) or "@" in bare or "<" in bare or ">" in bare:
            break
        if low in _STOP and not (name and low in _NAME_PARTICLES and tok[:1].islower()):
            break
        name.append(bare)
        if tok.endswith(",") or len(name) >= 6:
            break
    if not name:
        return None
    name.reverse()
    if not any(w[:1].isupper() for w in name):
        return None
    return clean_name(" ".join(name))


def _parse_attribution(text: str) -> list[tuple[str | None, str, str]]:
    t = _LONG_BLANKS.sub(" ", text[:1200]).strip()
    t = t.rstrip(" :：")
    angles = list(_ANGLE.finditer(t))
    email = ""
    name: str | None = None
    if angles:
        m = angles[-1]
        email = normalize_email(m.group(1))
        if email:
            name = _name_before(t[: m.start()])
    else:
        verbs = list(_WROTE_ANY.finditer(t))  # (spans only)
        head = t[: verbs[-1].start()] if verbs else t
        after = t[verbs[-1].end():].strip(" :") if verbs else ""
        bare = [tok.strip(",;()\"'") for tok in head.split() if "@" in tok]
        for tok in bare:
            email = normalize_email(tok)
            if email:
                break
        if email:
            head = head[: head.rfind(bare[-1])] if bare else head
            name = _name_before(head)
        elif after and "@" not in after and len(after.split()) <= 6:
            name = clean_name(after)  # "Am 3. März schrieb Max Mustermann:"
        else:
            name = _name_before(head)
    if not email and not name:
        return []
    return [(name, email, "from")]


def parse_quoted_header(text: str) -> list[tuple[str | None, str, str]]:
    """``(display_name, email, header)`` triples named in a quoted header zone.

    ``header`` is ``from``, ``reply-to``, ``sender``, ``to`` or ``cc``.  Names without an
    address are returned (with email ``""``) only for ``from``.

    >>> parse_quoted_header("On Mon, 3 Mar 2025 at 10:12, Jane Doe <jane@x.example> wrote:")
    [('Jane Doe', 'jane@x.example', 'from')]
    """
    if not text:
        return []
    raw_lines = [x[: C.LINE_CAP].rstrip("\r") for x in text.split("\n")[:MAX_LINES]]
    lines = [C.QUOTE_PREFIX.sub("", x) if C.QUOTED.match(x) else x for x in raw_lines]
    fields: list[tuple[str, str]] = []
    other: list[str] = []
    cur: list[str] | None = None
    for line in lines:
        f = C.header_field(line)
        if f is not None:
            kind, value = f
            label = _HEADER_FIELD.match(line)  # (label lower-cased below)
            lab = _BLANKS.sub(" ", label.group("label").lower()) if label else ""
            if lab == "sent by":
                kind = "sender"
            elif lab in ("please respond to", "reply-to", "reply to", "antwort an", "répondre à", "responder a"):
                kind = "reply-to"
            fields.append((kind, value.strip().strip("*").strip()))
            cur = [kind]
            continue
        s = line.strip()
        if not s:
            cur = None
            continue
        if cur is not None and cur[0] in ("to", "cc", "from", "reply-to") and fields:
            prev = fields[-1][1]
            if prev.endswith((",", ";")) or "@" in s or "/" in s:
                fields[-1] = (fields[-1][0], prev + " " + s)
                continue
        cur = None
        other.append(s)

    out: list[tuple[str | None, str, str]] = []
    seen: set[tuple[str | None, str, str]] = set()

    def add(name: str | None, email: str, header: str) -> None:
        if not email and (header != "from" or not name):
            return
        key = (name, email, header)
        if key not in seen:
            seen.add(key)
            out.append(key)

    has_from = any(k == "from" for k, _ in fields)
    if not has_from:
        joined = " ".join(s for s in other if not _FORWARD_SEPARATOR.match(s) and not _ORIGINAL_SEPARATOR.match(s))
        if _WROTE_ANY.search(joined) or C.ATTRIBUTION_EMAIL_COLON.search(joined):
            for name, email, header in _parse_attribution(joined):
                add(name, email, header)
        else:
            # Lotus Notes: '"Doe, Jane" <jane@x.com> on 09/13/2001 07:58 PM', or a lone
            # sender line ('dkoya@mwe.com') over a date line under a separator
            for s in other[:4]:
                if _FORWARD_SEPARATOR.match(s) or _ORIGINAL_SEPARATOR.match(s) or C.RULE_LINE.match(s):
                    continue
                if _DATE_TIME_LINE.match(s):
                    continue
                if _NOTES_ON.search(s) or "@" in s or "/" in s:
                    name, email = _parse_address(s)
                    add(name, email, "from")
                break
    for kind, value in fields:
        if kind not in ("from", "to", "cc", "reply-to", "sender"):
            continue
        parts = [value] if kind in ("from", "sender") else _split_addresses(value)
        for part in parts[:200]:
            name, email = _parse_address(part)
            add(name, email, kind)
    return out
