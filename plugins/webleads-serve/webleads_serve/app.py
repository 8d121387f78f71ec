"""The ASGI application: the portal at ``/``, the API at ``/api/v1``.

Every response carries the security headers; API errors share one JSON shape and
portal errors one page.  FastAPI's own error pages (404, 405, 422) are turned into
those shapes too, so no framework default leaks a stack trace or a submitted value.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .context import AppContext
from .errors import ApiError, PortalError, error_body
from .security import API_CSP, SECURITY_HEADERS
from .settings import ServeConfig

_STATUS_CODES = {400: "request.invalid", 401: "auth.missing", 403: "auth.forbidden", 404: "not_found",
                 405: "method_not_allowed", 413: "request.too_large", 415: "request.media_type",
                 422: "request.invalid", 429: "rate.limited"}


def create_app(serve: ServeConfig, *, pm: Any = None, scheduler: Any = None, context: AppContext | None = None) -> FastAPI:
    """Build the application for a loaded configuration."""
    ctx = context or AppContext.create(serve, pm=pm, scheduler=scheduler)
    app = FastAPI(title="webleads", version="0.1.0", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="Contacts, change events, runs and privacy operations of a webleads store.")
    app.state.ctx = ctx
    if serve.settings.api:
        from .api import router as api_router

        app.include_router(api_router)
    if serve.settings.portal:
        from .portal import router as portal_router

        app.include_router(portal_router)

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        if request.url.path.startswith("/api/"):
            response.headers["Content-Security-Policy"] = API_CSP
        if request.url.scheme == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/") or not serve.settings.portal

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.status, exc.code, exc.message), status_code=exc.status)

    @app.exception_handler(PortalError)
    async def portal_error(request: Request, exc: PortalError) -> Any:
        from .portal import error_page

        return error_page(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        if is_api(request):
            code = _STATUS_CODES.get(exc.status_code, "error")
            return JSONResponse(error_body(exc.status_code, code, str(exc.detail)[:200]),
                                status_code=exc.status_code)
        from .portal import error_page

        return error_page(request, PortalError(exc.status_code, "err_not_found", "http.%d" % exc.status_code))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # name the parameters that failed, never echo their values
        where = sorted({".".join(str(p) for p in e.get("loc", ()))[:60] for e in exc.errors()})[:10]
        return JSONResponse(error_body(422, "request.invalid", "invalid: " + ", ".join(where)), status_code=422)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Any:
        import logging

        logging.getLogger("webleads.serve").error("internal error: %s", type(exc).__name__)
        if is_api(request):
            return JSONResponse(error_body(500, "internal", "internal error"), status_code=500)
        from .portal import error_page

        return error_page(request, PortalError(500, "err_unavailable", "internal"))

    return app
