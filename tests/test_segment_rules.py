"""The rule-based segmenter: zones of realistic messages, invariants, public fixtures, time bounds."""

from __future__ import annotations

import email
import email.policy
import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webleads_core.records import ZONE_KINDS, HeaderContact
from webleads_core.segment import cues, quoted_headers, rules, segment

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


# ----------------------------------------------------------------------------- helpers


def labels(text: str, sender: HeaderContact | None = None) -> list[tuple[str, int] | None]:
    out: list[tuple[str, int] | None] = [None] * len(text.split("\n"))
    for z in segment(text, sender):
        for i in range(z.start, z.end):
            out[i] = (z.kind, z.message)
    return out


def label_of(text: str, needle: str, sender: HeaderContact | None = None) -> tuple[str, int] | None:
    """Label of the line equal to ``needle``, else of the first line containing it."""
    lines = text.split("\n")
    labs = labels(text, sender)
    for line, lab in zip(lines, labs):
        if line.strip() == needle.strip():
            return lab  # an exact line first ("Maria", "Olivia")
    for line, lab in zip(lines, labs):
        if needle in line:
            return lab
    raise AssertionError(f"{needle!r} not in text")


def zone_texts(text: str, kind: str, message: int, sender: HeaderContact | None = None) -> str:
    return "\n".join(z.text for z in segment(text, sender) if z.kind == kind and z.message == message)


def check_invariants(text: str, zones) -> None:
    lines = text.split("\n")
    covered = [0] * len(lines)
    prev_end = 0
    for z in zones:
        assert z.kind in ZONE_KINDS
        assert z.message >= 0
        assert prev_end <= z.start < z.end <= len(lines)
        assert z.text == "\n".join(lines[z.start:z.end])
        for i in range(z.start, z.end):
            covered[i] += 1
        prev_end = z.end
    for i, line in enumerate(lines):
        if line.strip():
            assert covered[i] == 1, (i, line)


# ----------------------------------------------------------------------------- messages

GMAIL_EN = """\
Hi Jane,

Thanks for the quick turnaround. Tuesday at 10:00 works for us, I'll send an invite.

Best regards,
Tom Baker
Head of Procurement | Northwind Traders Ltd
+44 20 7946 0958
tom.baker@northwind.example

On Mon, 3 Mar 2025 at 10:12, Jane Doe <jane@contoso.example> wrote:
> Hello Tom,
>
> Could we move our call to next week? Tuesday or Wednesday morning would
> suit me best.
>
> Kind regards,
> Jane Doe
> Senior Account Manager
> Contoso GmbH | Friedrichstraße 123, 10117 Berlin
> Tel. +49 30 1234567
> www.contoso.example
"""


def test_gmail_reply_with_quoted_signature():
    t = GMAIL_EN
    assert label_of(t, "Hi Jane,") == ("greeting", 0)
    assert label_of(t, "quick turnaround") == ("body", 0)
    assert label_of(t, "Best regards,") == ("signoff", 0)
    sig0 = zone_texts(t, "signature", 0)
    assert "Tom Baker" in sig0 and "+44 20 7946 0958" in sig0 and "tom.baker@northwind.example" in sig0
    assert label_of(t, "On Mon, 3 Mar 2025") == ("reply_header", 1)
    assert label_of(t, "> Hello Tom,") == ("greeting", 1)
    assert label_of(t, "> Could we move") == ("body", 1)
    assert label_of(t, "> Kind regards,") == ("signoff", 1)
    sig1 = zone_texts(t, "signature", 1)
    for piece in ("Jane Doe", "Senior Account Manager", "Contoso GmbH", "+49 30 1234567", "www.contoso.example"):
        assert piece in sig1
    assert "Could we move" not in sig1
    check_invariants(t, segment(t))


