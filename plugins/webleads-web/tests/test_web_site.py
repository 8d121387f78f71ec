"""Acceptance: `webleads run` with a `web` source crawls the example site on loopback and
stores its contacts with provenance; `webleads extract` reads .html files and --url."""

from __future__ import annotations

import json

from webleads_core.testing.helpers import run_cli
from webleads_web.testing import example_site

EXPECTED = json.loads((example_site() / "EXPECTED.json").read_text(encoding="utf-8"))
EXPECTED_PEOPLE = EXPECTED["people"]


def _config(tmp_path, site, **extra) -> str:
    opts = "".join(f"{k} = {json.dumps(v)}\n" for k, v in extra.items())
    conf = tmp_path / "webleads.toml"
    conf.write_text(f"""
[store]
url = "sqlite:///contacts.db"

[[sources]]
type = "web"
name = "brightwater"
seeds = ["{site.url('/')}"]
allow_networks = ["127.0.0.0/8"]
rate = 50
{opts}""", encoding="utf-8")
    return str(conf)


def test_webleads_run_crawls_the_site_and_stores_contacts_with_provenance(tmp_path, site):
    conf = _config(tmp_path, site)
    res = run_cli("run", "-c", conf, "--format", "json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout)
    assert summary["items"] == EXPECTED["pages"] and summary["skipped"] == 0
    res = run_cli("contacts", "list", "-c", conf, "--format", "json", cwd=tmp_path)
    contacts = json.loads(res.stdout)
    by_email = {e: c for c in contacts for e in c["emails"]}
    for email, want in EXPECTED_PEOPLE.items():
        got = by_email[email]
        assert (got["name"], got["title"], got["kind"]) == (want["name"], want["title"], "person")
        assert {p["number"] for p in got["phones"]} == set(want["phones"])
        assert set(got["social"].values()) == set(want["social"])
    want = EXPECTED["organisation"]
    org = by_email[want["email"]]
    assert org["kind"] == "role" and org["company"] == want["company"]
    assert set(want["phones"]) <= {p["number"] for p in org["phones"]}
    assert set(want["emails"]) <= set(org["emails"])
    assert set(want["social"]) <= set(org["social"].values())
    every = {e for c in contacts for e in c["emails"]}
    assert set(EXPECTED["also"]) <= every
    # junk never stored: image names, template strings, the form placeholder
    assert not any(bad in e for e in every for bad in EXPECTED["never"])
    # provenance: every value names its page, extractor and method
    res = run_cli("contacts", "show", "tobias.okafor@brightwater-analytics.example", "-c", conf,
                  "--format", "json", cwd=tmp_path)
    shown = json.loads(res.stdout)[0]
    methods = {(e["field"], e["method"]) for e in shown["evidence"]}
    # his address is behind Cloudflare's email protection on the team page
    assert ("email", "cloudflare") in methods and ("phone", "team") in methods and ("title", "team") in methods
    assert all(e["extractor"] == "page-team" for e in shown["evidence"])
    pages = {e["item_id"] for e in shown["evidence"]}
    assert pages == {site.url("/ueber-uns/team.html")}
    assert all(e["span_start"] and e["span_end"] == e["span_start"] + 1 for e in shown["evidence"])
    from webleads_core.store import open_store

    with open_store(f"sqlite:///{tmp_path / 'contacts.db'}") as store:
        for email, want in EXPECTED_PEOPLE.items():
            (cid,) = store.find(email)
            assert {e["method"] for e in store.evidence_of(cid)} >= set(want["methods"])


def test_rerun_is_incremental(tmp_path, site):
    conf = _config(tmp_path, site)
    assert run_cli("run", "-c", conf, cwd=tmp_path).returncode == 0
    before = len(json.loads(run_cli("contacts", "list", "-c", conf, "--format", "json", cwd=tmp_path).stdout))
    site.hits.clear()
    res = run_cli("run", "-c", conf, "--format", "json", cwd=tmp_path)
    assert json.loads(res.stdout)["items"] == 1  # only the seed is read again; the rest answered 304
    assert sum(1 for h in site.hits if "if-none-match" in h.headers) == 8
    after = json.loads(run_cli("contacts", "list", "-c", conf, "--format", "json", cwd=tmp_path).stdout)
    assert len(after) == before


def test_extract_html_files_and_folder(tmp_path):
    site_dir = example_site()
    res = run_cli("extract", str(site_dir / "ueber-uns" / "team.html"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    emails = {e for line in res.stdout.splitlines() for e in json.loads(line)["emails"]}
    assert set(EXPECTED_PEOPLE) <= emails
    res = run_cli("extract", str(site_dir), "--format", "csv", cwd=tmp_path)
    assert res.returncode == 0 and "info@brightwater-analytics.example" in res.stdout


def test_extract_url_crawls_with_the_network_flag_from_the_environment(tmp_path):
    # `extract --url` crawls at the default 1 request/s: a one-page site keeps this short
    from webleads_core.net.testserver import LoopbackServer, reply

    page = ('<html lang="de-DE"><body><div class="member"><h3>Dr. Jana Becker</h3><p>Geschäftsführerin</p>'
            '<a href="mailto:jana.becker@brightwater-analytics.example">E-Mail</a></div></body></html>')
    with LoopbackServer({"/": lambda r: reply(200, page)}) as srv:
        res = run_cli("extract", "--url", srv.url("/"), cwd=tmp_path,
                      env={"WEBLEADS_WEB_ALLOW_NETWORKS": "127.0.0.0/8"})
        assert res.returncode == 0, res.stderr
        (contact,) = [json.loads(line) for line in res.stdout.splitlines()]
        assert contact["emails"] == ["jana.becker@brightwater-analytics.example"]
        assert (contact["name"], contact["title"]) == ("Jana Becker", "Geschäftsführerin")
        # without the flag loopback is refused: nothing fetched, the seed counted as skipped
        srv.hits.clear()
        res = run_cli("extract", "--url", srv.url("/"), cwd=tmp_path, env={"WEBLEADS_WEB_ALLOW_NETWORKS": ""})
        assert srv.hits == [] and res.stdout == "" and "robots.unavailable 1" in res.stderr


def test_strict_rule_drops_deobfuscated_values_in_a_run(web_plugin, webleads_register, webleads_run, site):
    from webleads_web import strict

    webleads_register(strict)
    out = webleads_run({"sources": [{"type": "web", "name": "s", "seeds": [site.url("/")],
                                     "allow_networks": ["127.0.0.0/8"], "rate": 100}]})
    emails = {e for c in out.contacts for e in c.emails}
    # Tobias's address is only behind Cloudflare protection and Maja's only in [at]/[dot] form
    assert "tobias.okafor@brightwater-analytics.example" not in emails
    assert "maja.lindqvist@brightwater-analytics.example" not in emails
    assert "jana.becker@brightwater-analytics.example" in emails
