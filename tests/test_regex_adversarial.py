"""Every shipped regular expression against adversarial strings (BAD_INPUTS #27).

The test imports every module of ``webleads_core`` and of any installed ``webleads_*``
package (found with :mod:`pkgutil`), collects every compiled pattern held at module
level (also inside module-level dicts, lists, tuples, sets and the class bodies of
classes defined there), and times ``search`` and ``findall`` of each against the
hostile strings below.  Each call must finish in under 50 ms (best of three runs, so
a busy machine does not fail it).

The checks of one module run in a forked child with a wall-clock limit, so a
catastrophic pattern fails its module's test instead of hanging the suite.
Nothing here names a pattern: new modules and patterns are picked up as they land.
"""

from __future__ import annotations

import importlib
import multiprocessing
import pkgutil
import re
import time
import types
from typing import Any, Iterator

import pytest

LIMIT_SECONDS = 0.050
RUNS = 3
CHILD_WALL_SECONDS = 120.0

HOSTILE: dict[str, str] = {
    "a*10000+!": "a" * 10_000 + "!",
    "a.*5000": "a." * 5000,
    "@*10000": "@" * 10_000,
    "1-2 *5000": "1-2 " * 5000,
    "space*10000+x": " " * 10_000 + "x",
    "=?*5000": "=?" * 5000,
}

try:  # the third-party ``regex`` module, if a plugin uses it
    import regex as _regex_mod  # type: ignore[import-not-found]

    _PATTERN_TYPES: tuple[type, ...] = (re.Pattern, type(_regex_mod.compile("x")))
except Exception:  # pragma: no cover - regex not installed
    _PATTERN_TYPES = (re.Pattern,)


# --------------------------------------------------------------------------- discovery


def _roots() -> list[str]:
    names = {"webleads_core"}
    for info in pkgutil.iter_modules():
        if info.name.startswith("webleads_") and info.ispkg:
            names.add(info.name)
    return sorted(names)


def _import_all() -> tuple[dict[str, types.ModuleType], dict[str, BaseException]]:
    modules: dict[str, types.ModuleType] = {}
    errors: dict[str, BaseException] = {}
    for root in _roots():
        try:
            pkg = importlib.import_module(root)
        except Exception as exc:  # reported by test_every_module_imports
            errors[root] = exc
            continue
        modules[root] = pkg
        path = getattr(pkg, "__path__", None)
        if not path:
            continue

        def onerror(name: str) -> None:
            errors.setdefault(name, ImportError(f"cannot walk {name}"))

        for info in pkgutil.walk_packages(path, root + ".", onerror=onerror):
            if info.name.rsplit(".", 1)[-1] == "__main__" or info.name in modules:
                continue
            try:
                modules[info.name] = importlib.import_module(info.name)
            except Exception as exc:
                errors[info.name] = exc
    return modules, errors


def _patterns_in(obj: Any, label: str, depth: int, seen: set[int]) -> Iterator[tuple[str, Any]]:
    if id(obj) in seen or depth > 4:
        return
    if isinstance(obj, _PATTERN_TYPES):
        seen.add(id(obj))
        yield label, obj
        return
    if isinstance(obj, dict):
        seen.add(id(obj))
        for k, v in list(obj.items()):
            yield from _patterns_in(k, f"{label}[key {k!r:.40}]", depth + 1, seen)
            yield from _patterns_in(v, f"{label}[{k!r:.40}]", depth + 1, seen)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        seen.add(id(obj))
        for i, v in enumerate(list(obj)):
            yield from _patterns_in(v, f"{label}[{i}]", depth + 1, seen)


def collect_patterns(module: types.ModuleType) -> list[tuple[str, Any]]:
    """``(label, pattern)`` for every compiled pattern held at module level by ``module``."""
    out: list[tuple[str, Any]] = []
    seen: set[int] = set()
    for name, value in list(vars(module).items()):
        if name.startswith("__"):
            continue
        label = f"{module.__name__}.{name}"
        out.extend(_patterns_in(value, label, 0, seen))
        if isinstance(value, type) and getattr(value, "__module__", None) == module.__name__:
            for attr, member in list(vars(value).items()):
                if not attr.startswith("__"):
                    out.extend(_patterns_in(member, f"{label}.{attr}", 1, seen))
    return out


