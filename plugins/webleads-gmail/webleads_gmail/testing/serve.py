"""Run the Gmail stand-in as its own process (benchmarks, trying the plugin by hand)::

    python -m webleads_gmail.testing.serve --messages 2000 --token-file /tmp/gmail-token.json

It fills the mailbox with the synthetic corpus, writes a token file for it, prints one
JSON line ``{"url": ..., "token_file": ..., "messages": N}`` and serves until its
standard input closes (or Ctrl-C).  Point a ``gmail`` source at it with
``api_endpoint = <url>`` and ``allow_networks = ["127.0.0.0/8"]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .helpers import fill
from .standin import GmailStandIn


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m webleads_gmail.testing.serve")
    p.add_argument("--messages", type=int, default=1000)
    p.add_argument("--token-file", required=True)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    with GmailStandIn(seed=args.seed) as standin:
        fill(standin, args.messages)
        token = standin.write_token_file(Path(args.token_file))
        print(json.dumps({"url": standin.url, "token_file": str(token), "messages": args.messages}), flush=True)
        try:
            sys.stdin.read()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
