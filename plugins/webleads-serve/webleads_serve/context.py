"""What every request handler shares: the configuration, the serve state, the secrets,
the rate limiters, and a way to open the store.

The store is opened per request (SQLite connections belong to one thread, and
FastAPI runs plain handlers in a thread pool); WAL mode lets readers run beside the
scheduler's writes.  Privacy operations take one lock so two erasures never race.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterator

import attrs

from webleads_core import SQLiteStore, build_pipeline, open_store
from webleads_core.engine.run import make_policy

from .security import Csrf, RateLimiter
from .settings import ServeConfig
from .state import ServeState, load_or_create_secret


@attrs.define
class AppContext:
    serve: ServeConfig
    state: ServeState
    csrf: Csrf
    client_limit: RateLimiter
    address_limit: RateLimiter
    pm: Any = None
    scheduler: Any = None
    privacy_lock: threading.Lock = attrs.field(factory=threading.Lock)
    downloads: dict[str, tuple[float, dict]] = attrs.field(factory=dict)
    _pipeline: Any = None

    @classmethod
    def create(cls, serve: ServeConfig, *, pm: Any = None, scheduler: Any = None,
               state: ServeState | None = None) -> AppContext:
        secret = load_or_create_secret(serve.settings.secret_file)
        st = state or ServeState(serve.settings.state, secret)
        s = serve.settings
        return cls(serve=serve, state=st, csrf=Csrf(secret),
                   client_limit=RateLimiter(*s.client_limit), address_limit=RateLimiter(*s.address_limit),
                   pm=pm, scheduler=scheduler)

    @property
    def config(self) -> Any:
        return self.serve.config

    @property
    def pipeline(self) -> Any:
        """A source-less pipeline: its privacy rules and sinks, for publishing."""
        if self._pipeline is None:
            self._pipeline = build_pipeline(self.config, pm=self.pm, sources=())
        return self._pipeline

    @contextmanager
    def store(self) -> Iterator[SQLiteStore]:
        with open_store(self.config.store_url, privacy=self.config.privacy) as store:
            yield store

    def policy(self, store: SQLiteStore) -> Any:
        return make_policy(self.pipeline, store)
