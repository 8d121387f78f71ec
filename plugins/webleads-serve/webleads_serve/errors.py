"""One error shape for the API, one error page for the portal.

API: ``{"error": {"status": 404, "code": "contact.not_found", "message": "..."}}``;
the message never holds a submitted value.  Portal: a localized page with the same
status code, never a stack trace.
"""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message


class PortalError(Exception):
    """A refused portal request: ``key`` names the localized message."""

    def __init__(self, status: int, key: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.key = key
        self.reason = reason


def error_body(status: int, code: str, message: str) -> dict:
    return {"error": {"status": status, "code": code, "message": message}}
