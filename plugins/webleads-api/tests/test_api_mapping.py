"""The mapping language: paths, rules, normalisation of values."""

from __future__ import annotations

import pytest

from webleads_api.mapping import Mapping, parse_rules
from webleads_api.normalise import normalise, phone_e164, type_of
from webleads_api.paths import MAX_MATCHES, parse_path
from webleads_core.errors import ConfigError

RECORD = {
    "id": 7,
    "properties": {"email": "Jane.Doe@Northwind.EXAMPLE", "firstname": "Jane", "lastname": "Doe"},
    "phones": [{"value": "+44 20 7946 0958", "type": "work"}, {"value": "+1 212 555 0199", "type": "Cell"},
               {"value": "+44 20 7946 0000", "type": "home"}],
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"organization": "Northwind"},
    "socials": [{"network": "LinkedIn", "url": "https://www.linkedin.com/in/janedoe"},
                {"network": "twitter", "url": "@janedoe"}],
    "tags": ["a", "b"],
    "a.b": {"c": "dotted"},
}


def test_paths_resolve_keys_indexes_and_quoted_keys():
    assert parse_path("properties.email").first(RECORD) == "Jane.Doe@Northwind.EXAMPLE"
    assert [v for v, _ in parse_path("phones[*].value").resolve(RECORD)] == [
        "+44 20 7946 0958", "+1 212 555 0199", "+44 20 7946 0000"]
    assert parse_path("phones[1].type").first(RECORD) == "Cell"
    assert parse_path("phones[-1].type").first(RECORD) == "home"
    assert parse_path('["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].organization') \
        .first(RECORD) == "Northwind"
    assert parse_path('["a.b"].c').first(RECORD) == "dotted"
    assert parse_path("[0]").first([1, 2]) == 1


def test_paths_are_strict():
    assert parse_path("phones.value").resolve(RECORD) == []     # a key applied to a list
    assert parse_path("properties[0]").resolve(RECORD) == []    # an index applied to an object
    assert parse_path("phones[9].value").resolve(RECORD) == []
    assert parse_path("nothing.here").first(RECORD) is None


def test_the_holder_of_a_list_element_is_the_element():
    (value, holder), *_ = parse_path("phones[*].value").resolve(RECORD)
    assert holder == RECORD["phones"][0]


def test_resolution_is_bounded():
    big = {"xs": [{"v": str(i)} for i in range(1_000_000)]}
    assert len(parse_path("xs[*].v").resolve(big)) == MAX_MATCHES


@pytest.mark.parametrize("bad", ["", "a..b", "a.", "a[", "a[x]", 'a["unterminated', "a]b", "x" * 600,
                                 ".".join(["k"] * 40)])
def test_malformed_paths_are_config_errors(bad):
    with pytest.raises(ConfigError):
        parse_path(bad)


def test_rules_read_paths_joins_constants_and_sibling_types():
    rules = parse_rules({
        "email": "properties.email",
        "name": {"join": ["properties.firstname", "properties.lastname"]},
        "company": {"const": "Northwind Logistics"},
        "phone": {"path": "phones[*].value", "type_from": "type"},
        "social": {"path": "socials[*].url", "type_from": "network"},
    }, where="mapping")
    triples = Mapping(rules=rules).apply(RECORD)
    assert triples == (
        ("email", "jane.doe@northwind.example", None),
        ("name", "Jane Doe", None),
        ("company", "Northwind Logistics", None),
        ("phone", "+442079460958", "work"),
        ("phone", "+12125550199", "mobile"),
        ("social", "https://www.linkedin.com/in/janedoe", "linkedin"),
        ("social", "https://twitter.com/janedoe", "twitter"),
    )  # the home phone was dropped


def test_types_table_overrides_and_required_rules():
    rules = parse_rules({"phone": {"path": "phones[*].value", "type_from": "type",
                                   "types": {"home": "other", "cell": "skip"}},
                         "email": {"path": "properties.email", "required": True}}, where="m")
    triples = Mapping(rules=rules).apply(RECORD)
    assert {(v, s) for f, v, s in triples if f == "phone"} == {("+442079460958", "work"),
                                                                ("+442079460000", "other")}
    m = Mapping(rules=rules)
    assert m.apply({"phones": []}) is None and m.defects["mapping.required_missing"] == 1


def test_unmatched_rules_are_reported_by_label():
    m = Mapping(rules=parse_rules({"email": "properties.email", "title": "properties.jobtitle"}, where="m"))
    m.apply(RECORD)
    assert m.unmatched() == ["title = properties.jobtitle"]


def test_invalid_values_are_dropped_and_counted():
    m = Mapping(rules=parse_rules({"email": "e", "phone": "p", "website": "w", "name": "n"}, where="m"))
    assert m.apply({"e": "not-an-email", "p": "12", "w": "javascript:alert(1)", "n": "x@y.z"}) == ()
    assert set(m.defects) == {"mapping.invalid_email", "mapping.invalid_phone", "mapping.invalid_website",
                              "mapping.invalid_name"}


@pytest.mark.parametrize("raw, region, want", [
    ("+44 20 7946 0958", None, "+442079460958"),
    ("tel:+1-418-656-9254;ext=102", None, "+14186569254"),
    ("020 7946 0958", "GB", "+442079460958"),
    ("(212) 555-0199", None, "+12125550199"),
    ("12", None, None),
    ("+" + "9" * 300, None, None),
    ("call me maybe", None, None),
])
def test_phone_normalisation(raw, region, want):
    assert phone_e164(raw, region) == want


@pytest.mark.parametrize("words, want", [
    (["work", "voice"], "work"), (["cell", "voice"], "mobile"), (["work", "fax"], "fax"), (["voice"], "other"),
    (["home"], "skip"), (["home", "cell"], "mobile"), (["home", "fax"], "skip"), (["Work Fax"], "fax"),
    (["* Work"], "work"), (["internet", "pref"], None), (["_$!<Mobile>!$_"], "mobile"),
])
def test_type_words(words, want):
    assert type_of(words) == want


def test_names_titles_and_addresses_are_cleaned():
    assert normalise("name", "Doe, Jane", None) == ("name", "Jane Doe", None)
    assert normalise("name", "Acme Corp 2", None) == ("name", "Acme Corp 2", None)  # an organisation
    assert normalise("address", "1 Dock Road\nLondon\n", None) == ("address", "1 Dock Road, London", None)
    assert normalise("title", "CEO\u202e", None) == ("title", "CEO", None)
    assert normalise("title", "x" * 500, None) is None
    assert normalise("website", "WWW.Northwind.example/?utm_source=x", None) == (
        "website", "https://www.northwind.example", None)
