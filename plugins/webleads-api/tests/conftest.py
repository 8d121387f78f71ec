"""Fixtures of the webleads-api tests: stand-in APIs on loopback, their secrets in the
environment (config builders are in webleads_api.testing).  Servers are real (127.0.0.1), started per test."""

from __future__ import annotations

import pytest

from webleads_api.testing import (
    API_KEY,
    CLIENT_SECRET,
    HS_TOKEN,
    SCIM_PASSWORD,
    GenericStandIn,
    HubSpotStandIn,
    ScimStandIn,
    make_people,
)


@pytest.fixture
def people():
    return make_people(12)


@pytest.fixture
def api_secrets(monkeypatch):
    """The stand-ins' credentials, where configs read them: environment variables."""
    monkeypatch.setenv("WL_TEST_HS_TOKEN", HS_TOKEN)
    monkeypatch.setenv("WL_TEST_SCIM_PASSWORD", SCIM_PASSWORD)
    monkeypatch.setenv("WL_TEST_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("WL_TEST_API_KEY", API_KEY)
    return {"hs": HS_TOKEN, "scim": SCIM_PASSWORD, "client": CLIENT_SECRET, "key": API_KEY}


@pytest.fixture
def hubspot(people, api_secrets):
    with HubSpotStandIn(people, token=HS_TOKEN) as server:
        yield server


@pytest.fixture
def scim(people, api_secrets):
    with ScimStandIn(people, password=SCIM_PASSWORD, client_secret=CLIENT_SECRET) as server:
        yield server


@pytest.fixture
def generic(people, api_secrets):
    with GenericStandIn(people, api_key=API_KEY) as server:
        yield server
