"""Readers of the core page purge (webleads_core.pages) on hand-written pages: the
general fixes proposed with the web conformance work (issue 6)."""

from __future__ import annotations

from webleads_web.conformance import page_evidence


def _values(html: str, method: str | None = None) -> set[tuple[str, str]]:
    return {(e.field, e.value) for e in page_evidence(html.encode()) if method is None or e.method == method}


def test_microdata_itemref_brings_in_properties_from_elsewhere():
    page = ('<p id="mail"><a itemprop="email" href="mailto:jane@acme.example">write</a></p>'
            '<div itemscope itemtype="https://schema.org/Person" itemref="mail role">'
            '<span itemprop="name">Jane Roe</span></div>'
            '<p id="role" itemprop="jobTitle">Head Baker</p>'
            '<p itemprop="telephone">+44 20 7946 0018</p>')  # named by no itemref: the page's, not Jane's
    got = _values(page, "microdata")
    assert {("email", "jane@acme.example"), ("name", "Jane Roe"), ("title", "Head Baker")} <= got
    assert not any(f == "phone" for f, _ in got)


def test_rdfa_rel_chains_a_typed_node_to_its_parent():
    page = ('<div vocab="https://schema.org/" typeof="Course"><span property="name">Baking</span>'
            '<div rel="hasCourseInstance" typeof="CourseInstance">'
            '<div property="instructor" typeof="Person"><span property="name">Jane Roe</span>'
            '<span property="jobTitle">Head Baker</span></div></div></div>')
    from webleads_core.pages import parse_html
    from webleads_core.pages.attributes import parse_attributes

    tree, _ = parse_html(page.encode())
    _, roots = parse_attributes(tree)
    assert [r.types for r in roots] == [("Course",)]
    instance = roots[0].nodes("hasCourseInstance")[0]
    assert instance.nodes("instructor")[0].first("jobTitle") == "Head Baker"


def test_rdfa_copy_takes_in_a_patterns_properties():
    page = ('<body vocab="https://schema.org/"><p resource="#org" typeof="Organization">'
            '<span property="name">Acme</span><link property="rdfa:copy" href="#links"></p>'
            '<ul resource="#links" typeof="rdfa:Pattern">'
            '<li><a property="sameAs" href="https://twitter.com/acme">X</a></li></ul></body>')
    got = _values(page, "rdfa")
    assert ("social", "https://twitter.com/acme") in got
    # the pattern is not a node of its own
    from webleads_core.pages import capture_page
    from webleads_core.records import Document

    blocks = capture_page(Document.from_page("t", "http://example.com/", page.encode())).blocks
    assert sum(b.text.startswith("#web rdfa") for b in blocks) == 1


def test_jsonld_iri_reference_is_the_property_value():
    page = ('<script type="application/ld+json">{"@type": "Person", "name": "Jane Roe",'
            ' "url": {"@id": "https://jane.example/"}}</script>')
    assert ("website", "https://jane.example") in _values(page, "jsonld")


def test_text_phones_are_read_in_the_region_the_text_names():
    page = ("<p>Musterfirma GmbH, Hauptstr. 1, 10115 Berlin, Deutschland</p>"
            "<p>Telefon: 030 2345678</p>")
    assert ("phone", "+49302345678") in _values(page, "text")
