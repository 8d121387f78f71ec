"""Configuration checks: one-line ConfigErrors that never contain a secret."""

from __future__ import annotations

import datetime as dt

import pytest

from webleads_core import ConfigError, SourceConfig
from webleads_imap.options import Secret, parse_options
from webleads_imap.source import ImapSource

SECRET = "s3cr3t-Hunter2-value"


def conf(tmp_path, **opts) -> SourceConfig:
    base = {"host": "imap.example.org", "username": "dana@webleads-demo.example", "password_env": "WL_PW"}
    base.update(opts)
    return SourceConfig(name="work", type="imap", options={k: v for k, v in base.items() if v is not None},
                        base_dir=tmp_path)


@pytest.fixture(autouse=True)
def _secret_env(monkeypatch):
    monkeypatch.setenv("WL_PW", SECRET)


def test_defaults(tmp_path):
    o = parse_options(conf(tmp_path))
    assert (o.host, o.port, o.security, o.auth, o.folders, o.since) == ("imap.example.org", 993, "tls",
                                                                        "password", (), None)
    assert o.secret.reveal() == SECRET
    assert parse_options(conf(tmp_path, security="starttls")).port == 143


def test_secrets_stay_out_of_repr(tmp_path):
    src = ImapSource(conf(tmp_path))
    for text in (repr(src), repr(src.options), str(src.options.secret), repr(Secret(SECRET))):
        assert SECRET not in text and "dana@" not in text


@pytest.mark.parametrize("opts,needle", [
    ({"host": None}, "host"),
    ({"security": "ssl"}, "security"),
    ({"security": "plain"}, "loopback"),
    ({"security": "plain", "host": "10.1.2.3"}, "loopback"),
    ({"port": 0}, "port"),
    ({"port": "993"}, "port"),
    ({"username": ""}, "username"),
    ({"password_env": None}, "exactly one"),
    ({"password_file": "pw.txt"}, "exactly one"),
    ({"password_env": "NOT_SET_ANYWHERE_WL"}, "NOT_SET_ANYWHERE_WL"),
    ({"password_env": "bad name"}, "password_env"),
    ({"ca_file": "missing.pem"}, "ca_file"),
    ({"folders": []}, "folders"),
    ({"folders": ["INBOX", 3]}, "folders"),
    ({"since": "last week"}, "since"),
    ({"batch_size": 0}, "batch_size"),
    ({"max_literal_bytes": 10}, "max_literal_bytes"),
    ({"hots": "typo.example"}, "unknown keys: hots"),
])
def test_bad_settings_are_one_line_config_errors(tmp_path, opts, needle):
    with pytest.raises(ConfigError) as info:
        ImapSource(conf(tmp_path, **opts))
    message = str(info.value)
    assert needle in message and "\n" not in message and SECRET not in message
    assert message.startswith("source 'work' (imap): ")


def test_plain_is_allowed_only_for_loopback_hosts(tmp_path):
    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        assert parse_options(conf(tmp_path, host=host, security="plain")).port == 143


def test_password_file(tmp_path):
    (tmp_path / "pw.txt").write_text(SECRET + "\n")
    o = parse_options(conf(tmp_path, password_env=None, password_file="pw.txt"))
    assert o.secret.reveal() == SECRET and o.auth == "password"
    (tmp_path / "empty.txt").write_text("\n")
    with pytest.raises(ConfigError, match="is empty"):
        parse_options(conf(tmp_path, password_env=None, password_file="empty.txt"))
    (tmp_path / "two.txt").write_text(SECRET + "\nsecond line\n")
    with pytest.raises(ConfigError, match="one line") as info:
        parse_options(conf(tmp_path, password_env=None, password_file="two.txt"))
    assert SECRET not in str(info.value)
    with pytest.raises(ConfigError, match="cannot read password_file"):
        parse_options(conf(tmp_path, password_env=None, password_file="nope.txt"))


def test_oauth2_token_options(tmp_path, monkeypatch):
    monkeypatch.setenv("WL_TOKEN", "ya29.token")
    o = parse_options(conf(tmp_path, password_env=None, oauth2_token_env="WL_TOKEN"))
    assert o.auth == "xoauth2" and o.secret.reveal() == "ya29.token"
    (tmp_path / "tok").write_text("ya29.file\n")
    assert parse_options(conf(tmp_path, password_env=None, oauth2_token_file="tok")).secret.reveal() == "ya29.file"


def test_since_and_folders(tmp_path):
    o = parse_options(conf(tmp_path, since=dt.date(2024, 5, 1), folders=["INBOX", "Éléments envoyés", "INBOX"]))
    assert o.since == dt.date(2024, 5, 1) and o.folders == ("INBOX", "Éléments envoyés")
    assert parse_options(conf(tmp_path, since="2024-05-01")).since == dt.date(2024, 5, 1)
