"""What Dovecot never does, from a scripted fake server on loopback: BAD_INPUTS cases 40,
41 and 43 (wrong certificate, STARTTLS not advertised, a huge declared literal, BYE or a
reset in the middle of a FETCH, a trickling server), XOAUTH2, and LOGIN literals."""

from __future__ import annotations

import ssl
import time

import pytest

from webleads_core import SourceConfig
from webleads_core.components import SourceContext
from webleads_core.records import Checkpoint, Document, Rejected
from webleads_core.testing.bounded import run_bounded
from webleads_imap import (AuthFailed, CertificateError, ConnectionLost, ImapTimeout, ProtocolViolation,
                           TLSRequired, plugin)
from webleads_imap.source import ImapSource
from webleads_imap.testing import corpus
from webleads_imap.testing.fakeserver import FakeImapServer, server_context

PW = "fake-pw-1"


@pytest.fixture(autouse=True)
def _password(monkeypatch):
    monkeypatch.setenv("WL_FAKE_PW", PW)


def make_source(server: FakeImapServer, security: str = "plain", name: str = "fake", **opts) -> ImapSource:
    options = {"host": "127.0.0.1" if security == "plain" else "localhost", "port": server.port,
               "security": security, "username": "dana@webleads-demo.example", "password_env": "WL_FAKE_PW",
               "backoff": 0.01, "folders": ["INBOX"]}
    options.update(opts)
    return ImapSource(SourceConfig(name=name, type="imap", options=options))


def drain(src, cursor=None):
    objs = list(src.read(cursor, SourceContext()))
    return [o for o in objs if isinstance(o, Document)], objs


def plain_messages(n: int) -> list[bytes]:
    return [corpus.message(i, shape="plain") for i in range(n)]


# -- case 40: certificates and STARTTLS ------------------------------------------------------


def test_wrong_host_certificate_is_refused_before_anything_is_sent(certs):
    ctx = server_context(certs.wrong_cert, certs.wrong_key)
    with FakeImapServer(plain_messages(1), tls=ctx, password=PW) as server:
        src = make_source(server, "tls", ca_file=str(certs.ca))
        with pytest.raises(CertificateError) as info:
            drain(src)
        assert isinstance(info.value, ssl.SSLCertVerificationError)
        assert "mismatch" in str(info.value).lower() or "match" in str(info.value).lower()
        assert not server.credentials_received and server.received == []


def test_self_signed_certificate_is_refused(certs):
    with FakeImapServer(plain_messages(1), tls=server_context(certs.cert, certs.key), password=PW) as server:
        with pytest.raises(CertificateError):
            drain(make_source(server, "tls"))  # no ca_file: the test CA is unknown to the system
        assert not server.credentials_received


def test_starttls_not_advertised_is_refused_without_credentials(certs):
    ctx = server_context(certs.cert, certs.key)
    with FakeImapServer(plain_messages(1), starttls=ctx, advertise_starttls=False, password=PW) as server:
        with pytest.raises(TLSRequired) as info:
            drain(make_source(server, "starttls", ca_file=str(certs.ca)))
        assert info.value.reason == "imap.tls_required"
        assert not server.credentials_received
        assert [c.split(b" ", 1)[1] for c in server.received] == [b"CAPABILITY"]


def test_starttls_with_injected_data_is_refused(certs):
    ctx = server_context(certs.cert, certs.key)
    with FakeImapServer(plain_messages(1), starttls=ctx, fault="starttls_injection", password=PW) as server:
        with pytest.raises(ProtocolViolation) as info:
            drain(make_source(server, "starttls", ca_file=str(certs.ca), retries=0))
        assert info.value.reason == "imap.starttls_injection"
        assert not server.credentials_received


def test_starttls_against_the_fake_server_works(certs):
    ctx = server_context(certs.cert, certs.key)
    with FakeImapServer(plain_messages(3), starttls=ctx, password=PW) as server:
        docs, _ = drain(make_source(server, "starttls", ca_file=str(certs.ca)))
    assert len(docs) == 3


# -- case 41: a literal larger than the cap ------------------------------------------------------


def _sync_against_huge_literal(port: int) -> tuple[int, int, int]:
    server_src = ImapSource(SourceConfig(name="fake", type="imap", options={
        "host": "127.0.0.1", "port": port, "security": "plain", "username": "u", "password_env": "WL_FAKE_PW",
        "backoff": 0.01, "folders": ["INBOX"]}))
    docs, objs = drain(server_src)
    rejected = [(o.item_id, o.reason) for o in objs if isinstance(o, Rejected)]
    return len(docs), rejected, objs[-1].cursor


