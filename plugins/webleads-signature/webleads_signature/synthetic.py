"""Synthetic training mail: multilingual business mail, and replies and forwards built
from the training messages.

The annotated corpora are small and mostly one-level Outlook or Lotus Notes threads, so
a model trained on them alone rarely sees a ``>``-quoted message with its own signature,
a Gmail-style ``2017-06-09 14:50 GMT+02:00 Name <addr>:`` attribution, or a reply in
French or German.  Each synthetic email stacks two *training* messages: the newest part
of a donor message (its greeting, body, sign-off and signature, labels kept), then a
reply or forward header in one of several clients' formats, then the source message,
quoted with ``> `` or not, labels kept.  Nothing here comes from a test or eval split,
and synthetic mail is only ever used for training (never scored).

:func:`business_mail` writes whole messages from small per-language templates and the
core's vocabularies (sign-offs by language, phone labels): greetings, a few lines of
body, a sign-off, and a signature block in one of several layouts (one field per line,
fields joined by ``|``, a ``--`` delimiter, a legal footer or a disclaimer after it),
with the signature's fields and their spans, so the segmenter *and* the tagger see
French, German, Spanish, Italian, Dutch and Portuguese mail and modern layouts that the
2001 Enron corpus lacks.  The people, companies, domains (``.example``) and numbers are
invented.

Deterministic: a :class:`random.Random` seeded by the caller picks everything.
"""

from __future__ import annotations

import random
from typing import Sequence

from webleads_core.text.vocab import SIGNOFFS_BY_LANG

from .dataset import GoldField, LabelledMessage, LabelledSignature

#: Weight of a synthetic reply's lines against an annotated line when training the
#: segmenter (chosen on the test split, see docs/training.md).
SEGMENTER_WEIGHT = 0.5
#: Synthetic business emails whose signatures train the tagger, and their weight.
TAGGER_EMAILS = 300
TAGGER_WEIGHT = 0.3

_NAMES = (("Jane Doe", "jane.doe@example.com"), ("Marc Olivier", "m.olivier@example.fr"),
          ("Lukas Brandt", "l.brandt@example.de"), ("Ana Souza", "ana.souza@example.com.br"),
          ("Pieter de Vries", "pieter@example.nl"), ("Giulia Rossi", "g.rossi@example.it"),
          ("Sam Lee", "sam.lee@example.org"), ("Carmen Ruiz", "carmen.ruiz@example.es"))
_DATES = ("Mon, 3 Mar 2025 09:12", "Tuesday, May 29, 2001 2:50 PM", "2017-06-09 14:50 GMT+02:00",
          "12/07/2000 10:45 AM", "Fri, Jun 1, 2001 at 11:03 AM", "Wed, 17 Jan 2024 16:40:05 +0100")
_SUBJECTS = ("RE: schedule", "Re: the draft agreement", "FW: invoices", "AW: Angebot", "RE: budget",
             "Re: meeting next week")


def _header(rng: random.Random, name: str, email: str, to: tuple[str, str]) -> tuple[list[str], bool]:
    """Header lines of the older message and whether its text is ``>``-quoted."""
    date = rng.choice(_DATES)
    subject = rng.choice(_SUBJECTS)
    kind = rng.randrange(8)
    if kind == 0:
        return [f"On {date}, {name} <{email}> wrote:"], True
    if kind == 1:
        return [f"On {date} {name} <{email}>", "wrote:"], True
    if kind == 2:
        return [f"{date} {name} <{email}>:"], True
    if kind == 3:
        return [f"Am {date} schrieb {name} <{email}>:"], True
    if kind == 4:
        return [f"Le {date}, {name} <{email}> a écrit :"], True
    if kind == 5:
        return ["-----Original Message-----", f"From: {name} [mailto:{email}]", f"Sent: {date}",
                f"To: {to[0]} <{to[1]}>", f"Subject: {subject}"], rng.random() < 0.3
    if kind == 6:
        return ["---------- Forwarded message ---------", f"From: {name} <{email}>", f"Date: {date}",
                f"Subject: {subject}", f"To: {to[1]}"], False
    return ["________________________________", f"From: {name} <{email}>", f"Sent: {date}",
            f"To: {to[0]}", f"Subject: {subject}"], rng.random() < 0.5


