"""Embedding webleads in an application: extract, run into a store, read contacts back.

Run it: .venv/bin/python examples/embed.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import webleads_core as wl

HERE = Path(__file__).resolve().parent


def main() -> None:
    mailbox = HERE / "mailbox"

    # 1. one-off extraction, no store: contacts merged across the whole mailbox
    contacts, result = wl.extract([mailbox], owner="me@webleads-demo.example")
    print(f"extract: {result.processed} messages, {result.skipped} skipped, {len(contacts)} contacts")

    # 2. from one message's bytes
    first = sorted((mailbox / "cur").iterdir())[0]
    for c in wl.extract_bytes(first.read_bytes()):
        print(f"  one message: {c.name} <{c.emails[0] if c.emails else ''}>")

    # 3. a configured pipeline into a store (a dict in the TOML shape), run twice: incremental
    with tempfile.TemporaryDirectory() as tmp:
        config = wl.load_config({
            "store": {"url": "sqlite:///contacts.db"},
            "sources": [{"type": "maildir", "name": "demo", "owner": "me@webleads-demo.example",
                         "path": str(mailbox)}],
            "sinks": [{"type": "vcard", "path": "contacts.vcf"}],
        }, base_dir=tmp)
        first_run = wl.run(config)
        second_run = wl.run(config)
        print(f"run: {first_run.processed} processed, then {second_run.items} new on the rerun")
        for c in wl.contacts(config.store_url):
            if c.title and c.company:
                print(f"  {c.name}: {c.title} at {c.company}")
                break
        print(f"vCards written: {(Path(tmp) / 'contacts.vcf').read_text().count('BEGIN:VCARD')}")


if __name__ == "__main__":
    main()
