"""The ML segmenter on messages written for these tests, and its decoding guarantees."""

from __future__ import annotations

from webleads_core.records import HeaderContact

JANE = HeaderContact(email="jane.doe@northwind-logistics.example", name="Jane Doe")

THREAD = """Hi Dana,

The new schedule is attached. Let me know what you think.

Best regards,
Jane Doe
Head of Operations
Northwind Logistics Ltd
Tel: +44 20 7946 0958

On Mon, 3 Mar 2025 at 09:00, Marc Olivier <marc.olivier@atelier-moreau.example> wrote:
> Bonjour Jane,
>
> Merci pour votre retour, voici le devis pour le mois prochain.
>
> Cordialement,
> Marc Olivier
> Directeur commercial
> Atelier Moreau SAS
> Tél : +33 1 44 55 66 77
"""


def kinds(zones, message=None):
    return [z.kind for z in zones if message is None or z.message == message]


def test_own_and_quoted_signatures(segmenter_model):
    zones = segmenter_model.zones(THREAD, JANE)
    sig0 = [z for z in zones if z.kind == "signature" and z.message == 0]
    assert len(sig0) == 1 and sig0[0].text.startswith("Jane Doe") and "7946 0958" in sig0[0].text
    assert "reply_header" in kinds(zones, 1)
    sig1 = [z for z in zones if z.kind == "signature" and z.message == 1]
    assert len(sig1) == 1 and "Marc Olivier" in sig1[0].text and "Atelier Moreau SAS" in sig1[0].text
    assert "Best regards" not in sig0[0].text


def test_signature_without_delimiter_or_signoff(segmenter_model):
    text = ("Can you send me the March invoices before Friday? The auditors need them.\n\n"
            "Kay C. Young\nLegal Specialist\nNorthwind Logistics Ltd\n713-853-6794 Phone\n713-646-3393 Fax\n")
    zones = segmenter_model.zones(text, HeaderContact(email="kay.young@northwind.example", name="Kay Young"))
    sig = [z for z in zones if z.kind == "signature"]
    assert sig and sig[0].text.startswith("Kay C. Young") and "Fax" in sig[-1].text
    assert kinds(zones)[0] == "body"


def test_forwarded_message_gets_its_own_header_and_signature(segmenter_model):
    text = ("FYI, see below.\n\n---------- Forwarded message ----------\n"
            "From: Lukas Brandt <l.brandt@brandt.example>\nDate: Mon, 3 Mar 2025 09:00\n"
            "Subject: Angebot\nTo: Jane Doe <jane@northwind.example>\n\n"
            "Hallo Jane,\n\nanbei unser Angebot für die Lieferung im April.\n\n"
            "Mit freundlichen Grüßen\nLukas Brandt\nVertriebsleiter\nBrandt Maschinenbau GmbH\nTel. +49 30 1234567\n")
    zones = segmenter_model.zones(text, JANE)
    assert "forward_header" in kinds(zones, 1)
    sig1 = [z for z in zones if z.kind == "signature" and z.message == 1]
    assert sig1 and "Brandt Maschinenbau GmbH" in sig1[0].text


def test_zones_cover_every_non_blank_line_once_and_signatures_are_contiguous(segmenter_model):
    zones = segmenter_model.zones(THREAD, JANE)
    lines = THREAD.split("\n")
    covered = [0] * len(lines)
    for z in zones:
        assert 0 <= z.start < z.end <= len(lines)
        for i in range(z.start, z.end):
            covered[i] += 1
    for i, line in enumerate(lines):
        assert covered[i] == (1 if line.strip() else covered[i]) and covered[i] <= 1
    for m in {z.message for z in zones}:
        ks = kinds(zones, m)
        if "signature" in ks:
            after = ks[ks.index("signature") + 1:]
            assert all(k in ("signature", "disclaimer", "device_footer") for k in after), ks


def test_decoding_forbids_text_after_a_signature():
    import numpy as np

    from webleads_signature.dataset import CLASSES
    from webleads_signature.decode import NEG, forbidden_mask, viterbi

    k = len(CLASSES)
    ix = {c: i for i, c in enumerate(CLASSES)}
    trans = np.zeros((k, k))
    trans[forbidden_mask(CLASSES)] = NEG
    em = np.full((3, k), -5.0)
    em[0, ix["signature"]] = 0.0
    em[1, ix["body"]] = 0.0  # a body line after the signature is not allowed ...
    em[1, ix["signature"]] = -1.0
    em[2, ix["signature"]] = 0.0
    path = viterbi(em, trans, np.zeros(k), [False] * 3)
    assert [CLASSES[c] for c in path] == ["signature", "signature", "signature"]
    # ... unless a new message starts there (a change of quote depth)
    path = viterbi(em, trans, np.zeros(k), [False, True, False])
    assert CLASSES[path[1]] == "body"


def test_device_footer_and_disclaimer(segmenter_model):
    text = ("Sounds good, see you Monday.\n\nSent from my iPhone\n")
    zones = segmenter_model.zones(text, JANE)
    assert kinds(zones)[0] == "body"


def test_empty_and_blank_messages(segmenter_model):
    assert segmenter_model.zones("", None) == ()
    assert segmenter_model.zones("\n \n\t\n", None) == ()


def test_is_deterministic(segmenter_model):
    assert segmenter_model.zones(THREAD, JANE) == segmenter_model.zones(THREAD, JANE)
