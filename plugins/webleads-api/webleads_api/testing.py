"""Stand-in APIs on loopback, for this plugin's tests and benchmarks.

Each serves fictional people (``.example`` domains, phone numbers from ranges kept
for drama and documentation) in the shape a public API documents, on a real HTTP
server (:class:`webleads_core.net.testserver.LoopbackServer`) bound to 127.0.0.1:

- :class:`HubSpotStandIn`: ``GET /crm/v3/objects/contacts`` as HubSpot's CRM v3
  documentation describes it (bearer token, ``limit`` <= 100, ``after`` cursor in
  ``paging.next.after``, ``properties`` selection, ``updatedAt``);
- :class:`ScimStandIn`: ``GET /scim/v2/Users`` per RFC 7644 (``ListResponse``,
  1-based ``startIndex``/``count``, ``filter=meta.lastModified gt|ge "..."``), with
  HTTP Basic or an OAuth2 client-credentials token from ``POST /oauth/token``;
- :class:`GenericStandIn`: ``GET /v1/contacts`` with any pagination style
  (``link``, ``cursor``, ``next_url``, ``offset``, ``page``), an API key in a header or
  the query, an ``updated_since`` filter, and injectable failures (429s with
  ``Retry-After``, 5xx, bodies that are not JSON, truncated, a page loop, a huge body).

Every request is recorded (``hits``), so tests can assert what was fetched.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, urlsplit

import attrs

from webleads_core.net.testserver import LoopbackServer, Request, reply

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
T0 = dt.datetime(2025, 3, 4, 9, 0, 0, tzinfo=dt.timezone.utc)

_FIRST = ("Jane", "Marc", "Aiko", "Priya", "Lukas", "Sofia", "Tomás", "Ingrid", "Kwame", "Chen", "Olga",
          "Rafael", "Maeve", "Yusuf", "Elena", "Noah")
_LAST = ("Doe", "Olivier", "Tanaka", "Raman", "Becker", "Rossi", "Álvarez", "Lund", "Mensah", "Wei",
         "Petrova", "Costa", "Byrne", "Demir", "Novak", "Fischer")
_TITLES = ("Head of Operations", "Procurement Manager", "CTO", "Sales Director", "Office Manager",
           "Account Executive", "Head of Partnerships", "Lead Engineer")
_COMPANIES = ("Northwind Logistics", "Atelier Moreau", "Kitsune Robotics", "Fabrikam Tools",
              "Contoso Foods", "Tailspin Travel", "Lamna Healthcare", "Woodgrove Capital")


@attrs.define
class Person:
    """One fictional person of a stand-in's directory."""

    id: int
    first: str
    last: str
    email: str
    title: str
    company: str
    phone: str          # work, +44 20 7946 0xxx (Ofcom's drama range)
    mobile: str         # +1 212 555 01xx
    home_email: str
    updated: dt.datetime

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def make_people(n: int, *, start: dt.datetime = T0) -> list[Person]:
    """``n`` distinct fictional people; person ``i`` was last updated ``i`` minutes after ``start``."""
    people = []
    for i in range(n):
        first, last = _FIRST[i % len(_FIRST)], _LAST[(i // len(_FIRST) + i) % len(_LAST)]
        company = _COMPANIES[i % len(_COMPANIES)]
        domain = re.sub(r"[^a-z]", "", company.lower()) + ".example"
        local = re.sub(r"[^a-z]", "", first.lower().replace("á", "a")) + "." + \
            re.sub(r"[^a-z]", "", last.lower().replace("á", "a")) + (str(i) if i >= 16 else "")
        people.append(Person(
            id=1000 + i, first=first, last=last, email=f"{local}@{domain}",
            title=_TITLES[i % len(_TITLES)], company=company,
            phone=f"+44 20 7946 {i % 1000:04d}", mobile=f"+1 212 555 {100 + i % 100:04d}",
            home_email=f"{local}.home@mail.example", updated=start + dt.timedelta(minutes=i)))
    return people


def iso(when: dt.datetime, ms: bool = False) -> str:
    s = when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return s + (f".{when.microsecond // 1000:03d}Z" if ms else "Z")


def json_reply(data: Any, status: int = 200, headers: dict[str, str] | None = None,
               content_type: str = "application/json") -> bytes:
    return reply(status, json.dumps(data).encode("utf-8"), headers, content_type=content_type)


def _query(req: Request) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(req.path).query, keep_blank_values=True).items()}


