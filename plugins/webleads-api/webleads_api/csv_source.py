"""``type = "csv"``: a CSV export of a CRM or an address book (a file or a folder).

Reading is line by line and bounded, because exports are often large and
sometimes broken:

- encoding: a UTF-8 or UTF-16 byte order mark decides; without one each *line* is
  read as UTF-8, and a line that is not UTF-8 as cp1252 (files glued together from
  two exports mix both; the defect ``csv.not_utf8_line`` counts such lines).  The
  ``encoding`` option forces one;
- delimiter: comma, semicolon (European Excel), tab or pipe, guessed from the header
  line outside quotes, or the ``delimiter`` option;
- a physical line over :data:`MAX_LINE` bytes is skipped unread (``csv.line_too_long``),
  a field over the csv module's limit (128 KiB) skips its row (``csv.bad_row``), and an
  unterminated quote costs at most that much before the reader resumes;
- Google's ``" ::: "`` separator inside a cell (several values in one column) gives
  several values.

The mapping is the ``mapping`` table, whose paths are column names (compared
case-insensitively); without it the columns are sniffed (:mod:`webleads_api.csv_sniff`).
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
from pathlib import Path
from typing import BinaryIO, Iterator

from webleads_core.components import SourceConfig
from webleads_core.errors import ConfigError

from .csv_sniff import DELIMITERS, header_key, sniff_delimiter, sniff_mapping
from .filesource import FileRecordSource, digest
from .mapping import Mapping, parse_rules
from .normalise import Triple
from .paths import Path as FieldPath

log = logging.getLogger("webleads.sources.api")

#: Longest physical line read.
MAX_LINE = 1024 * 1024
#: Rows looked at before the header row (notes some exports put first).
MAX_PREAMBLE_ROWS = 20
_OPTIONS = {"path", "mapping", "delimiter", "encoding", "id", "region"}


class CsvSource(FileRecordSource):
    """Options: ``path``; ``mapping`` (field -> column rules, else sniffed);
    ``delimiter``; ``encoding`` (default: BOM, else UTF-8 per line with cp1252
    fallback); ``id`` (a column holding a stable record id); ``region``."""

    suffixes = (".csv", ".tsv")

    def __init__(self, config: SourceConfig) -> None:
        super().__init__(config)
        opts = config.options
        where = f"source {config.name!r}"
        unknown = set(opts) - _OPTIONS
        if unknown:
            raise ConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        self.delimiter = opts.get("delimiter")
        if self.delimiter is not None:
            if self.delimiter == "\\t":
                self.delimiter = "\t"
            if self.delimiter not in DELIMITERS:
                raise ConfigError(f"{where}: delimiter must be one of , ; | or a tab")
        self.encoding = opts.get("encoding")
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except (LookupError, TypeError):
                raise ConfigError(f"{where}: unknown encoding {self.encoding!r}") from None
        self.id_column = opts.get("id")
        if self.id_column is not None and not isinstance(self.id_column, str):
            raise ConfigError(f"{where}: id must be a column name")
        self.region = opts.get("region")
        if self.region is not None and (not isinstance(self.region, str) or len(self.region) != 2):
            raise ConfigError(f"{where}: region must be a two-letter country code")
        self.rules = None
        if "mapping" in opts:
            self.rules = parse_rules(opts["mapping"], where=f"{where}: mapping",
                                     path_parser=lambda text, w: FieldPath.column(_column_key(text, w)))
        self.mappings: list[Mapping] = []

    def records(self, path: Path) -> Iterator[tuple[str | None, tuple[Triple, ...]]]:
        with path.open("rb") as fh:
            lines = self._lines(fh)
            reader = None
            header: list[str] | None = None
            keys: list[str] = []
            mapping: Mapping | None = None
            id_key = header_key(self.id_column) if self.id_column else None
            preamble = 0
            while True:
                try:
                    if reader is None:
                        first = next(lines, None)
                        if first is None:
                            return
                        if not first.strip():
                            continue
                        delim = self.delimiter or sniff_delimiter(first)
                        reader = csv.reader(_chain(first, lines), delimiter=delim, strict=False)
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error:
                    self.defects["csv.bad_row"] += 1
                    continue
                if not row or not any(cell.strip() for cell in row):
                    continue
                if header is None:
                    # the header is the first row naming known columns: exports such as
                    # LinkedIn's put notes above it
                    candidate = [c.strip().lstrip("\ufeff") for c in row]
                    rules = self._rules_for(candidate)
                    if rules is None:
                        preamble += 1
                        if preamble > MAX_PREAMBLE_ROWS:
                            self.defects["csv.no_known_columns"] += 1
                            return
                        continue
                    header = candidate
                    keys = [header_key(h) for h in header]
                    mapping = Mapping(rules=rules, region=self.region)
                    self.mappings.append(mapping)
                    continue
                assert mapping is not None
                record = _record(keys, row)
                triples = mapping.apply(record) or ()
                key = None
                if id_key and record.get(id_key):
                    raw_id = record[id_key]
                    key = "id:" + (raw_id if isinstance(raw_id, str) else raw_id[0]).strip()[:120]
                else:
                    emails = [v for f, v, _ in triples if f == "email"]
                    if emails:
                        key = "e:" + digest(emails[0])
                    else:
                        named = [v for f, v, _ in triples if f in ("name", "company")]
                        key = "n:" + digest("\0".join(named)) if named else None
                yield key, triples
            for m in self.mappings:
                for code, n in m.defects.items():
                    self.defects[code] += n
                m.defects.clear()

    def _rules_for(self, header: list[str]) -> tuple | None:
        """The rules for a header row, or None when the row is not a header."""
        keys = {header_key(h) for h in header}
        if self.rules is not None:
            wanted = {p.text for r in self.rules for p in r.paths}
            return self.rules if keys & wanted else None
        rules = sniff_mapping(header)
        named = sum(len(r.paths) for r in rules)
        return rules if named >= 2 or (rules and len(header) == 1) else None

    def read(self, cursor, context):  # type: ignore[override]
        self.mappings = []
        yield from super().read(cursor, context)
        for m in self.mappings:
            for label in m.unmatched():
                log.warning(
                    "source %s: mapping rule %r matched no row (check the column name)",
                    self.config.name, label)

    def _lines(self, fh: BinaryIO) -> Iterator[str]:
        """Decoded lines, ends kept (the csv module needs them inside quoted fields)."""
        head = fh.read(4)
        enc = self.encoding
        if enc is None and head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            enc = "utf-16"
        if enc is not None and codecs.lookup(enc).name.startswith("utf-16"):
            text = io.TextIOWrapper(io.BufferedReader(_Rewound(head, fh)), encoding=enc,
                                    errors="replace", newline="")
            while True:
                line = text.readline(MAX_LINE // 2)
                if not line:
                    return
                if len(line) >= MAX_LINE // 2 and not line.endswith("\n"):
                    self.defects["csv.line_too_long"] += 1
                    while True:
                        more = text.readline(MAX_LINE // 2)
                        if not more or more.endswith("\n"):
                            break
                    yield "\n"
                    continue
                yield line
        if head[:3] == codecs.BOM_UTF8:
            head = head[3:]
            if enc is None:
                enc = "utf-8"
        pending = head
        while True:
            line = pending + fh.readline(MAX_LINE + 1)
            pending = b""
            if not line:
                return
            if len(line) > MAX_LINE and not line.endswith(b"\n"):
                self.defects["csv.line_too_long"] += 1
                while True:
                    more = fh.readline(MAX_LINE + 1)
                    if not more or more.endswith(b"\n"):
                        break
                yield "\n"
                continue
            if enc is not None:
                yield line.decode(enc, "replace")
                continue
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError:
                self.defects["csv.not_utf8_line"] += 1
                yield line.decode("cp1252", "replace")


def _column_key(text: str, where: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{where}: a column name must be a non-empty string")
    return header_key(text)


def _record(keys: list[str], row: list[str]) -> dict[str, object]:
    """A row as ``{normalised header: value}``; cells with Google's `` ::: `` hold lists."""
    record: dict[str, object] = {}
    for k, cell in zip(keys, row):
        if not k or k in record:
            continue
        cell = cell.strip()
        if " ::: " in cell:
            record[k] = [c.strip() for c in cell.split(" ::: ")[:20] if c.strip()]
        elif cell:
            record[k] = cell
    return record


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


class _Rewound(io.RawIOBase):
    def __init__(self, head: bytes, fh: BinaryIO) -> None:
        self._head = head
        self._fh = fh

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(b), len(self._head))
            b[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._fh.read(len(b))
        b[:len(data)] = data
        return len(data)
