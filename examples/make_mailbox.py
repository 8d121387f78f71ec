#!/usr/bin/env python3
"""Generate the bundled demo mailbox ``examples/mailbox/`` (a Maildir).

Everything in it is fictional: the people, the companies (all under the reserved
``.example`` TLD), the addresses and the conversations.  Phone numbers are
real-shaped but made up; every one is checked with ``phonenumbers`` and the
script fails if one is not a valid number.

The script is deterministic (no randomness, no clock): running it again writes
byte-identical files.  It writes

* ``mailbox/cur/<epoch>.M<n>P1.demo:2,<flags>``: one raw RFC 5322 message each
  (LF line endings, the usual on-disk Maildir convention);
* ``mailbox/new/.keep``, ``mailbox/tmp/.keep``;
* ``mailbox/EXPECTED.jsonl``: the contacts a good extractor should find, derived
  from the same persona records that produced the signatures and headers.

Then it re-reads what it wrote and checks it: every message parses with
``email.policy.default`` without defects, every Message-ID is unique, every
signature that EXPECTED.jsonl relies on really is in the decoded text, and
``mailbox.Maildir`` lists every message.

Usage::

    .venv/bin/python examples/make_mailbox.py [--out DIR]
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import email
import email.policy
import email.utils
import hashlib
import html
import json
import mailbox
import os
import quopri
import re
import string
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "mailbox"
OWNER = "me@webleads-demo.example"
MX = "mx.webleads-demo.example"


# --------------------------------------------------------------------------- phones

@dataclass(frozen=True)
class Phone:
    display: str  # exactly as written in the signature
    region: str
    type: str  # work | mobile | fax | other

    @property
    def e164(self) -> str:
        n = phonenumbers.parse(self.display, self.region)
        return phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)


def phone(display: str, region: str, type_: str) -> Phone:
    """A phone number as printed in a signature; refuse anything invalid."""
    assert type_ in ("work", "mobile", "fax", "other"), type_
    n = phonenumbers.parse(display, region)
    if not phonenumbers.is_valid_number(n):
        raise SystemExit(f"invalid phone number in demo data: {display!r} ({region})")
    return Phone(display, region, type_)


# --------------------------------------------------------------------------- personas

@dataclass
class P:
    """One persona: a person (or role account) as seen at one point in time.

    ``key`` identifies the real person; a person who changes job has two
    personas with the same key.  ``sigs`` are signature templates filled from
    the persona's own fields, so EXPECTED.jsonl and the messages cannot drift.
    """

    key: str
    name: str
    email: str
    title: str | None = None
    company: str | None = None
    phones: dict[str, Phone] = field(default_factory=dict)  # slot -> Phone
    display: str | None = None  # display name in headers (defaults to name)
    hdr: tuple[str, str] | None = None  # (charset, "q"|"b") to RFC 2047-encode the display name
    kind: str = "person"  # person | role
    listed: bool = True  # False: the mailbox owner and automated senders
    tz: str = "UTC"
    extra: dict[str, str] = field(default_factory=dict)
    sigs: dict[str, str] = field(default_factory=dict)
    note: str = ""

    @property
    def shown(self) -> str:
        return self.display if self.display is not None else self.name

    def sig(self, variant: str = "full") -> tuple[str, tuple[str, ...]]:
        """The filled signature and the phone slots it used."""
        tmpl = self.sigs[variant]
        ctx = {"name": self.name, "title": self.title, "company": self.company,
               "email": self.email, **self.extra}
        ctx.update({slot: ph.display for slot, ph in self.phones.items()})
        used = tuple(f for _, f, _, _ in string.Formatter().parse(tmpl) if f in self.phones)
        return tmpl.format_map(ctx), used


def T(s: str) -> str:
    """A block of text written flush-left in this file (strip the framing newlines)."""
    return s.strip("\n")


DANA = P(
    "dana", "Dana Whitfield", OWNER, "Partnerships Lead", "Webleads Demo",
    {"work": phone("+1 415 867 2301", "US", "work"), "mobile": phone("+1 415 867 2390", "US", "mobile")},
    listed=False, tz="America/Los_Angeles",
    sigs={"full": T("""
{name}
{title} | {company}
T: {work} | M: {mobile}
www.webleads-demo.example
""")},
)

JANE = P(
    "jane", "Jane Okafor", "jane.okafor@northwind-logistics.example", "VP of Operations",
    "Northwind Logistics",
    {"work": phone("+1 (312) 874-6600 ext. 204", "US", "work"),
     "mobile": phone("+1 773 960 4418", "US", "mobile")},
    tz="America/Chicago",
    extra={"linkedin": "linkedin.com/in/jane-okafor-nwl-demo"},
    sigs={"full": T("""
{name}
{title}
{company}
Office: {work}
Mobile: {mobile}
1450 W Larkspur Ave, Suite 400, Chicago, IL 60607, USA
www.northwind-logistics.example | {linkedin}
""")},
    note="office number carries extension 204 (not part of E.164)",
)

LUIS = P("luis", "Luis Ortega", "luis.ortega@northwind-logistics.example", tz="America/Chicago",
         note="header-only contact: no signature anywhere, so no title, company or phone")

NW_SALES = P(
    "nw-sales", "Northwind Sales", "sales@northwind-logistics.example", None, "Northwind Logistics",
    {"work": phone("+1 312 874 6610", "US", "work")},
    kind="role", tz="America/Chicago",
    sigs={"full": T("""
Northwind Logistics | Sales Team
Tel: {work}
{email} | www.northwind-logistics.example
""")},
)

NW_NOREPLY = P("nw-noreply", "Northwind Logistics", "noreply@northwind-logistics.example",
               listed=False, tz="America/Chicago")

TOM = P(
    "tom", "Tom Hargreaves", "tom.hargreaves@brightwater-foods.example", "Head of Procurement",
    "Brightwater Foods Ltd",
    {"work": phone("+44 20 7946 0123", "GB", "work"), "mobile": phone("+44 7723 418905", "GB", "mobile")},
    tz="Europe/London",
    sigs={"full": T("""
{name}
{title}
{company}
T: {work} | M: {mobile}
Unit 4, Tanner's Yard, 18 Cooper Lane, London SE1 4RT, United Kingdom
www.brightwater-foods.example
""")},
)

FIONA = P(
    "fiona", "Fiona McLeod", "fiona.mcleod@brightwater-foods.example", "Finance Director",
    "Brightwater Foods Ltd",
    {"work": phone("+44 20 7946 0188", "GB", "work"), "mobile": phone("+44 7840 552317", "GB", "mobile")},
    tz="Europe/London",
    sigs={"full": T("""
{name} ACA
{title}
{company}
Direct: {work}
Mobile: {mobile}
{email}
""")},
    note="'ACA' after the name is a credential",
)

ATELIER_INFO = P(
    "atelier-info", "Atelier Moreau", "info@atelier-moreau.example", None, "Atelier Moreau",
    {"work": phone("+33 1 44 55 12 00", "FR", "work")},
    kind="role", tz="Europe/Paris",
    sigs={"full": T("""
L'équipe {company}
27 rue du Petit-Parc, 75004 Paris, France
Tél. : {work}
{email} – www.atelier-moreau.example
""")},
)

ELODIE = P(
    "elodie", "Élodie Moreau", "elodie.moreau@atelier-moreau.example", "Directrice commerciale",
    "Atelier Moreau",
    {"work": phone("+33 1 44 55 12 34", "FR", "work"), "mobile": phone("+33 6 12 34 56 78", "FR", "mobile"),
     "fax": phone("+33 1 44 55 12 35", "FR", "fax")},
    hdr=("UTF-8", "q"), tz="Europe/Paris",
    sigs={"full": T("""
{name}
{title}
{company}
Maroquinerie sur mesure depuis 1987
27 rue du Petit-Parc, 75004 Paris, France
Tél. : {work}
Port. : {mobile}
Fax : {fax}
www.atelier-moreau.example
""")},
    note="'Maroquinerie sur mesure depuis 1987' is a tagline, not a title",
)

CLAIRE = P(
    "claire", "Claire Dubois", "claire.dubois@atelier-moreau.example", "Responsable logistique",
    "Atelier Moreau",
    {"work": phone("+33 1 44 55 12 40", "FR", "work"), "mobile": phone("+33 7 81 23 45 67", "FR", "mobile")},
    tz="Europe/Paris",
    sigs={"full": T("""
{name}
{title} | {company}
Tél. {work}
Mobile : {mobile}
{email}
""")},
)

RENEE = P(
    "renee", "Renée Müller", "renee.mueller@kessler-soehne.example", "Leiterin Einkauf",
    "Kessler & Söhne GmbH",
    {"work": phone("+49 30 1234 5678", "DE", "work"), "mobile": phone("+49 171 2345678", "DE", "mobile"),
     "fax": phone("+49 30 1234 5679", "DE", "fax")},
    hdr=("utf-8", "q"), tz="Europe/Berlin",
    sigs={"full": T("""
{name}
{title}

{company}
Lindenhofstraße 123
10117 Berlin
Deutschland

Tel.: {work}
Mobil: {mobile}
Fax: {fax}
E-Mail: {email}
www.kessler-soehne.example
""")},
    note="the legal footer names two managing directors (no e-mail): not contacts",
)

MAX = P(
    "max", "Max Brenner", "max.brenner@brenner-maschinenbau.example", "Geschäftsführer",
    "Brenner Maschinenbau AG",
    {"work": phone("+49 89 2145 3300", "DE", "work"), "mobile": phone("+49 160 9876543", "DE", "mobile")},
    tz="Europe/Berlin",
    sigs={"full": T("""
{name}
{title}
{company}
Werkstraße 12, 80687 München
Tel. {work}
Mobil {mobile}
www.brenner-maschinenbau.example
""")},
)

JUERGEN = P(
    "juergen", "Jürgen Hofmann", "juergen.hofmann@brenner-maschinenbau.example", "Vertriebsleiter",
    "Brenner Maschinenbau AG",
    {"work": phone("+49 89 2145 3312", "DE", "work"), "mobile": phone("+49 152 34567890", "DE", "mobile")},
    display="Hofmann, Jürgen", hdr=("iso-8859-1", "q"), tz="Europe/Berlin",
    sigs={"full": T("""
{name}
{title}

