"""parse_quoted_header: who a quoted or forwarded message is from (and to)."""

from __future__ import annotations

import re
import time

import pytest

from webleads_core.segment import parse_quoted_header, segment
from webleads_core.segment import quoted_headers as qh


@pytest.mark.parametrize(
    "text,expected",
    [
        ("On Mon, 3 Mar 2025 at 10:12, Jane Doe <jane@x.example> wrote:", ("Jane Doe", "jane@x.example")),
        ("On Mon, 3 Mar 2025 at 10:12, Jane Doe <jane@X.Example> wrote:", ("Jane Doe", "jane@x.example")),
        ("On Dec 16, 2011, at 12:47 PM, Corey Donohoe\n<reply@reply.github.com>\nwrote:",
         ("Corey Donohoe", "reply@reply.github.com")),
        ('On Dec 8, 2013 2:10 PM, "John Sullivan" <notifications@github.com> wrote:',
         ("John Sullivan", "notifications@github.com")),
        ("On Fri, Feb 24, 2012 at 10:19 AM, <examples@email.goalengine.com> wrote:",
         (None, "examples@email.goalengine.com")),
        ("Le lun. 15 nov. 2021 à 19:42, Jean Dupont <jean@acme.example>\na écrit :", ("Jean Dupont", "jean@acme.example")),
        ("Am 12.03.2025 um 14:05 schrieb Max Mustermann <max.mustermann@beispiel.example>:",
         ("Max Mustermann", "max.mustermann@beispiel.example")),
        ("El 10 mar 2025, a las 18:22, Lucía Fernández <lucia@empresa.example> escribió:",
         ("Lucía Fernández", "lucia@empresa.example")),
        ("Il giorno lun 10 mar 2025 alle ore 09:15 Giulia Rossi <giulia.rossi@azienda.example>\nha scritto:",
         ("Giulia Rossi", "giulia.rossi@azienda.example")),
        ("Op di 4 mrt 2025 om 16:40 schreef Jan de Vries <jan.devries@bedrijf.example>:",
         ("Jan de Vries", "jan.devries@bedrijf.example")),
        ("Em ter., 4 de mar. de 2025 às 10:02, João Silva <joao.silva@empresa.example> escreveu:",
         ("João Silva", "joao.silva@empresa.example")),
        ("On Thu, May 1, 2025, May Lin <may@x.example> wrote:", ("May Lin", "may@x.example")),
        ("> On Mon, 3 Mar 2025 at 10:12, Jane Doe <jane@x.example> wrote:", ("Jane Doe", "jane@x.example")),
    ],
)
def test_attribution_lines(text, expected):
    assert parse_quoted_header(text) == [(expected[0], expected[1], "from")]


def test_attribution_without_address_keeps_the_name_for_from():
    assert parse_quoted_header("On Tue, 2011-03-01 at 18:02 +0530, Abhishek Kona wrote:") == [
        ("Abhishek Kona", "", "from")
    ]
    assert parse_quoted_header("On Oct 1, 2012, at 11:55 PM, Dave Tapley wrote:") == [("Dave Tapley", "", "from")]


def test_outlook_block_with_mailto_and_lists():
    text = (
        "-----Original Message-----\n"
        "From: Peter Smith [mailto:peter.smith@Fabrikam.Example]\n"
        "Sent: Thursday, February 6, 2025 4:31 PM\n"
        "To: Maria Garcia <maria.garcia@adatum.example>; Bob <bob@x.example>\n"
        'Cc: Finance Team <finance@adatum.example>, "Doe, Jane" <jane@x.example>\n'
        "Subject: PO 4471"
    )
    assert parse_quoted_header(text) == [
        ("Peter Smith", "peter.smith@fabrikam.example", "from"),
        ("Maria Garcia", "maria.garcia@adatum.example", "to"),
        ("Bob", "bob@x.example", "to"),
        ("Finance Team", "finance@adatum.example", "cc"),
        ("Doe, Jane", "jane@x.example", "cc"),
    ]


def test_quoted_display_name_with_comma_and_case():
    got = parse_quoted_header('From: "Doe, Jane" <Jane.Doe@Contoso.EXAMPLE>')
    # local part kept, domain lower-cased, quotes removed
    assert got == [("Doe, Jane", "Jane.Doe@contoso.example", "from")]


def test_names_without_address_only_for_from():
    text = "From: Wang, Steve\nSent: Friday, November 02, 2001 10:00 AM\nTo: Stalford, Robert; Arora, Harry\nSubject: FW"
    assert parse_quoted_header(text) == [("Wang, Steve", "", "from")]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("De : Claire Dubois <claire.dubois@fournisseur.example>\nEnvoyé : mardi 4 février 2025 11:20\n"
         "À : Julien Moreau <julien@sge.example>\nObjet : Devis",
         [("Claire Dubois", "claire.dubois@fournisseur.example", "from"), ("Julien Moreau", "julien@sge.example", "to")]),
        ("Von: Max Mustermann <max.m@beispiel.de>\nGesendet: Montag, 3. März 2025 10:00\n"
         "An: Erika Musterfrau <e.m@beispiel.de>\nCc: team@beispiel.de\nBetreff: Angebot",
         [("Max Mustermann", "max.m@beispiel.de", "from"), ("Erika Musterfrau", "e.m@beispiel.de", "to"),
          (None, "team@beispiel.de", "cc")]),
        ("De: Ana Ruiz <ana@empresa.es>\nEnviado el: lunes, 3 de marzo de 2025 10:00\nPara: Luis <luis@empresa.es>\n"
         "Asunto: Reunión",
         [("Ana Ruiz", "ana@empresa.es", "from"), ("Luis", "luis@empresa.es", "to")]),
        ("Da: Mario Rossi <mario@azienda.it>\nInviato: lunedì 3 marzo 2025 10:00\nA: Giulia <giulia@azienda.it>\n"
         "Oggetto: Contratto",
         [("Mario Rossi", "mario@azienda.it", "from"), ("Giulia", "giulia@azienda.it", "to")]),
        ("Van: Jan Jansen <jan@bedrijf.nl>\nVerzonden: maandag 3 maart 2025 10:00\nAan: Piet <piet@bedrijf.nl>\n"
         "Onderwerp: Offerte",
         [("Jan Jansen", "jan@bedrijf.nl", "from"), ("Piet", "piet@bedrijf.nl", "to")]),
    ],
)
def test_localised_outlook_labels(text, expected):
    assert parse_quoted_header(text) == expected


