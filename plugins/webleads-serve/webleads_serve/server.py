"""Running it all: uvicorn in a thread, the scheduler in another, signals in the main one.

uvicorn installs its own signal handlers only in the main thread and re-raises the
signal once it has stopped, which would kill the process before the scheduler has
committed.  So uvicorn runs in a worker thread and this module owns SIGTERM and SIGINT:
on either, the server stops accepting requests, the scheduler's current run stops at
its next item and commits what it read, and only then does the process exit (0).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import Any

import uvicorn

from .app import create_app
from .context import AppContext
from .scheduler import Scheduler
from .settings import ServeConfig

log = logging.getLogger("webleads.serve")


def serve_forever(serve: ServeConfig, *, pm: Any = None, scheduler_on: bool = True,
                  host: str | None = None, port: int | None = None, stop_timeout: float = 120.0) -> int:
    ctx = AppContext.create(serve, pm=pm)
    scheduler = Scheduler(serve, ctx.state, pm=pm) if scheduler_on and serve.config.sources else None
    ctx.scheduler = scheduler
    app = create_app(serve, pm=pm, context=ctx)
    config = uvicorn.Config(app, host=host or serve.settings.host, port=serve.settings.port if port is None else port,
                            log_level="warning", access_log=False, server_header=False, proxy_headers=False,
                            lifespan="off")
    server = uvicorn.Server(config)
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    thread = threading.Thread(target=server.run, name="webleads-http", daemon=True)
    try:
        thread.start()
        while not server.started and thread.is_alive() and not stop.is_set():
            stop.wait(0.05)
        if not server.started:
            if stop.is_set():
                return 0
            print("webleads serve: the server did not start (is the port in use?)", file=sys.stderr)
            return 2
        sock = server.servers[0].sockets[0].getsockname()
        print(f"webleads serve: listening on http://{sock[0]}:{sock[1]}"
              + (f", {len(scheduler.schedules)} source(s) scheduled" if scheduler else ", scheduler off"),
              file=sys.stderr, flush=True)
        if scheduler:
            scheduler.start()
        while not stop.wait(0.5):
            if not thread.is_alive():
                break
        print("webleads serve: stopping", file=sys.stderr, flush=True)
        server.should_exit = True
        clean = scheduler.stop(stop_timeout) if scheduler else True
        thread.join(30)
        ctx.state.close()
        print("webleads serve: stopped" + ("" if clean else " (a run did not stop in time)"),
              file=sys.stderr, flush=True)
        return 0 if clean else 1
    finally:
        for s, h in old.items():
            signal.signal(s, h)