OUTLOOK_EN = """\
Approved, please go ahead.

Thanks,
Maria

-----Original Message-----
From: Peter Smith [mailto:peter.smith@fabrikam.example]
Sent: Thursday, February 6, 2025 4:31 PM
To: Maria Garcia <maria.garcia@adatum.example>
Cc: Finance Team <finance@adatum.example>
Subject: PO 4471 approval

Hi Maria,

Please approve purchase order 4471 for the new laptops. The quote is attached
and valid until the end of the month.

Regards,

Peter Smith
IT Operations Manager
Fabrikam, Inc.
Direct: (425) 555-0147
Mobile: (425) 555-0199
"""


def test_outlook_reply_unquoted_original_is_message_1():
    t = OUTLOOK_EN
    assert label_of(t, "Approved") == ("body", 0)
    assert label_of(t, "Thanks,") == ("signoff", 0)
    assert label_of(t, "Maria") == ("signature", 0)
    for needle in ("-----Original Message-----", "From: Peter Smith", "Sent:", "To: Maria", "Cc:", "Subject:"):
        assert label_of(t, needle) == ("reply_header", 1)
    assert label_of(t, "Hi Maria,") == ("greeting", 1)
    assert label_of(t, "Please approve") == ("body", 1)
    assert label_of(t, "Regards,") == ("signoff", 1)
    sig1 = zone_texts(t, "signature", 1)
    assert sig1.splitlines()[0] == "Peter Smith"
    assert "Mobile: (425) 555-0199" in sig1 and "Fabrikam, Inc." in sig1


FWD_GMAIL = """\
FYI, see below. Can you follow up with Lucas?

---------- Forwarded message ---------
From: Lucas Martin <lucas.martin@tailspin.example>
Date: Wed, Jan 15, 2025 at 9:03 AM
Subject: Partnership proposal
To: <info@wingtip.example>


Dear Sir or Madam,

We would like to discuss a reseller partnership for the Benelux market.
Please find our proposal attached.

Sincerely,

Lucas Martin
Business Development Director
Tailspin Toys B.V.
Keizersgracht 123, 1015 CJ Amsterdam
T +31 20 555 0101
https://tailspin.example
"""


def test_gmail_forward():
    t = FWD_GMAIL
    assert label_of(t, "FYI") == ("body", 0)
    for needle in ("---------- Forwarded message", "From: Lucas", "Date: Wed", "Subject: Partnership", "To: <info"):
        assert label_of(t, needle) == ("forward_header", 1)
    assert label_of(t, "Dear Sir or Madam,") == ("greeting", 1)
    assert label_of(t, "Sincerely,") == ("signoff", 1)
    sig1 = zone_texts(t, "signature", 1)
    assert sig1.startswith("Lucas Martin") and "T +31 20 555 0101" in sig1 and sig1.endswith("https://tailspin.example")
    assert not zone_texts(t, "signature", 0)


OUTLOOK_FR = """\
Bonjour Claire,

Merci pour votre retour, je vous confirme la commande.

Cordialement,

Julien Moreau
Responsable des achats
Société Générale d'Équipement SAS
Tél. : +33 1 23 45 67 89
julien.moreau@sge.example

Ce message et toutes les pièces jointes sont confidentiels et établis à l'intention exclusive
de ses destinataires. Si vous avez reçu ce message par erreur, merci de le détruire et
d'en avertir immédiatement l'expéditeur.

De : Claire Dubois <claire.dubois@fournisseur.example>
Envoyé : mardi 4 février 2025 11:20
À : Julien Moreau <julien.moreau@sge.example>
Objet : Devis n° 2025-118

Bonjour Julien,

Vous trouverez ci-joint notre devis pour les 40 postes de travail.

Bien à vous,
Claire Dubois
Chargée d'affaires
Fournisseur & Fils SARL
01 98 76 54 32
"""


