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
from .source import ImapSource

__all__ = [
    "AuthFailed", "CertificateError", "CommandFailed", "ConnectionLost", "ImapError", "ImapSource",
    "ImapTimeout", "LiteralTooLarge", "ProtocolViolation", "TLSRequired",
]