def test_huge_declared_literal_is_refused_within_bounds_and_only_that_message_is_lost():
    with FakeImapServer(plain_messages(5), fault="huge_literal_for_uid", fault_uid=2, password=PW) as server:
        docs, rejected, cursor = run_bounded(_sync_against_huge_literal, server.port,
                                             cpu_seconds=2.0, memory_mb=256, wall_seconds=30)
    assert docs == 4
    assert [reason for _, reason in rejected] == ["imap.literal_too_large"]
    assert rejected[0][0].startswith("mid:")  # the message's own id, quarantined by the engine
    assert [v["last_uid"] for v in cursor.values()] == [5]


def test_rejected_message_is_quarantined_by_the_engine(webleads_register, webleads_run):
    webleads_register(plugin)
    table = {"type": "imap", "name": "fake", "host": "127.0.0.1", "security": "plain", "username": "u",
             "password_env": "WL_FAKE_PW", "backoff": 0.01, "folders": ["INBOX"]}
    with FakeImapServer(plain_messages(4), fault="huge_literal_for_uid", fault_uid=3, password=PW) as server:
        out = webleads_run({"sources": [dict(table, port=server.port)]})
    assert out.result.processed == 3 and out.result.skipped == 1
    assert dict(out.result.reasons) == {"imap.literal_too_large": 1}
    import sqlite3

    with sqlite3.connect(out.store_path) as db:
        assert db.execute("SELECT reason FROM quarantine").fetchall() == [("imap.literal_too_large",)]


def test_one_huge_literal_in_a_batch_costs_a_reconnect_not_the_batch():
    with FakeImapServer(plain_messages(6), fault="huge_literal", password=PW) as server:
        src = make_source(server)
        docs, _ = drain(src)
    assert len(docs) == 6 and src.stats.reconnects == 0 and src.stats.skipped_broken == 0
    assert server.connections == 2


# -- case 43: BYE, reset, trickle -----------------------------------------------------------------


@pytest.mark.parametrize("fault", ["bye_mid_fetch", "reset_mid_fetch"])
def test_connection_lost_mid_fetch_resumes_without_loss_or_repeat(fault):
    with FakeImapServer(plain_messages(9), fault=fault, fault_times=2, password=PW) as server:
        src = make_source(server, batch_size=4)
        docs, objs = drain(src)
    ids = [d.item_id for d in docs]
    assert len(ids) == len(set(ids)) == 9
    assert src.stats.reconnects == 2
    cps = [o.cursor for o in objs if isinstance(o, Checkpoint)]
    lasts = [next(iter(c.values()))["last_uid"] for c in cps]
    assert lasts == sorted(lasts) and lasts[-1] == 9


def test_a_trickling_server_is_stopped_by_the_total_deadline():
    with FakeImapServer(plain_messages(3), fault="trickle", password=PW) as server:
        src = make_source(server, retries=0, command_timeout=1.0, timeout=5.0)
        started = time.monotonic()
        with pytest.raises(ImapTimeout):
            drain(src)
        assert time.monotonic() - started < 3.0


def test_retries_give_up_and_a_rerun_resumes_from_the_committed_checkpoint(webleads_register, webleads_run):
    webleads_register(plugin)
    msgs = plain_messages(10)
    table = {"type": "imap", "name": "fake", "owner": "dana@webleads-demo.example", "host": "127.0.0.1",
             "security": "plain", "username": "u", "password_env": "WL_FAKE_PW", "backoff": 0.01,
             "retries": 2, "batch_size": 2, "folders": ["INBOX"]}
    with FakeImapServer(msgs, fault="bye_mid_fetch", fault_times=100, fault_after=2, password=PW) as server:
        first = webleads_run({"sources": [dict(table, port=server.port)]})
    assert dict(first.result.reasons).get("source.failed") == 1
    assert first.result.processed == 4  # two batches of two went through before the server broke
    with FakeImapServer(msgs, password=PW) as server:
        second = webleads_run({"sources": [dict(table, port=server.port)]})
    assert second.result.processed == 6 and second.result.skipped == 0
    assert len(second.contacts) == len(webleads_run_all(msgs, webleads_run, table))


def webleads_run_all(msgs, webleads_run, table):
    with FakeImapServer(msgs, password=PW) as server:
        out = webleads_run({"sources": [dict(table, name="fresh", port=server.port)],
                            "store": {"url": "sqlite:///fresh.db"}})
    return out.contacts


def test_connect_refused_is_retried_then_reported():
    with FakeImapServer(plain_messages(1), password=PW) as server:
        port = server.port
    src = make_source(server, retries=2, port=port)
    with pytest.raises(ConnectionLost) as info:
        drain(src)
    assert info.value.reason == "imap.connect_failed" and src.stats.reconnects == 2


