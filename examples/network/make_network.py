#!/usr/bin/env python3
"""Generate the simulated contact network ``examples/network/mailboxes/``.

Four owners (fictional people at fictional ``.example`` companies) each have a Maildir.
One person they all write with, Priya Raman, changes job on 1 July 2024: new company,
title, address domain and switchboard number (her mobile stays, which is how the store
knows it is still her).  The owners hear about it at different times:

- owner 1 on 3 July, owner 2 on 10 July (the second independent owner: this is when the
  network learns of the new job), owner 3 on 20 July; owner 4 never writes with her again;
- owner 3 once (15 April) receives a signature with a wrong title ("Interim Director"):
  a single noisy signature that must never change what the network says;
- owner 1's copies of her signature carry a direct line nobody else sees, and owner 2
  alone writes with Tomás Okafor: both must stay private to that owner.

Messages are rendered from ``templates/*.eml.tmpl``; the script is deterministic (no
randomness, no clock) and writes ``EXPECTED.json`` with what the tests check.

Usage::

    .venv/bin/python examples/network/make_network.py [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import hashlib
import json
import shutil
from pathlib import Path
from string import Template

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
DEFAULT_OUT = HERE / "mailboxes"
UTC = dt.timezone.utc
CHANGE = dt.datetime(2024, 7, 1, tzinfo=UTC)

OWNERS = [
    ("Olivia Grant", "olivia.grant@alpha-corp.example"),
    ("Marcus Lee", "marcus.lee@bravo-retail.example"),
    ("Sofia Novak", "sofia.novak@charlie-parts.example"),
    ("Daniel Price", "daniel.price@delta-foods.example"),
]
PRIYA_OLD = {"name": "Priya Raman", "email": "priya.raman@acme-freight.example", "title": "Head of Operations",
             "company": "Acme Freight", "phone": "+44 20 7946 0321", "site": "www.acme-freight.example"}
PRIYA_NEW = {"name": "Priya Raman", "email": "priya.raman@globex-shipping.example", "title": "VP Logistics",
             "company": "Globex Shipping", "phone": "+44 20 7946 0999", "site": "www.globex-shipping.example"}
MOBILE = "+44 7911 123456"
DIRECT = "+44 20 7946 0555"      # only in owner 1's mail
NOISY_TITLE = "Interim Director"  # once, in owner 3's mail
TOMAS = {"name": "Tomás Okafor", "email": "tomas.okafor@echo-tools.example", "title": "Sales Engineer",
         "company": "Echo Tools", "phone": "+44 20 7946 0777", "site": "www.echo-tools.example"}

#: (owner index, date) of each message from Priya.
SCHEDULE = [
    (0, "2024-01-10"), (1, "2024-01-17"), (2, "2024-01-24"), (3, "2024-02-07"),
    (0, "2024-03-06"), (1, "2024-03-20"), (2, "2024-04-15"), (3, "2024-04-24"),
    (0, "2024-05-08"), (1, "2024-05-29"), (2, "2024-06-12"), (3, "2024-06-19"),
    (0, "2024-07-03"), (1, "2024-07-10"), (2, "2024-07-20"),
    (0, "2024-08-14"), (1, "2024-09-04"), (2, "2024-09-25"), (0, "2024-10-16"),
]
NOISY = (2, "2024-04-15")
BODIES = ["The pallets ship on Thursday as planned.", "Could you confirm the delivery window for next week?",
          "Attached is the updated rate card we discussed.", "Happy to set up a call about the Q3 volumes.",
          "The customs paperwork is complete on our side."]


def _signature(p: dict[str, str], *, title: str | None = None, direct: bool = False) -> str:
    lines = [p["name"], f"{title or p['title']} | {p['company']}", f"Tel: {p['phone']}"]
    if p is not TOMAS:
        lines.append(f"Mobile: {MOBILE}")
    if direct:
        lines.append(f"Direct: {DIRECT}")
    lines.append(p["site"])
    return "\n".join(lines)


def _render(name: str, **values: str) -> bytes:
    return Template((TEMPLATES / name).read_text(encoding="utf-8")).substitute(values).encode("utf-8")


def _when(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def _write(box: Path, n: int, when: dt.datetime, raw: bytes) -> None:
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True, exist_ok=True)
    (box / "cur" / f"{int(when.timestamp())}.M{n}P1.network:2,S").write_bytes(raw)


def _message(owner: tuple[str, str], sender: dict[str, str], when: dt.datetime, n: int, signature: str) -> bytes:
    mid = hashlib.sha256(f"{owner[1]}|{sender['email']}|{when.isoformat()}|{n}".encode()).hexdigest()[:20]
    return _render("message.eml.tmpl", sender_name=sender["name"], sender_email=sender["email"],
                   sender_first=sender["name"].split()[0], owner_name=owner[0], owner_email=owner[1],
                   owner_first=owner[0].split()[0], date=email.utils.format_datetime(when),
                   message_id=f"{mid}@network.example", subject="Shipment update",
                   body=BODIES[n % len(BODIES)], signature=signature)


def _reply(owner: tuple[str, str], sender: dict[str, str], when: dt.datetime, n: int) -> bytes:
    mid = hashlib.sha256(f"reply|{owner[1]}|{when.isoformat()}|{n}".encode()).hexdigest()[:20]
    return _render("reply.eml.tmpl", sender_name=sender["name"], sender_email=sender["email"],
                   sender_first=sender["name"].split()[0], owner_name=owner[0], owner_email=owner[1],
                   owner_first=owner[0].split()[0], date=email.utils.format_datetime(when),
                   message_id=f"{mid}@network.example", subject="Shipment update")


def generate(out: Path = DEFAULT_OUT) -> dict:
    """Write one Maildir per owner under ``out`` and ``out/EXPECTED.json``; return the latter."""
    if out.exists():
        shutil.rmtree(out)
    boxes = []
    for i, (_, addr) in enumerate(OWNERS):
        boxes.append(out / f"owner{i + 1}")
    n = 0
    for idx, day in SCHEDULE:
        when = _when(day)
        person = PRIYA_NEW if when >= CHANGE else PRIYA_OLD
        sig = _signature(person, title=NOISY_TITLE if (idx, day) == NOISY else None, direct=idx == 0)
        n += 1
        _write(boxes[idx], n, when, _message(OWNERS[idx], person, when, n, sig))
        n += 1
        _write(boxes[idx], n, when + dt.timedelta(hours=3), _reply(OWNERS[idx], person, when + dt.timedelta(hours=3), n))
    for day in ("2024-02-14", "2024-05-15", "2024-08-21"):  # Tomás writes only with owner 2
        n += 1
        _write(boxes[1], n, _when(day), _message(OWNERS[1], TOMAS, _when(day), n, _signature(TOMAS)))
    for box in boxes:  # owners 4's mailbox may be empty of later mail, never missing
        for sub in ("cur", "new", "tmp"):
            (box / sub).mkdir(parents=True, exist_ok=True)
    expected = {
        "owners": [{"name": o[0], "email": o[1], "maildir": f"owner{i + 1}"} for i, o in enumerate(OWNERS)],
        "person": PRIYA_OLD["email"], "new_email": PRIYA_NEW["email"],
        "before": {"company": PRIYA_OLD["company"], "title": PRIYA_OLD["title"]},
        "after": {"company": PRIYA_NEW["company"], "title": PRIYA_NEW["title"]},
        "change_established_at": _when("2024-07-10").isoformat(),
        "noisy_title": NOISY_TITLE, "private_phone": DIRECT.replace(" ", ""), "private_person": TOMAS["email"],
        "new_phone": PRIYA_NEW["phone"].replace(" ", ""),
    }
    (out / "EXPECTED.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return expected


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    expected = generate(args.out)
    print(f"wrote {len(expected['owners'])} mailboxes to {args.out}")


if __name__ == "__main__":
    main()
