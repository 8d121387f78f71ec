"""The plugin manager factory and the typed registry built from it.

One plugin manager per pipeline, never a module-level global: an application may
embed several pipelines with different plugins.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any, Callable, Iterable

import attrs
import pluggy

from .. import hookspecs
from ..errors import PluginError

log = logging.getLogger("webleads.plugins")

ENTRY_POINT_GROUP = "webleads"
DISABLE_AUTOLOAD_ENV = "WEBLEADS_DISABLE_PLUGIN_AUTOLOAD"
TRACE_ENV = "WEBLEADS_TRACE_PLUGINS"

#: Plugins that always load first and cannot be blocked: the core's own components.
ESSENTIAL_PLUGINS = ("webleads_core.default_plugins",)


def create_plugin_manager(
    *, autoload: bool | None = None, plugins: Iterable[Any] = (), defaults: bool = True
) -> pluggy.PluginManager:
    """Build a fresh plugin manager.

    Args:
        autoload: load entry points of group ``webleads``; default True unless
            ``WEBLEADS_DISABLE_PLUGIN_AUTOLOAD`` is set.
        plugins: extra plugin objects or modules to register (apps, tests).
        defaults: register the core's default plugins (local mail, rule-based
            segmenter, file sinks).
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    if defaults:
        from ..default_plugins import DEFAULT_PLUGINS

        for mod in DEFAULT_PLUGINS:
            pm.register(mod, name=mod.__name__)
    if autoload is None:
        autoload = not os.environ.get(DISABLE_AUTOLOAD_ENV)
    if autoload:
        try:
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        except Exception as exc:  # a broken plugin must not take the CLI down silently
            raise PluginError(f"could not load plugins: {type(exc).__name__}: {exc}") from exc
    for plugin in plugins:
        if not pm.is_registered(plugin):
            pm.register(plugin)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin implements an unknown hook: {exc}") from exc
    if os.environ.get(TRACE_ENV):
        pm.trace.root.setwriter(lambda s: sys.stderr.write(s))
        pm.enable_tracing()
    return pm


def lazy_factory(target: str) -> Callable[[Any], Any]:
    """A source or sink factory that imports ``"package.module:Name"`` when a component is
    built, and returns ``Name(config)``.

    Every ``webleads`` process and every worker loads all installed plugins; registering
    ``lazy_factory("my_plugin.source:MySource")`` instead of the class keeps that cheap when
    a run uses none of the plugin's components (a crawler or IMAP client imported for
    nothing costs tens of milliseconds per process)."""
    module, _, name = target.partition(":")
    if not module or not name:
        raise ValueError(f"lazy_factory needs 'package.module:Name', not {target!r}")

    def factory(config: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(module), name)(config)

    factory.__name__ = factory.__qualname__ = name
    factory.__doc__ = f"Builds :class:`{module}.{name}` (imported on first use)."
    return factory


@attrs.frozen
class Registered:
    """One component a plugin registered."""

    hook: str
    name: str
    obj: Any = attrs.field(repr=False)
    plugin: str
    priority: int = 0
    extra: tuple[Any, ...] = attrs.field(default=(), repr=False)


@attrs.frozen
class Registry:
    """Every component the plugins registered, by kind, with who registered it."""

    sources: dict[str, Registered] = attrs.field(factory=dict, hash=False)
    segmenters: dict[str, Registered] = attrs.field(factory=dict, hash=False)
    extractors: dict[str, Registered] = attrs.field(factory=dict, hash=False)
    scorers: dict[str, Registered] = attrs.field(factory=dict, hash=False)
    sinks: dict[str, Registered] = attrs.field(factory=dict, hash=False)
    privacy_rules: dict[str, Registered] = attrs.field(factory=dict, hash=False)
    commands: dict[str, Registered] = attrs.field(factory=dict, hash=False)

    def all(self) -> list[Registered]:
        out: list[Registered] = []
        for kind in attrs.fields(Registry):
            out.extend(getattr(self, kind.name).values())
        return out

    def best_segmenter(self, name: str | None = None) -> Any:
        return self.segmenters[self.segmenter_name(name)].obj

    def segmenter_name(self, name: str | None = None) -> str:
        """The configured segmenter, else the one with the highest priority."""
        if name:
            if name not in self.segmenters:
                raise PluginError(f"unknown segmenter {name!r}; known: {sorted(self.segmenters)}")
            return name
        if not self.segmenters:
            raise PluginError("no segmenter registered")
        return max(self.segmenters.values(), key=lambda r: r.priority).name


def collect(pm: pluggy.PluginManager) -> Registry:
    """Call every ``register_*`` hook and gather what the plugins hand over.

    Each hook implementation is called on its own so that the registry knows which
    plugin registered which component (``webleads plugins`` shows it).  A name
    registered twice by different plugins is an error, not a silent override.
    """
    reg = Registry()
    table = {
        "register_sources": reg.sources,
        "register_segmenters": reg.segmenters,
        "register_extractors": reg.extractors,
        "register_scorers": reg.scorers,
        "register_sinks": reg.sinks,
        "register_privacy_rules": reg.privacy_rules,
        "register_commands": reg.commands,
    }
    for hook_name, target in table.items():
        caller = getattr(pm.hook, hook_name)
        # pluggy returns impls last-registered-first; reverse for registration order
        for impl in reversed(caller.get_hookimpls()):
            plugin_name = impl.plugin_name
            register = _registrar(hook_name, target, plugin_name)
            try:
                impl.function(register=register)
            except PluginError:
                raise
            except Exception as exc:
                raise PluginError(
                    f"plugin {plugin_name!r} failed in {hook_name}: {type(exc).__name__}: {exc}"
                ) from exc
    return reg


def _registrar(hook: str, target: dict[str, Registered], plugin: str) -> Callable[..., None]:
    def register(name: str, obj: Any, *extra: Any, priority: int = 0) -> None:
        if not isinstance(name, str) or not name:
            raise PluginError(f"plugin {plugin!r}: {hook} needs a non-empty name")
        if obj is None:
            raise PluginError(f"plugin {plugin!r}: {hook}({name!r}) registered None")
        previous = target.get(name)
        if previous is not None and previous.obj is not obj:
            raise PluginError(
                f"{hook}: {name!r} registered by both {previous.plugin!r} and {plugin!r}"
            )
        _validate(hook, name, obj, plugin, extra)
        target[name] = Registered(hook, name, obj, plugin, priority, tuple(extra))

    return register


def _validate(hook: str, name: str, obj: Any, plugin: str, extra: tuple[Any, ...]) -> None:
    from .. import components as c

    def need(cond: bool, what: str) -> None:
        if not cond:
            raise PluginError(f"plugin {plugin!r}: {hook}({name!r}) {what}")

    if hook in ("register_sources", "register_sinks"):
        need(callable(obj), "must be a factory (callable taking its config)")
    elif hook == "register_segmenters":
        need(callable(getattr(obj, "segment", None)), "must have a segment(message) method")
    elif hook == "register_extractors":
        need(isinstance(obj, c.Extractor), "must have name, version, kinds and extract(capture)")
    elif hook == "register_scorers":
        need(callable(getattr(obj, "score", None)), "must have a score(evidence) method")
    elif hook == "register_privacy_rules":
        need(callable(obj), "must be callable(evidence) -> bool")
    elif hook == "register_commands":
        need(len(extra) == 2 and all(callable(x) for x in extra) and isinstance(obj, str),
             "needs (name, help, configure, run)")
