"""schema.org and microformats nodes to contact cards.

schema.org (JSON-LD, microdata, RDFa): ``Person`` nodes become person cards
(``name`` or ``givenName``+``familyName``, ``jobTitle``, ``worksFor``/``affiliation``,
``email``, ``telephone``, ``faxNumber``, ``address``, ``url``, ``sameAs``,
``contactPoint``); organisations (``Organization``, ``LocalBusiness`` and their many
subtypes, or any node that carries contact properties and is not a creative work,
product, offer or event) become org cards; a ``ContactPoint`` adds its numbers and
addresses to its owner, and a standalone one becomes a role card; a ``PostalAddress``
is written on one line.  h-card/h-adr: ``name``, ``org``, ``job-title``/``role``,
``email``, ``tel``, ``url``, ``adr`` and the address parts.
"""

from __future__ import annotations

import phonenumbers

from .cards import Card

_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)
from .nodes import Node

PERSON_TYPES = {"Person", "Patient"}
ORG_TYPES = {
    "Organization", "LocalBusiness", "Corporation", "NGO", "GovernmentOrganization", "EducationalOrganization",
    "CollegeOrUniversity", "School", "MedicalOrganization", "MedicalClinic", "Hospital", "Dentist", "Physician",
    "Pharmacy", "Restaurant", "FoodEstablishment", "CafeOrCoffeeShop", "Bakery", "BarOrPub", "Store",
    "ProfessionalService", "LegalService", "Attorney", "Notary", "AccountingService", "FinancialService",
    "BankOrCreditUnion", "InsuranceAgency", "RealEstateAgent", "TravelAgency", "EmploymentAgency",
    "HomeAndConstructionBusiness", "Electrician", "Plumber", "HVACBusiness", "RoofingContractor",
    "GeneralContractor", "AutomotiveBusiness", "AutoRepair", "AutoDealer", "LodgingBusiness", "Hotel",
    "HealthAndBeautyBusiness", "SportsOrganization", "SportsTeam", "PerformingGroup", "MusicGroup",
    "NewsMediaOrganization", "Library", "ResearchOrganization", "Consortium", "OnlineBusiness",
    "OnlineStore", "Airline", "WorkersUnion", "FundingScheme", "Project", "ResearchProject",
    "EntertainmentBusiness", "ChildCare", "DryCleaningOrLaundry", "TouristInformationCenter",
    "AnimalShelter", "ArchiveOrganization", "SelfStorage", "ShoppingCenter", "RadioStation",
    "TelevisionStation", "EmergencyService", "GovernmentOffice", "PostOffice", "Place",
    "CivicStructure", "Museum", "MovieTheater", "Campground", "Winery", "Brewery",
}
NOT_CONTACT = {"Event", "Product", "Offer", "AggregateOffer", "Review", "Rating", "AggregateRating",
               "CreativeWork", "Article", "BlogPosting", "WebPage", "WebSite", "Book", "Movie", "Recipe",
               "ImageObject", "VideoObject", "MusicRecording", "MusicAlbum", "SearchAction", "BreadcrumbList",
               "ListItem", "ItemList", "JobPosting", "Course", "Trip", "Flight", "Reservation"}
CONTACT_PROPS = ("telephone", "email", "faxNumber", "contactPoint", "address")
_ADDRESS_PARTS = ("streetAddress", "extendedAddress", "postOfficeBoxNumber", "addressLocality", "addressRegion",
                  "postalCode", "addressCountry")


def _clean_email(v: str) -> str:
    v = v.strip()
    if v[:7].lower() == "mailto:":
        v = v[7:].split("?", 1)[0]
    elif "://" in v and "@" in v.rsplit("/", 1)[-1]:
        v = v.rsplit("/", 1)[-1]  # a bare address resolved against the page URL
    return v


def format_address(node: Node) -> str:
    parts = []
    for key in _ADDRESS_PARTS:
        for v in node.strings(key):
            v = " ".join(v.split()).strip(", ")
            if v and v not in parts:
                parts.append(v)
        for n in node.nodes(key):  # addressCountry as a Country node
            name = n.first("name")
            if name and name not in parts:
                parts.append(name)
    return ", ".join(parts)


def _address_of(value: str | Node) -> str:
    if isinstance(value, Node):
        return format_address(value) or value.first("name")
    return value


def _kind(node: Node) -> str | None:
    types = set(node.types)
    if types & PERSON_TYPES:
        return "person"
    if types & ORG_TYPES:
        return "org"
    if types & NOT_CONTACT or types & {"ContactPoint", "PostalAddress"}:
        return None
    if any(node.props.get(p) for p in CONTACT_PROPS):
        return "org"
    return None


