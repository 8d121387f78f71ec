"""The scoring rules, one at a time, on hand-made evidence."""

from __future__ import annotations

import datetime as dt

import pytest

from webleads_core import Evidence
from webleads_core.errors import ConfigError
from webleads_core.scoring import (MethodPriorScorer, ScoringConfig, evaluate, group_key, method_prior, observations,
                                   relationships)
from webleads_core.store import SQLiteStore

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
SUBJ = "email:jane@acme.example"


def ev(field, value, *, owner="", item="i1", day=0, conf=0.8, source="s", method="signature", role="sender",
       subject=SUBJ):
    return Evidence(field=field, value=value, subject=subject, item_id=item, owner=owner, source=source,
                    extractor="t", method=method, confidence=conf, role=role,
                    observed_at=T0 + dt.timedelta(days=day))


def rows(evidence):
    return [(e.field, e.value, e.subtype, e.kind, e.role, e.source, e.item_id, e.owner, e.extractor, e.method,
             e.observed_at, e.confidence) for e in evidence]


def states(evidence, **cfg):
    return evaluate(observations(rows(evidence)), ScoringConfig(**cfg))


def test_structured_data_and_signatures_weigh_more_than_free_text():
    s = MethodPriorScorer()
    assert method_prior("jsonld") > method_prior("signature") > method_prior("text")
    assert s.score(ev("phone", "+441", method="record", conf=0.9)) > s.score(ev("phone", "+441", method="text",
                                                                               conf=0.9))
    assert 0 <= s.score(ev("title", "CTO", conf=1.5 / 1.5)) <= 1


def test_repeats_inside_one_owner_site_or_source_count_once():
    assert group_key("s", "https://www.acme.example/team", "a@x.example") == group_key("t", "http://acme.example/", "")
    assert group_key("s", "msg1", "a@x.example") == group_key("s2", "msg9", "A@X.example")
    assert group_key("s", "msg1", "a@x.example") != group_key("s", "msg1", "b@x.example")
    # fifty copies of one owner's signature are one observation: not published with k=2
    same = [ev("title", "CTO", owner="a@x.example", item=f"m{i}", day=i) for i in range(50)]
    t = states(same)["title"]
    assert t.network == () and t.current == ("CTO",) and t.value("CTO").support == 1
    # two owners are two
    t = states(same + [ev("title", "CTO", owner="b@y.example", item="n1", day=3)])["title"]
    assert t.network == ("CTO",) and t.value("CTO").support == 2


def test_k_and_threshold_are_configurable():
    two = [ev("company", "Acme", owner="a@x.example", conf=0.5), ev("company", "Acme", owner="b@y.example",
                                                                     item="i2", conf=0.5)]
    assert states(two)["company"].network == ("Acme",)                    # 1 - 0.5 * 0.5 = 0.75 >= 0.6
    assert states(two, threshold=0.8)["company"].network == ()
    assert states(two, k=3)["company"].network == ()
    assert states(two[:1], k=1)["company"].network == ()                  # 0.5 < 0.6
    assert states(two[:1], k=1, threshold=0.5)["company"].network == ("Acme",)
    with pytest.raises(ConfigError):
        ScoringConfig(k=0)
    with pytest.raises(ConfigError):
        ScoringConfig.from_dict({"threshold": 2})
    with pytest.raises(ConfigError):
        ScoringConfig.from_dict({"k": 2, "typo": 1})


def test_recency_follows_the_half_life():
    old = [ev("title", "Engineer", owner="a@x.example", day=0, conf=0.9)]
    new = [ev("title", "Manager", owner="a@x.example", item="i2", day=200, conf=0.6)]
    # one year half-life: 0.9 two hundred days ago (0.61) still beats a fresh 0.6
    assert states(old + new)["title"].current == ("Engineer",)
    # thirty-day half-life: it does not
    assert states(old + new, half_life_days=30)["title"].current == ("Manager",)
    c = states(old + new, half_life_days=30)["title"].value("Engineer").confidence
    assert c == 0.0  # nobody believes it any more, but it stays in the history
    assert [v.value for v in states(old + new, half_life_days=30)["title"].values] == ["Engineer", "Manager"]


def test_a_newer_value_with_support_supersedes_and_a_lone_one_does_not():
    owners = ["a@x.example", "b@y.example", "c@z.example"]
    evs = [ev("company", "Acme", owner=o, item=f"{o}-1", day=i) for i, o in enumerate(owners)]
    evs.append(ev("company", "Noise Inc", owner=owners[2], item="noise", day=50))
    t = states(evs)["company"]
    assert t.network == ("Acme",) and [x.after for x in t.transitions] == ["Acme"]
    evs += [ev("company", "Globex", owner=owners[0], item="g1", day=100),
            ev("company", "Globex", owner=owners[1], item="g2", day=120)]
    t = states(evs)["company"]
    assert t.network == ("Globex",)
    assert [(x.before, x.after, x.at.date()) for x in t.transitions] == [
        (None, "Acme", (T0 + dt.timedelta(days=1)).date()), ("Acme", "Globex", (T0 + dt.timedelta(days=120)).date())]
    assert {v.value: v.status for v in t.values} == {"Acme": "superseded", "Noise Inc": "private", "Globex": "current"}


