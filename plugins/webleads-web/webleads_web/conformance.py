"""Conformance figures against other projects' test data (``../shared/data``).

- ``microformats-tests``: every case whose expected mf2 output holds an h-card or h-adr
  item; the items found (nested ones included) are compared on the properties the
  extractors map (name, org, job-title, email, tel, url, adr and the address parts).
- ``schemaorg-examples``: for each example with contact properties, the contact values
  of its JSON-LD (read with :func:`json.loads`: the oracle) are compared with the
  evidence the whole page pipeline (purge, extractors, privacy) gives for the JSON-LD,
  microdata and RDFa forms.  The forms are hand-written and a few carry other data than
  their JSON-LD: such a difference is still a failure, but is reported with its reason
  (:attr:`Score.explained`), found by reading the files, never by example id.  The
  no-markup ``premarkup.html`` form is scored on recall of the oracle's emails, phones
  and job titles, over all of them and over those a visible line of the page shows.
- ``extruct-samples``: the Person and Organization nodes of extruct's expected output
  (microdata ``.json``, ``.jsonld``, RDFa ``.expanded.json``) must each appear as a
  card with the same name and contact values.

``benchmarks/web_conformance.py`` prints these figures; the plugin's tests assert them.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urljoin

import attrs

from webleads_core.pages import capture_page, page_cards, parse_html
from webleads_core.pages.mf2 import iter_items, parse_mf2
from webleads_core.pages.nodes import Node, short_type
from webleads_core.pages.visible import visible_lines
from webleads_core.pages.schema import CONTACT_PROPS, NOT_CONTACT, ORG_TYPES, PERSON_TYPES
from webleads_core.privacy.stage import Policy, enforce
from webleads_core.records import Document, Evidence

from .extractors import all_extractors
from .normalise import clean_email, clean_link, clean_phone

ENV = "WEBLEADS_SHARED_DATA"


def shared_data_dir() -> Path:
    """``$WEBLEADS_SHARED_DATA``, else the first ``shared/data`` beside a parent of this file."""
    env = os.environ.get(ENV)
    if env:
        return Path(env)
    for parent in Path(__file__).resolve().parents:
        cand = parent / "shared" / "data"
        if (cand / "microformats-tests").is_dir():
            return cand
    raise FileNotFoundError(f"shared/data not found; set {ENV}")


def page_evidence(html: bytes, url: str = "http://example.com/") -> list[Evidence]:
    """Evidence of one page through the purge, every page extractor and the privacy stage."""
    capture = capture_page(Document.from_page("conformance", url, html))
    found = [ev for ex in all_extractors() for ev in ex.extract(capture)]
    return enforce(found, capture, Policy())


@attrs.frozen
class Score:
    passed: int
    total: int
    failures: tuple[str, ...] = ()
    #: failures that are the test data's own inconsistency, as ``(case, reason)``
    #: (still counted in ``failures``: :attr:`consistent` leaves them out)
    explained: tuple[tuple[str, str], ...] = ()

    @property
    def ratio(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def unexplained(self) -> tuple[str, ...]:
        known = {case for case, _ in self.explained}
        return tuple(f for f in self.failures if f not in known)

    @property
    def consistent(self) -> "Score":
        """The score over the cases whose data agree with themselves."""
        return Score(self.passed, self.total - len(self.explained), self.unexplained)

    def __str__(self) -> str:
        return f"{self.passed}/{self.total} ({100 * self.ratio:.1f}%)"


# -- microformats ------------------------------------------------------------------------

MF_PROPS = ("name", "org", "job-title", "email", "tel", "url", "adr", "street-address", "locality", "region",
            "postal-code", "country-name", "extended-address", "post-office-box")


def _mf_norm(v: Any) -> str:
    if isinstance(v, dict):
        v = v.get("value", "")
    return " ".join(str(v).split()).rstrip("/")


def _expected_mf_items(items: list[dict]) -> Iterable[dict]:
    stack = list(items)
    while stack:
        it = stack.pop(0)
        yield it
        for vs in it.get("properties", {}).values():
            stack.extend(v for v in vs if isinstance(v, dict) and "type" in v)
        stack.extend(it.get("children", []))


def _mf_sig(props: dict[str, list[str]]) -> str:
    return json.dumps({p: sorted(props[p]) for p in MF_PROPS if props.get(p)}, sort_keys=True)


def microformats_score(data: Path | None = None) -> Score:
    root = (data or shared_data_dir()) / "microformats-tests" / "tests"
    passed = total = 0
    failures = []
    for case in sorted(root.rglob("*.json")):
        expected = json.loads(case.read_text(encoding="utf-8"))
        exp = sorted(_mf_sig({p: [_mf_norm(v) for v in it["properties"].get(p, [])] for p in MF_PROPS})
                     for it in _expected_mf_items(expected.get("items", []))
                     if {"h-card", "h-adr"} & set(it.get("type", [])))
        if not exp:
            continue
        total += 1
        tree, _ = parse_html(case.with_suffix(".html").read_bytes())
        got_items = [n for n in iter_items(parse_mf2(tree, "http://example.com")) if {"h-card", "h-adr"} & set(n.types)] \
            if tree is not None else []
        got = sorted(_mf_sig({p: [_mf_norm(v.value if isinstance(v, Node) else v) for v in n.props.get(p, [])]
                              for p in MF_PROPS}) for n in got_items)
        if got == exp:
            passed += 1
        else:
            failures.append(str(case.relative_to(root)))
    return Score(passed, total, tuple(failures))


# -- schema.org examples ---------------------------------------------------------------------

_SCRIPT = re.compile(r"<script[^>]*application/ld\+json[^>]*>(.*?)</script>", re.S | re.I)


def _is_contact_node(d: dict) -> bool:
    types = d.get("@type", [])
    types = {short_type(t) for t in ([types] if isinstance(types, str) else types) if isinstance(t, str)}
    if types & (PERSON_TYPES | ORG_TYPES):
        return True
    return not (types & NOT_CONTACT) and any(k in d for k in CONTACT_PROPS) and not (
        types & {"ContactPoint", "PostalAddress"})


def _values(v: Any) -> list[str]:
    if isinstance(v, list):
        return [x for item in v for x in _values(item)]
    if isinstance(v, (str, int, float)) and not isinstance(v, bool):
        return [str(v)]
    if isinstance(v, dict):
        # JSON-LD spells a literal {"@value": ...} and a bare IRI reference {"@id": ...}:
        # both are the property's value (``"url": {"@id": "http://..."}`` is a link)
        if "@value" in v:
            return _values(v["@value"])
        if set(v) == {"@id"}:
            return _values(v["@id"])
    return []


def oracle_values(jsonld_html: str) -> set[tuple[str, str]]:
    """The contact values of an example's JSON-LD, normalised like the extractors do."""
    out: set[tuple[str, str]] = set()
    stack: list[Any] = []
    for m in _SCRIPT.finditer(jsonld_html):
        stack.append(json.loads(m.group(1)))
    while stack:
        d = stack.pop()
        if isinstance(d, list):
            stack.extend(d)
            continue
        if not isinstance(d, dict):
            continue
        contact = _is_contact_node(d)
        types = d.get("@type", [])
        types = {short_type(t) for t in ([types] if isinstance(types, str) else types) if isinstance(t, str)}
        for k, v in d.items():
            if isinstance(v, (dict, list)):
                stack.append(v)
            if k == "email":
                for x in _values(v):
                    e = clean_email(x[7:] if x.lower().startswith("mailto:") else x)
                    if e:
                        out.add(("email", e))
            elif k in ("telephone", "faxNumber"):
                for x in _values(v):
                    p = clean_phone(x, None, "fax" if k == "faxNumber" else "phone")
                    if p:
                        out.add(("phone", p[0]))
            elif k == "jobTitle" and types & PERSON_TYPES:
                for x in _values(v):
                    out.add(("title", " ".join(x.split())))
            elif k in ("sameAs", "url") and contact:
                for x in _values(v):
                    link = clean_link(x)
                    if link:
                        out.add(("link", link[1]))
    return out


