"""File sinks: JSONL, CSV (CRM import headers) and vCard 4.0 (RFC 6350).

Each writes a snapshot of the contacts it is given, atomically, so writing the same
contacts twice leaves the same file (idempotent).
"""

from __future__ import annotations

import csv
import io
import re
import json
import uuid
from pathlib import Path
from typing import Sequence

from ..engine.plugins import lazy_factory
from ..hookspecs import hookimpl
from ..records import Contact
from ..serialize import contact_to_dict, split_name
from ..sinkbase import BaseSink, atomic_write

CSV_HEADERS = ("First Name", "Last Name", "Email", "Email 2", "Phone", "Mobile", "Fax", "Job Title",
               "Company", "Website", "Address", "LinkedIn", "Twitter", "Kind")
_UID_FILE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.vcf$")
_UID_NS = uuid.UUID("6f1c7a52-3b1e-4c43-9a57-7f0e2b6b9c10")


def render_jsonl(contacts: Sequence[Contact]) -> str:
    return "".join(json.dumps(contact_to_dict(c), ensure_ascii=False) + "\n" for c in contacts)


def render_json(contacts: Sequence[Contact]) -> str:
    return json.dumps([contact_to_dict(c) for c in contacts], ensure_ascii=False, indent=2) + "\n"


def _cell(value: str | None) -> str:
    """Spreadsheet formula injection guard for free-text cells."""
    v = value or ""
    return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v


def render_csv(contacts: Sequence[Contact]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_HEADERS)
    for c in contacts:
        first, last = split_name(c.name)
        phones = {t: [p.number for p in c.phones if p.type == t] for t in ("work", "mobile", "fax", "other")}
        social = dict(c.social)
        w.writerow([
            _cell(first), _cell(last),
            c.emails[0] if c.emails else "", c.emails[1] if len(c.emails) > 1 else "",
            (phones["work"] or phones["other"] or [""])[0], (phones["mobile"] or [""])[0],
            (phones["fax"] or [""])[0],
            _cell(c.title), _cell(c.company), c.websites[0] if c.websites else "", _cell(c.address),
            social.get("linkedin", ""), social.get("twitter", social.get("x", "")), c.kind,
        ])
    return buf.getvalue()


def _esc(v: str) -> str:
    return (v.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
            .replace("\r", "").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """RFC 6350 3.2: lines longer than 75 octets are folded (never inside a UTF-8 sequence)."""
    out, cur = [], b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(cur) + len(b) > (75 if not out else 74):
            out.append(cur.decode("utf-8"))
            cur = b""
        cur += b
    out.append(cur.decode("utf-8"))
    return "\r\n ".join(out)


def vcard(c: Contact) -> str:
    key = c.emails[0] if c.emails else (c.phones[0].number if c.phones else f"id:{c.id}")
    first, last = split_name(c.name)
    lines = ["BEGIN:VCARD", "VERSION:4.0", f"UID:urn:uuid:{uuid.uuid5(_UID_NS, key)}",
             f"KIND:{'individual' if c.kind == 'person' else 'org'}",
             "FN:" + _esc(c.name or (c.emails[0] if c.emails else key))]
    if c.name:
        lines.append(f"N:{_esc(last)};{_esc(first)};;;")
    if c.company:
        lines.append("ORG:" + _esc(c.company))
    if c.title:
        lines.append("TITLE:" + _esc(c.title))
    for i, e in enumerate(c.emails):
        lines.append(f"EMAIL;TYPE=work{';PREF=1' if i == 0 else ''}:{e}")
    for p in c.phones:
        typ = {"work": "work,voice", "mobile": "cell,voice", "fax": "work,fax"}.get(p.type, "voice")
        lines.append(f'TEL;VALUE=uri;TYPE="{typ}":tel:{p.number}')
    if c.address:
        lines.append(f'ADR;TYPE=work;LABEL="{_esc(c.address).replace(chr(34), "")}":;;{_esc(c.address)};;;;')
    for u in c.websites:
        lines.append("URL;TYPE=work:" + u)
    for net, u in c.social:
        lines.append(f"X-SOCIALPROFILE;TYPE={_esc(net)}:{u}")
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)


def render_vcf(contacts: Sequence[Contact]) -> str:
    return "".join(vcard(c) for c in contacts)


RENDERERS = {"jsonl": render_jsonl, "json": render_json, "csv": render_csv, "vcf": render_vcf,
             "vcard": render_vcf}


class FileSink(BaseSink):
    """Writes all contacts it is given into one file in ``fmt``."""

    fmt = "jsonl"

    def write_contacts(self, contacts: Sequence[Contact]) -> int:
        atomic_write(self.config.path(), RENDERERS[self.fmt](contacts))
        return len(contacts)


class JsonlSink(FileSink):
    """``type = "jsonl"``, key ``path``: one contact per line, the shape of ``webleads extract``."""

    fmt = "jsonl"


class CsvSink(FileSink):
    """``type = "csv"``, key ``path``: the column names CRM imports accept."""

    fmt = "csv"


class VcardSink(BaseSink):
    """``type = "vcard"``: key ``path`` (one multi-contact .vcf), or ``folder``
    (one ``.vcf`` per contact, named by its UID)."""

    def write_contacts(self, contacts: Sequence[Contact]) -> int:
        if self.config.options.get("folder"):
            folder = Path(self.config.path("folder"))
            keep = set()
            for c in contacts:
                card = vcard(c)
                uid = card.split("UID:urn:uuid:", 1)[1][:36]
                keep.add(f"{uid}.vcf")
                atomic_write(folder / f"{uid}.vcf", card)
            # the folder is a snapshot too: cards of contacts no longer published (erased,
            # opted out, restricted) are removed, so an export never outlives an erasure
            for old in folder.glob("*.vcf"):
                if old.name not in keep and _UID_FILE.match(old.name):
                    old.unlink()
        else:
            atomic_write(self.config.path(), render_vcf(contacts))
        return len(contacts)


@hookimpl
def register_sinks(register):
    register("jsonl", JsonlSink)
    register("csv", CsvSink)
    register("vcard", VcardSink)
    # its module (the HTTP client, SSRF checks) is imported only when a webhook sink is
    # configured: the core's plugins load in every webleads process and worker
    register("webhook", lazy_factory("webleads_core.default_plugins.webhook:WebhookSink"))
