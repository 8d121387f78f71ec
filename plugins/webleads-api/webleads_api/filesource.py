"""What the ``vcard`` and ``csv`` sources share: a file or a folder of files, read
again only when a file changed.

Cursor: ``{"v": 1, "files": {<digest of the relative path>: <digest of the content>}}``.
Both are truncated SHA-256 digests, so the state names no file (``Jane Doe.vcf``)
and holds no content.  A rerun reads only files whose content digest changed;
inside a changed file every record is yielded again, and since record ids are
stable (a vCard's UID, a CSV id column, else the record's first email), the
store's evidence dedup keeps unchanged values from being stored twice.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import Counter
from pathlib import Path
from typing import Any, Iterator, Mapping

from webleads_core.components import SourceConfig, SourceContext
from webleads_core.errors import ConfigError
from webleads_core.records import Checkpoint, Document

from .normalise import Triple

log = logging.getLogger("webleads.sources.api")

#: Longest item id (ids come from files and may be anything).
MAX_ID_CHARS = 200


def digest(data: bytes | str, n: int = 16) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:n]


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:24]


class FileRecordSource:
    """Base of file sources.  Subclasses set ``suffixes`` and implement
    :meth:`records` -> ``(key, triples)`` per record of one file, where ``key`` is a
    stable id for the record inside the file (or None to number it); a key starting
    with ``uid:`` is globally unique and used without the file's name."""

    suffixes: tuple[str, ...] = ()

    def __init__(self, config: SourceConfig) -> None:
        self.config = config
        self.root = config.path("path")
        if not self.root.exists():
            raise ConfigError(f"source {config.name!r}: {self.root} does not exist")
        self.defects: Counter = Counter()
        self.skipped = 0

    # -- to implement ---------------------------------------------------------------

    def records(self, path: Path) -> Iterator[tuple[str | None, tuple[Triple, ...]]]:
        raise NotImplementedError

    # -- shared ----------------------------------------------------------------------

    def files(self) -> Iterator[Path]:
        if self.root.is_file():
            yield self.root
            return
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for fn in sorted(filenames):
                if fn.lower().endswith(self.suffixes) and not fn.startswith("."):
                    yield Path(dirpath) / fn

    def read(self, cursor: Mapping[str, Any] | None, context: SourceContext) -> Iterator:
        done: Mapping[str, str] = {}
        if cursor and cursor.get("v") == 1 and isinstance(cursor.get("files"), Mapping):
            done = cursor["files"]
        base = self.root if self.root.is_dir() else self.root.parent
        state: dict[str, str] = {}
        self.defects = Counter()
        self.skipped = 0
        for path in self.files():
            rel = path.relative_to(base).as_posix()
            key = digest(rel)
            try:
                content = file_digest(path)
            except OSError as exc:
                log.warning("source %s: cannot read a file: %s", self.config.name, type(exc).__name__)
                if key in done:
                    state[key] = done[key]  # keep its old state: nothing was lost
                continue
            state[key] = content
            if done.get(key) == content:
                continue  # unchanged since the last committed run
            yield from self._documents(path, rel)
            # the file is done: commit it, so a crash later repeats no more than one file
            yield Checkpoint(self.config.name, {"v": 1, "files": dict(state)})
        yield Checkpoint(self.config.name, {"v": 1, "files": state})
        if self.defects:
            log.info("source %s: defects %s", self.config.name,
                     ", ".join(f"{k}={v}" for k, v in sorted(self.defects.items())))

    def _documents(self, path: Path, rel: str) -> Iterator[Document]:
        used: Counter = Counter()
        n = 0
        try:
            for key, triples in self.records(path):
                n += 1
                if not triples:
                    self.skipped += 1
                    self.defects["record.no_fields"] += 1
                    continue
                # a globally unique key (a vCard UID) stands alone; others are per file
                if key and key.startswith("uid:"):
                    base_id = key[:MAX_ID_CHARS]
                else:
                    base_id = f"{rel}#{key[:MAX_ID_CHARS] if key else n}"
                used[base_id] += 1
                item_id = base_id if used[base_id] == 1 else f"{base_id}~{used[base_id]}"
                yield Document.from_record(self.config.name, item_id, triples, owner=self.config.owner)
        except OSError as exc:
            log.warning("source %s: a file could not be read to its end: %s", self.config.name,
                        type(exc).__name__)
