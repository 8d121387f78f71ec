"""webleads' own annotation format: JSON Lines, one email per line.

It is the shape ``webleads segment --format jsonl`` prints, plus the full text, the
sender and (optionally) the signature fields, so a corrected segmenter output is
training data.  See docs/training.md for an example.

Keys of one record:

``id`` (string), ``split`` (``train``/``test``/``eval``; else the file name decides:
``train.jsonl``, ``test.jsonl``, ``eval.jsonl``), ``text`` (the decoded body),
``sender`` (``{"name": ..., "email": ...}``, optional),
``zones`` (list of ``{"kind", "message", "start", "end"}``: line ranges, ``end``
exclusive, kinds as in ``webleads segment``), and ``signatures`` (optional, list of
``{"start", "end", "message", "author": {"name", "email"}, "fields": [{"field",
"value", "subtype"}]}``, line ranges; a field value must be written as in the text).

Lines no zone covers are unknown (not trained on).  Zone kinds map to the segmenter's
classes: ``reply_header``/``forward_header`` -> header, ``disclaimer``/``device_footer``
-> disclaimer, ``quote`` -> body.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from webleads_core.errors import ConfigError

from ..dataset import FIELDS, GoldField, LabelledMessage, LabelledSignature

KIND_TO_CLASS = {
    "body": "body", "greeting": "greeting", "signoff": "signoff", "signature": "signature",
    "reply_header": "header", "forward_header": "header", "disclaimer": "disclaimer",
    "device_footer": "disclaimer", "quote": "body",
}


def is_jsonl_dir(path: Path) -> bool:
    return path.is_file() and path.suffix == ".jsonl" or path.is_dir() and any(path.glob("*.jsonl"))


def _files(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(path.glob("*.jsonl"))


def _person(d: Any) -> tuple[str | None, str | None]:
    if not isinstance(d, dict):
        return None, None
    return (d.get("name") or None), (d.get("email") or None)


def parse_record(rec: dict, default_split: str, where: str) -> LabelledMessage:
    text = rec.get("text")
    if not isinstance(text, str):
        raise ConfigError(f"{where}: a record needs a string 'text'")
    lines = text.split("\n")
    labels: list[str | None] = [None] * len(lines)
    newest_end = len(lines)
    for z in rec.get("zones") or []:
        kind = z.get("kind")
        if kind not in KIND_TO_CLASS:
            raise ConfigError(f"{where}: unknown zone kind {kind!r}")
        start, end = int(z.get("start", 0)), int(z.get("end", 0))
        if not 0 <= start <= end <= len(lines):
            raise ConfigError(f"{where}: zone lines {start}-{end} outside the text")
        for i in range(start, end):
            if lines[i].strip():
                labels[i] = KIND_TO_CLASS[kind]
        if int(z.get("message", 0)) > 0 or KIND_TO_CLASS[kind] == "header":
            newest_end = min(newest_end, start)
    sname, semail = _person(rec.get("sender"))
    sigs = []
    for k, s in enumerate(rec.get("signatures") or []):
        start, end = int(s.get("start", 0)), int(s.get("end", 0))
        if not 0 <= start < end <= len(lines):
            raise ConfigError(f"{where}: signature lines {start}-{end} outside the text")
        block = "\n".join(lines[start:end])
        message = int(s.get("message", 0))
        aname, aemail = _person(s.get("author"))
        if message == 0 and not (aname or aemail):
            aname, aemail = sname, semail
        fields = []
        for f in s.get("fields") or []:
            field, value = f.get("field"), f.get("value")
            if field not in FIELDS or not isinstance(value, str) or not value:
                raise ConfigError(f"{where}: bad field {field!r}")
            pos = block.find(value)
            fields.append(GoldField(field, value, f.get("subtype"), pos, pos + len(value) if pos >= 0 else -1))
        sigs.append(LabelledSignature(id=f"{rec.get('id', where)}#{k}", text=block, author_name=aname,
                                      author_email=aemail, fields=tuple(fields), newest=message == 0))
    return LabelledMessage(
        id=f"webleads:{rec.get('id', where)}", split=str(rec.get("split") or default_split), text=text,
        sender_name=sname, sender_email=semail, labels=tuple(labels), newest_end=newest_end,
        signatures=tuple(sigs), source="webleads",
        signature_lines=frozenset(i for i, lab in enumerate(labels) if lab == "signature"),
    )


def read(path: Path, split: str | None) -> Iterator[LabelledMessage]:
    for f in _files(path):
        default = f.stem if f.stem in ("train", "test", "eval") else "train"
        with f.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError:
                    raise ConfigError(f"{f.name}:{n}: not JSON") from None
                msg = parse_record(rec, default, f"{f.name}:{n}")
                if split is None or msg.split == split:
                    yield msg