def test_french_outlook_with_disclaimer():
    t = OUTLOOK_FR
    assert label_of(t, "Bonjour Claire,") == ("greeting", 0)
    assert label_of(t, "Cordialement,") == ("signoff", 0)
    assert label_of(t, "Julien Moreau") == ("signature", 0)
    assert label_of(t, "Tél. : +33") == ("signature", 0)
    assert label_of(t, "Ce message et toutes") == ("disclaimer", 0)
    assert label_of(t, "d'en avertir") == ("disclaimer", 0)
    for needle in ("De : Claire", "Envoyé :", "À : Julien", "Objet :"):
        assert label_of(t, needle) == ("reply_header", 1)
    assert label_of(t, "Bonjour Julien,") == ("greeting", 1)
    assert label_of(t, "Bien à vous,") == ("signoff", 1)
    sig1 = zone_texts(t, "signature", 1)
    assert sig1.splitlines() == ["Claire Dubois", "Chargée d'affaires", "Fournisseur & Fils SARL", "01 98 76 54 32"]


GERMAN = """\
Hallo Max,

passt, ich schicke dir die Unterlagen bis Freitag.

Viele Grüße
Anna

Von meinem iPhone gesendet

Am 12.03.2025 um 14:05 schrieb Max Mustermann <max.mustermann@beispiel.example>:

> Hallo Anna,
>
> kannst du mir die Vertragsunterlagen noch diese Woche schicken?
>
> Mit freundlichen Grüßen
>
> Max Mustermann
> Leiter Vertrieb
> Beispiel GmbH
> Musterstraße 1, 80331 München
> Telefon: +49 89 1234 5678
"""


def test_german_reply_device_footer_and_quoted_signature():
    t = GERMAN
    assert label_of(t, "Hallo Max,") == ("greeting", 0)
    assert label_of(t, "Viele Grüße") == ("signoff", 0)
    assert label_of(t, "Anna") == ("signature", 0)
    assert label_of(t, "Von meinem iPhone gesendet") == ("device_footer", 0)
    assert label_of(t, "Am 12.03.2025") == ("reply_header", 1)
    assert label_of(t, "> Hallo Anna,") == ("greeting", 1)
    assert label_of(t, "> Mit freundlichen Grüßen") == ("signoff", 1)
    assert label_of(t, "> Max Mustermann") == ("signature", 1)
    assert label_of(t, "> Telefon:") == ("signature", 1)


SPANISH = """\
Perfecto, nos vemos el jueves.

Saludos,
Carlos

Enviado desde mi iPhone

El 10 mar 2025, a las 18:22, Lucía Fernández <lucia.fernandez@empresa.example> escribió:

> Hola Carlos:
>
> Te confirmo la reunión del jueves a las 11:00 en nuestras oficinas.
>
> Un saludo,
> Lucía Fernández
> Directora Comercial
> Empresa Ejemplo S.L.
> Tel: +34 912 345 678
"""


def test_spanish_reply():
    t = SPANISH
    assert label_of(t, "Saludos,") == ("signoff", 0)
    assert label_of(t, "Enviado desde mi iPhone") == ("device_footer", 0)
    assert label_of(t, "escribió:") == ("reply_header", 1)
    assert label_of(t, "> Hola Carlos:") == ("greeting", 1)
    assert label_of(t, "> Un saludo,") == ("signoff", 1)
    sig1 = zone_texts(t, "signature", 1)
    assert "Lucía Fernández" in sig1 and "Directora Comercial" in sig1 and "+34 912 345 678" in sig1


ITALIAN_WRAPPED = """\
Va benissimo, grazie.

Il giorno lun 10 mar 2025 alle ore 09:15 Giulia Rossi <giulia.rossi@azienda.example>
ha scritto:

> Buongiorno,
>
> le invio in allegato il contratto firmato.
>
> Cordiali saluti
> Giulia Rossi
> Ufficio Legale
> Azienda Esempio S.r.l.
> Tel. +39 02 1234 5678
"""


def test_italian_attribution_wrapped_over_two_lines():
    t = ITALIAN_WRAPPED
    assert label_of(t, "Va benissimo") == ("body", 0)
    assert label_of(t, "Il giorno lun") == ("reply_header", 1)
    assert label_of(t, "ha scritto:") == ("reply_header", 1)
    assert label_of(t, "> Cordiali saluti") == ("signoff", 1)
    assert zone_texts(t, "signature", 1).splitlines()[0] == "> Giulia Rossi"


