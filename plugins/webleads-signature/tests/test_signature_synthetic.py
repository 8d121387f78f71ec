"""Synthetic training mail: deterministic, labelled consistently, never from a held-out split."""

from __future__ import annotations

from webleads_signature.dataset import LabelledMessage
from webleads_signature.synthetic import business_mail, quoted_replies


def test_business_mail_is_deterministic_and_consistent():
    a, b = business_mail(40), business_mail(40)
    assert [m.text for m in a] == [m.text for m in b]
    assert business_mail(40, seed=1)[0].text != a[0].text
    langs_seen = {m.text.split("\n")[0][:5] for m in a}
    assert len(langs_seen) > 5
    for m in a:
        assert len(m.labels) == len(m.lines) and m.split == "train" and m.source == "synthetic"
        assert all((lab is None) == (not line.strip()) for line, lab in zip(m.lines, m.labels))
        for sig in m.signatures:
            assert sig.text in m.text
            for f in sig.fields:
                assert sig.text[f.start:f.end] == f.value, (f.field, f.value)


def test_quoted_replies_keep_the_labels_of_both_messages():
    older = LabelledMessage(id="x:1", split="train", text="Hi,\nsee you.\nJane Doe\nAcme Ltd",
                            sender_name="Jane Doe", sender_email="jane@acme.example",
                            labels=("greeting", "body", "signature", "signature"), newest_end=4,
                            signature_lines=frozenset({2, 3}))
    newer = LabelledMessage(id="x:2", split="train", text="OK, thanks.\nSam", labels=("body", "signoff"),
                            newest_end=2, sender_name="Sam Lee", sender_email="sam@x.example")
    replies = quoted_replies([older, newer], seed=3)
    assert replies and all(r.split == "train" for r in replies)
    for r in replies:
        assert len(r.labels) == len(r.lines)
        assert r.labels[r.newest_end:].count("header") >= 1
        for i in r.signature_lines:
            assert r.labels[i] == "signature"
    assert quoted_replies([older, newer], seed=3)[0].text == replies[0].text
