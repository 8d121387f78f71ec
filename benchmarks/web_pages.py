"""Generated pages for the web benchmarks: team pages, contact pages and blog posts of
fictional companies (names from small lists, ``.example`` domains, valid-looking numbers).

Used by benchmarks/web_extract.py and benchmarks/web_crawl.py; deterministic for a seed.
"""

from __future__ import annotations

import random
from pathlib import Path

FIRST = ("Anna", "Ben", "Chiara", "Daniel", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kira", "Luca",
         "Mira", "Noah", "Olga", "Pablo", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wim", "Yara", "Zoe")
LAST = ("Albers", "Brandt", "Costa", "Dufour", "Eriksen", "Fischer", "Garcia", "Hoffmann", "Ivanova", "Jansen",
        "Keller", "Lambert", "Moretti", "Nowak", "Olsen", "Petit", "Quint", "Rossi", "Schulz", "Torres")
TITLES = ("Managing Director", "Head of Sales", "Senior Engineer", "Office Manager", "Marketing Lead",
          "Chief Financial Officer", "Project Manager", "Account Executive", "Data Analyst", "Partner")
COMPANIES = ("Nordlicht Logistik", "Harbor & Finch", "Alpenrot Design", "Quayside Foods", "Pixelmill", "Vireo Labs")


def _person(rng: random.Random, domain: str, i: int) -> tuple[str, str, str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    email = f"{first}.{last}{i}@{domain}".lower()
    phone = f"+49 30 {rng.randint(2000, 9899)} {rng.randint(1000, 9999)}"
    return f"{first} {last}", rng.choice(TITLES), email, phone


def team_page(rng: random.Random, company: str, domain: str, members: int) -> str:
    cards = []
    for i in range(members):
        name, title, email, phone = _person(rng, domain, i)
        style = i % 4
        if style == 0:
            contact = f'<a href="mailto:{email}">E-mail</a> <a href="tel:{phone.replace(" ", "")}">{phone}</a>'
        elif style == 1:
            contact = f'<p>{email.replace("@", " [at] ").replace(".", " [dot] ")}</p>'
        elif style == 2:
            contact = f"<p>{email}</p><p>Tel. {phone}</p>"
        else:
            contact = f'<a href="https://www.linkedin.com/in/{name.lower().replace(" ", "-")}-{i}">LinkedIn</a>'
        cards.append(f'<div class="member"><img src="/img/{i}.jpg" alt=""><h3>{name}</h3>'
                     f'<p class="role">{title}</p>{contact}</div>')
    filler = "".join(f"<p>{company} has worked with clients across Europe since {1990 + k}.</p>" for k in range(20))
    return (f'<!DOCTYPE html><html lang="de-DE"><head><meta charset="utf-8"><title>Team | {company}</title>'
            f'<script type="application/ld+json">{{"@context":"https://schema.org","@type":"Organization",'
            f'"name":"{company}","email":"info@{domain}","telephone":"+49 30 5557 1200"}}</script></head>'
            f'<body><nav><a href="/">Home</a> <a href="/kontakt.html">Kontakt</a></nav><h1>Team</h1>{filler}'
            f'<div class="team">{"".join(cards)}</div><footer>&copy; {company} <a href="/impressum.html">Impressum</a>'
            f'</footer></body></html>')


def contact_page(company: str, domain: str) -> str:
    return (f'<!DOCTYPE html><html lang="de-DE"><head><meta charset="utf-8"><title>Kontakt</title></head><body>'
            f'<h1>Kontakt</h1><div class="h-card"><p class="p-name p-org">{company}</p>'
            f'<p class="p-adr h-adr"><span class="p-street-address">Hauptstraße 1</span> '
            f'<span class="p-postal-code">10115</span> <span class="p-locality">Berlin</span></p>'
            f'<a class="u-email" href="mailto:info@{domain}">info@{domain}</a> '
            f'<span class="p-tel">+49 30 5557 1200</span></div><p>Fax: +49 30 5557 1299</p></body></html>')


def blog_page(rng: random.Random, company: str, n: int) -> str:
    paras = "".join(f"<p>{' '.join(rng.choice(LAST).lower() for _ in range(60))}.</p>" for _ in range(12))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Post {n}</title></head><body>'
            f'<article><h1>Notes {n}</h1><p class="byline">By {rng.choice(FIRST)} {rng.choice(LAST)}</p>{paras}'
            f'<a href="mailto:?subject=Post%20{n}">Share</a></article></body></html>')


def generate_pages(count: int, seed: int = 7) -> list[tuple[str, bytes]]:
    """``count`` pages as ``(name, html bytes)``: one team page in four, the rest contact
    pages and blog posts."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        company = COMPANIES[i % len(COMPANIES)]
        domain = company.lower().replace(" & ", "-").replace(" ", "-") + ".example"
        if i % 4 == 0:
            html = team_page(rng, company, domain, rng.randint(6, 40))
        elif i % 4 == 1:
            html = contact_page(company, domain)
        else:
            html = blog_page(rng, company, i)
        out.append((f"gen-{i:04d}.html", html.encode()))
    return out


def write_site(folder: Path, pages: int, seed: int = 7) -> Path:
    """A crawlable site of ``pages`` pages: an index linking every generated page, the
    contact and imprint pages the navigation links to, robots.txt."""
    folder.mkdir(parents=True, exist_ok=True)
    gen = generate_pages(pages - 3, seed)
    (folder / "kontakt.html").write_text(contact_page(COMPANIES[0], "nordlicht-logistik.example"))
    (folder / "impressum.html").write_text(contact_page(COMPANIES[0], "nordlicht-logistik.example"))
    for name, html in gen:
        (folder / name).write_bytes(html)
    links = "".join(f'<li><a href="/{name}">{name}</a></li>' for name, _ in gen)
    (folder / "index.html").write_text(f"<!DOCTYPE html><html><body><ul>{links}</ul></body></html>")
    (folder / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    return folder
