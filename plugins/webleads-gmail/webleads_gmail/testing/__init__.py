"""Test kit of the gmail plugin: a Gmail API stand-in on loopback (:mod:`.standin`),
its mailbox model (:mod:`.mailbox`), the batch wire format (:mod:`.multipart`), the
OAuth endpoints (:mod:`.oauth`) and a synthetic corpus (:mod:`.corpus`).

Used by the plugin's tests and by ``benchmarks/gmail_throughput.py``; nothing in the
source imports it."""

from .mailbox import Mailbox
from .standin import GmailStandIn

__all__ = ["GmailStandIn", "Mailbox"]
