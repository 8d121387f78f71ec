"""The plugin's typed errors.  Each has a stable ``reason`` code; messages hold codes,
counts and HTTP statuses only, never message content, addresses or tokens."""

from __future__ import annotations

from webleads_core.errors import ConfigError, WebleadsError

#: What a user whose stored authorization stopped working must do.
REAUTH_HINT = "run `webleads gmail auth --client-secrets FILE` again"


class GmailError(WebleadsError):
    """Base of the plugin's errors."""

    reason = "gmail.error"


class GmailAuthError(ConfigError):
    """The credentials were refused (revoked or expired grant, missing delegation,
    a scope not granted).  A user error: the CLI shows it as one line."""

    reason = "gmail.auth"


class GmailApiError(GmailError):
    """The API answered with an error that retrying will not fix, or kept failing
    after every retry.

    Attributes:
        status: the HTTP status (0 for a transport failure).
    """

    reason = "gmail.api"

    def __init__(self, reason: str, message: str = "", *, status: int = 0) -> None:
        super().__init__(message or reason, reason=reason)
        self.status = status


class GmailQuotaError(GmailApiError):
    """Rate limiting did not clear within the retry budget (or the server asked for a
    longer wait than ``max_retry_wait``).  The cursor stays where it was."""

    reason = "gmail.quota"


class HistoryExpired(GmailError):
    """``history.list`` answered 404: the stored historyId is older than the mailbox
    keeps.  The source asks for a resync and runs a full sync."""

    reason = "gmail.history_expired"


class RawInvalid(GmailError):
    """A message's ``raw`` field is missing (``gmail.raw_missing``) or not valid
    base64url (``gmail.raw_invalid``)."""

    reason = "gmail.raw_invalid"

    def __init__(self, reason: str = "gmail.raw_invalid") -> None:
        super().__init__(reason, reason=reason)
