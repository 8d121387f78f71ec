"""Conformance on other projects' test data in ../shared/data (see webleads_web.conformance;
benchmarks/web_conformance.py prints the same figures)."""

from __future__ import annotations

import pytest

from webleads_web import conformance


@pytest.fixture(scope="module")
def data():
    return conformance.shared_data_dir()


def test_microformats_hcard_and_hadr_cases(data):
    score = conformance.microformats_score(data)
    assert score.total >= 60  # the h-card/h-adr cases of microformats/tests
    assert score.ratio >= 0.95, score.failures  # the issue asks 90%; 69/70 today


def test_schemaorg_forms_match_the_jsonld_oracle(data):
    scores = conformance.schemaorg_scores(data)
    jsonld, micro, rdfa = (scores.forms[f] for f in ("jsonld", "microdata", "rdfa"))
    assert jsonld.total >= 45 and jsonld.ratio >= 0.95, jsonld.failures
    # the hand-written forms differ from their JSON-LD in a few examples (a sameAs only in
    # one form, another URL): these floors hold today and catch regressions
    assert micro.total >= 20 and micro.ratio >= 0.85, micro.failures
    assert rdfa.total >= 20 and rdfa.ratio >= 0.75, rdfa.failures


def test_schemaorg_premarkup_from_visible_text(data):
    scores = conformance.schemaorg_scores(data)
    assert scores.premarkup_shown >= 15
    assert scores.premarkup_shown_recall >= 0.80


def test_extruct_person_and_organization_nodes(data):
    score = conformance.extruct_score(data)
    assert score.total >= 100
    assert score.ratio >= 0.95, score.failures[:20]
