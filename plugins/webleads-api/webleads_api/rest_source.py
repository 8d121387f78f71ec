"""``type = "rest"``: contacts from a JSON API (a CRM, an HR directory, an event
platform, an enrichment service).

One sync walks the pages (:mod:`.pagination`), picks the records out of each page
(``records`` path), maps each to business field triples (:mod:`.mapping`) and yields
``Document.from_record(source, <record id>, triples, owner=..., url=<endpoint>)``.
After the last page it yields the checkpoint of the new high-water mark
(:mod:`.incremental`); a sync that fails on the way yields none, so the next run
starts again from the old mark.

Options (docs/sources.md has them all): ``url``, ``preset``, ``records``, ``id``,
``mapping``, ``params``, ``headers``, ``auth``, ``pagination``, ``incremental``,
``region``, ``rate_limit``, ``max_retries``, ``backoff``, ``max_retry_after``,
``timeout``, ``max_response_bytes``, ``max_pages``, ``allow_networks``.

Bad input: a page that is not JSON, is truncated, is over the size cap, or repeats
(a page loop) ends the sync with a typed :class:`~webleads_api.errors.ApiError`
(the engine logs its reason code and marks the run partial); a record that is not
an object, has no id, or maps to no business field is skipped and counted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from typing import Any, Iterator, Mapping
from urllib.parse import urlsplit, urlunsplit

from webleads_core.components import SourceConfig, SourceContext
from webleads_core.errors import ConfigError
from webleads_core.net import HttpClient, NetPolicy
from webleads_core.records import Checkpoint, Document

from .auth import build_auth
from .errors import ApiError
from .incremental import Incremental, cursor_since, make_cursor, parse_time
from .mapping import Mapping as FieldMapping
from .mapping import parse_rules
from .pagination import Pagination, set_query
from .paths import Path, parse_path
from .presets import apply_preset
from .session import ApiSession, RetryPolicy

log = logging.getLogger("webleads.sources.api")

_OPTIONS = {"url", "preset", "records", "id", "mapping", "params", "headers", "auth", "pagination",
            "incremental", "region", "rate_limit", "max_retries", "backoff", "max_retry_after",
            "timeout", "max_response_bytes", "max_pages", "allow_networks"}
#: Default cap on one response's decoded size.  JSON parsed into Python objects
#: takes several times its size; 4 MiB keeps a hostile page under the memory bar.
DEFAULT_MAX_RESPONSE = 4 * 1024 * 1024
MAX_RESPONSE_LIMIT = 64 * 1024 * 1024
MAX_ID_CHARS = 200


def _number(opts: Mapping[str, Any], key: str, default: float, lo: float, hi: float, where: str) -> float:
    value = opts.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise ConfigError(f"{where}.{key} must be a number from {lo:g} to {hi:g}")
    return float(value)


def _str_table(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must be a table")
    out = {}
    for k, v in value.items():
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            raise ConfigError(f"{where}.{k} must be a string or a number")
        out[str(k)] = str(v)
    return out


class RestSource:
    """A configured JSON API (see the module docs)."""

    def __init__(self, config: SourceConfig, *, client: HttpClient | None = None) -> None:
        self.config = config
        where = f"source {config.name!r}"
        opts = apply_preset(dict(config.options))
        unknown = set(opts) - _OPTIONS
        if unknown:
            raise ConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        url = opts.get("url")
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise ConfigError(f"{where}.url must be an http(s) URL")
        self.url = url
        self.records_path: Path | None = (parse_path(opts["records"], where=f"{where}.records")
                                          if opts.get("records") else None)
        self.id_path = parse_path(opts.get("id", "id"), where=f"{where}.id")
        if "mapping" not in opts:
            raise ConfigError(f"{where}: a mapping (or a preset) is required")
        self.rules = parse_rules(opts["mapping"], where=f"{where}.mapping")
        # a preset's mapping names fields an account may not use: only a mapping the
        # user wrote is worth a warning when one of its paths never matches
        self.warn_unmatched = "mapping" in config.options
        region = opts.get("region")
        if region is not None and (not isinstance(region, str) or len(region) != 2):
            raise ConfigError(f"{where}.region must be a two-letter country code")
        self.region = region
        self.params = _str_table(opts.get("params"), f"{where}.params")
        headers = _str_table(opts.get("headers"), f"{where}.headers")
        if any(h.lower() in ("authorization", "cookie", "proxy-authorization") for h in headers):
            raise ConfigError(f"{where}.headers: credentials go in [auth], read from env or a file")
        self.pagination = Pagination.from_config(opts.get("pagination"), where=f"{where}.pagination")
        self.incremental = Incremental.from_config(opts.get("incremental"), where=f"{where}.incremental")
        self.max_pages = int(_number(opts, "max_pages", 10000, 1, 1_000_000, where))
        retry = RetryPolicy(
            rate_limit=_number(opts, "rate_limit", 0, 0, 1000, where),
            max_retries=int(_number(opts, "max_retries", 4, 0, 20, where)),
            backoff=_number(opts, "backoff", 1.0, 0, 60, where),
            max_retry_after=_number(opts, "max_retry_after", 120, 0, 3600, where),
        )
        nets = opts.get("allow_networks", [])
        if isinstance(nets, str) or not isinstance(nets, list) or not all(isinstance(n, str) for n in nets):
            raise ConfigError(f"{where}.allow_networks must be a list of networks (\"127.0.0.0/8\")")
        try:
            policy = NetPolicy(
                allow_networks=tuple(nets),
                deadline=_number(opts, "timeout", 30, 0.1, 600, where),
                max_bytes=int(_number(opts, "max_response_bytes", DEFAULT_MAX_RESPONSE, 1024,
                                      MAX_RESPONSE_LIMIT, where)),
            )
        except Exception as exc:  # a malformed network
            raise ConfigError(f"{where}.allow_networks: {getattr(exc, 'reason', 'invalid')}") from None
        self.auth = build_auth(opts.get("auth"), where=f"{where}.auth", base_dir=config.base_dir)
        self.session = ApiSession(client or HttpClient(policy), auth=self.auth, headers=headers,
                                  retry=retry)
        self.defects: Counter = Counter()
        self.mapping: FieldMapping | None = None
        self.pages = 0

    def __repr__(self) -> str:
        return f"RestSource(name={self.config.name!r}, auth={self.auth.kind})"

    # -- reading ---------------------------------------------------------------------

    def _endpoint(self, url: str) -> str:
        """The URL without query or fragment: provenance that holds no key or cursor."""
        p = urlsplit(url)
        return urlunsplit((p.scheme, p.netloc, p.path, "", ""))

    def read(self, cursor: Mapping[str, Any] | None, context: SourceContext) -> Iterator:
        started = dt.datetime.now(dt.timezone.utc)
        since = cursor_since(cursor) if self.incremental.enabled else None
        mark = since
        values: dict[str, str] = dict(self.params)
        if since is not None and self.incremental.param:
            values[self.incremental.param] = self.incremental.query_value(since)
        url = self.pagination.first_url(set_query(self.url, values) if values else self.url)
        mapping = FieldMapping(rules=self.rules, region=self.region)
        self.mapping = mapping
        self.defects = Counter()
        position = self.pagination.start
        asked: set[str] = set()
        previous_page: str | None = None
        seen_ids: set[str] = set()
        self.pages = 0
        while url is not None:
            if url in asked:
                raise ApiError("api.page_loop", f"page {self.pages + 1} repeats an earlier page's request")
            if self.pages >= self.max_pages:
                raise ApiError("api.too_many_pages", f"more than {self.max_pages} pages")
            asked.add(url)
            body, headers, final = self.session.get_json(url)
            self.pages += 1
            records = self._records(body)
            digest = hashlib.sha256(json.dumps(records, sort_keys=True, default=str)
                                    .encode("utf-8", "surrogatepass")).hexdigest() if records else None
            if digest is not None and digest == previous_page:
                raise ApiError("api.page_loop", f"page {self.pages} repeats the page before")
            previous_page = digest
            endpoint = self._endpoint(final)
            for record in records:
                doc, updated = self._document(record, mapping, endpoint, since, seen_ids)
                if updated is not None and (mark is None or updated > mark):
                    mark = updated
                if doc is not None:
                    yield doc
            url = self.pagination.next_url(final, headers, body, len(records), position)
            position = self.pagination.advance(position, len(records))
        if self.incremental.enabled and self.incremental.field is None:
            mark = started  # the API filters by param alone: the sync's start is the mark
        for label in mapping.unmatched() if self.warn_unmatched else ():
            log.warning("source %s: mapping rule %r matched no record (check the path)",
                        self.config.name, label)
        for code, n in mapping.defects.items():
            self.defects[code] += n
        if self.defects:
            log.info("source %s: %s", self.config.name,
                     ", ".join(f"{k}={v}" for k, v in sorted(self.defects.items())))
        yield Checkpoint(self.config.name, make_cursor(mark if self.incremental.enabled else None))

    def _records(self, body: Any) -> list[Any]:
        if self.records_path is None:
            if isinstance(body, list):
                return body
            raise ApiError("api.records_missing", "the page is not a list; set records = \"path\"")
        found = self.records_path.resolve(body)
        if not found:
            if isinstance(body, dict):
                return []  # an empty last page often leaves the list out
            raise ApiError("api.records_missing", "the page has no records at the records path")
        value = found[0][0]
        if value is None:
            return []
        if not isinstance(value, list):
            raise ApiError("api.records_missing", "the records path does not lead to a list")
        return value

    def _document(self, record: Any, mapping: FieldMapping, endpoint: str, since: dt.datetime | None,
                  seen_ids: set[str]) -> tuple[Document | None, dt.datetime | None]:
        if not isinstance(record, dict):
            self.defects["api.record_not_object"] += 1
            return None, None
        updated = None
        if self.incremental.field is not None:
            updated = parse_time(self.incremental.field.first(record))
            if since is not None and updated is not None and updated < since:
                self.defects["api.unchanged"] += 1
                return None, updated
        rid = self.id_path.first(record)
        if isinstance(rid, bool) or not isinstance(rid, (str, int)) or not str(rid).strip():
            self.defects["api.record_id_missing"] += 1
            return None, updated
        item_id = str(rid).strip()[:MAX_ID_CHARS]
        if item_id in seen_ids:
            self.defects["api.duplicate_record"] += 1  # a record repeated on a later page
            return None, updated
        seen_ids.add(item_id)
        triples = mapping.apply(record)
        if not triples:
            self.defects["api.record_no_fields"] += 1
            return None, updated
        return Document.from_record(self.config.name, item_id, triples, owner=self.config.owner,
                                    url=endpoint), updated
