"""The public portal: opt-out and access requests, verified by a six-digit code.

Server-rendered pages, no JavaScript at all (the CSP forbids scripts), English and
French by ``Accept-Language`` (or ``?lang=``).  The flow:

1. ``POST /request`` (kind, identifier): CSRF checked, client rate limit, identifier
   checked strictly, address rate limit, then a code is mailed to *that* address and a
   pending verification is kept (keyed digests of the identifier and code only).  The
   page shown is the same whether or not anything is held about the identifier.
2. ``POST /confirm`` (token, identifier, code): a wrong code counts an attempt (the
   pending request dies after ``max_attempts``); an expired or used token is refused; a
   right one is consumed (no replay), then the core's privacy operation runs: opt-out
   (suppress and erase) or the access report, registered with its due date and audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from webleads_core import ItemRejected
from webleads_core.privacy import access, operations
from webleads_core.privacy.retention import month_after
from webleads_core.privacy.suppress import pseudonym

from . import i18n
from .context import AppContext
from .errors import PortalError
from .identifiers import Identifier, check_identifier
from .mailer import MailError, send_code
from .security import CSRF_COOKIE, CSRF_FIELD, client_address

router = APIRouter()
MAX_BODY = 4096          # bytes of a portal form
MAX_FIELD = 300          # characters of any one field
DOWNLOAD_TTL = 600.0     # seconds an access export stays downloadable

_env = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
_CSS = (Path(__file__).parent / "templates" / "portal.css").read_text(encoding="utf-8")


def ctx(request: Request) -> AppContext:
    return request.app.state.ctx


def language(request: Request, form: dict[str, str] | None = None) -> str:
    override = (form or {}).get("lang") or request.query_params.get("lang")
    return i18n.choose(request.headers.get("accept-language"), override)


def render(request: Request, template: str, lang: str, status: int = 200, **values: Any) -> HTMLResponse:
    c = ctx(request)
    cookie = request.cookies.get(CSRF_COOKIE)
    token = cookie if c.csrf.valid(cookie, cookie) else c.csrf.new_token()
    t = i18n.MESSAGES[lang]
    controller = c.serve.settings.controller_name or c.config.privacy.controller
    html = _env.get_template(template).render(t=t, lang=lang, csrf=token, controller=controller,
                                               languages={k: v["lang_name"] for k, v in i18n.MESSAGES.items()},
                                               **values)
    resp = HTMLResponse(html, status_code=status)
    secure = request.url.scheme == "https" or c.serve.settings.public_url.startswith("https://")
    resp.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/", max_age=7200)
    resp.headers["Content-Language"] = lang
    resp.headers["Vary"] = "Accept-Language, Cookie"
    return resp


def error_page(request: Request, exc: PortalError, lang: str | None = None) -> HTMLResponse:
    lang = lang or language(request)
    return render(request, "error.html", lang, status=exc.status, message=i18n.MESSAGES[lang][exc.key],
                  reason=exc.reason)


async def read_form(request: Request) -> dict[str, str]:
    """The urlencoded form, read with a byte cap (no multipart, no files)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise PortalError(415, "err_identifier", "form.content_type")
    declared = request.headers.get("content-length")
    if declared and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise PortalError(413, "err_too_long", "form.too_large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise PortalError(413, "err_too_long", "form.too_large")
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=10, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise PortalError(400, "err_identifier", "form.malformed") from None
    out = {}
    for k, v in parsed.items():
        if len(v) != 1:
            raise PortalError(400, "err_identifier", "form.repeated_field")
        if len(v[0]) > MAX_FIELD:
            raise PortalError(413, "err_too_long", "form.field_too_long")
        out[k] = v[0]
    return out


def check_csrf(request: Request, form: dict[str, str]) -> None:
    if not ctx(request).csrf.valid(form.get(CSRF_FIELD), request.cookies.get(CSRF_COOKIE)):
        raise PortalError(403, "err_csrf", "csrf.invalid")


def check_client(request: Request) -> None:
    c = ctx(request)
    if not c.client_limit.allow(client_address(request, c.serve.settings.trust_proxy)):
        raise PortalError(429, "err_rate", "rate.client")


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request) -> HTMLResponse:
    return render(request, "index.html", language(request))


@router.get("/portal.css", include_in_schema=False)
def css() -> PlainTextResponse:
    return PlainTextResponse(_CSS, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """No icon, and no error page: every browser asks for it after the page has loaded,
    and an error page would set the CSRF cookie again behind the page's back."""
    return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})


@router.post("/request", response_class=HTMLResponse, include_in_schema=False)
async def start(request: Request) -> HTMLResponse:
    lang = language(request)
    try:
        check_client(request)
        form = await read_form(request)
        lang = language(request, form)
        check_csrf(request, form)
        kind = form.get("kind", "")
        if kind not in ("optout", "access"):
            raise PortalError(400, "err_identifier", "form.kind")
        try:
            ident = check_identifier(form.get("identifier", ""))
        except ItemRejected as exc:
            raise PortalError(400, "err_identifier", exc.reason) from None
        if ident.kind == "phone":
            raise PortalError(501, "err_phone", "phone.no_sender")
        token = await run_in_threadpool(_issue_code, ctx(request), kind, ident, lang)
    except PortalError as exc:
        return error_page(request, exc, lang)
    return render(request, "code.html", lang, token=token, identifier=ident.value, kind=kind,
                  minutes=ctx(request).serve.settings.code_ttl_minutes)


