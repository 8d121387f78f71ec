"""The ``rest`` source against real HTTP servers on loopback: presets, pagination
styles, authentication, rate limits, retries, incremental sync, secrets."""

from __future__ import annotations

import base64
import json
import logging
import time

import pytest
from webleads_api.errors import ApiError, CredentialsError
from webleads_api.rest_source import RestSource
from webleads_api.testing import (
    API_KEY,
    CLIENT_SECRET,
    HS_TOKEN,
    LOOPBACK,
    PAGINATION,
    SCIM_PASSWORD,
    T0,
    GenericStandIn,
    ScimStandIn,
    generic_options,
    hubspot_options,
    scim_options,
)
from webleads_core.components import SourceConfig, SourceContext
from webleads_core.errors import ConfigError
from webleads_core.records import Checkpoint, Document
from webleads_core.testing.contracts import SourceContract


def source(options, name="api") -> RestSource:
    return RestSource(SourceConfig(name=name, type="rest", owner="me@webleads-demo.example", options=options))


def drain(src, cursor=None):
    objs = list(src.read(cursor, SourceContext()))
    return [o for o in objs if isinstance(o, Document)], [o for o in objs if isinstance(o, Checkpoint)]


# -- the engine's contract suite, once per shape ---------------------------------------


class TestHubSpotContract(SourceContract):
    @pytest.fixture
    def make_source(self, hubspot):
        return lambda: source(hubspot_options(hubspot))


class TestScimContract(SourceContract):
    @pytest.fixture
    def make_source(self, scim):
        return lambda: source(scim_options(scim))


class TestGenericContract(SourceContract):
    @pytest.fixture
    def make_source(self, generic):
        return lambda: source(generic_options(generic))


# -- presets -----------------------------------------------------------------------------


def test_hubspot_preset_maps_every_contact(hubspot, people):
    docs, cps = drain(source(hubspot_options(hubspot)))
    assert [d.item_id for d in docs] == [str(p.id) for p in people]
    jane = {(f, v) for f, v, _ in docs[0].fields}
    assert {("email", people[0].email), ("name", people[0].name), ("title", people[0].title),
            ("company", people[0].company)} <= jane
    phones = {(v, s) for f, v, s in docs[0].fields if f == "phone"}
    assert phones == {("+442079460000", "work"), ("+12125550100", "mobile")}
    assert docs[0].url == hubspot.url()  # the endpoint, without query or cursor
    # limit=100 by default: 12 people fit in one page; properties were asked for
    hits = hubspot.api_hits()
    assert len(hits) == 1 and "limit=100" in hits[0].path and "properties=email%2Cfirstname" in hits[0].path
    assert cps[-1].cursor["since"] == "2025-03-04T09:11:00.000Z"


def test_hubspot_cursor_paging_follows_after(hubspot, people):
    opts = hubspot_options(hubspot, pagination={"type": "cursor", "cursor_path": "paging.next.after",
                                                "param": "after", "size_param": "limit", "size": 5})
    docs, _ = drain(source(opts))
    assert len(docs) == 12
    paths = [h.path for h in hubspot.api_hits()]
    assert len(paths) == 3 and "after=" not in paths[0] and all("after=" in p for p in paths[1:])


def test_hubspot_incremental_skips_unchanged_records(hubspot, people):
    src = source(hubspot_options(hubspot))
    _, cps = drain(src)
    hubspot.touch(3, T0.replace(hour=12), title="Chief Operating Officer")
    docs, cps2 = drain(src, cps[-1].cursor)
    # the list endpoint has no filter: the page is fetched, only changed records (and the
    # one at the old mark, which may have changed within the same millisecond) come out
    assert {d.item_id for d in docs} <= {str(people[3].id), str(people[11].id)}
    assert str(people[3].id) in {d.item_id for d in docs}
    changed = next(d for d in docs if d.item_id == str(people[3].id))
    assert ("title", "Chief Operating Officer", None) in changed.fields
    assert cps2[-1].cursor["since"] == "2025-03-04T12:00:00.000Z"


def test_scim_preset_keeps_work_values_and_drops_home_ones(scim, people):
    docs, _ = drain(source(scim_options(scim)))
    assert len(docs) == 12
    fields = docs[0].fields
    assert ("email", people[0].email, None) in fields
    assert all(people[0].home_email != v for _, v, _ in fields)
    assert ("company", people[0].company, None) in fields
    assert ("address", "1 Dock Road, London E16 1AA, United Kingdom", None) in fields
    assert not any("Private Lane" in v for _, v, _ in fields)
    assert ("phone", "+12125550100", "mobile") in fields


