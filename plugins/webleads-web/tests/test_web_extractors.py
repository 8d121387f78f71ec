"""The page purge and the page extractors on small pages of each kind, the junk filter,
and the contract every extractor follows."""

from __future__ import annotations

import pytest

from webleads_core.pages import capture_page, text_to_card
from webleads_core.pages.finders import bracket_emails, decode_cfemail, mailto_addresses, tel_number
from webleads_core.privacy.stage import Policy, enforce
from webleads_core.records import Document
from webleads_core.testing.contracts import ExtractorContract
from webleads_web.conformance import page_evidence
from webleads_web.extractors import all_extractors, drop_deobfuscated
from webleads_web.normalise import clean_email, clean_phone, has_public_suffix

from webleads_web.testing import example_site

SITE = example_site()


def _cf(email: str, key: int = 0x42) -> str:
    return "%02x" % key + "".join("%02x" % (ord(c) ^ key) for c in email)


def values(html: str, url: str = "https://www.acme-tools.example/") -> set[tuple[str, str, str]]:
    return {(e.field, e.value, e.method) for e in page_evidence(html.encode(), url)}


def test_jsonld_person_and_organization_with_contact_point():
    html = """<html><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@graph": [
      {"@type": "Organization", "name": "Acme Tools Ltd", "url": "https://www.acme-tools.example",
       "contactPoint": {"@type": "ContactPoint", "telephone": "+44 20 7946 0958", "email": "sales@acme-tools.example"},
       "sameAs": ["https://www.linkedin.com/company/acme-tools-example"]},
      {"@type": "Person", "name": "Priya Raman", "jobTitle": "Chief Technology Officer",
       "email": "mailto:priya.raman@acme-tools.example", "worksFor": {"@type": "Organization", "name": "Acme Tools Ltd"}}
    ]}</script></head><body></body></html>"""
    got = values(html)
    assert ("email", "priya.raman@acme-tools.example", "jsonld") in got
    assert ("title", "Chief Technology Officer", "jsonld") in got
    assert ("name", "Priya Raman", "jsonld") in got
    assert ("phone", "+442079460958", "jsonld") in got
    assert ("email", "sales@acme-tools.example", "jsonld") in got
    assert ("social", "https://www.linkedin.com/company/acme-tools-example", "jsonld") in got


def test_one_broken_jsonld_script_does_not_hide_the_others():
    html = """<script type="application/ld+json">{"@type": "Person", "name": "Broken" </script>
    <script type="application/ld+json"><!-- cms -->
    {"@type": "Person", "name": "Lena Vogt", "email": "lena.vogt@acme-tools.example", // editor note
     "telephone": "+49 89 2190 4410",}
    </script>"""
    doc = Document.from_page("s", "https://acme-tools.example/", html.encode())
    capture = capture_page(doc)
    assert "page.jsonld_invalid" in capture.defects
    got = values(html)
    assert ("email", "lena.vogt@acme-tools.example", "jsonld") in got
    assert ("phone", "+498921904410", "jsonld") in got


def test_microdata_and_rdfa():
    micro = """<div itemscope itemtype="https://schema.org/Person"><span itemprop="name">Marc Olivier</span>
      <span itemprop="jobTitle">Directeur commercial</span>
      <a itemprop="email" href="mailto:marc.olivier@atelier-moreau.example">écrire</a>
      <span itemprop="telephone">01 42 68 53 00</span></div>"""
    got = values(micro, "https://atelier-moreau.fr/")  # .fr: French numbers without +33
    assert ("email", "marc.olivier@atelier-moreau.example", "microdata") in got
    assert ("phone", "+33142685300", "microdata") in got
    rdfa = """<div vocab="https://schema.org/" typeof="Organization"><span property="name">Atelier Moreau</span>
      <a property="email" href="mailto:contact@atelier-moreau.example">mail</a></div>"""
    got = values(rdfa)
    assert ("email", "contact@atelier-moreau.example", "rdfa") in got
    assert ("company", "Atelier Moreau", "rdfa") in got


def test_hcard():
    html = """<div class="h-card"><a class="p-name u-url" href="https://sofia.example.org/">Sofia Reyes</a>
      <span class="p-job-title">Product Designer</span> at <span class="p-org">Northwind</span>
      <a class="u-email" href="mailto:sofia@northwind.example">mail</a> <span class="p-tel">+1 212 555 0199</span></div>"""
    got = values(html)
    assert {("name", "Sofia Reyes", "hcard"), ("title", "Product Designer", "hcard"),
            ("company", "Northwind", "hcard"), ("email", "sofia@northwind.example", "hcard"),
            ("phone", "+12125550199", "hcard")} <= got


def test_links_cloudflare_and_brackets():
    html = f"""<p><a href="mailto:Ines.Duarte@Acme-Tools.example?subject=Hi&amp;cc=boss@acme-tools.example">Ines</a></p>
      <p><a href="mailto:?subject=Read%20this&amp;body=https://x.example/">share by email</a></p>
      <p><a href="tel:+44-20-7946-0958;ext=12">call</a></p>
      <p><a href="/cdn-cgi/l/email-protection#{_cf('hidden.person@acme-tools.example')}">[email protected]</a></p>
      <p>ops [at] acme-tools [dot] example, or meet us at Berlin dot com</p>
      <p>webmaster&#64;acme-tools.example</p>"""
    got = values(html)
    assert ("email", "ines.duarte@acme-tools.example", "mailto") in got
    assert ("phone", "+442079460958", "tel") in got
    assert ("email", "hidden.person@acme-tools.example", "cloudflare") in got
    assert ("email", "ops@acme-tools.example", "bracket") in got
    assert ("email", "webmaster@acme-tools.example", "text") in got  # entity decoded by the parser
    emails = {v for f, v, _ in got if f == "email"}
    assert not any("berlin" in e for e in emails)  # a bare " at " is never an address
    assert "boss@acme-tools.example" not in emails  # cc of a mailto is not the link's address


