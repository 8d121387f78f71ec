"""Features of the lines of an email, for the ML segmenter.

What the literature found matters (Carvalho and Cohen's Jangada, Repke and Krestel's
Quagga, Talon): the shape of a line and of its neighbours, its position from the end
of its message, whether it names the sender, sign-off and title vocabularies, phone,
email and URL shapes, and layout (length, indentation, blank lines around it).

Every cue reuses the core's compiled patterns and vocabularies
(:mod:`webleads_core.segment.cues`, :mod:`webleads_core.text.vocab`): one definition of
"a sign-off" for the rules and the model.  Each pattern sees at most
:data:`LINE_CAP` characters of a line and the costly ones only run when a cheap test
says they could match, so the cost per line is a few microseconds and linear in the
number of lines.

:func:`message_features` returns a float32 matrix with one row per non-blank line:
the line's own features, those of the previous and next non-blank lines (the window)
and a few features of the run of lines around it.
"""

from __future__ import annotations

import functools
import re
from typing import Sequence

import numpy as np

from webleads_core.segment import cues as C
from webleads_core.text.vocab import COMPANY_SUFFIXES_FOLDED, ORG_WORDS, SIGNOFFS, TITLE_WORDS

LINE_CAP = C.LINE_CAP
#: Quote levels read from ``>`` prefixes; deeper quotes are labelled ``quote``.
MAX_DEPTH = 8