def test_scim_paging_uses_start_index_and_total(scim, people):
    docs, _ = drain(source(scim_options(scim, pagination={
        "type": "offset", "offset_param": "startIndex", "start": 1, "size_param": "count", "size": 5,
        "total_path": "totalResults"})))
    assert len(docs) == 12
    starts = [h.path.split("startIndex=")[1].split("&")[0] for h in scim.api_hits()]
    assert starts == ["1", "6", "11"]


def test_scim_rerun_asks_only_for_what_changed(scim, people):
    src = source(scim_options(scim))
    _, cps = drain(src)
    assert len(scim.served) == 12
    scim.touch(2, T0.replace(hour=15), title="VP Operations")
    scim.touch(5, T0.replace(hour=15, minute=1))
    scim.served.clear()
    docs, cps2 = drain(src, cps[-1].cursor)
    last = scim.api_hits()[-1].path
    assert "filter=meta.lastModified+ge+%222025-03-04T09%3A11%3A00Z%22" in last
    # the server returned the two changed users and the one at the old mark, not the other nine
    assert sorted(scim.served) == sorted([people[2].id, people[5].id, people[11].id])
    assert any(("title", "VP Operations", None) in d.fields for d in docs)
    assert cps2[-1].cursor["since"] == "2025-03-04T15:01:00.000Z"


# -- pagination styles ----------------------------------------------------------------------


@pytest.mark.parametrize("style", sorted(PAGINATION))
def test_every_pagination_style_reads_every_page(people, api_secrets, style):
    with GenericStandIn(people, style=style, api_key=API_KEY) as server:
        docs, _ = drain(source(generic_options(server)))
        assert [d.item_id for d in docs] == [str(p.id) for p in people]
        assert len(server.api_hits()) == 3  # 12 records, 5 per page


def test_generic_mapping_types_phones_from_a_sibling_key(generic, people):
    docs, _ = drain(source(generic_options(generic)))
    phones = {(v, s) for f, v, s in docs[1].fields if f == "phone"}
    assert phones == {("+442079460001", "work"), ("+12125550101", "mobile")}


def test_link_header_parsing():
    from webleads_api.pagination import next_link

    assert next_link('<https://a.example/x?page=2>; rel="next", <https://a.example/x?page=9>; rel="last"') \
        == "https://a.example/x?page=2"
    assert next_link('<https://a.example/x?page=1>; rel="prev"') is None
    assert next_link('<https://a.example/x?p=3>; rel="next last"') == "https://a.example/x?p=3"
    assert next_link(None) is None


# -- authentication ---------------------------------------------------------------------------


def test_api_key_in_the_query(people, api_secrets):
    with GenericStandIn(people, api_key=API_KEY, key_in="query") as server:
        opts = generic_options(server, auth={"type": "api_key", "query": "api_key", "key_env": "WL_TEST_API_KEY"})
        docs, _ = drain(source(opts))
        assert len(docs) == 12
        assert all(f"api_key={API_KEY}" in h.path for h in server.api_hits())
        assert all(API_KEY not in (d.url or "") for d in docs)  # provenance holds no key


def test_wrong_key_is_a_credentials_error_without_the_key(generic, monkeypatch):
    monkeypatch.setenv("WL_TEST_API_KEY", "wrong-key-123")
    with pytest.raises(CredentialsError) as err:
        drain(source(generic_options(generic)))
    assert err.value.reason == "api.unauthorized"
    assert "wrong-key-123" not in str(err.value) and "127.0.0.1" not in str(err.value)
    assert isinstance(err.value, ConfigError)  # the CLI shows it as one line


def test_oauth2_client_credentials_token_is_fetched_once_and_refreshed_on_401(scim, people):
    opts = scim_options(scim, auth={"type": "oauth2", "token_url": scim.url("/oauth/token"),
                                    "client_id": scim.client_id, "client_secret_env": "WL_TEST_CLIENT_SECRET",
                                    "scope": "users.read"},
                        pagination={"type": "offset", "offset_param": "startIndex", "start": 1,
                                    "size_param": "count", "size": 5, "total_path": "totalResults"})
    src = source(opts)
    docs, _ = drain(src)
    assert len(docs) == 12
    token_hits = [h for h in scim.hits if h.route == "/oauth/token"]
    assert len(token_hits) == 1  # reused for the three pages
    assert token_hits[0].headers["authorization"] == "Basic " + base64.b64encode(
        f"{scim.client_id}:{CLIENT_SECRET}".encode()).decode()
    assert b"grant_type=client_credentials" in token_hits[0].body and b"scope=users.read" in token_hits[0].body
    scim.revoke_tokens()  # the server forgets the token: the next request gets 401
    docs2, _ = drain(src)
    assert len(docs2) == 12
    assert len([h for h in scim.hits if h.route == "/oauth/token"]) == 2
    assert CLIENT_SECRET not in repr(src) and CLIENT_SECRET not in repr(src.auth.__dict__)


