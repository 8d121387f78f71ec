"""Realistic, fictional messages (``.example`` domains) for tests and benchmarks.

Every message has a sender with a signature (name, title, company, phone, website), so
a run that reads them finds contacts; the shapes vary the way real mail does: plain
text, ``multipart/alternative`` with HTML, a PDF attachment *before* the text part,
quoted-printable and base64 bodies, and long bodies whose signature sits at the tail.
"""

from __future__ import annotations

import base64
import random
from email.utils import format_datetime
import datetime as dt

FIRST = ("Jane", "Marc", "Aiko", "Lena", "Omar", "Priya", "Tomas", "Ines", "Kofi", "Sara",
         "Diego", "Mia", "Ivan", "Noor", "Paul", "Elif", "Chen", "Ada", "Luis", "Zoe")
LAST = ("Doe", "Olivier", "Tanaka", "Berg", "Haddad", "Raman", "Novak", "Costa", "Mensah", "Lind",
        "Rojas", "Keller", "Petrov", "Aziz", "Martin", "Yilmaz", "Wang", "Lovel", "Garcia", "Park")
COMPANIES = ("Northwind Logistics", "Atelier Moreau", "Blue Fjord Shipping", "Kestrel Analytics",
             "Harbor & Pine", "Orchid Biotech", "Granite Works", "Solstice Media")
TITLES = ("Head of Operations", "Sales Director", "Account Manager", "CTO", "Procurement Lead",
          "Marketing Manager", "Office Manager", "Founder & CEO")
OWNER = "me@webleads-demo.example"


def person(i: int) -> tuple[str, str, str, str, str]:
    """(name, email, title, company, domain) of the i-th fictional sender."""
    first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
    company = COMPANIES[i % len(COMPANIES)]
    domain = company.lower().replace(" & ", "-").replace(" ", "-") + ".example"
    email = f"{first.lower()}.{last.lower()}{i // (len(FIRST) * len(LAST)) or ''}@{domain}"
    return f"{first} {last}", email, TITLES[i % len(TITLES)], company, domain


def signature(i: int) -> str:
    name, _, title, company, domain = person(i)
    return (f"Best regards,\n{name}\n{title}\n{company}\n"
            f"Tel: +44 20 7946 {i % 10000:04d}\nwww.{domain}\n")


def message(i: int, *, shape: str | None = None, date: dt.datetime | None = None,
            msgid: str | None = None, attachment_bytes: int = 300_000) -> bytes:
    """The i-th message.  ``shape`` is one of ``plain``, ``alternative``, ``attachment``,
    ``qp``, ``long`` (default: chosen by ``i``)."""
    shapes = ("plain", "alternative", "plain", "attachment", "qp", "plain", "long", "alternative")
    shape = shape or shapes[i % len(shapes)]
    name, email, _, _, _ = person(i)
    date = date or dt.datetime(2025, 1, 1, 9, 0, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=37 * i)
    mid = msgid or f"<m{i}.{shape}@{email.split('@')[1]}>"
    body = f"Hello Dana,\n\nHere is the update on order {1000 + i}. Let me know if anything is missing.\n\n"
    sig = signature(i)
    head = (f"From: {name} <{email}>\r\nTo: Dana Whitfield <{OWNER}>\r\nSubject: Order {1000 + i}\r\n"
            f"Date: {format_datetime(date)}\r\nMessage-ID: {mid}\r\nMIME-Version: 1.0\r\n")
    crlf = lambda s: s.replace("\n", "\r\n")  # noqa: E731
    if shape == "plain":
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + crlf(body + sig)).encode()
    if shape == "qp":
        text = crlf(body.replace("update", "mise à jour") + sig)
        qp = text.encode("utf-8").replace(b"\xc3\xa0", b"=C3=A0")
        return (head + "Content-Type: text/plain; charset=utf-8\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n").encode() + qp
    if shape == "long":
        filler = "".join(f"Line {k} of the quarterly report, nothing to see here.\n" for k in range(4000))
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + crlf(body + filler + sig)).encode()
    b = f"b{i}x"
    if shape == "alternative":
        html = "<html><body><p>" + body.replace("\n\n", "</p><p>") + "</p><p>" + \
               sig.replace("\n", "<br>") + "</p></body></html>"
        return (head + f'Content-Type: multipart/alternative; boundary="{b}"\r\n\r\n'
                f"--{b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{crlf(body + sig)}\r\n"
                f"--{b}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{crlf(html)}\r\n--{b}--\r\n").encode()
    if shape == "attachment":
        rnd = random.Random(i)
        blob = base64.encodebytes(rnd.randbytes(attachment_bytes)).replace(b"\n", b"\r\n")
        return (head + f'Content-Type: multipart/mixed; boundary="{b}"\r\n\r\n'
                f"--{b}\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
                f"Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
                f"Content-Transfer-Encoding: base64\r\n\r\n").encode() + blob + \
               (f"\r\n--{b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{crlf(body + sig)}\r\n"
                f"--{b}--\r\n").encode()
    raise ValueError(f"unknown shape {shape!r}")


def messages(n: int, start: int = 0, **kw) -> list[bytes]:
    return [message(i, **kw) for i in range(start, start + n)]
