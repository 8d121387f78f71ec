"""Generate a synthetic business mailbox as an mbox, for throughput and memory benchmarks.

Deterministic (seeded): the same arguments give the same bytes.  Fictional people at
fictional companies under the reserved .example TLD; signatures in several languages and
shapes; a third of the messages are replies quoting another person's signature.

Usage: python benchmarks/corpus.py OUT.mbox [--messages 100000] [--people 5000]
"""

from __future__ import annotations

import argparse
import random
from email.utils import format_datetime
from pathlib import Path
import datetime as dt

FIRST = ("Anna Ben Carla David Elena Farid Grace Hugo Ines Jonas Kenji Lea Marco Nadia Omar Paula Quentin "
         "Rosa Sven Tara Umar Vera Wei Xavier Yara Zoe Liam Mia Noah Emma").split()
LAST = ("Schmidt Dubois Rossi Garcia Smith Jansen Silva Novak Kowalski Tanaka Okafor Haddad Larsen Moreau "
        "Fischer Costa Brown Martin Weber Lopez Bianchi Peeters Nilsson Horvat Kim Patel Murphy Keller").split()
WORDS = ("north river stone bright cedar harbor summit blue apex vertex lumen nova terra orbit delta "
         "pioneer quartz silver atlas meridian").split()
KINDS = ("Logistics", "Analytics", "Foods", "Energy", "Design", "Capital", "Systems", "Robotics", "Health")
SUFFIX = ("Ltd", "GmbH", "SAS", "S.r.l.", "B.V.", "Inc.", "S.L.", "LLC")
TITLES = ("Head of Sales", "Directeur commercial", "Leiterin Einkauf", "Chief Financial Officer",
          "Project Manager", "Responsabile Acquisti", "VP of Operations", "Account Executive",
          "Directora de Marketing", "Software Engineer")
PHONES = (("US", "+1 415 867 {:04d}"), ("GB", "+44 20 7946 {:04d}"), ("FR", "+33 1 44 55 {:02d} {:02d}"),
          ("DE", "+49 30 1234 {:04d}"), ("NL", "+31 20 123 {:04d}"))
MOBILES = ("+1 917 604 {:04d}", "+44 7911 12{:04d}", "+33 6 12 34 {:02d} {:02d}", "+49 171 234 {:04d}",
           "+31 6 1234 {:04d}")
SIGNOFFS = ("Best regards,", "Cordialement,", "Mit freundlichen Grüßen", "Saludos,", "Cordiali saluti,",
            "Met vriendelijke groet,", "Thanks,", "Cheers,")
BODY = ("Thanks for the update on the delivery schedule. Could we move the call to Thursday afternoon? "
        "I have attached the revised figures and the contract draft for your review.")


def _phone(fmt: str, n: int) -> str:
    return fmt.format(n // 100 % 100, n % 100) if fmt.count("{") == 2 else fmt.format(n % 10000)


def people(count: int, rng: random.Random) -> list[dict]:
    companies = []
    for i in range(max(1, count // 8)):
        name = f"{rng.choice(WORDS).title()}{rng.choice(WORDS)} {rng.choice(KINDS)}"
        companies.append({"name": f"{name} {rng.choice(SUFFIX)}",
                          "domain": name.lower().replace(" ", "-") + f"-{i}.example"})
    out = []
    for i in range(count):
        c = rng.choice(companies)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        k = rng.randrange(len(PHONES))
        out.append({"name": f"{first} {last}", "email": f"{first.lower()}.{last.lower()}{i}@{c['domain']}",
                    "title": rng.choice(TITLES), "company": c["name"],
                    "phone": _phone(PHONES[k][1], 1000 + i), "mobile": _phone(MOBILES[k], 2000 + i)})
    return out


def signature(p: dict, rng: random.Random) -> str:
    shape = rng.randrange(3)
    if shape == 0:
        return f"{p['name']}\n{p['title']}\n{p['company']}\nTel: {p['phone']}\nMobile: {p['mobile']}\n"
    if shape == 1:
        return f"-- \n{p['name']} | {p['title']} | {p['company']}\nT: {p['phone']} | M: {p['mobile']}\n"
    return f"{p['name']}\n{p['title']}, {p['company']}\nOffice {p['phone']}\n{p['email']}\n"


def message(i: int, rng: random.Random, folks: list[dict], owner: str) -> bytes:
    p = rng.choice(folks)
    when = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=37 * i)
    body = f"Hi,\n\n{BODY}\n\n{rng.choice(SIGNOFFS)}\n{signature(p, rng)}"
    if i % 3 == 0:
        q = rng.choice(folks)
        quoted = f"Hello,\n\n{BODY}\n\n{rng.choice(SIGNOFFS)}\n{signature(q, rng)}"
        body += (f"\nOn {format_datetime(when - dt.timedelta(days=1))}, {q['name']} <{q['email']}> wrote:\n"
                 + "".join(f"> {line}\n" for line in quoted.splitlines()))
    head = (f"From: {p['name']} <{p['email']}>\nTo: <{owner}>\nSubject: Update {i}\n"
            f"Date: {format_datetime(when)}\nMessage-ID: <gen-{i}@{p['email'].split('@')[1]}>\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n")
    return (head + body).encode("utf-8")


def write_mbox(path: Path, messages: int, people_count: int = 5000, seed: int = 42) -> Path:
    rng = random.Random(seed)
    folks = people(people_count, rng)
    with path.open("wb") as fh:
        for i in range(messages):
            fh.write(b"From generator Mon Jan  1 00:00:00 2024\n")
            fh.write(message(i, rng, folks, "me@webleads-demo.example").replace(b"\nFrom ", b"\n>From "))
            fh.write(b"\n\n")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--people", type=int, default=5000)
    args = ap.parse_args()
    write_mbox(args.out, args.messages, args.people)
    print(f"wrote {args.messages} messages to {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