{company}
Werkstraße 12 · 80687 München
Tel. {work}
Mobil {mobile}
{email}
""")},
    note="display name is 'Last, First' (Hofmann, Jürgen), RFC 2047 in ISO-8859-1",
)

LUCIA = P(
    "lucia", "Lucía Fernández", "lucia.fernandez@solara-energia.example", "Directora de Marketing",
    "Solara Energía S.L.",
    {"work": phone("+34 91 123 45 67", "ES", "work"), "mobile": phone("+34 612 345 678", "ES", "mobile")},
    hdr=("UTF-8", "b"), tz="Europe/Madrid",
    sigs={"full": T("""
{name}
{title}
{company}
Calle del Olivar Alto 24, 28028 Madrid, España
Tel. {work} | Móvil {mobile}
www.solara-energia.example
""")},
)

DIEGO = P(
    "diego", "Diego Morales", "diego.morales@solara-energia.example", "Jefe de Proyectos",
    "Solara Energía S.L.",
    {"work": phone("+34 91 123 45 80", "ES", "work"), "mobile": phone("+34 655 987 321", "ES", "mobile")},
    tz="Europe/Madrid",
    sigs={"full": T("""
{name}
{title}
{company}
Tel. {work}
Móvil {mobile}
{email}
""")},
)

MARCO = P(
    "marco", "Marco Bianchi", "marco.bianchi@ferretti-design.example", "Responsabile Acquisti",
    "Ferretti Design S.r.l.",
    {"work": phone("+39 02 1234 5678", "IT", "work"), "mobile": phone("+39 347 123 4567", "IT", "mobile")},
    tz="Europe/Rome",
    sigs={"full": T("""
{name}
{title}
{company}
Via dei Tessitori 27, 20144 Milano (MI), Italia
Tel. {work}
Cell. {mobile}
www.ferretti-design.example
""")},
)

GIULIA = P(
    "giulia", "Giulia Rossi", "giulia.rossi@ferretti-design.example", "Responsabile Comunicazione",
    "Ferretti Design S.r.l.",
    {"work": phone("+39 02 1234 5690", "IT", "work")},
    tz="Europe/Rome",
    sigs={"full": T("""
{name}
{title}
{company}
Tel. {work}
{email}
www.ferretti-design.example
""")},
    note="HTML-only message; the signature is a <table>",
)

SANNE = P(
    "sanne", "Sanne de Vries", "sanne.devries@polderlicht.example", "Accountmanager", "Polderlicht B.V.",
    {"work": phone("+31 20 123 4567", "NL", "work"), "mobile": phone("+31 6 12345678", "NL", "mobile")},
    tz="Europe/Amsterdam",
    sigs={"full": T("""
{name}
{title}
{company}
Lichtgracht 452, 1016 GD Amsterdam
T: {work}
M: {mobile}
www.polderlicht.example
""")},
)

PIETER = P(
    "pieter", "Pieter Jansen", "pieter.jansen@polderlicht.example", "Directeur", "Polderlicht B.V.",
    {"work": phone("+31 20 123 4500", "NL", "work"), "mobile": phone("+31 6 23456789", "NL", "mobile")},
    tz="Europe/Amsterdam",
    sigs={"full": T("""
{name}
{title} | {company}
T: {work} | M: {mobile}
{email}
www.polderlicht.example
""")},
)

ANA = P(
    "ana", "Ana Lima", "ana.lima@lumen-tecnologia.example", "Head of Sales", "Lumen Tecnologia",
    {"work": phone("+55 11 3456-7890", "BR", "work"), "mobile": phone("+55 11 98765-4321", "BR", "mobile")},
    tz="America/Sao_Paulo",
    sigs={
        # One-line signature; the phone has no label (a BR mobile number by its shape).
        "oneline": "{name} | {title} | {company} | {mobile} | www.lumen-tecnologia.example",
        "full": T("""
{name}
{title}
{company}
Av. das Palmeiras Azuis, 1500, 9º andar – São Paulo – SP, 04543-000
Tel.: {work}
Cel.: {mobile}
www.lumen-tecnologia.example
"""),
    },
    note="2024 messages use a one-line pipe signature with an unlabelled mobile",
)

RAFAEL = P(
    "rafael", "Rafael Souza", "rafael.souza@construtora-horizonte.example", "Gerente de Compras",
    "Construtora Horizonte Ltda.",
    {"work": phone("+55 21 2345-6789", "BR", "work"), "mobile": phone("+55 21 99876-5432", "BR", "mobile")},
    tz="America/Sao_Paulo",
    sigs={"full": T("""
{name}
{title}
{company}
Rua das Acácias, 412 – Centro, Rio de Janeiro – RJ, 20040-003, Brasil
Tel.: {work}
Cel.: {mobile}
{email}
""")},
)

PRIYA_OLD = P(
    "priya", "Priya Raman", "priya.raman@cobalt-analytics.example", "Senior Account Executive",
    "Cobalt Analytics",
    {"work": phone("+1 646 873 2210", "US", "work"), "mobile": phone("+1 917 604 3387", "US", "mobile")},
    tz="America/New_York",
    sigs={"full": T("""
{name}
{title}
{company}
O: {work}
M: {mobile}
www.cobalt-analytics.example
""")},
)

PRIYA = P(
    "priya", "Priya Raman", "priya@heliocloud.example", "Director of Partnerships", "Helio Cloud",
    {"work": phone("+1 628 204 7715", "US", "work"), "mobile": PRIYA_OLD.phones["mobile"]},
    tz="America/Los_Angeles",
    extra={"linkedin": "linkedin.com/in/priya-raman-partnerships-demo", "twitter": "twitter.com/priyaraman_demo"},
    sigs={"full": T("""
{name}
{title} | {company}
O: {work} · M: {mobile}
heliocloud.example · {linkedin} · {twitter}
""")},
)

HELIO_NOREPLY = P("helio-noreply", "Helio Cloud", "noreply@heliocloud.example", listed=False)
COBALT_NEWS = P("cobalt-news", "Cobalt Analytics", "newsletter@news.cobalt-analytics.example", listed=False)
DAEMON = P("daemon", "Mail Delivery System", f"MAILER-DAEMON@{MX}", listed=False)

SAMUEL = P(
    "samuel", "Samuel Adeyemi", "samuel.adeyemi@verdantbio.example", "Chief Scientific Officer",
    "Verdant Bio, Inc.",
    {"work": phone("+1 617 945 3120", "US", "work"), "mobile": phone("+1 857 302 4471", "US", "mobile"),
     "fax": phone("+1 617 945 3199", "US", "fax")},
    display="Dr. Samuel Adeyemi", tz="America/New_York",
    extra={"linkedin": "linkedin.com/in/samuel-adeyemi-verdant-demo"},
    sigs={"full": T("""
Dr. {name}, PhD (he/him)
{title}
{company}
600 Beacon Labs Way, Cambridge, MA 02139, USA
T: {work} | M: {mobile} | F: {fax}
verdantbio.example | {linkedin}

"Curiosity first, evidence always."
""")},
    note="'Dr.', 'PhD' and '(he/him)' wrap the name; the closing quote is a motto, not a title",
)

ALEX = P(
    "alex", "Alex Chen", "alex.chen@quillstack.example", "Developer Relations Engineer", "Quillstack",
    {"mobile": phone("+1 206 915 8821", "US", "mobile")},
    tz="America/Los_Angeles",
    extra={"github": "github.com/alexchen-qs-demo", "x": "x.com/alexchen_qs_demo",
           "linkedin": "linkedin.com/in/alex-chen-quillstack-demo"},
    sigs={"full": T("""
{name} (they/them)
{title}, {company}
M: {mobile}
{github} · {x} · {linkedin}
"Ship small, ship often."
""")},
    note="pronouns after the name; GitHub, X and LinkedIn profiles; the last line is a motto",
)

QS_SUPPORT = P(
    "qs-support", "Quillstack Support", "support@quillstack.example", None, "Quillstack",
    {"work": phone("+1 206 915 8800", "US", "work")},
    kind="role", tz="America/Los_Angeles",
    sigs={"full": T("""
{company} Support Team
Phone: {work} (Mon–Fri, 8am–6pm PT)
{email} | https://help.quillstack.example
""")},
)

OLIVIA = P(
    "olivia", "Olivia Grant", "olivia.grant@harborview-capital.example", "Chief Financial Officer",
    "Harborview Capital Partners",
    {"work": phone("+1 617 531 0925", "US", "work"), "mobile": phone("+1 781 249 6630", "US", "mobile"),
     "fax": phone("+1 617 531 0999", "US", "fax")},
    tz="America/New_York",
    sigs={"full": T("""
{name}, MBA (she/her)
{title}
{company}
75 Wharfside Plaza, 18th Floor, Boston, MA 02110
Direct: {work}
Mobile: {mobile}
Fax: {fax}
www.harborview-capital.example
""")},
    note="'MBA' and '(she/her)' follow the name",
)


# --------------------------------------------------------------------------- disclaimers

DISCLAIMER_BRIGHTWATER = T("""
This email and any attachments are confidential and intended solely for the addressee. If you have received it in error, please notify the sender and delete it from your system. Brightwater Foods Ltd is registered in England and Wales. Registered office: Unit 4, Tanner's Yard, 18 Cooper Lane, London SE1 4RT.
""")

FOOTER_KESSLER = T("""
Kessler & Söhne GmbH · Sitz der Gesellschaft: Berlin · Registergericht: Amtsgericht Charlottenburg, HRB 98765 B
Geschäftsführer: Klaus Kessler, Dr. Petra Lindner

