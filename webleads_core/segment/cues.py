"""Regexes and small vocabularies the rule-based segmenter looks for.

Every pattern here is applied to one line cut to :data:`LINE_CAP` characters (or to at
most three such lines joined), uses bounded quantifiers only and has no quantified
group inside another quantifier, so that adversarial strings (``'a' * 10_000 + '!'``,
``'@' * 10_000``, ``'a.' * 5000``) stay linear.  The multilingual lists cover
English, French, German, Spanish, Italian, Dutch and Portuguese, with a few
Scandinavian, Polish and Russian forms.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterator

#: How many characters of a line any pattern looks at.
LINE_CAP = 300


#: The non-ASCII letters that ``re`` matches with an ASCII one under ``(?i)`` (dotless and
#: dotted I, long s, Kelvin sign).
_ASCII_CASE_PARTNERS = "\u0131\u0130\u017f\u212a"


def ascii_twin(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A case-sensitive twin of a ``(?i)`` pattern for lower-cased ASCII text, or None.

    On an ASCII text ``t``, ``twin.search(t.lower())`` finds the same spans (and groups,
    lower-cased) as ``pattern.search(t)`` when the pattern has no upper-case letter (but
    in ``A-Z``, made ``a-z``) and
    none of :data:`_ASCII_CASE_PARTNERS`: under ``(?i)`` an ASCII character then matches a
    pattern letter exactly when its lower-case form does, ``\\w``, ``\\s``, ``\\d`` and
    ``\\b`` do not depend on case, and ``lower()`` keeps the length of ASCII text.  Without
    ``(?i)`` the ``re`` module can skip to the possible first characters and try the
    branches of an alternation much faster.
    """
    src = pattern.pattern
    if not pattern.flags & re.IGNORECASE or not src.startswith("(?i)"):
        return None
    # [A-Z] matches any ASCII letter under (?i): on lower-cased text, [a-z] does
    body = src[4:].replace("A-Z", "a-z")
    rest = re.sub(r"\\.", "", re.sub(r"\(\?P[<=]", "(", body))  # escapes and group names out
    if re.search(r"[A-Z]|\(\?[a-zA-Z-]", rest) or any(ch in _ASCII_CASE_PARTNERS for ch in rest):
        return None
    return re.compile(body, pattern.flags & ~re.IGNORECASE)


class Caseless:
    """A ``(?i)`` pattern with its :func:`ascii_twin`: ``search``, ``match`` and ``finditer``
    give the spans of the pattern's, using the twin on ASCII text (pass ``low``, the
    text lower-cased, when it is at hand).  Groups come lower-cased on ASCII text."""

    __slots__ = ("pattern", "twin")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.twin = ascii_twin(pattern)

    def search(self, text: str, low: str | None = None) -> re.Match[str] | None:
        if self.twin is not None and text.isascii():
            return self.twin.search(text.lower() if low is None else low)
        return self.pattern.search(text)

    def match(self, text: str, low: str | None = None) -> re.Match[str] | None:
        if self.twin is not None and text.isascii():
            return self.twin.match(text.lower() if low is None else low)
        return self.pattern.match(text)

    def finditer(self, text: str, low: str | None = None) -> Iterator[re.Match[str]]:
        if self.twin is not None and text.isascii():
            return self.twin.finditer(text.lower() if low is None else low)
        return self.pattern.finditer(text)


def words_of(alternation: str) -> list[str]:
    """The phrases of an :func:`_alt` alternation (or of a plain ``a|b\\.c`` group), with
    their spaces back; ValueError if one is not a plain phrase."""
    words = []
    for raw in alternation.split("|"):
        chars: list[str] = []
        k = 0
        src = raw.replace(r"\s{1,3}", " ")
        while k < len(src):
            ch = src[k]
            if ch == "\\" and k + 1 < len(src) and not src[k + 1].isalnum():
                chars.append(src[k + 1])  # an escaped character stands for itself
                k += 2
                continue
            if ch in "()[]{}?*+^$.\\":
                raise ValueError(f"not a plain phrase: {raw!r}")
            chars.append(ch)
            k += 1
        w = "".join(chars)
        if not w:
            raise ValueError(f"not a plain phrase: {raw!r}")
        if any(ch in _ASCII_CASE_PARTNERS for ch in w):
            # the ASCII prefilters built on these phrases assume that no non-ASCII letter
            # of a phrase matches an ASCII one under (?i)
            raise ValueError(f"phrase with a letter matching ASCII under (?i): {w!r}")
        words.append(w)
    return words


