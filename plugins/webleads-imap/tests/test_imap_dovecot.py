"""The imap source against a real Dovecot on loopback: contract suite, security modes,
read-only guarantee, folders, incremental runs through `webleads run`, UIDVALIDITY
resync without duplicates, several accounts, and faults injected in front of Dovecot."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import ssl
import time

import pytest

from webleads_core import SourceConfig
from webleads_core.components import SourceContext
from webleads_core.mail import parse_message
from webleads_core.records import Checkpoint, Document, Resync
from webleads_core.testing.contracts import SourceContract
from webleads_core.testing.helpers import run_cli
from webleads_imap import CertificateError, plugin
from webleads_imap.source import ImapSource
from webleads_imap.testing import corpus
from webleads_imap.testing.proxy import FaultProxy

SHAPES = ("plain", "alternative", "attachment", "qp", "long")


def source(account, name="mail", **opts) -> ImapSource:
    return ImapSource(SourceConfig(name=name, type="imap", owner="", options=account.options(**opts)))


def drain(src, cursor=None, seen=()):
    seen = set(seen)
    objs = list(src.read(cursor, SourceContext(is_seen=lambda i: i in seen)))
    return [o for o in objs if isinstance(o, Document)], objs


class TestImapSourceContract(SourceContract):
    @pytest.fixture
    def make_source(self, account):
        account.server.deliver(account.user, corpus.messages(6))
        account.server.deliver(account.user, corpus.messages(2, start=50), folder="Sent")
        return lambda: source(account)


def test_security_modes_read_the_same_messages_and_parse_like_the_originals(account):
    originals = [corpus.message(i, shape=s) for i, s in enumerate(SHAPES)]
    account.server.deliver(account.user, originals)
    results = {}
    for security in ("tls", "starttls", "plain"):
        docs, objs = drain(source(account, security=security))
        results[security] = [(d.item_id, d.content) for d in docs]
        assert isinstance(objs[-1], Checkpoint)
    assert results["tls"] == results["starttls"] == results["plain"]
    docs = results["tls"]
    assert len(docs) == len(originals)
    for (item_id, raw), original in zip(docs, originals):
        got, want = parse_message(raw), parse_message(original)
        assert got.text == want.text
        assert [(c.email, c.name, c.header) for c in got.contacts] == \
            [(c.email, c.name, c.header) for c in want.contacts]
        assert got.message_id == want.message_id and got.sent_at == want.sent_at
        assert len(raw) < 120_000  # no attachment, long body as head and tail
    attachment = dict(zip(SHAPES, docs))["attachment"][1]
    assert b"application/pdf" not in attachment and len(attachment) < 2_000


def test_flags_are_untouched_and_nothing_is_marked_read(account):
    dv = account.server
    dv.deliver(account.user, corpus.messages(12), seen=[i % 3 == 0 for i in range(12)])
    before = dv.flags(account.user)
    unseen = dv.status(account.user)["unseen"]
    assert unseen == 8 and len(before) == 12
    docs, _ = drain(source(account))
    assert len(docs) == 12
    assert dv.flags(account.user) == before
    assert dv.status(account.user)["unseen"] == unseen


def test_default_folders_are_inbox_and_the_special_use_sent_folder(account):
    dv = account.server
    dv.deliver(account.user, corpus.messages(2))
    dv.deliver(account.user, corpus.messages(1, start=10), folder="Sent")
    dv.deliver(account.user, corpus.messages(1, start=20), folder="Archive")
    docs, objs = drain(source(account))
    got = {parse_message(d.content).message_id for d in docs}
    want = {parse_message(m).message_id for m in corpus.messages(2) + corpus.messages(1, start=10)}
    assert got == want
    assert len(objs[-1].cursor) == 2  # two folders, keyed by digests: no names in state
    assert all(k.startswith("folder:") and "Sent" not in k for k in objs[-1].cursor)


def test_configured_folders_with_non_ascii_names(account):
    dv = account.server
    from webleads_imap import utf7

    dv.maildir(account.user, utf7.encode("Éléments envoyés").decode())
    dv.deliver(account.user, corpus.messages(2, start=30), folder=utf7.encode("Éléments envoyés").decode())
    dv.deliver(account.user, corpus.messages(1))
    docs, _ = drain(source(account, folders=["Éléments envoyés"]))
    assert len(docs) == 2


def test_since_skips_older_mail(account):
    dv = account.server
    old = time.mktime((2020, 6, 1, 12, 0, 0, 0, 0, -1))
    dv.deliver(account.user, corpus.messages(3), received=old)
    dv.deliver(account.user, corpus.messages(2, start=3))
    docs, objs = drain(source(account, since=dt.date(2024, 1, 1)))
    assert len(docs) == 2
    again, _ = drain(source(account, since=dt.date(2024, 1, 1)), objs[-1].cursor)
    assert again == []


def test_rerun_with_nothing_new_fetches_nothing(account):
    dv = account.server
    dv.deliver(account.user, corpus.messages(40))
    src = source(account)
    docs, objs = drain(src)
    assert len(docs) == 40
    src2 = source(account)
    started = time.perf_counter()
    again, objs2 = drain(src2, objs[-1].cursor)
    assert again == [] and src2.stats.fetch_commands == 0
    assert objs2[-1].cursor == objs[-1].cursor
    assert time.perf_counter() - started < 1.0


def test_rescan_skips_messages_the_store_has_seen_without_fetching_their_bodies(account):
    dv = account.server
    dv.deliver(account.user, corpus.messages(10))
    docs, _ = drain(source(account))
    src = source(account)
    again, _ = drain(src, None, seen={d.item_id for d in docs[:7]})
    assert [d.item_id for d in again] == [d.item_id for d in docs[7:]]
    assert src.stats.skipped_seen == 7


# -- the whole command ------------------------------------------------------------------------


def _config(tmp_path, *tables) -> str:
    lines = ['[store]', 'url = "sqlite:///store.db"', '']
    for table in tables:
        lines.append("[[sources]]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in table.items()]
        lines.append("")
    path = tmp_path / "webleads.toml"
    path.write_text("\n".join(lines))
    return str(path)


def _run(config, *extra) -> dict:
    res = run_cli("run", "-c", config, "--format", "json", "--no-progress", *extra)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def _store_counts(tmp_path) -> tuple[int, int, int]:
    with sqlite3.connect(tmp_path / "store.db") as db:
        return tuple(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                     for t in ("contacts", "evidence", "items"))


def test_webleads_run_is_incremental_and_a_uidvalidity_change_adds_no_duplicates(account, tmp_path):
    dv = account.server
    dv.deliver(account.user, corpus.messages(30))
    dv.deliver(account.user, corpus.messages(5, start=200), folder="Sent")
    config = _config(tmp_path, account.source_table(batch_size=7))

    first = _run(config)
    assert first["items"] == 35 and first["processed"] == 35 and first["contacts"] > 0
    counts = _store_counts(tmp_path)
    assert counts[2] == 35

    contacts = run_cli("contacts", "list", "-c", config, "--format", "jsonl")
    assert "jane.doe@northwind-logistics.example" in contacts.stdout

    dv.deliver(account.user, corpus.messages(4, start=30))
    second = _run(config)
    assert second["items"] == 4  # only the new mail

    third = _run(config)
    assert third["items"] == 0
    before = _store_counts(tmp_path)

    dv.set_uidvalidity(account.user, 424242)
    fourth = _run(config)
    assert fourth["items"] == 0  # rescanned: every message already in the store, no body fetched
    assert _store_counts(tmp_path) == before
    with sqlite3.connect(tmp_path / "store.db") as db:
        assert db.execute("SELECT COUNT(*) FROM audit WHERE action = 'source.resync'").fetchone()[0] == 1
        cursor = json.loads(db.execute("SELECT cursor FROM sync_state").fetchone()[0])
    assert 424242 in [v["uidvalidity"] for v in cursor.values()]

    dv.deliver(account.user, corpus.messages(2, start=40))
    fifth = _run(config)
    assert fifth["items"] == 2
    after = _store_counts(tmp_path)
    assert after[2] == before[2] + 2


def test_uidvalidity_change_in_the_engine_counts_evidence_once(webleads_register, webleads_run, account):
    webleads_register(plugin)
    dv = account.server
    dv.deliver(account.user, corpus.messages(12))
    table = account.source_table(name="acct")
    first = webleads_run({"sources": [table]})
    assert first.result.processed == 12
    with sqlite3.connect(first.store_path) as db:
        evidence = db.execute("SELECT COUNT(*) FROM evidence").fetchone()[0]
    dv.set_uidvalidity(account.user, 777)
    # a store that lost the rescanned items' "seen" marks still gets no duplicate evidence
    with sqlite3.connect(first.store_path) as db:
        db.execute("DELETE FROM items")
    second = webleads_run({"sources": [table]})
    assert second.result.processed == 12
    with sqlite3.connect(first.store_path) as db:
        assert db.execute("SELECT COUNT(*) FROM evidence").fetchone()[0] == evidence
    assert {c.id for c in second.contacts} == {c.id for c in first.contacts}


def test_several_accounts_fill_their_owners_address_books(make_account, webleads_register, webleads_run):
    webleads_register(plugin)
    a, b = make_account(), make_account()
    a.server.deliver(a.user, corpus.messages(3))
    b.server.deliver(b.user, corpus.messages(2, start=3) + corpus.messages(1))
    out = webleads_run({"sources": [a.source_table(name="a"), b.source_table(name="b", security="starttls")]})
    assert out.result.processed == 6
    jane = next(c for c in out.contacts if "jane.doe@northwind-logistics.example" in c.emails)
    assert set(jane.owners) == {a.user, b.user}
    marc = next(c for c in out.contacts if corpus.person(1)[1] in c.emails)
    assert set(marc.owners) == {a.user}


# -- security against the real server ----------------------------------------------------------


def test_unknown_ca_is_refused_before_any_login(account):
    opts = account.options()
    del opts["ca_file"]
    src = ImapSource(SourceConfig(name="s", type="imap", options=opts))
    with pytest.raises(CertificateError) as info:
        drain(src)
    assert isinstance(info.value, ssl.SSLCertVerificationError)
    assert info.value.reason == "imap.certificate"
    assert account.user not in account.server.log_tail(200).split("Login: user=<")[-1]


def test_wrong_password_is_a_one_line_error_without_secrets(account, tmp_path):
    # one failed login only: Dovecot slows down repeated failures from one address
    config = _config(tmp_path, account.source_table())
    res = run_cli("run", "-c", config, "--no-progress", env={account.env: "wrong-password-value"})
    assert res.returncode == 3
    assert "imap.auth_failed" in res.stderr
    assert "wrong-password-value" not in res.stderr + res.stdout and account.user not in res.stderr


# -- faults injected in front of Dovecot --------------------------------------------------------


def test_tcp_reset_in_the_middle_of_a_fetch_resumes_without_loss_or_repeat(account):
    dv = account.server
    dv.deliver(account.user, corpus.messages(25))
    with FaultProxy(dv.imap_port) as proxy:
        proxy.cut_after(3000, times=2)
        src = source(account, security="plain", port=proxy.port, batch_size=10)
        docs, objs = drain(src)
    assert proxy.cuts == 2 and src.stats.reconnects == 2
    ids = [d.item_id for d in docs]
    assert len(ids) == len(set(ids)) == 25
    clean, _ = drain(source(account))
    assert ids == [d.item_id for d in clean]
    assert [d.content for d in docs] == [d.content for d in clean]


def test_expunge_during_a_batch_is_tolerated(account):
    dv = account.server
    dv.deliver(account.user, corpus.messages(8))
    with FaultProxy(dv.imap_port) as proxy:
        proxy.on_command(rb"BODY\.PEEK\[HEADER\]", lambda: dv.expunge(account.user, [2, 5]))
        src = source(account, security="plain", port=proxy.port)
        docs, objs = drain(src)
    assert len(docs) == 6 and src.stats.missing == 2
    cursor = objs[-1].cursor
    assert [v["last_uid"] for v in cursor.values() if v["last_uid"]] == [8]


def test_resync_is_yielded_once_per_run(account):
    dv = account.server
    dv.deliver(account.user, corpus.messages(3))
    dv.deliver(account.user, corpus.messages(2, start=3), folder="Sent")
    _, objs = drain(source(account))
    dv.set_uidvalidity(account.user, 99)
    dv.set_uidvalidity(account.user, 98, folder="Sent")
    docs, objs2 = drain(source(account), objs[-1].cursor)
    assert sum(isinstance(o, Resync) for o in objs2) == 1
    assert len(docs) == 5  # nothing seen in this bare run: all re-listed, same ids
    assert {d.item_id for d in docs} == {d.item_id for d in drain(source(account))[0]}


def test_logs_hold_no_personal_data_and_a_missing_folder_is_skipped(account, caplog):
    dv = account.server
    dv.deliver(account.user, corpus.messages(6))
    caplog.set_level("DEBUG")
    with FaultProxy(dv.imap_port) as proxy:
        proxy.cut_after(2000, times=1)
        src = source(account, security="plain", port=proxy.port, folders=["INBOX", "Kunden/Jane Doe"])
        docs, _ = drain(src)
    assert len(docs) == 6 and src.stats.reconnects == 1
    text = caplog.text
    assert "folder #2 cannot be opened" in text and "reconnecting" in text
    for secret in (account.user, account.password, "Jane Doe", "Kunden", "northwind", "Order 100"):
        assert secret not in text
