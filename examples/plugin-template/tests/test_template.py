"""The template plugin's tests: the sink contract suite, and a real run through the engine."""

from __future__ import annotations

import pytest

from webleads_core import SinkConfig
from webleads_core.testing.contracts import SinkContract
from webleads_template import plugin


class TestMarkdownSink(SinkContract):
    @pytest.fixture
    def make_sink(self, tmp_path):
        return lambda: plugin.MarkdownSink(SinkConfig(type="markdown", options={"path": "out.md"},
                                                       base_dir=tmp_path))

    @pytest.fixture
    def read_output(self, tmp_path):
        return lambda: (tmp_path / "out.md").read_text()


def test_plugin_runs_in_a_pipeline(webleads_register, webleads_run, webleads_sample_mail, tmp_path):
    webleads_register(plugin)
    outcome = webleads_run({
        "sources": [{"type": "eml", "name": "s", "owner": "me@webleads-demo.example",
                     "path": str(webleads_sample_mail)}],
        "sinks": [{"type": "markdown", "path": "contacts.md"}],
    })
    assert outcome.result.processed == 3
    table = (tmp_path / "contacts.md").read_text()
    assert "jane.doe@northwind-logistics.example" in table
    jane = next(c for c in outcome.contacts if "jane.doe@northwind-logistics.example" in c.emails)
    assert jane.title == "Head of Operations"


def test_rule_in_a_pipeline(webleads_pm, webleads_run, webleads_sample_mail):
    from webleads_core import hookimpl

    class Rules:
        @hookimpl
        def register_privacy_rules(self, register):
            register("template-no-quoted-titles", plugin.no_titles_from_quoted_mail)

    webleads_pm.register(Rules())
    outcome = webleads_run({"sources": [{"type": "eml", "name": "s", "owner": "me@webleads-demo.example",
                                         "path": str(webleads_sample_mail)}]})
    # Jane's own message still gives her title; no title comes from a quoted signature alone
    jane = next(c for c in outcome.contacts if "jane.doe@northwind-logistics.example" in c.emails)
    assert jane.title == "Head of Operations"


def test_rule_drops_quoted_titles():
    from webleads_core import Evidence

    ev = Evidence(field="title", value="CEO", subject="email:a@b.example", role="quoted")
    assert plugin.no_titles_from_quoted_mail(ev) is False
    assert plugin.no_titles_from_quoted_mail(Evidence(field="title", value="CEO", subject="x")) is True
