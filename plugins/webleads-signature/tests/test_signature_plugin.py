"""The plugin in the engine: registration, defaults, the extractor contract, a real run."""

from __future__ import annotations

import datetime as dt

import pytest

from webleads_core import Block, Capture, Config, HeaderContact, build_pipeline
from webleads_core.testing.contracts import ExtractorContract
from webleads_signature import plugin
from webleads_signature.extractor import SignatureMLExtractor
from webleads_signature.segmenter import MLSegmenter


ML = Config.from_dict({"pipeline": {"segmenter": "ml"}})


def test_the_ml_pair_is_the_default_once_installed(webleads_register, webleads_pm):
    """Installed, the ML segmenter wins over the rules (priority) and brings its tagger,
    which replaces the rule-based one; nothing in the config is needed."""
    webleads_register(plugin)
    pipeline = build_pipeline(Config(), pm=webleads_pm, sources=())
    assert isinstance(pipeline.segmenter, MLSegmenter)
    names = [n for n, _ in pipeline.extractors]
    assert "signature-ml" in names and "signature-rules" not in names
    assert {"ml", "rules"} <= set(pipeline.registry.segmenters)
    assert {"train", "evaluate"} <= set(pipeline.registry.commands)


def test_selecting_the_ml_segmenter_brings_its_tagger(webleads_register, webleads_pm):
    webleads_register(plugin)
    pipeline = build_pipeline(ML, pm=webleads_pm, sources=())
    assert isinstance(pipeline.segmenter, MLSegmenter)
    names = [n for n, _ in pipeline.extractors]
    assert "signature-ml" in names and "signature-rules" not in names


def test_rules_segmenter_still_selectable(webleads_register, webleads_pm):
    webleads_register(plugin)
    pipeline = build_pipeline(Config.from_dict({"pipeline": {"segmenter": "rules"}}), pm=webleads_pm, sources=())
    assert not isinstance(pipeline.segmenter, MLSegmenter)


def _capture(text: str, author: HeaderContact | None, role: str = "sender", message: int = 0) -> Capture:
    return Capture(source="t", item_id="m1", owner="me@webleads-demo.example", kind="email",
                   observed_at=dt.datetime(2025, 3, 4, tzinfo=dt.timezone.utc),
                   blocks=(Block(text=text, message=message, author=author, role=role, start=7),))


class TestSignatureMLExtractor(ExtractorContract):
    @pytest.fixture
    def extractor(self):
        return SignatureMLExtractor()

    @pytest.fixture
    def captures(self):
        jane = HeaderContact(email="jane.doe@northwind-logistics.example", name="Jane Doe")
        return [
            _capture("Jane Doe\nHead of Operations\nNorthwind Logistics Ltd\nTel: +44 20 7946 0958", jane),
            _capture("Marc Olivier\nDirecteur commercial\nAtelier Moreau SAS\nPort. : +33 6 12 34 56 78\n"
                     "marc.olivier@atelier-moreau.example", None, role="quoted", message=1),
        ]


def test_evidence_subjects_and_provenance():
    jane = HeaderContact(email="jane.doe@northwind-logistics.example", name="Jane Doe")
    ex = SignatureMLExtractor()
    ev = list(ex.extract(_capture("Jane Doe\nHead of Operations\nNorthwind Logistics Ltd\nTel: +44 20 7946 0958", jane)))
    assert {e.subject for e in ev} == {"email:jane.doe@northwind-logistics.example"}
    assert all(e.method == "signature" and e.extractor == "signature-ml" for e in ev)
    assert ex.version.startswith("1+webleads-tagger")
    phone = next(e for e in ev if e.field == "phone")
    assert phone.span == (7 + 3, 7 + 4) and phone.subtype == "work"
    quoted = list(ex.extract(_capture("Marc Olivier\nDirecteur commercial\nmarc.olivier@atelier-moreau.example",
                                      None, role="quoted", message=1)))
    assert {e.subject for e in quoted} == {"email:marc.olivier@atelier-moreau.example"}
    assert {e.role for e in quoted} == {"quoted"}


def test_a_run_through_the_engine(webleads_register, webleads_run, webleads_sample_mail):
    webleads_register(plugin)
    outcome = webleads_run({"pipeline": {"segmenter": "ml"},
                            "sources": [{"type": "eml", "name": "s", "owner": "me@webleads-demo.example",
                                         "path": str(webleads_sample_mail)}]})
    assert outcome.result.processed == 3 and outcome.result.skipped == 0
    jane = next(c for c in outcome.contacts if "jane.doe@northwind-logistics.example" in c.emails)
    assert (jane.name, jane.title, jane.company) == ("Jane Doe", "Head of Operations", "Northwind Logistics Ltd")
    assert {(p.number, p.type) for p in jane.phones} == {("+442079460958", "work"), ("+447911123456", "mobile")}
    marc = next(c for c in outcome.contacts if "marc.olivier@atelier-moreau.example" in c.emails)
    assert marc.title == "Directeur commercial" and marc.company == "Atelier Moreau SAS"
    assert {(p.number, p.type) for p in marc.phones} == {("+33144556677", "work"), ("+33612345678", "mobile")}
