"""The webhook sink: POSTs contacts and change events as signed JSON to a URL.

Delivery is *at least once* from this side and *exactly once* for a receiver that
honours the idempotency key:

- every message is queued first in a durable outbox inside the store (one row per
  receiver and idempotency key; queuing the same key twice is a no-op), then sent in
  order; a receiver that is down only delays delivery, to later in the run (retries
  with exponential backoff and jitter, ``Retry-After`` honoured) or to the next run;
- each request carries ``Idempotency-Key`` (the same for every retry of a message) and
  ``Webleads-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>`` keyed
  with a shared secret, so the receiver can check origin, freshness and apply once;
- a contact is queued again only when its published content changed; a change event
  once, by its stable id.

Privacy: the sink sees only sealed contacts (the engine's privacy stage passed them).
Events and queued messages leave only for contacts in that sealed set: a suppressed,
restricted or expired person's messages are held, never sent, and an erasure deletes
them with the person.  Requests go through :mod:`webleads_core.net` (SSRF checks,
deadline); logs carry counts and reason codes, never a body or a value.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import random
import re
import time
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from ..components import SinkConfig
from ..errors import ConfigError
from ..net import FetchError, HttpClient, NetPolicy, SSRFBlocked, parse_target
from ..records import Contact
from ..serialize import contact_to_dict
from ..sinkbase import BaseSink

log = logging.getLogger("webleads.webhook")

SIGNATURE_HEADER = "Webleads-Signature"
DEFAULT_SECRET_ENV = "WEBLEADS_WEBHOOK_SECRET"
_RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
_CTRL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def sign(secret: bytes, body: bytes, timestamp: int) -> str:
    """The ``Webleads-Signature`` header value of ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: bytes, header: str, body: bytes, *, tolerance: float = 300.0,
                     now: float | None = None) -> bool:
    """What a receiver does: check the HMAC and that the timestamp is recent."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        ts = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - ts) > tolerance:
        return False
    want = sign(secret, body, ts).split("v1=", 1)[1]
    return hmac.compare_digest(want, parts.get("v1", ""))


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(_CTRL.sub(" ", value).split())
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def _number(options: Mapping[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConfigError(f"sink 'webhook': {key} must be a number between {low} and {high}")
    return float(value)


class WebhookSink(BaseSink):
    """``type = "webhook"``: keys ``url``, ``store``, ``secret_env`` or ``secret_file``,
    optional ``allow_networks``, ``timeout``, ``retry_base``, ``retry_max``, ``max_seconds``,
    ``send_contacts``, ``send_changes`` (see docs/webhook.md)."""

    def __init__(self, config: SinkConfig, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(config)
        o = config.options
        url = o.get("url")
        if not isinstance(url, str) or not url:
            raise ConfigError("sink 'webhook': url is required")
        try:
            target = parse_target(url)
        except FetchError:
            raise ConfigError("sink 'webhook': url must be an http(s) URL") from None
        nets = o.get("allow_networks", [])
        if isinstance(nets, str):
            nets = [nets]
        if not isinstance(nets, list) or not all(isinstance(n, str) for n in nets):
            raise ConfigError("sink 'webhook': allow_networks must be a list of networks")
        if target.scheme != "https" and not nets:
            raise ConfigError("sink 'webhook': use an https URL (http only for a receiver in allow_networks)")
        self.url = url
        self.target = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
        # the engine binds the run's store (bind_store); an explicit `store` key is for
        # delivering from a store outside a run (e.g. a retry job)
        self.store_url = self._store_url(o.get("store"), config.base_dir) if o.get("store") else None
        self._bound: Any = None
        self.secret = self._secret(o, config.base_dir)
        try:
            policy = NetPolicy(allow_networks=tuple(nets),
                               deadline=_number(o, "timeout", 10.0, 0.1, 300.0), max_bytes=64 * 1024)
        except FetchError:
            raise ConfigError("sink 'webhook': allow_networks holds something that is not a network") from None
        self.client = HttpClient(policy)
        self.retry_base = _number(o, "retry_base", 1.0, 0.0, 3600.0)
        self.retry_max = _number(o, "retry_max", 60.0, 0.0, 86400.0)
        self.max_seconds = _number(o, "max_seconds", 120.0, 0.0, 86400.0)
        self.send_contacts = bool(o.get("send_contacts", True))
        self.send_changes = bool(o.get("send_changes", True))
        self._sleep = sleep
        self._clock = clock
        self.stats: dict[str, int] = {}

    @staticmethod
    def _store_url(value: Any, base: Path) -> str:
        if not isinstance(value, str) or not value:
            raise ConfigError("sink 'webhook': store is required (the path of the [store]: the outbox lives there)")
        if value.startswith("sqlite:///"):
            value = value[len("sqlite:///"):]
        if value in ("", ":memory:"):
            raise ConfigError("sink 'webhook': the store must be a file (the outbox must survive the run)")
        p = Path(value).expanduser()
        return f"sqlite:///{p if p.is_absolute() else base / p}"

    @staticmethod
    def _secret(o: Mapping[str, Any], base: Path) -> bytes:
        if o.get("secret_file"):
            p = Path(str(o["secret_file"])).expanduser()
            p = p if p.is_absolute() else base / p
            try:
                secret = p.read_bytes().strip()
            except OSError:
                raise ConfigError(f"sink 'webhook': cannot read secret_file {p}") from None
        else:
            env = str(o.get("secret_env", DEFAULT_SECRET_ENV))
            secret = os.environ.get(env, "").encode("utf-8")
            if not secret:
                raise ConfigError(f"sink 'webhook': the signing secret is missing (set {env} or secret_file)")
        if len(secret) < 16:
            raise ConfigError("sink 'webhook': the signing secret must be at least 16 bytes")
        return secret

    # -- the sink ------------------------------------------------------------------------

    def bind_store(self, store: Any) -> None:
        """Called by the engine before publishing: the outbox lives in the run's store."""
        self._bound = store

    def write_contacts(self, contacts: Sequence[Contact]) -> int:
        from ..store import open_store

        published = {c.id: c for c in contacts}
        if self._bound is not None:
            self.enqueue(self._bound, published)
            self.stats = self.deliver(self._bound, published)
        elif self.store_url is not None:
            with open_store(self.store_url) as store:
                self.enqueue(store, published)
                self.stats = self.deliver(store, published)
        else:
            raise ConfigError("sink 'webhook': no store to keep the outbox in (run it through the engine, "
                              "or set store = \"<the [store] file>\")")
        log.info("webhook %s: %s", self.target, ", ".join(f"{k} {v}" for k, v in sorted(self.stats.items())))
        return len(contacts)

    def enqueue(self, store: Any, published: Mapping[int, Contact]) -> int:
        """Queue what changed since the last run: contacts whose published content changed
        and change events not queued before (both keyed, so queuing is idempotent)."""
        items: list[tuple[str, str, int, str]] = []
        if self.send_contacts:
            for cid, c in published.items():
                data = _clean(contact_to_dict(c))
                digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]
                if store.webhook_digest(self.target, cid) == digest:
                    continue
                key = f"contact-{cid}-{digest}"
                items.append((key, "contact", cid, json.dumps({"type": "contact", "key": key, "contact": data},
                                                              sort_keys=True, ensure_ascii=False)))
                store.set_webhook_digest(self.target, cid, digest)
        if self.send_changes:
            for e in store.changes(ids=published.keys()):
                key = f"change-{e.id}"
                items.append((key, "change", e.contact_id, json.dumps(
                    {"type": "change", "key": key, "change": _clean(e.payload())}, sort_keys=True,
                    ensure_ascii=False)))
        return store.outbox_put(self.target, items)

    def deliver(self, store: Any, published: Mapping[int, Contact]) -> dict[str, int]:
        """Send pending messages in order; retry with backoff until ``max_seconds`` is used up.
        Messages of contacts that are not published now are held (never sent)."""
        stats = {"delivered": 0, "held": 0, "rejected": 0, "pending": 0, "retries": 0}
        deadline = self._clock() + self.max_seconds
        pending = store.outbox_pending(self.target, limit=1_000_000)
        for i, row in enumerate(pending):
            if row["contact_id"] not in published:
                stats["held"] += 1
                continue
            attempts = row["attempts"]
            while True:
                attempts += 1
                outcome, wait = self._post(row["key"], row["kind"], row["body"].encode("utf-8"))
                if outcome in ("delivered", "rejected"):
                    store.outbox_mark(row["id"], status=outcome, attempts=attempts,
                                      error=None if outcome == "delivered" else wait)  # type: ignore[arg-type]
                    stats[outcome] += 1
                    break
                delay = min(self.retry_max, self.retry_base * 2 ** min(attempts - 1, 30))
                delay = max(float(wait or 0), delay * (0.5 + random.random() / 2))
                if outcome == "blocked" or self._clock() + delay > deadline:
                    store.outbox_mark(row["id"], status="pending", attempts=attempts, error=str(outcome))
                    stats["pending"] = sum(1 for r in pending[i:] if r["contact_id"] in published)
                    log.warning("webhook %s: receiver unavailable (%s); %d message(s) stay in the outbox",
                                self.target, outcome, stats["pending"])
                    return stats
                stats["retries"] += 1
                store.outbox_mark(row["id"], status="pending", attempts=attempts, error=str(outcome))
                self._sleep(delay)
        return stats

    def _post(self, key: str, kind: str, body: bytes) -> tuple[str, Any]:
        """One attempt: ``(delivered|rejected|retry|blocked, detail)``; detail is a Retry-After
        for retries and a reason code for rejections."""
        headers = {"Content-Type": "application/json", "Idempotency-Key": key, "Webleads-Event": kind,
                   SIGNATURE_HEADER: sign(self.secret, body, int(time.time()))}
        try:
            resp = self.client.request("POST", self.url, headers=headers, body=body, follow_redirects=False)
        except SSRFBlocked:
            return "blocked", None
        except FetchError as exc:
            return f"retry:{exc.reason}", None
        if 200 <= resp.status < 300 or resp.status == 409:  # 409: the receiver already has it
            return "delivered", None
        if resp.status in _RETRY_STATUS:
            after = resp.headers.get("retry-after", "")
            return f"retry:http.{resp.status}", min(float(after), self.retry_max) if after.isdigit() else None
        return "rejected", f"http.{resp.status}"
