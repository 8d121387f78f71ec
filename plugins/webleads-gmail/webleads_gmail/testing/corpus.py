"""Synthetic business mail for the stand-in's mailboxes (fictional people, ``.example``
domains, ITU-reserved fictional phone ranges), deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random
from typing import Iterator

from webleads_core.testing.helpers import eml

FIRST = ("Jane", "Marc", "Aiko", "Pedro", "Fatima", "Lars", "Chloe", "Ravi", "Ingrid", "Tomas", "Nadia",
         "Owen", "Sofia", "Kwame", "Elena", "Hiro", "Maya", "Jonas", "Leila", "Bruno")
LAST = ("Doe", "Olivier", "Tanaka", "Alves", "Haddad", "Berg", "Martin", "Iyer", "Nilsen", "Novak",
        "Karimi", "Price", "Romano", "Mensah", "Petrova", "Sato", "Cohen", "Weber", "Farah", "Costa")
TITLES = ("Head of Operations", "Sales Director", "Procurement Manager", "Chief Financial Officer",
          "Account Executive", "Project Manager", "Marketing Lead", "Logistics Coordinator")
COMPANIES = ("Northwind Logistics Ltd", "Atelier Moreau SAS", "Contoso Freight GmbH", "Fabrikam Textiles",
             "Tailspin Couriers", "Litware Analytics", "Proseware Systems", "Woodgrove Supplies")
SUBJECTS = ("Shipping schedule", "Quote for next month", "Meeting notes", "Invoice question",
            "Delivery window", "Contract renewal", "Samples", "Follow-up")


def person(i: int) -> dict[str, str]:
    first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
    company = COMPANIES[i % len(COMPANIES)]
    domain = company.split()[0].lower() + ".example"
    return {"name": f"{first} {last}", "email": f"{first.lower()}.{last.lower()}@{domain}",
            "title": TITLES[(i * 3) % len(TITLES)], "company": company,
            "phone": f"+44 20 7946 {i % 10000:04d}", "website": f"www.{domain}"}


def message(n: int, owner: str = "me@standin.example", *, seed: int = 0, people: int = 24) -> bytes:
    """The n-th message of a corpus: from one of ``people`` senders, with a signature."""
    rng = random.Random(seed * 1_000_003 + n)
    p = person(rng.randrange(people))
    when = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.timezone.utc) + dt.timedelta(hours=7 * n, minutes=rng.randrange(60))
    body = (f"Hello,\n\n{rng.choice(SUBJECTS)}: please see the details below and let me know.\n\n"
            f"Best regards,\n{p['name']}\n{p['title']}\n{p['company']}\nTel: {p['phone']}\n{p['website']}\n")
    return eml(f"{p['name']} <{p['email']}>", owner, body, subject=f"{rng.choice(SUBJECTS)} #{n}",
               date=when.strftime("%a, %d %b %Y %H:%M:%S +0000"), msgid=f"<corpus-{seed}-{n}@standin.example>")


def messages(count: int, owner: str = "me@standin.example", *, start: int = 0, seed: int = 0) -> Iterator[bytes]:
    for n in range(start, start + count):
        yield message(n, owner, seed=seed)