# -- authentication ------------------------------------------------------------------------------


def test_xoauth2(certs, monkeypatch):
    monkeypatch.setenv("WL_TOKEN", "ya29.good-token")
    ctx = server_context(certs.cert, certs.key)
    with FakeImapServer(plain_messages(2), tls=ctx, token="ya29.good-token") as server:
        src = make_source(server, "tls", ca_file=str(certs.ca), password_env=None, oauth2_token_env="WL_TOKEN")
        docs, _ = drain(src)
        assert len(docs) == 2
        monkeypatch.setenv("WL_TOKEN", "ya29.expired")
        bad = make_source(server, "tls", ca_file=str(certs.ca), password_env=None, oauth2_token_env="WL_TOKEN")
        with pytest.raises(AuthFailed) as info:
            drain(bad)
        assert "ya29" not in str(info.value)


def test_wrong_password_is_auth_failed_without_secrets(monkeypatch):
    monkeypatch.setenv("WL_FAKE_PW", "wrong-password-value")
    with FakeImapServer(plain_messages(1), password=PW) as server:
        with pytest.raises(AuthFailed) as info:
            drain(make_source(server))
    assert info.value.reason == "imap.auth_failed"
    assert "wrong-password-value" not in str(info.value) and "dana@" not in str(info.value)
    from webleads_core import ConfigError

    assert isinstance(info.value, ConfigError)


def test_login_command_with_literal_password(monkeypatch):
    monkeypatch.setenv("WL_FAKE_PW", "pässwörd \"quoted\"")
    with FakeImapServer(plain_messages(2), capabilities=(b"IMAP4rev1",), password="pässwörd \"quoted\"") as server:
        docs, _ = drain(make_source(server))
        assert len(docs) == 2
        assert server.received[1].endswith(b"LOGIN ***")


def test_commands_sent_are_read_only():
    with FakeImapServer(plain_messages(4), password=PW) as server:
        drain(make_source(server))
    verbs = {c.split(b" ")[1] + (b" " + c.split(b" ")[2] if c.split(b" ")[1] == b"UID" else b"")
             for c in server.received}
    assert verbs <= {b"CAPABILITY", b"AUTHENTICATE", b"EXAMINE", b"UID SEARCH", b"UID FETCH", b"LOGOUT"}
    fetches = [c for c in server.received if b" FETCH " in c]
    assert fetches and all(b"BODY[" not in f.replace(b"BODY.PEEK[", b"") for f in fetches)


# -- every hostile case within the BAD_INPUTS bar: 2 s CPU, 256 MB, in a worker with a hard kill --


def _bounded_sync(port: int, security: str, extra: dict) -> tuple[int, str | None]:
    options = {"host": "127.0.0.1" if security == "plain" else "localhost", "port": port, "security": security,
               "username": "u", "password_env": "WL_FAKE_PW", "backoff": 0.01, "folders": ["INBOX"], **extra}
    src = ImapSource(SourceConfig(name="fake", type="imap", options=options))
    try:
        docs, _ = drain(src)
    except Exception as exc:  # the typed error's reason is the result
        return -1, getattr(exc, "reason", type(exc).__name__)
    return len(docs), None


@pytest.mark.parametrize("case,expected", [
    ("wrong_host", (-1, "imap.certificate")),
    ("self_signed", (-1, "imap.certificate")),
    ("no_starttls", (-1, "imap.tls_required")),
    ("huge_literal", (8, None)),
    ("bye_mid_fetch", (8, None)),
    ("reset_mid_fetch", (8, None)),
])
def test_hostile_servers_within_cpu_and_memory_bounds(case, expected, certs):
    good, wrong = server_context(certs.cert, certs.key), server_context(certs.wrong_cert, certs.wrong_key)
    kwargs, security, extra = {}, "plain", {}
    if case == "wrong_host":
        kwargs, security, extra = {"tls": wrong}, "tls", {"ca_file": str(certs.ca)}
    elif case == "self_signed":
        kwargs, security = {"tls": good}, "tls"
    elif case == "no_starttls":
        kwargs, security, extra = {"starttls": good, "advertise_starttls": False}, "starttls", \
            {"ca_file": str(certs.ca)}
    else:
        kwargs = {"fault": case, "fault_times": 2}
        extra = {"batch_size": 3}
    with FakeImapServer(plain_messages(8), password=PW, **kwargs) as server:
        result = run_bounded(_bounded_sync, server.port, security, extra, cpu_seconds=2.0, memory_mb=256,
                             wall_seconds=30)
        assert not server.credentials_received or expected[1] is None
    assert result == expected