def _ours(evidence: list[Evidence]) -> set[tuple[str, str]]:
    out = set()
    for e in evidence:
        if e.field in ("email", "phone", "title"):
            out.add((e.field, e.value))
        elif e.field in ("website", "social"):
            out.add(("link", e.value))
    return out


@attrs.frozen
class SchemaOrgScores:
    """Attributes:
        forms: per form, examples whose contact values equal the oracle's.
        premarkup_*: recall of the no-markup form on the oracle's emails, phones and job
            titles (:data:`PREMARKUP_FIELDS`): ``total``/``found`` over every such value,
            ``shown``/``shown_found`` over those the premarkup's visible text shows.
        premarkup_by_field: field -> ``(shown_found, shown, found, total)``.
        premarkup_missed: ``"<example> <field> <value>"`` of shown values not found.
        premarkup_links: ``(shown, total)`` of the oracle's links (not scored: see
            :func:`schemaorg_scores`).
    """

    forms: dict[str, Score] = attrs.field(hash=False)
    premarkup_found: int = 0
    premarkup_total: int = 0
    premarkup_shown: int = 0
    premarkup_shown_found: int = 0
    premarkup_by_field: dict[str, tuple[int, int, int, int]] = attrs.field(factory=dict, hash=False)
    premarkup_missed: tuple[str, ...] = ()
    premarkup_links: tuple[int, int] = (0, 0)

    @property
    def premarkup_recall(self) -> float:
        """Of every email, phone and job title of the oracles."""
        return self.premarkup_found / self.premarkup_total if self.premarkup_total else 0.0

    @property
    def premarkup_shown_recall(self) -> float:
        """Of the emails, phones and job titles the premarkup text actually shows (many
        premarkup files are a one-line description of the example, without its values)."""
        return self.premarkup_shown_found / self.premarkup_shown if self.premarkup_shown else 0.0


