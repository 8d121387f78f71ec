"""The readers of annotated mail: Quagga JSON, Talon #sig#, webleads JSON Lines."""

from __future__ import annotations

import json

import pytest

from webleads_core.errors import ConfigError
from webleads_signature.readers import detect, load


def test_quagga_corpus(quagga):
    train = load(quagga, "train")
    test = load(quagga, "test")
    ev = load(quagga, "eval")
    assert (len(train), len(test), len(ev)) == (500, 200, 100)
    assert not {m.id.rsplit("/", 1)[-1] for m in train} & {m.id.rsplit("/", 1)[-1] for m in ev}
    m = next(m for m in train if m.id.endswith("beck-s_all_documents_1026.txt"))
    lines = m.lines
    sig = [lines[i] for i in sorted(m.signature_lines)]
    assert sig[0] == "Scott Pleus" and m.labels[lines.index("Scott Pleus")] == "signature"
    assert m.sender_email == "scott.pleus@enron.com"
    assert m.labels[m.newest_end] == "header"
    (block,) = [s for s in m.signatures if s.newest]
    assert {(f.field, f.value) for f in block.fields} >= {("name", "Scott Pleus"), ("company", "Enron Broadband Services")}
    assert all(block.text[f.start:f.end] == f.value for f in block.fields)


def test_apache_lists_have_no_sender(quagga):
    msgs = load(quagga / "asf_annotated", "eval")
    assert msgs and all(m.sender_email is None for m in msgs)


def test_talon_format(tmp_path):
    d = tmp_path / "P"
    d.mkdir()
    (d / "1_body").write_text("Hi John,\n\nCan we meet at 11?\n\n#sig#--\n#sig#Mike Smith\n#sig#555-243-0623\n")
    (d / "1_sender").write_text("Mike Smith <mike@example.com>")
    assert detect(tmp_path) == "talon"
    msgs = [m for split in ("train", "test", "eval") for m in load(tmp_path, split)]
    (m,) = msgs
    assert m.partial and m.sender_email == "mike@example.com" and m.sender_name == "Mike Smith"
    assert [m.lines[i] for i in sorted(m.signature_lines)] == ["--", "Mike Smith", "555-243-0623"]
    assert m.labels[0] == "other" and "#sig#" not in m.text


def test_jsonl_format(tmp_path):
    rec = {"id": "a1", "split": "train", "text": "Hi Dana,\nSee you.\nBest,\nJane Doe\nAcme Ltd\n",
           "sender": {"name": "Jane Doe", "email": "jane@acme.example"},
           "zones": [{"kind": "greeting", "message": 0, "start": 0, "end": 1},
                     {"kind": "body", "message": 0, "start": 1, "end": 2},
                     {"kind": "signoff", "message": 0, "start": 2, "end": 3},
                     {"kind": "signature", "message": 0, "start": 3, "end": 5}],
           "signatures": [{"start": 3, "end": 5, "fields": [{"field": "name", "value": "Jane Doe"},
                                                            {"field": "company", "value": "Acme Ltd"}]}]}
    (tmp_path / "mine.jsonl").write_text(json.dumps(rec) + "\n")
    assert detect(tmp_path) == "webleads"
    (m,) = load(tmp_path, "train")
    assert m.labels[:5] == ("greeting", "body", "signoff", "signature", "signature")
    assert m.signature_lines == {3, 4}
    (s,) = m.signatures
    assert s.author_email == "jane@acme.example" and s.fields[1].start == s.text.index("Acme")
    bad = dict(rec, zones=[{"kind": "nonsense", "start": 0, "end": 1}])
    (tmp_path / "mine.jsonl").write_text(json.dumps(bad) + "\n")
    with pytest.raises(ConfigError):
        load(tmp_path, "train")


def test_unknown_folder_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        detect(tmp_path)
