"""Fixtures of the web plugin's tests: the example site served on loopback."""

from __future__ import annotations

import pytest

from webleads_web.testing import example_site, site_server

SITE = example_site()


@pytest.fixture
def site():
    """The realistic example site (examples/site) on 127.0.0.1."""
    server = site_server(SITE)
    yield server
    server.stop()


@pytest.fixture
def web_plugin(webleads_register):
    from webleads_web import plugin

    return webleads_register(plugin)