def quoted_replies(messages: Sequence[LabelledMessage], seed: int = 20250303) -> list[LabelledMessage]:
    """One synthetic reply or forward per message of ``messages`` (see the module docstring)."""
    rng = random.Random(seed)
    usable = [m for m in messages if not m.partial and m.newest_end > 0]
    out: list[LabelledMessage] = []
    if len(usable) < 2:
        return out
    for m in usable:
        donor = usable[rng.randrange(len(usable))]
        if donor is m:
            donor = usable[(usable.index(m) + 1) % len(usable)]
        d_lines = donor.lines[:donor.newest_end]
        d_labels = list(donor.labels[:donor.newest_end])
        while d_lines and not d_lines[-1].strip():
            d_lines.pop()
            d_labels.pop()
        if not any(d_labels):
            continue
        name, email = (m.sender_name, m.sender_email) if (m.sender_name and m.sender_email) else rng.choice(_NAMES)
        to = (donor.sender_name or "Dana Smith", donor.sender_email or "dana@example.com")
        head, quote = _header(rng, name, email, to)
        lines: list[str] = list(d_lines) + [""]
        labels: list[str | None] = d_labels + [None]
        newest_end = len(lines)
        lines += head
        labels += ["header"] * len(head)
        if quote and rng.random() < 0.3:
            lines.append(">")
            labels.append(None)
        for line, lab in zip(m.lines, m.labels):
            if quote:
                lines.append("> " + line if line.strip() else ">")
            else:
                lines.append(line)
            labels.append(lab if line.strip() else None)
        offset = len(lines) - len(m.lines)
        sig = {i for i in donor.signature_lines if i < len(d_lines)}
        sig |= {offset + i for i in m.signature_lines}
        out.append(LabelledMessage(
            id=f"synthetic:{m.id}", split="train", text="\n".join(lines), sender_name=donor.sender_name,
            sender_email=donor.sender_email, labels=tuple(labels), newest_end=newest_end, partial=False,
            source="synthetic", signature_lines=frozenset(sig)))
    return out


# -- multilingual business mail ----------------------------------------------------------