class _Base:
    """A stand-in: a loopback server, the people it serves, and failure knobs."""

    route = "/"

    def __init__(self, people: list[Person]) -> None:
        self.people = people
        self.lock = threading.Lock()
        self.rate_limit_first = 0      # answer the next N API requests with 429
        self.retry_after = "0"
        self.fail_first = 0            # answer the next N API requests with 503 (no Retry-After)
        self.served: list[int] = []    # ids of the people returned, in order
        self.server = LoopbackServer({self.route: self._guarded})

    def url(self, path: str | None = None) -> str:
        return self.server.url(path or self.route)

    @property
    def hits(self) -> list[Request]:
        return self.server.hits

    def api_hits(self) -> list[Request]:
        return [h for h in self.server.hits if h.route == self.route]

    def __enter__(self):
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    def touch(self, index: int, when: dt.datetime, **changes: Any) -> None:
        """Change a person (a new title, say) and set their last-modified time."""
        with self.lock:
            p = self.people[index]
            for k, v in changes.items():
                setattr(p, k, v)
            p.updated = when

    def _guarded(self, req: Request) -> bytes | Iterable[bytes]:
        with self.lock:
            if self.rate_limit_first > 0:
                self.rate_limit_first -= 1
                return json_reply({"status": "error", "message": "rate limited"}, 429,
                                  {"Retry-After": self.retry_after})
            if self.fail_first > 0:
                self.fail_first -= 1
                return json_reply({"message": "unavailable"}, 503)
        return self.handle(req)

    def handle(self, req: Request) -> bytes | Iterable[bytes]:  # pragma: no cover
        raise NotImplementedError


class HubSpotStandIn(_Base):
    """HubSpot CRM v3 contacts list (bearer token ``token``)."""

    route = "/crm/v3/objects/contacts"

    def __init__(self, people: list[Person], token: str = "pat-na1-test-token") -> None:
        super().__init__(people)
        self.token = token

    def record(self, p: Person, wanted: set[str]) -> dict[str, Any]:
        props = {"email": p.email, "firstname": p.first, "lastname": p.last, "jobtitle": p.title,
                 "company": p.company, "phone": p.phone, "mobilephone": p.mobile,
                 "createdate": iso(T0, True), "lastmodifieddate": iso(p.updated, True),
                 "hs_object_id": str(p.id)}
        return {"id": str(p.id), "properties": {k: v for k, v in props.items()
                                                if k in wanted or k in ("createdate", "lastmodifieddate",
                                                                        "hs_object_id")},
                "createdAt": iso(T0, True), "updatedAt": iso(p.updated, True), "archived": False}

    def handle(self, req: Request) -> bytes:
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return json_reply({"status": "error", "category": "INVALID_AUTHENTICATION"}, 401)
        q = _query(req)
        limit = min(100, max(1, int(q.get("limit", "10") or 10)))
        start = int(base64.urlsafe_b64decode(q["after"]).decode()) if q.get("after") else 0
        wanted = set(q.get("properties", "email,firstname,lastname").split(","))
        with self.lock:
            page = self.people[start:start + limit]
            self.served.extend(p.id for p in page)
            body: dict[str, Any] = {"results": [self.record(p, wanted) for p in page]}
            if start + limit < len(self.people):
                after = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
                body["paging"] = {"next": {"after": after, "link": f"{self.route}?after={after}"}}
        return json_reply(body)


