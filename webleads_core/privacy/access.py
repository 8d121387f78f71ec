"""The subject access request (GDPR arts. 14 and 15): everything held about a person,
every value with its sources, the purposes, the recipients and the retention date.

:func:`access_report` builds it as a dict (the JSON answer); :func:`render_html`
and :func:`render_text` turn it into a readable page.  An identifier nothing is held
about still gets an answer ("nothing held"), and the request is still registered
and audited.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..serialize import contact_to_dict
from ..store import SQLiteStore
from .requests import close, open_request, subject_forms
from .suppress import Suppressor, pseudonym

__all__ = ["access_report", "render_html", "render_text"]

RIGHTS = (
    "You may ask for a copy of this information at any time (access), have a value corrected "
    "(rectification), have everything erased and never collected again (erasure and objection), "
    "or have the record frozen while a dispute lasts (restriction). You may also lodge a complaint "
    "with your data protection authority."
)

_FIELD_CATEGORY = {
    "name": "identity", "title": "professional life", "company": "professional life",
    "email": "contact details", "phone": "contact details", "address": "contact details (work address)",
    "website": "professional life", "social": "online identifiers (public profiles)",
}


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat() if t else None


def access_report(
    store: SQLiteStore,
    identifier: str,
    *,
    purposes: Sequence[str] = (),
    controller: str = "",
    sources: Mapping[str, str] | None = None,
    sinks: Sequence[str] = (),
    secret_file: Path | None = None,
    received_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Everything the store holds about the person ``identifier`` designates (email in
    any variant, or phone), with provenance; registers and audits the request.

    Args:
        purposes, controller: from the config's ``[privacy]`` table.
        sources: source name -> type (``maildir``, ``imap``, ``web`` ...), to say where values came from.
        sinks: the configured sink types (recipients of exports).
    """
    forms = subject_forms(identifier)
    key = store.secret_key(secret_file)
    subject = pseudonym(key, identifier)
    rid = open_request(store, "access", subject, received_at)
    ids = store.match(identifier)
    restricted = store.restricted_ids()
    hidden_by_retention = store.expired_ids()
    sources = dict(sources or {})
    people = []
    values_total = 0
    for contact in store.contacts(ids, include_hidden=True):
        values: list[dict[str, Any]] = []
        for ev in store.evidence_of(contact.id):
            item = ev["item_id"]
            values.append({
                "field": ev["field"], "category": _FIELD_CATEGORY.get(ev["field"], "other"),
                "value": ev["value"], "subtype": ev["subtype"],
                "source": {"name": ev["source"], "type": sources.get(ev["source"])},
                "owner": ev["owner"] or None,
                "item": item, "url": item if item.startswith(("http://", "https://")) else None,
                "observed_at": ev["observed_at"],
                "extractor": ev["extractor"], "extractor_version": ev["extractor_version"],
                "method": ev["method"], "confidence": round(float(ev["confidence"]), 3),
            })
        values_total += len(values)
        lifetimes = store.lifetimes().get(contact.id)
        due = store.due_at(contact.id)
        people.append({
            "id": contact.id,
            "current": contact_to_dict(contact),
            "values": values,
            "corrections": [{"field": f, "value": v.split("|")[0] if v else None}
                            for f, v in store.pins_of(contact.id)],
            "recipients": {"address_books": list(contact.owners), "exports": list(sinks)},
            "retention": {
                "first_collected": _iso(lifetimes[0]) if lifetimes else None,
                "last_observed": _iso(lifetimes[1]) if lifetimes else None,
                "delete_by": _iso(due),
                "ttl_days": store.retention.ttl_days, "max_days": store.retention.max_days,
            },
            "restricted": contact.id in restricted,
            "past_retention": contact.id in hidden_by_retention,
        })
    digests = store.suppression_digests()
    sup = Suppressor(key, digests)
    kind, _, canon = forms[0].partition(":")
    suppressed = bool(digests) and (sup.blocks_email(canon) if kind == "email" else sup.blocks_phone(canon))
    detail = {"contacts": len(people), "values": values_total}
    close(store, rid, "completed", detail, subject=subject)
    store.audit("privacy.export", {"request": rid, "subject": subject, **detail})
    row = next(r for r in store.requests() if r["id"] == rid)
    return {
        "request": {"id": rid, "kind": "access", "received_at": row["received_at"], "due_at": row["due_at"],
                    "completed_at": row["completed_at"], "status": row["status"]},
        "identifier": identifier,
        "held": bool(people),
        "answer": ("Here is everything held about you." if people else
                   "Nothing is held about this identifier."),
        "opted_out": suppressed,
        "controller": controller or None,
        "purposes": list(purposes),
        "categories": sorted({v["category"] for p in people for v in p["values"]}),
        "contacts": people,
        "rights": RIGHTS,
        "generated_at": store.now().isoformat(),
    }


