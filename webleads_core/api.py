"""The Python API an embedding application uses (re-exported by ``webleads_core``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import pluggy

from .components import SourceConfig, SourceContext
from .config import Config
from .engine.pipeline import Pipeline, build_pipeline
from .engine.progress import Progress
from .engine.run import make_policy, process_document, run_pipeline, sealed_contacts
from .records import Contact, Document, RunResult, SealedContact, Zone
from .store import SQLiteStore, open_store


def load_config(source: str | Path | Mapping[str, Any], *, base_dir: str | Path = ".") -> Config:
    """A :class:`Config` from a TOML file path or from a dict in the same shape."""
    if isinstance(source, Mapping):
        return Config.from_dict(source, base_dir=base_dir)
    return Config.from_file(source)


def run(
    config: Config | str | Path | Mapping[str, Any],
    *,
    pm: pluggy.PluginManager | None = None,
    progress: bool = False,
    executor: str = "local",
) -> RunResult:
    """Run the configured sources into the configured store, then publish to the sinks.

    ``executor``: ``local`` (default), ``processes:N``, ``dask-local:N`` or ``dask://HOST:PORT``
    (see :mod:`webleads_core.engine.executors`).
    """
    from .engine.executors import make_executor

    conf = config if isinstance(config, Config) else load_config(config)
    pipeline = build_pipeline(conf, pm=pm)
    ex = make_executor(executor, pipeline.config)
    try:
        with open_store(conf.store_url, privacy=conf.privacy, scoring=conf.scoring) as store:
            return run_pipeline(pipeline, store, progress=Progress(enabled=progress), executor=ex)
    finally:
        ex.close()


def contacts(store_url: str) -> Iterator[Contact]:
    """Iterate the published (sealed, privacy-checked) contacts of a store."""
    conf = Config(store_url=store_url)
    pipeline = build_pipeline(conf)
    with open_store(store_url) as store:
        policy = make_policy(pipeline, store)
        for record in sealed_contacts(store, policy):
            yield record.contact


def extract(
    paths: Iterable[str | Path],
    *,
    owner: str = "",
    urls: Sequence[str] = (),
    pm: pluggy.PluginManager | None = None,
    progress: bool = False,
    executor: str = "local",
) -> tuple[list[Contact], RunResult]:
    """Run the whole pipeline (privacy included) on local files without a store.

    ``paths`` are .eml files, mbox files, Maildirs, folders (and .html pages when the
    web plugin is installed); ``urls`` are crawled by the web plugin's ``web`` source.
    Returns the published contacts and the run's counts.  An in-memory store does the
    identity resolution, so the contacts are merged across the files.
    """
    from .default_plugins.local_mail import detect_source

    srcs = [detect_source(Path(p), name=f"cli{i}", owner=owner) for i, p in enumerate(paths)]
    if urls:
        srcs.append(SourceConfig(name="cli-web", type="web", owner=owner, options={"seeds": list(urls)}))
    from .engine.executors import make_executor

    pipeline = build_pipeline(Config(), pm=pm, sources=srcs)
    ex = make_executor(executor, pipeline.config)
    try:
        with SQLiteStore("sqlite:///:memory:") as store:
            result = run_pipeline(pipeline, store, progress=Progress(enabled=progress), executor=ex)
            policy = make_policy(pipeline, store)
            return [r.contact for r in sealed_contacts(store, policy)], result
    finally:
        ex.close()


def extract_bytes(
    raw: bytes, *, owner: str = "", item_id: str = "message", pm: pluggy.PluginManager | None = None
) -> list[Contact]:
    """Contacts found in one raw email (the bytes of an .eml file)."""
    pipeline = build_pipeline(Config(), pm=pm, sources=())
    with SQLiteStore("sqlite:///:memory:") as store:
        policy = make_policy(pipeline, store)
        doc = Document.from_email("bytes", item_id, raw, owner=owner)
        store.commit_batch(process_document(pipeline, doc, policy), seen=[("bytes", item_id)])
        return [r.contact for r in sealed_contacts(store, policy)]


def segment_bytes(raw: bytes, *, pm: pluggy.PluginManager | None = None) -> tuple[Zone, ...]:
    """The zones of one raw email, for research and debugging on your own files.

    This shows message text, so it is never used on the way to a store or sink.
    """
    from .mail import parse_message

    pipeline = build_pipeline(Config(), pm=pm, sources=())
    return pipeline.segmenter.segment(parse_message(raw))
