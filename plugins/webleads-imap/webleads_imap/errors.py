"""Typed IMAP errors, each with a stable reason code.

Messages name what went wrong and never carry a username, a password, a token, a
folder name or any message content: they end up in logs and on the command line.
The source sorts them into three kinds:

* transient (:class:`ConnectionLost` and subclasses): reconnect with backoff and
  resume from the last checkpoint;
* stream-breaking violations (:class:`ProtocolViolation`): the connection cannot be
  trusted any more; it is dropped, and the batch that provoked it is retried one
  message at a time so that only the offending message is skipped;
* permanent (:class:`TLSRequired`, :class:`CertificateError`, :class:`AuthFailed`,
  :class:`CommandFailed`): the source stops and the engine reports it.
"""

from __future__ import annotations

import ssl

from webleads_core.errors import ConfigError, WebleadsError


class ImapError(WebleadsError):
    """Base of the plugin's errors."""

    reason = "imap.error"


class ConnectionLost(ImapError):
    """The connection dropped, the server said BYE, or a connect failed: retry later."""

    reason = "imap.connection_lost"


class ImapTimeout(ConnectionLost):
    """A read went past its timeout, or a command past its total deadline."""

    reason = "imap.timeout"


class ProtocolViolation(ImapError):
    """The server broke the protocol or a cap; the stream is no longer in sync."""

    reason = "imap.protocol"


class LiteralTooLarge(ProtocolViolation):
    """A server-declared literal is over the cap: refused before allocating (gh-119511)."""

    reason = "imap.literal_too_large"


class TLSRequired(ImapError):
    """TLS was required and cannot be had (STARTTLS not advertised, plain text refused):
    no credentials were sent."""

    reason = "imap.tls_required"


class CertificateError(ImapError, ssl.SSLCertVerificationError):
    """The server's certificate does not verify (self-signed, unknown CA, wrong host).

    Also an :class:`ssl.SSLCertVerificationError`, so callers that catch the standard
    library's error keep working.  No credentials were sent.
    """

    reason = "imap.certificate"

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self.reason


class AuthFailed(ImapError, ConfigError):
    """The server refused the credentials (a configuration problem, shown as one line)."""

    reason = "imap.auth_failed"


class CommandFailed(ImapError):
    """A command the source needs got a tagged NO or BAD."""

    reason = "imap.command_failed"