NESTED = """\
Sounds good to me.

-- 
Rick Sanchez
Chief Scientist, Citadel Labs
rick@citadel.example

Op di 4 mrt 2025 om 16:40 schreef Jan de Vries <jan.devries@bedrijf.example>:

> Prima, dan plannen we het in.
>
> Met vriendelijke groet,
> Jan de Vries
> Accountmanager | Bedrijf B.V.
> +31 6 12345678
>
> Em ter., 4 de mar. de 2025 às 10:02, João Silva <joao.silva@empresa.example> escreveu:
>
>> Bom dia Jan,
>>
>> Podemos marcar a reunião para quinta-feira?
>>
>> Atenciosamente,
>> João Silva
>> Gerente de Projetos
>> Empresa Exemplo Ltda.
>> +55 11 98765-4321
"""


def test_nested_quotes_dutch_and_portuguese_and_sig_delimiter():
    t = NESTED
    assert label_of(t, "-- ") == ("signature", 0)
    assert label_of(t, "Rick Sanchez") == ("signature", 0)
    assert label_of(t, "schreef Jan de Vries") == ("reply_header", 1)
    assert label_of(t, "> Met vriendelijke groet,") == ("signoff", 1)
    assert label_of(t, "> Jan de Vries") == ("signature", 1)
    assert label_of(t, "> +31 6 12345678") == ("signature", 1)
    assert label_of(t, "escreveu:") == ("reply_header", 2)
    assert label_of(t, ">> Bom dia Jan,") == ("greeting", 2)
    assert label_of(t, ">> Atenciosamente,") == ("signoff", 2)
    assert label_of(t, ">> João Silva") == ("signature", 2)
    assert label_of(t, ">> +55 11 98765-4321") == ("signature", 2)


APPLE_FWD = """\
Sharing this with you, thoughts?

Sent from my iPad

Begin forwarded message:

From: Olivia Chen <olivia@litware.example>
Subject: Re: Q2 roadmap
Date: 4 March 2025 at 08:15:22 GMT
To: Sam Patel <sam@proseware.example>

Hi Sam,

The Q2 roadmap is final. Let me know if you have questions.

Olivia

--
Olivia Chen | VP Product | Litware
+1 (206) 555-0177 | olivia@litware.example
"""


def test_apple_mail_forward_uses_quoted_sender_name():
    t = APPLE_FWD
    assert label_of(t, "Sent from my iPad") == ("device_footer", 0)
    assert label_of(t, "Begin forwarded message:") == ("forward_header", 1)
    assert label_of(t, "To: Sam Patel") == ("forward_header", 1)
    assert label_of(t, "Hi Sam,") == ("greeting", 1)
    # "Olivia" above the delimiter names the forwarded message's sender
    assert label_of(t, "Olivia") == ("signature", 1)
    assert label_of(t, "+1 (206) 555-0177") == ("signature", 1)


INTERLEAVED = """\
On Tue, Mar 4, 2025 at 9:00 AM Dana Scully <dana@fbi.example> wrote:
> Can you send the report by Friday?

Yes, it will be ready Thursday.

> And the budget numbers?

Those come from finance, I'll forward them.

Cheers,
Fox
"""


def test_interleaved_reply():
    t = INTERLEAVED
    assert label_of(t, "On Tue, Mar 4") == ("reply_header", 1)
    assert label_of(t, "> Can you send") == ("body", 1)
    assert label_of(t, "Yes, it will be ready") == ("body", 0)
    assert label_of(t, "> And the budget") == ("body", 1)
    assert label_of(t, "Those come from finance") == ("body", 0)
    assert label_of(t, "Cheers,") == ("signoff", 0)
    assert label_of(t, "Fox") == ("signature", 0)


def test_unattributed_quote_fragment_in_the_middle_is_quote():
    t = "I agree with this part:\n\n> the deadline is too tight\n\nbut not with the rest.\n"
    assert label_of(t, "> the deadline") == ("quote", 1)
    assert label_of(t, "but not with") == ("body", 0)


