"""Model artifacts: a joblib file plus its card (``meta.json``), found by name, checked
by sha256 before anything is unpickled.

joblib files are pickles, and unpickling runs code: an artifact is loaded only when the
sha256 of its bytes equals the one in its card.  The payload itself is plain data
(numpy arrays, lists, strings), never a scikit-learn object, so applying a model needs
no scikit-learn call and holds no text of the training mail (features are hashed or
fixed vocabularies, see the card's ``features``).

Where a name is looked up, in order:

1. a folder path (holding ``meta.json``);
2. ``$WEBLEADS_MODEL_PATH`` (folders separated by ``:``), each holding ``<name>/meta.json``;
3. the entry points of group ``webleads_models``: each points at a folder (a
   :class:`pathlib.Path` attribute of a model package) holding ``<name>/meta.json``.
   ``webleads-signature-models`` ships ``webleads-segmenter`` and ``webleads-tagger`` so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from webleads_core.errors import WebleadsError

log = logging.getLogger("webleads.signature")

ENTRY_POINT_GROUP = "webleads_models"
PATH_ENV = "WEBLEADS_MODEL_PATH"
ARTIFACT = "model.joblib"
CARD = "meta.json"
#: Bumped when the payload layout changes; a card with another format is refused.
FORMAT = 1


class ModelError(WebleadsError):
    """A model is missing, its card is unreadable, or its bytes do not match the card."""

    reason = "model.invalid"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def search_path() -> list[Path]:
    """Folders that hold named models: ``$WEBLEADS_MODEL_PATH`` then the model packages."""
    out = [Path(p) for p in os.environ.get(PATH_ENV, "").split(os.pathsep) if p]
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            folder = ep.load()
        except Exception as exc:  # a broken model package must not stop the others
            log.warning("model package %s cannot be loaded: %s", ep.name, type(exc).__name__)
            continue
        out.append(Path(folder))
    return out


def resolve(name_or_path: str | os.PathLike) -> Path:
    """The folder of a model given by name or path."""
    p = Path(name_or_path)
    if (p / CARD).is_file():
        return p
    name = str(name_or_path)
    if "/" not in name and "\\" not in name:
        for base in search_path():
            if (base / name / CARD).is_file():
                return base / name
    raise ModelError(f"model {name!r} not found (looked in {PATH_ENV} and the {ENTRY_POINT_GROUP!r} packages)",
                     reason="model.missing")


def read_card(folder: Path) -> dict[str, Any]:
    try:
        card = json.loads((folder / CARD).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{folder / CARD}: unreadable card ({type(exc).__name__})") from None
    if not isinstance(card, dict) or "sha256" not in card:
        raise ModelError(f"{folder / CARD}: not a model card")
    return card


def load(name_or_path: str | os.PathLike, kind: str) -> tuple[dict[str, Any], dict[str, Any], Path]:
    """``(payload, card, folder)`` of a model, after checking its sha256 against the card.

    Raises :class:`ModelError` when the model is missing, of another kind or format, or
    when its bytes do not match the card: nothing is unpickled then.
    """
    import joblib

    folder = resolve(name_or_path)
    card = read_card(folder)
    if card.get("kind") != kind:
        raise ModelError(f"{folder}: a {card.get('kind')!r} model, not a {kind!r} model")
    if card.get("format") != FORMAT:
        raise ModelError(f"{folder}: model format {card.get('format')!r}, this plugin reads {FORMAT}")
    path = folder / str(card.get("artifact", ARTIFACT))
    if not path.is_file():
        raise ModelError(f"{path}: artifact missing", reason="model.missing")
    digest = sha256_file(path)
    if digest != card["sha256"]:
        raise ModelError(f"{path}: sha256 {digest[:12]}... does not match the card ({str(card['sha256'])[:12]}...)",
                         reason="model.checksum")
    payload = joblib.load(path)
    if not isinstance(payload, dict) or payload.get("kind") != kind:
        raise ModelError(f"{path}: unexpected payload")
    return payload, card, folder


def save(folder: Path, kind: str, payload: dict[str, Any], card: dict[str, Any]) -> dict[str, Any]:
    """Write ``model.joblib`` and ``meta.json`` into ``folder``; returns the card written."""
    import joblib
    import sklearn

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ARTIFACT
    payload = dict(payload, kind=kind)
    joblib.dump(payload, path, compress=3)
    full = {
        "name": card.get("name") or folder.name,
        "kind": kind,
        "format": FORMAT,
        "version": card.get("version", "1"),
        "artifact": ARTIFACT,
        "sha256": sha256_file(path),
        "scikit_learn": sklearn.__version__,
        "created": card.get("created") or dt.date.today().isoformat(),
    }
    full.update({k: v for k, v in card.items() if k not in full})
    write_card(folder, full)
    return full


def write_card(folder: Path, card: dict[str, Any]) -> None:
    (folder / CARD).write_text(json.dumps(card, indent=2, sort_keys=False, ensure_ascii=False) + "\n",
                               encoding="utf-8")
