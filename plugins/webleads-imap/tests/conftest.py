"""Fixtures of the IMAP plugin's tests: one real Dovecot per session on loopback ports,
a fresh account per test, and a source-config builder."""

from __future__ import annotations

import itertools
from typing import Any, Callable, Iterator

import attrs
import pytest

from webleads_imap.testing.dovecot import Dovecot, find_dovecot

_counter = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    if find_dovecot() is None:
        pytest.fail("dovecot is not installed: run scripts/services.sh (Debian package dovecot-imapd)")
    server = Dovecot()
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


@attrs.frozen
class Account:
    """One mailbox on the test Dovecot, with a source-config builder."""

    server: Dovecot
    user: str
    password: str
    env: str

    def options(self, security: str = "tls", **extra: Any) -> dict[str, Any]:
        port = self.server.imaps_port if security == "tls" else self.server.imap_port
        opts = {"host": "localhost" if security != "plain" else "127.0.0.1", "port": port,
                "security": security, "username": self.user, "password_env": self.env,
                "ca_file": str(self.server.certs.ca), "backoff": 0.01}
        opts.update(extra)
        return opts

    def source_table(self, name: str = "mail", **extra: Any) -> dict[str, Any]:
        return {"type": "imap", "name": name, "owner": self.user, **self.options(**extra)}


@pytest.fixture
def make_account(dovecot, monkeypatch) -> Callable[[], Account]:
    def make() -> Account:
        n = next(_counter)
        user = dovecot.add_user()
        env = f"WEBLEADS_TEST_IMAP_PW_{n}"
        monkeypatch.setenv(env, dovecot.users[user])
        return Account(dovecot, user, dovecot.users[user], env)

    return make


@pytest.fixture
def account(make_account) -> Account:
    return make_account()


@pytest.fixture(scope="session")
def certs(dovecot):
    return dovecot.certs
