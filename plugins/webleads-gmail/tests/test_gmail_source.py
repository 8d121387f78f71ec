"""The ``gmail`` source against the stand-in: the engine's source contract, full sync,
history-based incremental sync, resync on expired history, filters, configuration."""

from __future__ import annotations

import json

import pytest

from webleads_core.components import SourceConfig, SourceContext
from webleads_core.records import Checkpoint, Document
from webleads_core.errors import ConfigError
from webleads_core.testing.contracts import SourceContract
from webleads_gmail.errors import GmailApiError
from webleads_gmail.source import GmailSource
from webleads_gmail.testing.helpers import drain, fill


class TestGmailSourceContract(SourceContract):
    @pytest.fixture
    def make_source(self, standin, make_gmail):
        fill(standin, 30)
        return lambda: make_gmail(page_size=7, batch_size=8)


def test_full_sync_fetches_raw_in_batches_of_at_most_50(standin, make_gmail):
    ids = fill(standin, 120)
    src = make_gmail()
    out = drain(src)
    assert [d.item_id for d in out["docs"]] == list(reversed(ids))
    by_id = {d.item_id: d for d in out["docs"]}
    for mid in ids[:5]:
        assert by_id[mid].content == standin.mailbox.messages[mid].raw  # the exact RFC 822 bytes
        assert by_id[mid].kind == "email" and by_id[mid].owner == "me@standin.example"
    assert standin.batch_sizes == [50, 50, 20] and standin.calls["messages.get"] == 120
    assert src.api.stats.batch_sizes == [50, 50, 20]
    assert len(out["checkpoints"]) == 1 and out["all"][-1] is out["checkpoints"][0]


def test_batches_go_to_the_configured_endpoint(standin, make_gmail):
    fill(standin, 3)
    src = make_gmail()
    assert src.options.batch_uri == standin.url + "batch/gmail/v1"
    drain(src)
    # the library's new_batch_http_request() would have posted to Google's root URL
    assert src.api.service.new_batch_http_request()._batch_uri.startswith("https://gmail.googleapis.com/")
    assert standin.calls["batch"] == 1


def test_cursor_is_the_starting_history_id_committed_only_at_the_end(standin, make_gmail):
    fill(standin, 35)
    start = standin.mailbox.history_id
    added: list[str] = []

    def during_listing(page: list[str]) -> None:  # mail arrives while the full sync runs
        if not added:
            added.extend(fill(standin, 2, start=100))

    standin.after_list = during_listing
    src = make_gmail(page_size=10)
    out = drain(src)
    assert len(out["checkpoints"]) == 1 and out["checkpoints"][0].cursor["history_id"] == start
    assert src.stats.list_pages == 4
    standin.after_list = None
    seen = {d.item_id for d in out["docs"]}
    again = drain(src, out["checkpoints"][0].cursor, seen)
    assert again["resyncs"] == []
    # what arrived during the full sync is in the history after its starting id
    assert set(added) <= seen


def test_a_failed_full_sync_commits_nothing_and_the_rerun_skips_stored_mail(standin, make_gmail):
    fill(standin, 30)
    src = make_gmail(page_size=10, retries=2)
    # the first page is served, then the listing breaks for good
    standin.after_list = lambda page: standin.inject("messages.list", "backendError", times=1000)
    seen: set[str] = set()
    got = []
    with pytest.raises(GmailApiError) as info:
        for obj in src.read(None, SourceContext(is_seen=lambda i: i in seen)):
            got.append(obj)
            if isinstance(obj, Document):
                seen.add(obj.item_id)
    assert info.value.reason == "gmail.server_error" and len(src.waits) == 1
    assert len(seen) == 10 and not [o for o in got if isinstance(o, Checkpoint)]
    standin.after_list = None
    standin.faults.clear()
    before = standin.calls["messages.get"]
    out = drain(make_gmail(page_size=10), None, seen)
    assert standin.calls["messages.get"] - before == 20
    assert len(seen) == 30 and len(out["checkpoints"]) == 1


