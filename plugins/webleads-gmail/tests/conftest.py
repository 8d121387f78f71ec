"""Fixtures of the gmail plugin's tests: a Gmail stand-in on loopback per test, a token
file for it, and builders for source options and for sources whose waits are recorded
instead of slept.  Plain helpers live in :mod:`webleads_gmail.testing.helpers`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from webleads_core.components import SourceConfig
from webleads_gmail.source import GmailSource
from webleads_gmail.testing import GmailStandIn
from webleads_gmail.testing.helpers import Waits


@pytest.fixture
def standin() -> Iterator[GmailStandIn]:
    with GmailStandIn() as server:
        yield server


@pytest.fixture
def token_file(standin, tmp_path) -> Path:
    return standin.write_token_file(tmp_path / "gmail-token.json")


@pytest.fixture
def options(standin, token_file) -> Callable[..., dict[str, Any]]:
    """``options(**extra)``: the keys of a ``gmail`` table pointed at the stand-in
    (pacing off and millisecond backoff, so retries do not slow the suite; a key set
    to None is left out)."""

    def make(**extra: Any) -> dict[str, Any]:
        opts: dict[str, Any] = {"token_file": str(token_file), "api_endpoint": standin.url,
                                "allow_networks": ["127.0.0.0/8"], "max_gets_per_second": 0,
                                "backoff": 0.001, "backoff_cap": 0.01}
        opts.update(extra)
        return {k: v for k, v in opts.items() if v is not None}

    return make


@pytest.fixture
def make_gmail(options, tmp_path) -> Callable[..., GmailSource]:
    """``make_gmail(**extra)``: a GmailSource named ``gm``; its waits go to ``source.waits``."""

    def make(**extra: Any) -> GmailSource:
        src = GmailSource(SourceConfig(name="gm", type="gmail", owner="me@standin.example",
                                       options=options(**extra), base_dir=tmp_path))
        src.waits = Waits()  # type: ignore[attr-defined]
        src.sleep = src.waits
        return src

    return make