Diese E-Mail enthält vertrauliche und/oder rechtlich geschützte Informationen. Wenn Sie nicht der richtige Adressat sind oder diese E-Mail irrtümlich erhalten haben, informieren Sie bitte sofort den Absender und vernichten Sie diese E-Mail.
""")

DISCLAIMER_FERRETTI = T("""
Questo messaggio e gli eventuali allegati sono confidenziali e destinati esclusivamente al destinatario indicato. Se lo avete ricevuto per errore, vi preghiamo di informare il mittente e di cancellarlo. I dati personali sono trattati ai sensi del Regolamento UE 2016/679.
""")

DISCLAIMER_HARBORVIEW = T("""
CONFIDENTIALITY NOTICE: This email and any attachments are confidential and may be privileged. If you are not the intended recipient, please notify the sender immediately and delete this message. Nothing in this email constitutes an offer to buy or sell securities.
""")


# --------------------------------------------------------------------------- message model

@dataclass
class Para:
    text: str


@dataclass
class Sig:
    who: P
    variant: str = "full"
    delim: bool = False  # "-- " line before it


@dataclass
class Quote:
    """A reply's quoted part: an attribution line/block and the parent's full text."""

    child: "Msg"
    style: str  # gmail | apple | tb | outlook-orig | outlook-line | outlook-android
    lang: str


@dataclass
class Fwd:
    child: "Msg"
    style: str  # gmail-fwd | apple-fwd | outlook-orig
    lang: str


@dataclass
class Attachment:
    filename: str
    ctype: str
    data: bytes


@dataclass
class Msg:
    n: int | None  # None: a virtual message, only ever seen quoted or forwarded
    date: dt.datetime
    frm: P
    to: list
    subject: str
    segs: list
    style: str  # gmail | outlook | android | apple | iphone | tb | html-div | html-table | plain
    cc: list = field(default_factory=list)
    lang: str = "en-US"
    parent: "Msg | None" = None  # for In-Reply-To / References
    charset: str | None = None
    cte: str | None = None
    headers: list = field(default_factory=list)  # extra (name, value)
    automated: bool = False
    attachments: list = field(default_factory=list)
    raw_override: object = None  # callable(msg) -> bytes, for the bounce
    mid: str = ""
    flags: str = "S"

    def __post_init__(self) -> None:
        self.mid = make_mid(self)


class Bare:
    """A recipient written without a display name."""

    def __init__(self, p: P):
        self.p = p


def h(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def make_mid(m: Msg) -> str:
    seed = h(m.frm.email, m.subject, m.date.isoformat())
    dom = m.frm.email.split("@", 1)[1]
    if m.style == "gmail":
        b = base64.b64encode(bytes.fromhex(seed[:42]), altchars=b"+_").decode().rstrip("=")
        return f"<CA{b}@mail.gmail.example>"
    if m.style in ("outlook", "android"):
        s = seed.upper()
        eu = m.frm.tz.startswith("Europe")
        pfx = ("AM0PR", "DB9PR", "PA4PR", "VI1PR", "AS8PR") if eu else ("DM6PR", "BY5PR", "SN6PR", "CH2PR", "MN2PR")
        host = f"{pfx[int(s[0], 16) % 5]}{int(s[1:3], 16) % 90 + 10:02d}MB{int(s[3:7], 16) % 9000 + 1000}"
        region = f"eurprd0{int(s[7], 16) % 9 + 1}" if eu else f"namprd{int(s[8:10], 16) % 20 + 1:02d}"
        return f"<{host}{s[10:42]}@{host}.{region}.prod.outlook.example>"
    if m.style in ("apple", "iphone"):
        return f"<{str(uuid.UUID(seed[:32])).upper()}@{dom}>"
    if m.style == "tb":
        return f"<{uuid.UUID(seed[:32])}@{dom}>"
    return f"<{m.date.astimezone(dt.timezone.utc):%Y%m%d%H%M%S}.{seed[:12].upper()}@{dom}>"


def d(y: int, mo: int, day: int, hh: int, mi: int, tz: str, s: int | None = None) -> dt.datetime:
    if s is None:
        s = (y * 7 + mo * 11 + day * 13 + hh * 17 + mi * 19) % 60
    return dt.datetime(y, mo, day, hh, mi, s, tzinfo=ZoneInfo(tz))


# --------------------------------------------------------------------------- localisation

EN_D = "Mon Tue Wed Thu Fri Sat Sun".split()
EN_DF = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
EN_M = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
EN_MF = "January February March April May June July August September October November December".split()
FR_D = "lun. mar. mer. jeu. ven. sam. dim.".split()
FR_DF = "lundi mardi mercredi jeudi vendredi samedi dimanche".split()
FR_M = "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.".split()
FR_MF = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
DE_DF = "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag".split()
DE_MF = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()
ES_D = "lun mar mié jue vie sáb dom".split()
ES_M = "ene feb mar abr may jun jul ago sept oct nov dic".split()
NL_D = "ma di wo do vr za zo".split()
NL_M = "jan feb mrt apr mei jun jul aug sep okt nov dec".split()
PT_D = "seg. ter. qua. qui. sex. sáb. dom.".split()
PT_M = "jan. fev. mar. abr. mai. jun. jul. ago. set. out. nov. dez.".split()


def h12(t: dt.datetime) -> str:
    return f"{(t.hour % 12) or 12}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"


def who(p: P) -> str:
    return f"{p.shown} <{p.email}>"


def who_list(items: list) -> str:
    return "; ".join(x.p.email if isinstance(x, Bare) else who(x) for x in items)


def who_list_comma(items: list) -> str:
    return ", ".join(x.p.email if isinstance(x, Bare) else who(x) for x in items)


def attribution(style: str, lang: str, c: Msg, viewer: P) -> list[str]:
    """The lines a mail client writes above quoted or forwarded text."""
    t = c.date.astimezone(ZoneInfo(viewer.tz))
    wd, mo = t.weekday(), t.month - 1
    hm = f"{t.hour:02d}:{t.minute:02d}"
    w = who(c.frm)
    if style == "gmail":
        if lang == "en-US":
            return [f"On {EN_D[wd]}, {EN_M[mo]} {t.day}, {t.year} at {h12(t)} {w} wrote:"]
        if lang == "en-GB":
            return [f"On {EN_D[wd]}, {t.day} {EN_M[mo]} {t.year} at {hm}, {w} wrote:"]
        if lang == "fr":
            return [f"Le {FR_D[wd]} {t.day} {FR_M[mo]} {t.year} à {hm}, {w} a écrit :"]
        if lang == "es":
            return [f"El {ES_D[wd]}, {t.day} {ES_M[mo]} {t.year} a las {hm}, {c.frm.shown} (<{c.frm.email}>) escribió:"]
        if lang == "nl":
            return [f"Op {NL_D[wd]} {t.day} {NL_M[mo]} {t.year} om {hm} schreef {w}:"]
        if lang == "pt":
            return [f"Em {PT_D[wd]}, {t.day} de {PT_M[mo]} de {t.year} às {hm}, {w} escreveu:"]
    if style == "apple":
        if lang == "en":
            return [f"On {EN_M[mo]} {t.day}, {t.year}, at {h12(t)}, {w} wrote:"]
        if lang == "de":
            return [f"Am {t:%d.%m.%Y} um {hm} schrieb {w}:"]
    if style == "tb":
        if lang == "it":
            return [f"Il {t:%d/%m/%Y} {hm}, {c.frm.shown} ha scritto:"]
        if lang == "nl":
            return [f"Op {t:%d-%m-%Y} om {hm} schreef {c.frm.shown}:"]
    if style in ("outlook-orig", "outlook-line", "outlook-android"):
        if style == "outlook-orig":
            sep = "-----Ursprüngliche Nachricht-----" if lang == "de" else "-----Original Message-----"
        else:
            sep = "________________________________"
        cc = c.cc
        if lang in ("en", "en-GB"):
            if style == "outlook-android":
                sent = f"{EN_DF[wd]}, {EN_MF[mo]} {t.day}, {t.year} {t.hour % 12 or 12}:{t.minute:02d}:{t.second:02d} {'AM' if t.hour < 12 else 'PM'}"
            elif lang == "en-GB":
                sent = f"{t.day} {EN_MF[mo]} {t.year} {hm}"
            else:
                sent = f"{EN_DF[wd]}, {EN_MF[mo]} {t.day}, {t.year} {h12(t)}"
            lines = [sep, f"From: {w}", f"Sent: {sent}", f"To: {who_list(c.to)}"]
            lines += [f"Cc: {who_list(cc)}"] if cc else []
            return lines + [f"Subject: {c.subject}"]
        if lang == "fr":
            lines = [sep, f"De : {w}", f"Envoyé : {FR_DF[wd]} {t.day} {FR_MF[mo]} {t.year} {hm}",
                     f"À : {who_list(c.to)}"]
            lines += [f"Cc : {who_list(cc)}"] if cc else []
            return lines + [f"Objet : {c.subject}"]
        if lang == "de":
            lines = [sep, f"Von: {w}", f"Gesendet: {DE_DF[wd]}, {t.day}. {DE_MF[mo]} {t.year} {hm}",
                     f"An: {who_list(c.to)}"]
            lines += [f"Cc: {who_list(cc)}"] if cc else []
            return lines + [f"Betreff: {c.subject}"]
    if style == "gmail-fwd":
        if lang == "pt":
            date = f"{PT_D[wd]}, {t.day} de {PT_M[mo]} de {t.year} às {hm}"
            return ["---------- Forwarded message ---------", f"De: {w}", f"Date: {date}",
                    f"Subject: {c.subject}", f"To: {who_list_comma(c.to)}"]
        date = f"{EN_D[wd]}, {EN_M[mo]} {t.day}, {t.year} at {h12(t)}"
        return ["---------- Forwarded message ---------", f"From: {w}", f"Date: {date}",
                f"Subject: {c.subject}", f"To: {who_list_comma(c.to)}"]
    if style == "apple-fwd":
        secs = f"{hm}:{t.second:02d}"
        if lang == "fr":
            off = int(t.utcoffset().total_seconds() // 3600)
            return ["Début du message réexpédié :", "", f"De: {w}",
                    f"Date: {t.day} {FR_MF[mo]} {t.year} à {secs} UTC{off:+d}",
                    f"À: {who_list_comma(c.to)}", f"Objet: {c.subject}"]
        if lang == "de":
            zone = "MESZ" if t.dst() else "MEZ"
            return ["Anfang der weitergeleiteten Nachricht:", "", f"Von: {w}", f"Betreff: {c.subject}",
                    f"Datum: {t.day}. {DE_MF[mo]} {t.year} um {secs} {zone}",
                    f"An: {who_list_comma(c.to)}"]
    raise ValueError(f"no attribution for {style}/{lang}")


# --------------------------------------------------------------------------- text rendering

def quote_lines(text: str, style: str) -> str:
    out = []
    for line in text.split("\n"):
        if style == "tb":
            out.append(">" + ("" if not line or line.startswith(">") else " ") + line)
        else:
            out.append(">" if not line else "> " + line)
    return "\n".join(out)


def seg_text(s, m: Msg) -> str:
    if isinstance(s, Para):
        return s.text
    if isinstance(s, Sig):
        body, _ = s.who.sig(s.variant)
        return ("-- \n" if s.delim else "") + body
    if isinstance(s, Quote):
        att = "\n".join(attribution(s.style, s.lang, s.child, m.frm))
        inner = text_of(s.child)
        if s.style in ("gmail", "apple"):
            return att + "\n\n" + quote_lines(inner, s.style)
        if s.style == "tb":
            return att + "\n" + quote_lines(inner, s.style)
        return att + "\n\n" + inner
    if isinstance(s, Fwd):
        att = "\n".join(attribution(s.style, s.lang, s.child, m.frm))
        return att + "\n\n" + text_of(s.child)
    raise TypeError(s)


def text_of(m: Msg) -> str:
    return "\n\n".join(seg_text(s, m) for s in m.segs)


# --------------------------------------------------------------------------- html rendering

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL_RE = re.compile(r"https?://[^\s<>\"]+")


def hline(line: str) -> str:
    s = html.escape(line, quote=False)
    s = URL_RE.sub(lambda mo: f'<a href="{mo.group(0)}">{mo.group(0)}</a>', s)
    s = EMAIL_RE.sub(lambda mo: f'<a href="mailto:{mo.group(0)}">{mo.group(0)}</a>', s)
    return s


def html_lines(text: str, flavor: str) -> str:
    out = []
    for line in text.split("\n"):
        if flavor == "outlook":
            out.append(f'<p class="MsoNormal">{hline(line) if line else "&nbsp;"}<o:p></o:p></p>')
        elif flavor == "div":
            out.append(f"{hline(line)}<br>")
        else:
            out.append(f"<div>{hline(line) if line else '<br>'}</div>")
    return "\n".join(out)


def html_sig(s: Sig, flavor: str) -> str:
    body, _ = s.who.sig(s.variant)
    lines = body.split("\n")
    if flavor == "gmail":
        pre = '<span class="gmail_signature_prefix">-- </span><br>\n' if s.delim else ""
        inner = "<br>".join(hline(x) for x in lines)
        return (f'<div><br></div>{pre}<div dir="ltr" class="gmail_signature" data-smartmail="gmail_signature">'
                f'<div dir="ltr">{inner}</div></div>')
    if flavor == "outlook":
        first = f'<p class="MsoNormal"><b><span style="color:#1F3864">{hline(lines[0])}</span></b><o:p></o:p></p>'
        rest = "\n".join(f'<p class="MsoNormal"><span style="font-size:9.0pt;color:#595959">'
                         f'{hline(x) if x else "&nbsp;"}</span><o:p></o:p></p>' for x in lines[1:])
        return first + "\n" + rest
    if flavor == "div":
        inner = "<br>\n".join(hline(x) for x in lines[1:])
        return (f'<div style="font-family:Arial,sans-serif;font-size:12px;color:#555555">'
                f'{"-- <br>" if s.delim else ""}<b>{hline(lines[0])}</b><br>\n{inner}</div>')
    if flavor == "table":
        inner = "<br>\n".join(hline(x) for x in lines[1:])
        company = s.who.company or ""
        return (
            '<table cellpadding="0" cellspacing="0" border="0" '
            'style="font-family:Helvetica,Arial,sans-serif;font-size:12px;color:#333333">\n'
            '<tr>\n<td style="padding-right:12px;border-right:2px solid #8c1d18;vertical-align:top">'
            f'<img src="https://www.ferretti-design.example/img/firma-logo.png" alt="{html.escape(company)}" '
            'width="72" height="72"></td>\n'
            f'<td style="padding-left:12px;vertical-align:top"><b style="font-size:14px">{hline(lines[0])}</b><br>\n'
            f"{inner}</td>\n</tr>\n</table>"
        )
    # apple
    pre = "<div>--&nbsp;</div>\n" if s.delim else ""
    return pre + "\n".join(f"<div>{hline(x) if x else '<br>'}</div>" for x in lines)


def html_of(m: Msg) -> str:
    """The inner HTML of a message body (no <html>/<body> wrapper)."""
    flavor = HTML_FLAVOR[m.style]
    parts = []
    for s in m.segs:
        if isinstance(s, Para):
            parts.append(html_lines(s.text, flavor))
        elif isinstance(s, Sig):
            parts.append(html_sig(s, flavor))
        elif isinstance(s, (Quote, Fwd)):
            att = attribution(s.style, s.lang, s.child, m.frm)
            child = html_of(s.child)
            if flavor == "outlook" or s.style.startswith("outlook"):
                head = "<br>\n".join(
                    (f"<b>{hline(x.split(':', 1)[0])}:</b>{hline(x.split(':', 1)[1])}" if ":" in x and not x.startswith("--") else hline(x))
                    for x in att if not x.startswith("____"))
                parts.append('<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">\n'
                             f'<p class="MsoNormal">{head}<o:p></o:p></p>\n</div>\n{child}')
            elif flavor in ("gmail", "div"):
                att_html = "<br>".join(hline(x) for x in att)
                if isinstance(s, Fwd):
                    parts.append(f'<div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">'
                                 f"{att_html}<br></div><br><br>\n{child}</div>")
                else:
                    parts.append(f'<div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">'
                                 f'{att_html}<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;'
                                 f'border-left:1px solid rgb(204,204,204);padding-left:1ex">\n{child}\n</blockquote></div>')
            else:
                att_html = "\n".join(f"<div>{hline(x) if x else '<br>'}</div>" for x in att)
                parts.append(f'<div><br><blockquote type="cite">{att_html}<br>\n{child}\n</blockquote></div>')
    joiner = {"outlook": '\n<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n', "div": "\n<br>\n"}.get(flavor, "\n<div><br></div>\n")
    return joiner.join(parts)


HTML_FLAVOR = {"gmail": "gmail", "outlook": "outlook", "android": "outlook", "apple": "apple", "iphone": "apple",
               "tb": "apple", "html-div": "div", "html-table": "table", "plain": "apple"}


def html_doc(m: Msg) -> str:
    inner = html_of(m)
    flavor = HTML_FLAVOR[m.style]
    if flavor == "gmail":
        return f'<div dir="ltr">{inner}</div>\n'
    if flavor == "outlook":
        lang = {"en-US": "EN-US", "en-GB": "EN-GB", "de": "DE", "fr": "FR"}.get(m.lang, "EN-US")
        return (
            '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" '
            'xmlns="http://www.w3.org/TR/REC-html40">\n<head>\n'
            f'<meta http-equiv="Content-Type" content="text/html; charset={m.charset or "utf-8"}">\n'
            '<meta name="Generator" content="Microsoft Word 15 (filtered medium)">\n'
            "<style><!--\np.MsoNormal, li.MsoNormal, div.MsoNormal\n"
            "\t{margin:0cm;font-size:11.0pt;font-family:\"Calibri\",sans-serif;}\n"
            "a:link, span.MsoHyperlink\n\t{color:#0563C1;text-decoration:underline;}\n"
            "@page WordSection1\n\t{size:612.0pt 792.0pt;margin:72.0pt 72.0pt 72.0pt 72.0pt;}\n"
            "div.WordSection1\n\t{page:WordSection1;}\n--></style>\n</head>\n"
            f'<body lang="{lang}" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">\n'
            f'<div class="WordSection1">\n{inner}\n</div>\n</body>\n</html>\n'
        )
    if flavor == "div":
        return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>'
                f'<body><div style="font-family:Arial,sans-serif;font-size:13px">\n{inner}\n</div></body></html>\n')
    if flavor == "table":
        return ('<!DOCTYPE html>\n<html lang="it"><head><meta charset="utf-8"></head>\n'
                f'<body style="font-family:Helvetica,Arial,sans-serif;font-size:13px;color:#222222">\n{inner}\n</body></html>\n')
    return ('<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
            '<body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">'
            f"\n{inner}\n</body></html>\n")


# --------------------------------------------------------------------------- MIME encoding

def encoded_word(text: str, charset: str, enc: str) -> str:
    """RFC 2047 encoded words (split so each stays within 75 characters)."""
    words, cur = [], ""

    def enc_one(s: str) -> str:
        raw = s.encode(charset)
        if enc.lower() == "b":
            payload = base64.b64encode(raw).decode()
        else:
            payload = "".join(chr(b) if (chr(b).isascii() and chr(b).isalnum()) or chr(b) in "!*+-/"
                              else "_" if b == 0x20 else f"={b:02X}" for b in raw)
        return f"=?{charset}?{enc}?{payload}?="

    for ch in text:
        if cur and len(enc_one(cur + ch)) > 75:
            words.append(enc_one(cur))
            cur = ""
        cur += ch
    if cur:
        words.append(enc_one(cur))
    return "\n ".join(words)


SPECIALS = set('()<>[]:;@\\,."')


def fmt_addr(x) -> str:
    if isinstance(x, Bare):
        return x.p.email
    p: P = x
    name = p.shown
    if not name:
        return p.email
    if not name.isascii():
        cs, enc = p.hdr or ("utf-8", "q")
        name = encoded_word(name, cs, enc)
    elif any(c in SPECIALS for c in name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{p.email}>"


def fmt_addrs(items: list, hname: str) -> str:
    addrs = [fmt_addr(x) for x in items]
    line = ", ".join(addrs)
    if len(hname) + 2 + len(line) <= 78:
        return line
    return ",\n ".join(addrs)


def fmt_subject(s: str, m: Msg) -> str:
    if s.isascii():
        return s
    if m.style in ("gmail", "html-div", "plain"):
        return encoded_word(s, "UTF-8", "B")
    if m.style == "tb" or m.charset == "iso-8859-1":
        return encoded_word(s, "iso-8859-1" if m.charset == "iso-8859-1" else "UTF-8", "Q")
    return encoded_word(s, "utf-8", "Q")


def encode_body(text: str, charset: str, cte: str) -> bytes:
    data = text.encode(charset)
    if cte == "quoted-printable":
        return quopri.encodestring(data).rstrip(b"\n") + b"\n"
    if cte == "base64":
        return base64.encodebytes(data)
    if cte == "7bit":
        assert data.isascii(), "7bit part with non-ASCII text"
    return data + (b"" if data.endswith(b"\n") else b"\n")


def leaf(ctype: str, text: str, charset: str, cte: str, params: str = "", cs_quoted: bool = True) -> bytes:
    cs = f'"{charset}"' if cs_quoted else charset
    head = f"Content-Type: {ctype}; charset={cs}{params}\nContent-Transfer-Encoding: {cte}\n\n"
    return head.encode() + encode_body(text, charset, cte)


def multipart(subtype: str, boundary: str, parts: list[bytes], params: str = "") -> bytes:
    out = [f'Content-Type: multipart/{subtype}; boundary="{boundary}"{params}\n\n'.encode()]
    for p in parts:
        out.append(f"--{boundary}\n".encode() + p + b"\n")
    out.append(f"--{boundary}--\n".encode())
    return b"".join(out)


def attachment_part(a: Attachment) -> bytes:
    return (f'Content-Type: {a.ctype}; name="{a.filename}"\n'
            f'Content-Disposition: attachment; filename="{a.filename}"\n'
            "Content-Transfer-Encoding: base64\n\n").encode() + base64.encodebytes(a.data)


def auto_cte(text: str, default_nonascii: str = "quoted-printable") -> str:
    return "7bit" if text.isascii() else default_nonascii


def body_bytes(m: Msg) -> bytes:
    """The MIME body (with its own Content-Type headers) for a message's style."""
    text = text_of(m)
    seed = h(m.mid)
    style = m.style
    if style == "gmail":
        b = f"000000000000{seed[:16]}"
        cs = m.charset or "UTF-8"
        tcte = m.cte or auto_cte(text)
        hdoc = html_doc(m)
        body = multipart("alternative", b, [
            leaf("text/plain", text, cs, tcte, cs_quoted=True),
            leaf("text/html", hdoc, cs, auto_cte(hdoc), cs_quoted=True),
        ])
    elif style in ("outlook", "android"):
        b = f"_000_{seed[:40].upper()}_"
        cs = m.charset or "utf-8"
        hdoc = html_doc(m)
        body = multipart("alternative", b, [
            leaf("text/plain", text, cs, m.cte or "quoted-printable"),
            leaf("text/html", hdoc, cs, "quoted-printable"),
        ])
    elif style == "apple":
        b = f"Apple-Mail={str(uuid.UUID(seed[:32])).upper()}"
        hdoc = html_doc(m)
        body = multipart("alternative", b, [
            leaf("text/plain", text, "utf-8", m.cte or "quoted-printable", cs_quoted=False),
            leaf("text/html", hdoc, "utf-8", "quoted-printable", cs_quoted=False),
        ])
    elif style == "iphone":
        body = leaf("text/plain", text, "utf-8", m.cte or "quoted-printable", cs_quoted=False)
    elif style == "tb":
        body = leaf("text/plain", text, "UTF-8", m.cte or auto_cte(text, "8bit"), "; format=flowed", cs_quoted=False)
    elif style in ("html-div", "html-table"):
        hdoc = html_doc(m)
        body = leaf("text/html", hdoc, m.charset or "UTF-8", m.cte or "quoted-printable")
    elif style == "plain":
        body = leaf("text/plain", text, m.charset or "utf-8", m.cte or auto_cte(text))
    else:
        raise ValueError(style)
    if m.attachments:
        b = f"----=_Part_{seed[40:52]}"
        body = multipart("mixed", b, [body] + [attachment_part(a) for a in m.attachments])
    return body


