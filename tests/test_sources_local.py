"""Local mail sources: contract suites, incremental reruns, mbox growth and rewrite, caps."""

from __future__ import annotations

import pytest

from webleads_core import SourceConfig
from webleads_core.components import SourceContext
from webleads_core.default_plugins import local_mail
from webleads_core.records import Checkpoint, Document, Resync
from webleads_core.testing.contracts import SourceContract
from webleads_core.testing.samples import SAMPLES


def _mbox(path, texts):
    with path.open("wb") as fh:
        for i, t in enumerate(texts):
            fh.write(f"From sender{i}@example.org Mon Jan  1 00:00:00 2025\n".encode())
            fh.write(t.replace("\nFrom ", "\n>From ").encode() + b"\n")
    return path


class TestEml(SourceContract):
    @pytest.fixture
    def make_source(self, webleads_sample_mail):
        return lambda: local_mail.EmlSource(SourceConfig(name="e", type="eml",
                                                         options={"path": str(webleads_sample_mail)}))


class TestMaildir(SourceContract):
    @pytest.fixture
    def make_source(self, mailbox):
        return lambda: local_mail.MaildirSource(SourceConfig(name="m", type="maildir",
                                                             options={"path": str(mailbox)}))


class TestMbox(SourceContract):
    @pytest.fixture
    def make_source(self, tmp_path):
        path = _mbox(tmp_path / "box.mbox", [t for _, t in SAMPLES])
        return lambda: local_mail.MboxSource(SourceConfig(name="b", type="mbox", options={"path": str(path)}))


def test_mbox_resumes_after_growth_and_resyncs_after_rewrite(tmp_path):
    path = _mbox(tmp_path / "box.mbox", [t for _, t in SAMPLES[:2]])
    src = local_mail.MboxSource(SourceConfig(name="b", type="mbox", options={"path": str(path)}))
    objs = list(src.read(None, SourceContext()))
    assert sum(isinstance(o, Document) for o in objs) == 2
    cursor = objs[-1].cursor
    with path.open("ab") as fh:
        fh.write(b"From x@example.org Mon Jan  1 00:00:00 2025\n" + SAMPLES[2][1].encode() + b"\n")
    again = list(src.read(cursor, SourceContext()))
    docs = [o for o in again if isinstance(o, Document)]
    assert len(docs) == 1 and b"Atelier Moreau" in docs[0].content
    _mbox(path, [SAMPLES[2][1], SAMPLES[0][1]])  # rewritten
    rewritten = list(src.read(again[-1].cursor, SourceContext()))
    assert isinstance(rewritten[0], Resync)
    assert sum(isinstance(o, Document) for o in rewritten) == 2


def test_mbox_message_ids_and_escaped_from_lines(tmp_path):
    text = SAMPLES[0][1].replace("The new schedule", "From the new schedule")
    path = _mbox(tmp_path / "b.mbox", [text])
    (doc,) = [o for o in local_mail.MboxSource(SourceConfig(name="b", type="mbox", options={"path": str(path)}))
              .read(None, SourceContext()) if isinstance(o, Document)]
    assert doc.item_id == "sample-01@northwind-logistics.example"
    assert b"\nFrom the new schedule" in doc.content


def test_huge_message_is_read_as_head_and_tail(tmp_path, monkeypatch):
    monkeypatch.setattr(local_mail, "HEAD_BYTES", 1000)
    monkeypatch.setattr(local_mail, "TAIL_BYTES", 1000)
    f = tmp_path / "big.eml"
    f.write_bytes(b"From: a@b.example\r\n\r\n" + b"x" * 100_000 + b"\r\nJane Doe\r\nSIGNATURE-TAIL\r\n")
    raw = local_mail.read_capped(f)
    assert len(raw) < 2100 and raw.startswith(b"From: a@b.example") and raw.endswith(b"SIGNATURE-TAIL\r\n")
    path = tmp_path / "big.mbox"
    path.write_bytes(b"From a Mon Jan  1 00:00:00 2025\n" + b"From: a@b.example\n\n" + b"y\n" * 50_000 +
                     b"TAIL-LINE\n")
    (_, _, body), = list(local_mail.iter_mbox(path))
    assert len(body) < 2200 and body.startswith(b"From: a@b.example") and b"TAIL-LINE" in body


def test_maildir_skips_seen_messages_without_reading_them(mailbox):
    src = local_mail.MaildirSource(SourceConfig(name="m", type="maildir", options={"path": str(mailbox)}))
    first = [o.item_id for o in src.read(None, SourceContext()) if isinstance(o, Document)]
    # a client marks a message as read: the file is renamed, the key stays
    f = sorted((mailbox / "cur").iterdir())[0]
    f.rename(f.with_name(f.name.replace(":2,S", ":2,RS")))
    again = [o for o in src.read(None, SourceContext(is_seen=lambda i: i in first)) if isinstance(o, Document)]
    assert again == []


def test_detect_source_types(tmp_path, mailbox, webleads_sample_mail):
    assert local_mail.detect_source(mailbox).type == "maildir"
    assert local_mail.detect_source(webleads_sample_mail).type == "eml"
    assert local_mail.detect_source(_mbox(tmp_path / "x.mbox", [SAMPLES[0][1]])).type == "mbox"
