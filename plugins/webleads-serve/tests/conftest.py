"""Fixtures: a demo site (the example mailbox run into a store), a real SMTP server and
the app under a real uvicorn server, all on loopback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from webleads_serve.app import create_app
from webleads_serve.context import AppContext
from webleads_serve.scheduler import Scheduler
from webleads_serve.settings import load_serve_config
from webleads_serve.testing import OWNER, LiveServer, SmtpSink, write_config

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def _module_smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory, _module_smtp):
    """The example mailbox run once into a store (shared by a module's tests)."""
    root = tmp_path_factory.mktemp("serve-demo")
    shutil.copytree(REPO / "examples" / "mailbox", root / "mailbox")
    cfg = write_config(root, _module_smtp.port)
    serve = load_serve_config(cfg)
    ctx = AppContext.create(serve)
    assert Scheduler(serve, ctx.state).run_source("demo") == "ok"
    ctx.state.close()
    return root


@pytest.fixture
def site(demo_root, tmp_path, smtp):
    """A fresh copy of the demo store with its own SMTP sink, served by real uvicorn."""
    root = tmp_path / "site"
    shutil.copytree(demo_root, root, ignore=shutil.ignore_patterns("*.serve.db*", "webleads.toml"))
    cfg = write_config(root, smtp.port, extra_serve="client_limit = [500, 600]\naddress_limit = [20, 3600]")
    serve = load_serve_config(cfg)
    ctx = AppContext.create(serve)
    app = create_app(serve, context=ctx)
    with LiveServer(app) as url:
        yield Site(url=url, ctx=ctx, smtp=smtp, root=root, config=cfg)
    ctx.state.close()


class Site:
    def __init__(self, url, ctx, smtp, root, config):
        self.url, self.ctx, self.smtp, self.root, self.config = url, ctx, smtp, root, config
        self.owner_key = ctx.state.add_key(OWNER)
        self.other_key = ctx.state.add_key("someone-else@example.org")
        self.operator_key = ctx.state.add_key("dpo@webleads-demo.example", "operator")

    def store(self):
        return self.ctx.store()