def received(m: Msg) -> list[tuple[str, str]]:
    if m.frm is DANA:
        return []
    dom = m.frm.email.split("@", 1)[1]
    seed = h("rcvd", m.mid)
    ip = f"198.51.100.{int(seed[:2], 16) % 250 + 2}"
    qid = seed[2:12].upper()
    t = m.date + dt.timedelta(seconds=2 + int(seed[12], 16))
    host = f"mail.{dom}" if not dom.startswith("mail.") else dom
    return [
        ("Return-Path", f"<{m.frm.email}>" if m.frm is not DAEMON else "<>"),
        ("Delivered-To", OWNER),
        ("Received", f"from {host} ({host} [{ip}])\n\tby {MX} (Postfix) with ESMTPS id {qid}\n"
                     f"\tfor <{OWNER}>; {email.utils.format_datetime(t.astimezone(dt.timezone.utc))}"),
    ]


def thread_headers(m: Msg) -> list[tuple[str, str]]:
    if not m.parent:
        return []
    refs, p = [], m.parent
    while p is not None:
        refs.insert(0, p.mid)
        p = p.parent
    return [("References", "\n ".join(refs)), ("In-Reply-To", m.parent.mid)]


def render(m: Msg) -> bytes:
    if m.raw_override:
        return m.raw_override(m)
    hs: list[tuple[str, str]] = received(m)
    date = email.utils.format_datetime(m.date)
    subj = fmt_subject(m.subject, m)
    frm = fmt_addr(m.frm)
    to = fmt_addrs(m.to, "To")
    cc = fmt_addrs(m.cc, "Cc") if m.cc else None
    style = m.style
    if style == "gmail":
        hs += [("MIME-Version", "1.0")] + thread_headers(m) + [
            ("From", frm), ("Date", date), ("Message-ID", m.mid), ("Subject", subj), ("To", to)]
        hs += [("Cc", cc)] if cc else []
    elif style in ("outlook", "android"):
        seed = h("ti", m.mid)
        hs += [("From", frm), ("To", to)] + ([("CC", cc)] if cc else []) + [
            ("Subject", subj), ("Thread-Topic", fmt_subject(re.sub(r"^((RE|FW|AW|WG|TR): )+", "", m.subject, flags=re.I), m)),
            ("Thread-Index", base64.b64encode(bytes.fromhex(seed[:44])).decode()),
            ("Date", date), ("Message-ID", m.mid)] + thread_headers(m) + [
            ("Accept-Language", "en-US"),
            ("Content-Language", {"en-US": "en-US", "en-GB": "en-GB", "de": "de-DE", "fr": "fr-FR"}.get(m.lang, "en-US")),
            ("X-MS-Has-Attach", "yes" if m.attachments else ""), ("X-MS-TNEF-Correlator", ""),
            ("MIME-Version", "1.0")]
    elif style in ("apple", "iphone"):
        hs += [("From", frm)]
        hs += [("Mime-Version", "1.0 (Mac OS X Mail 16.0 \\(3826.400.131.1.6\\))" if style == "apple" else "1.0 (1.0)")]
        hs += [("Subject", subj), ("Date", date)] + ([("Cc", cc)] if cc else []) + thread_headers(m)
        hs += [("To", to), ("Message-Id", m.mid)]
        hs += [("X-Mailer", "Apple Mail (2.3826.400.131.1.6)" if style == "apple" else "iPhone Mail (22D72)")]
    elif style == "tb":
        hs += [("Message-ID", m.mid), ("Date", date), ("MIME-Version", "1.0"), ("User-Agent", "Mozilla Thunderbird"),
               ("Content-Language", {"it": "it-IT", "nl": "nl"}.get(m.lang, "en-US")), ("To", to)]
        hs += [("Cc", cc)] if cc else []
        hs += thread_headers(m) + [("From", frm), ("Subject", subj)]
    elif style == "html-div":  # a webmail that sends HTML only
        hs += [("MIME-Version", "1.0"), ("Date", date), ("From", frm), ("To", to)] + ([("Cc", cc)] if cc else [])
        hs += [("Subject", subj), ("Message-ID", m.mid)] + thread_headers(m)
        hs += [("User-Agent", "Roundcube Webmail/1.6.9")]
    else:  # plain / html-table: a generic client
        hs += [("From", frm), ("To", to)] + ([("Cc", cc)] if cc else []) + [
            ("Subject", subj), ("Date", date), ("Message-ID", m.mid)] + thread_headers(m) + [("MIME-Version", "1.0")]
    hs += m.headers
    head = "".join(f"{k}: {v}\n" if v else f"{k}:\n" for k, v in hs)
    return head.encode("ascii") + body_bytes(m)


# --------------------------------------------------------------------------- the mailbox