def test_incremental_reads_the_history_only(standin, make_gmail):
    old = fill(standin, 20)
    src = make_gmail()
    seen: set[str] = set()
    first = drain(src, None, seen)
    new = fill(standin, 5, start=50)
    standin.mailbox.delete_message(old[0])
    standin.mailbox.modify(old[1], remove=["UNREAD"])
    calls = dict(standin.calls)
    out = drain(src, first["checkpoints"][-1].cursor, seen)
    assert sorted(d.item_id for d in out["docs"]) == sorted(new)
    assert standin.calls["messages.list"] == calls["messages.list"]
    assert standin.calls["history.list"] - calls.get("history.list", 0) == 1
    assert standin.calls["messages.get"] - calls["messages.get"] == 5
    assert out["checkpoints"][-1].cursor["history_id"] == standin.mailbox.history_id
    assert src.stats.mode == "incremental"


def test_incremental_checkpoints_each_history_page_and_resumes_from_it(standin, make_gmail):
    fill(standin, 4)
    src = make_gmail(page_size=3)
    seen: set[str] = set()
    cursor = drain(src, None, seen)["checkpoints"][-1].cursor
    new = fill(standin, 8, start=40)
    objs = []
    for obj in src.read(cursor, SourceContext(is_seen=lambda i: i in seen)):
        objs.append(obj)
        if isinstance(obj, Checkpoint):
            break  # the run stops after its first committed page
        seen.add(obj.item_id)
    assert [type(o).__name__ for o in objs] == ["Document"] * 3 + ["Checkpoint"]
    mid_cursor = objs[-1].cursor
    assert cursor["history_id"] < mid_cursor["history_id"] < standin.mailbox.history_id
    out = drain(src, mid_cursor, seen)
    assert sorted(d.item_id for d in out["docs"]) == sorted(new[3:])
    hids = [c.cursor["history_id"] for c in out["checkpoints"]]
    assert hids == sorted(hids) and hids[-1] == standin.mailbox.history_id
    assert len(out["checkpoints"]) == 2  # the 5 records left, in pages of 3


def test_expired_history_means_a_full_resync_without_refetching(standin, make_gmail):
    fill(standin, 25)
    src = make_gmail()
    seen: set[str] = set()
    cursor = drain(src, None, seen)["checkpoints"][-1].cursor
    new = fill(standin, 4, start=70)
    standin.mailbox.expire_history()
    gets = standin.calls["messages.get"]
    out = drain(src, cursor, seen)
    assert out["all"][0] == out["resyncs"][0] and out["resyncs"][0].reason == "gmail history expired"
    assert sorted(d.item_id for d in out["docs"]) == sorted(new)
    assert standin.calls["messages.get"] - gets == 4  # stored messages are not fetched again
    assert out["checkpoints"][-1].cursor["history_id"] == standin.mailbox.history_id
    assert src.stats.resyncs == 1 and src.stats.skipped_seen == 25


def test_labels_by_name_and_label_added_later(standin, make_gmail):
    clients = standin.mailbox.create_label("Clients")
    tagged = fill(standin, 3, labels=("INBOX", clients))
    other = fill(standin, 4, start=10)
    src = make_gmail(labels=["clients"])
    seen: set[str] = set()
    first = drain(src, None, seen)
    assert sorted(d.item_id for d in first["docs"]) == sorted(tagged)
    standin.mailbox.modify(other[0], add=[clients])  # an old message gains the label
    fill(standin, 2, start=30)  # new mail without it
    out = drain(src, first["checkpoints"][-1].cursor, seen)
    assert [d.item_id for d in out["docs"]] == [other[0]]
    with pytest.raises(ConfigError):
        drain(make_gmail(labels=["No such label"]))


def test_query_filters_full_and_incremental_sync(standin, make_gmail):
    fill(standin, 12)
    src = make_gmail(query="subject:#1")
    seen: set[str] = set()
    first = drain(src, None, seen)
    expected = {mid for mid, m in standin.mailbox.messages.items() if b"#1" in m.raw.split(b"Subject:")[1][:60]}
    assert {d.item_id for d in first["docs"]} == expected and 0 < len(expected) < 12
    new = fill(standin, 10, start=10)  # subjects #10..#19 match, one page of history
    out = drain(src, first["checkpoints"][-1].cursor, seen)
    assert sorted(d.item_id for d in out["docs"]) == sorted(new)
    fill(standin, 3, start=20)  # #20..#22 do not match
    out = drain(src, out["checkpoints"][-1].cursor, seen)
    assert out["docs"] == [] and src.stats.mode == "incremental"