MODULES, IMPORT_ERRORS = _import_all()


def _module_has_patterns(name: str) -> bool:
    return bool(collect_patterns(MODULES[name]))


PATTERN_MODULES = sorted(n for n in MODULES if _module_has_patterns(n))


# --------------------------------------------------------------------------- timing


def _best_time(fn, text: str) -> float:
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - start)
        if best < LIMIT_SECONDS:
            break
    return best


def time_patterns(module_name: str) -> list[tuple[str, str, str, float]]:
    """Best-of-three seconds of ``search`` and ``findall`` for each pattern and input."""
    module = importlib.import_module(module_name)
    out = []
    for label, pat in collect_patterns(module):
        for hname, text in HOSTILE.items():
            subject: Any = text.encode() if isinstance(pat.pattern, bytes) else text
            for op in ("search", "findall"):
                out.append((label, hname, op, _best_time(getattr(pat, op), subject)))
    return out


def _child(conn, module_name: str) -> None:  # pragma: no cover - runs in the fork
    try:
        conn.send(("ok", time_patterns(module_name)))
    except BaseException as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run_in_child(module_name: str, wall: float = CHILD_WALL_SECONDS):
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, module_name), daemon=True)
    proc.start()
    send.close()
    try:
        if not recv.poll(wall):
            proc.kill()
            proc.join(5)
            pytest.fail(f"{module_name}: patterns still running after {wall:.0f} s (catastrophic backtracking)")
        status, payload = recv.recv()
    finally:
        recv.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if status != "ok":
        pytest.fail(f"{module_name}: timing child failed: {payload}")
    return payload


# --------------------------------------------------------------------------- tests


def test_every_module_imports():
    """A module that fails to import hides its patterns from this test."""
    real = {}
    for name, exc in IMPORT_ERRORS.items():
        missing = getattr(exc, "name", None) if isinstance(exc, ModuleNotFoundError) else None
        if missing and not missing.startswith("webleads"):
            continue  # an optional third-party dependency is not installed
        real[name] = f"{type(exc).__name__}: {exc}"
    assert not real, real


def test_collector_finds_patterns_everywhere():
    mod = types.ModuleType("fake_mod")
    top = re.compile("top")
    in_dict = re.compile("in-dict")
    in_tuple = re.compile("in-tuple")
    in_class = re.compile("in-class")
    nested = re.compile(b"nested")

    class Holder:
        PAT = in_class

    Holder.__module__ = "fake_mod"
    mod.TOP = top
    mod.TABLE = {"x": in_dict, "y": [(1, nested)]}
    mod.LIST = (in_tuple, top)
    mod.Holder = Holder
    mod.not_a_pattern = "a+"
    found = {id(p) for _, p in collect_patterns(mod)}
    assert found == {id(top), id(in_dict), id(in_tuple), id(in_class), id(nested)}


def test_discovery_sees_the_core_patterns():
    """Sanity: the walk reaches modules several people write (keep this generic)."""
    assert "webleads_core" in MODULES
    total = sum(len(collect_patterns(MODULES[n])) for n in PATTERN_MODULES)
    assert total >= 20
    assert any(n.startswith("webleads_core.text.") for n in PATTERN_MODULES)
    assert any(n.startswith("webleads_core.privacy.") for n in PATTERN_MODULES)


def test_timer_flags_a_slow_pattern():
    slow = re.compile(r"(?:a|a){1,20}b")  # exponential-ish, bounded: slow on 'a'*20
    fast = re.compile(r"a{1,20}b")
    text = "a" * 22
    assert _best_time(fast.search, text) < LIMIT_SECONDS
    assert _best_time(slow.search, text) > _best_time(fast.search, text)


@pytest.mark.parametrize("module_name", PATTERN_MODULES)
def test_patterns_are_linear_on_hostile_input(module_name):
    results = run_in_child(module_name)
    assert results, "no pattern measured"
    slow = [f"{label} {op}({hname}) took {secs * 1000:.1f} ms"
            for label, hname, op, secs in results if secs >= LIMIT_SECONDS]
    assert not slow, "\n".join(slow)