_COMMENT = re.compile(r"<!--.*?-->", re.S)


_MARKUP = {"microdata": re.compile(r"itemscope", re.I), "rdfa": re.compile(r"\b(?:typeof|property)\s*=", re.I),
           "jsonld": re.compile(r"application/ld\+json", re.I)}
#: The oracle values a reader sees as text; links are mostly in ``href``s, whose owner
#: the text readers cannot tell, so they are counted apart.
PREMARKUP_FIELDS = ("email", "phone", "title")
_BASE = "http://example.com/"
_URL = re.compile(r"""https?://[^\s"'<>]+|(?<=["'])/[^\s"'<>]*(?=["'])""")


def _placeholder(path: Path, form: str) -> bool:
    """True for a form file that holds no markup of its syntax ("JSON-LD only example",
    "TODO"): the example has no such form to compare."""
    text = _COMMENT.sub("", path.read_text(encoding="utf-8", errors="replace"))
    return not text.strip() or not _MARKUP[form].search(text)


def _carries(text: str, value: tuple[str, str]) -> bool:
    """Whether a file's text holds ``value`` anywhere (markup, attribute or script), as
    the oracle normalises it.  Lenient on phones and titles (seven last digits, a
    substring), so a doubtful value counts as carried and its difference stays ours."""
    field, v = value
    text = html.unescape(text)
    if field == "link":
        return any((got := clean_link(urljoin(_BASE, u))) is not None and got[1] == v for u in _URL.findall(text))
    if field == "email":
        return v in text.casefold()
    if field == "phone":
        return v[-7:] in "".join(ch for ch in text if ch.isdigit())
    return " ".join(v.split()).casefold() in " ".join(text.split()).casefold()


def _holds(attr_or_text: str, value: tuple[str, str]) -> bool:
    """:func:`_carries` for one attribute value or element text (a bare, maybe relative URL)."""
    if value[0] == "link":
        got = clean_link(urljoin(_BASE, attr_or_text.strip()))
        return got is not None and got[1] == value[1]
    return _carries(attr_or_text, value)


def _outside_items(raw: bytes, form: str, value: tuple[str, str]) -> bool:
    """True when every property element of ``form`` that holds ``value`` is outside any
    item: the markup gives the value to the page, not to a node, so no reader can put it
    on the JSON-LD's node.  Inside means below an ``itemscope`` or in an ``itemref``-ed
    element (microdata), below a ``typeof``, ``about`` or ``resource`` or itself naming a
    subject with ``about`` (RDFa: a node may be described in several places)."""
    tree, _ = parse_html(raw)
    if tree is None:
        return False
    if form == "microdata":
        refs = {i for v in tree.xpath("//@itemref") for i in v.split()}
        attr, inside = "itemprop", lambda el: bool(el.xpath("ancestor::*[@itemscope]")) or any(
            e.get("id") in refs for e in el.iterancestors()) or el.get("id") in refs
    else:
        attr, inside = "property", lambda el: bool(
            el.xpath("ancestor::*[@typeof or @about or @resource]")) or el.get("about") is not None
    holders = [el for el in tree.xpath(f"//*[@{attr}]")
               if any(_holds(x, value) for x in (*(el.get(a) or "" for a in ("content", "href", "src", "resource")),
                                                 el.text_content()) if x)]
    return bool(holders) and not any(inside(el) for el in holders)


