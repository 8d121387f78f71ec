"""Bad input for the three sources: a clear error or a skipped record, never a hang
or a crash, nothing stored twice.  Hostile sizes run under
:func:`webleads_core.testing.bounded.run_bounded` (2 s CPU, 256 MB, hard kill)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from webleads_api import plugin
from webleads_api.csv_source import CsvSource
from webleads_api.errors import ApiError
from webleads_api.rest_source import RestSource
from webleads_api.testing import API_KEY, GenericStandIn, generic_options, make_people
from webleads_api.vcard import read_cards
from webleads_api.vcard_source import card_fields
from webleads_core.components import SourceConfig, SourceContext
from webleads_core.net.testserver import LoopbackServer, reply
from webleads_core.records import Checkpoint, Document
from webleads_core.testing.bounded import run_bounded


def rest(options) -> RestSource:
    return RestSource(SourceConfig(name="api", type="rest", options=options))


def drain_until_error(src) -> tuple[list, Exception | None]:
    objs: list = []
    try:
        for obj in src.read(None, SourceContext()):
            objs.append(obj)
    except Exception as exc:  # the typed error is what the tests look at
        return objs, exc
    return objs, None


# -- REST pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("bad, reason, good_pages", [
    ("not_json", "api.not_json", 1),
    ("truncated", "api.truncated", 1),
    ("loop", "api.page_loop", 2),        # page 2 is real data; asking for it again is the loop
    ("same_page", "api.page_loop", 1),   # page 2 is page 1 again under another link
])
def test_bad_page_ends_the_sync_with_a_reason_and_no_checkpoint(generic, bad, reason, good_pages):
    generic.bad = bad
    objs, exc = drain_until_error(rest(generic_options(generic)))
    assert isinstance(exc, ApiError) and exc.reason == reason
    assert not any(isinstance(o, Checkpoint) for o in objs)
    assert [o.item_id for o in objs] == [str(p.id) for p in generic.people[:5 * good_pages]]
    assert len(generic.api_hits()) <= 3  # no spinning


def test_same_cursor_twice_is_a_page_loop(people, api_secrets):
    with GenericStandIn(people, style="cursor", api_key=API_KEY) as server:
        server.bad = "loop"
        _, exc = drain_until_error(rest(generic_options(server)))
        assert isinstance(exc, ApiError) and exc.reason == "api.page_loop"
        assert len(server.api_hits()) == 2


def test_lying_content_length_is_a_clear_error(generic):
    generic.bad = "lying_length"
    _, exc = drain_until_error(rest(generic_options(generic, max_retries=1)))
    assert isinstance(exc, ApiError) and exc.reason == "api.truncated"


def test_records_that_are_not_objects_have_no_id_or_map_to_nothing_are_skipped(people, api_secrets, caplog):
    caplog.set_level(logging.WARNING)
    body = {"data": [
        "just a string", 42, None,
        {"full_name": "No Id", "contact": {"emails": ["no.id@northwind.example"]}},
        {"id": 7, "unrelated": True},
        {"id": 8, "full_name": "Kept Person", "contact": {"emails": ["kept@northwind.example"]}},
    ]}
    import json

    with LoopbackServer({"/v1/contacts": lambda req: reply(200, json.dumps(body).encode(),
                                                           content_type="application/json")}) as srv:
        opts = generic_options(GenericStandIn(make_people(1)), url=srv.url("/v1/contacts"),
                               pagination={"type": "none"}, auth=None,
                               mapping={"name": "full_name", "email": "contact.emails[*]",
                                        "title": "job.tilte"})  # a typo: matches nothing
        src = rest(opts)
        objs = list(src.read(None, SourceContext()))
    docs = [o for o in objs if isinstance(o, Document)]
    assert [d.item_id for d in docs] == ["8"]
    assert isinstance(objs[-1], Checkpoint)
    assert src.defects["api.record_not_object"] == 3
    assert src.defects["api.record_id_missing"] == 1 and src.defects["api.record_no_fields"] == 1
    assert "title = job.tilte" in caplog.text and "matched no record" in caplog.text
    assert "kept@northwind.example" not in caplog.text


def _fetch_huge(url: str, mb: int) -> str:
    server_people = make_people(1)
    opts = generic_options(GenericStandIn(server_people), url=url, pagination={"type": "none"})
    try:
        list(rest(opts).read(None, SourceContext()))
    except ApiError as exc:
        return exc.reason
    return "no error"


def test_50_mb_response_stops_at_the_cap_in_bounded_time_and_memory(generic):
    generic.bad = "huge"
    generic.bad_on_page = 1
    generic.huge_mb = 50
    reason = run_bounded(_fetch_huge, generic.url(), 50, cpu_seconds=2.0, memory_mb=256, wall_seconds=20)
    assert reason == "net.too_large"


def _parse_deep(depth: int) -> str:
    from webleads_api.session import parse_json

    try:
        parse_json(b"[" * depth + b"]" * depth)
    except ApiError as exc:
        return exc.reason
    return "parsed"


def test_json_nested_beyond_the_recursion_limit():
    assert run_bounded(_parse_deep, 200_000, cpu_seconds=2.0, memory_mb=256) == "api.not_json"


def test_huge_integers_and_bad_utf8_are_not_json():
    from webleads_api.session import parse_json

    for body in (b'{"id": ' + b"9" * 5000 + b"}", b'{"name": "\xff\xfe\xfa"}', b"", b"   "):
        with pytest.raises(ApiError) as err:
            parse_json(body)
        assert err.value.reason == "api.not_json"


# -- vCard -----------------------------------------------------------------------------------


def _read_vcf(path: str) -> tuple[int, list[str], list[tuple]]:
    with open(path, "rb") as fh:
        cards = list(read_cards(fh))
    return len(cards), sorted({d for c in cards for d in c.defects}), [card_fields(c) for c in cards]


def test_vcard_with_a_1_mb_line(tmp_path):
    p = tmp_path / "big.vcf"
    p.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Doe\r\nNOTE:" + b"x" * (1024 * 1024)
                  + b"\r\nEMAIL:jane@northwind.example\r\nEND:VCARD\r\n")
    n, defects, fields = run_bounded(_read_vcf, str(p), cpu_seconds=2.0, memory_mb=256)
    assert n == 1 and "vcard.line_too_long" in defects
    assert ("email", "jane@northwind.example", None) in fields[0]


def test_vcard_with_a_1_mb_value_folded_into_many_lines(tmp_path):
    p = tmp_path / "folded.vcf"
    body = b"".join(b" " + b"y" * 74 + b"\r\n" for _ in range(15_000))
    p.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Doe\r\nNOTE:a\r\n" + body
                  + b"EMAIL:jane@northwind.example\r\nEND:VCARD\r\n")
    n, defects, fields = run_bounded(_read_vcf, str(p), cpu_seconds=2.0, memory_mb=256)
    assert n == 1 and "vcard.line_too_long" in defects
    assert ("name", "Jane Doe", None) in fields[0] and ("email", "jane@northwind.example", None) in fields[0]


def test_vcard_broken_quoted_printable_degrades_readably():
    import io

    data = (b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Ren=C3=A9 =ZZ Dupr=\r\n"
            b"=C3\r\nORG;ENCODING=QUOTED-PRINTABLE:Acme=4\r\nEMAIL:rene@acme.example\r\nEND:VCARD\r\n")
    (card,) = list(read_cards(io.BytesIO(data)))
    assert "vcard.bad_quoted_printable" in card.defects
    fields = card_fields(card)
    assert ("email", "rene@acme.example", None) in fields
    assert any(f == "name" and v.startswith("René") for f, v, _ in fields)


def test_vcard_bad_base64_and_unknown_charset_are_defects():
    import io

    data = (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN;ENCODING=b:!!!not base64!!!\r\nTITLE;CHARSET=x-klingon:Boss\r\n"
            b"EMAIL:boss@acme.example\r\nEND:VCARD\r\n")
    (card,) = list(read_cards(io.BytesIO(data)))
    assert "vcard.charset_unknown" in card.defects
    assert ("title", "Boss", None) in card_fields(card)


def _hostile_cards(path: str) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in read_cards(fh))


def test_vcard_hostile_structure_is_bounded(tmp_path):
    p = tmp_path / "hostile.vcf"
    with p.open("wb") as fh:
        fh.write(b"BEGIN:VCARD\r\n" * 100_000)  # nested forever, never closed
        fh.write(b"BEGIN:VCARD\r\nVERSION:3.0\r\n" + b"TEL:+44 20 7946 0958\r\n" * 50_000 + b"END:VCARD\r\n")
    assert run_bounded(_hostile_cards, str(p), cpu_seconds=2.0, memory_mb=256) <= 1


# -- CSV -------------------------------------------------------------------------------------


def _read_csv(path: str) -> tuple[int, dict]:
    src = CsvSource(SourceConfig(name="c", type="csv", options={"path": path}))
    docs = [o for o in src.read(None, SourceContext()) if isinstance(o, Document)]
    emails = {v for d in docs for f, v, _ in d.fields if f == "email"}
    return len(emails & {"jane@northwind.example", "marc@atelier.example"}), dict(src.defects)


def test_csv_with_mixed_encodings(tmp_path):
    p = tmp_path / "merged.csv"
    p.write_bytes("Name,Email,Company\n".encode()
                  + "Jürgen Müller,j.mueller@mueller.example,Müller AG\n".encode("utf-8")
                  + "René Dupré,rene@dupre.example,Société Dupré\n".encode("cp1252")
                  + "Zoë Øster,zoe@oster.example,Øster AS\n".encode("utf-8"))
    src = CsvSource(SourceConfig(name="c", type="csv", options={"path": str(p)}))
    docs = [o for o in src.read(None, SourceContext()) if isinstance(o, Document)]
    names = [v for d in docs for f, v, _ in d.fields if f == "name"]
    assert names == ["Jürgen Müller", "René Dupré", "Zoë Øster"]
    assert src.defects["csv.not_utf8_line"] == 1


def test_csv_hostile_lines_fields_and_quotes_are_bounded(tmp_path):
    p = tmp_path / "hostile.csv"
    with p.open("wb") as fh:
        fh.write(b"Name,Email\n")
        fh.write(b"Jane Doe,jane@northwind.example\n")
        fh.write(b"x" * (5 * 1024 * 1024) + b"\n")               # a 5 MB line
        fh.write(b'"' + b"y" * 300_000 + b'",big@northwind.example\n')  # a field over the csv limit
        fh.write(b'"a quote never closed,start@northwind.example\n' + (b"z" * 99 + b"\n") * 2000)
        fh.write(b"Marc Olivier,marc@atelier.example\n")
    n, defects = run_bounded(_read_csv, str(p), cpu_seconds=2.0, memory_mb=256)
    assert n == 2  # the good rows around the bad ones
    assert defects.get("csv.line_too_long") == 1 and defects.get("csv.bad_row", 0) >= 1


# -- nothing stored twice ----------------------------------------------------------------------


def _evidence_rows(store: Path) -> int:
    with sqlite3.connect(store) as conn:
        return conn.execute("SELECT COUNT(*) FROM evidence").fetchone()[0]


def test_failed_sync_then_rerun_stores_nothing_twice(generic, tmp_path, webleads_register, webleads_run):
    webleads_register(plugin)
    generic.bad = "not_json"
    generic.bad_on_page = 2
    config = {"store": {"url": "sqlite:///store.db"},
              "sources": [{"type": "rest", "name": "crm", **generic_options(generic)}]}
    first = webleads_run(config)
    assert dict(first.result.reasons).get("source.failed") == 1
    with sqlite3.connect(first.store_path) as conn:  # no cursor: the next run starts over
        assert conn.execute("SELECT COUNT(*) FROM sync_state").fetchone()[0] == 0
    generic.bad = None
    second = webleads_run(config)
    assert len(second.contacts) == 12 and second.result.skipped == 0
    rows = _evidence_rows(second.store_path)
    third = webleads_run(config)  # nothing changed: nothing fetched, nothing stored
    assert third.result.items == 0 and _evidence_rows(third.store_path) == rows
    with sqlite3.connect(second.store_path) as conn:  # a lost cursor: everything is fetched again
        conn.execute("DELETE FROM sync_state")
    fourth = webleads_run(config)
    assert fourth.result.items == 12
    assert _evidence_rows(fourth.store_path) == rows and len(fourth.contacts) == 12
    emails = [e for c in fourth.contacts for e in c.emails]
    assert len(emails) == len(set(emails)) == 12