def build() -> list[Msg]:
    msgs: list[Msg] = []

    def M(*a, **k) -> Msg:
        m = Msg(len(msgs) + 1, *a, **k)
        msgs.append(m)
        return m

    def V(*a, **k) -> Msg:
        return Msg(None, *a, **k)

    dsig = Sig(DANA, delim=True)

    # ---- Northwind Logistics: role account, then Jane (US English, Gmail), 3-4 levels deep
    m1 = M(d(2024, 1, 15, 15, 22, DANA.tz), DANA, [Bare(NW_SALES)], "Freight partnership enquiry", [
        Para(T("""
Hello Northwind team,

I'm the partnerships lead at Webleads Demo. We're putting together a shortlist of logistics partners for our 2024 hardware pilot (roughly 40 pallets a month out of Chicago, starting in Q2), and a colleague recommended Northwind.

Could someone share your rate card for LTL and full-truckload within the Midwest, and let me know who would be the right person to talk to about a longer-term agreement?

Best,
Dana""")), dsig], "gmail")
    m2 = M(d(2024, 1, 16, 9, 5, NW_SALES.tz), NW_SALES, [DANA], "RE: Freight partnership enquiry", [
        Para(T("""
Hi Dana,

Thanks for reaching out! I've attached our current Midwest rate card (valid through June 30). For a commitment of 40 pallets a month we can usually do better than list, so it's worth a conversation.

I'm copying Jane Okafor, our VP of Operations, who looks after partnership accounts. She'll be in touch to set up a call.

Kind regards,""")), Sig(NW_SALES), Quote(m1, "outlook-orig", "en")], "outlook", cc=[JANE], parent=m1,
        attachments=[Attachment("Northwind_Midwest_rate_card_2024.csv", "text/csv", T("""
lane,service,pallets,rate_usd_per_pallet
Chicago IL - Milwaukee WI,LTL,1-10,118
Chicago IL - Milwaukee WI,LTL,11-26,96
Chicago IL - Indianapolis IN,LTL,1-10,142
Chicago IL - Indianapolis IN,FTL,26,2480
Chicago IL - Minneapolis MN,FTL,26,3150
""").encode() + b"\n")])
    m3 = M(d(2024, 1, 17, 11, 40, JANE.tz), JANE, [DANA], "Re: Freight partnership enquiry", [
        Para(T("""
Hi Dana,

Great to meet you (virtually). I'd love to learn more about the pilot. Would Tuesday 1/23 at 10am Central or Wednesday 1/24 at 2pm Central work for a 30-minute call? I'm also copying Luis Ortega from our solutions team, who would handle the warehouse side.

In the meantime, could you send over the expected pallet dimensions and whether any of the hardware needs climate control?

Thanks,
Jane""")), Sig(JANE, delim=True), Quote(m2, "gmail", "en-US")], "gmail", cc=[LUIS, NW_SALES], parent=m2)
    m4 = M(d(2024, 1, 18, 13, 2, DANA.tz), DANA, [JANE], "Re: Freight partnership enquiry", [
        Para(T("""
Hi Jane, hi Luis,

Wednesday at 2pm Central works well. I've sent an invite. The pallets are standard 48x40, about 900 lbs each, and nothing needs climate control.

Talk soon,
Dana""")), dsig, Quote(m3, "gmail", "en-US")], "gmail", cc=[LUIS, NW_SALES], parent=m3, flags="RS")
    m3.flags = "RS"
    M(d(2024, 1, 18, 15, 20, JANE.tz), JANE, [DANA], "Re: Freight partnership enquiry", [
        Para("Perfect, see you Wednesday.\n\nJ."), Para("Sent from my iPhone"), Quote(m4, "apple", "en")],
      "iphone", cc=[LUIS, NW_SALES], parent=m4)

    # ---- Priya Raman at Cobalt Analytics (2024, Outlook)
    m6 = M(d(2024, 2, 5, 10, 30, PRIYA_OLD.tz), PRIYA_OLD, [DANA],
           "Cobalt Analytics + Webleads Demo: data enrichment pilot", [
        Para(T("""
Hi Dana,

I hope you're well. I look after mid-market partnerships on the sales side at Cobalt Analytics. We met briefly at the RevOps meetup in Austin, where you mentioned Webleads Demo is looking for a firmographic enrichment source.

We've just released a connector that enriches company records with industry, headcount band and HQ location in under 200 ms per lookup. Would you be open to a 20-minute demo next week? I'm flexible on Tuesday and Thursday afternoons (Eastern).

Best regards,""")), Sig(PRIYA_OLD)], "outlook", flags="RS")
    m7 = M(d(2024, 2, 6, 8, 15, DANA.tz), DANA, [PRIYA_OLD],
           "Re: Cobalt Analytics + Webleads Demo: data enrichment pilot", [
        Para(T("""
Hi Priya,

Good to hear from you! Thursday the 15th at 1pm Eastern works for me. Could you bring some numbers on match rates for companies under 50 employees? That's where most of our leads sit.

Best,
Dana""")), dsig, Quote(m6, "gmail", "en-US")], "gmail", parent=m6)
    M(d(2024, 2, 7, 9, 50, PRIYA_OLD.tz), PRIYA_OLD, [DANA],
      "RE: Cobalt Analytics + Webleads Demo: data enrichment pilot", [
        Para(T("""
Hi Dana,

Invite sent for Thursday 2/15 at 1pm ET. I'll bring match-rate numbers for the sub-50 segment; from memory it's around 78% on domain lookups.

Best regards,""")), Sig(PRIYA_OLD), Quote(m7, "outlook-line", "en")], "outlook", parent=m7)

    # ---- Brightwater Foods (UK English, Outlook with HTML, disclaimers; Fiona forwarded)
    m9 = M(d(2024, 3, 11, 10, 12, TOM.tz), TOM, [DANA], "Introduction – Brightwater Foods supplier data project", [
        Para(T("""
Dear Dana,

I hope this finds you well. We're reviewing how our procurement team keeps supplier contact details up to date – at the moment it's a mixture of spreadsheets and whatever happens to be in people's inboxes, which is not ideal with around 300 active suppliers.

A colleague suggested Webleads Demo might help. Would you have time for a call in the next fortnight? I'm generally free on Tuesday and Thursday mornings (UK time).

Kind regards,""")), Sig(TOM), Para(DISCLAIMER_BRIGHTWATER)], "outlook", lang="en-GB", flags="RS")
    M(d(2024, 3, 11, 9, 40, DANA.tz), DANA, [TOM], "Re: Introduction – Brightwater Foods supplier data project", [
        Para(T("""
Hi Tom,

Thanks for getting in touch. 300 suppliers spread across spreadsheets and inboxes is exactly the problem we solve. How about Thursday 21 March at 9:30am UK time? I'll send a calendar invite if that works.

Best,
Dana""")), dsig, Quote(m9, "gmail", "en-US")], "gmail", parent=m9)
    v_fiona = V(d(2024, 3, 14, 16, 22, FIONA.tz), FIONA, [TOM], "RE: Supplier data project – budget", [
        Para(T("""
Tom,

Approved for a three-month pilot up to £4,500, charged to the procurement systems budget. Before anything is signed I need the supplier's data-processing agreement and confirmation of where the data is hosted.

Thanks,
Fiona""")), Sig(FIONA)], "outlook", lang="en-GB")
    M(d(2024, 3, 14, 17, 5, TOM.tz), TOM, [DANA], "FW: Supplier data project – budget", [
        Para(T("""
Hi Dana,

Good news – see Fiona's note below. We have sign-off for a three-month pilot. Fiona will want to see the data-processing terms before we sign, so could you send those over to both of us?

Cheers,
Tom""")), Para(DISCLAIMER_BRIGHTWATER), Fwd(v_fiona, "outlook-orig", "en-GB")], "outlook", cc=[FIONA], lang="en-GB")

    # ---- Atelier Moreau (French): info@ role account, Élodie, Claire forwarded from an iPhone
    m12 = M(d(2024, 4, 8, 10, 14, DANA.tz), DANA, [Bare(ATELIER_INFO)],
            "Partnership enquiry – leather goods for our client gifts", [
        Para(T("""
Bonjour,

I'm writing from Webleads Demo in San Francisco (apologies for writing in English). We'd like to order around 60 personalised leather card holders as client gifts this autumn, and we're interested in a longer-term partnership for corporate orders.

Could you tell me whether you take corporate orders of this size, and who I should speak to?

Merci beaucoup,
Dana""")), dsig], "gmail")
    m13 = M(d(2024, 4, 9, 11, 20, ATELIER_INFO.tz), ATELIER_INFO, [DANA],
            "RE: Partnership enquiry – leather goods for our client gifts", [
        Para(T("""
Bonjour Madame Whitfield,

Merci pour votre message et pour l'intérêt que vous portez à nos créations. Nous acceptons bien entendu les commandes d'entreprise de cette taille.

Je transmets votre demande à Élodie Moreau, notre directrice commerciale, qui reviendra vers vous très rapidement.

Bien cordialement,""")), Sig(ATELIER_INFO), Quote(m12, "outlook-line", "fr")], "outlook", lang="fr", parent=m12)
    M(d(2024, 4, 10, 9, 32, ELODIE.tz), ELODIE, [DANA], "Re: Partnership enquiry – leather goods for our client gifts", [
        Para(T("""
Bonjour Dana,

Ravie de faire votre connaissance ! Nous réalisons régulièrement des commandes d'entreprise, et 60 porte-cartes personnalisés ne posent aucun problème, avec un délai de fabrication d'environ six semaines.

Je vous propose un échange en visio le jeudi 18 avril à 17h (heure de Paris), soit 8h à San Francisco. Je pourrai vous montrer les cuirs disponibles et les options de marquage à chaud.

N'hésitez pas à me dire si un autre créneau vous convient mieux.

Cordialement,""")), Sig(ELODIE, delim=True), Quote(m13, "gmail", "fr")], "gmail", lang="fr", parent=m13)
    v_claire = V(d(2024, 4, 11, 16, 48, CLAIRE.tz), CLAIRE, [ELODIE], "Délais de fabrication – commande Webleads Demo", [
        Para(T("""
Bonjour Élodie,

Pour 60 porte-cartes en cuir végétal avec marquage à chaud, il faut compter cinq à six semaines de fabrication. L'expédition vers San Francisco se fait en express (3 à 4 jours ouvrés) ; les droits de douane sont à la charge du destinataire.

Je reste à disposition pour organiser l'envoi.

Bien à vous,""")), Sig(CLAIRE)], "outlook", lang="fr")
    M(d(2024, 4, 12, 8, 5, ELODIE.tz), ELODIE, [DANA], "Fwd: Délais de fabrication – commande Webleads Demo", [
        Para(T("""
Bonjour Dana,

Je vous transfère la réponse de Claire, notre responsable logistique, concernant les délais et la livraison aux États-Unis. Vous pouvez la contacter directement pour les questions de transport.

Bonne journée,
Élodie""")), Para("Envoyé de mon iPhone"), Fwd(v_claire, "apple-fwd", "fr")], "iphone", lang="fr")

    # ---- Kessler & Söhne (German, Outlook, ISO-8859-1 quoted-printable; reply in base64)
    m16 = M(d(2024, 5, 6, 9, 15, RENEE.tz), RENEE, [DANA], "Anfrage: Pflege unserer Lieferantenkontakte", [
        Para(T("""
Sehr geehrte Frau Whitfield,

wir sind ein mittelständischer Großhändler für Industriebedarf in Berlin und arbeiten mit rund 450 Lieferanten zusammen. Die Kontaktdaten unserer Ansprechpartner pflegen wir derzeit manuell, was regelmäßig zu veralteten Einträgen führt.

Ihr Produkt wurde uns auf einer Fachmesse empfohlen. Könnten Sie uns Unterlagen zu Funktionsumfang, Preisen und zum Datenschutz (DSGVO, Serverstandort) zukommen lassen?

Mit freundlichen Grüßen""")), Sig(RENEE), Para(FOOTER_KESSLER)], "outlook", lang="de", charset="iso-8859-1", flags="RS")
    m17 = M(d(2024, 5, 6, 18, 32, DANA.tz), DANA, [RENEE], "Re: Anfrage: Pflege unserer Lieferantenkontakte", [
        Para(T("""
Dear Ms. Müller,

Thank you for your enquiry, and apologies for replying in English. Our product overview and data-processing agreement are at https://www.webleads-demo.example/trust. In short: all data is hosted in Frankfurt (EU), and we act as a processor under Art. 28 GDPR.

Would a video call next week suit you? I could do Tuesday or Wednesday at 17:00 Berlin time.

Best regards,
Dana""")), dsig, Quote(m16, "gmail", "en-US")], "gmail", parent=m16)
    M(d(2024, 5, 7, 10, 5, RENEE.tz), RENEE, [DANA], "AW: Anfrage: Pflege unserer Lieferantenkontakte", [
        Para(T("""
Sehr geehrte Frau Whitfield,

vielen Dank für die schnelle Antwort und die Unterlagen. Mittwoch, 15. Mai, um 17:00 Uhr passt uns gut. Ich bringe unseren IT-Leiter mit in den Termin.

Mit freundlichen Grüßen""")), Sig(RENEE), Para(FOOTER_KESSLER), Quote(m17, "outlook-orig", "de")],
      "plain", lang="de", charset="utf-8", cte="base64", parent=m17,
      headers=[("X-Mailer", "Microsoft Outlook 16.0"), ("Content-Language", "de-de")])

    # ---- Polderlicht (Dutch / English, Gmail)
    m19 = M(d(2024, 6, 10, 14, 20, SANNE.tz), SANNE, [DANA], "Kennismaking Polderlicht x Webleads Demo", [
        Para(T("""
Hoi Dana,

Leuk je vorige week te spreken op de beurs in Utrecht! Zoals beloofd stuur ik je wat meer informatie over Polderlicht. Wij leveren slimme ledverlichting voor kantoren en hebben inmiddels ruim 120 zakelijke klanten in de Benelux.

We zoeken een tool die ons CRM automatisch bijwerkt met de contactgegevens uit onze mailboxen. Zou je volgende week tijd hebben voor een korte demo? Dinsdag of donderdag na 15:00 komt mij het beste uit.

Met vriendelijke groet,""")), Sig(SANNE, delim=True)], "gmail", lang="nl", flags="RS")
    m20 = M(d(2024, 6, 11, 8, 45, DANA.tz), DANA, [SANNE], "Re: Kennismaking Polderlicht x Webleads Demo", [
        Para(T("""
Hi Sanne,

Great to hear from you, and thanks for the overview! Thursday 20 June at 16:00 your time works for me. I'll send a video link.

Best,
Dana""")), dsig, Quote(m19, "gmail", "en-US")], "gmail", parent=m19)
    M(d(2024, 6, 12, 9, 10, SANNE.tz), SANNE, [DANA], "Re: Kennismaking Polderlicht x Webleads Demo", [
        Para(T("""
Hi Dana,

Thursday works, see you then! I'll bring our head of sales along.

Met vriendelijke groet / Kind regards,""")), Sig(SANNE, delim=True), Quote(m20, "gmail", "en-GB")],
      "gmail", lang="nl", parent=m20)

    # ---- Lumen Tecnologia (Brazilian Portuguese, one-line signature, Gmail forward of Rafael)
    M(d(2024, 7, 15, 14, 30, ANA.tz), ANA, [DANA], "Parceria Lumen Tecnologia + Webleads Demo", [
        Para(T("""
Olá Dana, tudo bem?

Sou a Ana, responsável pela área comercial da Lumen Tecnologia. Somos uma integradora de software com foco em médias empresas do Sudeste e estamos procurando uma solução de enriquecimento de contatos para oferecer aos nossos clientes.

Você teria disponibilidade para uma conversa na próxima semana? Posso me adaptar ao seu fuso horário.

Atenciosamente,""")), Sig(ANA, "oneline")], "gmail", lang="pt")
    v_rafael = V(d(2024, 7, 15, 16, 3, RAFAEL.tz), RAFAEL, [ANA], "Cotação – licenças Webleads", [
        Para(T("""
Oi Ana,

Conforme conversamos por telefone, precisamos de uma cotação para 25 licenças da plataforma Webleads para as equipes comercial e de compras. O ideal seria começar em setembro.

Fico no aguardo.

Atenciosamente,""")), Sig(RAFAEL, delim=True)], "gmail", lang="pt")
    M(d(2024, 7, 17, 11, 5, ANA.tz), ANA, [DANA], "Fwd: Cotação – licenças Webleads", [
        Para(T("""
Dana, segue abaixo o e-mail do Rafael, da Construtora Horizonte. Ele é nosso cliente há três anos e tem interesse em 25 licenças. Pode entrar em contato diretamente com ele.

Abs,
Ana""")), Sig(ANA, "oneline"), Fwd(v_rafael, "gmail-fwd", "pt")], "gmail", lang="pt")

    # ---- Brenner Maschinenbau (German): iPhone forward of Jürgen, Jürgen's Outlook reply
    v_juergen = V(d(2024, 9, 9, 8, 15, JUERGEN.tz), JUERGEN, [MAX], "Angebot CRM-Schnittstelle", [
        Para(T("""
Hallo Max,

ich habe mir das Angebot von Webleads Demo angesehen. Die Schnittstelle zu unserem CRM wäre für den Vertrieb ein echter Gewinn, vor allem die automatische Aktualisierung der Kontaktdaten aus den Postfächern. Ich schlage vor, dass wir mit einem Pilot für das Vertriebsteam Süd (12 Nutzer) starten.

Kannst Du den Kontakt zu Frau Whitfield herstellen?

Viele Grüße
Jürgen""")), Sig(JUERGEN)], "outlook", lang="de")
    m24 = M(d(2024, 9, 9, 19, 40, MAX.tz), MAX, [DANA], "Fwd: Angebot CRM-Schnittstelle", [
        Para(T("""
Hallo Frau Whitfield,

anbei die Nachricht meines Vertriebsleiters Herrn Hofmann. Er betreut das Projekt auf unserer Seite und meldet sich in den nächsten Tagen bei Ihnen wegen eines Termins.

Beste Grüße
Max Brenner""")), Para("Von meinem iPhone gesendet"), Fwd(v_juergen, "apple-fwd", "de")],
           "iphone", cc=[JUERGEN], lang="de")
    M(d(2024, 9, 11, 10, 20, JUERGEN.tz), JUERGEN, [DANA], "AW: Angebot CRM-Schnittstelle", [
        Para(T("""
Sehr geehrte Frau Whitfield,

wie von Herrn Brenner angekündigt, melde ich mich wegen eines ersten Termins. Passt Ihnen Dienstag, 17. September, um 17:30 Uhr (MESZ)? Wir würden gern die Anbindung an unser CRM und den Pilot mit zwölf Nutzern besprechen.

Mit freundlichen Grüßen""")), Sig(JUERGEN), Quote(m24, "outlook-line", "de")],
      "outlook", cc=[MAX], lang="de", charset="iso-8859-1", parent=m24)

    # ---- Solara Energía (Spanish, Gmail; Diego sends HTML only)
    m26 = M(d(2024, 10, 1, 12, 5, LUCIA.tz), LUCIA, [DANA], "Propuesta de colaboración – Solara Energía", [
        Para(T("""
Hola Dana:

Te escribo de parte de Solara Energía, una empresa de instalaciones fotovoltaicas para empresas con sede en Madrid. Estamos renovando nuestra estrategia de marketing B2B y nos interesa mucho vuestra herramienta para mantener actualizados los contactos de nuestros clientes y distribuidores.

¿Podríamos organizar una videollamada la próxima semana? Me vendría bien el martes o el miércoles por la tarde (hora de Madrid).

Saludos,""")), Sig(LUCIA, delim=True)], "gmail", lang="es", flags="RS")
    m27 = M(d(2024, 10, 2, 10, 5, DANA.tz), DANA, [LUCIA], "Re: Propuesta de colaboración – Solara Energía", [
        Para(T("""
Hola Lucía,

Thank you for reaching out! Wednesday 9 October at 17:00 Madrid time would work well for me. Shall I send an invitation?

Best,
Dana""")), dsig, Quote(m26, "gmail", "en-US")], "gmail", parent=m26)
    M(d(2024, 10, 3, 9, 30, LUCIA.tz), LUCIA, [DANA], "Re: Propuesta de colaboración – Solara Energía", [
        Para(T("""
Hola Dana:

¡Perfecto! Envíame la invitación, por favor. Pongo en copia a Diego Morales, nuestro jefe de proyectos, que se encargará de la integración técnica.

Saludos,""")), Sig(LUCIA, delim=True), Quote(m27, "gmail", "es")], "gmail", cc=[DIEGO], lang="es", parent=m27)
    M(d(2024, 10, 8, 13, 15, DIEGO.tz), DIEGO, [DANA], "Integración técnica – preguntas previas a la reunión", [
        Para(T("""
Hola Dana:

Antes de la reunión del miércoles te adelanto algunas preguntas técnicas:

1. ¿Tenéis conector nativo para nuestro CRM o hay que usar la API?
2. ¿Los datos se alojan en la UE?
3. ¿Se pueden excluir buzones concretos del análisis?

Un saludo,""")), Sig(DIEGO)], "html-div", cc=[LUCIA], lang="es")

    # ---- Ferretti Design (Italian, Thunderbird; Giulia HTML-only with a table signature)
    M(d(2024, 11, 4, 11, 0, MARCO.tz), MARCO, [DANA], "Richiesta informazioni – piattaforma Webleads", [
        Para(T("""
Gentile Dana,

sono il responsabile acquisti di Ferretti Design, studio milanese di arredamento per uffici. Stiamo valutando una soluzione per centralizzare i contatti dei nostri fornitori e dei clienti business, oggi sparsi tra le caselle di posta dei singoli commerciali.

Potrebbe inviarmi una presentazione della piattaforma e un'indicazione dei costi per circa 15 utenti?

Cordiali saluti,""")), Sig(MARCO, delim=True), Para(DISCLAIMER_FERRETTI)], "tb", lang="it")
    M(d(2024, 11, 6, 15, 40, GIULIA.tz), GIULIA, [DANA], "Ferretti Design – cartella stampa", [
        Para(T("""
Gentile Dana,

su indicazione di Marco Bianchi le invio il link alla nostra cartella stampa, con il logo e le foto dei progetti più recenti, nel caso vogliate citarci come caso di studio: https://www.ferretti-design.example/press

Resto a disposizione per qualsiasi informazione.

Cordiali saluti,""")), Sig(GIULIA)], "html-table", cc=[MARCO], lang="it")

    # ---- 2025: Tom from his phone
    v_dana_tom = V(d(2025, 1, 17, 16, 5, DANA.tz), DANA, [TOM], "Pilot review – next steps", [
        Para(T("""
Hi Tom,

Here's a short recap of the pilot so far: 312 supplier contacts created, 41 updated after job changes, and 96% of the suggested records accepted by your team. Would you like to extend the pilot to the finance team before the renewal in March?

Best,
Dana""")), dsig], "gmail")
    M(d(2025, 1, 20, 8, 45, TOM.tz), TOM, [DANA], "Re: Pilot review – next steps", [
        Para("Hi Dana, thanks for the summary. Happy to extend the pilot to the finance team. Let's pick it up on Thursday.\n\nTom"),
        Para("Get Outlook for Android"), Quote(v_dana_tom, "outlook-android", "en")],
      "android", lang="en-GB", parent=v_dana_tom)

    # ---- Priya's old address bounces; she reappears at Helio Cloud
    m33 = M(d(2025, 2, 3, 10, 12, DANA.tz), DANA, [PRIYA_OLD], "Catching up in 2025?", [
        Para(T("""
Hi Priya,

Happy new year! It's been a while since our enrichment pilot wrapped up. We're planning our 2025 data partnerships and I'd love to compare notes. Do you have 30 minutes in the next couple of weeks?

Best,
Dana""")), dsig], "gmail")
    M(d(2025, 2, 3, 18, 13, "UTC", 1), DAEMON, [DANA], "Undelivered Mail Returned to Sender", [], "plain",
      automated=True, raw_override=lambda m: bounce(m, m33))
    m35 = M(d(2025, 2, 17, 9, 30, PRIYA.tz), PRIYA, [DANA], "New role – Helio Cloud", [
        Para(T("""
Hi Dana,

I wanted to let you know that I've left Cobalt Analytics and joined Helio Cloud as Director of Partnerships. My old Cobalt address is no longer active, so please use this one from now on.

Helio Cloud runs managed data pipelines for B2B SaaS companies, and I think there's a natural fit with Webleads Demo. Would you be up for coffee next week? I'm based in San Francisco now too.

Best,
Priya""")), Sig(PRIYA, delim=True)], "gmail", flags="RS")
    m36 = M(d(2025, 2, 17, 13, 20, DANA.tz), DANA, [PRIYA], "Re: New role – Helio Cloud", [
        Para(T("""
Priya, congratulations on the new role! That explains the bounce I got from your old address a couple of weeks ago. Coffee sounds great. How about Wednesday the 26th at 9:30 near the Embarcadero?

Dana""")), dsig, Quote(m35, "gmail", "en-US")], "gmail", parent=m35)
    M(d(2025, 2, 24, 17, 2, "UTC"), HELIO_NOREPLY, [DANA], "You've been invited to the Helio Cloud Partner Portal", [
        Para(T("""
Hello,

Priya Raman has invited you to join the Helio Cloud Partner Portal as a member of the organisation "Webleads Demo".

Accept the invitation:
https://portal.heliocloud.example/invite/7Q2M-XK4D

This invitation expires in 7 days.

This is an automated message. Replies to this address are not monitored.

Helio Cloud, Inc. · 500 Harbor Light Blvd, San Francisco, CA 94105""")), ], "plain", automated=True,
      headers=[("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All"),
               ("Reply-To", "noreply@heliocloud.example")])

    # ---- Élodie again (French Gmail quote header), Max from Apple Mail (German quote header)
    m38 = M(d(2025, 3, 3, 8, 12, DANA.tz), DANA, [ELODIE], "Commande de fin d'année 2025", [
        Para(T("""
Bonjour Élodie,

I hope you're well! Our client gifts were a big hit last year, so we'd like to order again for 2025, this time about 120 card holders and 30 laptop sleeves, delivered by mid-November.

Could you send me a quote and let me know the latest date to confirm the order?

Merci et à bientôt,
Dana""")), dsig], "gmail")
    M(d(2025, 3, 4, 9, 5, ELODIE.tz), ELODIE, [DANA], "Re: Commande de fin d'année 2025", [
        Para(T("""
Bonjour Dana,

Quel plaisir d'avoir de vos nouvelles ! Je vous prépare un devis pour les 120 porte-cartes et les 30 housses d'ordinateur, que vous recevrez d'ici vendredi. Pour une livraison mi-novembre, il faudrait valider la commande avant le 15 septembre.

Cordialement,""")), Sig(ELODIE, delim=True), Quote(m38, "gmail", "fr")], "gmail", lang="fr", parent=m38)
    v_dana_max = V(d(2025, 3, 7, 10, 12, DANA.tz), DANA, [MAX], "Pilot Vertrieb Süd – summary", [
        Para(T("""
Dear Mr. Brenner,

As promised, here is the summary of the six-month pilot with your southern sales team: 1,840 contacts kept up to date automatically, 212 job changes detected, and an average of 3.5 hours saved per sales rep each month.

Best regards,
Dana""")), dsig], "gmail")
    M(d(2025, 3, 10, 9, 20, MAX.tz), MAX, [DANA], "Re: Pilot Vertrieb Süd – summary", [
        Para(T("""
Sehr geehrte Frau Whitfield,

vielen Dank für die Zusammenfassung. Der Pilot im Vertrieb Süd hat uns überzeugt; wir möchten ab April alle 40 Vertriebsmitarbeiter anbinden. Herr Hofmann schickt Ihnen diese Woche die unterschriebene Bestellung.

Beste Grüße aus München""")), Sig(MAX, delim=True), Quote(v_dana_max, "apple", "de")],
      "apple", cc=[JUERGEN], lang="de", parent=v_dana_max)

    # ---- Verdant Bio: credentials, pronouns, motto; Apple Mail then iPhone (3 levels)
    m41 = M(d(2025, 4, 14, 11, 30, SAMUEL.tz), SAMUEL, [DANA], "Verdant Bio – contact data for our partnering team", [
        Para(T("""
Hi Dana,

Our business development team is growing quickly and we're struggling to keep track of contacts from conferences and partnering meetings. A peer at another biotech mentioned Webleads Demo. Could you walk us through how the signature extraction handles academic titles and long affiliations? Many of our contacts are professors or clinicians with rather elaborate signatures.

All the best,""")), Sig(SAMUEL)], "apple", flags="RS")
    m42 = M(d(2025, 4, 14, 10, 5, DANA.tz), DANA, [SAMUEL], "Re: Verdant Bio – contact data for our partnering team", [
        Para(T("""
Hi Samuel,

Thanks for reaching out! Academic titles are a favourite topic of ours: the extractor keeps credentials like PhD or MD apart from the job title. I'd be glad to show you live with a few anonymised examples. Would Friday at 1pm Eastern work?

Best,
Dana""")), dsig, Quote(m41, "gmail", "en-US")], "gmail", parent=m41)
    M(d(2025, 4, 14, 14, 2, SAMUEL.tz), SAMUEL, [DANA], "Re: Verdant Bio – contact data for our partnering team", [
        Para("Friday works. Looking forward to it.\n\nSam"), Para("Sent from my iPhone"),
        Quote(m42, "apple", "en")], "iphone", parent=m42)

    # ---- Polderlicht again: Thunderbird, Dutch quote header with Pieter's signature
    v_pieter = V(d(2025, 5, 30, 16, 40, PIETER.tz), PIETER, [SANNE], "Uitbreiding licenties Q3", [
        Para(T("""
Hoi Sanne,

De pilot met Webleads Demo loopt goed; het salesteam is enthousiast. Laten we in Q3 uitbreiden naar de hele organisatie (ongeveer 20 extra licenties). Kun jij contact opnemen met Dana voor een offerte?

Groet,
Pieter""")), Sig(PIETER, delim=True)], "tb", lang="nl")
    M(d(2025, 6, 2, 10, 15, SANNE.tz), SANNE, [PIETER], "Re: Uitbreiding licenties Q3", [
        Para(T("""
Hoi Pieter,

Goed idee. Ik zet Dana van Webleads Demo in de cc, dan kan zij ons een voorstel sturen voor de extra licenties.

Dana, zie het bericht van Pieter hieronder. Kun je ons voor eind juni een offerte sturen?

Met vriendelijke groet,""")), Sig(SANNE, delim=True), Quote(v_pieter, "tb", "nl")],
      "tb", cc=[DANA], lang="nl", parent=v_pieter)

    # ---- Newsletter (bulk)
    M(d(2025, 6, 15, 14, 0, "UTC", 31), COBALT_NEWS, [DANA], "Cobalt Insights – June 2025: 3 ways to cut enrichment costs",
      [], "plain", automated=True, raw_override=newsletter)

    # ---- Ferretti Design again: out-of-office auto-reply, then Marco's real answer
    v_dana_marco = V(d(2025, 8, 11, 9, 30, DANA.tz), DANA, [MARCO], "Office furniture samples – Webleads Demo SF office", [
        Para(T("""
Hi Marco,

We're moving into a new office in San Francisco this autumn and I immediately thought of Ferretti Design. Could you send samples of your task chairs and a quote for about 35 workstations?

Best,
Dana""")), dsig], "gmail")
    M(d(2025, 8, 11, 18, 31, MARCO.tz), MARCO, [DANA], "Out of office / Fuori ufficio: Office furniture samples – Webleads Demo SF office", [
        Para(T("""
Fuori ufficio / Out of office

Grazie per il suo messaggio. Sono fuori ufficio fino al 22 agosto, con accesso limitato alla posta elettronica, e risponderò al mio rientro.

Thank you for your message. I am out of the office until 22 August with limited access to email and will reply when I return.

Marco Bianchi"""))], "plain", lang="it", automated=True, parent=v_dana_marco,
      headers=[("Auto-Submitted", "auto-replied"), ("X-Autoreply", "yes"), ("X-Auto-Response-Suppress", "All"),
               ("Precedence", "auto_reply")])
    M(d(2025, 8, 25, 10, 40, MARCO.tz), MARCO, [DANA], "Re: Office furniture samples – Webleads Demo SF office", [
        Para(T("""
Gentile Dana,

rientrato dalle ferie, ho letto la sua richiesta. Entro venerdì le invieremo i campioni di due modelli di seduta operativa e un preventivo per 35 postazioni, comprensivo di spedizione a San Francisco.

Cordiali saluti,""")), Sig(MARCO, delim=True), Para(DISCLAIMER_FERRETTI), Quote(v_dana_marco, "tb", "it")],
      "tb", lang="it", parent=v_dana_marco)

    # ---- Quillstack: developer with pronouns and profiles; support@ role account
    M(d(2025, 9, 9, 15, 10, ALEX.tz), ALEX, [DANA], "Quillstack API access for the Webleads integration", [
        Para(T("""
Hey Dana,

Following up on our chat at the meetup: I've set up a sandbox workspace for Webleads Demo so your team can try the Quillstack contacts API before we finalise the integration. The API key is in the workspace settings (Settings > Developer).

Docs are at https://docs.quillstack.example/contacts-api (the webhook section is the interesting bit for you). If anything breaks, open a ticket with support@quillstack.example and cc me.

Thanks,
Alex""")), Sig(ALEX, delim=True)], "gmail")
    m49 = M(d(2025, 9, 10, 11, 25, DANA.tz), DANA, [Bare(QS_SUPPORT)], "Webhook signature check failing in sandbox", [
        Para(T("""
Hello Quillstack support,

In our sandbox workspace (set up by Alex Chen), webhook deliveries to our endpoint fail the signature check: every request arrives with a signature header, but the HMAC never matches the one we compute from the raw body. We're following the example in the docs step by step.

Could you take a look? Happy to share request logs.

Thanks,
Dana""")), dsig], "gmail", cc=[ALEX])
    M(d(2025, 9, 10, 16, 2, QS_SUPPORT.tz), QS_SUPPORT, [DANA], "Re: Webhook signature check failing in sandbox [Ticket #4821]", [
        Para(T("""
Hi Dana,

Thanks for the detailed report. The sandbox signs webhooks with the workspace's signing secret, not with the API key; you'll find it under Settings > Developer > Webhooks. The example in the docs was wrong on this point and we've corrected it.

Let us know if the check still fails after switching the secret, and we'll dig into your request logs.

Best regards,""")), Sig(QS_SUPPORT), Quote(m49, "gmail", "en-US")], "gmail", cc=[ALEX], parent=m49)

    # ---- Harborview Capital: Outlook HTML, credentials, fax, disclaimer
    m51 = M(d(2025, 11, 4, 9, 40, OLIVIA.tz), OLIVIA, [DANA], "Harborview Capital – portfolio-wide contact data", [
        Para(T("""
Dear Dana,

I'm the CFO at Harborview Capital Partners. Several of our portfolio companies have asked whether we can recommend a tool for keeping customer and supplier contacts current, and Webleads Demo came up twice.

Before we go further, I'd appreciate your standard pricing for a group licence (about 8 companies, 250 users in total) and a copy of your SOC 2 report.

Best regards,""")), Sig(OLIVIA), Para(DISCLAIMER_HARBORVIEW)], "outlook", flags="RS")
    m52 = M(d(2025, 11, 4, 14, 10, DANA.tz), DANA, [OLIVIA], "Re: Harborview Capital – portfolio-wide contact data", [
        Para(T("""
Dear Olivia,

Thank you for thinking of us! I've asked our security team to share the SOC 2 report through our trust portal; you should receive an invitation today. For a group licence of that size we'd propose a per-company platform fee plus per-user pricing, and I'll send a formal quote by Friday.

Best regards,
Dana""")), dsig, Quote(m51, "gmail", "en-US")], "gmail", parent=m51)
    M(d(2025, 11, 6, 8, 55, OLIVIA.tz), OLIVIA, [DANA], "RE: Harborview Capital – portfolio-wide contact data", [
        Para(T("""
Dana,

Received the SOC 2 report, thank you. One more request: could the quote show the per-company fee separately, so that each portfolio company can see its own cost?

Best regards,""")), Sig(OLIVIA), Para(DISCLAIMER_HARBORVIEW), Quote(m52, "outlook-orig", "en")],
      "outlook", parent=m52)

    # ---- 2026
    v_dana_ana = V(d(2026, 1, 13, 10, 40, DANA.tz), DANA, [ANA], "Webleads reseller programme 2026", [
        Para(T("""
Hi Ana,

Happy new year! Our reseller programme for 2026 is now live, with a 20% margin on annual licences. Would Lumen like to join? I can send the agreement this week.

Best,
Dana""")), dsig], "gmail")
    M(d(2026, 1, 14, 10, 20, ANA.tz), ANA, [DANA], "Re: Webleads reseller programme 2026", [
        Para(T("""
Olá Dana,

Feliz ano novo! Temos interesse, sim. Pode enviar o contrato para mim e para o nosso jurídico. Também gostaríamos de incluir a Construtora Horizonte como primeiro cliente do programa.

Atenciosamente,""")), Sig(ANA, "full", delim=True), Quote(v_dana_ana, "gmail", "pt")],
      "gmail", lang="pt", cte="base64", parent=v_dana_ana)
    M(d(2026, 2, 9, 10, 45, PRIYA.tz), PRIYA, [DANA], "Re: New role – Helio Cloud", [
        Para(T("""
Hi Dana,

Reviving this old thread: hard to believe it's been a year since that coffee! Helio Cloud is hosting a partner summit in San Francisco on 19 March, and I'd love for Webleads Demo to join a panel on contact data quality. Interested?

Best,
Priya""")), Sig(PRIYA, delim=True), Quote(m36, "gmail", "en-US")], "gmail", parent=m36)
    M(d(2026, 3, 2, 11, 15, JANE.tz), JANE, [DANA], "Northwind x Webleads – 2026 renewal", [
        Para(T("""
Hi Dana,

Our contract comes up for renewal at the end of April. We'd like to keep the current volume and add our new Milwaukee warehouse (about 15 pallets a month). Could you send over an updated proposal?

Thanks,
Jane""")), Sig(JANE, delim=True)], "gmail", flags="")
    M(d(2026, 3, 16, 13, 0, "UTC", 4), NW_NOREPLY, [DANA], "Shipment NWL-2026-004512 delivered", [
        Para(T("""
Your shipment has been delivered.

Shipment:     NWL-2026-004512
Delivered:    Mon, 16 Mar 2026, 7:58 AM CT
Delivered to: Webleads Demo, receiving dock
Pallets:      12

Track this shipment: https://track.northwind-logistics.example/NWL-2026-004512

This message was sent automatically. Please do not reply.
Northwind Logistics · 1450 W Larkspur Ave, Chicago, IL 60607""")), ], "plain", automated=True, flags="",
      headers=[("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All")])
    return msgs


