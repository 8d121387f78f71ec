"""The stand-in's mailbox: messages, labels and a history with Gmail's documented shape.

* Message ids are 16 lower-case hex digits; a thread's id is its first message's id.
* History ids increase with random gaps ("not contiguous, with random gaps in between
  valid IDs"); every change (message added or deleted, label added or removed) is a
  history record, and a message's ``historyId`` is that of its last change.
* History older than the retention horizon is gone: ``history.list`` with a
  ``startHistoryId`` below it answers 404.
* ``messages.list`` orders newest first (by ``internalDate``) and hides Spam and Trash
  unless ``includeSpamTrash``.
* The search (``q``) understands a documented subset: ``from: to: cc: subject:
  label: in: is:unread is:starred after: before: older: newer:`` (dates as
  ``YYYY/MM/DD`` or epoch seconds), bare words and ``"phrases"`` (matched in headers and
  text), and ``-`` negation.  Other operators match nothing rather than everything.
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import email.utils
import html
import random
import re
import threading
from typing import Any, Iterable

import attrs

SYSTEM_LABELS = ("INBOX", "SENT", "DRAFT", "SPAM", "TRASH", "UNREAD", "STARRED", "IMPORTANT",
                 "CHAT", "CATEGORY_PERSONAL", "CATEGORY_SOCIAL", "CATEGORY_PROMOTIONS",
                 "CATEGORY_UPDATES", "CATEGORY_FORUMS")
HIDDEN = ("SPAM", "TRASH")


@attrs.define
class Label:
    id: str
    name: str
    type: str = "user"


@attrs.define
class StoredMessage:
    """One message.  ``raw_override`` replaces the encoded ``raw`` (corruption tests);
    ``headers_override`` replaces the header list of ``format=metadata|full``."""

    id: str
    thread_id: str
    raw: bytes = attrs.field(repr=False)
    label_ids: list[str]
    internal_date: int  # ms since the epoch
    history_id: int
    raw_override: str | None = attrs.field(default=None, repr=False)
    headers_override: list[dict[str, str]] | None = attrs.field(default=None, repr=False)
    _parsed: Any = attrs.field(default=None, repr=False)

    @property
    def parsed(self) -> email.message.Message:
        if self._parsed is None:
            self._parsed = email.message_from_bytes(self.raw, policy=email.policy.compat32)
        return self._parsed


class Mailbox:
    """One user's mailbox.  Thread-safe: the server's handler threads share it."""

    def __init__(self, address: str, *, seed: int = 1, start_history_id: int | None = None) -> None:
        self.address = address
        self.lock = threading.RLock()
        self._rng = random.Random(seed)
        self.history_id = start_history_id or self._rng.randint(10_000, 90_000)
        self.horizon = 0  # startHistoryId below this: 404
        self.labels: dict[str, Label] = {name: Label(name, name, "system") for name in SYSTEM_LABELS}
        self.messages: dict[str, StoredMessage] = {}
        self.history: list[dict[str, Any]] = []
        self._next_id = self._rng.randint(0x1800000000000000, 0x18F0000000000000)
        self._user_labels = 0
        self.deleted_ids: set[str] = set()

    # -- changes ---------------------------------------------------------------------------

    def _bump(self) -> int:
        self.history_id += self._rng.randint(1, 37)
        return self.history_id

    def create_label(self, name: str) -> str:
        with self.lock:
            self._user_labels += 1
            label = Label(f"Label_{self._user_labels}", name)
            self.labels[label.id] = label
            return label.id

    def add_message(self, raw: bytes, labels: Iterable[str] = ("INBOX", "UNREAD"), *,
                    internal_date: int | None = None, thread_id: str | None = None) -> str:
        """Store a message (a ``messageAdded`` record); returns its id."""
        with self.lock:
            self._next_id += self._rng.randint(1, 0xFFFF)
            mid = format(self._next_id, "016x")
            if internal_date is None:
                internal_date = _date_ms(raw) or int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
            label_ids = [self._label_id(x) for x in labels]
            hid = self._bump()
            msg = StoredMessage(mid, thread_id or mid, raw, label_ids, internal_date, hid)
            self.messages[mid] = msg
            ref = {"id": mid, "threadId": msg.thread_id}
            self.history.append({"id": hid, "messages": [ref],
                                 "messagesAdded": [{"message": dict(ref, labelIds=list(label_ids))}]})
            return mid

    def delete_message(self, mid: str) -> None:
        with self.lock:
            msg = self.messages.pop(mid)
            self.deleted_ids.add(mid)
            hid = self._bump()
            ref = {"id": mid, "threadId": msg.thread_id}
            self.history.append({"id": hid, "messages": [ref],
                                 "messagesDeleted": [{"message": dict(ref, labelIds=list(msg.label_ids))}]})

    def modify(self, mid: str, add: Iterable[str] = (), remove: Iterable[str] = ()) -> None:
        with self.lock:
            msg = self.messages[mid]
            add_ids = [self._label_id(x) for x in add if self._label_id(x) not in msg.label_ids]
            rm_ids = [self._label_id(x) for x in remove if self._label_id(x) in msg.label_ids]
            ref = {"id": mid, "threadId": msg.thread_id}
            if add_ids:
                msg.label_ids.extend(add_ids)
                hid = self._bump()
                msg.history_id = hid
                self.history.append({"id": hid, "messages": [ref], "labelsAdded": [
                    {"message": dict(ref, labelIds=list(msg.label_ids)), "labelIds": add_ids}]})
            if rm_ids:
                msg.label_ids[:] = [x for x in msg.label_ids if x not in rm_ids]
                hid = self._bump()
                msg.history_id = hid
                self.history.append({"id": hid, "messages": [ref], "labelsRemoved": [
                    {"message": dict(ref, labelIds=list(msg.label_ids)), "labelIds": rm_ids}]})

    def expire_history(self) -> int:
        """Forget all history so far: any earlier historyId now gets 404.  Returns the horizon."""
        with self.lock:
            self.horizon = self._bump()
            self.history = [r for r in self.history if r["id"] >= self.horizon]
            return self.horizon

    def _label_id(self, name_or_id: str) -> str:
        if name_or_id in self.labels:
            return name_or_id
        for label in self.labels.values():
            if label.name.casefold() == name_or_id.casefold():
                return label.id
        return self.create_label(name_or_id)

    # -- reading ---------------------------------------------------------------------------

    def listing(self, label_ids: list[str], query: str, include_spam_trash: bool) -> list[str]:
        """Ids matching a ``messages.list`` call, newest first."""
        with self.lock:
            matcher = Query(query, self) if query else None
            out = []
            for msg in self.messages.values():
                if not include_spam_trash and any(x in msg.label_ids for x in HIDDEN):
                    continue
                if any(x not in msg.label_ids for x in label_ids):
                    continue
                if matcher is not None and not matcher.matches(msg):
                    continue
                out.append(msg)
            out.sort(key=lambda m: (m.internal_date, m.id), reverse=True)
            return [m.id for m in out]

    def history_after(self, start: int, types: list[str], label_id: str | None) -> list[dict[str, Any]]:
        """Records after ``start`` holding one of ``types`` (all when empty)."""
        keys = {"messageAdded": "messagesAdded", "messageDeleted": "messagesDeleted",
                "labelAdded": "labelsAdded", "labelRemoved": "labelsRemoved"}
        wanted = [keys[t] for t in types] if types else list(keys.values())
        with self.lock:
            out = []
            for rec in self.history:
                if rec["id"] <= start:
                    continue
                kept = {k: rec[k] for k in wanted if k in rec}
                if not kept:
                    continue
                if label_id is not None and not any(
                        label_id in e["message"].get("labelIds", ()) for v in kept.values() for e in v):
                    continue
                out.append(dict(kept, id=str(rec["id"]), messages=rec["messages"]))
            return out

    def resource(self, msg: StoredMessage, fmt: str, metadata_headers: list[str]) -> dict[str, Any]:
        """The ``Message`` resource in one of the four formats."""
        body: dict[str, Any] = {"id": msg.id, "threadId": msg.thread_id, "labelIds": list(msg.label_ids),
                                "snippet": snippet(msg.parsed), "sizeEstimate": len(msg.raw),
                                "historyId": str(msg.history_id), "internalDate": str(msg.internal_date)}
        if fmt == "raw":
            body["raw"] = msg.raw_override if msg.raw_override is not None else \
                base64.urlsafe_b64encode(msg.raw).decode("ascii")
        elif fmt == "metadata":
            headers = msg.headers_override if msg.headers_override is not None else _headers(msg.parsed)
            if metadata_headers:
                wanted = {h.casefold() for h in metadata_headers}
                headers = [h for h in headers if h["name"].casefold() in wanted]
            body["payload"] = {"partId": "", "mimeType": msg.parsed.get_content_type(), "filename": "",
                               "headers": headers, "body": {"size": 0}}
        elif fmt == "full":
            body["payload"] = _part(msg.parsed, "", msg.headers_override)
        return body


def _date_ms(raw: bytes) -> int | None:
    m = re.search(rb"^Date:[ \t]*([^\r\n]{1,200})", raw[:65536], re.M | re.I)
    if not m:
        return None
    try:
        return int(email.utils.parsedate_to_datetime(m.group(1).decode("latin-1")).timestamp() * 1000)
    except (TypeError, ValueError, OverflowError):
        return None


def _headers(part: email.message.Message) -> list[dict[str, str]]:
    return [{"name": k, "value": " ".join(str(v).split())} for k, v in part.items()]


def _part(part: email.message.Message, part_id: str, override: list[dict[str, str]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"partId": part_id, "mimeType": part.get_content_type(),
                           "filename": part.get_filename() or "", "headers": override or _headers(part)}
    if part.is_multipart():
        out["body"] = {"size": 0}
        children = part.get_payload()
        out["parts"] = [_part(child, f"{part_id}.{i}" if part_id else str(i)) for i, child in enumerate(children)]
    else:
        data = part.get_payload(decode=True) or b""
        if out["filename"]:
            out["body"] = {"attachmentId": "ANGjdJ" + base64.urlsafe_b64encode(part_id.encode()).decode(),
                           "size": len(data)}
        else:
            out["body"] = {"size": len(data), "data": base64.urlsafe_b64encode(data).decode("ascii")}
    return out


def _text(msg: email.message.Message) -> str:
    for part in msg.walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            data = part.get_payload(decode=True) or b""
            return data.decode(part.get_content_charset() or "utf-8", "replace")
    return ""


def snippet(msg: email.message.Message) -> str:
    return html.escape(" ".join(_text(msg).split())[:200], quote=True)


# -- search ----------------------------------------------------------------------------------

_TOKEN = re.compile(r'(-?)(?:(\w+):)?("([^"]*)"|\S+)')


def _parse_date(value: str) -> float | None:
    if value.isdigit():
        return float(value)
    m = re.fullmatch(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})", value)
    if not m:
        return None
    y, mo, d = map(int, m.groups())
    try:
        return dt.datetime(y, mo, d, tzinfo=dt.timezone.utc).timestamp()
    except ValueError:
        return None


def _relative(value: str) -> float | None:
    m = re.fullmatch(r"(\d+)([dmy])", value)
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    days = n * {"d": 1, "m": 30, "y": 365}[unit]
    return dt.datetime.now(dt.timezone.utc).timestamp() - days * 86400


class Query:
    """A Gmail search query over the documented subset (see the module docstring)."""

    def __init__(self, text: str, mailbox: Mailbox) -> None:
        self.terms: list[tuple[bool, str | None, str]] = []
        self.mailbox = mailbox
        for m in _TOKEN.finditer(text):
            neg, op, word, phrase = m.group(1) == "-", m.group(2), m.group(3), m.group(4)
            self.terms.append((neg, op.lower() if op else None, (phrase if phrase is not None else word).lower()))

    def matches(self, msg: StoredMessage) -> bool:
        return all(self._term(msg, op, value) != neg for neg, op, value in self.terms)

    def _term(self, msg: StoredMessage, op: str | None, value: str) -> bool:
        p = msg.parsed
        if op in ("from", "to", "cc", "subject"):
            return value in str(p.get(op, "")).lower()
        if op in ("label", "in"):
            names = {self.mailbox.labels[x].name.lower() for x in msg.label_ids if x in self.mailbox.labels}
            names |= {x.lower() for x in msg.label_ids}
            aliases = {"drafts": "draft", "sent": "sent", "inbox": "inbox", "spam": "spam", "trash": "trash"}
            return aliases.get(value, value) in names or value.replace("-", " ") in names
        if op == "is":
            flag = {"unread": "UNREAD", "starred": "STARRED", "important": "IMPORTANT"}.get(value)
            return flag is not None and flag in msg.label_ids
        when = msg.internal_date / 1000
        if op in ("after", "before"):
            t = _parse_date(value)
            return t is not None and (when > t if op == "after" else when < t)
        if op in ("newer_than", "older_than"):
            t = _relative(value)
            return t is not None and (when > t if op == "newer_than" else when < t)
        if op is None:
            hay = " ".join(str(v) for v in p.values()).lower() + " " + _text(p).lower()
            return value in hay
        return False  # an operator outside the subset