def _disagreement(folder: Path, form: str, want: set, got: set) -> str | None:
    """Why an example's ``form`` and its JSON-LD carry different contact data, or None
    when at least one difference is the extractors' (then the example is a failure)."""
    raw = (folder / f"{form}.html").read_bytes()
    text = raw.decode("utf-8", "replace")
    jsonld = (folder / "jsonld.html").read_text(encoding="utf-8")
    reasons = []
    for field, v in sorted(want - got):
        if not _carries(text, (field, v)):
            reasons.append(f"the {form} form does not carry {field} {v}")
        elif _outside_items(raw, form, (field, v)):
            reasons.append(f"the {form} form has {field} {v} outside any item")
        else:
            return None
    for field, v in sorted(got - want):
        if _carries(jsonld, (field, v)):
            return None
        reasons.append(f"the {form} form carries {field} {v}, the JSON-LD does not")
    return "; ".join(reasons)


def _visible(raw: bytes) -> list[str]:
    """The premarkup's visible lines and its ``mailto:``/``tel:`` targets (what a reader
    sees or clicks), casefolded."""
    tree, _ = parse_html(raw)
    if tree is None:
        return []
    out = [t.casefold() for t, _ in visible_lines(tree)]
    out += [h.casefold() for h in tree.xpath("//a/@href") if h.lower().startswith(("mailto:", "tel:"))]
    return out


def _shown(value: tuple[str, str], lines: list[str]) -> bool:
    """Whether one visible line shows a value, in any spelling: an email's local part
    and domain name (``jane (at) xyz.edu`` counts), a phone's last seven digits, a job
    title's words."""
    field, v = value
    if field == "email":
        local, domain = v.split("@", 1)
        return any(local in t and domain.split(".")[0] in t for t in lines)
    if field == "phone":
        return any(v[-7:] in "".join(ch for ch in t if ch.isdigit()) for t in lines)
    v = " ".join(v.split()).casefold()
    return any(v in t for t in lines)