def _issue_code(c: AppContext, kind: str, ident: Identifier, lang: str) -> str:
    subject = c.state.mac("subject", ident.canonical)
    if not c.address_limit.allow(subject):
        raise PortalError(429, "err_rate", "rate.address")
    code = f"{secrets.randbelow(10**6):06d}"
    s = c.serve.settings
    token = c.state.create_pending(kind, subject, code, dt.timedelta(minutes=s.code_ttl_minutes))
    t = i18n.MESSAGES[lang]
    site = s.public_url or "webleads"
    body = t["mail_body"].format(action=t[f"action_{kind}"], site=site, code=code, minutes=s.code_ttl_minutes)
    try:
        send_code(s.smtp, ident, t["mail_subject"], body)
    except MailError:
        c.state.delete_pending(c.state.get_pending(token).id)  # type: ignore[union-attr]
        raise PortalError(503, "err_unavailable", "mail.unavailable") from None
    received = c.state.get_pending(token).received_at  # type: ignore[union-attr]
    with c.store() as store:
        store.audit("portal.request.pending", {
            "kind": kind, "subject": pseudonym(store.secret_key(c.config.privacy.secret_file), ident.value),
            "received": received.isoformat(), "due": month_after(received).isoformat()})
    return token


@router.post("/confirm", response_class=HTMLResponse, include_in_schema=False)
async def confirm(request: Request) -> HTMLResponse:
    lang = language(request)
    form: dict[str, str] = {}
    try:
        check_client(request)
        form = await read_form(request)
        lang = language(request, form)
        check_csrf(request, form)
        c = ctx(request)
        pending = c.state.get_pending(form.get("token", ""))
        if pending is None or pending.expires_at < dt.datetime.now(dt.timezone.utc):
            if pending is not None:
                c.state.delete_pending(pending.id)
            raise PortalError(410, "err_expired", "code.expired_or_used")
        try:
            ident = check_identifier(form.get("identifier", ""))
        except ItemRejected:
            raise PortalError(400, "err_code", "code.identifier_mismatch") from None
        code = form.get("code", "").strip()
        good = (len(code) == 6 and code.isdigit()
                and secrets.compare_digest(c.state.mac("code", code), pending.code)
                and secrets.compare_digest(c.state.mac("subject", ident.canonical), pending.subject))
        if not good:
            tries = c.state.count_attempt(pending)
            if tries >= c.serve.settings.max_attempts:
                c.state.delete_pending(pending.id)
                await run_in_threadpool(_audit, c, "portal.verification.failed", {"kind": pending.kind})
                raise PortalError(410, "err_expired", "code.too_many_attempts")
            return render(request, "code.html", lang, status=400, token=form.get("token", ""),
                          identifier=ident.value, kind=pending.kind, error=i18n.MESSAGES[lang]["err_code"],
                          minutes=c.serve.settings.code_ttl_minutes)
        c.state.delete_pending(pending.id)  # single use: a replayed code finds nothing
        if pending.kind == "optout":
            ref = await run_in_threadpool(_optout, c, ident, pending.received_at)
            return render(request, "done.html", lang, ref=ref)
        report = await run_in_threadpool(_access, c, ident, pending.received_at)
        dl = _stash(c, report)
        return render(request, "access.html", lang, report=report, download=dl)
    except PortalError as exc:
        return error_page(request, exc, lang)


def _audit(c: AppContext, action: str, detail: dict[str, Any]) -> None:
    with c.store() as store:
        store.audit(action, detail)


def _optout(c: AppContext, ident: Identifier, received: dt.datetime) -> str:
    conf = c.config
    with c.privacy_lock, c.store() as store:
        operations.optout(store, ident.value, secret_file=conf.privacy.secret_file, received_at=received)
        subject = pseudonym(store.secret_key(conf.privacy.secret_file), ident.value)
        rows = [r for r in store.requests() if r["kind"] == "objection" and r["subject"] == subject]
        operations.republish(conf, store, pm=c.pm)
        store.audit("portal.request.confirmed", {"kind": "optout", "subject": subject,
                                                 "request": rows[-1]["id"] if rows else 0})
    return f"O-{rows[-1]['id']}" if rows else "O"


def _access(c: AppContext, ident: Identifier, received: dt.datetime) -> dict[str, Any]:
    conf = c.config
    with c.privacy_lock, c.store() as store:
        report = access.access_report(
            store, ident.value, purposes=conf.privacy.purposes, controller=conf.privacy.controller,
            sources={s.name: s.type for s in conf.sources}, sinks=[s.type for s in conf.sinks],
            secret_file=conf.privacy.secret_file, received_at=received)
        store.audit("portal.request.confirmed", {"kind": "access", "request": report["request"]["id"]})
    return report


def _stash(c: AppContext, report: dict[str, Any]) -> str:
    """Keep the export downloadable for a few minutes, in memory only, under a random token."""
    now = time.monotonic()
    for k in [k for k, (t, _) in c.downloads.items() if t < now]:
        del c.downloads[k]
    token = secrets.token_urlsafe(24)
    c.downloads[hashlib.sha256(token.encode()).hexdigest()] = (now + DOWNLOAD_TTL, report)
    return token


@router.get("/download/{token}.{fmt}", include_in_schema=False)
def download(request: Request, token: str, fmt: str) -> Response:
    c = ctx(request)
    entry = c.downloads.get(hashlib.sha256(token[:100].encode()).hexdigest())
    if entry is None or entry[0] < time.monotonic() or fmt not in ("json", "html"):
        return error_page(request, PortalError(404, "err_expired", "download.expired"))
    report = entry[1]
    disp = {"Content-Disposition": f'attachment; filename="my-data.{fmt}"'}
    if fmt == "json":
        return Response(json.dumps(report, indent=2, ensure_ascii=False), media_type="application/json",
                        headers=disp)
    return Response(access.render_html(report), media_type="text/html; charset=utf-8", headers=disp)
