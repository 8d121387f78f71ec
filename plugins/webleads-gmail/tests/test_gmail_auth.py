"""Authorization: ``webleads gmail auth`` (loopback redirect + PKCE, token file 0600),
automatic refresh, one clear message on ``invalid_grant``, only ``gmail.readonly``, and
service accounts with domain-wide delegation."""

from __future__ import annotations

import http.client
import json
import logging
import os
import queue
import stat
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest

from webleads_core.components import SourceConfig
from webleads_core.testing.helpers import run_cli
from webleads_gmail.errors import GmailApiError, GmailAuthError
from webleads_gmail.source import GmailSource
from webleads_gmail.testing.helpers import drain, fill
from webleads_gmail.testing.oauth import SCOPE_METADATA, SCOPE_READONLY


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", parts.path + ("?" + parts.query if parts.query else ""))
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


class AuthProcess:
    """``webleads gmail auth`` in a subprocess; the test plays the browser."""

    def __init__(self, secrets_file: Path, token_file: Path, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "webleads_core.cli.main", "gmail", "auth", "--client-secrets",
             str(secrets_file), "--token-file", str(token_file), "--no-browser", "--timeout", "30",
             "--allow-network", "127.0.0.0/8", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        self._pumping = threading.Thread(target=self._pump, daemon=True)
        self._pumping.start()

    def _pump(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)
            self.lines.put(line)

    def authorization_url(self) -> str:
        while True:
            line = self.lines.get(timeout=30)
            if line.startswith("  http"):
                return line.strip()

    def finish(self) -> tuple[int, str, str]:
        assert self.proc.stdout is not None
        self.proc.wait(timeout=30)
        out = self.proc.stdout.read()
        self._pumping.join(timeout=10)  # stderr is read to its end by the pump thread only
        return self.proc.returncode, out, "".join(self.stderr)


@pytest.fixture
def secrets_file(standin, tmp_path) -> Path:
    path = tmp_path / "client_secret.json"
    path.write_text(json.dumps(standin.client_secrets()))
    return path


def test_auth_runs_the_loopback_flow_with_pkce_and_stores_a_private_token(standin, secrets_file, tmp_path):
    dest = tmp_path / "sub" / "token.json"
    auth = AuthProcess(secrets_file, dest)
    url = auth.authorization_url()
    q = {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).items()}
    assert url.startswith(standin.auth_uri)
    assert q["scope"] == SCOPE_READONLY  # gmail.metadata is never asked for
    assert q["code_challenge_method"] == "S256" and len(q["code_challenge"]) == 43
    assert q["access_type"] == "offline" and q["response_type"] == "code"
    redirect = urllib.parse.urlsplit(q["redirect_uri"])
    assert redirect.scheme == "http" and redirect.hostname == "127.0.0.1"
    # someone else's redirect (wrong state) is refused and the flow goes on waiting
    status, _, _ = _get(f"{q['redirect_uri']}?code=stolen&state=wrong")
    assert status == 400
    # the browser: the consent screen redirects to the loopback listener
    status, headers, _ = _get(url)
    assert status == 302
    status, _, page = _get(headers["location"])
    assert status == 200 and b"You can close this window" in page
    code, out, err = auth.finish()
    assert code == 0, err
    assert "token stored in" in out and 'type = "gmail"' in out
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    data = json.loads(dest.read_text())
    assert data["type"] == "authorized_user" and data["refresh_token"] and data["scopes"] == [SCOPE_READONLY]
    assert "token" not in data  # no access token on disk
    assert [r["grant_type"] for r in standin.oauth.token_requests] == ["authorization_code"]
    assert not [f for f in os.listdir(dest.parent) if f.startswith(".webleads-token-")]
    # the stored token works
    fill(standin, 3)
    src = GmailSource(SourceConfig(name="gm", type="gmail", options={
        "token_file": str(dest), "api_endpoint": standin.url, "allow_networks": ["127.0.0.0/8"]},
        base_dir=tmp_path))
    assert len(drain(src)["docs"]) == 3