def test_signature_without_signoff_from_signature_like_lines():
    t = (
        "Please find the signed NDA attached. Let me know if anything else is needed\n"
        "from our side before the kickoff.\n\n"
        "Priya Raman\nLegal Counsel\nAdventure Works Cycles\npriya.raman@adventure-works.example\n"
    )
    assert zone_texts(t, "signature", 0).splitlines() == [
        "Priya Raman", "Legal Counsel", "Adventure Works Cycles", "priya.raman@adventure-works.example",
    ]
    assert label_of(t, "Please find") == ("body", 0)


def test_sender_name_starts_a_signature():
    t = "The figures in the second table look right to me, go ahead.\n\nJ. Alvarez\n"
    assert label_of(t, "J. Alvarez") == ("body", 0)
    sender = HeaderContact(email="jalvarez@example.org", name="Javier Alvarez")
    assert label_of(t, "J. Alvarez", sender) == ("signature", 0)
    # "Doe, Jane" style names and a first name alone
    t2 = "Will do, thanks for the reminder about the filing.\n\nJane\n"
    assert label_of(t2, "Jane", HeaderContact(email="jane.doe@x.example", name="Doe, Jane")) == ("signature", 0)


def test_prose_is_not_a_signature():
    t = (
        "Hi team,\n\nThe release is scheduled for Monday. Please make sure all open\n"
        "tickets are closed by Friday and let me know if anything blocks you.\n\n"
        "Call me at +1 212 555 0199 if you need anything over the weekend, I am around.\n"
    )
    assert not zone_texts(t, "signature", 0)
    assert label_of(t, "Call me at") == ("body", 0)


def test_sentence_mentioning_sent_from_is_body():
    t = "Here is another email\n\nSent from my desk, is much easier then my mobile phone.\n"
    assert label_of(t, "Sent from my desk") == ("body", 0)


@pytest.mark.parametrize(
    "footer",
    ["Sent from my iPhone", "Envoyé de mon iPhone", "Von meinem iPhone gesendet", "Get Outlook for iOS",
     "Enviado desde mi Samsung Galaxy", "Inviato da iPhone", "Verzonden vanaf mijn iPhone",
     "Enviado do meu iPhone"],
)
def test_device_footers(footer):
    t = f"OK, will do.\n\n{footer}\n"
    assert label_of(t, footer) == ("device_footer", 0)
    assert label_of(t, "OK, will do.") == ("body", 0)


@pytest.mark.parametrize(
    "signoff,greeting",
    [("Best regards,", "Hi John,"), ("Cordialement,", "Bonjour,"), ("Mit freundlichen Grüßen", "Hallo Max,"),
     ("Saludos", "Hola Ana,"), ("Cordiali saluti", "Buongiorno,"), ("Met vriendelijke groet,", "Beste Jan,"),
     ("Atenciosamente,", "Olá Maria,"), ("Cheers,", "Hey Sam,")],
)
def test_greetings_and_signoffs(signoff, greeting):
    t = f"{greeting}\n\nThe documents are attached to this message.\n\n{signoff}\nAlex Martin\nAcme Corp\n"
    assert label_of(t, greeting) == ("greeting", 0)
    assert label_of(t, signoff) == ("signoff", 0)
    assert zone_texts(t, "signature", 0) == "Alex Martin\nAcme Corp"


def test_german_disclaimer_after_signature():
    t = (
        "Anbei das Angebot.\n\nBeste Grüße\nLena Schulz\nVertrieb, Muster AG\n+49 40 123456\n\n"
        "Diese E-Mail enthält vertrauliche Informationen. Wenn Sie nicht der richtige Adressat sind\n"
        "oder diese E-Mail irrtümlich erhalten haben, informieren Sie bitte sofort den Absender.\n"
    )
    assert label_of(t, "Beste Grüße") == ("signoff", 0)
    assert label_of(t, "Lena Schulz") == ("signature", 0)
    assert label_of(t, "Diese E-Mail enthält") == ("disclaimer", 0)