# --------------------------------------------------------------------------- automated mail

def bounce(m: Msg, original: Msg) -> bytes:
    """A Postfix-style delivery status notification carrying the original message."""
    t = m.date
    qid = h("bounce", m.mid)[:10].upper()
    arrival = email.utils.format_datetime(original.date.astimezone(dt.timezone.utc))
    rcpt = original.to[0].email
    b = f"{qid}.{int(t.timestamp())}/{MX}"
    report = T(f"""
This is the mail system at host {MX}.

Your message could not be delivered to one or more recipients.
It is attached below.

For further assistance, please contact the postmaster of the
receiving domain. Please do not reply to this notification.

<{rcpt}>: host mx1.cobalt-analytics.example[203.0.113.25] said:
    550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown
    in virtual mailbox table (in reply to RCPT TO command)
""") + "\n"
    status = T(f"""
Reporting-MTA: dns; {MX}
X-Postfix-Queue-ID: {qid}
X-Postfix-Sender: rfc822; {OWNER}
Arrival-Date: {arrival}

Final-Recipient: rfc822; {rcpt}
Original-Recipient: rfc822;{rcpt}
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx1.cobalt-analytics.example
Diagnostic-Code: smtp; 550 5.1.1 <{rcpt}>: Recipient address rejected: User
    unknown in virtual mailbox table
""") + "\n"
    head = T(f"""
Return-Path: <>
Delivered-To: {OWNER}
Received: by {MX} (Postfix)
\tid {qid}; {email.utils.format_datetime(t)}
Date: {email.utils.format_datetime(t)}
From: Mail Delivery System <MAILER-DAEMON@{MX}>
Subject: Undelivered Mail Returned to Sender
To: {OWNER}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Message-Id: {m.mid}
""") + "\n"
    parts = [
        b"Content-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n" + report.encode(),
        b"Content-Description: Delivery report\nContent-Type: message/delivery-status\n\n" + status.encode(),
        b"Content-Description: Undelivered Message\nContent-Type: message/rfc822\n\n" + render(original),
    ]
    return head.encode() + multipart("report", b, parts, "; report-type=delivery-status")


