"""The plugin system: the manager factory, env variables, and every register_* hook in use."""

from __future__ import annotations

import datetime as dt

import pytest

from webleads_core import (Config, Document, Evidence, PluginError, build_pipeline, create_plugin_manager,
                           hookimpl)
from webleads_core.engine.plugins import collect
from webleads_core.hookspecs import HOOK_NAMES
from webleads_core.records import Checkpoint

from webleads_core.testing.helpers import MemoryPlugin, eml


MESSAGES = [eml("Jane Doe <jane.doe@northwind-logistics.example>", "me@webleads-demo.example",
                "Hi,\n\nSee you soon.\n\nBest regards,\nJane Doe\nHead of Operations\nNorthwind Logistics Ltd\n"
                "Mobile: +44 7911 123456\nhttps://northwind-logistics.example\n")]


def run_with(*plugins, sinks=()):
    from webleads_core.engine.run import make_policy, run_pipeline, sealed_contacts
    from webleads_core.store import SQLiteStore

    pm = create_plugin_manager(autoload=False, plugins=(MemoryPlugin(), *plugins))
    conf = Config.from_dict({"sources": [{"type": "memory", "name": "mem", "messages": MESSAGES}],
                             "sinks": list(sinks)})
    pipeline = build_pipeline(conf, pm=pm)
    with SQLiteStore() as store:
        result = run_pipeline(pipeline, store)
        contacts = [r.contact for r in sealed_contacts(store, make_policy(pipeline, store))]
    return result, contacts


def test_managers_are_independent():
    a = create_plugin_manager(autoload=False, plugins=(MemoryPlugin(),))
    b = create_plugin_manager(autoload=False)
    assert "memory" in collect(a).sources
    assert "memory" not in collect(b).sources


def test_misspelled_hook_fails_loudly():
    class Typo:
        @hookimpl
        def register_sorces(self, register):  # noqa: misspelled on purpose
            pass

    with pytest.raises(PluginError, match="unknown hook"):
        create_plugin_manager(autoload=False, plugins=(Typo(),))


