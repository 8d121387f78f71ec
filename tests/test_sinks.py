"""File sinks: contract suites, CRM CSV columns, vCard 4.0 shape, injection guards."""

from __future__ import annotations

import csv
import io
import json

import pytest

from webleads_core import Contact, Phone, SinkConfig
from webleads_core.default_plugins import sinks
from webleads_core.testing.contracts import SinkContract, seal_all


def _factory(cls, tmp_path, **opts):
    return lambda: cls(SinkConfig(type="x", options=opts, base_dir=tmp_path))


class TestJsonl(SinkContract):
    @pytest.fixture
    def make_sink(self, tmp_path):
        return _factory(sinks.JsonlSink, tmp_path, path="c.jsonl")

    @pytest.fixture
    def read_output(self, tmp_path):
        return lambda: (tmp_path / "c.jsonl").read_bytes()


class TestCsv(SinkContract):
    @pytest.fixture
    def make_sink(self, tmp_path):
        return _factory(sinks.CsvSink, tmp_path, path="c.csv")

    @pytest.fixture
    def read_output(self, tmp_path):
        return lambda: (tmp_path / "c.csv").read_bytes()


class TestVcardFile(SinkContract):
    @pytest.fixture
    def make_sink(self, tmp_path):
        return _factory(sinks.VcardSink, tmp_path, path="c.vcf")

    @pytest.fixture
    def read_output(self, tmp_path):
        return lambda: (tmp_path / "c.vcf").read_bytes()


class TestVcardFolder(SinkContract):
    @pytest.fixture
    def make_sink(self, tmp_path):
        return _factory(sinks.VcardSink, tmp_path, folder="cards")

    @pytest.fixture
    def read_output(self, tmp_path):
        return lambda: {p.name: p.read_bytes() for p in sorted((tmp_path / "cards").iterdir())}


TRICKY = Contact(id=7, name="Jean-Luc Picard-Dupont", title="=HYPERLINK(\"http://evil.example\")",
                 company="Moreau; Fils, et Cie", emails=("jl@moreau.example", "jlp@moreau.example"),
                 phones=(Phone("+33144556677", "work"), Phone("+33612345678", "mobile"), Phone("+33144556600", "fax")),
                 address="12 rue de la Paix, 75002 Paris, France", websites=("https://moreau.example",),
                 social=(("linkedin", "https://www.linkedin.com/in/jlpicard"),), kind="person")


def test_jsonl_shape(tmp_path):
    sinks.JsonlSink(SinkConfig(type="jsonl", options={"path": "c.jsonl"}, base_dir=tmp_path)).write(seal_all([TRICKY]))
    d = json.loads((tmp_path / "c.jsonl").read_text())
    for key in ("name", "title", "company", "emails", "phones", "address", "websites", "social", "kind", "role",
                "confidence", "sources"):
        assert key in d
    assert d["phones"][1] == {"number": "+33612345678", "type": "mobile"}
    assert d["social"] == {"linkedin": "https://www.linkedin.com/in/jlpicard"}


def test_csv_columns_and_formula_guard(tmp_path):
    sinks.CsvSink(SinkConfig(type="csv", options={"path": "c.csv"}, base_dir=tmp_path)).write(seal_all([TRICKY]))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text())))
    r = rows[0]
    assert (r["First Name"], r["Last Name"]) == ("Jean-Luc", "Picard-Dupont")
    assert (r["Email"], r["Email 2"]) == ("jl@moreau.example", "jlp@moreau.example")
    assert (r["Phone"], r["Mobile"], r["Fax"]) == ("+33144556677", "+33612345678", "+33144556600")
    assert r["Job Title"].startswith("'=")  # formula injection neutralised
    assert r["Company"] == "Moreau; Fils, et Cie"


def test_vcard_is_rfc6350(tmp_path):
    long_title = "Directrice " + "très " * 30 + "générale"
    c = Contact(id=8, name="Élodie Moreau", title=long_title, company="Moreau; Fils, et Cie",
                emails=("e@moreau.example",), phones=(Phone("+33612345678", "mobile"),))
    text = sinks.vcard(c)
    assert text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n") and text.endswith("END:VCARD\r\n")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    unfolded = text.replace("\r\n ", "")
    assert "ORG:Moreau\\; Fils\\, et Cie" in unfolded
    assert 'TEL;VALUE=uri;TYPE="cell,voice":tel:+33612345678' in unfolded
    assert "N:Moreau;Élodie;;;" in unfolded
    assert f"TITLE:{long_title}" in unfolded


def test_vcard_round_trips_through_a_reader(tmp_path):
    text = sinks.render_vcf([TRICKY])
    unfolded = text.replace("\r\n ", "")
    props = [line.split(":", 1)[0].split(";")[0] for line in unfolded.split("\r\n") if line]
    assert props.count("EMAIL") == 2 and props.count("TEL") == 3 and "ADR" in props and "UID" in props


def test_vcard_folder_drops_cards_of_contacts_no_longer_published(tmp_path):
    from webleads_core.testing.contracts import sample_contacts

    sink = lambda: sinks.VcardSink(SinkConfig(type="vcard", options={"folder": "cards"}, base_dir=tmp_path))
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "notes.txt").write_text("a user's own file stays")
    sink().write(seal_all(sample_contacts()))
    assert len(list((tmp_path / "cards").glob("*.vcf"))) == 2
    sink().write(seal_all(sample_contacts()[:1]))  # the second contact was erased
    cards = list((tmp_path / "cards").glob("*.vcf"))
    assert len(cards) == 1 and "jane.doe@northwind-logistics.example" in cards[0].read_text()
    assert (tmp_path / "cards" / "notes.txt").exists()
