"""``type = "html"``: pages saved as files (one ``.html`` file or a folder of them).

``webleads extract page.html`` and ``webleads extract folder/`` use it.  Options:
``path`` (file or folder) and ``base_url`` (the URL the pages were saved from, to resolve
relative links; default ``file://`` URIs).  The item id is the file's path relative to
the folder; reruns skip files the store has seen.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Iterator, Mapping
from urllib.parse import urljoin

from webleads_core.components import SourceConfig, SourceContext
from webleads_core.errors import ConfigError
from webleads_core.pages import MAX_PAGE_BYTES
from webleads_core.records import Checkpoint, Document

log = logging.getLogger("webleads.web")

SUFFIXES = (".html", ".htm", ".xhtml")
CHECKPOINT_EVERY = 500


class HtmlFileSource:
    def __init__(self, config: SourceConfig) -> None:
        self.config = config
        self.root = config.path()
        if not self.root.exists():
            raise ConfigError(f"source {config.name!r}: {self.root} does not exist")
        base = config.options.get("base_url")
        if base is not None and (not isinstance(base, str) or not base.startswith(("http://", "https://"))):
            raise ConfigError(f"source {config.name!r}: base_url must be an http(s) URL")
        self.base_url = base

    def files(self) -> Iterator[Path]:
        if self.root.is_file():
            yield self.root
            return
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames.sort()
            for fn in sorted(filenames):
                if fn.lower().endswith(SUFFIXES):
                    yield Path(dirpath) / fn

    def read(self, cursor: Mapping[str, Any] | None, context: SourceContext) -> Iterator:
        n = 0
        base = self.root if self.root.is_dir() else self.root.parent
        for path in self.files():
            rel = path.relative_to(base).as_posix()
            if context.is_seen(rel):
                continue
            try:
                with path.open("rb") as fh:
                    raw = fh.read(MAX_PAGE_BYTES + 1)  # the purge truncates at the cap
            except OSError as exc:
                log.warning("source %s: cannot read a file: %s", self.config.name, type(exc).__name__)
                continue
            url = urljoin(self.base_url, rel) if self.base_url else path.resolve().as_uri()
            yield Document(source=self.config.name, item_id=rel, kind="page", owner=self.config.owner,
                           content=raw, url=url)
            n += 1
            if n % CHECKPOINT_EVERY == 0:
                yield Checkpoint(self.config.name, {"files": n})
        yield Checkpoint(self.config.name, {"files": n})