def test_closing_paragraph_with_weak_legal_words_is_body():
    t = (
        "Hi Jo,\n\nThe attachment is the final version of the deck. Please review it and let me know\n"
        "if this message is unclear in any way, I can walk you through it tomorrow.\n"
    )
    assert label_of(t, "The attachment is") == ("body", 0)
    assert label_of(t, "if this message") == ("body", 0)


def test_lotus_notes_forward_separator_wrapped():
    t = (
        "See below.\n\n"
        "---------------------- Forwarded by Sally Beck/HOU/ECT on 11/20/2000 \n"
        "05:54 PM ---------------------------\n\n"
        "Shona Wilson\n11/20/2000 05:40 PM\nTo: Sally Beck/HOU/ECT@ECT\ncc: \nSubject: Risk report\n\n"
        "The report is attached.\n"
    )
    assert label_of(t, "See below.") == ("body", 0)
    assert label_of(t, "Forwarded by Sally Beck") == ("forward_header", 1)
    assert label_of(t, "05:54 PM ---") == ("forward_header", 1)
    # the Notes block under the separator (sender, date, To/cc/Subject) heads the same message
    assert label_of(t, "Shona Wilson") == ("forward_header", 1)
    assert label_of(t, "Subject: Risk report") == ("forward_header", 1)
    assert label_of(t, "The report is attached.") == ("body", 1)


def test_from_line_in_body_is_not_a_header():
    t = "From: the desk of the CEO, a short note.\n\nWe beat our targets this quarter.\n\nThanks,\nBob\n"
    assert label_of(t, "From: the desk") == ("body", 0)
    assert all(z.message == 0 for z in segment(t))


def test_depth_cap_labels_quote():
    # quote levels without text of their own collapse into one quoted message; past
    # MAX_DEPTH levels the text is only labelled "quote"
    shallow = "top\n" + ">" * 3 + " deep text\n"
    assert label_of(shallow, "deep text") == ("body", 1)
    deep = "top\n" + ">" * (rules.MAX_DEPTH + 4) + " deep text\n"
    assert label_of(deep, "deep text") == ("quote", 1)


def test_attribution_inside_a_quote_starts_the_next_message():
    t = (
        "Agreed.\n\nOn Tue, 4 Mar 2025 at 09:00, Ann Lee <ann@x.example> wrote:\n"
        "> On Mon, 3 Mar 2025 at 08:00, Bo Kim <bo@y.example> wrote:\n>> Draft attached.\n>>\n>> Bo Kim\n"
        ">> Kim & Partners LLP\n>> +1 415 555 0100\n"
    )
    assert label_of(t, "Ann Lee") == ("reply_header", 1)
    assert label_of(t, "Bo Kim <bo") == ("reply_header", 2)
    assert label_of(t, ">> Draft attached.") == ("body", 2)
    assert label_of(t, ">> Bo Kim") == ("signature", 2)
    assert label_of(t, ">> +1 415 555 0100") == ("signature", 2)


def test_empty_and_blank():
    assert segment("") == ()
    assert segment("\n\n   \n") == ()
    assert [z.kind for z in segment("hello")] == ["body"]


def test_crlf_lines():
    t = GMAIL_EN.replace("\n", "\r\n")
    assert label_of(t, "On Mon, 3 Mar 2025") == ("reply_header", 1)
    assert "Jane Doe" in zone_texts(t, "signature", 1)


# ----------------------------------------------------------------------------- invariants

_LINE = st.one_of(
    st.sampled_from(["", " ", ">", "> hi", ">> deep", "-- ", "Thanks,", "Best regards,", "Jane Doe",
                     "+1 212 555 0199", "jane@x.example", "On Mon, 3 Mar 2025 Jane <j@x.example> wrote:",
                     "-----Original Message-----", "From: Jane <j@x.example>", "To: bob@y.example",
                     "Subject: hi", "Sent from my iPhone", "This message is confidential.", "Hi Bob,"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=60),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LINE, max_size=40))
