"""The privacy stages cannot be switched off, bypassed or loosened by a plugin."""

from __future__ import annotations

import attrs
import pytest

from webleads_core import (BaseSink, Config, ConfigError, Contact, Evidence, PrivacyViolation, SealedContact,
                           SinkConfig, build_pipeline, create_plugin_manager, hookimpl)
from webleads_core.default_plugins.sinks import JsonlSink
from webleads_core.engine.run import run_pipeline
from webleads_core.privacy import seal
from webleads_core.store import SQLiteStore

from webleads_core.testing.helpers import eml

BODY_SECRET = "quarterly numbers are confidential 9931"


@pytest.mark.parametrize("key", ["enabled", "disable", "purge", "redact", "seal", "suppress"])
def test_asking_to_disable_privacy_is_a_config_error(key):
    with pytest.raises(ConfigError, match="mandatory"):
        Config.from_dict({"privacy": {key: False}})


def test_sinks_refuse_unsealed_and_forged_records(tmp_path):
    sink = JsonlSink(SinkConfig(type="jsonl", options={"path": "x.jsonl"}, base_dir=tmp_path))
    c = Contact(id=1, name="Jane Doe", emails=("jane@x.example",))
    with pytest.raises(PrivacyViolation):
        sink.write([SealedContact(contact=c, seal=b"forged")])
    with pytest.raises(PrivacyViolation):
        sink.write([c])
    assert not (tmp_path / "x.jsonl").exists()


def test_a_plugin_that_blocks_everything_cannot_get_an_unsealed_record_into_a_sink(tmp_path):
    received = []
    attempts = []

    class Spy(BaseSink):
        def write_contacts(self, contacts):
            received.extend(contacts)
            return len(contacts)

    class Rogue:
        """Unregisters and blocks every other plugin it can, smuggles body text as evidence,
        and tries to hand unsealed records to a sink."""

        def __init__(self):
            self.pm = None

        @hookimpl
        def register_sources(self, register):
            from webleads_core.testing.helpers import MemorySource

            register("memory", MemorySource)

        @hookimpl
        def register_extractors(self, register):
            for name, plugin in list(self.pm.list_name_plugin()):
                if plugin is not self:
                    self.pm.unregister(plugin)
                    self.pm.set_blocked(name)

            class Smuggler:
                name, version, kinds = "smuggler", "1", ("email",)

                def extract(self, capture):
                    # body text read behind the engine's back, as several fields
                    for field in ("title", "company", "address", "name", "notes"):
                        yield Evidence(field=field, value=BODY_SECRET, subject="email:jane@x.example",
                                       source=capture.source, item_id=capture.item_id,
                                       extractor="smuggler", extractor_version="1", method="x",
                                       observed_at=capture.observed_at, confidence=1.0)
                    yield Evidence(field="email", value="jane@x.example", subject="email:jane@x.example",
                                   source=capture.source, item_id=capture.item_id, extractor="smuggler",
                                   extractor_version="1", method="x", observed_at=capture.observed_at)

            register("smuggler", Smuggler())

        @hookimpl
        def register_sinks(self, register):
            def factory(conf):
                sink = Spy(conf)
                forged = SealedContact(contact=Contact(id=99, name=BODY_SECRET), seal=b"\0" * 32)
                try:
                    sink.write([forged])
                except PrivacyViolation:
                    attempts.append("refused")
                return sink

            register("spy", factory)

    rogue = Rogue()
    pm = create_plugin_manager(autoload=False)
    rogue.pm = pm
    pm.register(rogue)
    raw = eml("Jane <jane@x.example>", "me@webleads-demo.example", f"Hello\n\n{BODY_SECRET}\n\nJane\n")
    conf = Config.from_dict({"store": {"url": "sqlite:///s.db"},
                             "sources": [{"type": "memory", "name": "m", "messages": [raw]}],
                             "sinks": [{"type": "spy"}]}, base_dir=tmp_path)
    pipeline = build_pipeline(conf, pm=pm)
    with SQLiteStore(conf.store_url) as store:
        result = run_pipeline(pipeline, store)
    assert attempts == ["refused"]
    assert result.processed == 1
    assert all(BODY_SECRET not in (c.name or "") + (c.title or "") + (c.company or "") for c in received)
    assert BODY_SECRET.encode() not in (tmp_path / "s.db").read_bytes()
    # the email itself was grounded in the headers, so the contact exists without the smuggled text
    assert any("jane@x.example" in c.emails for c in received)


def test_seal_detects_any_change():
    from webleads_core.privacy.stage import publish_contact
    from webleads_core.privacy.suppress import Suppressor

    sealed = publish_contact(Contact(id=1, name="Jane Doe", emails=("jane@x.example",)), Suppressor(b"k"))
    assert seal.verify(sealed)
    assert not seal.verify(attrs.evolve(sealed, contact=attrs.evolve(sealed.contact, name="Eve")))


def test_control_characters_never_reach_exports():
    from webleads_core.privacy.stage import publish_contact
    from webleads_core.privacy.suppress import Suppressor

    c = Contact(id=1, name="Jane\r\nBcc: victim@x.example", title="CEO\x00", emails=("jane@x.example",))
    out = publish_contact(c, Suppressor(b"k")).contact
    assert "\r" not in out.name and "\n" not in out.name and "\x00" not in out.title


def test_optout_variants_are_never_stored(tmp_path):
    import webleads_core as wl
    from webleads_core.privacy.operations import optout

    md = tmp_path / "mail"
    md.mkdir()
    (md / "a.eml").write_bytes(eml("Jane Doe <Jane.Doe+news@Northwind-Logistics.example>",
                                   "me@webleads-demo.example", "Hi\n\nJane Doe\nTel: +44 20 7946 0958\n"))
    store_url = f"sqlite:///{tmp_path / 's.db'}"
    with wl.open_store(store_url) as store:
        optout(store, "jane.doe@northwind-logistics.example")
    conf = {"store": {"url": store_url}, "sources": [{"type": "eml", "name": "m", "path": str(md)}]}
    wl.run(wl.load_config(conf, base_dir=tmp_path))
    emails = [e for c in wl.contacts(store_url) for e in c.emails]
    assert emails == ["me@webleads-demo.example"]  # the recipient stays, Jane never arrives
    assert b"northwind" not in (tmp_path / "s.db").read_bytes().lower()


def test_domain_optout_erases_and_blocks(tmp_path):
    import webleads_core as wl
    from webleads_core.privacy.operations import optout

    md = tmp_path / "mail"
    md.mkdir()
    (md / "a.eml").write_bytes(eml("Jane Doe <jane@northwind-logistics.example>", "me@webleads-demo.example",
                                   "Hi\n\nJane Doe\n"))
    store_url = f"sqlite:///{tmp_path / 's.db'}"
    conf = wl.load_config({"store": {"url": store_url}, "sources": [{"type": "eml", "name": "m",
                                                                     "path": str(md)}]}, base_dir=tmp_path)
    wl.run(conf)
    assert list(wl.contacts(store_url))
    with wl.open_store(store_url) as store:
        assert optout(store, "@northwind-logistics.example") >= 1
        assert store.verify_audit()
    assert [e for c in wl.contacts(store_url) for e in c.emails] == ["me@webleads-demo.example"]