_QUOTE_PREFIX = re.compile(r"^[ \t]{0,3}(?:>[ \t]?){1,50}")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W\d_][\w'’.&-]{0,40}")
_LOTUS = re.compile(r"[A-Za-z.' -]{2,60}/[A-Z]{2,10}(?:/[A-Z]{2,10}){0,3}@[A-Z][\w-]{1,20}")
_AT_ORG = re.compile(r"^[A-Z][\w.' -]{1,60}@(?:ENRON|ECT|EES|ENRON_DEVELOPMENT)\b", re.I)
_STRIP = " \t,.;:!-–—~*_'\"()[]"
_NO_DIGITS = str.maketrans("", "", "0123456789")
#: Cheap substring gates: a costly pattern only runs on a line holding one of these.
_DISCLAIMER_KEYS = ("confiden", "intended", "privileg", "prohibit", "error", "virus", "disclaim", "unauthori",
                    "recipient", "addressee", "dissemina", "attachment", "this e-mail", "this email", "this message",
                    "environment", "printing", "vertraul", "irrtüm", "empfänger", "diese", "weitergabe",
                    "destina", "ce message", "ce courriel", "interdit", "este mensaje", "este correo", "prohibid",
                    "riservat", "questo messaggio", "vertrouw", "geadresseerde", "dit bericht", "deze e",
                    "esta mensagem", "sigilo", "delete", "notify", "legally", "do not")
_LIST_KEYS = ("list", "unsubscri", "receiv", "reply to this", "github", "more options", "subscription")
_SOCIAL_KEYS = ("linkedin", "twitter", "facebook", "instagram", "xing", "github", "skype", "@")
_COPY_KEYS = ("copyright", "©", "(c)", "rights reserved")
_ADDRESS_KEYS = ("street", "st.", "ave", "boulevard", "blvd", "road", "rd.", "suite", "ste.", "floor", "fl.",
                 "drive", "dr.", "lane", "ln.", "way", "plaza", "square", "parkway", "pkwy", "box", "postfach",
                 "stra", "str.", "platz", "weg", "allee", "gasse", "rue", "bd", "chemin", "place", "cedex", "calle",
                 "avenida", "paseo", "via", "piazza", "corso", "laan", "straat", "plein", "gracht", "rua", "praça",
                 "travessa")
_F_TITLE = frozenset(TITLE_WORDS)
_F_ORG = frozenset(ORG_WORDS)
_F_SUFFIX = frozenset(COMPANY_SUFFIXES_FOLDED)
def _gate(keys: tuple[str, ...]) -> "re.Pattern[str]":
    return re.compile("|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)))


_DEVICE_STARTS = ("sent", "get ", "envoy", "obten", "télécharger", "von ", "gesendet", "outlook", "enviado",
                  "obter", "inviato", "scarica", "verzonden", "verstuurd", "skickat", "sendt", "lähetetty",
                  "wysłane", "отправлено")

#: Names of the per-line features, in column order.
BASE_NAMES: tuple[str, ...] = (
    "len_le_20", "len_le_40", "len_le_60", "len_le_80", "len_gt_80",
    "words_1", "words_2", "words_3_4", "words_5_7", "words_8p",
    "indent", "starts_upper", "all_caps", "cap_ratio",
    "ends_period", "ends_comma", "ends_colon", "ends_question", "ends_bang", "ends_qp",
    "digit_ratio", "has_digit", "digits_7p",
    "email", "url", "phone", "phone_label", "social",
    "signoff_exact", "signoff_start", "signoff_name", "thanks_sentence",
    "greeting", "name_greeting",
    "header_field", "hf_from", "hf_to", "hf_cc", "hf_date", "hf_subject",
    "original_sep", "forward_sep", "wrote_end", "attribution_start", "rule_line", "notes_from_on",
    "date_time_line", "headerish", "lotus_address",
    "title_cue", "company_cue", "address_cue", "title_word", "company_suffix", "org_word",
    "sender_line", "sender_token", "name_like",
    "disclaimer_words", "device", "list_footer", "attachment", "sig_delimiter", "dash_name",
    "frame_line", "copyright", "extension", "prose",
    "quoted", "depth_change", "blank_before", "blank_after",
    "end_1", "end_2", "end_3", "end_4_6", "end_7_10", "end_11_20", "end_gt_20",
    "start_0", "start_1", "start_2", "start_3_5", "start_6p", "text_position",
    "hcue",
)
_NB = len(BASE_NAMES)
_IDX = {n: i for i, n in enumerate(BASE_NAMES)}
#: Features describing the neighbourhood (run of lines up to the next boundary).
CONTEXT_NAMES: tuple[str, ...] = (
    "sigcues_after_1_4", "prose_after", "signoff_before_1_3", "name_then_sigcue",
    "signoff_then_name_end", "sigcues_before_1_3", "last_before_boundary",
)
#: All feature names: the line, then ``prev:`` and ``next:`` copies, then the context.
FEATURE_NAMES: tuple[str, ...] = (
    BASE_NAMES + tuple("prev:" + n for n in BASE_NAMES) + tuple("next:" + n for n in BASE_NAMES) + CONTEXT_NAMES
)
N_FEATURES = len(FEATURE_NAMES)


@functools.lru_cache(maxsize=4096)
def _fold(word: str) -> str:
    return C.fold(word)


class Sender:
    """Name tokens of a message's sender, to spot a line that names them."""

    __slots__ = ("tokens", "local")

    def __init__(self, name: str | None, email: str | None) -> None:
        toks: set[str] = set()
        if name:
            toks = {t for t in re.split(r"[\s,.\"'/()<>]+", C.fold(name[:200])) if len(t) >= 2 and "@" not in t}
        local = ""
        if email and "@" in email:
            local = C.fold(email.split("@", 1)[0])[:64]
            if not toks:
                toks = {t for t in re.split(r"[._\-+0-9]+", local) if len(t) >= 2}
        self.tokens = frozenset(toks)
        self.local = re.sub(r"[^a-z]", "", local)

    def __bool__(self) -> bool:
        return bool(self.tokens)

    def score(self, words: list[str]) -> tuple[float, float]:
        """(the line is the sender's name, the line holds a token of it)."""
        if not self.tokens or not words:
            return 0.0, 0.0
        folded = [_fold(w.strip(_STRIP)) for w in words[:8]]
        hits = sum(1 for w in folded if w in self.tokens)
        if not hits:
            squashed = "".join(folded)
            if self.local and len(squashed) >= 4 and squashed == self.local and len(words) <= 3:
                return 1.0, 1.0
            return 0.0, 0.0
        if len(words) <= 5 and all(w in self.tokens or len(w) <= 1 for w in folded):
            return 1.0, 1.0
        return 0.0, 1.0


def strip_quote(line: str) -> tuple[str, int]:
    """The line without its ``>`` prefixes, and how many there were."""
    if ">" not in line[:8]:
        return line, 0
    m = _QUOTE_PREFIX.match(line[:200])
    if not m:
        return line, 0
    return line[m.end():], m.group().count(">")


def _header_cue(s: str, low: str) -> tuple[int, ...]:
    """(header_field, from, to, cc, date, subject, original_sep, forward_sep, wrote_end,
    attribution_start, rule_line, notes_from_on, date_time_line, headerish, lotus)."""
    hf = fr = to = cc = date = subj = orig = fwd = wrote = attr = rule = notes = dtl = hdrish = lotus = 0
    if ":" in s:
        f = C.header_field(s)
        if f is not None:
            hf = 1
            k = f[0]
            fr, to, cc = int(k == "from"), int(k == "to"), int(k in ("cc", "bcc"))
            date, subj = int(k in ("date", "sent")), int(k == "subject")
        if s.endswith((":", "：")) and C.WROTE_END.search(s):
            wrote = 1
        if C.HEADERISH.match(s):
            hdrish = 1
        if C.DATE_TIME_LINE.match(s):
            dtl = 1
    if "-" in s or "_" in s or "=" in s or "*" in s:
        if C.ORIGINAL_SEPARATOR.match(s):
            orig = 1
        elif C.FORWARD_SEPARATOR.match(s) or C.FORWARD_BY_START.match(s):
            fwd = 1
        elif C.RULE_LINE.match(s):
            rule = 1
    elif s[:1] in "BbDdAaIiEeSs" and C.FORWARD_SEPARATOR.match(s):
        fwd = 1
    if not wrote and (low.endswith(("wrote", "writes", "schrieb", "écrit", "escribió", "scritto", "schreef",
                                     "escreveu", "skrev"))) and C.WROTE_END.search(s):
        wrote = 1
    if C.ATTRIBUTION_START.match(s):
        attr = 1
    if "/" in s:
        if C.NOTES_FROM_ON.search(s):
            notes = 1
        if "@" in s and _LOTUS.search(s):
            lotus = 1
        if not dtl and C.DATE_TIME_LINE.match(s):
            dtl = 1
    elif "@" in s and _AT_ORG.match(s):
        lotus = 1
    return (hf, fr, to, cc, date, subj, orig, fwd, wrote, attr, rule, notes, dtl, hdrish, lotus)


def _name_like(s: str, words: list[str]) -> bool:
    if not 1 <= len(words) <= 4 or len(s) > 40 or "@" in s:
        return False
    caps = 0
    for w in words:
        if not C.NAME_TOKEN.match(w.strip(",")):
            return False
        if w[:1].isupper():
            caps += 1
    return caps >= 1 and not s.endswith((".", "?", "!", ":", ";"))


def _prose(s: str, words: list[str]) -> bool:
    n = len(words)
    if n >= 7:
        alpha = [w for w in words if w[:1].isalpha()]
        if alpha and sum(1 for w in alpha if w[0].islower()) / len(alpha) >= 0.5:
            return True
    return len(s) > 90


#: Words of legal boilerplate, matched as whole words (a set lookup per word: the core's
#: DISCLAIMER_WORDS pattern costs 25 us per line, too much for every body line).
_DISCLAIMER_TOKENS = frozenset("""confidential confidentiality privileged intended recipient recipients addressee
addressees prohibited unauthorized unauthorised disclaimer dissemination distribution disclosure virus viruses
notify delete erroneous liability liable vertraulich vertrauliche empfänger irrtümlich unbefugte weitergabe
confidentiel confidentielle destinataire destinataires interdite interdit confidencial destinatario prohibida
riservato riservate destinatario vertrouwelijk geadresseerde destinatário sigilo""".split())
_LIST_KEYS_RE = _gate(_LIST_KEYS)
_SOCIAL_KEYS_RE = _gate(_SOCIAL_KEYS)
_COPY_KEYS_RE = _gate(_COPY_KEYS)
_ADDRESS_KEYS_RE = _gate(_ADDRESS_KEYS)


def line_vector(raw: str, sender: Sender | None) -> tuple[list[float], bool]:
    """The base features of one non-blank line (quote prefix already removed), and
    whether it is a strong header cue (a likely message boundary)."""
    s = raw[:LINE_CAP].strip()
    v = [0.0] * _NB
    n = len(s)
    words = s.split()
    nw = len(words)
    v[0 if n <= 20 else 1 if n <= 40 else 2 if n <= 60 else 3 if n <= 80 else 4] = 1.0
    v[5 if nw == 1 else 6 if nw == 2 else 7 if nw <= 4 else 8 if nw <= 7 else 9] = 1.0
    v[10] = 1.0 if raw[:1] in " \t" else 0.0
    first = s[0]
    v[11] = 1.0 if first.isupper() else 0.0
    v[12] = 1.0 if s[:80].isupper() else 0.0
    if nw:
        v[13] = sum(1 for w in words[:12] if w[:1].isupper()) / min(nw, 12)
    last = s[-1]
    v[14], v[15], v[16] = float(last == "."), float(last == ","), float(last == ":")
    v[17], v[18], v[19] = float(last == "?"), float(last == "!"), float(last == "=")
    nd = n - len(s.translate(_NO_DIGITS))
    v[20] = min(1.0, nd / max(1, n))
    v[21] = float(nd > 0)
    v[22] = float(nd >= 7)
    low = s.lower()
    if "@" in s and C.EMAIL.search(s):
        v[23] = 1.0
    if ("http" in low or "www" in low or ".com" in low) and C.URL.search(s):
        v[24] = 1.0
    if nd >= 7 and n <= 120:
        for m in C.PHONE.finditer(s):
            g = m.group()
            if 7 <= len(_DIGIT.findall(g)) <= 16:
                v[25] = 1.0
                break
    if nd >= 5 and n <= 120 and C.PHONE_LABEL.search(s):
        v[26] = 1.0
    if n <= 120 and ("@" in low or "linkedin" in low or "twitter" in low or "xing" in low or "facebook" in low or "skype" in low or "github" in low or "instagram" in low) and C.SOCIAL.search(s):
        v[27] = 1.0
    # sign-offs and greetings
    if n <= 60:
        bare = low.strip(_STRIP)
        if not bare.isascii():
            bare = C.fold(bare)
        v[28] = float(bare in SIGNOFFS)
        m = C.SIGNOFF.match(s)
        if m:
            v[29] = 1.0
            rest = s[m.end():].strip(" \t,.!:;-–—~)(")
            rw = rest.split()
            if rw and len(rw) <= 4 and not _DIGIT.search(rest) and all(C.NAME_TOKEN.match(w.strip(",.")) for w in rw):
                v[30] = 1.0
        if n <= 70 and C.THANKS_SENTENCE.match(s):
            v[31] = 1.0
        if C.GREETING.match(s):
            v[32] = 1.0
        if C.NAME_GREETING.match(s):
            v[33] = 1.0
    hc = _header_cue(s, low)
    v[34:49] = hc
    hcue = bool(hc[1] or hc[6] or hc[7] or (hc[8] and n < 300) or hc[11] or (hc[14] and nw <= 8))
    # signature vocabulary
    if n <= 100 and nw <= 12:
        if nw <= 6 and n <= 60:  # the core's title and company patterns, on signature-sized lines
            if C.TITLE.search(s):
                v[49] = 1.0
            if C.COMPANY.search(s):
                v[50] = 1.0
        if n <= 80 and (nd or _ADDRESS_KEYS_RE.search(low)) and C.ADDRESS.search(s):
            v[51] = 1.0
        toks = [w.strip(_STRIP).lower() for w in words[:10]]
        v[52] = float(any(t in _F_TITLE for t in toks))
        v[53] = float(any(t.replace(".", "") in _F_SUFFIX for t in toks[1:]))
        v[54] = float(any(t in _F_ORG for t in toks))
    if sender is not None and nw <= 8:
        v[55], v[56] = sender.score(words)
    v[57] = float(_name_like(s, words))
    # boilerplate
    if n >= 12 and nw >= 3:
        hits = len(_DISCLAIMER_TOKENS.intersection(w.strip(_STRIP) for w in low.split()))
        v[58] = min(3, hits) / 3.0
    if n <= 100 and low[:20].lstrip(" -_*").startswith(_DEVICE_STARTS) and C.DEVICE_FOOTER.match(s) \
            and C.DEVICE_WORDS.search(s):
        v[59] = 1.0
    if ("list" in low or "unsubscri" in low or "receiv" in low or "github" in low or "options" in low or "subscription" in low or "reply to this" in low) and C.LIST_FOOTER.search(s):
        v[60] = 1.0
    if (first in "<-([" or "attach" in low[:12]) and C.ATTACHMENT.match(s):
        v[61] = 1.0
    if n <= 6 and C.SIG_DELIMITER.match(raw[:LINE_CAP]):
        v[62] = 1.0
    if first in "-~—–" and C.DASH_NAME.match(s):
        v[63] = 1.0
    if first in "*=~#+_-" and C.FRAME_LINE.match(s):
        v[64] = 1.0
    if ("copyright" in low or "©" in low or "(c)" in low or "rights reserved" in low) and C.COPYRIGHT.search(s):
        v[65] = 1.0
    if n <= 16 and C.EXTENSION.match(s):
        v[66] = 1.0
    v[67] = float(_prose(s, words))
    return v, hcue


_END = (72, 73, 74, 75, 75, 75, 76, 76, 76, 76)  # rank from the end (0-based) -> column
_SIGCUE_COLS = (_IDX["email"], _IDX["url"], _IDX["phone"], _IDX["phone_label"], _IDX["title_cue"],
                _IDX["company_cue"], _IDX["address_cue"], _IDX["company_suffix"])


def message_features(
    lines: Sequence[str], sender: Sender | None
) -> tuple[np.ndarray, list[int], list[int], list[bool]]:
    """Features of the non-blank lines of ``lines``.

    Returns ``(X, index, depth, boundary)``: ``X`` has one row per non-blank line,
    ``index[k]`` is that line's position in ``lines``, ``depth[k]`` its quote depth and
    ``boundary[k]`` whether a new message may start at it (a strong header cue or a
    deeper quote).
    """
    rows: list[list[float]] = []
    index: list[int] = []
    depths: list[int] = []
    hcues: list[bool] = []
    blank_prev = True
    cur_sender = sender
    n_lines = len(lines)
    for i, line in enumerate(lines):
        body, depth = strip_quote(line)
        if not body[:LINE_CAP].strip():
            blank_prev = True
            if rows and not rows[-1][71]:
                rows[-1][71] = 1.0
            continue
        v, hcue = line_vector(body, cur_sender)
        if hcue and v[35]:  # "From: Name <addr>" of a quoted message: its sender from now on
            val = body.split(":", 1)[1] if ":" in body else ""
            name = re.sub(r"<[^<>]{0,200}>|\[[^\[\]]{0,200}\]|\"", " ", val[:200]).strip()
            if "@" in name and " " not in name:
                cur_sender = Sender(None, name)
            else:
                cur_sender = Sender(name.split("@")[0] if name else None, None) or cur_sender
        v[68] = float(depth > 0)
        v[69] = float(bool(depths) and depth != depths[-1])
        v[70] = float(blank_prev)
        v[84] = i / max(1, n_lines)
        v[85] = float(hcue)
        blank_prev = False
        rows.append(v)
        index.append(i)
        depths.append(depth)
        hcues.append(hcue)
    m = len(rows)
    if m == 0:
        return np.zeros((0, N_FEATURES), dtype=np.float32), [], [], []
    if rows:
        rows[-1][71] = 1.0
    boundary = [hcues[k] or (k > 0 and depths[k] > depths[k - 1]) for k in range(m)]
    # position inside the run between boundaries
    start = 0
    seg_starts = [k for k in range(m) if k == 0 or boundary[k]]
    seg_ends = seg_starts[1:] + [m]
    ctx = np.zeros((m, len(CONTEXT_NAMES)), dtype=np.float32)
    base = np.asarray(rows, dtype=np.float32)
    sigcue = base[:, _SIGCUE_COLS].max(axis=1)
    prose = base[:, _IDX["prose"]]
    signoff = np.maximum(base[:, _IDX["signoff_start"]], base[:, _IDX["signoff_exact"]])
    namey = np.maximum(base[:, _IDX["name_like"]], base[:, _IDX["sender_line"]])
    cs_sig = np.concatenate([[0.0], np.cumsum(sigcue)])
    cs_prose = np.concatenate([[0.0], np.cumsum(prose)])
    cs_off = np.concatenate([[0.0], np.cumsum(signoff)])
    for start, end in zip(seg_starts, seg_ends):
        ks = np.arange(start, end)
        r_end = end - 1 - ks
        cols = np.where(r_end < 10, np.asarray(_END)[np.minimum(r_end, 9)], np.where(r_end <= 20, 77, 78))
        base[ks, cols] = 1.0
        r_start = ks - start
        cols = np.select([r_start == 0, r_start == 1, r_start == 2, r_start <= 5], [79, 80, 81, 82], 83)
        base[ks, cols] = 1.0
        hi = np.minimum(end, ks + 5)
        ctx[ks, 0] = np.minimum(4.0, cs_sig[hi] - cs_sig[np.minimum(ks + 1, hi)]) / 4.0
        ctx[ks, 1] = np.minimum(4.0, cs_prose[end] - cs_prose[ks + 1]) / 4.0
        lo = np.maximum(start, ks - 3)
        ctx[ks, 2] = (cs_off[ks] - cs_off[lo]) > 0
        ctx[ks, 5] = np.minimum(3.0, cs_sig[ks] - cs_sig[lo]) / 3.0
        nxt_sig = np.zeros(len(ks))
        nxt_sig[:-1] = sigcue[start + 1:end]
        ctx[ks, 3] = (namey[ks] > 0) & (nxt_sig > 0)
        prev_off = np.zeros(len(ks))
        prev_off[1:] = signoff[start:end - 1]
        ctx[end - 1, 4] = float(namey[end - 1] > 0 and prev_off[-1] > 0)
        ctx[end - 1, 6] = 1.0
    prev = np.zeros_like(base)
    nxt = np.zeros_like(base)
    prev[1:] = base[:-1]
    nxt[:-1] = base[1:]
    X = np.hstack([base, prev, nxt, ctx])
    return X, index, depths, boundary
