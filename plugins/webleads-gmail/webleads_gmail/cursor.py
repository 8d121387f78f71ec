"""The sync cursor: the mailbox historyId the next run starts from.

It holds no personal data: a number, and a digest of the filter (labels, query) so
that a changed filter triggers a full sync instead of an incremental one that would
silently miss the older messages the new filter now covers.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping

import attrs

VERSION = 1


@attrs.frozen
class GmailCursor:
    """``{"v": 1, "history_id": int, "filter": "<16 hex>"}``.

    Attributes:
        history_id: committed only once every message up to it is stored (after a
            complete full sync, or after each page of history).
        filter: digest of the label ids, the query and the spam/draft switches.
    """

    history_id: int
    filter: str

    def to_mapping(self) -> dict[str, Any]:
        return {"v": VERSION, "history_id": self.history_id, "filter": self.filter}

    @classmethod
    def from_mapping(cls, cursor: Mapping[str, Any] | None) -> GmailCursor | None:
        """The cursor, or None when there is none or it is not one of ours (a first run)."""
        if not cursor or cursor.get("v") != VERSION:
            return None
        hid, filt = cursor.get("history_id"), cursor.get("filter")
        if not isinstance(hid, int) or isinstance(hid, bool) or hid <= 0 or not isinstance(filt, str):
            return None
        return cls(hid, filt)


def filter_digest(label_ids: tuple[str, ...], query: str, include_spam_trash: bool,
                  include_drafts: bool) -> str:
    """A short digest of what a sync selects (the query itself may name people)."""
    data = json.dumps({"labels": sorted(label_ids), "q": query, "spam_trash": include_spam_trash,
                       "drafts": include_drafts}, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]
