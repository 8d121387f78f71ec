"""The pytest plugin for webleads plugin authors (loaded automatically through the
``pytest11`` entry point).

Fixtures:
    webleads_pm: a fresh plugin manager with the core's defaults and no autoloaded
        plugins, so a test sees exactly what it registers.
    webleads_register: ``webleads_register(plugin)`` registers a plugin object or module
        into ``webleads_pm`` for this test only.
    webleads_run: ``webleads_run(config_dict)`` builds a pipeline on ``webleads_pm``,
        runs it into a store in ``tmp_path`` and returns a :class:`RunOutcome`.
    webleads_sample_mail: a few realistic .eml messages written to a temp folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

import attrs
import pytest

from ..config import Config
from ..engine.pipeline import build_pipeline
from ..engine.plugins import create_plugin_manager
from ..engine.run import make_policy, run_pipeline, sealed_contacts
from ..records import Contact, RunResult
from ..store import open_store
from .samples import write_sample_mail


@attrs.frozen
class RunOutcome:
    """What :func:`webleads_run` returns.

    Attributes:
        result: the run's counts.
        contacts: the published contacts afterwards.
        store_path: the SQLite file, to inspect or search.
    """

    result: RunResult
    contacts: tuple[Contact, ...]
    store_path: Path


@pytest.fixture
def webleads_pm():
    return create_plugin_manager(autoload=False)


@pytest.fixture
def webleads_register(webleads_pm) -> Callable[[Any], Any]:
    registered = []

    def register(plugin: Any) -> Any:
        webleads_pm.register(plugin)
        registered.append(plugin)
        webleads_pm.check_pending()
        return plugin

    yield register
    for plugin in registered:
        if webleads_pm.is_registered(plugin):
            webleads_pm.unregister(plugin)


@pytest.fixture
def webleads_run(webleads_pm, tmp_path) -> Callable[[Mapping[str, Any]], RunOutcome]:
    def run(config: Mapping[str, Any]) -> RunOutcome:
        data = dict(config)
        data.setdefault("store", {"url": "sqlite:///store.db"})
        conf = Config.from_dict(data, base_dir=tmp_path)
        pipeline = build_pipeline(conf, pm=webleads_pm)
        with open_store(conf.store_url, privacy=conf.privacy, scoring=conf.scoring) as store:
            result = run_pipeline(pipeline, store)
            policy = make_policy(pipeline, store)
            contacts = tuple(r.contact for r in sealed_contacts(store, policy))
        return RunOutcome(result=result, contacts=contacts,
                          store_path=Path(conf.store_url[len("sqlite:///"):]))

    return run


@pytest.fixture
def webleads_sample_mail(tmp_path) -> Path:
    return write_sample_mail(tmp_path / "sample-mail")