def test_oauth2_with_client_secret_in_the_body(scim):
    opts = scim_options(scim, auth={"type": "oauth2", "token_url": scim.url("/oauth/token"),
                                    "client_id": scim.client_id, "client_secret_env": "WL_TEST_CLIENT_SECRET",
                                    "client_auth": "body"})
    docs, _ = drain(source(opts))
    assert len(docs) == 12


def test_oauth2_refused_client_is_a_credentials_error(scim, monkeypatch):
    monkeypatch.setenv("WL_TEST_CLIENT_SECRET", "not-the-secret")
    opts = scim_options(scim, auth={"type": "oauth2", "token_url": scim.url("/oauth/token"),
                                    "client_id": scim.client_id, "client_secret_env": "WL_TEST_CLIENT_SECRET"})
    with pytest.raises(CredentialsError) as err:
        drain(source(opts))
    assert err.value.reason == "api.oauth_refused" and "not-the-secret" not in str(err.value)


def test_secret_from_a_file(hubspot, tmp_path):
    (tmp_path / "hs.token").write_text(HS_TOKEN + "\n")
    opts = hubspot_options(hubspot, auth={"type": "bearer", "token_file": "hs.token"})
    src = RestSource(SourceConfig(name="hs", type="rest", options=opts, base_dir=tmp_path))
    assert len(drain(src)[0]) == 12


@pytest.mark.parametrize("auth, reason", [
    ({"type": "bearer", "token": "inline-secret"}, "config.inline_secret"),
    ({"type": "bearer", "token_env": "WL_TEST_NOT_SET"}, "config.secret_missing"),
    ({"type": "basic", "username": "u", "password": "pw"}, "config.inline_secret"),
    ({"type": "api_key", "header": "X-Key", "key_file": "/nonexistent/key"}, "config.secret_missing"),
])
def test_secrets_come_from_env_or_files_only(auth, reason, monkeypatch):
    monkeypatch.delenv("WL_TEST_NOT_SET", raising=False)
    with pytest.raises(CredentialsError) as err:
        source({"url": "https://api.example/v1", "mapping": {"email": "email"}, "auth": auth})
    assert err.value.reason == reason
    assert "inline-secret" not in str(err.value) and "pw" not in str(err.value).split(":")[-1]


def test_credentials_are_never_sent_to_another_origin(people, api_secrets):
    from webleads_core.net.testserver import LoopbackServer, reply

    with LoopbackServer({"*": lambda req: reply(200, b"[]", content_type="application/json")}) as other:
        with GenericStandIn(people, api_key=API_KEY) as server:
            server.server.routes[server.route] = lambda req: reply(
                302, b"", {"Location": other.url("/steal")})
            with pytest.raises(ApiError) as err:
                drain(source(generic_options(server)))
            assert err.value.reason == "api.redirect_off_origin"
        assert other.hits == []


# -- rate limits and retries ---------------------------------------------------------------------


def test_429_with_retry_after_is_waited_for(generic, people):
    generic.rate_limit_first = 2
    generic.retry_after = "1"
    src = source(generic_options(generic))
    t0 = time.monotonic()
    docs, cps = drain(src)
    waited = time.monotonic() - t0
    assert len(docs) == 12 and cps
    assert src.session.stats.rate_limited == 2
    assert waited >= 1.9  # two Retry-After: 1
    assert len(generic.api_hits()) == 5


def test_retry_after_longer_than_allowed_ends_the_sync(generic):
    generic.rate_limit_first = 1
    generic.retry_after = "3600"
    with pytest.raises(ApiError) as err:
        drain(source(generic_options(generic)))
    assert err.value.reason == "api.rate_limited"


def test_5xx_is_retried_with_backoff(generic):
    generic.fail_first = 2
    src = source(generic_options(generic))
    docs, _ = drain(src)
    assert len(docs) == 12 and src.session.stats.retries == 2


