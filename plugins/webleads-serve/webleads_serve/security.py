"""CSRF tokens, rate limits, security headers and the client's address.

- **CSRF**: a signed double-submit token.  The form carries ``nonce.mac`` and the same
  value is in a ``SameSite=Strict``, ``HttpOnly`` cookie; a POST is accepted only when
  both are present, equal, and the MAC (keyed with the serve secret) checks.  Needs no
  server-side session.
- **Rate limits**: sliding windows in memory, per client address and per identifier
  digest.  Client addresses are personal data: they are never written to disk.
- **Headers**: a strict Content-Security-Policy (no script at all on the portal),
  ``X-Frame-Options: DENY``, ``nosniff``, ``no-referrer``, ``no-store`` on every page.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import secrets
import threading
import time
from typing import Callable

from starlette.requests import Request

CSRF_COOKIE = "wl_csrf"
CSRF_FIELD = "csrf"

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"


class Csrf:
    def __init__(self, secret: bytes) -> None:
        self._key = hashlib.sha256(b"webleads-serve-csrf\0" + secret).digest()

    def new_token(self) -> str:
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._mac(nonce)}"

    def _mac(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode(), hashlib.sha256).hexdigest()[:32]

    def valid(self, form_token: str | None, cookie_token: str | None) -> bool:
        if not form_token or not cookie_token or len(form_token) > 100 or len(cookie_token) > 100:
            return False
        if not hmac.compare_digest(form_token, cookie_token):
            return False
        nonce, _, mac = form_token.partition(".")
        return bool(nonce) and hmac.compare_digest(mac, self._mac(nonce))


class RateLimiter:
    """``allow(key)`` is True while ``key`` made fewer than ``count`` calls in ``seconds``."""

    def __init__(self, count: int, seconds: float, *, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:
        self.count = count
        self.seconds = seconds
        self._clock = clock
        self._hits: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()
        self._max_keys = max_keys

    def allow(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            q = self._hits.get(key)
            if q is None:
                if len(self._hits) >= self._max_keys:  # bounded memory under a flood of addresses
                    self._evict(now)
                q = self._hits[key] = collections.deque()
            while q and q[0] <= now - self.seconds:
                q.popleft()
            if len(q) >= self.count:
                return False
            q.append(now)
            return True

    def _evict(self, now: float) -> None:
        for k in [k for k, q in self._hits.items() if not q or q[-1] <= now - self.seconds]:
            del self._hits[k]
        while len(self._hits) >= self._max_keys:
            self._hits.pop(next(iter(self._hits)))


def client_address(request: Request, trust_proxy: bool) -> str:
    """The client's address; ``X-Forwarded-For``'s last hop only when told to trust the proxy."""
    if trust_proxy:
        fwd = request.headers.get("x-forwarded-for", "")
        if fwd:
            return fwd.split(",")[-1].strip()[:64]
    return request.client.host if request.client else "unknown"