def test_relationship_strength_uses_metadata_only():
    now = T0 + dt.timedelta(days=400)
    both = [ev("email", "jane@acme.example", owner="a@x.example", item=f"in{i}", day=380 + i, method="header")
            for i in range(6)]
    both += [ev("email", "jane@acme.example", owner="a@x.example", item=f"out{i}", day=381 + i, method="header",
                role="recipient") for i in range(6)]
    stale = [ev("email", "jane@acme.example", owner="b@y.example", item=f"s{i}", day=i, method="header")
             for i in range(12)]
    rel = {r.owner: r for r in relationships(observations(rows(both + stale)), now)}
    a, b = rel["a@x.example"], rel["b@y.example"]
    assert (a.messages, a.inbound, a.outbound) == (12, 6, 6) and (b.inbound, b.outbound) == (12, 0)
    assert a.strength > 0.8 and b.strength < 0.2  # the same count, but long ago and one way only
    # signature values (content) do not make a relationship
    sig_only = [ev("title", "CTO", owner="c@z.example", item=f"c{i}", day=399) for i in range(20)]
    assert relationships(observations(rows(sig_only)), now) == []


def test_the_subjects_correction_outranks_the_crowd_and_raises_no_event(tmp_path):
    with SQLiteStore(f"sqlite:///{tmp_path / 's.db'}") as s:
        s.commit_batch([ev("email", "jane@acme.example", owner=o, item=o, day=i, method="header")
                        for i, o in enumerate(["a@x.example", "b@y.example", "c@z.example"])]
                       + [ev("title", "CTO", owner=o, item=o, day=i)
                          for i, o in enumerate(["a@x.example", "b@y.example", "c@z.example"])])
        (cid,) = s.contact_ids()
        s.set_pin(cid, "title", "Chief Technology Officer")
        s.commit_batch([ev("title", "CEO", owner=o, item=o + "2", day=90 + i)
                        for i, o in enumerate(["a@x.example", "b@y.example"])])
        (c,) = s.contacts()
        assert c.title == "Chief Technology Officer" and dict(c.confidence)["title"] == 1.0
        assert s.field_states(cid)["title"].network == ("CEO",)  # the crowd moved; the subject still wins
        assert not [e for e in s.changes() if e.kind == "job"]


def test_scoring_settings_live_in_the_store_and_are_audited(tmp_path):
    db = tmp_path / "s.db"
    with SQLiteStore(f"sqlite:///{db}") as s:
        s.commit_batch([ev("title", "CTO", owner="a@x.example"), ev("email", "jane@acme.example", owner="a@x.example",
                                                                      method="header")])
        assert next(s.contacts(view="network"), None) is None
    with SQLiteStore(f"sqlite:///{db}", scoring={"k": 1}) as s:
        assert next(s.contacts(view="network")).title == "CTO"
        assert any(e["action"] == "config.change" and "scoring" in str(e["detail"]) for e in s.audit_entries())
    with SQLiteStore(f"sqlite:///{db}") as s:  # remembered
        assert s.scoring.k == 1
        with pytest.raises(ValueError):
            list(s.contacts(view="owner"))


def _hostile(n):
    # one owner's source invents a new title in every message, and 200 owners agree on a phone
    evs = [ev("title", f"Title {i}", owner="a@x.example", item=f"m{i}", day=i / 100) for i in range(n)]
    evs += [ev("phone", "+447911123456", owner=f"o{i}@x.example", item=f"p{i}", day=i / 10) for i in range(200)]
    st = states(evs)
    return st["title"].current, len(st["title"].values), st["phone"].network


def test_a_hostile_source_inventing_values_stays_bounded():
    from webleads_core.testing.bounded import run_bounded

    current, n_values, phones = run_bounded(_hostile, 20_000, cpu_seconds=10.0, memory_mb=400)
    assert current == ("Title 19999",) and n_values == 20_000  # each kept in the history, none published
    assert phones == ("+447911123456",)


def test_scoring_table_in_the_config(tmp_path):
    import webleads_core as wl

    conf = wl.load_config({"scoring": {"k": 3, "half_life_days": 90}}, base_dir=tmp_path)
    assert conf.scoring.k == 3 and conf.scoring.half_life_days == 90
    for bad in ({"k": 0}, {"k": 2.5}, {"threshold": 2}, {"nope": 1}):
        with pytest.raises(wl.ConfigError):
            wl.load_config({"scoring": bad}, base_dir=tmp_path)
