"""Local mail sources: ``eml`` (a file or a folder of them), ``mbox`` and ``maildir``.

Each reads messages lazily, one at a time, and caps what it reads per message: a
huge message contributes its head (headers) and its tail (where signatures live).
Reruns skip what the store has seen: Maildir and .eml files by name before reading
them, mbox by resuming at the byte offset the last run reached (when the file only
grew since).
"""

from __future__ import annotations

import collections
import functools
import hashlib
import logging
import os
import re
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..components import DeferredDocument, SourceConfig, SourceContext
from ..errors import ConfigError
from ..hookspecs import hookimpl
from ..records import Checkpoint, Document, Resync

log = logging.getLogger("webleads.sources")

#: Bytes read per message: the head (headers, first text part) and the tail.
HEAD_BYTES = 4 * 1024 * 1024
TAIL_BYTES = 4 * 1024 * 1024
CHECKPOINT_EVERY = 500
_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*<([^<>\r\n]{1,250})>", re.I | re.M)


def read_capped(path: Path | str) -> bytes:
    """The whole file, or its head and tail joined when it is larger than the caps."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size <= HEAD_BYTES + TAIL_BYTES:
            return fh.read()
        head = fh.read(HEAD_BYTES)
        fh.seek(size - TAIL_BYTES)
        return head + b"\n" + fh.read(TAIL_BYTES)


def _item(config: SourceConfig, item_id: str, path: str, context: SourceContext) -> Document | DeferredDocument:
    """The document of one file; with a deferring engine only a reference to it, which the
    worker that processes the item reads (see :class:`DeferredDocument`)."""
    if context.deferred:
        return DeferredDocument(config.name, item_id, config.owner, functools.partial(read_capped, path))
    return Document.from_email(config.name, item_id, read_capped(path), owner=config.owner)


class EmlSource:
    """``type = "eml"``: one ``.eml`` file, or every ``*.eml`` below a folder."""

    def __init__(self, config: SourceConfig) -> None:
        self.config = config
        self.root = config.path()
        if not self.root.exists():
            raise ConfigError(f"source {config.name!r}: {self.root} does not exist")

    def files(self) -> Iterator[Path]:
        if self.root.is_file():
            yield self.root
            return
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames.sort()
            for fn in sorted(filenames):
                if fn.lower().endswith(".eml"):
                    yield Path(dirpath) / fn

    def _listing(self) -> Iterator[tuple[str, str]]:
        """``(item id, path)`` of each file, in :meth:`files` order, as plain strings (this
        runs once per item in the process that feeds the workers: no Path objects)."""
        if self.root.is_file():
            yield self.root.name, str(self.root)
            return
        root = str(self.root)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            rel = os.path.relpath(dirpath, root)
            prefix = "" if rel == "." else rel + os.sep
            for fn in sorted(filenames):
                if fn.lower().endswith(".eml"):
                    yield prefix + fn, os.path.join(dirpath, fn)

    def read(self, cursor: Mapping[str, Any] | None, context: SourceContext) -> Iterator:
        n = 0
        for item_id, path in self._listing():
            if context.is_seen(item_id):
                continue
            try:
                doc = _item(self.config, item_id, path, context)
            except OSError as exc:
                log.warning("source %s: cannot read a file: %s", self.config.name, type(exc).__name__)
                continue
            yield doc
            n += 1
            if n % CHECKPOINT_EVERY == 0:
                yield Checkpoint(self.config.name, {"files": n})
        yield Checkpoint(self.config.name, {"files": n})


class MaildirSource:
    """``type = "maildir"``: a Maildir (``cur/``, ``new/``) and its Maildir++ subfolders.

    The item id is the folder plus the message's unique name (before ``:2,``), which
    stays the same when a client changes the message's flags.
    """

    def __init__(self, config: SourceConfig) -> None:
        self.config = config
        self.root = config.path()
        if not (self.root / "cur").is_dir() and not (self.root / "new").is_dir():
            raise ConfigError(f"source {config.name!r}: {self.root} is not a Maildir (no cur/ or new/)")

    def folders(self) -> Iterator[tuple[str, Path]]:
        yield "", self.root
        for entry in sorted(os.scandir(self.root), key=lambda e: e.name):
            if entry.name.startswith(".") and entry.is_dir() and (Path(entry.path) / "cur").is_dir():
                yield entry.name, Path(entry.path)

    def read(self, cursor: Mapping[str, Any] | None, context: SourceContext) -> Iterator:
        n = 0
        for folder, path in self.folders():
            for sub in ("new", "cur"):
                d = path / sub
                if not d.is_dir():
                    continue
                for entry in sorted(os.scandir(d), key=lambda e: e.name):
                    if entry.name.startswith(".") or not entry.is_file():
                        continue
                    key = entry.name.split(":", 1)[0]
                    item_id = f"{folder}/{key}" if folder else key
                    if context.is_seen(item_id):
                        continue
                    try:
                        doc = _item(self.config, item_id, entry.path, context)
                    except OSError as exc:
                        log.warning("source %s: cannot read a message: %s", self.config.name,
                                    type(exc).__name__)
                        continue
                    yield doc
                    n += 1
                    if n % CHECKPOINT_EVERY == 0:
                        yield Checkpoint(self.config.name, {"messages": n})
        yield Checkpoint(self.config.name, {"messages": n})


class MboxSource:
    """``type = "mbox"``: a Unix mbox file, read as a stream.

    Cursor: ``{"offset": bytes done, "head": digest of the first bytes, "head_len": how many}``.  When the
    file only grew, a rerun starts at the offset; when its head changed (rewritten,
    compacted), the source asks for a resync and the store's dedup keeps counts right.
    The item id is the Message-ID, or a digest of the message when it has none.
    """

    def __init__(self, config: SourceConfig) -> None:
        self.config = config
        self.path = config.path()
        if not self.path.is_file():
            raise ConfigError(f"source {config.name!r}: {self.path} is not a file")

    def _head(self, length: int) -> str:
        with self.path.open("rb") as fh:
            return hashlib.sha256(fh.read(length)).hexdigest()[:16]

    def read(self, cursor: Mapping[str, Any] | None, context: SourceContext) -> Iterator:
        size = self.path.stat().st_size
        start = 0
        if cursor:
            old_len = int(cursor.get("head_len", 4096))
            offset = int(cursor.get("offset", 0))
            if offset <= size and cursor.get("head") == self._head(old_len):
                start = offset
            else:
                yield Resync(self.config.name, "mbox rewritten")
        head_len = min(size, 4096)
        head = self._head(head_len)
        n = 0
        for offset, end, raw in iter_mbox(self.path, start):
            m = _MESSAGE_ID.search(raw, 0, 65536)
            item_id = m.group(1).decode("ascii", "replace") if m else "sha256:" + hashlib.sha256(raw).hexdigest()[:24]
            if not context.is_seen(item_id):
                yield Document.from_email(self.config.name, item_id, raw, owner=self.config.owner)
            n += 1
            if n % CHECKPOINT_EVERY == 0:
                yield Checkpoint(self.config.name, {"offset": end, "head": head, "head_len": head_len})
        yield Checkpoint(self.config.name, {"offset": max(start, size), "head": head, "head_len": head_len})


def iter_mbox(path: Path, start: int = 0) -> Iterator[tuple[int, int, bytes]]:
    """Yield ``(start offset, end offset, message bytes)`` for each message of an mbox,
    keeping at most HEAD_BYTES + TAIL_BYTES of any one message in memory."""
    with path.open("rb") as fh:
        fh.seek(start)
        pos = start
        msg_start: int | None = None
        head: list[bytes] = []
        head_len = 0
        tail: collections.deque[bytes] = collections.deque()
        tail_len = 0
        truncated = False

        def emit(end: int) -> tuple[int, int, bytes]:
            body = b"".join(head)
            if truncated:
                body += b"\n" + b"".join(tail)
            return msg_start or 0, end, body

        for line in fh:
            if line.startswith(b"From ") and (msg_start is None or head_len or tail_len):
                if msg_start is not None:
                    yield emit(pos)
                msg_start = pos
                head, head_len, tail, tail_len, truncated = [], 0, collections.deque(), 0, False
                pos += len(line)
                continue
            pos += len(line)
            if msg_start is None:
                msg_start = pos - len(line)
            if line.startswith(b">From "):
                line = line[1:]
            if head_len < HEAD_BYTES:
                head.append(line)
                head_len += len(line)
            else:
                truncated = True
                tail.append(line)
                tail_len += len(line)
                while tail_len > TAIL_BYTES and tail:
                    tail_len -= len(tail.popleft())
        if msg_start is not None and (head_len or tail_len):
            yield emit(pos)


def detect_source(path: Path, name: str | None = None, owner: str = "") -> SourceConfig:
    """Guess the source type of a path given on the command line."""
    if not path.exists():
        raise ConfigError(f"{path}: no such file or folder")
    if path.is_dir():
        if (path / "cur").is_dir() or (path / "new").is_dir():
            typ = "maildir"
        elif not any(path.rglob("*.eml")) and any(path.rglob("*.htm*")):
            typ = "html"  # local pages, read by the web plugin's `html` source
        else:
            typ = "eml"
    elif path.suffix.lower() in (".html", ".htm", ".xhtml"):
        typ = "html"
    else:
        with path.open("rb") as fh:
            typ = "mbox" if fh.read(5) == b"From " else "eml"
    return SourceConfig(name=name or str(path), type=typ, owner=owner,
                        options={"path": str(path.resolve())}, base_dir=Path("."))


@hookimpl
def register_sources(register):
    register("eml", EmlSource)
    register("mbox", MboxSource)
    register("maildir", MaildirSource)
