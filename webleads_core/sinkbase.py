"""The base class every sink should extend: it refuses unsealed records.

Sinks are called by the engine with sealed contacts only, and the engine verifies
the seals first; this second check means a sink is safe even when some code hands
it records directly.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

from .components import SinkConfig
from .privacy.seal import require_sealed
from .records import Contact, SealedContact


class BaseSink:
    """Verifies every seal (all or nothing), dedups by contact id, then calls
    :meth:`write_contacts`.  Subclasses implement ``write_contacts`` idempotently."""

    def __init__(self, config: SinkConfig) -> None:
        self.config = config

    def write(self, records: Iterable[SealedContact]) -> int:
        checked = [require_sealed(r) for r in records]
        by_id: dict[int, Contact] = {}
        for r in checked:
            by_id[r.contact.id] = r.contact
        return self.write_contacts([by_id[k] for k in sorted(by_id)])

    def write_contacts(self, contacts: Sequence[Contact]) -> int:  # pragma: no cover - abstract
        raise NotImplementedError


def atomic_write(path: Path, data: str) -> None:
    """Write a file so readers see the old or the new content, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
