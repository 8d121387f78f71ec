"""``webleads gmail auth``: authorize read-only access once and store the token.

Registered through ``register_commands``; the Google libraries load only when the
command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "Gmail API helpers: `webleads gmail auth` stores an OAuth token for a gmail source"
DEFAULT_TOKEN_FILE = "gmail-token.json"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="gmail_action", metavar="ACTION")
    auth = sub.add_parser(
        "auth", help="authorize read-only access in a browser and store the token (mode 0600)",
        description="Runs the OAuth loopback flow with PKCE for an OAuth client of type 'Desktop app' "
                    "and writes the token file a gmail source names in token_file.")
    auth.add_argument("--client-secrets", required=True, metavar="FILE",
                      help="the client's JSON downloaded from Google Cloud (APIs & Services > Credentials)")
    auth.add_argument("--token-file", default=DEFAULT_TOKEN_FILE, metavar="PATH",
                      help=f"where to store the token (default {DEFAULT_TOKEN_FILE})")
    auth.add_argument("--no-browser", action="store_true", help="only print the address to open")
    auth.add_argument("--port", type=int, default=0, help="loopback port for the redirect (default: any free)")
    auth.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the browser")
    auth.add_argument("--login-hint", metavar="EMAIL", help="preselect this Google account")
    auth.add_argument("--allow-network", action="append", default=[], metavar="CIDR",
                      help="let the token exchange reach this non-public network (tests, proxies)")


def run(args: argparse.Namespace) -> int:
    from webleads_core.errors import ConfigError

    if getattr(args, "gmail_action", None) != "auth":
        raise ConfigError("usage: webleads gmail auth --client-secrets FILE [--token-file PATH]")
    from .oauth_flow import authorize, load_client_secrets, token_file_data
    from .tokenfile import write_private_json

    if not 0 <= args.port <= 65535:
        raise ConfigError("--port must be from 0 to 65535")
    client = load_client_secrets(Path(args.client_secrets))
    token = authorize(client, port=args.port, timeout=args.timeout, open_browser=not args.no_browser,
                      announce=lambda text: print(text, file=sys.stderr, flush=True),
                      allow_networks=tuple(args.allow_network), login_hint=args.login_hint)
    dest = Path(args.token_file)
    write_private_json(dest, token_file_data(client, token))
    print(f"token stored in {dest} (mode 600). In webleads.toml:\n\n"
          f"[[sources]]\ntype = \"gmail\"\nname = \"gmail\"\ntoken_file = \"{dest}\"", flush=True)
    return 0
