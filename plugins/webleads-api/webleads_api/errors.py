"""The plugin's typed errors.  Messages carry reason codes, HTTP statuses and config
keys only: never a URL (it may hold an API key), a secret, or response content."""

from __future__ import annotations

from webleads_core.errors import ConfigError, WebleadsError


class ApiError(WebleadsError):
    """A ``rest`` source cannot go on with this sync (the run goes on with the other
    sources, and the source's checkpoint stays where it was, so the next run repeats
    the work instead of losing it).

    Reason codes: ``api.not_json``, ``api.truncated``, ``api.page_loop``,
    ``api.too_many_pages``, ``api.records_missing``, ``api.http_4xx``, ``api.http_5xx``,
    ``api.rate_limited``, ``api.redirect_off_origin``, ``api.oauth_token``, and the
    ``net.*`` codes of :class:`webleads_core.net.FetchError` (``net.too_large``,
    ``net.deadline`` ...).
    """

    reason = "api.error"

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or reason, reason=reason)


class CredentialsError(ConfigError):
    """The API refused the credentials (401/403 after a token refresh), or a secret is
    missing: a configuration problem, shown by the CLI as one line."""

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or reason, reason=reason)
