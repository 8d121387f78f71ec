"""The stand-in itself, spoken to with plain http.client (not our client): it must follow
Gmail's documented wire format, or the plugin's other tests would prove nothing."""

from __future__ import annotations

import base64
import http.client
import json
import urllib.parse

import pytest

from webleads_gmail.testing.helpers import fill
from webleads_gmail.testing.oauth import SCOPE_METADATA, SCOPE_READONLY

LABELS_ONLY = "https://www.googleapis.com/auth/gmail.labels"


def call(standin, method: str, path: str, *, token: str | None = None, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    port = int(standin.url.rsplit(":", 1)[1].strip("/"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=body, headers=h)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data


@pytest.fixture
def token(standin) -> str:
    return standin.oauth.issue_access_token(standin.mailbox.address, {SCOPE_READONLY})


def get_json(standin, path: str, token: str) -> tuple[int, dict]:
    status, _, data = call(standin, "GET", path, token=token)
    return status, json.loads(data)


def test_list_pages_with_tokens_newest_first(standin, token):
    ids = fill(standin, 7)
    status, page = get_json(standin, "/gmail/v1/users/me/messages?maxResults=3", token)
    assert status == 200 and page["resultSizeEstimate"] == 7
    got = [m["id"] for m in page["messages"]]
    while "nextPageToken" in page:
        tok = urllib.parse.quote(page["nextPageToken"])
        status, page = get_json(standin, f"/gmail/v1/users/me/messages?maxResults=3&pageToken={tok}", token)
        got += [m["id"] for m in page["messages"]]
    assert got == list(reversed(ids))  # the corpus dates increase: newest first
    assert all(set(m) == {"id", "threadId"} for m in page["messages"])


def test_list_caps_at_500_and_omits_messages_when_empty(standin, token):
    status, page = get_json(standin, "/gmail/v1/users/me/messages", token)
    assert status == 200 and "messages" not in page and page["resultSizeEstimate"] == 0
    fill(standin, 3)
    status, page = get_json(standin, "/gmail/v1/users/me/messages?maxResults=100000", token)
    assert status == 200 and len(page["messages"]) == 3
    status, page = get_json(standin, "/gmail/v1/users/me/messages?maxResults=abc", token)
    assert status == 400 and page["error"]["status"] == "INVALID_ARGUMENT"


def test_list_hides_spam_and_trash_and_filters_labels_and_query(standin, token):
    inbox = fill(standin, 2)
    spam = fill(standin, 1, start=10, labels=("SPAM",))
    clients = standin.mailbox.create_label("Clients")
    tagged = fill(standin, 1, start=20, labels=("INBOX", clients))
    listed = lambda q: [m["id"] for m in get_json(standin, "/gmail/v1/users/me/messages?" + q, token)[1]
                        .get("messages", [])]
    assert set(listed("")) == set(inbox + tagged)
    assert set(listed("includeSpamTrash=true")) == set(inbox + tagged + spam)
    assert listed(f"labelIds={clients}") == tagged
    assert listed(f"labelIds={clients}&labelIds=INBOX") == tagged
    assert listed("q=" + urllib.parse.quote("label:clients")) == tagged
    assert set(listed("q=" + urllib.parse.quote("-label:clients"))) == set(inbox)
    status, body = get_json(standin, "/gmail/v1/users/me/messages?labelIds=Label_999", token)
    assert status == 400


def test_get_in_the_four_formats(standin, token):
    from webleads_gmail.testing.corpus import message

    raw = message(3, standin.mailbox.address)
    mid = standin.mailbox.add_message(raw)
    _, minimal = get_json(standin, f"/gmail/v1/users/me/messages/{mid}?format=minimal", token)
    assert {"id", "threadId", "labelIds", "snippet", "historyId", "internalDate", "sizeEstimate"} <= set(minimal)
    assert "payload" not in minimal and "raw" not in minimal
    assert isinstance(minimal["historyId"], str) and isinstance(minimal["internalDate"], str)
    _, rawres = get_json(standin, f"/gmail/v1/users/me/messages/{mid}?format=raw", token)
    assert base64.urlsafe_b64decode(rawres["raw"]) == raw
    assert "+" not in rawres["raw"] and "/" not in rawres["raw"]
    _, meta = get_json(standin, f"/gmail/v1/users/me/messages/{mid}?format=metadata&metadataHeaders=From"
                                f"&metadataHeaders=subject", token)
    assert {h["name"] for h in meta["payload"]["headers"]} == {"From", "Subject"}
    _, full = get_json(standin, f"/gmail/v1/users/me/messages/{mid}", token)  # default: full
    body = base64.urlsafe_b64decode(full["payload"]["body"]["data"])
    assert b"Best regards" in body and full["payload"]["mimeType"] == "text/plain"
    status, err = get_json(standin, f"/gmail/v1/users/me/messages/{mid}?format=bogus", token)
    assert status == 400
    status, err = get_json(standin, "/gmail/v1/users/me/messages/00000000000000ff?format=raw", token)
    assert status == 404 and err["error"]["errors"][0]["reason"] == "notFound"


def test_history_ids_are_gappy_and_expire(standin, token):
    ids = fill(standin, 5)
    start = 1
    status, page = get_json(standin, f"/gmail/v1/users/me/history?startHistoryId={start}&maxResults=2", token)
    assert status == 200
    records = list(page["history"])
    while "nextPageToken" in page:
        tok = urllib.parse.quote(page["nextPageToken"])
        _, page = get_json(standin, f"/gmail/v1/users/me/history?startHistoryId={start}&maxResults=2"
                                    f"&pageToken={tok}", token)
        records += page["history"]
    hids = [int(r["id"]) for r in records]
    assert hids == sorted(hids) and len(set(hids)) == 5
    assert any(b - a > 1 for a, b in zip(hids, hids[1:])), "history ids are not contiguous"
    assert [r["messagesAdded"][0]["message"]["id"] for r in records] == ids
    assert page["historyId"] == str(standin.mailbox.history_id)
    horizon = standin.mailbox.expire_history()
    status, err = get_json(standin, f"/gmail/v1/users/me/history?startHistoryId={hids[-1]}", token)
    assert status == 404 and err["error"]["code"] == 404 and err["error"]["status"] == "NOT_FOUND"
    status, ok = get_json(standin, f"/gmail/v1/users/me/history?startHistoryId={horizon}", token)
    assert status == 200 and "history" not in ok


def test_history_types_filter(standin, token):
    [mid] = fill(standin, 1)
    standin.mailbox.modify(mid, remove=["UNREAD"])
    _, added = get_json(standin, "/gmail/v1/users/me/history?startHistoryId=1&historyTypes=messageAdded", token)
    assert len(added["history"]) == 1 and "labelsRemoved" not in added["history"][0]
    _, removed = get_json(standin, "/gmail/v1/users/me/history?startHistoryId=1&historyTypes=labelRemoved", token)
    assert removed["history"][0]["labelsRemoved"][0]["labelIds"] == ["UNREAD"]


def _batch_body(boundary: str, parts: list[str], newline: str) -> bytes:
    out = []
    for i, request in enumerate(parts):
        out.append(f"--{boundary}{newline}Content-Type: application/http{newline}Content-ID: <item{i}>{newline}"
                   f"{newline}{request.replace(chr(10), newline)}{newline}")
    out.append(f"--{boundary}--{newline}")
    return "".join(out).encode()


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_batch_accepts_lf_and_crlf_and_answers_in_order(standin, token, newline):
    ids = fill(standin, 3)
    requests = [f"GET /gmail/v1/users/me/messages/{mid}?format=minimal HTTP/1.1\n" for mid in ids]
    requests.insert(1, "GET /gmail/v1/users/me/messages/00000000000000aa?format=raw HTTP/1.1\n")
    body = _batch_body("b0undary", requests, newline)
    status, headers, data = call(standin, "POST", "/batch/gmail/v1", token=token, body=body,
                                 headers={"Content-Type": "multipart/mixed; boundary=b0undary"})
    assert status == 200 and headers["content-type"].startswith("multipart/mixed; boundary=batch_")
    boundary = headers["content-type"].split("boundary=")[1]
    parts = [p for p in data.split(b"--" + boundary.encode()) if p.strip() not in (b"", b"--")]
    assert len(parts) == 4
    assert [p.split(b"Content-ID: <response-")[1].split(b">")[0] for p in parts] == [b"item0", b"item1", b"item2",
                                                                                    b"item3"]
    assert b"HTTP/1.1 404 Not Found\r\n" in parts[1] and b"HTTP/1.1 200 OK\r\n" in parts[0]
    inner = parts[0].split(b"\r\n\r\n", 2)[2]
    assert json.loads(inner)["id"] == ids[0]
    assert standin.batch_sizes == [4]


def test_batch_limits_and_legacy_endpoint(standin, token):
    requests = ["GET /gmail/v1/users/me/profile HTTP/1.1\n"] * 101
    status, _, data = call(standin, "POST", "/batch/gmail/v1", token=token, body=_batch_body("x", requests, "\n"),
                           headers={"Content-Type": "multipart/mixed; boundary=x"})
    assert status == 400
    status, _, _ = call(standin, "POST", "/batch", token=token, body=_batch_body("x", requests[:1], "\n"),
                        headers={"Content-Type": "multipart/mixed; boundary=x"})
    assert status == 404


def test_errors_use_googles_envelope(standin):
    status, headers, data = call(standin, "GET", "/gmail/v1/users/me/profile")
    err = json.loads(data)["error"]
    assert status == 401 and err["code"] == 401 and err["status"] == "UNAUTHENTICATED"
    assert "www-authenticate" in headers and err["errors"][0]["reason"] == "required"
    status, _, data = call(standin, "GET", "/gmail/v1/users/me/profile", token="ya29.bogus")
    assert status == 401 and json.loads(data)["error"]["errors"][0]["reason"] == "authError"
    standin.inject("profile", "userRateLimitExceeded", retry_after="3")
    ok = standin.oauth.issue_access_token(standin.mailbox.address, {SCOPE_READONLY})
    status, headers, data = call(standin, "GET", "/gmail/v1/users/me/profile", token=ok)
    err = json.loads(data)["error"]
    assert status == 403 and headers["retry-after"] == "3"
    assert err["errors"][0] == {"message": "User Rate Limit Exceeded", "domain": "usageLimits",
                                "reason": "userRateLimitExceeded"}
    standin.inject("profile", "tooManyConcurrent")
    status, _, data = call(standin, "GET", "/gmail/v1/users/me/profile", token=ok)
    assert status == 429 and json.loads(data)["error"]["status"] == "RESOURCE_EXHAUSTED"


def test_scopes_are_enforced(standin):
    [mid] = fill(standin, 1)
    labels_only = standin.oauth.issue_access_token(standin.mailbox.address, {LABELS_ONLY})
    status, _, data = call(standin, "GET", "/gmail/v1/users/me/messages", token=labels_only)
    assert status == 403 and json.loads(data)["error"]["errors"][0]["reason"] == "insufficientPermissions"
    both = standin.oauth.issue_access_token(standin.mailbox.address, {SCOPE_READONLY, SCOPE_METADATA})
    status, _, data = call(standin, "GET", f"/gmail/v1/users/me/messages/{mid}?format=raw", token=both)
    assert status == 403 and b"Metadata scope" in data
    status, _, _ = call(standin, "GET", "/gmail/v1/users/me/messages?q=hello", token=both)
    assert status == 403
    status, _, _ = call(standin, "GET", f"/gmail/v1/users/me/messages/{mid}?format=metadata", token=both)
    assert status == 200
    status, _, data = call(standin, "GET", "/gmail/v1/users/someone.else@standin.example/profile", token=both)
    assert status == 403 and b"Delegation denied" in data


def test_token_endpoint_refresh_and_revocation(standin):
    secrets = standin.client_secrets()["installed"]
    refresh = standin.oauth.issue_refresh_token(secrets["client_id"], standin.mailbox.address, {SCOPE_READONLY})
    form = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": refresh,
                                   "client_id": secrets["client_id"], "client_secret": secrets["client_secret"]})
    ctype = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, data = call(standin, "POST", "/token", body=form.encode(), headers=ctype)
    answer = json.loads(data)
    assert status == 200 and answer["token_type"] == "Bearer" and answer["scope"] == SCOPE_READONLY
    assert "refresh_token" not in answer
    widen = form + "&scope=" + urllib.parse.quote(SCOPE_METADATA)
    status, _, data = call(standin, "POST", "/token", body=widen.encode(), headers=ctype)
    assert status == 400 and json.loads(data)["error"] == "invalid_scope"
    standin.oauth.revoke_all()
    status, _, data = call(standin, "POST", "/token", body=form.encode(), headers=ctype)
    assert status == 400 and json.loads(data) == {"error": "invalid_grant",
                                                  "error_description": "Token has been expired or revoked."}
