"""The webhook sink against a real HTTP receiver on loopback that fails for a while."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest

from webleads_core.components import SinkConfig
from webleads_core.config import Config
from webleads_core.default_plugins.webhook import WebhookSink, verify_signature
from webleads_core.engine.pipeline import build_pipeline
from webleads_core.engine.plugins import create_plugin_manager
from webleads_core.engine.run import make_policy, run_pipeline, sealed_contacts
from webleads_core.errors import ConfigError
from webleads_core.net.testserver import LoopbackServer, reply
from webleads_core.store import SQLiteStore

ROOT = Path(__file__).resolve().parents[1]


def _generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_network", ROOT / "examples" / "network" / "make_network.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod

SECRET = "a-webhook-secret-of-some-length"


class Receiver:
    """Applies each idempotency key once; can fail, drop connections, or lose its replies."""

    def __init__(self) -> None:
        self.applied: dict[str, dict] = {}
        self.duplicates = 0
        self.bad_signatures = 0
        self.fail = 0          # next N requests: 503
        self.drop = 0          # next N requests: connection closed without a reply
        self.lose_reply = 0    # next N requests: applied, then answered 500
        self.lock = threading.Lock()

    def __call__(self, req):
        with self.lock:
            if not verify_signature(SECRET.encode(), req.headers.get("webleads-signature", ""), req.body):
                self.bad_signatures += 1
                return reply(401, b"bad signature")
            if self.drop:
                self.drop -= 1
                return b""
            if self.fail:
                self.fail -= 1
                return reply(503, b"down", {"Retry-After": "0"})
            key = req.headers["idempotency-key"]
            if key in self.applied:
                self.duplicates += 1
            else:
                self.applied[key] = json.loads(req.body)
            if self.lose_reply:
                self.lose_reply -= 1
                return reply(500, b"oops")
            return reply(200, b"{}", content_type="application/json")


@pytest.fixture(scope="module")
def boxes(tmp_path_factory):
    out = tmp_path_factory.mktemp("wh") / "mailboxes"
    return out, _generator().generate(out)


def _conf(tmp_path: Path, boxes, url: str, **extra) -> Config:
    out, exp = boxes
    return Config.from_dict({
        "store": {"url": "sqlite:///store.db"},
        "sources": [{"type": "maildir", "name": f"o{i}", "owner": o["email"], "path": str(out / o["maildir"])}
                    for i, o in enumerate(exp["owners"])],
        "sinks": [{"type": "webhook", "url": url, "allow_networks": ["127.0.0.0/8"],  # the engine binds the store
                   "retry_base": 0.01, "retry_max": 0.05, "max_seconds": 5, "timeout": 5, **extra}],
    }, base_dir=tmp_path)


def _run(conf: Config) -> WebhookSink:
    pipeline = build_pipeline(conf, pm=create_plugin_manager(autoload=False))
    with SQLiteStore(conf.store_url) as store:
        run_pipeline(pipeline, store)
    return pipeline.sinks[0][1]


def test_every_message_arrives_exactly_once_through_failures(boxes, tmp_path, monkeypatch):
    monkeypatch.setenv("WEBLEADS_WEBHOOK_SECRET", SECRET)
    rx = Receiver()
    with LoopbackServer({"/hook": rx}) as srv:
        conf = _conf(tmp_path, boxes, srv.url("/hook"), max_seconds=0.2)
        # the receiver is down for the whole first run: everything waits in the outbox
        rx.fail = 10_000
        sink = _run(conf)
        assert rx.applied == {} and sink.stats["pending"] > 0 and sink.stats["delivered"] == 0
        with SQLiteStore(conf.store_url) as s:
            queued = {r["key"] for r in s.outbox_pending(sink.target)}
        # it comes back shaky: dropped connections, 503s, one reply lost after applying
        rx.fail, rx.drop, rx.lose_reply = 3, 2, 1
        sink = _run(_conf(tmp_path, boxes, srv.url("/hook")))
        assert sink.stats["pending"] == 0 and sink.stats["retries"] >= 6
        assert set(rx.applied) == queued                      # every queued message, applied once
        assert rx.duplicates == 1 and rx.bad_signatures == 0   # the lost reply was retried, not re-applied
        changes = [m["change"] for m in rx.applied.values() if m["type"] == "change"]
        assert sorted(c["kind"] for c in changes) == ["job", "phone"]
        job = next(c for c in changes if c["kind"] == "job")
        assert job["after"]["company"] == "Globex Shipping" and job["before"]["company"] == "Acme Freight"
        contacts = [m["contact"] for m in rx.applied.values() if m["type"] == "contact"]
        assert {c["name"] for c in contacts} == {"Priya Raman", "Tomás Okafor"}
        # a third run with nothing new sends nothing at all
        hits = len(srv.hits)
        sink = _run(_conf(tmp_path, boxes, srv.url("/hook")))
        assert len(srv.hits) == hits and sink.stats["delivered"] == 0


def test_a_restricted_persons_messages_are_held_and_erasure_removes_them(boxes, tmp_path, monkeypatch):
    monkeypatch.setenv("WEBLEADS_WEBHOOK_SECRET", SECRET)
    rx = Receiver()
    with LoopbackServer({"/hook": rx}) as srv:
        conf = _conf(tmp_path, boxes, srv.url("/hook"))
        pipeline = build_pipeline(conf, pm=create_plugin_manager(autoload=False))
        with SQLiteStore(conf.store_url) as store:
            run_pipeline(pipeline, store, publish=False)
            (pid,) = store.find(boxes[1]["person"])
            sink = pipeline.sinks[0][1]
            policy = make_policy(pipeline, store)
            before = {r.contact.id: r.contact for r in sealed_contacts(store, policy)}
            assert sink.enqueue(store, before) >= 3  # the person's contact and two change events are queued
            store.restrict(pid)                        # then the person asks for restriction
            published = {r.contact.id: r.contact for r in sealed_contacts(store, policy)}
            assert pid not in published
            assert all(e.contact_id != pid for e in store.changes())
            stats = sink.deliver(store, published)
            assert stats["held"] >= 3 and stats["pending"] == 0 and stats["delivered"] >= 1
            assert all(m.get("contact", m.get("change", {})).get("id") != pid and
                       m.get("change", {}).get("contact_id") != pid for m in rx.applied.values())
            assert store.conn.execute("SELECT count(*) FROM outbox WHERE contact_id=?", (pid,)).fetchone()[0] >= 3
            store.lift_restriction(pid)
            store.erase([pid])
            assert store.conn.execute("SELECT count(*) FROM outbox WHERE contact_id=?", (pid,)).fetchone()[0] == 0


def test_the_signature_is_hmac_sha256_over_time_and_body():
    from webleads_core.default_plugins.webhook import sign

    body = b'{"type":"change"}'
    header = sign(b"k" * 16, body, 1_700_000_000)
    mac = header.split("v1=")[1]
    import hmac

    assert mac == hmac.new(b"k" * 16, b"1700000000." + body, hashlib.sha256).hexdigest()
    assert verify_signature(b"k" * 16, header, body, now=1_700_000_010)
    assert not verify_signature(b"k" * 16, header, body + b" ", now=1_700_000_010)
    assert not verify_signature(b"k" * 16, header, body, now=1_700_001_000)  # too old: a replay


@pytest.mark.parametrize("options, message", [
    ({"url": "http://127.0.0.1:9/h", "store": "s.db", "allow_networks": ["127.0.0.0/8"]}, "secret"),
    ({"url": "http://hooks.example/h", "store": "s.db", "secret_env": "WH_TEST"}, "https"),
    ({"url": "https://hooks.example/h", "store": ":memory:", "secret_env": "WH_TEST"}, "must be a file"),
    ({"url": "ftp://x/", "store": "s.db", "secret_env": "WH_TEST"}, "http(s)"),
    ({"url": "https://hooks.example/h", "store": "s.db", "secret_env": "WH_TEST", "retry_base": -1}, "retry_base"),
])
def test_bad_configuration_is_one_clear_line(options, message, monkeypatch, tmp_path):
    monkeypatch.delenv("WEBLEADS_WEBHOOK_SECRET", raising=False)
    monkeypatch.setenv("WH_TEST", SECRET)
    with pytest.raises(ConfigError) as err:
        WebhookSink(SinkConfig(type="webhook", options=options, base_dir=tmp_path))
    assert message in str(err.value) and SECRET not in str(err.value)