def test_finders_unit():
    assert mailto_addresses("mailto:?subject=x&body=y") == []
    assert mailto_addresses("mailto:a%40b.example") == ["a@b.example"]  # RFC 6068 percent-encoding
    assert mailto_addresses("mailto:jo@x.example,al@x.example?to=cy@x.example") == [
        "jo@x.example", "al@x.example", "cy@x.example"]
    assert tel_number("tel:+1-201-555-0123;ext=1234") == "+1-201-555-0123"
    assert tel_number("tel:12") is None
    assert decode_cfemail(_cf("a.b@c.example")) == "a.b@c.example"
    assert decode_cfemail("zz") is None
    assert bracket_emails("jane(at)example.org and bob {at} corp {dot} co {dot} uk") == [
        "jane@example.org", "bob@corp.co.uk"]
    assert bracket_emails("we are at home dot com") == []


@pytest.mark.parametrize("raw,ok", [
    ("jane.doe@acme-tools.example", True), ("sales@northwind.co.uk", True),
    ("logo@2x.png", False), ("icon@3x.webp", False), ("{{email}}", False), ("${user}@corp.com", False),
    ("8f14e45fceea167a5a36dedd4bea2543@ingest.sentry.io", False), ("admin@localhost.localdomain", False),
    ("root@server.local", False), ("your.name@company.com", False), ("user@host.invalid", False),
])
def test_junk_emails_are_filtered(raw, ok):
    assert (clean_email(raw) is not None) is ok


def test_public_suffix():
    assert has_public_suffix("acme.co.uk") and has_public_suffix("x.github.io")
    assert not has_public_suffix("github.io") and not has_public_suffix("2x.png")


def test_phones_use_the_page_region():
    assert clean_phone("030 5557 1200", "DE")[0] == "+493055571200"
    assert clean_phone("030 5557 1200", None) is None  # no region: read as US, not valid there
    assert clean_phone("+49 151 2345 6789", None)[1] == "mobile"
    assert clean_phone("+49 30 5557 1299", "DE", "fax")[1] == "fax"
    html = '<html lang="de-DE"><body><p>Telefon: 030 5557 1200</p></body></html>'
    assert ("phone", "+493055571200", "text") in values(html, "https://brightwater.example/")


def test_team_page_person_blocks():
    got = values((SITE / "ueber-uns" / "team.html").read_text(), "https://www.brightwater-analytics.example/ueber-uns/team.html")
    team = {(f, v) for f, v, m in got if m == "team"}
    assert ("name", "Jana Becker") in team and ("title", "Geschäftsführerin") in team
    assert ("email", "jana.becker@brightwater-analytics.example") in team
    assert ("social", "https://www.linkedin.com/in/jana-becker-example") in team
    # addresses a block only shows obfuscated keep the decoding method, for privacy rules
    assert ("email", "tobias.okafor@brightwater-analytics.example", "cloudflare") in got
    assert ("phone", "+4915123456789") in team and ("name", "Tobias Okafor") in team
    assert ("email", "maja.lindqvist@brightwater-analytics.example", "bracket") in got
    assert not any(f == "email" and "okafor" in v for f, v in team)
    assert ("title", "Vertriebsleiter") in team


def test_capture_keeps_no_page_text():
    html = (SITE / "leistungen.html").read_bytes()
    capture = capture_page(Document.from_page("s", "https://www.brightwater-analytics.example/leistungen.html", html))
    text = "\n".join(b.text for b in capture.blocks)
    assert "Prognosen" not in text and "Workshops" not in text
    assert all(text_to_card(b.text) is not None for b in capture.blocks)


def test_grounding_drops_values_not_in_the_capture():
    capture = capture_page(Document.from_page("s", "https://acme-tools.example/",
                                              b"<p>mail: jo@acme-tools.example</p>"))
    ev = list(all_extractors()[3].extract(capture))
    forged = ev[0].__class__(field="email", value="someone.else@acme-tools.example", subject="x")
    kept = enforce(ev + [forged], capture, Policy())
    assert [e.value for e in kept] == ["jo@acme-tools.example"]


def test_privacy_rule_drops_deobfuscated_values():
    got = page_evidence(f'<a href="/cdn-cgi/l/email-protection#{_cf("x.y@acme-tools.example")}">e</a>'
                        '<p>jo [at] acme-tools [dot] example</p><p>al@acme-tools.example</p>'.encode())
    kept = [e.value for e in got if drop_deobfuscated(e)]
    assert kept == ["al@acme-tools.example"]
    assert {e.method for e in got} == {"cloudflare", "bracket", "text"}


class TestPageExtractors(ExtractorContract):
    @pytest.fixture(params=[0, 1, 2, 3], ids=["structured", "team", "links", "text"])
    def extractor(self, request):
        return all_extractors()[request.param]

    @pytest.fixture
    def captures(self):
        out = []
        for page in ("index.html", "ueber-uns/team.html", "kontakt.html", "impressum.html", "datenschutz.html"):
            url = "https://www.brightwater-analytics.example/" + page
            out.append(capture_page(Document.from_page("site", url, (SITE / page).read_bytes())))
        return out


def test_time_budget_is_a_backstop():
    from webleads_core.pages import page_cards, parse_html

    root, defects = parse_html((SITE / "ueber-uns" / "team.html").read_bytes())
    assert page_cards(root, "https://x.example/", defects, budget=60) and "page.time_budget" not in defects
    cards = page_cards(root, "https://x.example/", defects, budget=0.0)
    assert "page.time_budget" in defects and not [c for c in cards if c.method == "team"]