class ScimStandIn(_Base):
    """SCIM 2.0 ``/Users`` (RFC 7644) with Basic auth or OAuth2 client credentials."""

    route = "/scim/v2/Users"

    def __init__(self, people: list[Person], *, username: str = "scim-reader", password: str = "s3cret-pw",
                 client_id: str = "webleads-test", client_secret: str = "client-s3cret",
                 token_ttl: int = 3600) -> None:
        super().__init__(people)
        self.username, self.password = username, password
        self.client_id, self.client_secret = client_id, client_secret
        self.token_ttl = token_ttl
        self.tokens: list[str] = []
        self.server.routes["/oauth/token"] = self._token

    def _token(self, req: Request) -> bytes:
        pair = f"{self.client_id}:{self.client_secret}".encode()
        form = {k: v[-1] for k, v in parse_qs(req.body.decode("ascii", "replace")).items()}
        basic_ok = req.headers.get("authorization") == "Basic " + base64.b64encode(pair).decode()
        body_ok = form.get("client_id") == self.client_id and form.get("client_secret") == self.client_secret
        if form.get("grant_type") != "client_credentials":
            return json_reply({"error": "unsupported_grant_type"}, 400)
        if not (basic_ok or body_ok):
            return json_reply({"error": "invalid_client"}, 401)
        token = f"tok-{len(self.tokens) + 1}-" + base64.b64encode(str(id(req)).encode()).decode()
        self.tokens.append(token)
        return json_reply({"access_token": token, "token_type": "Bearer", "expires_in": self.token_ttl})

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def record(self, p: Person) -> dict[str, Any]:
        return {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "id": f"2819c223-7f76-453a-919d-{p.id:012d}", "externalId": str(p.id), "userName": p.email,
            "name": {"formatted": f"{p.first} {p.last}", "familyName": p.last, "givenName": p.first},
            "displayName": p.name, "title": p.title, "active": True,
            "emails": [{"value": p.email, "type": "work", "primary": True},
                       {"value": p.home_email, "type": "home"}],
            "phoneNumbers": [{"value": p.phone, "type": "work"}, {"value": p.mobile, "type": "mobile"}],
            "addresses": [{"type": "work", "formatted": f"1 Dock Road\nLondon E16 1AA\nUnited Kingdom",
                           "locality": "London", "country": "GB"},
                          {"type": "home", "formatted": "9 Private Lane\nLondon"}],
            ENTERPRISE: {"organization": p.company, "department": "Operations"},
            "meta": {"resourceType": "User", "created": iso(T0), "lastModified": iso(p.updated),
                     "location": f"{self.route}/2819c223-7f76-453a-919d-{p.id:012d}",
                     "version": f'W/"{int(p.updated.timestamp())}"'},
        }

    def _authorised(self, req: Request) -> bool:
        auth = req.headers.get("authorization", "")
        pair = f"{self.username}:{self.password}".encode()
        if auth == "Basic " + base64.b64encode(pair).decode():
            return True
        return auth.startswith("Bearer ") and auth[7:] in self.tokens

    def handle(self, req: Request) -> bytes:
        if not self._authorised(req):
            return json_reply({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                               "detail": "authentication required", "status": "401"}, 401,
                              content_type="application/scim+json")
        q = _query(req)
        start = max(1, int(q.get("startIndex", "1") or 1))
        count = max(0, min(int(q.get("count", "100") or 100), 100))
        with self.lock:
            people = list(self.people)
        if q.get("filter"):
            m = re.fullmatch(r'meta\.lastModified (gt|ge) "([^"]{1,40})"', q["filter"])
            if not m:
                return json_reply({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                                   "scimType": "invalidFilter", "status": "400"}, 400,
                                  content_type="application/scim+json")
            since = dt.datetime.fromisoformat(m.group(2).replace("Z", "+00:00"))
            people = [p for p in people if (p.updated > since if m.group(1) == "gt" else p.updated >= since)]
        page = people[start - 1:start - 1 + count]
        with self.lock:
            self.served.extend(p.id for p in page)
        return json_reply({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                           "totalResults": len(people), "itemsPerPage": len(page), "startIndex": start,
                           "Resources": [self.record(p) for p in page]},
                          content_type="application/scim+json")


