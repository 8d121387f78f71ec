"""The portal over HTTP, with the bad inputs of issue 11: forged, replayed and expired
codes, missing CSRF tokens, oversized fields, header injection, a flood from one client.
Each is refused with a clear page, nothing is sent and nothing is stored."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from webleads_serve.app import create_app
from webleads_serve.context import AppContext
from webleads_serve.settings import load_serve_config
from webleads_serve.testing import LiveServer

from webleads_serve.testing import write_config


def client(site, lang="en"):
    c = httpx.Client(base_url=site.url, headers={"Accept-Language": lang}, timeout=20)
    page = c.get("/")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return c, csrf


def start(c, csrf, identifier, kind="optout", **extra):
    return c.post("/request", data={"csrf": csrf, "kind": kind, "identifier": identifier, **extra})


def token_of(page):
    return re.search(r'name="token" value="([^"]+)"', page.text).group(1)


def stored(site):
    with site.store() as store:
        return store.counts(), len(store.audit_entries())


def reason(page):
    return re.search(r'data-reason="([^"]*)"', page.text).group(1)


def test_the_answer_is_the_same_whether_or_not_anything_is_held(site):
    c, csrf = client(site)
    held = start(c, csrf, "jane.okafor@northwind-logistics.example")
    unknown = start(c, csrf, "nobody.here@unknown-company.example")
    assert held.status_code == unknown.status_code == 200

    def scrub(text):
        text = re.sub(r'value="[^"]*"', 'value=""', text)
        return text

    assert scrub(held.text) == scrub(unknown.text)
    assert site.smtp.count() == 2  # both got a code: the portal cannot be used to probe


def test_optout_end_to_end_and_replay_refused(site):
    c, csrf = client(site)
    email = "jane.okafor@northwind-logistics.example"
    page = start(c, csrf, email)
    code = site.smtp.code_for(email)
    msg = site.smtp.messages[-1]
    assert msg["to"] == [email]
    form = {"csrf": csrf, "token": token_of(page), "identifier": email, "code": code}
    done = c.post("/confirm", data=form)
    assert done.status_code == 200 and 'id="done"' in done.text
    with site.store() as store:
        assert store.match(email) == []
        entries = store.audit_entries()
        actions = [e["action"] for e in entries]
        reqs = store.requests()
    assert {"portal.request.pending", "privacy.optout", "portal.request.confirmed"} <= set(actions)
    pending = [e for e in entries if e["action"] == "portal.request.pending"][-1]
    assert pending["detail"]["due"] > pending["detail"]["received"]
    assert reqs[-1]["kind"] == "objection" and reqs[-1]["status"] == "completed"
    replay = c.post("/confirm", data=form)
    assert replay.status_code == 410 and reason(replay) == "code.expired_or_used"


def test_access_request_downloads_every_value_with_its_sources(site):
    c, csrf = client(site, "fr")
    email = "jane.okafor@northwind-logistics.example"
    page = start(c, csrf, email, kind="access")
    assert "Consultez vos messages" in page.text
    code = site.smtp.code_for(email)
    assert "Votre code" in site.smtp.messages[-1]["data"]
    res = c.post("/confirm", data={"csrf": csrf, "token": token_of(page), "identifier": email, "code": code})
    assert res.status_code == 200 and "Ce qui est détenu sur vous" in res.text
    link = re.search(r'href="(/download/[^"]+\.json)"', res.text).group(1)
    data = c.get(link)
    assert data.headers["content-disposition"].startswith("attachment")
    report = data.json()
    assert report["held"] and report["contacts"]
    assert all(v["source"]["name"] == "demo" and v["item"] for v in report["contacts"][0]["values"])
    assert c.get("/download/forged-token.json").status_code == 404


def test_forged_code_counts_attempts_then_voids_the_request(site):
    c, csrf = client(site)
    email = "someone@unknown-company.example"
    page = start(c, csrf, email)
    real = site.smtp.code_for(email)
    token = token_of(page)
    wrong = "000000" if real != "000000" else "111111"
    before = stored(site)
    for i in range(site.ctx.serve.settings.max_attempts - 1):
        r = c.post("/confirm", data={"csrf": csrf, "token": token, "identifier": email, "code": wrong})
        assert r.status_code == 400 and 'id="error"' in r.text
    last = c.post("/confirm", data={"csrf": csrf, "token": token, "identifier": email, "code": wrong})
    assert last.status_code == 410 and reason(last) == "code.too_many_attempts"
    # even the right code is refused now
    r = c.post("/confirm", data={"csrf": csrf, "token": token, "identifier": email, "code": real})
    assert r.status_code == 410
    counts, _ = stored(site)
    assert counts == before[0]  # no request registered, nothing erased


def test_a_code_for_another_identifier_is_refused(site):
    c, csrf = client(site)
    page = start(c, csrf, "mine@unknown-company.example")
    code = site.smtp.code_for("mine@unknown-company.example")
    r = c.post("/confirm", data={"csrf": csrf, "token": token_of(page),
                                 "identifier": "jane.okafor@northwind-logistics.example", "code": code})
    assert r.status_code == 400
    with site.store() as store:
        assert store.match("jane.okafor@northwind-logistics.example")


def test_expired_codes_are_refused(site):
    c, csrf = client(site)
    subject = site.ctx.state.mac("subject", "email:late@unknown-company.example")
    token = site.ctx.state.create_pending("optout", subject, "123456", dt.timedelta(seconds=-1))
    r = c.post("/confirm", data={"csrf": csrf, "token": token, "identifier": "late@unknown-company.example",
                                 "code": "123456"})
    assert r.status_code == 410 and reason(r) == "code.expired_or_used"
    assert site.ctx.state.pending_count() == 0


def test_codes_are_stored_hashed(site):
    c, csrf = client(site)
    start(c, csrf, "hash.check@unknown-company.example")
    code = site.smtp.code_for("hash.check@unknown-company.example")
    rows = site.ctx.state._conn.execute("SELECT * FROM pending").fetchall()
    flat = " ".join(str(x) for row in rows for x in row)
    assert code not in flat and "hash.check" not in flat


@pytest.mark.parametrize("form,status,why", [
    ({"kind": "optout", "identifier": "a@b.example"}, 403, "csrf.invalid"),             # no token
    ({"kind": "optout", "identifier": "a@b.example", "csrf": "x.y"}, 403, "csrf.invalid"),  # forged
    ({"kind": "optout", "identifier": "a@b.c\r\nBcc: x@y.z"}, 400, "identifier.control_characters"),
    ({"kind": "optout", "identifier": "a@b.example, x@y.example"}, 400, "identifier.bad_email"),
    ({"kind": "optout", "identifier": "x" * 70 + "@b.example"}, 400, "identifier.bad_email"),
    ({"kind": "optout", "identifier": "a" * 290}, 400, "identifier.too_long"),
    ({"kind": "optout", "identifier": "a" * 5000}, 413, "form.too_large"),
    ({"kind": "optout", "identifier": "a@b.example", "pad": "p" * 400}, 413, "form.field_too_long"),
    ({"kind": "delete-everything", "identifier": "a@b.example"}, 400, "form.kind"),
    ({"kind": "optout", "identifier": "+33 1 44 55 66 77"}, 501, "phone.no_sender"),
])
def test_bad_forms_are_refused_and_nothing_is_sent_or_stored(site, form, status, why):
    c, csrf = client(site)
    if "csrf" not in form and why != "csrf.invalid":
        form = {**form, "csrf": csrf}
    before = stored(site)
    r = c.post("/request", data=form)
    assert r.status_code == status and reason(r) == why
    assert 'id="error"' in r.text and "Bcc" not in r.text
    assert site.smtp.count() == 0
    assert stored(site) == before and site.ctx.state.pending_count() == 0


def test_csrf_cookie_from_another_session_is_refused(site):
    _, csrf = client(site)
    other = httpx.Client(base_url=site.url, timeout=20)  # no cookie: a cross-site post
    r = other.post("/request", data={"csrf": csrf, "kind": "optout", "identifier": "a@b.example"})
    assert r.status_code == 403 and site.smtp.count() == 0


def test_the_favicon_request_sets_no_cookie(site):
    """Browsers ask for /favicon.ico after the page loaded; an error page there would set
    the CSRF cookie again behind the page's back."""
    _, csrf = client(site)
    r = httpx.get(site.url + "/favicon.ico", cookies={"wl_csrf": csrf})
    assert r.status_code == 204 and "set-cookie" not in r.headers


