"""Conformance on other projects' test data in ../shared/data (see webleads_web.conformance;
benchmarks/web_conformance.py prints the same figures)."""

from __future__ import annotations

import json

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
    assert micro.total >= 20 and rdfa.total >= 20
    # a few hand-written forms carry other data than their JSON-LD (a sameAs only in one
    # form, another URL, a value outside the item): each such difference is explained...
    assert all(why for _, why in micro.explained + rdfa.explained)
    # ...and among the others, microdata matches everywhere; RDFa misses one example
    # (rdfa:copy of an rdfa:Pattern, which the core's RDFa reader does not expand yet)
    assert micro.consistent.ratio == 1.0, micro.unexplained
    assert rdfa.consistent.ratio >= 0.95, rdfa.unexplained


def test_schemaorg_premarkup_from_visible_text(data):
    scores = conformance.schemaorg_scores(data)
    assert scores.premarkup_shown >= 15
    # the issue asks 80% of the emails, phones and job titles a reader sees; 16/20 today
    assert scores.premarkup_shown_recall >= 0.80, scores.premarkup_missed


def test_extruct_person_and_organization_nodes(data):
    score = conformance.extruct_score(data)
    assert score.total >= 100
    assert score.ratio >= 0.95, score.failures[:20]


# -- how the figures count, on hand-written examples ---------------------------------------

def _ld(body: str) -> str:
    return f'<script type="application/ld+json">{body}</script>'


def test_oracle_reads_iri_references_and_value_objects():
    values = conformance.oracle_values(_ld(
        '{"@type": "Person", "name": "Jane Roe", "url": {"@id": "http://acme.example/jane"},'
        ' "jobTitle": {"@value": "Head  Baker"}, "sameAs": {"@id": "#me", "name": "not a reference"}}'))
    assert ("link", "http://acme.example/jane") in values
    assert ("title", "Head Baker") in values
    assert not any(v[0] == "link" and "#me" in v[1] for v in values)


def _examples(tmp_path, examples: dict[str, dict[str, str]]):
    root = tmp_path / "schemaorg-examples"
    for eg, forms in examples.items():
        (root / "examples" / eg).mkdir(parents=True)
        for form, text in forms.items():
            (root / "examples" / eg / f"{form}.html").write_text(text, encoding="utf-8")
    (root / "index.json").write_text(json.dumps([{"id": eg, "contact_props": ["email"]} for eg in examples]))
    return tmp_path


PERSON = ('{"@context": "https://schema.org", "@type": "Person", "name": "Jane Roe",'
          ' "email": "jane@acme.example", "sameAs": "https://www.wikidata.org/wiki/Q1"}')


def test_form_differences_are_explained_only_by_the_examples_own_data(tmp_path):
    md_person = ('<div itemscope itemtype="https://schema.org/Person"><span itemprop="name">Jane Roe</span>'
                 '<a itemprop="email" href="mailto:jane@acme.example">mail</a>{extra}</div>{after}')
    data = _examples(tmp_path, {
        # the microdata form has no sameAs at all: the example's own difference
        "eg-lacks": {"jsonld": _ld(PERSON), "microdata": md_person.format(extra="", after="")},
        # sameAs written after the item closes: it belongs to the page, not to Jane
        "eg-outside": {"jsonld": _ld(PERSON), "microdata": md_person.format(
            extra="", after='<link itemprop="sameAs" href="https://www.wikidata.org/wiki/Q1">')},
        # a link only the microdata form carries
        "eg-extra": {"jsonld": _ld(PERSON), "microdata": md_person.format(
            extra='<link itemprop="sameAs" href="https://www.wikidata.org/wiki/Q1">'
                  '<link itemprop="sameAs" href="https://jane.example/">', after="")},
        "eg-same": {"jsonld": _ld(PERSON), "microdata": md_person.format(
            extra='<link itemprop="sameAs" href="https://www.wikidata.org/wiki/Q1">', after="")},
    })
    score = conformance.schemaorg_scores(data).forms["microdata"]
    assert (score.passed, score.total) == (1, 4)
    why = dict(score.explained)
    assert set(why) == {"eg-lacks", "eg-outside", "eg-extra"}
    assert "does not carry link https://www.wikidata.org/wiki/Q1" in why["eg-lacks"]
    assert "outside any item" in why["eg-outside"]
    assert "carries link https://jane.example" in why["eg-extra"] and "the JSON-LD does not" in why["eg-extra"]
    assert score.unexplained == ()
    assert (score.consistent.passed, score.consistent.total) == (1, 1)


def test_a_value_the_form_gives_its_item_is_never_excused(tmp_path):
    link = ("link", "https://www.wikidata.org/wiki/Q1")
    inside = ('<div itemscope itemtype="https://schema.org/Person" itemref="ids"><span itemprop="name">Jane Roe'
              '</span></div><p id="ids"><link itemprop="sameAs" href="https://www.wikidata.org/wiki/Q1"></p>')
    after = ('<div itemscope itemtype="https://schema.org/Person"><span itemprop="name">Jane Roe</span></div>'
             '<link itemprop="sameAs" href="https://www.wikidata.org/wiki/Q1">')
    rdfa = ('<div vocab="https://schema.org/" typeof="Person"><span property="name">Jane Roe</span></div>'
            '<div about="#jane"><link property="sameAs" href="https://www.wikidata.org/wiki/Q1"></div>')
    assert not conformance._outside_items(inside.encode(), "microdata", link)  # itemref: part of the item
    assert conformance._outside_items(after.encode(), "microdata", link)
    assert not conformance._outside_items(rdfa.encode(), "rdfa", link)  # about: a subject of its own
    folder = tmp_path / "eg"
    folder.mkdir()
    (folder / "jsonld.html").write_text(_ld(PERSON), encoding="utf-8")
    (folder / "microdata.html").write_text(inside, encoding="utf-8")
    # had the extractors missed the itemref-ed sameAs, the example would be their failure
    assert conformance._disagreement(folder, "microdata", {link}, set()) is None


def test_premarkup_counts_values_a_reader_sees(tmp_path):
    org = ('{"@context": "https://schema.org", "@type": "Organization", "name": "Acme",'
           ' "email": "sales@acme.example", "telephone": "+44 20 7946 0018", "sameAs": "https://acme.example/"}')
    person = '{"@context": "https://schema.org", "@type": "Person", "name": "Jane Roe", "jobTitle": "Head Baker"}'
    data = _examples(tmp_path, {
        "eg-shown": {"jsonld": _ld(org), "premarkup": "<p>Acme</p><p>Call +44 20 7946 0018</p>"
                     '<p><a href="mailto:sales@acme.example">write to us</a></p>'},
        # the values only in a comment and an attribute: not shown, still counted in "all"
        "eg-hidden": {"jsonld": _ld(org), "premarkup": '<!-- sales@acme.example --><img alt="+44 20 7946 0018">'},
        "eg-title": {"jsonld": _ld(person), "premarkup": "<p>Jane Roe</p><p>Head Baker</p>"},
    })
    s = conformance.schemaorg_scores(data)
    assert s.premarkup_by_field["email"] == (1, 1, 1, 2)
    assert s.premarkup_by_field["phone"] == (1, 1, 1, 2)
    assert s.premarkup_by_field["title"][1:] == (1, 0, 1)  # shown; no text reader takes titles yet
    assert (s.premarkup_shown, s.premarkup_total) == (3, 5)
    assert s.premarkup_missed == ("eg-title title Head Baker",)
    assert s.premarkup_links == (0, 2)  # the sameAs link is in no premarkup
