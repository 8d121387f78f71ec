"""webleads-imap: the ``imap`` source type (incremental, read-only IMAP sync).

See docs/imap.md for the configuration keys and what the source guarantees.
"""

from __future__ import annotations

from .errors import (
    AuthFailed,
    CertificateError,
    CommandFailed,
    ConnectionLost,
    ImapError,
    ImapTimeout,
    LiteralTooLarge,
    ProtocolViolation,
    TLSRequired,
)


def __getattr__(name: str):
    # ImapSource is imported on first use: the plugin's entry point loads this package
    # in every webleads process, and the source module is the heavy part
    if name == "ImapSource":
        from .source import ImapSource

        return ImapSource
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AuthFailed", "CertificateError", "CommandFailed", "ConnectionLost", "ImapError", "ImapSource",
    "ImapTimeout", "LiteralTooLarge", "ProtocolViolation", "TLSRequired",
]