class GenericStandIn(_Base):
    """A made-up contacts API: ``/v1/contacts`` in any pagination style.

    Knobs: ``style``; ``page_size``; ``api_key`` with ``key_in`` ``header`` (X-API-Key) or
    ``query`` (``api_key``); ``bad`` = None, ``"not_json"``, ``"truncated"``, ``"loop"``,
    ``"same_page"``, ``"huge"`` (a body of ``huge_mb`` MiB), ``"lying_length"``; ``bad_on_page``.
    """

    route = "/v1/contacts"

    def __init__(self, people: list[Person], *, style: str = "link", page_size: int = 5,
                 api_key: str | None = None, key_in: str = "header") -> None:
        super().__init__(people)
        self.style = style
        self.page_size = page_size
        self.api_key = api_key
        self.key_in = key_in
        self.bad: str | None = None
        self.bad_on_page = 2
        self.huge_mb = 50
        self.extra: Callable[[Person], dict[str, Any]] | None = None

    def record(self, p: Person) -> dict[str, Any]:
        rec = {"id": p.id, "full_name": p.name, "job": {"title": p.title},
               "organisation": {"name": p.company},
               "contact": {"emails": [p.email],
                           "phones": [{"number": p.phone, "kind": "office"},
                                      {"number": p.mobile, "kind": "cell"}]},
               "updated_at": iso(p.updated)}
        if self.extra:
            rec.update(self.extra(p))
        return rec

    def handle(self, req: Request) -> bytes | Iterable[bytes]:
        q = _query(req)
        if self.api_key is not None:
            given = req.headers.get("x-api-key") if self.key_in == "header" else q.get("api_key")
            if given != self.api_key:
                return json_reply({"error": "bad key"}, 401)
        with self.lock:
            people = list(self.people)
        if q.get("updated_since"):
            since = dt.datetime.fromisoformat(q["updated_since"].replace("Z", "+00:00"))
            people = [p for p in people if p.updated > since]
        size = self.page_size
        if self.style in ("link", "offset", "cursor", "next_url"):
            index = int(q.get("offset", q.get("cursor", "0")) or 0)
        else:
            index = (int(q.get("page", "1") or 1) - 1) * size
        page_no = index // size + 1
        if self.bad and page_no == self.bad_on_page:
            bad = self._bad(req, page_no)
            if bad is not None:
                return bad
        page = people[index:index + size]
        with self.lock:
            self.served.extend(p.id for p in page)
        nxt = index + size if index + size < len(people) else None
        base = self.route + ("?updated_since=" + q["updated_since"] if q.get("updated_since") else "")
        sep = "&" if "?" in base else "?"
        headers: dict[str, str] = {}
        body: Any = {"data": [self.record(p) for p in page]}
        if self.style == "link" and nxt is not None:
            headers["Link"] = f'<{base}{sep}offset={nxt}>; rel="next", <{base}>; rel="first"'
        elif self.style == "cursor":
            body["meta"] = {"next_cursor": str(nxt) if nxt is not None else None}
        elif self.style == "next_url":
            body["links"] = {"next": f"{base}{sep}offset={nxt}" if nxt is not None else None}
        elif self.style == "page":
            body["total_pages"] = max(1, -(-len(people) // size))
        elif self.style == "offset":
            body["total"] = len(people)
        return json_reply(body, headers=headers)

    def _bad(self, req: Request, page_no: int) -> bytes | Iterable[bytes] | None:
        if self.bad == "not_json":
            return reply(200, b"<html><body>Service temporarily unavailable</body></html>",
                         content_type="application/json")
        if self.bad == "truncated":
            full = json.dumps({"data": [self.record(p) for p in self.people[:3]]}).encode()
            return reply(200, full[: len(full) // 2], content_type="application/json")
        if self.bad == "lying_length":
            full = json.dumps({"data": [self.record(p) for p in self.people[:3]]}).encode()
            return reply(200, full[: len(full) // 2], {"Content-Length": str(len(full))},
                         content_type="application/json")
        if self.bad == "loop":
            # hands back the very cursor (or next link) it was asked with: the same page forever
            here = (page_no - 1) * self.page_size
            data = [self.record(p) for p in self.people[here:here + self.page_size]]
            if self.style == "cursor":
                return json_reply({"data": data, "meta": {"next_cursor": str(here)}})
            return json_reply({"data": data}, headers={"Link": f'<{req.path}>; rel="next"'})
        if self.bad == "same_page":
            # ignores the offset and serves page 1 again under a new next link
            data = [self.record(p) for p in self.people[:self.page_size]]
            return json_reply({"data": data},
                              headers={"Link": f'<{self.route}?offset={page_no * self.page_size}>; rel="next"'})
        if self.bad == "huge":
            return _huge_body(self.huge_mb)
        return None


def _huge_body(mb: int) -> Iterable[bytes]:
    """A JSON body of ``mb`` MiB, streamed without ever holding it (no Content-Length)."""
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
            b'{"data": [')
    yield head
    item = json.dumps({"id": 1, "full_name": "x" * 900}).encode() + b","
    chunk = item * (1024 * 1024 // len(item))
    for _ in range(mb):
        yield chunk
    yield b'{"id": 2}]}'


# -- configs for the stand-ins (tests and benchmarks) ------------------------------------

#: Test credentials of the stand-ins (fictional; configs read them from the environment).
LOOPBACK = ["127.0.0.0/8"]
HS_TOKEN = "pat-na1-test-token"
SCIM_PASSWORD = "s3cret-pw"
CLIENT_SECRET = "client-s3cret"
API_KEY = "k-9f8e7d6c5b4a"


def hubspot_options(server: HubSpotStandIn, **extra: Any) -> dict[str, Any]:
    opts: dict[str, Any] = {"preset": "hubspot", "url": server.url(), "allow_networks": LOOPBACK,
                            "auth": {"type": "bearer", "token_env": "WL_TEST_HS_TOKEN"},
                            "backoff": 0.01}
    opts.update(extra)
    return opts


def scim_options(server: ScimStandIn, **extra: Any) -> dict[str, Any]:
    opts: dict[str, Any] = {"preset": "scim", "url": server.url(), "allow_networks": LOOPBACK,
                            "auth": {"type": "basic", "username": server.username,
                                     "password_env": "WL_TEST_SCIM_PASSWORD"},
                            "backoff": 0.01}
    opts.update(extra)
    return opts


GENERIC_MAPPING = {
    "name": "full_name",
    "title": "job.title",
    "company": "organisation.name",
    "email": "contact.emails[*]",
    "phone": {"path": "contact.phones[*].number", "type_from": "kind"},
}

PAGINATION = {
    "link": {"type": "link"},
    "cursor": {"type": "cursor", "cursor_path": "meta.next_cursor", "param": "cursor"},
    "next_url": {"type": "next_url", "next_path": "links.next"},
    "offset": {"type": "offset", "offset_param": "offset", "size_param": "limit", "size": 5,
               "total_path": "total"},
    "page": {"type": "page", "page_param": "page", "total_pages_path": "total_pages"},
}


def generic_options(server: GenericStandIn, **extra: Any) -> dict[str, Any]:
    opts: dict[str, Any] = {
        "url": server.url(), "records": "data", "id": "id", "allow_networks": LOOPBACK,
        "auth": {"type": "api_key", "header": "X-API-Key", "key_env": "WL_TEST_API_KEY"},
        "pagination": PAGINATION[server.style], "mapping": GENERIC_MAPPING,
        "incremental": {"field": "updated_at", "param": "updated_since"},
        "backoff": 0.01, "max_retries": 3,
    }
    opts.update(extra)
    return opts