def test_gmail_and_apple_forward_blocks():
    gmail = (
        "---------- Forwarded message ---------\nFrom: Lucas Martin <lucas.martin@tailspin.example>\n"
        "Date: Wed, Jan 15, 2025 at 9:03 AM\nSubject: Partnership\nTo: <info@wingtip.example>"
    )
    assert parse_quoted_header(gmail) == [
        ("Lucas Martin", "lucas.martin@tailspin.example", "from"), (None, "info@wingtip.example", "to"),
    ]
    apple = "Begin forwarded message:\n\nFrom: Olivia Chen <olivia@litware.example>\nSubject: Re: Q2\nTo: Sam <sam@x.example>"
    assert parse_quoted_header(apple)[0] == ("Olivia Chen", "olivia@litware.example", "from")


def test_bold_labels_and_square_brackets():
    text = "*From:* Google Apps Sync Team [mailto:mail-noreply@google.com]\n*Sent:* Thursday\n*To:* jow@xxxx.com"
    assert parse_quoted_header(text) == [
        ("Google Apps Sync Team", "mail-noreply@google.com", "from"), (None, "jow@xxxx.com", "to"),
    ]
    assert parse_quoted_header("From: CRM Comments [crm-comment@example.com]\nTo: John S. Greene") == [
        ("CRM Comments", "crm-comment@example.com", "from")
    ]


def test_lotus_notes_blocks():
    text = (
        '"Bourne, Pat" <pbourne@SPP.ORG>@spplist.spp.org on 09/13/2001 07:58:34 PM\n'
        'Please respond to "Bourne, Pat" <pbourne@SPP.ORG>\nTo:\t"Commercial Practices Committee" <cpc@spplist.spp.org>\n'
        "cc:\t \nSubject: FERC Order"
    )
    got = parse_quoted_header(text)
    assert got[0] == ("Bourne, Pat", "pbourne@spp.org", "from")
    assert ("Commercial Practices Committee", "cpc@spplist.spp.org", "to") in got
    text2 = "From:  Shona Wilson @ ENRON                           12/07/2000 10:45 AM\n\nTo: Bob M Hall/NA/Enron@Enron\nSubject: x"
    # the Notes address "Bob M Hall/NA/Enron@Enron" is no e-mail: no "to" entry
    assert parse_quoted_header(text2) == [("Shona Wilson", "", "from")]


def test_never_an_address_out_of_a_display_name():
    got = parse_quoted_header("From: =?utf-8?q?ceo@bank.com_<ceo@bank.com>?= <x@Evil.Example>")
    assert got == [(None, "x@evil.example", "from")]
    assert parse_quoted_header('From: "ceo@bank.com" <x@evil.example>') == [(None, "x@evil.example", "from")]
    # CVE-2023-27043 shapes: ambiguous, nothing taken
    assert parse_quoted_header("From: alice@example.org)<bob@example.org>") == []
    assert parse_quoted_header("From: alice@example.org@<bob@example.org>") == []
    assert parse_quoted_header("To: undisclosed-recipients:;") == []
    assert parse_quoted_header('To: "a@b"@c.com, <>') == []


def test_garbage_and_empty():
    assert parse_quoted_header("") == []
    assert parse_quoted_header("hello world") == []
    assert parse_quoted_header("From:\nTo:\nSubject:") == []


def test_headers_of_segmented_zones():
    text = (
        "Thanks!\n\n-----Original Message-----\nFrom: Peter Smith <peter@fabrikam.example>\n"
        "Sent: Thursday\nTo: Maria <maria@adatum.example>\nSubject: x\n\nHi Maria,\nplease approve.\n\n"
        "Peter\n\nOn Wed, 5 Feb 2025 at 09:00, Maria <maria@adatum.example> wrote:\n> Send the PO.\n"
    )
    headers = [z for z in segment(text) if z.kind in ("reply_header", "forward_header")]
    assert [z.message for z in headers] == [1, 2]
    assert parse_quoted_header(headers[0].text)[0] == ("Peter Smith", "peter@fabrikam.example", "from")
    assert parse_quoted_header(headers[1].text) == [("Maria", "maria@adatum.example", "from")]


def test_long_inputs_are_bounded():
    t0 = time.perf_counter()
    parse_quoted_header("From: " + "a" * 1_000_000)
    parse_quoted_header("To: " + "x@y.example, " * 50_000)
    parse_quoted_header("On " + "1, " * 100_000 + " wrote:")
    parse_quoted_header("\n".join("Cc: a@b.example" for _ in range(100_000)))
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("s", ["a" * 10_000 + "!", "@" * 10_000, "a." * 5000, "<" * 10_000, "[mailto:" * 1000])
def test_module_regexes_are_fast(s):
    pats = [v for v in vars(qh).values() if isinstance(v, re.Pattern)]
    assert len(pats) >= 6
    for pat in pats:
        t0 = time.perf_counter()
        pat.search(s)
        pat.match(s)
        assert time.perf_counter() - t0 < 0.05, pat.pattern