def test_the_token_endpoint_checks_the_pkce_verifier(standin, secrets_file):
    from webleads_gmail.oauth_flow import ClientSecrets, exchange_code, pkce_pair

    verifier, challenge = pkce_pair()
    data = json.loads(secrets_file.read_text())["installed"]
    client = ClientSecrets(data["client_id"], data["client_secret"], data["auth_uri"], data["token_uri"])
    redirect = "http://127.0.0.1:9/"
    query = urllib.parse.urlencode({"client_id": client.client_id, "redirect_uri": redirect, "response_type": "code",
                                    "scope": SCOPE_READONLY, "state": "s", "code_challenge": challenge,
                                    "code_challenge_method": "S256", "access_type": "offline"})
    _, headers, _ = _get(f"{standin.auth_uri}?{query}")
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(headers["location"]).query)["code"][0]
    with pytest.raises(GmailAuthError, match="refused the authorization code"):
        exchange_code(client, code, pkce_pair()[0], redirect, allow_networks=("127.0.0.0/8",))


@pytest.mark.parametrize("consent, message", [
    ("deny", "authorization was not granted (access_denied)"),
    ("drop_scopes", "the read-only Gmail permission was not granted"),
])
def test_auth_refusals_are_one_line(standin, secrets_file, tmp_path, consent, message):
    standin.oauth.consent = consent
    auth = AuthProcess(secrets_file, tmp_path / "token.json")
    _, headers, _ = _get(auth.authorization_url())
    _get(headers["location"])
    code, _, err = auth.finish()
    assert code == 2 and f"webleads: error: {message}" in err
    assert "Traceback" not in err and not (tmp_path / "token.json").exists()


def test_a_web_client_file_is_refused(tmp_path):
    path = tmp_path / "web.json"
    path.write_text(json.dumps({"web": {"client_id": "x"}}))
    res = run_cli("gmail", "auth", "--client-secrets", str(path), "--no-browser")
    assert res.returncode == 2 and "type 'Desktop app'" in res.stderr


def test_tokens_are_refreshed_when_the_server_refuses_them(standin, make_gmail):
    fill(standin, 30)
    src = make_gmail(batch_size=10)
    refreshed = []

    def expire_once(page):  # access tokens die between the listing and the batches
        if not refreshed:
            refreshed.append(1)
            standin.oauth.expire_access_tokens()

    standin.after_list = expire_once
    seen: set[str] = set()
    out = drain(src, None, seen)
    assert len(out["docs"]) == 30
    assert src.api.stats.refreshes == 1  # the 401 parts were redone after one refresh
    assert standin.calls["token"] == 2
    standin.after_list = None
    standin.oauth.expire_access_tokens()
    fill(standin, 2, start=40)
    assert len(drain(src, out["checkpoints"][-1].cursor, seen)["docs"]) == 2  # profile: 401, refresh, retry
    assert standin.calls["token"] == 3


def test_refreshes_ask_for_gmail_readonly_only(standin, tmp_path, options):
    token = standin.write_token_file(tmp_path / "wide.json", scopes=(SCOPE_READONLY, SCOPE_METADATA))
    fill(standin, 2)
    src = GmailSource(SourceConfig(name="gm", type="gmail", options=options(token_file=str(token)), base_dir=tmp_path))
    assert len(drain(src)["docs"]) == 2  # with gmail.metadata in the token, raw would be refused
    assert standin.oauth.token_requests[-1] == {"grant_type": "refresh_token", "scope": SCOPE_READONLY}


def test_invalid_grant_tells_the_user_to_run_auth_again(standin, make_gmail):
    fill(standin, 2)
    standin.oauth.revoke_all()
    with pytest.raises(GmailAuthError) as info:
        drain(make_gmail())
    assert info.value.reason == "gmail.invalid_grant"
    assert "run `webleads gmail auth --client-secrets FILE` again" in str(info.value)


