"""Helpers shared by the plugin's tests and benchmark: fill a stand-in mailbox, drain a
source like the engine would (with a set standing in for the store), record waits."""

from __future__ import annotations

from typing import Any, Iterable

from webleads_core.components import SourceContext
from webleads_core.records import Checkpoint, Document, Rejected, Resync

from .corpus import messages
from .standin import GmailStandIn


class Waits(list):
    """Records the waits a source asked for (given as its ``sleep``, nothing sleeps)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fill(standin: GmailStandIn, count: int, *, start: int = 0,
         labels: Iterable[str] = ("INBOX", "UNREAD")) -> list[str]:
    """Add ``count`` corpus messages to the stand-in's mailbox; returns their ids."""
    labels = tuple(labels)
    return [standin.mailbox.add_message(raw, labels)
            for raw in messages(count, standin.mailbox.address, start=start)]


def drain(source: Any, cursor: Any = None, seen: set[str] | None = None) -> dict[str, list[Any]]:
    """Read a source to the end.  ``seen`` plays the store: documents and rejected items
    are added to it and ``context.is_seen`` answers from it."""
    seen = set() if seen is None else seen
    out: dict[str, list[Any]] = {"docs": [], "checkpoints": [], "resyncs": [], "rejected": [], "all": []}
    for obj in source.read(cursor, SourceContext(is_seen=lambda i: i in seen)):
        out["all"].append(obj)
        if isinstance(obj, Document):
            out["docs"].append(obj)
            seen.add(obj.item_id)
        elif isinstance(obj, Checkpoint):
            out["checkpoints"].append(obj)
        elif isinstance(obj, Resync):
            out["resyncs"].append(obj)
        elif isinstance(obj, Rejected):
            out["rejected"].append(obj)
            seen.add(obj.item_id)  # the engine quarantines it and marks it seen
    return out
