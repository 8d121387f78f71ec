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


def test_compiled_viterbi_gives_the_reference_path():
    """The straight-line Viterbi compiled per model returns exactly the loop version's path."""
    import numpy as np

    from webleads_signature.dataset import CLASSES
    from webleads_signature.decode import NEG, compile_viterbi, forbidden_mask, viterbi

    rng = np.random.default_rng(7)
    k = len(CLASSES)
    for _ in range(20):
        trans = np.log(rng.dirichlet(np.ones(k), size=k))
        trans[forbidden_mask(CLASSES)] = NEG
        start = np.log(rng.dirichlet(np.ones(k)))
        fast = compile_viterbi(trans, start)
        for _ in range(20):
            n = int(rng.integers(1, 50))
            em = rng.normal(size=(n, k)) * 3
            reset = [bool(x) for x in rng.random(n) < 0.1]
            assert fast(em, reset) == viterbi(em, trans, start, reset)
        trans_blank = np.log(rng.dirichlet(np.ones(k), size=k))
        trans_blank[forbidden_mask(CLASSES)] = NEG
        fast = compile_viterbi(trans, start, trans_blank)
        for _ in range(20):
            n = int(rng.integers(1, 50))
            em = rng.normal(size=(n, k)) * 3
            reset = [bool(x) for x in rng.random(n) < 0.1]
            blank = [bool(x) for x in rng.random(n) < 0.4]
            assert fast(em, reset, blank) == viterbi(em, trans, start, reset, blank, trans_blank)


def test_emissions_from_the_blocks_equal_the_full_matrix(segmenter_model):
    """The model applies its weights to the per-line and context blocks; the windowed
    matrix the training sees gives the same scores."""
    import numpy as np

    from webleads_signature import line_features as LF

    for text in (THREAD, "Thanks,\nKay", "> quoted\n> Jane Doe\n> +1 212 555 0199\n\nOK"):
        B, ctx, index, _, _ = LF.message_parts(text.split("\n"), LF.Sender("Jane Doe", "jane@x.example"))
        full = segmenter_model.emissions(LF.assemble(B, ctx))
        assert np.allclose(segmenter_model.emissions_parts(B, ctx), full, atol=1e-4)


def test_attachment_markers_do_not_break_a_signature(segmenter_model):
    text = ("Please see the attached schedule.\n\nKay C. Young\nLegal Specialist\nNorthwind Logistics Ltd\n"
            "713-853-6794 Phone\n713-646-3393 Fax\n\n - schedule.xls\n - notes.doc\n")
    zones = segmenter_model.zones(text, HeaderContact(email="kay.young@northwind.example", name="Kay Young"))
    (sig,) = [z for z in zones if z.kind == "signature"]
    assert sig.text.startswith("Kay C. Young") and "646-3393 Fax" in sig.text
    assert [z.kind for z in zones if "schedule.xls" in z.text] == ["body"]


def test_a_name_under_a_signoff_joins_the_block_but_a_lone_first_name_does_not(segmenter_model):
    zones = segmenter_model.zones(THREAD, JANE)
    (sig0,) = [z for z in zones if z.kind == "signature" and z.message == 0]
    assert sig0.text.startswith("Jane Doe")
    zones = segmenter_model.zones("Can you send me the figures?\n\nThanks,\nJane\n", JANE)
    assert [z.kind for z in zones] == ["body", "signoff"]


def test_a_gmail_attribution_opens_the_quoted_message(segmenter_model):
    text = ("Works for me.\n\n2024-06-09 14:50 GMT+02:00 Lukas Brandt <l.brandt@brandt.example>:\n"
            "> Hallo,\n>\n> passt Dienstag?\n>\n> Viele Grüße\n> Lukas Brandt\n> Vertriebsleiter\n"
            "> Brandt Maschinenbau GmbH\n> Tel. +49 30 1234567\n")
    zones = segmenter_model.zones(text, JANE)
    assert [z.kind for z in zones if z.message == 1][0] == "reply_header"
    sig1 = [z for z in zones if z.kind == "signature" and z.message == 1]
    assert sig1 and "Brandt Maschinenbau GmbH" in sig1[-1].text and "Vertriebsleiter" in sig1[0].text


def test_a_signoff_phrase_never_moves_into_the_signature(segmenter_model):
    """The name under "Thanks," joins the signature below it; "Thanks," itself stays a
    sign-off (it is capitalised and short like a name, and moving the name must not make
    it a candidate in turn)."""
    text = ("Please let me know if this answers your questions.\n\n"
            "Thanks,\nKate Symes\nTrading Support\n503-464-7486\n")
    zones = segmenter_model.zones(text, HeaderContact(email="kate.symes@northwind.example", name="Kate Symes"))
    sig = [z for z in zones if z.kind == "signature"]
    assert sig and sig[0].text.startswith("Kate Symes") and "503-464-7486" in sig[0].text
    assert [z.text for z in zones if z.kind == "signoff"] == ["Thanks,"]


