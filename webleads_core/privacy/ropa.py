"""The record of processing activities (GDPR art. 30), generated from what actually runs:
the configuration (sources, owners, sinks, retention, purposes) and the installed
plugins (which component reads, extracts, scores and writes).

It describes the processing; it does not decide its lawfulness.  The legal basis, the
notices to the people collected and the impact assessment stay the operator's duty
(see docs/privacy.md).
"""

from __future__ import annotations

from typing import Any

from ..records import BUSINESS_FIELDS

__all__ = ["build_ropa", "render_ropa"]

_CATEGORIES = {
    "name": ("identity", "a person's name as they sign or as headers give it"),
    "title": ("professional life", "job title"),
    "company": ("professional life", "employer or organisation"),
    "email": ("contact details", "work email addresses"),
    "phone": ("contact details", "typed phone numbers (work, mobile, fax), E.164"),
    "address": ("contact details", "work (postal) address"),
    "website": ("professional life", "company or personal websites"),
    "social": ("online identifiers", "public professional profiles (LinkedIn, X ...)"),
}

_SUBJECTS = {
    "email": "people who write to the owners, are copied on their mail, or are quoted in it",
    "page": "people named on the web pages crawled (team pages, contact pages)",
    "record": "people in the address books and APIs the owners connect",
}

_KIND_OF_SOURCE = {"eml": "email", "mbox": "email", "maildir": "email", "imap": "email", "gmail": "email",
                   "web": "page", "html": "page"}


def build_ropa(config: Any, registry: Any = None, *, encrypted: bool | None = None) -> dict[str, Any]:
    """The processing record as a dict.

    Args:
        config: a :class:`webleads_core.config.Config`.
        registry: the plugin :class:`~webleads_core.engine.plugins.Registry` (installed components).
        encrypted: whether the store is encrypted (None: unknown).
    """
    p = config.privacy
    kinds = sorted({_KIND_OF_SOURCE.get(s.type, "record") for s in config.sources}) or ["email"]
    plugin_of = {}
    if registry is not None:
        for r in registry.all():
            plugin_of[(r.hook, r.name)] = r.plugin
    return {
        "controller": p.controller or "(not set: [privacy] controller)",
        "purposes": list(p.purposes),
        "data_subjects": [_SUBJECTS[k] for k in kinds],
        "categories": [{"field": f, "category": _CATEGORIES[f][0], "description": _CATEGORIES[f][1]}
                       for f in BUSINESS_FIELDS],
        "special_categories": ("none kept: signature lines with an Art. 9 hint (trade union, health, religion, "
                               "politics, sexual orientation) are dropped before extraction; card numbers, "
                               "IBANs, national ids, passwords and tokens are redacted"),
        "not_kept": "message bodies, quoted text, attachments and page text are purged right after capture",
        "sources": [{"name": s.name, "type": s.type, "plugin": plugin_of.get(("register_sources", s.type)),
                     "owner": s.owner or None} for s in config.sources],
        "processing": {
            "extractors": sorted(registry.extractors) if registry is not None else [],
            "segmenters": sorted(registry.segmenters) if registry is not None else [],
            "scorers": sorted(registry.scorers) if registry is not None else [],
            "privacy_rules": sorted(registry.privacy_rules) if registry is not None else [],
        },
        "recipients": {
            "address_books": sorted({s.owner for s in config.sources if s.owner}),
            "exports": [{"type": k.type, "plugin": plugin_of.get(("register_sinks", k.type))}
                        for k in config.sinks],
        },
        "transfers": "none made by webleads itself; check where each export is sent",
        "retention": {
            "ttl_days": p.retention_days, "max_days": p.max_retention_days,
            "rule": (f"deleted {p.retention_days} days after the last observation, and "
                     f"{p.max_retention_days} days after the first collection at most; never renewed by updates"),
        },
        "security": {
            "encryption_at_rest": ("AES-256-GCM on personal columns, blind indexes for lookups"
                                   if encrypted else "off" if encrypted is False else "unknown"),
            "opt_out": "keyed HMAC-SHA256 digests only, secret kept outside the store",
            "audit": "append-only hash-chained log with a keyed anchor; pseudonymous keys only",
            "seal": "exports accept only records sealed by the privacy stage",
        },
        "subject_rights": ["access (privacy export)", "erasure (privacy erase)", "rectification (privacy rectify)",
                           "restriction (privacy restrict)", "objection (privacy optout)"],
    }


def render_ropa(ropa: dict[str, Any]) -> str:
    """The processing record as readable text (Markdown)."""
    out = ["# Record of processing: webleads", "",
           f"**Controller:** {ropa['controller']}", "", "## Purposes"]
    out += [f"- {x}" for x in ropa["purposes"]]
    out += ["", "## Data subjects"] + [f"- {x}" for x in ropa["data_subjects"]]
    out += ["", "## Categories of personal data", "", "| field | category | what |", "|---|---|---|"]
    out += [f"| {c['field']} | {c['category']} | {c['description']} |" for c in ropa["categories"]]
    out += ["", f"Special categories: {ropa['special_categories']}.", f"Not kept: {ropa['not_kept']}.",
            "", "## Sources"]
    out += [f"- {s['name']} ({s['type']}, plugin {s['plugin'] or 'unknown'})" for s in ropa["sources"]] or ["- none"]
    proc = ropa["processing"]
    out += ["", "## Processing", f"- extractors: {', '.join(proc['extractors']) or 'none'}",
            f"- segmenters: {', '.join(proc['segmenters']) or 'none'}",
            f"- scorers: {', '.join(proc['scorers']) or 'none'}",
            f"- extra privacy rules: {', '.join(proc['privacy_rules']) or 'none'}"]
    rec = ropa["recipients"]
    out += ["", "## Recipients", f"- address books of: {', '.join(rec['address_books']) or 'none configured'}"]
    out += [f"- export: {x['type']} (plugin {x['plugin'] or 'unknown'})" for x in rec["exports"]]
    out += [f"- transfers: {ropa['transfers']}", "", "## Retention", f"- {ropa['retention']['rule']}",
            "", "## Security"]
    out += [f"- {k.replace('_', ' ')}: {v}" for k, v in ropa["security"].items()]
    out += ["", "## Subject rights", *[f"- {x}" for x in ropa["subject_rights"]], ""]
    return "\n".join(out)