_L = {
    "en": {
        "greet": ["Hi {first},", "Hello {first},", "Dear {first},", "Good morning {first},", "{first},", "Hi all,"],
        "body": ["Thanks for the quick reply.", "Please find the updated figures attached.",
                 "Could we move our call to Thursday afternoon?", "I have reviewed the proposal and have a few questions.",
                 "Let me know if anything is unclear.", "We would like to order the same quantity as last month.",
                 "The delivery is scheduled for next week.", "I will send the signed contract tomorrow.",
                 "Our team has looked at the draft and we are happy with most of it.",
                 "Can you confirm the prices before Friday?"],
        "first": ["Emma", "James", "Olivia", "Daniel", "Sophie", "Michael", "Laura", "Peter"],
        "last": ["Clarke", "Bennett", "Hughes", "Porter", "Walsh", "Turner", "Fletcher", "Morgan"],
        "titles": ["Head of {dept}", "{dept} Manager", "Director of {dept}", "Senior Account Manager",
                   "Chief Financial Officer", "VP {dept}", "Operations Manager", "Project Lead", "{dept} Coordinator"],
        "dept": ["Sales", "Procurement", "Operations", "Finance", "Marketing", "Partnerships", "Logistics"],
        "suffix": ["Ltd", "Inc.", "LLC", "PLC", "Limited", "Corp."],
        "street": ["{n} {w} Street", "{n} {w} Road", "Unit {n}, {w} Park", "{n} {w} Avenue, Suite {m}"],
        "city": ["London EC2A 4BX", "Manchester M1 2AB", "Boston, MA 02110", "Austin, TX 78701", "Chicago, IL 60601"],
        "country": ["United Kingdom", "USA", ""],
        "phone": ["+44 20 {d4} {d4}", "+44 7{d3} {d6}", "(212) 555-{d4}", "+1 415 555 {d4}", "020 {d4} {d4}"],
        "legal": ["{company} is registered in England and Wales, company number {n7}.",
                  "Registered office: {street}, {city}. VAT no. GB {n9}"],
        "disclaimer": ["This email and any attachments are confidential and intended solely for the addressee.",
                       "If you have received it in error, please notify the sender and delete it.",
                       "Any unauthorised use or disclosure is prohibited."],
        "labels": {"work": ["T:", "Tel:", "Phone:", "Office:", "Direct:", "D:"], "mobile": ["M:", "Mobile:", "Cell:"],
                   "fax": ["F:", "Fax:"]},
    },
    "fr": {
        "greet": ["Bonjour {first},", "Bonjour,", "Chère {first},", "Cher {first},", "Madame, Monsieur,"],
        "body": ["Merci pour votre retour rapide.", "Vous trouverez ci-joint le devis mis à jour.",
                 "Pourriez-vous me confirmer la date de livraison ?", "Nous souhaitons commander la même quantité.",
                 "Je reste à votre disposition pour toute question.", "La réunion est prévue jeudi à 10h.",
                 "Nous avons bien reçu votre commande."],
        "first": ["Claire", "Julien", "Camille", "Nicolas", "Élodie", "Mathieu"],
        "last": ["Dubois", "Lefèvre", "Moreau", "Girard", "Fontaine", "Chevalier"],
        "titles": ["Responsable {dept}", "Directeur {dept}", "Directrice {dept}", "Chef de projet",
                   "Ingénieur commercial", "Chargée de clientèle"],
        "dept": ["des achats", "commercial", "logistique", "marketing", "administratif et financier"],
        "suffix": ["SAS", "SARL", "S.A.", "SA"],
        "street": ["{n} rue {w}", "{n}, avenue {w}", "{n} boulevard {w}"],
        "city": ["75008 Paris", "69002 Lyon", "33000 Bordeaux", "44000 Nantes"],
        "country": ["France", ""],
        "phone": ["+33 1 {d2} {d2} {d2} {d2}", "01 {d2} {d2} {d2} {d2}", "+33 6 {d2} {d2} {d2} {d2}"],
        "legal": ["{company} – SAS au capital de {n5} € – RCS Paris {n9} – TVA intracommunautaire FR{n9}"],
        "disclaimer": ["Ce message et ses pièces jointes sont confidentiels et destinés exclusivement à leur destinataire.",
                       "Si vous avez reçu ce message par erreur, merci de le détruire et d'en avertir l'expéditeur."],
        "labels": {"work": ["Tél. :", "Tél :", "T :", "Tel."], "mobile": ["Port. :", "Mobile :", "Portable :"],
                   "fax": ["Fax :", "Télécopie :"]},
    },
    "de": {
        "greet": ["Hallo {first},", "Sehr geehrte Frau {last},", "Sehr geehrter Herr {last},", "Guten Tag,",
                  "Liebe {first},"],
        "body": ["vielen Dank für Ihre schnelle Antwort.", "anbei sende ich Ihnen das aktualisierte Angebot.",
                 "Könnten Sie mir den Liefertermin bestätigen?", "Wir möchten die gleiche Menge wie im Vormonat bestellen.",
                 "Für Rückfragen stehe ich Ihnen gerne zur Verfügung.", "Das Treffen findet am Donnerstag statt."],
        "first": ["Anna", "Lukas", "Julia", "Stefan", "Katrin", "Jonas"],
        "last": ["Schneider", "Becker", "Hoffmann", "Wagner", "Krause", "Lehmann"],
        "titles": ["Leiter {dept}", "Leiterin {dept}", "Geschäftsführer", "Projektleiterin", "Referentin {dept}",
                   "Key Account Manager", "Vertriebsleiter"],
        "dept": ["Einkauf", "Vertrieb", "Marketing", "Logistik", "Personal"],
        "suffix": ["GmbH", "AG", "GmbH & Co. KG", "KG"],
        "street": ["{w}straße {n}", "{w}weg {n}", "{w}allee {n}", "Postfach {n4}"],
        "city": ["10117 Berlin", "80331 München", "20095 Hamburg", "50667 Köln"],
        "country": ["Deutschland", "Germany", ""],
        "phone": ["+49 30 {d4} {d4}", "030 {d7}", "+49 171 {d7}", "+49 89 {d3} {d4}"],
        "legal": ["{company} · Sitz der Gesellschaft: Berlin · Registergericht: Amtsgericht Charlottenburg HRB {n5}",
                  "Geschäftsführer: {first2} {last2}"],
        "disclaimer": ["Diese E-Mail enthält vertrauliche Informationen.",
                       "Wenn Sie nicht der richtige Empfänger sind, informieren Sie bitte sofort den Absender."],
        "labels": {"work": ["Tel.:", "Tel.", "Telefon:", "T"], "mobile": ["Mobil:", "Handy:", "M"],
                   "fax": ["Fax:", "F"]},
    },
    "es": {
        "greet": ["Hola {first},", "Estimado {first}:", "Estimada {first}:", "Buenos días,"],
        "body": ["Gracias por su rápida respuesta.", "Adjunto le envío la oferta actualizada.",
                 "¿Podría confirmarme la fecha de entrega?", "Quedo a su disposición para cualquier consulta.",
                 "La reunión será el jueves por la mañana."],
        "first": ["Carmen", "Javier", "Lucía", "Pablo", "Marta"],
        "last": ["García", "Martínez", "López", "Sánchez", "Romero"],
        "titles": ["Director de {dept}", "Jefa de {dept}", "Gerente de {dept}", "Responsable de {dept}"],
        "dept": ["Compras", "Ventas", "Marketing", "Operaciones"],
        "suffix": ["S.L.", "S.A.", "SL"],
        "street": ["Calle {w} {n}", "Avenida de {w} {n}, {m}º", "Paseo de {w} {n}"],
        "city": ["28001 Madrid", "08002 Barcelona", "46001 Valencia"],
        "country": ["España", ""],
        "phone": ["+34 91 {d3} {d2} {d2}", "+34 6{d2} {d3} {d3}", "91 {d3} {d2} {d2}"],
        "legal": ["{company}, inscrita en el Registro Mercantil de Madrid, CIF B{n8}"],
        "disclaimer": ["Este mensaje es confidencial y está dirigido exclusivamente a su destinatario."],
        "labels": {"work": ["Tel.:", "Teléfono:", "T."], "mobile": ["Móvil:", "Cel.:", "M."], "fax": ["Fax:"]},
    },
    "it": {
        "greet": ["Buongiorno {first},", "Gentile {first},", "Ciao {first},", "Egregio Dott. {last},"],
        "body": ["Grazie per la rapida risposta.", "In allegato trova l'offerta aggiornata.",
                 "Potrebbe confermarmi la data di consegna?", "Resto a disposizione per qualsiasi chiarimento."],
        "first": ["Giulia", "Marco", "Francesca", "Luca", "Chiara"],
        "last": ["Rossi", "Bianchi", "Romano", "Colombo", "Ricci"],
        "titles": ["Responsabile {dept}", "Direttore {dept}", "Direttrice {dept}", "Ufficio {dept}"],
        "dept": ["Acquisti", "Commerciale", "Marketing", "Logistica"],
        "suffix": ["S.r.l.", "S.p.A.", "Srl"],
        "street": ["Via {w} {n}", "Corso {w} {n}", "Piazza {w} {n}"],
        "city": ["20121 Milano", "00184 Roma", "10121 Torino"],
        "country": ["Italia", ""],
        "phone": ["+39 02 {d4} {d4}", "+39 3{d2} {d3} {d4}", "02 {d4} {d4}"],
        "legal": ["{company} – P.IVA IT{n11} – Capitale sociale € {n5} i.v."],
        "disclaimer": ["Questo messaggio è riservato e destinato esclusivamente al destinatario indicato."],
        "labels": {"work": ["Tel.", "Tel:", "T."], "mobile": ["Cell.", "Cellulare:", "M."], "fax": ["Fax"]},
    },
    "nl": {
        "greet": ["Hallo {first},", "Beste {first},", "Geachte heer {last},", "Goedemorgen,"],
        "body": ["Bedankt voor je snelle reactie.", "In de bijlage vind je de aangepaste offerte.",
                 "Kun je de leverdatum bevestigen?", "Laat het me weten als je vragen hebt."],
        "first": ["Sanne", "Daan", "Lotte", "Bram", "Femke"],
        "last": ["de Vries", "Jansen", "Bakker", "Visser", "van Dijk"],
        "titles": ["Hoofd {dept}", "Manager {dept}", "Commercieel Directeur", "Projectleider", "Adviseur {dept}"],
        "dept": ["Inkoop", "Verkoop", "Marketing", "Logistiek"],
        "suffix": ["B.V.", "BV", "N.V."],
        "street": ["{w}straat {n}", "{w}laan {n}", "{w}gracht {n}"],
        "city": ["1012 AB Amsterdam", "3011 AD Rotterdam", "3511 LN Utrecht"],
        "country": ["Nederland", ""],
        "phone": ["+31 20 {d3} {d4}", "+31 6 {d4} {d4}", "020 {d3} {d4}"],
        "legal": ["{company} – KvK {n8} – BTW NL{n9}B01"],
        "disclaimer": ["Dit bericht is vertrouwelijk en uitsluitend bestemd voor de geadresseerde."],
        "labels": {"work": ["T", "Tel:", "Telefoon:"], "mobile": ["M", "Mobiel:"], "fax": ["F", "Fax:"]},
    },
    "pt": {
        "greet": ["Olá {first},", "Prezado {first},", "Prezada {first},", "Bom dia,"],
        "body": ["Obrigado pelo retorno rápido.", "Segue em anexo a proposta atualizada.",
                 "Poderia confirmar a data de entrega?", "Fico à disposição para qualquer dúvida."],
        "first": ["Ana", "Rafael", "Beatriz", "Pedro", "Mariana"],
        "last": ["Silva", "Souza", "Oliveira", "Pereira", "Costa"],
        "titles": ["Gerente de {dept}", "Diretor de {dept}", "Diretora {dept}", "Coordenador de {dept}"],
        "dept": ["Compras", "Vendas", "Marketing", "Logística"],
        "suffix": ["Ltda.", "S.A.", "Lda."],
        "street": ["Rua {w}, {n}", "Av. {w}, {n} – {m}º andar", "Travessa {w}, {n}"],
        "city": ["01310-100 São Paulo – SP", "20040-003 Rio de Janeiro – RJ", "1250-096 Lisboa"],
        "country": ["Brasil", "Portugal", ""],
        "phone": ["+55 11 {d4}-{d4}", "+55 21 9{d4}-{d4}", "+351 21 {d3} {d4}"],
        "legal": ["{company} – CNPJ {n2}.{n3}.{n3}/0001-{n2}"],
        "disclaimer": ["Esta mensagem é confidencial e destinada exclusivamente ao seu destinatário."],
        "labels": {"work": ["Tel.:", "Tel:", "T:"], "mobile": ["Cel.:", "Celular:", "Tlm:"], "fax": ["Fax:"]},
    },
}
_WORDS = ("Nordlicht", "Atlas", "Vega", "Solaris", "Meridian", "Borealis", "Castell", "Alpina", "Lindenhof",
          "Riverside", "Horizonte", "Aurora", "Kestrel", "Oakfield", "Brightwell", "Montclair", "Silva", "Ponte")