def _fill_contact(card: Card, node: Node) -> None:
    for v in node.strings("email"):
        card.add("email", _clean_email(v))
    for v in node.strings("telephone"):
        card.add("phone", v)
    for v in node.strings("faxNumber"):
        card.add("fax", v)


def _person_name(node: Node) -> str:
    name = node.first("name")
    if not name:
        name = " ".join(x for x in (node.first("givenName"), node.first("additionalName"),
                                    node.first("familyName")) if x)
    return name


def _all_nodes(roots: list[Node]) -> list[Node]:
    out, stack, seen = [], list(reversed(roots)), set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        out.append(n)
        for vs in n.props.values():
            stack.extend(v for v in reversed(vs) if isinstance(v, Node))
    return out


def schema_cards(roots: list[Node], method: str) -> list[Card]:
    """Cards of every person and organisation node (nested ones included), then of every
    ``ContactPoint`` (and named ``PostalAddress``) that no such node owns."""
    cards: list[Card] = []
    nodes = _all_nodes(roots)
    consumed: set[int] = set()
    for node in nodes:
        kind = _kind(node)
        if kind is None:
            continue
        card = Card(method=method, kind=kind, line=node.line)
        if kind == "person":
            card.add("name", _person_name(node))
            card.add("title", node.first("jobTitle"))
            for key in ("worksFor", "affiliation", "memberOf"):
                for v in node.props.get(key, ()):
                    card.add("company", v.first("name", "legalName") if isinstance(v, Node) else v)
                    break
                if card.get("company"):
                    break
        else:
            card.add("company", node.first("name", "legalName"))
        _fill_contact(card, node)
        for cp in node.nodes("contactPoint"):
            consumed.add(id(cp))
            _fill_contact(card, cp)
        for v in node.props.get("address", ()):
            if isinstance(v, Node):
                consumed.add(id(v))
                country = v.first("addressCountry").upper()
                country = "GB" if country == "UK" else country
                if country in _REGIONS:
                    card.add("region", country)
            card.add("address", _address_of(v))
        for v in node.props.get("location", ()):
            if isinstance(v, Node):
                for a in v.props.get("address", ()):
                    card.add("address", _address_of(a))
        for v in node.strings("url"):
            card.add("website", v)
        for v in node.strings("sameAs"):
            card.add("social", v)
        if card.values:
            cards.append(card)
    for node in nodes:
        if id(node) in consumed or _kind(node) is not None:
            continue
        if "ContactPoint" in node.types:
            card = Card(method=method, kind="org", line=node.line)
            _fill_contact(card, node)
            if card.has_contact:
                cards.append(card)
        elif "PostalAddress" in node.types and node.first("name"):
            card = Card(method=method, kind="org", line=node.line)
            card.add("company", node.first("name"))
            card.add("address", format_address(node))
            cards.append(card)
    return cards


_HCARD_ADR = ("street-address", "extended-address", "post-office-box", "locality", "region", "postal-code",
              "country-name")


def _hadr(node: Node) -> str:
    parts = []
    for key in _HCARD_ADR:
        for v in node.strings(key):
            v = " ".join(v.split()).strip(", ")
            if v and v not in parts:
                parts.append(v)
    return ", ".join(parts) or node.value or node.first("name", "label")


def hcard_cards(items: list[Node]) -> list[Card]:
    """Cards of every h-card (and standalone h-adr with a name)."""
    from .mf2 import iter_items

    cards: list[Card] = []
    for item in iter_items(items):
        if "h-card" not in item.types:
            continue
        orgs = item.strings("org")
        name = item.first("name")
        is_org = bool(name) and any(" ".join(o.split()) == name for o in orgs)
        card = Card(method="hcard", kind="org" if is_org else "person", line=item.line)
        if is_org:
            card.add("company", name)
        else:
            card.add("name", name)
            card.add("title", item.first("job-title", "role"))
            if orgs:
                card.add("company", orgs[0])
        for v in item.strings("email"):
            card.add("email", _clean_email(v))
        for v in item.strings("tel"):
            card.add("phone", v[4:] if v.lower().startswith("tel:") else v)
        for v in item.props.get("adr", ()):
            card.add("address", _hadr(v) if isinstance(v, Node) else v)
        if any(item.props.get(k) for k in _HCARD_ADR):
            card.add("address", _hadr(item))
        for v in item.strings("url"):
            card.add("website", v)
        if card.values:
            cards.append(card)
    return cards