def newsletter(m: Msg) -> bytes:
    seed = h("news", m.mid)
    tok = seed[:12]
    text = T("""
COBALT INSIGHTS | June 2025

3 ways to cut enrichment costs this quarter

1. Cache firmographics for 30 days. Company data changes slowly; most teams re-query far too often.
2. Enrich on demand, not on import. Only records that reach a sales stage need the full profile.
3. Deduplicate before you enrich. Duplicate accounts are the most common source of wasted lookups.

Read the full article: https://www.cobalt-analytics.example/blog/cut-enrichment-costs

WEBINAR: "Data quality for RevOps teams", Thursday 26 June, 11am ET
Register: https://www.cobalt-analytics.example/webinars/data-quality

Questions? Visit our help centre: https://help.cobalt-analytics.example

--
You are receiving this email because you attended a Cobalt Analytics webinar.
Manage preferences: https://news.cobalt-analytics.example/preferences/{tok}
Unsubscribe: https://news.cobalt-analytics.example/u/{tok}

Cobalt Analytics, Inc. · 88 Meridian Plaza, New York, NY 10013, USA
""").replace("{tok}", tok)
    body_html = T("""
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Cobalt Insights</title></head>
<body style="margin:0;padding:0;background:#f3f5f8">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f5f8">
<tr><td align="center">
<table role="presentation" width="600" cellpadding="24" cellspacing="0" style="background:#ffffff;font-family:Arial,sans-serif;color:#1b2430">
<tr><td style="background:#123a63;color:#ffffff;font-size:20px;font-weight:bold">COBALT INSIGHTS <span style="font-weight:normal">| June 2025</span></td></tr>
<tr><td>
<h1 style="font-size:22px">3 ways to cut enrichment costs this quarter</h1>
<ol>
<li><b>Cache firmographics for 30 days.</b> Company data changes slowly; most teams re-query far too often.</li>
<li><b>Enrich on demand, not on import.</b> Only records that reach a sales stage need the full profile.</li>
<li><b>Deduplicate before you enrich.</b> Duplicate accounts are the most common source of wasted lookups.</li>
</ol>
<p><a href="https://www.cobalt-analytics.example/blog/cut-enrichment-costs" style="background:#1f7ae0;color:#ffffff;padding:10px 16px;text-decoration:none">Read the full article</a></p>
<p><b>WEBINAR:</b> &ldquo;Data quality for RevOps teams&rdquo;, Thursday 26 June, 11am ET &middot; <a href="https://www.cobalt-analytics.example/webinars/data-quality">Register</a></p>
</td></tr>
<tr><td style="font-size:11px;color:#6b7685">
You are receiving this email because you attended a Cobalt Analytics webinar.<br>
<a href="https://news.cobalt-analytics.example/preferences/{tok}">Manage preferences</a> &middot; <a href="https://news.cobalt-analytics.example/u/{tok}">Unsubscribe</a><br>
Cobalt Analytics, Inc. &middot; 88 Meridian Plaza, New York, NY 10013, USA
<img src="https://news.cobalt-analytics.example/o/{tok}.gif" width="1" height="1" alt="">
</td></tr>
</table>
</td></tr>
</table>
</body></html>
""").replace("{tok}", tok)
    b = f"=_cobalt_{seed[12:36]}"
    head = T(f"""
Return-Path: <bounce-{tok}@news.cobalt-analytics.example>
Delivered-To: {OWNER}
Received: from mta7.news.cobalt-analytics.example (mta7.news.cobalt-analytics.example [203.0.113.87])
\tby {MX} (Postfix) with ESMTPS id {seed[36:46].upper()}
\tfor <{OWNER}>; {email.utils.format_datetime(m.date + dt.timedelta(seconds=3))}
From: Cobalt Analytics <newsletter@news.cobalt-analytics.example>
Reply-To: Cobalt Analytics <hello@cobalt-analytics.example>
To: {OWNER}
Subject: {fmt_subject(m.subject, m)}
Date: {email.utils.format_datetime(m.date)}
Message-ID: {m.mid}
MIME-Version: 1.0
List-Id: Cobalt Insights <insights.news.cobalt-analytics.example>
List-Unsubscribe: <mailto:unsubscribe+{tok}@news.cobalt-analytics.example?subject=unsubscribe>,
 <https://news.cobalt-analytics.example/u/{tok}>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
Precedence: bulk
X-Campaign-Id: insights-2025-06
Feedback-ID: insights-2025-06:newsletter:cobalt
""") + "\n"
    body = multipart("alternative", b, [
        leaf("text/plain", text + "\n", "utf-8", "quoted-printable"),
        leaf("text/html", body_html + "\n", "utf-8", "quoted-printable"),
    ])
    return head.encode() + body