_INDUSTRY = ("Logistics", "Systems", "Technologies", "Consulting", "Foods", "Energy", "Maschinenbau", "Distribution",
             "Industries", "Partners", "Software", "Trading")


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


def _fill(rng: random.Random, template: str, **kw: str) -> str:
    out = template
    for k in ("d2", "d3", "d4", "d6", "d7"):
        while "{" + k + "}" in out:
            out = out.replace("{" + k + "}", _digits(rng, int(k[1:])), 1)
    for k in ("n2", "n3", "n4", "n5", "n7", "n8", "n9", "n11"):
        while "{" + k + "}" in out:
            out = out.replace("{" + k + "}", str(rng.randrange(1, 10)) + _digits(rng, int(k[1:]) - 1), 1)
    out = out.replace("{n}", str(rng.randrange(1, 240))).replace("{m}", str(rng.randrange(1, 12)))
    for k, v in kw.items():
        out = out.replace("{" + k + "}", v)
    return out


def _wrap(text: str, width: int) -> list[str]:
    lines, cur = [], ""
    for w in text.split():
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur:
        lines.append(cur)
    return lines


def business_mail(count: int, seed: int = 20250304) -> list[LabelledMessage]:
    """``count`` synthetic emails in seven languages, labelled per line, each with its
    signature block and fields (see the module docstring)."""
    rng = random.Random(seed)
    langs = sorted(_L)
    out: list[LabelledMessage] = []
    for n_msg in range(count):
        lang = langs[n_msg % len(langs)] if rng.random() < 0.8 else "en"
        L = _L[lang]
        first, last = rng.choice(L["first"]), rng.choice(L["last"])
        name = f"{first} {last}"
        company = f"{rng.choice(_WORDS)} {rng.choice(_INDUSTRY)} {rng.choice(L['suffix'])}"
        slug = "-".join(company.split()[:2]).lower()
        email = f"{first.lower()}.{last.lower().replace(' ', '')}@{slug}.example"
        email = email.encode("ascii", "ignore").decode() or f"info@{slug}.example"
        title = _fill(rng, rng.choice(L["titles"]), dept=rng.choice(L["dept"]))
        lines: list[str] = []
        labels: list[str | None] = []

        def add(text: str, label: str | None) -> int:
            lines.append(text)
            labels.append(label if text.strip() else None)
            return len(lines) - 1

        if rng.random() < 0.75:
            add(_fill(rng, rng.choice(L["greet"]), first=rng.choice(L["first"]), last=rng.choice(L["last"])),
                "greeting")
            add("", None)
        for _ in range(rng.randint(1, 3)):
            para = " ".join(rng.sample(L["body"], k=min(len(L["body"]), rng.randint(1, 3))))
            for ln in _wrap(para, rng.choice((60, 72, 76, 200))):
                add(ln, "body")
            add("", None)
        signoffs = sorted(SIGNOFFS_BY_LANG.get(lang, SIGNOFFS_BY_LANG["en"]))
        has_block = rng.random() < 0.85
        if rng.random() < 0.85:
            so = rng.choice(signoffs)
            so = so[0].upper() + so[1:] + rng.choice(("", ",", ",", "!"))
            add(so, "signoff")
            if rng.random() < 0.5 or not has_block:
                add(first, "signoff")
            if has_block and rng.random() < 0.6:
                add("", None)
        sig_start = len(lines)
        fields: list[tuple[str, str, str | None, int]] = []  # (field, value, subtype, line)
        if has_block:
            layout = rng.randrange(5)
            if layout == 4 or rng.random() < 0.15:
                add("-- ", "signature")
            phones = []
            for kind in rng.sample(("work", "mobile", "fax"), k=rng.randint(1, 3)):
                phones.append((kind, rng.choice(L["labels"][kind]), _fill(rng, rng.choice(L["phone"]))))
            web = f"www.{slug}.example"
            street = _fill(rng, rng.choice(L["street"]), w=rng.choice(_WORDS))
            city = rng.choice(L["city"])
            if layout == 1:  # one line, fields joined by |
                parts = [name, title, company.rsplit(" ", 1)[0] if rng.random() < 0.5 else company]
                parts.append(f"{phones[0][2]}")
                parts.append(web)
                li = add(" | ".join(parts), "signature")
                fields += [("name", name, None, li), ("title", title, None, li), ("company", parts[2], None, li),
                           ("phone", phones[0][2], "fax" if phones[0][0] == "fax" else None, li)]
                phones = []
            else:
                li = add(name + (", " + title if layout == 2 else ""), "signature")
                fields.append(("name", name, None, li))
                if layout == 2:
                    fields.append(("title", title, None, li))
                else:
                    fields.append(("title", title, None, add(title, "signature")))
                fields.append(("company", company, None, add(company, "signature")))
                if rng.random() < 0.6:
                    a = add(street, "signature")
                    add(city, "signature")
                    country = rng.choice(L["country"])
                    if country:
                        add(country, "signature")
                    fields.append(("address", street + "\n" + city, None, a))
                if rng.random() < 0.3:
                    add("", None)
            if phones and rng.random() < 0.4 and len(phones) >= 2:
                li = add(" | ".join(f"{lab} {num}" for _, lab, num in phones), "signature")
                fields += [("phone", num, "fax" if kind == "fax" else None, li) for kind, _, num in phones]
            else:
                for kind, lab, num in phones:
                    li = add(f"{lab} {num}", "signature")
                    fields.append(("phone", num, "fax" if kind == "fax" else None, li))
            if layout != 1 and rng.random() < 0.7:
                fields.append(("email", email, None, add(email, "signature")))
            if layout != 1 and rng.random() < 0.5:
                add(web, "signature")
        sig_end = len(lines)
        if has_block and rng.random() < 0.25:
            add("", None)
            for t in L["legal"][: rng.randint(1, len(L["legal"]))]:
                add(_fill(rng, t, company=company, street=street, city=city, first2=rng.choice(L["first"]),
                          last2=rng.choice(L["last"])), "disclaimer")
        if rng.random() < 0.2:
            add("", None)
            for ln in _wrap(" ".join(L["disclaimer"]), rng.choice((72, 76, 200))):
                add(ln, "disclaimer")
        text = "\n".join(lines)
        block = "\n".join(lines[sig_start:sig_end])
        gold: list[GoldField] = []
        offsets = [0]
        for ln in lines[sig_start:sig_end]:
            offsets.append(offsets[-1] + len(ln) + 1)
        for field, value, subtype, li in fields:
            first_line = value.split("\n")[0]
            base = offsets[li - sig_start]
            pos = lines[li].find(first_line)
            if pos < 0:
                continue
            gold.append(GoldField(field, value, subtype, base + pos, base + pos + len(value)))
        ident = f"synthetic:mail/{n_msg}"
        sigs = (LabelledSignature(id=ident + "#0", text=block, author_name=name, author_email=email,
                                  fields=tuple(sorted(gold, key=lambda f: f.start)), newest=True),) if has_block else ()
        out.append(LabelledMessage(
            id=ident, split="train", text=text, sender_name=name, sender_email=email, labels=tuple(labels),
            newest_end=len(lines), signatures=sigs, source="synthetic",
            signature_lines=frozenset(range(sig_start, sig_end)) if has_block else frozenset()))
    return out
