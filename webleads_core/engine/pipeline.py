"""Building a frozen pipeline from a configuration and a plugin manager."""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

import attrs
import pluggy

from ..components import Extractor, Segmenter, Sink, Source, SourceConfig
from ..config import Config
from ..errors import ConfigError, PluginError
from .plugins import Registry, collect, create_plugin_manager


@attrs.frozen
class Pipeline:
    """Everything a run needs, resolved and validated once.

    The stage order is fixed by :mod:`webleads_core.engine.run`; a pipeline only
    says *which* components fill the plugin stages.

    Attributes:
        config: the configuration it was built from.
        registry: every registered component (also those not used here).
        sources: ``(config, source)`` pairs in config order.
        segmenter: the segmenter for email.
        extractors: ``(name, extractor)`` in registration order.
        scorers: ``(name, scorer)`` in registration order.
        sinks: ``(type, sink)`` in config order.
        privacy_rules: the plugins' tightening rules.
    """

    config: Config
    registry: Registry = attrs.field(repr=False)
    sources: tuple[tuple[SourceConfig, Source], ...] = ()
    segmenter: Segmenter | None = None
    extractors: tuple[tuple[str, Extractor], ...] = ()
    scorers: tuple[tuple[str, Any], ...] = ()
    sinks: tuple[tuple[str, Sink], ...] = ()
    privacy_rules: tuple[tuple[str, Any], ...] = ()
    extra_redact: tuple[re.Pattern[str], ...] = ()


def build_pipeline(
    config: Config | Mapping[str, Any],
    *,
    pm: pluggy.PluginManager | None = None,
    plugins: Iterable[Any] = (),
    sources: Iterable[SourceConfig] | None = None,
) -> Pipeline:
    """Validate the config against the registered components and build the pipeline.

    Args:
        config: a :class:`Config` or the same as a dict (TOML shape).
        pm: a plugin manager; a fresh one (:func:`create_plugin_manager`) by default.
        plugins: extra plugin objects for a fresh manager.
        sources: use these source configs instead of the config's (``webleads extract``).
    """
    if not isinstance(config, Config):
        config = Config.from_dict(config)
    if pm is None:
        pm = create_plugin_manager(plugins=plugins)
    reg = collect(pm)
    built_sources = []
    for sc in (config.sources if sources is None else tuple(sources)):
        if sc.type not in reg.sources:
            raise ConfigError(f"source {sc.name!r}: unknown type {sc.type!r}; installed: "
                              f"{', '.join(sorted(reg.sources)) or 'none'}")
        built_sources.append((sc, _build(reg.sources[sc.type].obj, sc, f"source {sc.name!r}")))
    built_sinks = []
    for sk in config.sinks:
        if sk.type not in reg.sinks:
            raise ConfigError(f"sink {sk.type!r}: unknown type; installed: "
                              f"{', '.join(sorted(reg.sinks)) or 'none'}")
        built_sinks.append((sk.type, _build(reg.sinks[sk.type].obj, sk, f"sink {sk.type!r}")))
    try:
        seg_name = reg.segmenter_name(config.segmenter)
    except PluginError as exc:
        raise ConfigError(str(exc)) from None
    segmenter = reg.segmenters[seg_name].obj
    patterns = []
    for p in config.privacy.extra_redact:
        try:
            patterns.append(re.compile(p))
        except re.error as exc:
            raise ConfigError(f"privacy.extra_redact: bad pattern: {exc}") from None
    # an extractor may declare `replaces = ("name", ...)`: a trained tagger takes the
    # place of the rule-based one whenever its plugin is installed
    # An extractor that declares `pairs_with = "<segmenter>"` is used only with that segmenter
    # (a tagger trained on a segmenter's blocks); it is left out, and replaces nothing, otherwise.
    extractors = [r for r in reg.extractors.values()
                  if getattr(r.obj, "pairs_with", None) in (None, seg_name)]
    replaced = {n for r in extractors for n in getattr(r.obj, "replaces", ())}
    return Pipeline(
        config=config,
        registry=reg,
        sources=tuple(built_sources),
        segmenter=segmenter,
        extractors=tuple((r.name, r.obj) for r in extractors if r.name not in replaced),
        scorers=tuple((r.name, r.obj) for r in reg.scorers.values()),
        sinks=tuple(built_sinks),
        privacy_rules=tuple((r.name, r.obj) for r in reg.privacy_rules.values()),
        extra_redact=tuple(patterns),
    )


def _build(factory: Any, conf: Any, what: str) -> Any:
    try:
        return factory(conf)
    except (ConfigError, PluginError):
        raise
    except Exception as exc:
        raise ConfigError(f"{what}: {type(exc).__name__}: {exc}") from None