# --------------------------------------------------------------------------- EXPECTED.jsonl

def shows(m: Msg, depth: int = 0) -> list[tuple[P, tuple[str, ...], int]]:
    """Every signature visible in a message: (persona, phone slots used, quote depth)."""
    out = []
    for s in m.segs:
        if isinstance(s, Sig):
            out.append((s.who, s.who.sig(s.variant)[1], depth))
        elif isinstance(s, (Quote, Fwd)):
            out += shows(s.child, depth + 1)
    return out


def header_people(m: Msg) -> list[tuple[P, str]]:
    out = [(m.frm, "from")]
    out += [(x.p if isinstance(x, Bare) else x, "to") for x in m.to]
    out += [(x.p if isinstance(x, Bare) else x, "cc") for x in m.cc]
    return out


def expected(msgs: list[Msg]) -> list[dict]:
    seen: dict[str, dict] = {}
    bounce_n = next(m.n for m in msgs if m.frm is DAEMON)
    first_from = {}
    for m in msgs:
        if not m.automated:
            first_from.setdefault(m.frm.email, m.date)

    def cur_since(_e: dict, p: P) -> dt.datetime:
        return first_from[p.email]

    for m in msgs:
        if m.automated:
            continue  # automated mail must yield nothing
        hits = [(p, role, ()) for p, role in header_people(m)]
        hits += [(p, "signature" if depth == 0 else "quoted/forwarded signature", slots)
                 for p, slots, depth in shows(m)]
        for p, role, slots in hits:
            if not p.listed:
                continue
            e = seen.setdefault(p.key, {"first": m.n, "roles": {}, "personas": {}, "slots": {}})
            e["roles"].setdefault(role, [])
            if m.n not in e["roles"][role]:
                e["roles"][role].append(m.n)
            if role != "to" and role != "cc":  # what the person wrote: the latest one is current
                e["personas"][p.email] = (p, m.date)
            else:
                e["personas"].setdefault(p.email, (p, m.date))
            e["slots"].setdefault(p.email, set()).update(slots)
    rows = []
    order = ["from", "to", "cc", "signature", "quoted/forwarded signature"]
    for key, e in sorted(seen.items(), key=lambda kv: kv[1]["first"]):
        cur, _ = max(e["personas"].values(), key=lambda pv: pv[1])
        slots = e["slots"][cur.email]
        phones = [{"number": ph.e164, "type": ph.type}
                  for slot, ph in cur.phones.items() if slot in slots]
        where = "; ".join(f"{r}: " + ", ".join(f"M{n}" for n in e["roles"][r]) for r in order if r in e["roles"])
        notes = [where]
        for email_, (p, when) in sorted(e["personas"].items(), key=lambda kv: kv[1][1]):
            if p is not cur:
                notes.append(f"job change: until {when:%Y-%m} {p.title} at {p.company} <{p.email}>, "
                             f"from {cur_since(e, cur):%Y-%m} {cur.title} at {cur.company}; "
                             f"the old address bounces (M{bounce_n})")
        if cur.note:
            notes.append(cur.note)
        rows.append({"email": cur.email, "name": cur.name, "title": cur.title, "company": cur.company,
                     "phones": phones, "kind": cur.kind, "note": "; ".join(notes)})
    return rows


# --------------------------------------------------------------------------- write + check

def filename(m: Msg) -> str:
    return f"{int(m.date.timestamp())}.M{m.n}P1.demo:2,{m.flags}"


def decoded_text(msg: email.message.EmailMessage) -> str:
    out = []
    for part in msg.walk():
        ct = part.get_content_type()
        if ct in ("text/plain", "text/html") and not part.is_attachment():
            s = part.get_content()
            if ct == "text/html":
                s = re.sub(r"<br\s*/?>|</(div|p|tr|td|li)>", "\n", s)
                s = html.unescape(re.sub(r"<[^>]+>", "", s))
            out.append(s)
    return "\n".join(out)


def all_defects(msg) -> list:
    out = []
    for part in msg.walk():
        out += [(part.get_content_type(), d) for d in part.defects]
        if part.get_content_type() == "message/rfc822":
            for inner in part.iter_parts():
                out += all_defects(inner)
    return out


def check(out: Path, msgs: list[Msg], raws: dict[int, bytes]) -> None:
    mids = [m.mid for m in msgs]
    assert len(set(mids)) == len(mids), "duplicate Message-ID"
    for m in msgs:
        raw = raws[m.n]
        for line in raw.split(b"\n"):
            assert len(line) <= 998, f"M{m.n}: line longer than 998 octets"
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        defects = all_defects(msg)
        assert not defects, f"M{m.n}: {defects}"
        assert msg["Message-ID"] == m.mid, (m.n, msg["Message-ID"])
        assert msg["From"].addresses[0].addr_spec.lower() == m.frm.email.lower(), m.n
        if m.frm.shown and m.frm is not COBALT_NEWS:
            assert msg["From"].addresses[0].display_name == m.frm.shown, (m.n, msg["From"])
        text = decoded_text(msg)
        flat = re.sub(r"\s+", " ", text)
        for p, slots, _depth in shows(m):
            name = [] if p.kind == "role" else [p.name]  # a role's name is its header display name
            for val in name + [p.title, p.company] + [p.phones[s].display for s in slots]:
                if val:
                    assert re.sub(r"\s+", " ", val) in flat, f"M{m.n}: {val!r} not in decoded text"
    md = mailbox.Maildir(str(out), factory=None, create=False)
    # Python 3.11's Maildir lists new/.keep too; the Maildir spec says dot-files are not messages.
    keys = [k for k in md.keys() if not k.startswith(".")]
    assert len(keys) == len(msgs), (len(keys), len(msgs))
    for k in keys:
        assert md.get_message(k)["Message-ID"], k


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    out: Path = args.out

    msgs = build()
    raws = {m.n: render(m) for m in msgs}
    rows = expected(msgs)

    for sub in ("cur", "new", "tmp"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    for sub in ("new", "tmp"):
        (out / sub / ".keep").write_bytes(b"")
    for old in (out / "cur").iterdir():
        old.unlink()
    for m in msgs:
        path = out / "cur" / filename(m)
        path.write_bytes(raws[m.n])
        ts = m.date.timestamp()
        os.utime(path, (ts, ts))
    with open(out / "EXPECTED.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")

    check(out, msgs, raws)
    langs = sorted({m.lang for m in msgs})
    print(f"wrote {len(msgs)} messages, {len(rows)} expected contacts to {out} (languages: {', '.join(langs)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
