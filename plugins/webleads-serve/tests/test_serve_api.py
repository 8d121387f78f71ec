"""The API against a real uvicorn server on loopback."""

from __future__ import annotations

import httpx


def get(site, path, key=None, **params):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.get(site.url + path, headers=headers, params=params, timeout=20)


def assert_error(resp, status, code):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status and body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)


def test_openapi_is_served(site):
    spec = get(site, "/api/openapi.json").json()
    assert {"/api/v1/contacts", "/api/v1/contacts/{contact_id}", "/api/v1/changes", "/api/v1/runs",
            "/api/v1/privacy/{action}"} <= set(spec["paths"])


def test_keys_are_required_and_checked(site):
    assert_error(get(site, "/api/v1/contacts"), 401, "auth.missing")
    assert_error(get(site, "/api/v1/contacts", key="wl_forged"), 401, "auth.invalid")
    resp = httpx.get(site.url + "/api/v1/contacts", headers={"X-API-Key": site.owner_key}, timeout=20)
    assert resp.status_code == 200


def test_keys_are_stored_hashed(site):
    raw = site.ctx.state._conn.execute("SELECT digest, owner FROM api_keys").fetchall()
    assert raw and all(site.owner_key not in d for d, _ in raw)
    assert site.ctx.state.path.read_bytes().find(site.owner_key.encode()) == -1


def test_owner_sees_own_book_with_paging_and_search(site):
    first = get(site, "/api/v1/contacts", site.owner_key, limit=5).json()
    assert first["view"] == "book" and first["total"] > 10 and len(first["items"]) == 5
    second = get(site, "/api/v1/contacts", site.owner_key, limit=5, offset=first["next_offset"]).json()
    ids1 = {c["id"] for c in first["items"]}
    assert ids1.isdisjoint({c["id"] for c in second["items"]})
    found = get(site, "/api/v1/contacts", site.owner_key, q="okafor").json()
    assert found["total"] >= 1
    assert all("okafor" in (c["name"] or "").lower() or any("okafor" in e for e in c["emails"])
               for c in found["items"])
    assert "owners" not in found["items"][0] and "sources" not in found["items"][0]


def test_another_owner_sees_nothing_of_that_book_and_a_reduced_network(site):
    assert get(site, "/api/v1/contacts", site.other_key).json()["total"] == 0
    net = get(site, "/api/v1/contacts", site.other_key, view="network", limit=200).json()
    assert net["total"] > 10
    for c in net["items"]:
        assert "emails" not in c and "phones" not in c and "address" not in c and "owners" not in c
    # a search of the network never matches on an email address
    assert get(site, "/api/v1/contacts", site.other_key, view="network", q="@").json()["total"] == 0
    assert_error(get(site, "/api/v1/contacts", site.other_key, view="all"), 403, "auth.forbidden")
    cid = net["items"][0]["id"]
    assert_error(get(site, f"/api/v1/contacts/{cid}", site.other_key), 404, "contact.not_found")
    detail = get(site, f"/api/v1/contacts/{cid}", site.other_key, view="network").json()
    assert "email" not in detail["fields"] and "phone" not in detail["fields"]


def test_one_contact_has_value_confidence_support_and_history(site):
    found = get(site, "/api/v1/contacts", site.owner_key, q="Jane Okafor").json()["items"][0]
    d = get(site, f"/api/v1/contacts/{found['id']}", site.owner_key).json()
    name = d["fields"]["name"][0]
    assert name["value"] == "Jane Okafor"
    assert 0 < name["confidence"] <= 1
    assert name["support"]["observations"] >= 1 and name["support"]["items"] >= 1
    assert name["history"] and all(h["source"] == "demo" and h["observed_at"] for h in name["history"])
    phones = d["fields"]["phone"]
    assert phones and all(p["type"] in ("work", "mobile", "fax", "other") for p in phones)


def test_changes_since_a_time(site):
    all_events = get(site, "/api/v1/changes", site.owner_key, since="2000-01-01T00:00:00Z").json()["events"]
    total = get(site, "/api/v1/contacts", site.owner_key).json()["total"]
    assert len(all_events) == total and all(e["type"] == "created" for e in all_events)
    assert get(site, "/api/v1/changes", site.owner_key, since="2999-01-01T00:00:00Z").json()["events"] == []
    assert_error(get(site, "/api/v1/changes", site.owner_key, since="yesterday-ish"), 422, "request.invalid")


def test_runs_and_their_counts(site):
    runs = get(site, "/api/v1/runs", site.owner_key).json()
    assert runs["store_runs"][0]["counts"]["items"] == 57


def test_one_error_shape_everywhere(site):
    assert_error(get(site, "/api/v1/nope", site.owner_key), 404, "not_found")
    assert_error(get(site, "/api/v1/contacts", site.owner_key, limit=0), 422, "request.invalid")
    assert_error(get(site, "/api/v1/contacts/999999", site.owner_key), 404, "contact.not_found")
    resp = httpx.post(site.url + "/api/v1/privacy/optout", json={"identifier": "x@y.example"},
                      headers={"Authorization": f"Bearer {site.owner_key}"}, timeout=20)
    assert_error(resp, 403, "auth.forbidden")
    resp = httpx.post(site.url + "/api/v1/privacy/export", json={"identifier": "not an identifier"},
                      headers={"Authorization": f"Bearer {site.operator_key}"}, timeout=20)
    assert_error(resp, 422, "request.invalid")
    assert "not an identifier" not in resp.text


def test_operator_privacy_operations(site):
    op = {"Authorization": f"Bearer {site.operator_key}"}
    target = get(site, "/api/v1/contacts", site.owner_key, q="Jane Okafor").json()["items"][0]
    email = target["emails"][0]
    report = httpx.post(site.url + "/api/v1/privacy/export", json={"identifier": email}, headers=op, timeout=20).json()
    assert report["held"] and report["contacts"][0]["values"]
    assert report["request"]["due_at"] > report["request"]["received_at"]
    out = httpx.post(site.url + "/api/v1/privacy/optout", json={"identifier": email}, headers=op, timeout=20).json()
    assert out["erased"] == 1 and out["request"]["status"] == "completed"
    assert get(site, "/api/v1/contacts", site.owner_key, q="Jane Okafor").json()["total"] == 0
    assert_error(get(site, f"/api/v1/contacts/{target['id']}", site.owner_key), 404, "contact.not_found")
    reqs = httpx.get(site.url + "/api/v1/privacy/requests", headers=op, timeout=20).json()["requests"]
    assert [r["kind"] for r in reqs][-2:] == ["access", "objection"]
    audit = httpx.get(site.url + "/api/v1/privacy/audit", headers=op, timeout=20).json()
    assert audit["ok"] and any(e["action"] == "privacy.optout" for e in audit["recent"])
    # the JSONL export was rewritten without her
    assert email not in (site.root / "contacts.jsonl").read_text()


def test_api_headers(site):
    resp = get(site, "/api/v1/contacts", site.owner_key)
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]
