"""HTTP for the Google client libraries, carried by the core's safe client.

``googleapiclient`` and ``google-auth`` expect an ``httplib2.Http``-like object.  Instead
of httplib2 (whose timeout resets on every byte and which reads any body size), every
request goes through :class:`webleads_core.net.HttpClient`: one total deadline per
response, a cap on the decoded body, SSRF checks on every resolved address, no
redirects (a bearer token must not follow one), verified TLS.

:class:`AuthorizedTransport` adds the OAuth bearer token and refreshes it when it is
about to expire or a response says 401.  It deliberately has no ``credentials``
attribute: ``googleapiclient``'s batch code would otherwise refresh tokens through a
fresh ``httplib2.Http()`` of its own, outside these limits.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Mapping

import google.auth.credentials
import google.auth.exceptions
import google.auth.transport
import httplib2

from webleads_core.net import FetchError, HttpClient, NetPolicy

from . import __version__
from .credentials import auth_error

log = logging.getLogger("webleads.gmail")

USER_AGENT = f"webleads-gmail/{__version__} (gzip)"
#: Cap on bodies other than message fetches (lists, history pages, profile, tokens).
SMALL_BODY = 8 * 1024 * 1024


class SafeTransport:
    """``httplib2.Http.request`` over :class:`HttpClient` (two policies: a small body
    cap for JSON calls, ``max_batch_bytes`` for batch responses and single message gets).

    Attributes:
        requests: how many requests went out (benchmarks and tests read it).
    """

    def __init__(self, *, allow_networks: tuple[str, ...] = (), timeout: float = 120.0,
                 max_batch_bytes: int = 16 * 1024 * 1024, large_markers: tuple[str, ...] = ("/batch/",
                                                                                           "/messages/")) -> None:
        base = dict(allow_networks=allow_networks, deadline=timeout, max_redirects=0, user_agent=USER_AGENT)
        self._small = HttpClient(NetPolicy(max_bytes=SMALL_BODY, **base))
        self._large = HttpClient(NetPolicy(max_bytes=max_batch_bytes, max_ratio=200, **base))
        self._large_markers = large_markers
        self.requests = 0
        self._lock = threading.Lock()

    def request(self, uri: str, method: str = "GET", body: Any = None,
                headers: Mapping[str, str] | None = None, redirections: int = 0,
                connection_type: Any = None, **_: Any) -> tuple[httplib2.Response, bytes]:
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif body is not None and not isinstance(body, bytes):
            body = bytes(body)
        send = {k: v for k, v in (headers or {}).items() if k.lower() != "user-agent"}
        send["user-agent"] = USER_AGENT
        client = self._large if any(m in uri for m in self._large_markers) else self._small
        with self._lock:
            self.requests += 1
        resp = client.request(method, uri, headers=send, body=body, follow_redirects=False)
        info: dict[str, Any] = dict(resp.headers)
        info["status"] = str(resp.status)
        return httplib2.Response(info), resp.body

    def close(self) -> None:
        """Nothing to close: the safe client opens one connection per request."""


class _AuthResponse(google.auth.transport.Response):
    def __init__(self, status: int, headers: Mapping[str, str], data: bytes) -> None:
        self._status, self._headers, self._data = status, dict(headers), data

    @property
    def status(self) -> int:
        return self._status

    @property
    def headers(self) -> Mapping[str, str]:
        return self._headers

    @property
    def data(self) -> bytes:
        return self._data


class AuthRequest(google.auth.transport.Request):
    """google-auth's request interface (token refresh) over :class:`SafeTransport`."""

    def __init__(self, transport: SafeTransport) -> None:
        self._transport = transport

    def __call__(self, url: str, method: str = "GET", body: Any = None,
                 headers: Mapping[str, str] | None = None, timeout: Any = None, **kwargs: Any) -> _AuthResponse:
        try:
            resp, data = self._transport.request(url, method, body=body, headers=headers)
        except FetchError as exc:
            # google-auth wraps this; the reason code is all the message carries
            raise google.auth.exceptions.TransportError(f"token endpoint unreachable ({exc.reason})") from None
        return _AuthResponse(resp.status, resp, data)


class AuthorizedTransport:
    """Adds the bearer token to every request; refreshes it before it expires and once
    more when the server answers 401.  Refresh failures become :class:`GmailAuthError`
    (``invalid_grant`` tells the user to run ``webleads gmail auth`` again)."""

    def __init__(self, credentials: google.auth.credentials.Credentials, transport: SafeTransport) -> None:
        self._credentials = credentials
        self._transport = transport
        self._auth_request = AuthRequest(transport)
        self._lock = threading.Lock()
        self.refreshes = 0

    def refresh(self) -> None:
        """Get a new access token now (also used after a 401 inside a batch)."""
        with self._lock:
            try:
                self._credentials.refresh(self._auth_request)
            except google.auth.exceptions.RefreshError as exc:
                raise auth_error(exc) from None
            except google.auth.exceptions.TransportError as exc:
                from .errors import GmailApiError

                raise GmailApiError("gmail.token_unreachable", str(exc)[:120]) from None
            self.refreshes += 1

    def ensure_valid(self) -> None:
        if not self._credentials.valid:
            self.refresh()

    def request(self, uri: str, method: str = "GET", body: Any = None,
                headers: Mapping[str, str] | None = None, **kwargs: Any) -> tuple[httplib2.Response, bytes]:
        for attempt in (0, 1):
            self.ensure_valid()
            send = dict(headers or {})
            self._credentials.apply(send)
            resp, content = self._transport.request(uri, method, body=body, headers=send)
            if resp.status != 401 or attempt:
                return resp, content
            log.info("access token refused (401): refreshing once")
            self.refresh()
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self._transport.close()
