"""Talon's ``#sig#`` format (mailgun's ``forge`` data set and talon's own fixtures).

Each email is two files: ``<stem>_body`` (the body, signature lines prefixed with
``#sig#``) and ``<stem>_sender`` (``Name <address>`` or just one of them).  Emails in a
``N`` folder have no signature.  The format only says which lines are signature, so
messages come out ``partial``: signature lines are labelled ``signature``, the others
``other`` (body, greeting or sign-off: unknown).

The data has no split: a stable hash of the file stem puts 70 % in ``train``, 15 % in
``test`` and 15 % in ``eval``, so the same email always lands in the same split.
"""

from __future__ import annotations

import email.utils
import hashlib
from pathlib import Path
from typing import Iterator

from ..dataset import LabelledMessage

MARK = "#sig#"


def is_talon_dir(path: Path) -> bool:
    return any(path.rglob("*_body"))


def split_of(stem: str) -> str:
    h = int(hashlib.sha256(stem.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "train" if h < 70 else "test" if h < 85 else "eval"


def read(root: Path, split: str | None) -> Iterator[LabelledMessage]:
    """Messages of one split (``None``: all of them) under ``root``, in path order."""
    for body_path in sorted(root.rglob("*_body")):
        stem = body_path.name[: -len("_body")]
        rel = str(body_path.parent.relative_to(root) / stem)
        sp = split_of(rel)
        if split is not None and sp != split:
            continue
        try:
            raw = body_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        sender_path = body_path.with_name(stem + "_sender")
        sender = sender_path.read_text(encoding="utf-8", errors="replace").strip() if sender_path.exists() else ""
        name, addr = email.utils.parseaddr(sender)
        if not addr and "@" not in sender:
            name, addr = sender, ""
        if "@" not in (addr or ""):
            addr = ""
        lines, labels = [], []
        for line in raw.replace("\r\n", "\n").split("\n"):
            if line.startswith(MARK):
                line = line[len(MARK):]
                labels.append("signature" if line.strip() else None)
            else:
                labels.append("other" if line.strip() else None)
            lines.append(line)
        yield LabelledMessage(
            id=f"talon:{rel}", split=sp, text="\n".join(lines), sender_name=name or None,
            sender_email=addr or None, labels=tuple(labels), newest_end=len(lines), partial=True,
            source="talon", signature_lines=frozenset(i for i, lab in enumerate(labels) if lab == "signature"),
        )