def test_5xx_past_the_retries_fails_without_a_checkpoint(generic):
    generic.fail_first = 10
    objs = []
    with pytest.raises(ApiError) as err:
        for obj in source(generic_options(generic, max_retries=2)).read(None, SourceContext()):
            objs.append(obj)
    assert err.value.reason == "api.http_5xx"
    assert not any(isinstance(o, Checkpoint) for o in objs)
    assert len(generic.api_hits()) == 3


def test_requests_per_second_are_respected(generic):
    src = source(generic_options(generic, rate_limit=10))
    t0 = time.monotonic()
    drain(src)
    drain(src)  # six requests at 10/s: at least 0.5 s
    assert time.monotonic() - t0 >= 0.45


def test_retry_after_http_date():
    from email.utils import format_datetime
    import datetime as dt

    from webleads_api.session import retry_after

    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=30)
    assert 25 <= retry_after(format_datetime(later, usegmt=True)) <= 31
    assert retry_after("7") == 7 and retry_after("garbage") is None and retry_after(None) is None


# -- incremental sync -----------------------------------------------------------------------------


def test_generic_rerun_fetches_only_changed_records(generic, people):
    src = source(generic_options(generic))
    docs, cps = drain(src)
    assert len(docs) == 12
    generic.touch(7, T0.replace(hour=18), title="Managing Director")
    generic.served.clear()
    docs2, cps2 = drain(src, cps[-1].cursor)
    assert generic.served == [people[7].id]  # the server sent only the changed record
    assert [d.item_id for d in docs2] == [str(people[7].id)]
    assert ("title", "Managing Director", None) in docs2[0].fields
    assert "updated_since=2025-03-04T09%3A11%3A00Z" in generic.api_hits()[-1].path
    docs3, _ = drain(src, cps2[-1].cursor)
    assert docs3 == []


def test_cursor_and_logs_hold_no_secret_and_no_personal_data(generic, people, caplog):
    caplog.set_level(logging.DEBUG)
    generic.fail_first = 1
    src = source(generic_options(generic))
    _, cps = drain(src)
    text = json.dumps([c.cursor for c in cps]) + caplog.text + repr(src)
    assert API_KEY not in text
    for p in people:
        assert p.email not in text and p.last not in text


def test_config_mistakes_are_one_line_config_errors():
    base = {"url": "https://api.example/v1", "mapping": {"email": "email"}}
    bad = [
        {**base, "url": "ftp://api.example/"},
        {**base, "mapping": {"favourite_colour": "x"}},
        {**base, "mapping": {"email": "emails[*"}},
        {**base, "mapping": {"phone": {"path": "p", "type": "landline"}}},
        {**base, "pagination": {"type": "cursor", "cursor_path": "next"}},
        {**base, "pagination": {"type": "scroll"}},
        {**base, "incremental": {"format": "iso"}},
        {**base, "headers": {"Authorization": "Bearer x"}},
        {**base, "timeout": 0},
        {**base, "allow_networks": "127.0.0.0/8"},
        {**base, "preset": "salesforce"},
        {**base, "colour": "blue"},
        {"url": "https://api.example/v1"},
    ]
    for opts in bad:
        with pytest.raises(ConfigError) as err:
            source(opts)
        assert "\n" not in str(err.value)


def test_public_only_by_default(generic):
    opts = generic_options(generic)
    del opts["allow_networks"]
    with pytest.raises(ApiError) as err:
        drain(source(opts))
    assert err.value.reason == "net.ssrf_blocked"
    assert generic.api_hits() == []


def test_loopback_allowed_only_with_the_opt_in(generic, caplog):
    caplog.set_level(logging.WARNING)
    source(generic_options(generic, allow_networks=LOOPBACK))
    assert "allows non-public networks" in caplog.text


def test_basic_auth_header(scim):
    drain(source(scim_options(scim)))
    assert scim.api_hits()[0].headers["authorization"] == "Basic " + base64.b64encode(
        f"{scim.username}:{SCIM_PASSWORD}".encode()).decode()


def test_bearer_header(hubspot):
    drain(source(hubspot_options(hubspot)))
    assert hubspot.api_hits()[0].headers["authorization"] == f"Bearer {HS_TOKEN}"


def test_scim_server_refuses_without_credentials(scim, people):
    opts = scim_options(scim)
    del opts["auth"]
    with pytest.raises(CredentialsError):
        drain(source(opts))
    assert isinstance(scim, ScimStandIn)
