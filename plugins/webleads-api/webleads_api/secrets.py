"""Secrets of a source's config: read from an environment variable or a file, never
written inline, and never shown.

``token_env = "CRM_TOKEN"`` or ``token_file = "~/.config/crm.token"``; an inline
``token = "..."`` is refused, so a config file can be shared or committed without
leaking a credential.  :class:`Secret` keeps the value out of ``repr`` and ``str``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from .errors import CredentialsError

#: Longest secret accepted (a JWT can be a few KiB; a file of megabytes is a mistake).
MAX_SECRET_BYTES = 16 * 1024


class Secret:
    """A credential.  ``value`` gives it; ``repr``/``str`` never do."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    @property
    def value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self):  # never pickled into a child process or a cache by accident
        raise TypeError("a Secret cannot be pickled")


def resolve_secret(table: Mapping[str, Any], key: str, *, where: str, base_dir: Path,
                   required: bool = True) -> Secret | None:
    """The secret named ``key`` of ``table``, from ``<key>_env`` or ``<key>_file``."""
    if key in table:
        raise CredentialsError("config.inline_secret",
                               f"{where}.{key}: put secrets in {key}_env or {key}_file, not in the config")
    env, file = table.get(f"{key}_env"), table.get(f"{key}_file")
    if env is not None and file is not None:
        raise CredentialsError("config.secret", f"{where}: give {key}_env or {key}_file, not both")
    if env is not None:
        if not isinstance(env, str) or not env:
            raise CredentialsError("config.secret", f"{where}.{key}_env must name a variable")
        value = os.environ.get(env)
        if not value:
            raise CredentialsError("config.secret_missing", f"{where}: environment variable {env} is not set")
        return Secret(value.strip())
    if file is not None:
        if not isinstance(file, str) or not file:
            raise CredentialsError("config.secret", f"{where}.{key}_file must be a path")
        p = Path(file).expanduser()
        p = p if p.is_absolute() else base_dir / p
        try:
            with p.open("rb") as fh:
                data = fh.read(MAX_SECRET_BYTES + 1)
        except OSError:
            raise CredentialsError("config.secret_missing", f"{where}: cannot read {key}_file") from None
        if len(data) > MAX_SECRET_BYTES:
            raise CredentialsError("config.secret", f"{where}: {key}_file is too large for a secret")
        value = data.decode("utf-8", "replace").strip()
        if not value:
            raise CredentialsError("config.secret_missing", f"{where}: {key}_file is empty")
        return Secret(value)
    if required:
        raise CredentialsError("config.secret_missing", f"{where}: missing {key}_env or {key}_file")
    return None
