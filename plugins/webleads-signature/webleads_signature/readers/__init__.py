"""Readers for annotated mail: one function, :func:`load`, that recognises the format.

* Repke and Krestel's annotation JSON (:mod:`.quagga`): a folder with ``train/``,
  ``test/``, ``eval/`` of ``*.ann`` files, or the corpus root holding ``enron_annotated``;
* Talon's ``#sig#`` format (:mod:`.talon`): ``*_body`` / ``*_sender`` files;
* webleads' JSON Lines (:mod:`.jsonl`): ``*.jsonl`` files.
"""

from __future__ import annotations

from pathlib import Path

from webleads_core.errors import ConfigError

from ..dataset import LabelledMessage
from . import jsonl, quagga, talon

__all__ = ["detect", "load"]


def detect(path: Path) -> str:
    """``quagga``, ``talon`` or ``webleads`` for a data folder (or ``.jsonl`` file)."""
    if not path.exists():
        raise ConfigError(f"{path}: no such file or folder")
    if jsonl.is_jsonl_dir(path):
        return "webleads"
    if path.is_dir() and quagga.is_quagga_dir(path):
        return "quagga"
    if path.is_dir() and talon.is_talon_dir(path):
        return "talon"
    raise ConfigError(f"{path}: no annotated mail found (Quagga .ann, Talon *_body or .jsonl)")


def load(path: Path | str, split: str) -> list[LabelledMessage]:
    """Every labelled message of ``split`` under ``path``."""
    path = Path(path)
    fmt = detect(path)
    if fmt == "quagga":
        return list(quagga.read(path, split))
    if fmt == "talon":
        return list(talon.read(path, split))
    return list(jsonl.read(path, split))