def test_invariants_hold_on_random_messages(lines):
    text = "\n".join(lines)
    check_invariants(text, segment(text))


def test_invariants_on_realistic_messages():
    for t in (GMAIL_EN, OUTLOOK_EN, FWD_GMAIL, OUTLOOK_FR, GERMAN, SPANISH, ITALIAN_WRAPPED, NESTED, APPLE_FWD,
              INTERLEAVED):
        check_invariants(t, segment(t))
        check_invariants(t, segment(t, HeaderContact(email="a@b.example", name="Alex Martin")))


# ----------------------------------------------------------------------------- public fixtures


def _message0(text: str, kinds: tuple[str, ...] | None = None) -> str:
    lines = text.split("\n")
    out: list[str] = []
    for z in segment(text):
        if z.message == 0 and (kinds is None or z.kind in kinds):
            out.extend(lines[z.start:z.end])
    return re.sub(r"\s+", " ", "\n".join(out)).strip()


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def test_newest_message_split_matches_crisp_and_talon_fixtures():
    crisp = DATA / "reply_parsers" / "crisp_email_reply_parser"
    talon = DATA / "talon_fixtures" / "standard_replies"
    if not crisp.exists() or not talon.exists():
        pytest.skip("shared evaluation data not available")
    ok = total = 0
    spec = json.loads((crisp / "expected_common_first_fragment.json").read_text(encoding="utf-8"))
    for name, case in spec["cases"].items():
        text = (crisp / "test" / "fixtures" / name).read_text(encoding="utf-8")
        check_invariants(text, segment(text))
        want = _norm(case["expected_first_fragment_trimmed"])
        total += 1
        ok += want in (_message0(text), _message0(text, ("body", "greeting", "signoff")))
    for path in sorted(talon.glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
        part = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
        text = (part.get_payload(decode=True) or b"").decode(part.get_content_charset() or "utf-8", "replace")
        want_path = path.with_name(path.stem + "_reply_text")
        want = want_path.read_text(encoding="utf-8") if want_path.exists() else "Hello"
        total += 1
        ok += _message0(text.replace("\r\n", "\n")) == _norm(want)
    # measured: 53 of 54 (crisp 41/42, talon 12/12); the floor leaves room for small regressions
    assert total >= 50
    assert ok / total >= 0.9, (ok, total)


def test_talon_signature_fixtures():
    base = DATA / "talon_fixtures" / "signature" / "emails" / "stripped"
    if not base.exists():
        pytest.skip("shared evaluation data not available")
    ok = total = 0
    for body_path in sorted(base.glob("*_body")):
        stem = body_path.name[: -len("_body")]
        body = body_path.read_text(encoding="utf-8").replace("#sig#", "")
        raw = (base / f"{stem}_sender").read_text(encoding="utf-8").strip()
        want = _norm((base / f"{stem}_signature").read_text(encoding="utf-8").replace("#sig#", ""))
        sender = HeaderContact(email=raw if "@" in raw else "", name=None if "@" in raw else (raw or None))
        got = {_norm(zone_texts(body, "signature", 0, sender)),
               _norm("\n".join(z.text for z in segment(body, sender) if z.message == 0 and z.kind in ("signoff", "signature")))}
        total += 1
        ok += want in got
    assert total == 6
    assert ok >= 5, ok  # measured 6/6


def test_fixtures_keep_invariants():
    base = DATA / "reply_parsers"
    if not base.exists():
        pytest.skip("shared evaluation data not available")
    n = 0
    for path in sorted(base.rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        check_invariants(text, segment(text))
        n += 1
    assert n > 100


# ----------------------------------------------------------------------------- time bounds


def _timed(text: str) -> float:
    t0 = time.perf_counter()
    segment(text)
    return time.perf_counter() - t0


def test_ten_thousand_lines_under_a_second():
    para = [
        "Hi Bob,", "", "Some text about the quarterly numbers and the plan.", "",
        "> quoted line one", "> On Mon, 3 Mar 2025 Jane <j@x.example> wrote:", ">> nested",
        "-----Original Message-----", "From: Jane <j@x.example>", "To: bob@y.example", "Subject: x", "",
        "Best regards,", "Jane Doe", "+1 212 555 0199", "",
    ]
    text = "\n".join(para * 625)
    assert len(text.split("\n")) == 10_000
    assert _timed(text) < 1.0


def test_ten_thousand_plain_lines_under_a_second():
    text = "\n".join(f"line {i} of a very long message without structure" for i in range(10_000))
    assert _timed(text) < 1.0


def test_one_megabyte_line_under_a_second():
    assert _timed("a" * 1_000_000) < 1.0
    assert _timed("Hi,\n\n" + "On " + "x" * 1_000_000 + " wrote:\n> hi\n") < 1.0
    assert _timed("> " + "@" * 1_000_000 + "\n-- \n" + "a." * 500_000) < 1.0


def test_deep_quote_nesting_bounded():
    text = "\n".join(">" * d + " text" for d in range(1, 2000)) + "\n" + ">" * 100_000
    assert _timed(text) < 1.0


# ----------------------------------------------------------------------------- regex safety

ADVERSARIAL = ("a" * 10_000 + "!", "@" * 10_000, "a." * 5000, "1-2 " * 2500, " " * 10_000 + "x",
               ">" * 10_000, "-" * 10_000 + "x", "<" * 5000 + "a@b.c" * 100)


def _module_patterns():
    for mod in (cues, rules, quoted_headers):
        for name, value in vars(mod).items():
            if isinstance(value, re.Pattern):
                yield f"{mod.__name__}.{name}", value


def test_every_module_regex_is_fast_on_adversarial_strings():
    pats = list(_module_patterns())
    assert len(pats) > 30
    for name, pat in pats:
        for s in ADVERSARIAL:
            # best of three: catastrophic backtracking is slow every time, a busy machine once
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                pat.search(s)
                pat.match(s)
                list(pat.finditer(s[:2000]))
                times.append(time.perf_counter() - t0)
                if times[-1] < 0.05:
                    break
            assert min(times) < 0.05, (name, s[:10], times)


# ----------------------------------------------------------------------------- GroupWise

GROUPWISE_REPLY = """Thanks, I will send the changes today.

Regards,
George

>>> "Campbell, Carolyn" <ccampbell@kingspalding.example> 01/02/01 11:12AM >>>
George:

Kay is looking for the language you asked for.

Carolyn M. Campbell
King & Spalding
713-276-7307 (phone)
"""


def test_groupwise_attribution_cue():
    from webleads_core.segment.cues import groupwise_attribution

    assert groupwise_attribution(">>> Ronald Carroll 12/11/00 03:54PM >>>") == ("Ronald Carroll 12/11/00 03:54PM", 0)
    assert groupwise_attribution("> >>> <gail@x.example> 2/16/01 10:41:43 am >>> ") == (
        "<gail@x.example> 2/16/01 10:41:43 am", 1)
    for line in (">>> no date here >>>", ">>> >>>", ">>> quoted text", "> > > 12 > > >>>", ">>>>>> >>>"):
        assert groupwise_attribution(line) is None, line


def test_groupwise_reply_opens_the_quoted_message():
    """GroupWise does not quote the message below its attribution line: that line is the
    quoted message's header, and the signature below it is not the sender's."""
    zones = segment(GROUPWISE_REPLY)
    header = [z for z in zones if z.kind == "reply_header"]
    assert header and header[0].message == 1 and header[0].text.startswith(">>>")
    assert all(z.message == 1 for z in zones if z.start > header[0].start)
    assert [z.text for z in zones if z.kind == "signature" and z.message == 1][0].startswith("Carolyn M. Campbell")
    # inside a quote it opens a message one level down
    quoted = "Fine by me.\n\n" + "\n".join("> " + x for x in GROUPWISE_REPLY.split("\n"))
    zones = segment(quoted)
    header = [z for z in zones if z.kind == "reply_header"]
    assert header and header[0].message == 2