def test_changing_the_filter_resyncs(standin, make_gmail):
    fill(standin, 5)
    seen: set[str] = set()
    cursor = drain(make_gmail(), None, seen)["checkpoints"][-1].cursor
    out = drain(make_gmail(query="subject:#1"), cursor, seen)
    assert [r.reason for r in out["resyncs"]] == ["gmail filter changed"]
    assert out["checkpoints"][-1].cursor["filter"] != cursor["filter"]


def test_spam_trash_and_drafts_are_left_out_unless_asked(standin, make_gmail):
    inbox = fill(standin, 2)
    fill(standin, 1, start=5, labels=("SPAM",))
    draft = fill(standin, 1, start=6, labels=("DRAFT",))
    seen: set[str] = set()
    src = make_gmail()
    first = drain(src, None, seen)
    assert sorted(d.item_id for d in first["docs"]) == sorted(inbox)
    spam2 = fill(standin, 1, start=7, labels=("SPAM",))
    standin.mailbox.modify(spam2[0], add=["INBOX"], remove=["SPAM"])  # "not spam"
    trashed = fill(standin, 1, start=8)
    standin.mailbox.modify(trashed[0], add=["TRASH"])
    out = drain(src, first["checkpoints"][-1].cursor, seen)
    assert [d.item_id for d in out["docs"]] == spam2
    everything = drain(make_gmail(include_spam_trash=True, include_drafts=True), None, set())
    assert set(draft) < {d.item_id for d in everything["docs"]}


def test_service_objects_are_built_once(standin, make_gmail, monkeypatch):
    import webleads_gmail.api as api_module

    built = []
    real = api_module.build
    monkeypatch.setattr(api_module, "build", lambda *a, **kw: built.append(1) or real(*a, **kw))
    fill(standin, 60)
    src = make_gmail(batch_size=10)
    seen: set[str] = set()
    cursor = drain(src, None, seen)["checkpoints"][-1].cursor
    fill(standin, 30, start=100)
    drain(src, cursor, seen)
    assert built == [1] and src.api.stats.batches == 9


def test_cursor_holds_no_personal_data(standin, make_gmail):
    fill(standin, 3)
    clients = standin.mailbox.create_label("Jane Doe personal")
    standin.mailbox.add_message(b"From: a@b.example\r\n\r\nx", ("INBOX", clients))
    out = drain(make_gmail(labels=["Jane Doe personal"], query="from:jane.doe@northwind.example"))
    text = json.dumps(out["checkpoints"][-1].cursor)
    assert "@" not in text and "Jane" not in text and "northwind" not in text
    assert set(out["checkpoints"][-1].cursor) == {"v", "history_id", "filter"}


@pytest.mark.parametrize("opts, message", [
    ({"tokn_file": "x"}, "unknown keys"),
    ({"service_account_file": "sa.json", "subject": "a@b.example"}, "not both"),
    ({"token_file": None}, "set token_file"),
    ({"api_endpoint": "http://gmail.example.com/"}, "plain http only on loopback"),
    ({"api_endpoint": "ftp://127.0.0.1/"}, "http(s) URL"),
    ({"batch_size": 51}, "batch_size"),
    ({"page_size": 0}, "page_size"),
    ({"labels": "INBOX", "query": "a\nb"}, "query"),
    ({"allow_networks": ["not-a-net"]}, "allow_networks"),
    ({"subject": "a@b.example"}, "subject only applies"),
])
def test_configuration_errors_are_one_line(options, tmp_path, opts, message):
    (tmp_path / "sa.json").write_text("{}")
    with pytest.raises(ConfigError) as info:
        GmailSource(SourceConfig(name="gm", type="gmail", options=options(**opts), base_dir=tmp_path))
    assert message in str(info.value) and "\n" not in str(info.value)


def test_missing_or_broken_token_file(options, tmp_path):
    with pytest.raises(ConfigError, match="webleads gmail auth"):
        GmailSource(SourceConfig(name="gm", type="gmail", options=options(token_file="nope.json"), base_dir=tmp_path))
    (tmp_path / "bad.json").write_text('{"client_id": "x"}')
    with pytest.raises(ConfigError, match="lacks client_secret, refresh_token"):
        GmailSource(SourceConfig(name="gm", type="gmail", options=options(token_file="bad.json"), base_dir=tmp_path))


def test_registered_through_the_hooks(webleads_pm):
    from webleads_core.engine.plugins import collect
    from webleads_gmail import plugin

    webleads_pm.register(plugin)
    reg = collect(webleads_pm)
    assert "gmail" in reg.sources and "gmail" in reg.commands
