"""The path language of field mappings: where a value sits inside a JSON record.

Grammar (docs/sources.md has the user's version)::

    path    := step ("." step)*
    step    := key index* | index+
    key     := one or more characters other than . [ ] " (spaces allowed)
             | '["' any characters but '"' '"]'     (keys with dots or colons)
    index   := "[*]" (every element) | "[N]" (element N, 0-based; -1 is the last)

``properties.email``, ``phones[*].value``, ``emails[0].value``,
``["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].organization``.

Paths are strict: a key applied to a list, or an index applied to an object,
matches nothing (instead of guessing).  Resolution is bounded: at most
:data:`MAX_MATCHES` values per path and record, so a hostile record with a million
list elements costs no more than a small one.

Each match carries its *holder* (the object the last key was read from), so a
mapping can read a sibling key of the value, such as the ``type`` next to a
``phones[*].value``.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

import attrs

from webleads_core.errors import ConfigError

#: Most values one path yields from one record.
MAX_MATCHES = 100
#: Longest path text and most steps accepted in a config.
MAX_PATH_CHARS = 512
MAX_STEPS = 32

_STEP = re.compile(
    r'(?:\["(?P<quoted>[^"]{1,200})"\]|(?P<key>[^.\[\]"]{1,200}))?(?P<indexes>(?:\[(?:\*|-?\d{1,6})\]){0,8})'
)
_INDEX = re.compile(r"\[(\*|-?\d{1,6})\]")

#: An index step: ``"*"`` or an int.
Index = str | int


@attrs.frozen
class Step:
    """One step of a path: an optional key, then indexes (``[*]``, ``[2]``)."""

    key: str | None
    indexes: tuple[Index, ...] = ()


@attrs.frozen
class Path:
    """A parsed path.  Build with :func:`parse_path` (or :meth:`Path.column` for CSV)."""

    text: str
    steps: tuple[Step, ...]

    @classmethod
    def column(cls, name: str) -> Path:
        """A path that is one literal key (a CSV column name, dots and all)."""
        return cls(text=name, steps=(Step(key=name),))

    def resolve(self, record: Any) -> list[tuple[Any, Any]]:
        """Every ``(value, holder)`` the path reaches in ``record``, in document order,
        at most :data:`MAX_MATCHES`.  Values that are objects or lists are returned
        too; callers keep the scalars they want."""
        out: list[tuple[Any, Any]] = []
        for item in _walk(record, self.steps, 0, record):
            out.append(item)
            if len(out) >= MAX_MATCHES:
                break
        return out

    def first(self, record: Any) -> Any:
        """The first value the path reaches, or None."""
        found = self.resolve(record)
        return found[0][0] if found else None


def parse_path(text: str, *, where: str = "path") -> Path:
    """Parse a path; a malformed one is a :class:`ConfigError` naming ``where``."""
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{where}: a path must be a non-empty string")
    if len(text) > MAX_PATH_CHARS:
        raise ConfigError(f"{where}: path longer than {MAX_PATH_CHARS} characters")
    steps: list[Step] = []
    pos = 0
    n = len(text)
    while True:
        m = _STEP.match(text, pos)
        if m is None or m.end() == pos:
            raise ConfigError(f"{where}: cannot read path {text!r} at character {pos}")
        key = m.group("quoted") if m.group("quoted") is not None else m.group("key")
        if key is not None and m.group("quoted") is None:
            key = key.strip()
            if not key:
                raise ConfigError(f"{where}: empty key in path {text!r}")
        indexes = tuple("*" if i == "*" else int(i) for i in _INDEX.findall(m.group("indexes") or ""))
        steps.append(Step(key=key, indexes=indexes))
        pos = m.end()
        if pos == n:
            break
        if text[pos] != ".":
            raise ConfigError(f"{where}: cannot read path {text!r} at character {pos}")
        pos += 1
        if pos == n:
            raise ConfigError(f"{where}: path {text!r} ends with a dot")
    if len(steps) > MAX_STEPS:
        raise ConfigError(f"{where}: path has more than {MAX_STEPS} steps")
    return Path(text=text, steps=tuple(steps))


def _walk(node: Any, steps: tuple[Step, ...], i: int, holder: Any) -> Iterator[tuple[Any, Any]]:
    if i == len(steps):
        yield node, holder
        return
    step = steps[i]
    if step.key is not None:
        if not isinstance(node, dict) or step.key not in node:
            return
        holder = node
        node = node[step.key]
    yield from _index(node, step.indexes, 0, steps, i, holder)


def _index(node: Any, indexes: tuple[Index, ...], j: int, steps: tuple[Step, ...], i: int,
           holder: Any) -> Iterator[tuple[Any, Any]]:
    if j == len(indexes):
        yield from _walk(node, steps, i + 1, holder)
        return
    if not isinstance(node, list):
        return
    ix = indexes[j]
    if ix == "*":
        for count, element in enumerate(node):
            if count >= MAX_MATCHES:  # bounded, whatever the list length
                return
            # the holder of a value reached through a list element is that element
            # when the path ends here, else whatever object the next key is read from
            yield from _index(element, indexes, j + 1, steps, i,
                              element if isinstance(element, dict) else holder)
    else:
        assert isinstance(ix, int)
        if -len(node) <= ix < len(node):
            element = node[ix]
            yield from _index(element, indexes, j + 1, steps, i,
                              element if isinstance(element, dict) else holder)