def first_tokens(words: list[str]) -> frozenset[str]:
    """The first run of word characters of each phrase, lower-cased ("head of" -> "head",
    "ph.d" -> "ph", "reply-to" -> "reply").

    Used as a prefilter on ASCII text (there ``(?i)`` is plain lower-casing and ``\\w`` is
    ``[A-Za-z0-9_]``): where ``(?i)...(?:phrase|...)`` matches with no word character just
    before the phrase, the text's run of word characters starting there is the phrase's
    first token."""
    out = set()
    for w in words:
        k = 0
        while k < len(w) and (w[k].isalnum() or w[k] == "_"):
            k += 1
        out.add(w[:k].lower())
    return frozenset(out)


#: Runs of word characters in lower-cased ASCII text.
ASCII_WORD = re.compile(r"[a-z0-9_]{1,300}")


def _alt(words: str) -> str:
    """``"a|b c|d"`` (one phrase per line or ``|``) -> a regex alternation, longest first."""
    items = {w.strip() for chunk in words.split("\n") for w in chunk.split("|") if w.strip()}
    ordered = sorted(items, key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", r"\s{1,3}") for w in ordered)


# --------------------------------------------------------------------------- quotes

#: A ``>``-quoted line: up to three leading spaces, then ``>``.
QUOTED = re.compile(r"^ {0,3}>")
#: Strip one level of quoting (and the single space that usually follows it).
QUOTE_PREFIX = re.compile(r"^ {0,3}> ?")
#: Every level of quoting at the start of a line.
QUOTE_LEVELS = re.compile(r"^[ \t]{0,3}(?:>[ \t]?){1,50}")


def groupwise_attribution(line: str) -> tuple[str, int] | None:
    """GroupWise's reply attribution, ``>>> Name <address> 01/02/01 11:12AM >>>``, as
    ``(the text between the arrows, the quote depth it sits at)``, else None.

    GroupWise writes it above the message it quotes and does not quote that message, so
    the line opens a message at its own level: its arrows are a frame, not three quote
    levels.  Plain string tests, linear in the line; the text must hold a digit (the
    date)."""
    s = line[:LINE_CAP].rstrip()
    if not s.endswith(">>>"):
        return None
    m = QUOTE_LEVELS.match(s)
    if m is None:
        return None
    arrows = m.group().count(">")
    inner = s[m.end():-3].strip()
    if (arrows < 3 or not inner or inner[0] == ">" or inner[-1] == ">" and "<" not in inner
            or not any(c.isdigit() for c in inner)):
        return None
    return inner, arrows - 3

# ---------------------------------------------------------------- reply attribution

_WROTE_WORDS = _alt(
    """wrote|writes|has written|a écrit|a ecrit|écrit|schrieb|geschrieben|escribió|escribio
    ha scritto|scrisse|schreef|heeft geschreven|escreveu|skrev|kirjoitti|napisał(a)|napisał|napisała
    napisal|pisze|написал|написала|пишет|写道|wrote the following"""
)
#: The line ends like an attribution ("... wrote:", "... a écrit :", "... schrieb:").
WROTE_END = re.compile(
    r"(?i)(?:^|[\s>\"'])(?:" + _WROTE_WORDS + r")\s{0,3}[:：]?\s{0,3}$"
)
#: A reply verb anywhere in the line ("Am ... schrieb Max <max@x.de>:").
WROTE_ANY = re.compile(r"(?i)(?:^|[\s>\"'])(?:" + _WROTE_WORDS + r")(?=[\s:：]|$)")
#: The words that start a multi-line attribution ("On ...", "Le ...", "Am ..." ...).
ATTRIBUTION_START = re.compile(
    r"(?i)^\s{0,6}(?:on|le|am|el|il giorno|il|op|em|den|w dniu|dnia|dne|kello|päivänä|в)\s"
)
#: An attribution without a verb: a date with a time, then ``Name <email>:``
#: (the Russian and some Gmail locales).
ATTRIBUTION_EMAIL_COLON = re.compile(
    r"\d{1,2}[:.]\d{2}[^<>]{0,200}<[^<>\s@]{1,64}@[^<>\s@]{1,253}>\s{0,3}:\s{0,3}$"
)

# -------------------------------------------------------------- header blocks

#: Separator lines that announce an Outlook-style original message (a reply).
_ORIGINAL_WORDS = _alt(
    """original message|original nachricht|ursprüngliche nachricht|ursprungliche nachricht
    message d'origine|message d’origine|message original|mensaje original|messaggio originale
    oorspronkelijk bericht|origineel bericht|mensagem original|opprinnelig melding
    oprindelig meddelelse|ursprungligt meddelande|alkuperäinen viesti|wiadomość oryginalna
    исходное сообщение|původní zpráva|reply message|original e-mail|original email
    oprindelig besked|original besked|opprinnelig melding|alkuperäinen viesti|originalmeddelande
    reply separator"""
)
ORIGINAL_SEPARATOR = re.compile(
    r"(?i)^\s{0,10}[-=_*]{2,40}\s{0,3}(?:" + _ORIGINAL_WORDS + r")\s{0,3}[-=_*]{2,40}\s{0,3}$"
)
_FORWARD_WORDS = _alt(
    """forwarded message|forwarded e-mail|forwarded email|weitergeleitete nachricht
    message transféré|message transfere|mensaje reenviado|messaggio inoltrato
    doorgestuurd bericht|mensagem encaminhada|mensagem reencaminhada|videresendt melding
    vidarebefordrat meddelande|videresendt meddelelse|välitetty viesti
    przekazana wiadomość|пересылаемое сообщение|forwarded by|weitergeleitet von"""
)
_FORWARD_START_WORDS = _alt(
    """begin forwarded message|début du message réexpédié|début du message transféré
    anfang der weitergeleiteten nachricht|inicio del mensaje reenviado|comienzo del mensaje reenviado
    inizio messaggio inoltrato|begin doorgestuurd bericht|início da mensagem reencaminhada
    início da mensagem encaminhada"""
)
#: Separator lines that announce a forwarded message.
FORWARD_SEPARATOR = re.compile(
    r"(?i)^\s{0,10}(?:[-=_*]{2,40}\s{0,3}(?:"
    + _FORWARD_WORDS
    + r")[^\n]{0,200}?[-=_*]{2,40}\s{0,3}$"
    + r"|(?:"
    + _FORWARD_START_WORDS
    + r")\s{0,3}:?\s{0,3}$)"
)
#: A short rule (``====``, ``----``) right above a header block.
SHORT_RULE = re.compile(r"^\s{0,10}\*{0,2}(?:_{3,300}|-{3,300}|={3,300})\*{0,2}\s{0,3}$")
#: The first line of a Lotus Notes forward separator wrapped over two lines.
FORWARD_BY_START = re.compile(r"(?i)^\s{0,10}-{3,40}\s{0,3}forwarded\sby\s")
#: The second line of it: the rest of the date and the closing dashes.
FORWARD_BY_END = re.compile(r"^[^\n]{0,40}-{3,80}\s{0,3}$")
#: A "Key    : value" form line (automated notices), not a signature line.
FORM_LINE = re.compile(r"^\s{0,6}[A-Z][\w /()-]{1,30}?(?:\s{2,20}|\t)[:=]\s")
#: Table-like spacing inside a line.
WIDE_GAP = re.compile(r"\S(?:\s{4,80}|\t{2,20})\S")
#: A bare rule that often precedes an Outlook header block (``____`` or ``-----``).
RULE_LINE = re.compile(r"^\s{0,10}\*{0,2}(?:_{8,300}|-{8,300}|={8,300})\*{0,2}\s{0,3}$")

_FROM = _alt("from|author|de|von|da|van|från|fra|od|от|lähettäjä|sender|absender|expéditeur|remitente|mittente")
_DATE = _alt(
    """sent|date|envoyé|envoye|envoyé le|envoye le|dato|päivämäärä|gesendet|datum|enviado|enviado el|enviado em|enviada|enviada em|fecha
    inviato|data|verzonden|verstuurd|skickat|sendt|wysłano|отправлено|дата|lähetetty|sent by
    message du"""
)
_TO = _alt("to|à|a|an|para|aan|till|til|do|кому|vastaanottaja|destinataire|destinatario")
_CC = _alt("cc|bcc|copie à|copie a|copie|kopie|copia|kopia|копия|kopio|cópia|cco")
_SUBJECT = _alt("subject|objet|sujet|betreff|asunto|oggetto|onderwerp|assunto|ämne|emne|temat|тема|aihe")
_REPLY_TO = _alt("reply-to|reply to|antwort an|répondre à|responder a|please respond to")
_OTHER = _alt(
    """importance|sensitivity|priority|attachments|categories|wichtigkeit|priorität|anlagen
    importance|priorité|pièces jointes|importancia|datos adjuntos|priorità|allegati|urgentie|bijlagen"""
)

#: One header field of a quoted block: ``From:``, ``*Sent:*``, ``De :``, ``Betreff:`` ...
HEADER_FIELD = re.compile(
    r"(?i)^\s{0,12}\*{0,2}(?P<label>"
    + "|".join((_REPLY_TO, _FROM, _DATE, _TO, _CC, _SUBJECT, _OTHER))
    + r")\s{0,3}\*{0,2}\s{0,3}[:：]\*{0,2}"
)
#: First tokens of the labels (see :func:`first_tokens`): an ASCII line whose first run of
#: word characters is none of these has no header field (only blanks and ``*`` may come
#: before the label).
_LABEL_TOKENS = first_tokens(words_of("|".join((_REPLY_TO, _FROM, _DATE, _TO, _CC, _SUBJECT, _OTHER))))
_LABEL_KIND: dict[str, str] = {}
for _kind, _words in (("reply-to", _REPLY_TO), ("from", _FROM), ("date", _DATE), ("to", _TO),
                      ("cc", _CC), ("subject", _SUBJECT), ("other", _OTHER)):
    for _w in _words.split("|"):
        _LABEL_KIND.setdefault(_w.replace(r"\s{1,3}", " ").replace("\\", ""), _kind)


_HEADER_FIELD_CI = Caseless(HEADER_FIELD)
#: ``\s+`` within a line cut to LINE_CAP characters.
_BLANKS = re.compile(r"\s{1,300}")


def header_field(line: str) -> tuple[str, str] | None:
    """``("from", value)`` for a quoted-header field line, else None.

    The labels "le", "am", "a", "da", "de", "re" are ambiguous in running text, so they
    only count with a short value or an address behind them (checked by the caller)."""
    found = header_field_match(line)
    return None if found is None else found[0]


def header_field_match(line: str) -> tuple[tuple[str, str], re.Match[str]] | None:
    """:func:`header_field` and the :data:`HEADER_FIELD` match it comes from (on the line
    lower-cased when it is ASCII: same span, label lower-cased)."""
    head = line[:LINE_CAP]
    if ":" not in head and "：" not in head:
        return None  # every label ends with a colon
    if head.isascii():
        low = head.lower()
        w = ASCII_WORD.search(low)
        if w is None or w.group() not in _LABEL_TOKENS:
            return None
        m = _HEADER_FIELD_CI.match(head, low)
    else:
        m = HEADER_FIELD.match(head)
    if not m:
        return None
    kind = _LABEL_KIND.get(_BLANKS.sub(" ", m.group("label").lower()))
    if kind is None:
        return None
    return (kind, line[m.end():]), m


#: Lotus Notes: ``Jane Doe/HOU/ECT@ECT on 12/07/2000 10:45 AM`` or
#: ``"Doe, Jane" <jane@x.com> on 09/13/2001 07:58:34 PM``.
NOTES_FROM_ON = re.compile(
    r"(?i)\S\s{1,3}on\s{1,3}\d{1,2}/\d{1,2}/\d{2,4}\s{1,3}\d{1,2}:\d{2}(?::\d{2})?\s{0,3}(?:am|pm)?\s{0,3}$"
)
#: Lotus Notes: ``Kate Symes @ ECT        04/04/2001 05:44 PM`` (name, wide gap, date, time).
NOTES_NAME_DATE = re.compile(
    r"(?i)^\s{0,30}[A-Za-z\"][^\n]{0,80}?\S\s{2,80}\d{1,2}/\d{1,2}/\d{2,4}\s{1,3}\d{1,2}:\d{2}(?::\d{2})?\s{0,3}(?:am|pm)?\s{0,3}$"
)
#: A line that is only a date and a time (Lotus Notes header blocks).
DATE_TIME_LINE = re.compile(
    r"(?i)^\s{0,20}\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\s{1,3}\d{1,2}:\d{2}(?::\d{2})?\s{0,3}(?:am|pm)?\s{0,3}$"
)

# ---------------------------------------------------------------- greetings

_GREETING_WORDS = _alt(
    """hi|hello|hey|hiya|dear|greetings|good morning|good afternoon|good evening|howdy|morning|yo
    hi all|hi everyone|hi team|hello all|hello everyone|to whom it may concern
    bonjour|bonsoir|salut|coucou|cher|chère|chers|chères|madame|monsieur|mesdames|messieurs
    hallo|liebe|lieber|liebes|sehr geehrte|sehr geehrter|sehr geehrtes|guten tag|guten morgen|moin|servus
    grüß gott|grüezi|hola|estimado|estimada|estimados|buenos días|buenos dias|buenas tardes|querido|querida
    ciao|salve|gentile|gentili|egregio|buongiorno|buonasera|caro|cara|cari
    beste|geachte|goedemorgen|goedemiddag|hoi|dag|olá|ola|prezado|prezada|prezados|bom dia|boa tarde|oi
    hej|hei|kære|kjære|hejsan|god morgon|witam|dzień dobry|cześć|szanowny|szanowna|здравствуйте
    привет|добрый день|уважаемый|уважаемая"""
)
#: A greeting line: a greeting word, then at most a few names and a comma/colon/bang.
GREETING = re.compile(r"(?i)^\s{0,6}(?:" + _GREETING_WORDS + r")(?![\w])[^\n]{0,60}$")
#: A bare name used as a greeting ("Cheryl:", "John,").
NAME_GREETING = re.compile(r"^\s{0,6}[A-Z][\w'.-]{0,20}(?:\s[A-Z][\w'.-]{0,20}){0,2}\s{0,2}[,:]\s{0,3}$")

# ---------------------------------------------------------------- sign-offs

_SIGNOFF_WORDS = _alt(
    """best regards|kind regards|warm regards|warmest regards|kindest regards|best wishes|warm wishes
    regards|rgds|brgds|br|kr|best|all the best|all best|cheers|cheers mate|thanks|thank you|thanks again
    many thanks|thanks in advance|thanks so much|thanks a lot|thank you very much|thank you so much
    thanks much|much appreciated|thx|tnx|tks|ty|sincerely|yours sincerely|sincerely yours|yours truly
    very truly yours|truly yours|yours faithfully|faithfully|respectfully|respectfully yours|cordially
    take care|talk soon|speak soon|with thanks|with best regards|with kind regards|with regards
    with best wishes|love|yours|best rgds|greetings|many thanks and best regards|thanks and regards
    thanks & regards|thanks and best regards|regards and thanks|have a nice day|have a great day
    have a good day|have a great weekend|have a nice weekend|hope this helps|thank u|ciao for now
    cordialement|bien cordialement|très cordialement|tres cordialement|bien à vous|bien a vous|bien à toi
    salutations|meilleures salutations|sincères salutations|salutations distinguées|amitiés|amicalement
    bonne journée|bonne soirée|belle journée|merci|merci beaucoup|merci d'avance|merci par avance
    bisous|à bientôt|a bientot|respectueusement|bien amicalement|je vous prie d'agréer
    mit freundlichen grüßen|mit freundlichen grüssen|mit freundlichem gruß|mit freundlichem gruss
    freundliche grüße|freundliche grüsse|viele grüße|viele grüsse|beste grüße|beste grüsse|liebe grüße
    liebe grüsse|herzliche grüße|herzliche grüsse|schöne grüße|schöne grüsse|mfg|lg|vg|gruß|gruss
    grüße|grüsse|danke|vielen dank|besten dank|danke schön|bis bald|tschüss|mit besten grüßen
    mit besten grüssen|herzlichst|freundliche grüße aus|saludos|un saludo|saludos cordiales|atentamente
    cordialmente|un abrazo|abrazos|gracias|muchas gracias|muchos saludos|besos|hasta pronto
    reciba un cordial saludo|un cordial saludo|cordiales saludos|cordiali saluti|distinti saluti|saluti
    un saluto|grazie|grazie mille|a presto|buona giornata|un caro saluto|ciao|cari saluti|buon lavoro
    met vriendelijke groet|met vriendelijke groeten|vriendelijke groet|vriendelijke groeten|groeten
    groet|hartelijke groet|hartelijke groeten|mvg|bedankt|dank je|dank u|alvast bedankt|met groet
    atenciosamente|cumprimentos|melhores cumprimentos|abraço|abraços|obrigado|obrigada|saudações
    att|att.|beijos|um abraço|med vänliga hälsningar|vänliga hälsningar|hälsningar|mvh|tack
    med venlig hilsen|venlig hilsen|vennlig hilsen|med vennlig hilsen|hilsen|takk|tak|pozdrawiam
    z poważaniem|dziękuję|с уважением|спасибо|ystävällisin terveisin|terveisin"""
)
#: The start of a sign-off line; the caller checks that only a short name may follow.
SIGNOFF = re.compile(r"(?i)^\s{0,6}[-–—~]{0,2}\s{0,2}(?:" + _SIGNOFF_WORDS + r")(?![\w'’])")
#: "Thanks for ...", "Thank you for ..." : a closing sentence when short and last.
THANKS_SENTENCE = re.compile(r"(?i)^\s{0,6}(?:thanks|thank you|many thanks|merci|danke|gracias|grazie|obrigad[oa]|bedankt)\b")

# ---------------------------------------------------------------- device footers

#: "Sent from my iPhone" and friends, in many languages and clients.
DEVICE_FOOTER = re.compile(
    r"(?i)^\s{0,6}(?:"
    r"sent\s(?:from|via|with|using)\s(?:my\s)?[^,;:\n]{1,50}"
    r"|sent\son\sthe\s[^,;:\n]{1,40}"
    r"|get\s(?:outlook|the\s[^\n]{1,20}\sapp)\s(?:for|on)\s[^,;\n]{1,30}"
    r"|envoyé\s(?:de|depuis|à partir de|a partir de|avec)\s[^,;:\n]{1,50}"
    r"|envoye\s(?:de|depuis)\s[^,;:\n]{1,50}"
    r"|obtenir\soutlook\spour\s[^,;\n]{1,30}|télécharger\soutlook\spour\s[^,;\n]{1,30}"
    r"|von\smeinem\s[^,;:\n]{1,50}\sgesendet|gesendet\s(?:von|mit|vom|über)\s[^,;:\n]{1,50}"
    r"|outlook\sfür\s[^,;\n]{1,20}\sbeziehen"
    r"|enviado\s(?:desde|do|da|de|con|pelo|a\spartir\sdo)\s[^,;:\n]{1,50}"
    r"|obtener\soutlook\spara\s[^,;\n]{1,30}|obter\so?\s?outlook\spara\s[^,;\n]{1,30}"
    r"|inviato\s(?:da|dal|dalla|con)\s[^,;:\n]{1,50}|scarica\soutlook\sper\s[^,;\n]{1,30}"
    r"|(?:verzonden|verstuurd)\s(?:vanaf|van|met|via)\s[^,;:\n]{1,50}"
    r"|outlook\svoor\s[^,;\n]{1,20}\sdownloaden"
    r"|skickat\sfrån\s[^,;:\n]{1,50}|sendt\sfra\s[^,;:\n]{1,50}|lähetetty\s[^,;:\n]{1,50}"
    r"|wysłane\sz\s[^,;:\n]{1,50}|отправлено\sс\s[^,;:\n]{1,50}"
    r")\s{0,3}(?:\(\s{0,2}[^()\s]{1,120}\s{0,2}\)|<[^<>\s]{1,120}>)?\s{0,3}[.!]?\s{0,3}$"
)
#: Words that make a "Sent from ..." line a real device footer rather than a sentence.
DEVICE_WORDS = re.compile(
    r"(?i)iphone|ipad|ipod|android|blackberry|samsung|galaxy|mobile|smartphone|phone|handy|móvil|movil"
    r"|cellulare|telefoon|telefone|celular|device|appareil|dispositivo|apparaat|gerät|tablet|outlook"
    r"|mail|gmail|yahoo|aol|sparrow|proton|windows|huawei|xiaomi|pixel|nokia|motorola|htc|sony|lg\b"
    r"|oneplus|wiko|oppo|verizon|t-mobile|sprint|at&t|vodafone|orange|web\.de|gmx|airmail|spark"
    r"|superhuman|newton|boxer|nine|bluemail|zoho|thunderbird|telekom|seznam|mailbird|hey\b|tutanota"
)

# ---------------------------------------------------------------- disclaimers

#: Words of legal boilerplate (confidentiality, intended recipient, ...).
DISCLAIMER_WORDS = re.compile(
    r"(?i)confidential|intended recipient|intended solely|intended only|named addressee|privileged|received this (?:e-?mail|message|communication|transmission) in error"
    r"|in error,? please|notify the sender|prohibited|unauthori[sz]ed|disclaimer|legally binding"
    r"|virus|dissemination|do not (?:read|copy|disclose|distribute)|delete (?:it|this)"
    r"|this (?:e-?mail|message|communication) (?:and any|is|may)|attachments? (?:are|is|may)"
    r"|please consider the environment|before printing"
    r"|vertraulich|irrtümlich|empfänger|unbefugte|diese e-?mail|diese nachricht|weitergabe"
    r"|confidentiel|destinataire|ce message|ce courriel|si vous avez reçu|strictement interdit"
    r"|confidencial|destinatario|este mensaje|este correo|prohibid|riservat|questo messaggio"
    r"|vertrouwelijk|geadresseerde|dit bericht|deze e-?mail|destinatário|esta mensagem|sigilo"
    r"|registered (?:office|in)|company (?:number|registration)|handelsregister|amtsgericht"
    r"|geschäftsführer:|sitz der gesellschaft|siège social|registro mercantil|p\.?\s?iva"
)
#: RFC 822 header lines leaking into a body ("X-Mailer:", "Message-ID:").
HEADERISH = re.compile(r"(?i)^\s{0,6}(?:x-[\w-]{1,30}|message-[\w-]{1,30}|msgid|return-path|received|content-[\w-]{1,30}|mime-version)\s{0,2}:")
#: Copyright lines (boilerplate however short).
COPYRIGHT = re.compile(r"(?i)\bcopyright\b|all rights reserved|\(c\)\s{0,2}\d{4}|©")
#: A bare internal extension ("x3-6343", "ext. 35614", "3-7060").
EXTENSION = re.compile(r"(?i)^\s{0,6}(?:x|ext\.?|extn\.?|ext:)\s{0,2}\d{1,2}-?\d{3,5}\s{0,3}$|^\s{0,6}\d-\d{4}\s{0,3}$")
#: The legal words a disclaimer cannot do without (the list above also has weak ones).
DISCLAIMER_STRONG = re.compile(
    r"(?i)confidential|intended (?:solely|only)|intended recipient|named addressee|privileged|in error"
    r"|prohibited|unauthori[sz]ed|disclaimer|legally|virus|vertraulich|irrtümlich|unbefugt|confidentiel"
    r"|destinataire|strictement interdit|confidencial|prohibid|riservat|vertrouwelijk|geadresseerde"
    r"|destinatário|sigilo|registered (?:office|in)|company (?:number|registration)|handelsregister"
    r"|amtsgericht|sitz der gesellschaft|siège social|registro mercantil|consider the environment"
)
#: A framing line of stars or equals signs around a disclaimer.
FRAME_LINE = re.compile(r"^\s{0,40}[*=~#+_-]{5,300}\s{0,3}$")
#: Mailing-list and notification footers (non-personal boilerplate).
LIST_FOOTER = re.compile(
    r"(?i)mailing list$|^\s{0,6}to unsubscribe|unsubscribe from this|you are receiving this"
    r"|you received this message because|reply to this email directly|view it on github"
    r"|^\s{0,6}https?://\S{0,200}/(?:mailman/listinfo|options|unsubscribe)"
    r"|^\s{0,6}for more options, visit|manage your subscription|list-unsubscribe"
)

# ---------------------------------------------------------------- signatures

#: The RFC 3676 delimiter ``-- `` (and the common ``--``, ``—``, ``__``).
SIG_DELIMITER = re.compile(r"^\s{0,3}(?:--\s{0,2}|—\s{0,2}|––\s{0,2}|-{2,4}\s{0,2}|_{2,4}\s{0,2})$")
#: A dash-led name closing a message ("-Abhishek Kona", "-- Tim", "~Jane").
DASH_NAME = re.compile(r"^\s{0,3}(?:-{1,2}|~|—|–)\s{0,2}[A-Z][\w'.-]{0,20}(?:\s[A-Z][\w'.-]{0,20}){0,3}\s{0,3}$")

#: Phone-like: a ``+`` or digit, then 6-20 of digits and separators, at least 7 digits checked by caller.
PHONE = re.compile(r"(?<![\w@])(?:\+|\(\+?)?\d[\d ().\-/]{5,22}\d(?![\w@])")
PHONE_LABEL = re.compile(
    r"(?i)(?:^|[\s|•·,;(])(?:tel|tél|tele|phone|ph|fon|fax|mob|mobile|mobil|cell|cel|handy|direct|dir|office"
    r"|off|work|main|téléphone|telefon|telefono|teléfono|telefoon|telemóvel|portable|port|móvil|movil"
    r"|cellulare|gsm)\.?\s{0,2}(?:\(\w{1,6}\)\s{0,2})?[:.]?\s{0,2}[+(\d]"
    r"|(?:^|[\s|•·,;(])[tmfpodcwh]\s{0,1}[:.]\s{0,2}[+(\d]"
)
#: A bounded e-mail address shape.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+'-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})\.[A-Za-z0-9.-]{1,200}")
#: URL or bare domain shape.
URL = re.compile(
    r"(?i)(?:https?://|www\.)[^\s]{2,200}"
    r"|(?<![\w@.-])[a-z0-9-]{1,63}\.(?:com|org|net|edu|gov|io|co|biz|info|de|fr|es|it|nl|be|ch|at|uk|us"
    r"|ca|eu|pt|br|se|no|dk|fi|pl|ru|jp|cn|in|au|nz|ie|lu)\b"
)
#: Social profile handles and links.
SOCIAL = re.compile(r"(?i)linkedin|twitter|facebook|instagram|xing|github\.com|skype|@[a-z0-9_]{2,30}$")

_TITLE_WORDS = _alt(
    """manager|director|president|vice president|vp|svp|evp|ceo|cto|cfo|coo|cmo|cio|founder|co-founder
    cofounder|owner|engineer|developer|consultant|analyst|attorney|counsel|lawyer|partner|associate
    assistant|coordinator|specialist|officer|head of|lead|senior|sr|jr|principal|administrator|admin
    executive|representative|rep|sales|marketing|account|accounts|chairman|chair|professor|prof|dr|phd
    ph.d|md|m.d|esq|trader|broker|advisor|adviser|scientist|researcher|architect|designer|editor
    secretary|treasurer|supervisor|superintendent|agent|producer|programmer|technician|paralegal
    legal|department|dept|division|team lead|product|operations|finance|support|customer|services
    chief|general counsel|managing|member|staff|intern|recruiter|hr|human resources|economist
    directeur|directrice|responsable|chargé|chargée|ingénieur|gérant|gérante|président|présidente
    commercial|commerciale|chef de|conseiller|conseillère|avocat|avocate|assistante|comptable
    geschäftsführer|geschäftsführerin|leiter|leiterin|vertrieb|berater|beraterin|ingenieur|referent
    referentin|inhaber|inhaberin|vorstand|prokurist|sachbearbeiter|abteilung|rechtsanwalt|projektleiter
    gerente|jefe|jefa|ingeniero|ingeniera|asesor|asesora|departamento|directora|coordinador|coordinadora
    direttore|direttrice|responsabile|ingegnere|amministratore|ufficio|commerciale|avvocato
    adviseur|medewerker|eigenaar|afdeling|directie|diretor|diretora|engenheiro|coordenador|gestor"""
)
#: Job-title and department words.
TITLE = re.compile(r"(?i)(?<![\w])(?:" + _TITLE_WORDS + r")(?![\w])")
#: Company suffixes and organisation words.
COMPANY = re.compile(
    r"(?i)(?<![\w])(?:inc|llc|l\.l\.c|ltd|limited|gmbh|ag|s\.a|sa|sarl|sas|s\.l|sl|s\.r\.l|srl|spa|s\.p\.a"
    r"|b\.v|bv|n\.v|nv|corp|corporation|company|co|group|plc|lp|llp|pllc|bank|university|universität"
    r"|université|universidad|università|associates|partners|holdings|holding|international|enterprises"
    r"|solutions|technologies|systems|consulting|services|foundation|institute|kg|ohg|e\.v|ug|oy|ab|as|aps"
    r"|pty|sprl|bvba|lda|ltda|kft|zrt|s\.a\.s|s\.c|sc)(?![\w])\.?"
)
#: Street, box and postcode shapes.
ADDRESS = re.compile(
    r"(?i)(?<![\w])(?:street|st\.|avenue|ave\.?|boulevard|blvd|road|rd\.|suite|ste\.|floor|fl\.|drive|dr\."
    r"|lane|ln\.|way|plaza|square|parkway|pkwy|p\.?\s?o\.?\s?box|postfach|straße|strasse|str\.|platz|weg"
    r"|allee|gasse|rue|avenue|boulevard|bd|chemin|place|cedex|calle|avenida|plaza|paseo|via|viale|piazza"
    r"|corso|laan|straat|plein|gracht|rua|praça|travessa)(?![\w])"
    r"|\b[A-Z]{2}\s{1,3}\d{5}(?:-\d{4})?\b|\b\d{5}(?:-\d{4})?\s{1,3}[A-Z][a-zà-ÿ]{2,30}"
    r"|\b[A-Z][a-zà-ÿ]{2,30},\s{0,3}[A-Z]{2}\s{0,3}\d{5}\b|\b[A-Z]{1,2}\d{1,2}[A-Z]?\s\d[A-Z]{2}\b"
)
#: A word-ish token of a name: capitalised word, initial, or particle.
NAME_TOKEN = re.compile(r"^(?:[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.-]{0,24}|[A-Z]\.?|(?:van|von|de|der|den|da|di|du|del|la|le|y|e|bin|al|st\.?)|&)$")

#: Sentence-ish endings used to tell prose from signature lines.
SENTENCE_END = re.compile(r"[.?!;:]\s{0,3}$")
#: Lines of only punctuation, images or attachment markers.
ATTACHMENT = re.compile(
    r"(?i)^\s{0,6}(?:<<[^<>]{1,200}>>|-\s[^\n]{1,200}\.(?:doc|docx|xls|xlsx|pdf|ppt|pptx|txt|zip|wpd|jpg|gif|png|htm|html|msg|vcf|rtf|csv)\s{0,3}$"
    r"|\(see attached file:[^()]{1,200}\)|<embedded [^<>]{1,100}>|\[(?:image|cid|attachment)[^\[\]]{0,200}\]"
    r"|attachment:|attachments:)"
)


def fold(text: str) -> str:
    """Lower-case, accents removed: ``"Grüße"`` -> ``"gruße"``, ``"Élodie"`` -> ``"elodie"``."""
    if text.isascii():
        return text.lower()  # NFKD leaves ASCII text as it is
    nfkd = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in nfkd if not unicodedata.combining(c))


#: Every module-level compiled pattern, for the adversarial-input tests.
PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    v for v in list(globals().values()) if isinstance(v, re.Pattern)
)
