"""Google's JSON error envelope, as the Gmail API documents and sends it::

    {"error": {"code": 429, "message": "...",
               "errors": [{"message": "...", "domain": "usageLimits", "reason": "rateLimitExceeded"}],
               "status": "RESOURCE_EXHAUSTED"}}
"""

from __future__ import annotations

import json
from typing import Any

STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
          409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE", 503: "UNAVAILABLE",
          504: "DEADLINE_EXCEEDED"}
PHRASES = {200: "OK", 204: "No Content", 302: "Found", 400: "Bad Request", 401: "Unauthorized",
           403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict",
           413: "Payload Too Large", 429: "Too Many Requests", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}

#: The documented errors (https://developers.google.com/gmail/api/guides/handle-errors).
KNOWN: dict[str, tuple[int, str, str, str]] = {
    # key: (code, domain, reason, message)
    "badRequest": (400, "global", "invalidArgument", "Invalid value"),
    "failedPrecondition": (400, "global", "failedPrecondition", "Precondition check failed."),
    "authError": (401, "global", "authError", "Invalid Credentials"),
    "required": (401, "global", "required", "Login Required."),
    "insufficientPermissions": (403, "global", "insufficientPermissions",
                                "Request had insufficient authentication scopes."),
    "forbidden": (403, "global", "forbidden", "Forbidden"),
    "dailyLimitExceeded": (403, "usageLimits", "dailyLimitExceeded", "Daily Limit Exceeded"),
    "userRateLimitExceeded": (403, "usageLimits", "userRateLimitExceeded", "User Rate Limit Exceeded"),
    "rateLimitExceeded": (403, "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded"),
    "domainPolicy": (403, "global", "domainPolicy", "The domain administrators have disabled Gmail apps."),
    "notFound": (404, "global", "notFound", "Requested entity was not found."),
    "tooManyConcurrent": (429, "global", "rateLimitExceeded", "Too many concurrent requests for user"),
    "backendError": (500, "global", "backendError", "Backend Error"),
    "unavailable": (503, "global", "backendError", "The service is currently unavailable."),
}


def envelope(code: int, message: str, reason: str, domain: str = "global", **extra: Any) -> dict[str, Any]:
    err: dict[str, Any] = {"message": message, "domain": domain, "reason": reason}
    err.update(extra)
    return {"error": {"code": code, "message": message, "errors": [err], "status": STATUS.get(code, "UNKNOWN")}}


def error(kind: str, message: str | None = None, **extra: Any) -> tuple[int, dict[str, Any]]:
    """``(status, body)`` of a documented error; ``message`` overrides the default text."""
    code, domain, reason, default = KNOWN[kind]
    return code, envelope(code, message or default, reason, domain, **extra)


def dumps(body: Any) -> bytes:
    return json.dumps(body, indent=2).encode("utf-8")  # Google pretty-prints by default