def test_disable_autoload_env(monkeypatch):
    # the template plugin is installed by `make test` through its entry point
    monkeypatch.delenv("WEBLEADS_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    assert "markdown" in collect(create_plugin_manager()).sinks
    monkeypatch.setenv("WEBLEADS_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert "markdown" not in collect(create_plugin_manager()).sinks


def test_trace_env(monkeypatch, capsys):
    monkeypatch.setenv("WEBLEADS_TRACE_PLUGINS", "1")
    pm = create_plugin_manager(autoload=False)
    pm.hook.register_sinks(register=lambda *a, **k: None)
    assert "register_sinks" in capsys.readouterr().err


def test_every_hook_is_a_register_hook():
    pm = create_plugin_manager(autoload=False)
    specs = {name for name in dir(pm.hook) if name.startswith("register_")}
    assert specs == set(HOOK_NAMES)


def test_duplicate_component_names_are_an_error():
    class Again:
        @hookimpl
        def register_sinks(self, register):
            register("jsonl", object)

    with pytest.raises(PluginError, match="registered by both"):
        collect(create_plugin_manager(autoload=False, plugins=(Again(),)))


def test_invalid_components_are_refused():
    class Bad:
        @hookimpl
        def register_extractors(self, register):
            register("bad", object())

    with pytest.raises(PluginError, match="must have"):
        collect(create_plugin_manager(autoload=False, plugins=(Bad(),)))


# -- each hook in use ------------------------------------------------------------------


def test_register_sources():
    result, contacts = run_with()
    assert result.processed == 1
    assert any("jane.doe@northwind-logistics.example" in c.emails for c in contacts)


def test_register_segmenters_highest_priority_wins():
    calls = []

    class Seg:
        def segment(self, message):
            from webleads_core.default_plugins.segmenter import RuleSegmenter

            calls.append(1)
            return RuleSegmenter().segment(message)

    class P:
        @hookimpl
        def register_segmenters(self, register):
            register("mine", Seg(), priority=10)

    result, contacts = run_with(P())
    assert calls == [1]
    assert any(c.title == "Head of Operations" for c in contacts)


def test_register_extractors():
    class Site:
        name, version, kinds = "site", "1", ("email",)

        def extract(self, capture):
            for c in capture.contacts:
                if c.role == "sender":
                    yield Evidence(field="website", value="https://northwind-logistics.example",
                                   subject=f"email:{c.email}", extractor=self.name, extractor_version="1",
                                   method="test", source=capture.source, item_id=capture.item_id,
                                   observed_at=capture.observed_at, confidence=0.9)

    class P:
        @hookimpl
        def register_extractors(self, register):
            register("site", Site())

    _, contacts = run_with(P())
    jane = next(c for c in contacts if "jane.doe@northwind-logistics.example" in c.emails)
    assert "https://northwind-logistics.example" in jane.websites
    assert any(s.extractor == "site" for s in jane.sources)


def test_register_scorers():
    class Halve:
        def score(self, evidence):
            return evidence.confidence / 2

    class P:
        @hookimpl
        def register_scorers(self, register):
            register("halve", Halve())

    _, base = run_with()
    _, halved = run_with(P())
    conf = lambda cs: dict(next(c for c in cs if c.emails and c.emails[0].startswith("jane")).confidence)
    assert conf(halved)["email"] < conf(base)["email"]


def test_register_sinks(tmp_path):
    got = []
    from webleads_core import BaseSink

    class Keep(BaseSink):
        def write_contacts(self, contacts):
            got.extend(contacts)
            return len(contacts)

    class P:
        @hookimpl
        def register_sinks(self, register):
            register("keep", Keep)

    run_with(P(), sinks=[{"type": "keep"}])
    assert any("jane.doe@northwind-logistics.example" in c.emails for c in got)


def test_register_privacy_rules_tighten():
    class NoPhones:
        @hookimpl
        def register_privacy_rules(self, register):
            register("no-phones", lambda ev: ev.field != "phone")

    _, contacts = run_with(NoPhones())
    assert contacts and all(not c.phones for c in contacts)


def test_privacy_rule_that_raises_drops_the_item():
    class Boom:
        @hookimpl
        def register_privacy_rules(self, register):
            def rule(ev):
                raise RuntimeError("rule bug")
            register("boom", rule)

    result, contacts = run_with(Boom())
    assert contacts == []
    assert result.evidence == 0


def test_register_commands(capsys):
    from webleads_core.cli.main import build_parser

    class P:
        @hookimpl
        def register_commands(self, register):
            def configure(p):
                p.add_argument("--who", default="world")

            register("hello", "say hello", configure, lambda args: print(f"hello {args.who}") or 0)

    pm = create_plugin_manager(autoload=False, plugins=(P(),))
    parser, runners = build_parser(pm)
    args = parser.parse_args(["hello", "--who", "plugins"])
    assert runners["hello"](args) == 0
    assert "hello plugins" in capsys.readouterr().out


def test_lazy_factory_imports_the_component_when_it_is_built(tmp_path, monkeypatch):
    import sys

    from webleads_core import lazy_factory

    pkg = tmp_path / "lazy_probe_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "source.py").write_text("class ProbeSource:\n    def __init__(self, config):\n        self.config = config\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    factory = lazy_factory("lazy_probe_pkg.source:ProbeSource")
    assert factory.__name__ == "ProbeSource"
    assert "lazy_probe_pkg.source" not in sys.modules  # registering imported nothing
    built = factory("the config")
    assert type(built).__name__ == "ProbeSource" and built.config == "the config"
    assert "lazy_probe_pkg.source" in sys.modules
    for bad in ("no_colon", ":Name", "module:"):
        with pytest.raises(ValueError):
            lazy_factory(bad)


def test_installed_plugins_load_without_their_sources_modules():
    """Loading every plugin (what each webleads process and worker does) leaves the
    crawler, the IMAP client and the webhook sink unimported until one is configured."""
    import subprocess
    import sys

    code = ("import sys, webleads_core as wl; wl.build_pipeline(wl.Config()); "
            "print(sorted(m for m in ('webleads_web.crawler', 'webleads_imap.source', "
            "'webleads_core.default_plugins.webhook', 'webleads_api.rest_source') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