def render_text(report: Mapping[str, Any]) -> str:
    """The access report as plain text."""
    req = report["request"]
    lines = [f"Subject access request {req['id']}: received {req['received_at'][:10]}, "
             f"due {req['due_at'][:10]}, {req['status']}",
             report["answer"]]
    if report["controller"]:
        lines.append(f"Controller: {report['controller']}")
    if report["purposes"]:
        lines.append("Purposes: " + "; ".join(report["purposes"]))
    if report["opted_out"]:
        lines.append("This identifier is on the opt-out list: it is never collected again.")
    for p in report["contacts"]:
        lines.append("")
        lines.append(f"Record {p['id']}" + (" (restricted)" if p["restricted"] else ""))
        r = p["retention"]
        lines.append(f"  first collected {str(r['first_collected'])[:10]}, last observed "
                     f"{str(r['last_observed'])[:10]}, deleted by {str(r['delete_by'])[:10]}")
        books = ", ".join(p["recipients"]["address_books"]) or "none"
        lines.append(f"  in the address books of: {books}")
        if p["recipients"]["exports"]:
            lines.append(f"  exported to: {', '.join(p['recipients']['exports'])}")
        for c in p["corrections"]:
            lines.append(f"  your correction: {c['field']} = {c['value'] if c['value'] is not None else '(cleared)'}")
        for v in p["values"]:
            src = v["source"]["name"] + (f" ({v['source']['type']})" if v["source"]["type"] else "")
            lines.append(f"  {v['field']}: {v['value']}")
            lines.append(f"      from {src}, item {v['item']}, owner {v['owner'] or '-'}, "
                         f"{v['observed_at'][:10]}, by {v['extractor']} {v['extractor_version']} "
                         f"({v['method']}, confidence {v['confidence']:.2f})")
    lines += ["", report["rights"]]
    return "\n".join(lines) + "\n"


def render_html(report: Mapping[str, Any]) -> str:
    """The access report as a self-contained HTML page (every value escaped)."""
    e = html.escape
    req = report["request"]
    out = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
           "<title>What we hold about you</title>",
           "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
           "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em;"
           "text-align:left;vertical-align:top}th{background:#f3f3f3}</style></head><body>",
           "<h1>What we hold about you</h1>",
           f"<p>Request {req['id']}, received {e(req['received_at'][:10])}, answer due "
           f"{e(req['due_at'][:10])}: {e(req['status'])}.</p>",
           f"<p><strong>{e(report['answer'])}</strong></p>"]
    if report["controller"]:
        out.append(f"<p>Controller: {e(report['controller'])}</p>")
    if report["purposes"]:
        out.append("<h2>Why</h2><ul>" + "".join(f"<li>{e(p)}</li>" for p in report["purposes"]) + "</ul>")
    if report["opted_out"]:
        out.append("<p>This identifier is on the opt-out list: it is never collected again.</p>")
    for p in report["contacts"]:
        r = p["retention"]
        out.append(f"<h2>Record {p['id']}{' (restricted)' if p['restricted'] else ''}</h2>")
        out.append(f"<p>First collected {e(str(r['first_collected'])[:10])}, last observed "
                   f"{e(str(r['last_observed'])[:10])}; deleted by {e(str(r['delete_by'])[:10])} at the latest.</p>")
        books = ", ".join(p["recipients"]["address_books"]) or "none"
        out.append(f"<p>Recipients: the address books of {e(books)}"
                   + (f"; exports: {e(', '.join(p['recipients']['exports']))}" if p["recipients"]["exports"] else "")
                   + ".</p>")
        if p["corrections"]:
            out.append("<p>Your corrections: " + "; ".join(
                f"{e(c['field'])} = {e(c['value']) if c['value'] is not None else '(cleared)'}"
                for c in p["corrections"]) + "</p>")
        out.append("<table><tr><th>Field</th><th>Value</th><th>Source</th><th>Message or URL</th>"
                   "<th>Owner</th><th>When</th><th>Found by</th></tr>")
        for v in p["values"]:
            src = v["source"]["name"] + (f" ({v['source']['type']})" if v["source"]["type"] else "")
            out.append(f"<tr><td>{e(v['field'])}</td><td>{e(v['value'])}</td><td>{e(src)}</td>"
                       f"<td>{e(v['item'])}</td><td>{e(v['owner'] or '-')}</td><td>{e(v['observed_at'][:10])}</td>"
                       f"<td>{e(v['extractor'])} {e(v['extractor_version'])} ({e(v['method'])}, "
                       f"{v['confidence']:.2f})</td></tr>")
        out.append("</table>")
    out.append(f"<h2>Your rights</h2><p>{e(report['rights'])}</p></body></html>")
    return "\n".join(out) + "\n"
