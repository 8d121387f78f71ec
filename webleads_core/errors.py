"""Typed errors.  Each carries a stable reason code that counts, logs and quarantine use.

Messages never include raw item content: only ids, sizes and reason codes.
"""

from __future__ import annotations


class WebleadsError(Exception):
    """Base of every error webleads raises on purpose."""

    reason = "error"

    def __init__(self, message: str = "", *, reason: str | None = None) -> None:
        super().__init__(message or self.reason)
        if reason is not None:
            self.reason = reason


class ConfigError(WebleadsError):
    """The configuration is wrong: a user error, shown as one line, exit code 2."""

    reason = "config"


class PluginError(WebleadsError):
    """A plugin is broken (bad hook, unknown component, duplicate name)."""

    reason = "plugin"


class ItemRejected(WebleadsError):
    """One item cannot be processed; the run goes on and counts it as skipped.

    Attributes:
        reason: a dotted code such as ``mail.header_too_large``.
        stage: the pipeline stage that rejected it.
    """

    reason = "item.rejected"

    def __init__(self, reason: str, message: str = "", *, stage: str = "") -> None:
        super().__init__(message or reason, reason=reason)
        self.stage = stage


class PrivacyViolation(WebleadsError):
    """Something tried to get around a mandatory privacy stage (an unsealed record, a
    request to disable privacy).  Never caught by the engine's item loop."""

    reason = "privacy.violation"


class StoreError(WebleadsError):
    """The store cannot be opened or written."""

    reason = "store"
