"""Registers ``webleads serve`` (the only hook this plugin implements)."""

from __future__ import annotations

import argparse
import sys

from webleads_core import ConfigError, hookimpl


def configure(p: argparse.ArgumentParser) -> None:
    p.description = ("Serve the HTTP API and the public opt-out and access portal, and run every source on its "
                     "schedule. Stops cleanly on SIGTERM. See docs/serve.md.")
    p.add_argument("-c", "--config", default="webleads.toml", help="the config file (default webleads.toml)")
    p.add_argument("--host", help="listen address (default: [serve] host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="listen port (default: [serve] port, 8750; 0 picks a free one)")
    p.add_argument("--no-scheduler", action="store_true", help="serve only; run no source")
    p.add_argument("--once", action="store_true", help="run every source once, one after the other, and exit")
    p.add_argument("--add-key", metavar="OWNER", help="create an API key for OWNER (their own address), print it "
                   "once and exit")
    p.add_argument("--operator", action="store_true", help="with --add-key: an operator key (all contacts, "
                   "privacy operations, run controls)")
    p.add_argument("--revoke-keys", metavar="OWNER", help="delete every API key of OWNER and exit")


def run(args: argparse.Namespace) -> int:
    from .settings import load_serve_config
    from .state import ServeState, load_or_create_secret

    serve = load_serve_config(args.config)
    if args.add_key or args.revoke_keys:
        state = ServeState(serve.settings.state, load_or_create_secret(serve.settings.secret_file))
        try:
            if args.revoke_keys:
                n = state.revoke_keys(args.revoke_keys)
                print(f"webleads serve: {n} key(s) revoked", file=sys.stderr)
                return 0
            owner = args.add_key.strip()
            if not owner or len(owner) > 254 or any(c in owner for c in "\r\n\0"):
                raise ConfigError("--add-key needs the owner's address")
            print(state.add_key(owner, "operator" if args.operator else "owner"))
            print("webleads serve: key created; it is shown only this once", file=sys.stderr)
            return 0
        finally:
            state.close()
    if args.once:
        from .scheduler import Scheduler

        secret = load_or_create_secret(serve.settings.secret_file)
        state = ServeState(serve.settings.state, secret)
        sched = Scheduler(serve, state, pm=args.pm)
        statuses = [sched.run_source(s.name, "manual") for s in serve.config.sources]
        state.close()
        print("webleads serve: " + ", ".join(f"{s.name} {st}" for s, st in zip(serve.config.sources, statuses)),
              file=sys.stderr)
        return 0 if all(st in ("ok", "stopped") for st in statuses) else 3
    from .server import serve_forever

    return serve_forever(serve, pm=args.pm, scheduler_on=not args.no_scheduler, host=args.host, port=args.port)


@hookimpl
def register_commands(register):
    register("serve", "run the scheduler, the HTTP API and the public privacy portal", configure, run)