def test_join_name_lines_moves_only_the_line_above_the_signature():
    import numpy as np

    from webleads_signature import line_features as LF
    from webleads_signature.segmenter import join_name_lines

    lines = ["Regards,", "Keegan Farrell", "(713) 345-3317"]
    B, _, index, depths, _ = LF.message_parts(lines, None)
    signoff, signature = 2, 3
    path = [signoff, signoff, signature]
    join_name_lines(path, B, index, depths, signoff, signature)
    assert path == [signoff, signature, signature]
    # two name-like lines under a sign-off: only the one touching the signature moves
    B2 = np.vstack([B[1], B[1], B[2]])
    path = [signoff, signoff, signature]
    join_name_lines(path, B2, [0, 1, 2], [0, 0, 0], signoff, signature)
    assert path == [signoff, signature, signature]


GROUPWISE = """Thanks for the quick answer, I will send the changes today.

Regards,
George

>>> "Campbell, Carolyn" <ccampbell@kingspalding.example> 01/02/01 11:12AM >>>
George:

Kay is looking for the language you asked for. Can you send it today?

Carolyn M. Campbell
King & Spalding
713-276-7307 (phone)
713-751-3280 (fax)
"""


def test_groupwise_attribution_opens_the_quoted_message(segmenter_model):
    """GroupWise writes ``>>> Name <addr> date >>>`` above the message it quotes, without
    quoting it: the arrows are not three quote levels, and the message below is the
    quoted one (its signature is not the sender's)."""
    from webleads_signature import line_features as LF

    line = GROUPWISE.split("\n")[5]
    assert LF.strip_quote(line) == ('"Campbell, Carolyn" <ccampbell@kingspalding.example> 01/02/01 11:12AM', 0)
    assert LF.strip_quote("> " + line)[1] == 1
    assert LF.strip_quote(">>> not an attribution") == ("not an attribution", 3)
    zones = segmenter_model.zones(GROUPWISE, HeaderContact(email="george@sweetgum.example", name="George"))
    header = [z for z in zones if z.kind == "reply_header"]
    assert header and header[0].message == 1 and header[0].text.startswith(">>>")
    assert not [z for z in zones if z.kind == "signature" and z.message == 0]
    sig1 = [z for z in zones if z.kind == "signature" and z.message == 1]
    assert sig1 and "King & Spalding" in sig1[0].text


def test_transitions_are_counted_apart_across_blank_lines():
    import numpy as np

    from webleads_signature.decode import transition_table

    # classes 0 body, 1 signature: body -> signature only ever across a blank line;
    # a change of quote depth counts no transition (decoding starts a message there)
    seqs = [[(0, False, False), (0, False, False), (1, True, False), (1, False, False)],
            [(0, False, False), (1, True, False), (0, False, True)]]
    trans, trans_blank, start = transition_table(seqs, 2, smoothing=0.5)
    p, pb = np.exp(trans), np.exp(trans_blank)
    assert np.allclose(p.sum(axis=1), 1) and np.allclose(pb.sum(axis=1), 1)
    assert pb[0, 1] > 0.7 and p[0, 1] < 0.3  # 2 of 2 across a blank, 0 of 1 adjacent
    assert np.isclose(np.exp(start)[0], (3 + 0.5) / (3 + 1.0))  # two firsts and the new message


def test_blank_line_table_decides_where_a_block_starts():
    import numpy as np

    from webleads_signature.decode import compile_viterbi, viterbi

    # two classes; the emissions alone prefer body for row 1, but body -> signature is
    # nearly impossible without a blank line, so the block starts where the blank is
    em = np.log(np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]]))
    trans = np.log(np.array([[0.98, 0.02], [0.01, 0.99]]))
    trans_blank = np.log(np.array([[0.5, 0.5], [0.01, 0.99]]))
    start = np.log(np.array([0.9, 0.1]))
    blank = [False, True, False]
    for fn in (lambda: viterbi(em, trans, start, [False] * 3, blank, trans_blank),
               lambda: compile_viterbi(trans, start, trans_blank)(em, [False] * 3, blank)):
        assert fn() == [0, 1, 1]
    # with the blank line before row 2 instead, the block starts there
    assert viterbi(em, trans, start, [False] * 3, [False, False, True], trans_blank) == [0, 0, 1]