def test_invalid_grant_through_webleads_run(standin, token_file, tmp_path):
    fill(standin, 2)
    standin.oauth.revoke_all()
    (tmp_path / "webleads.toml").write_text(f"""
[store]
url = "sqlite:///store.db"
[[sources]]
type = "gmail"
name = "gm"
token_file = "{token_file}"
api_endpoint = "{standin.url}"
allow_networks = ["127.0.0.0/8"]
""")
    res = run_cli("run", "-c", str(tmp_path / "webleads.toml"), "--no-progress")
    assert res.returncode == 3
    lines = [line for line in res.stderr.splitlines() if "webleads gmail auth" in line]
    assert len(lines) == 1 and "invalid_grant" in lines[0]
    assert "refresh_token" not in res.stderr and "Traceback" not in res.stderr


def test_a_world_readable_token_file_is_warned_about(standin, token_file, make_gmail, caplog):
    os.chmod(token_file, 0o644)
    with caplog.at_level(logging.WARNING, logger="webleads.gmail"):
        make_gmail()
    assert any("chmod 600" in r.getMessage() for r in caplog.records)


@pytest.fixture(scope="module")
def rsa_key() -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def _service_account(standin, tmp_path, rsa_key, delegated) -> Path:
    private, public = rsa_key
    email = "webleads-sync@standin-project.iam.gserviceaccount.com"
    standin.oauth.add_service_account(email, public, delegated)
    path = tmp_path / "sa.json"
    path.write_text(json.dumps({"type": "service_account", "project_id": "standin-project",
                                "private_key_id": "k1", "private_key": private, "client_email": email,
                                "client_id": "1234567890", "token_uri": "https://oauth2.googleapis.com/token"}))
    path.chmod(0o600)
    return path


def test_service_account_with_domain_wide_delegation(standin, tmp_path, options, rsa_key):
    fill(standin, 4)
    sa = _service_account(standin, tmp_path, rsa_key, {SCOPE_READONLY})
    src = GmailSource(SourceConfig(name="gm", type="gmail", options=options(
        token_file=None, service_account_file=str(sa), subject=standin.mailbox.address), base_dir=tmp_path))
    out = drain(src)
    assert len(out["docs"]) == 4 and out["docs"][0].owner == standin.mailbox.address  # from the profile
    assert standin.oauth.token_requests[-1]["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"


def test_service_account_without_delegation_says_what_to_do(standin, tmp_path, options, rsa_key):
    sa = _service_account(standin, tmp_path, rsa_key, set())
    src = GmailSource(SourceConfig(name="gm", type="gmail", options=options(
        token_file=None, service_account_file=str(sa), subject=standin.mailbox.address), base_dir=tmp_path))
    with pytest.raises(GmailAuthError) as info:
        drain(src)
    assert info.value.reason == "gmail.unauthorized_client" and "domain-wide delegation" in str(info.value)


def test_a_token_without_the_read_scope_is_refused_clearly(standin, tmp_path, options):
    token = standin.write_token_file(tmp_path / "labels.json",
                                     scopes=("https://www.googleapis.com/auth/gmail.labels",))
    src = GmailSource(SourceConfig(name="gm", type="gmail", options=options(token_file=str(token)), base_dir=tmp_path))
    with pytest.raises(GmailAuthError) as info:
        drain(src)
    assert info.value.reason == "gmail.invalid_scope" and "webleads gmail auth" in str(info.value)


def test_an_injected_401_refreshes_once_then_gives_up_clearly(standin, make_gmail):
    fill(standin, 3)
    src = make_gmail()
    seen: set[str] = set()
    cursor = drain(src, None, seen)["checkpoints"][-1].cursor
    tokens = standin.calls["token"]
    standin.inject("history.list", "authError")
    assert drain(src, cursor, seen)["checkpoints"]  # 401, refresh, retry: fine
    assert standin.calls["token"] == tokens + 1
    standin.inject("history.list", "authError", times=2)  # refused again right after a refresh
    with pytest.raises(GmailApiError) as info:
        drain(src, cursor, seen)
    assert info.value.reason == "gmail.unauthorized" and info.value.status == 401
