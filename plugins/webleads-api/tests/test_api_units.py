"""Small units of the rest source: pagination decisions, times of incremental sync,
secrets that never show."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

from webleads_api.incremental import Incremental, cursor_since, format_time, make_cursor, parse_time
from webleads_api.pagination import Pagination
from webleads_api.secrets import Secret

UTC = dt.timezone.utc


def test_cursor_style_stops_on_has_more_false_and_on_a_missing_cursor():
    p = Pagination.from_config({"type": "cursor", "cursor_path": "next", "param": "c",
                                "has_more_path": "has_more"}, where="p")
    url = "https://api.example/x?a=1"
    assert p.next_url(url, {}, {"next": "abc", "has_more": True}, 10, 0) == "https://api.example/x?a=1&c=abc"
    assert p.next_url(url, {}, {"next": "abc", "has_more": False}, 10, 0) is None
    assert p.next_url(url, {}, {"next": None}, 10, 0) is None
    assert p.next_url(url, {}, {"next": {"nested": 1}}, 10, 0) is None


def test_next_url_style_with_an_odata_key():
    p = Pagination.from_config({"type": "next_url", "next_path": '["@odata.nextLink"]'}, where="p")
    body = {"@odata.nextLink": "/v1.0/users?$skiptoken=X1"}
    assert p.next_url("https://graph.example/v1.0/users", {}, body, 5, 0) == \
        "https://graph.example/v1.0/users?$skiptoken=X1"


def test_offset_and_page_styles_stop_on_totals_and_short_pages():
    off = Pagination.from_config({"type": "offset", "size": 10}, where="p")
    assert off.first_url("https://a.example/x") == "https://a.example/x?limit=10&offset=0"
    assert off.next_url("https://a.example/x?limit=10&offset=0", {}, {}, 10, 0).endswith("offset=10")
    assert off.next_url("https://a.example/x", {}, {}, 7, 0) is None  # a short page
    page = Pagination.from_config({"type": "page", "total_pages_path": "pages"}, where="p")
    assert page.first_url("https://a.example/x") == "https://a.example/x?per_page=100&page=1"
    assert page.next_url("https://a.example/x", {}, {"pages": 3}, 100, 2).endswith("page=3")
    assert page.next_url("https://a.example/x", {}, {"pages": 3}, 100, 3) is None


@pytest.mark.parametrize("raw, want", [
    ("2025-03-04T10:12:00Z", dt.datetime(2025, 3, 4, 10, 12, tzinfo=UTC)),
    ("2025-03-04T11:12:00+01:00", dt.datetime(2025, 3, 4, 10, 12, tzinfo=UTC)),
    ("2025-03-04T10:12:00.250Z", dt.datetime(2025, 3, 4, 10, 12, 0, 250000, tzinfo=UTC)),
    (1741083120, dt.datetime(2025, 3, 4, 10, 12, tzinfo=UTC)),
    (1741083120000, dt.datetime(2025, 3, 4, 10, 12, tzinfo=UTC)),
    ("1741083120000", dt.datetime(2025, 3, 4, 10, 12, tzinfo=UTC)),
    ("yesterday", None), (True, None), (None, None), (1e300, None), ("9" * 50, None),
])
def test_parse_time(raw, want):
    assert parse_time(raw) == want


def test_since_formats_and_cursor():
    when = dt.datetime(2025, 3, 4, 10, 12, 0, 250000, tzinfo=UTC)
    assert format_time(when, "iso") == "2025-03-04T10:12:00Z"
    assert format_time(when, "iso_ms") == "2025-03-04T10:12:00.250Z"
    assert format_time(when, "epoch") == "1741083120"
    assert format_time(when, "epoch_ms") == "1741083120250"
    inc = Incremental.from_config({"param": "filter", "template": 'meta.lastModified ge "{since}"',
                                   "overlap": 60}, where="i")
    assert inc.query_value(when) == 'meta.lastModified ge "2025-03-04T10:11:00Z"'
    cursor = make_cursor(when)
    assert cursor == {"v": 1, "since": "2025-03-04T10:12:00.250Z", "since_ms": 1741083120250}
    assert cursor_since(cursor) == when and cursor_since({"v": 2, "since": "x"}) is None


def test_secrets_never_show():
    s = Secret("hunter2-token")
    assert "hunter2" not in repr(s) and "hunter2" not in str(s) and "hunter2" not in f"{s}"
    with pytest.raises(TypeError):
        pickle.dumps(s)