def test_multipart_and_json_bodies_are_refused(site):
    c, csrf = client(site)
    r = c.post("/request", files={"identifier": ("x.txt", b"a@b.example")}, data={"csrf": csrf})
    assert r.status_code == 415
    r = c.post("/request", json={"csrf": csrf, "identifier": "a@b.example"})
    assert r.status_code == 415 and site.smtp.count() == 0


def test_a_flood_from_one_client_is_limited(tmp_path, smtp):
    cfg = write_config(tmp_path, smtp.port, extra_serve="client_limit = [5, 600]\naddress_limit = [2, 3600]")
    serve = load_serve_config(cfg)
    ctx = AppContext.create(serve)
    with LiveServer(create_app(serve, context=ctx)) as url:
        c = httpx.Client(base_url=url, timeout=20)
        csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/").text).group(1)
        codes = [c.post("/request", data={"csrf": csrf, "kind": "optout",
                                          "identifier": "flood@unknown-company.example"}).status_code
                 for _ in range(8)]
    # two codes for the address, then the address limit; after five posts, the client limit
    assert codes[:2] == [200, 200] and codes[2:5] == [429, 429, 429] and codes[5:] == [429, 429, 429]
    assert smtp.count() == 2
    ctx.state.close()


def test_smtp_down_gives_a_clear_page_and_keeps_nothing(tmp_path):
    cfg = write_config(tmp_path, 9, extra_serve="")  # nothing listens on port 9
    serve = load_serve_config(cfg)
    ctx = AppContext.create(serve)
    with LiveServer(create_app(serve, context=ctx)) as url:
        c = httpx.Client(base_url=url, timeout=30)
        csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/").text).group(1)
        r = c.post("/request", data={"csrf": csrf, "kind": "optout", "identifier": "a@unknown-company.example"})
    assert r.status_code == 503 and reason(r) == "mail.unavailable"
    assert ctx.state.pending_count() == 0
    ctx.state.close()


def test_security_headers_and_language(site):
    r = httpx.get(site.url + "/", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    assert r.headers["content-language"] == "fr" and "Vos données" in r.text
    assert "script-src" not in r.headers["content-security-policy"] and "default-src 'none'" in \
        r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    r = httpx.get(site.url + "/", headers={"Accept-Language": "de, en;q=0.1"})
    assert r.headers["content-language"] == "en"
    assert httpx.get(site.url + "/nope").status_code == 404