def schemaorg_scores(data: Path | None = None) -> SchemaOrgScores:
    """The form scores and the premarkup recall (see the module doc).

    A microdata or RDFa form that differs from its JSON-LD counts as a failure; when
    every difference is the example's own (the form does not carry the value, holds it
    outside any item, or carries one its JSON-LD does not), :attr:`Score.explained`
    says so.  Premarkup: the oracle's emails, phones and job titles, each counted once
    per example; "shown" when one visible line of the premarkup shows it (or a
    ``mailto:``/``tel:`` link targets it); found when the page evidence holds it.
    """
    root = (data or shared_data_dir()) / "schemaorg-examples"
    index = json.loads((root / "index.json").read_text(encoding="utf-8"))
    counts: dict[str, list] = {f: [0, 0, [], []] for f in ("jsonld", "microdata", "rdfa")}
    by_field = {f: [0, 0, 0, 0] for f in PREMARKUP_FIELDS}
    missed: list[str] = []
    links = [0, 0]
    for ex in index:
        folder = root / "examples" / ex["id"]
        jsonld = folder / "jsonld.html"
        if not ex.get("contact_props") or not jsonld.is_file():
            continue
        try:
            want = oracle_values(jsonld.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if not want:
            continue
        for form in counts:
            path = folder / f"{form}.html"
            if not path.is_file() or _placeholder(path, form):
                continue
            got = _ours(page_evidence(path.read_bytes()))
            got = {v for v in got if v[0] in {w[0] for w in want} or v[0] == "link"}
            counts[form][1] += 1
            if got == want:
                counts[form][0] += 1
                continue
            counts[form][2].append(ex["id"])
            why = _disagreement(folder, form, want, got) if form != "jsonld" else None
            if why:
                counts[form][3].append((ex["id"], why))
        pre = folder / "premarkup.html"
        if not pre.is_file():
            continue
        raw = pre.read_bytes()
        lines = _visible(raw)
        got = _ours(page_evidence(raw))
        for v in want:
            if v[0] == "link":
                links[1] += 1
                links[0] += _carries(raw.decode("utf-8", "replace"), v)
                continue
            if v[0] not in by_field:
                continue
            row = by_field[v[0]]
            row[3] += 1
            row[2] += v in got
            if _shown(v, lines):
                row[1] += 1
                row[0] += v in got
                if v not in got:
                    missed.append(f"{ex['id']} {v[0]} {v[1]}")
    total = [sum(r[i] for r in by_field.values()) for i in range(4)]
    return SchemaOrgScores({f: Score(c[0], c[1], tuple(c[2]), tuple(c[3])) for f, c in counts.items()},
                           premarkup_found=total[2], premarkup_total=total[3], premarkup_shown=total[1],
                           premarkup_shown_found=total[0],
                           premarkup_by_field={f: tuple(r) for f, r in by_field.items()},  # type: ignore[misc]
                           premarkup_missed=tuple(sorted(missed)), premarkup_links=(links[0], links[1]))


# -- extruct samples -----------------------------------------------------------------------

#: The Person and Organization family (places and venues are not organisations).
EXTRUCT_TYPES = PERSON_TYPES | (ORG_TYPES - {"Place", "CivicStructure", "Museum", "MovieTheater", "Campground"})


def _expected_nodes(path: Path) -> list[dict[str, list[str]]]:
    """Person/Organization nodes of an extruct expected file as ``{prop: [values]}``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    if path.name.endswith(".expanded.json"):
        nodes = data if isinstance(data, list) else [data]
        for n in nodes:
            types = {short_type(t) for t in n.get("@type", []) if isinstance(t, str)}
            if not types & EXTRUCT_TYPES:
                continue
            props: dict[str, list[str]] = {}
            for k, vs in n.items():
                if k.startswith("@") or not isinstance(vs, list):
                    continue
                props[short_type(k)] = [str(v["@value"]) for v in vs if isinstance(v, dict) and "@value" in v]
            props["@type"] = sorted(types)
            out.append(props)
        return out
    stack: list[Any] = [data]
    while stack:
        d = stack.pop()
        if isinstance(d, list):
            stack.extend(d)
            continue
        if not isinstance(d, dict):
            continue
        if "properties" in d and "type" in d:  # extruct microdata shape
            types = d["type"] if isinstance(d["type"], list) else [d["type"]]
            body = d["properties"]
        else:
            types = d.get("@type", [])
            types = [types] if isinstance(types, str) else types
            body = {k: v for k, v in d.items() if not k.startswith("@")}
        short = {short_type(t) for t in types if isinstance(t, str)}
        for v in body.values():
            if isinstance(v, (dict, list)):
                stack.append(v)
        if short & EXTRUCT_TYPES:
            props = {short_type(k): _values(v) for k, v in body.items()}
            props["@type"] = sorted(short)
            out.append(props)
    return out


def extruct_score(data: Path | None = None) -> Score:
    root = (data or shared_data_dir()) / "extruct-samples" / "tests" / "samples"
    passed = total = 0
    failures = []
    for html in sorted(root.rglob("*.html")):
        expected_files = [p for p in html.parent.glob(html.stem + ".*")
                          if p.suffix in (".json", ".jsonld") and "_flat" not in p.name]
        nodes = []
        for p in expected_files:
            try:
                nodes.extend(_expected_nodes(p))
            except (ValueError, OSError):
                continue
        named, keys = [], set()
        for n in nodes:  # one node per (type, name, emails) and page: repeats are one contact
            name = " ".join((n.get("name") or [""])[0].split())
            key = (tuple(n["@type"]), name.casefold(), tuple(sorted(n.get("email", []))))
            if name and key not in keys:
                keys.add(key)
                named.append(n)
        if not named:
            continue
        tree, defects = parse_html(html.read_bytes())
        cards = page_cards(tree, "http://example.com/", defects) if tree is not None else []
        have = set()
        for c in cards:
            for key in ("name", "company"):
                for v in c.get(key):
                    have.add(" ".join(v.split()).casefold())
        emails = {e.casefold() for c in cards for e in c.get("email")}
        for n in named:
            total += 1
            name = " ".join(n["name"][0].split()).casefold()
            ok = name in have and all(
                (e[7:] if e.lower().startswith("mailto:") else e).casefold() in emails for e in n.get("email", []))
            if ok:
                passed += 1
            else:
                failures.append(f"{html.relative_to(root)}: {'/'.join(n['@type'])}")
    return Score(passed, total, tuple(failures))
