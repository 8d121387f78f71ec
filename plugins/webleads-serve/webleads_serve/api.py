"""The HTTP API (``/api/v1``): contacts, change events, runs, and the operator's privacy
operations.  OpenAPI at ``/api/openapi.json``.

Every request needs an API key (``Authorization: Bearer wl_...`` or ``X-API-Key``).
An owner's key sees the owner's address book (``view=book``, the default) and the
network view (``view=network``); an operator's key also sees ``view=all``, the run
controls and the privacy operations.  Every error is
``{"error": {"status": int, "code": str, "message": str}}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from webleads_core import ConfigError
from webleads_core.privacy import access, operations, requests as preq
from webleads_core.privacy.suppress import pseudonym

from . import views
from .context import AppContext
from .errors import ApiError
from .state import ApiKey

router = APIRouter(prefix="/api/v1")


def ctx(request: Request) -> AppContext:
    return request.app.state.ctx


def api_key(request: Request) -> ApiKey:
    raw = request.headers.get("x-api-key") or ""
    auth = request.headers.get("authorization") or ""
    if not raw and auth[:7].lower() == "bearer ":
        raw = auth[7:].strip()
    if not raw:
        raise ApiError(401, "auth.missing", "an API key is needed (Authorization: Bearer ...)")
    key = ctx(request).state.check_key(raw)
    if key is None:
        raise ApiError(401, "auth.invalid", "this API key is not valid")
    return key


def operator(key: ApiKey = Depends(api_key)) -> ApiKey:
    if key.role != "operator":
        raise ApiError(403, "auth.forbidden", "this needs an operator key")
    return key


def _view(view: str, key: ApiKey) -> str:
    if view == "all" and key.role != "operator":
        raise ApiError(403, "auth.forbidden", "view=all needs an operator key")
    return view


@router.get("/contacts", summary="List contacts (paged, searchable)")
def list_contacts(request: Request, key: ApiKey = Depends(api_key),
                  view: Literal["book", "network", "all"] = "book",
                  q: str = Query("", max_length=100), limit: int = Query(50, ge=1, le=200),
                  offset: int = Query(0, ge=0, le=10_000_000)) -> dict[str, Any]:
    c = ctx(request)
    view = _view(view, key)
    with c.store() as store:
        found = [x for x in views.visible_contacts(store, c.policy(store), view, key.owner)
                 if views.matches(x, q, view)]
    page = found[offset:offset + limit]
    nxt = offset + limit if offset + limit < len(found) else None
    return {"view": view, "total": len(found), "offset": offset, "limit": limit, "next_offset": nxt,
            "items": [views.summary(x, view) for x in page]}


@router.get("/contacts/{contact_id}", summary="One contact: each field's value, confidence, support, history")
def get_contact(request: Request, contact_id: int, key: ApiKey = Depends(api_key),
                view: Literal["book", "network", "all"] = "book") -> dict[str, Any]:
    c = ctx(request)
    view = _view(view, key)
    with c.store() as store:
        found = list(views.visible_contacts(store, c.policy(store), view, key.owner, [contact_id]))
        if not found:
            raise ApiError(404, "contact.not_found", "no such contact in this view")
        return views.detail(store, found[0], view, key.owner)


@router.get("/changes", summary="Contacts created or changed since a time")
def changes(request: Request, since: dt.datetime, key: ApiKey = Depends(api_key),
            view: Literal["book", "network", "all"] = "book",
            limit: int = Query(500, ge=1, le=5000)) -> dict[str, Any]:
    c = ctx(request)
    view = _view(view, key)
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.timezone.utc)
    since = since.astimezone(dt.timezone.utc)
    with c.store() as store:
        rows = views.changed_ids(store, since)
        times = {cid: (created, updated) for cid, created, updated in rows}
        visible = {x.id: x for x in views.visible_contacts(store, c.policy(store), view, key.owner, list(times))}
    events = []
    for cid, (created, updated) in sorted(times.items(), key=lambda kv: (kv[1][1], kv[0])):
        if cid in visible:
            events.append({"type": "created" if created > since.isoformat() else "updated", "at": updated,
                           "contact": views.summary(visible[cid], view)})
    last = events[limit - 1]["at"] if len(events) > limit else None
    return {"since": since.isoformat(), "events": events[:limit], "more_after": last}


@router.get("/runs", summary="Runs, with their counts, and the schedule")
def runs(request: Request, key: ApiKey = Depends(api_key)) -> dict[str, Any]:
    c = ctx(request)
    with c.store() as store:
        store_runs = store.runs()[-100:]
    sched = c.scheduler
    return {"runs": c.state.runs(), "store_runs": list(reversed(store_runs)),
            "running": sched.running_source if sched else None,
            "next": sched.next_runs() if sched else {},
            "schedules": {n: s.text for n, s in sched.schedules.items()} if sched else {}}


class RunRequest(BaseModel):
    source: str = Field(max_length=200)


@router.post("/runs", status_code=202, summary="Queue a run of one source now (operator)")
def trigger_run(request: Request, body: RunRequest, key: ApiKey = Depends(operator)) -> dict[str, Any]:
    sched = ctx(request).scheduler
    if sched is None:
        raise ApiError(409, "scheduler.off", "the scheduler is not running in this server")
    if not sched.trigger(body.source):
        raise ApiError(404, "source.not_found", "no source of that name")
    return {"queued": body.source}


class PrivacyRequest(BaseModel):
    identifier: str = Field(min_length=1, max_length=254)
    received: dt.datetime | None = None
    field: str | None = Field(default=None, max_length=20)
    value: str | None = Field(default=None, max_length=300)
    phone_type: str = Field(default="work", max_length=10)


def _received(body: PrivacyRequest) -> dt.datetime | None:
    if body.received is not None and body.received.tzinfo is None:
        return body.received.replace(tzinfo=dt.timezone.utc)
    return body.received


@router.post("/privacy/{action}", summary="Privacy operations (operator): optout, export, erase, rectify, "
                                          "restrict, lift")
def privacy_action(request: Request, action: Literal["optout", "export", "erase", "rectify", "restrict", "lift"],
                   body: PrivacyRequest, key: ApiKey = Depends(operator)) -> dict[str, Any]:
    c = ctx(request)
    conf = c.config
    secret = conf.privacy.secret_file
    with c.privacy_lock, c.store() as store:
        try:
            if action == "export":
                return access.access_report(
                    store, body.identifier, purposes=conf.privacy.purposes, controller=conf.privacy.controller,
                    sources={s.name: s.type for s in conf.sources}, sinks=[s.type for s in conf.sinks],
                    secret_file=secret, received_at=_received(body))
            if action == "optout":
                erased = operations.optout(store, body.identifier, secret_file=secret, received_at=_received(body))
                subject = pseudonym(store.secret_key(secret), body.identifier)
                out: dict[str, Any] = {"kind": "objection", "erased": erased,
                                       "request": _last_request(store, "objection", subject)}
            elif action == "erase":
                out = _outcome(preq.erase(store, body.identifier, secret_file=secret, received_at=_received(body)))
            elif action == "rectify":
                if not body.field:
                    raise ApiError(422, "request.invalid", "rectify needs field and value")
                out = _outcome(preq.rectify(store, body.identifier, body.field, body.value,
                                            phone_type=body.phone_type, secret_file=secret,
                                            received_at=_received(body)))
            else:
                out = _outcome(preq.restrict(store, body.identifier, lift=action == "lift", secret_file=secret,
                                             received_at=_received(body)))
        except ConfigError as exc:
            raise ApiError(422, "request.invalid", str(exc)) from None
        out["republished"] = operations.republish(conf, store, pm=c.pm)
        return out


@router.get("/privacy/requests", summary="The request register (operator)")
def list_requests(request: Request, key: ApiKey = Depends(operator)) -> dict[str, Any]:
    with ctx(request).store() as store:
        return {"requests": preq.list_requests(store)}


@router.get("/privacy/audit", summary="Check the audit log's chain and anchor (operator)")
def audit(request: Request, key: ApiKey = Depends(operator)) -> dict[str, Any]:
    with ctx(request).store() as store:
        report = store.audit_report()
        entries = store.audit_entries()[-200:]
    return {"ok": report.ok, "entries": report.entries, "problem": report.problem, "recent": entries}


def _outcome(o: preq.RequestOutcome) -> dict[str, Any]:
    return {"request": o.request, "kind": o.kind, "subject": o.subject, "held": o.held, "status": o.status,
            "due_at": o.due_at.isoformat(), "detail": o.detail}


def _last_request(store: Any, kind: str, subject: str) -> dict[str, Any] | None:
    rows = [r for r in store.requests() if r["kind"] == kind and r["subject"] == subject]
    if not rows:
        return None
    r = rows[-1]
    return {"id": r["id"], "received_at": r["received_at"], "due_at": r["due_at"], "status": r["status"]}
