"""The built-in ``webleads`` subcommands: each a ``configure(parser)`` and a ``run(args)``."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import ConfigError

FORMATS = ("jsonl", "json", "csv", "vcf")
EXECUTOR_HELP = ("where parse/segment/extract/privacy run: local (default), processes:N, dask-local:N, "
                 "dask://HOST:PORT (the dask ones need webleads-core[dask])")


def _progress_default() -> bool:
    return sys.stderr.isatty()


def _print_result(result: Any, fmt: str) -> None:
    if fmt == "json":
        return
    reasons = ", ".join(f"{k} {v}" for k, v in result.reasons) or "none"
    print(f"webleads: {result.items} items, {result.processed} processed, {result.skipped} skipped "
          f"({reasons}), {result.evidence} evidence, {result.contacts} contacts, "
          f"{result.seconds:.2f}s", file=sys.stderr)


def _exit_code(result: Any) -> int:
    return 3 if any(k == "source.failed" for k, _ in result.reasons) else 0


# -- extract ---------------------------------------------------------------------------


def configure_extract(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help=".eml files, mbox files, Maildirs, folders (.html pages with the web plugin)")
    p.add_argument("--url", action="append", default=[], metavar="URL",
                   help="crawl this site with the web plugin's `web` source (repeatable)")
    p.add_argument("--format", choices=FORMATS, default="jsonl", help="output format (default jsonl)")
    p.add_argument("--owner", default="", help="whose mailbox this is (their own address)")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.add_argument("--executor", default="local", help=EXECUTOR_HELP)
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")


def run_extract(args: argparse.Namespace) -> int:
    from ..api import extract
    from ..default_plugins.sinks import RENDERERS

    progress = _progress_default() if args.progress is None else args.progress
    if not args.paths and not args.url:
        raise ConfigError("give at least one PATH or --url")
    contacts, result = extract(args.paths, owner=args.owner, urls=args.url, pm=args.pm, progress=progress,
                               executor=args.executor)
    text = RENDERERS[args.format](contacts)
    if args.output:
        from ..sinkbase import atomic_write

        atomic_write(Path(args.output), text)
    else:
        sys.stdout.write(text)
    _print_result(result, "text")
    return _exit_code(result)


# -- segment ---------------------------------------------------------------------------


def configure_segment(p: argparse.ArgumentParser) -> None:
    p.description = ("Show the zones the segmenter finds in your own mail (research and debugging). "
                     "This prints message text: it is the one command that does.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--format", choices=("text", "jsonl"), default="text")


def run_segment(args: argparse.Namespace) -> int:
    from ..components import SourceContext
    from ..default_plugins.local_mail import detect_source
    from ..engine.pipeline import build_pipeline
    from ..errors import ItemRejected
    from ..mail import parse_message
    from ..records import Document

    pipeline = build_pipeline(Config(), pm=args.pm,
                              sources=[detect_source(Path(p), name=f"seg{i}") for i, p in enumerate(args.paths)])
    skipped = 0
    for sconf, source in pipeline.sources:
        for doc in source.read(None, SourceContext()):
            if not isinstance(doc, Document):
                continue
            try:
                zones = pipeline.segmenter.segment(parse_message(doc.content))
            except ItemRejected as exc:
                skipped += 1
                print(f"webleads: skipped {doc.item_id}: {exc.reason}", file=sys.stderr)
                continue
            if args.format == "jsonl":
                print(json.dumps({"item": doc.item_id, "zones": [
                    {"kind": z.kind, "message": z.message, "start": z.start, "end": z.end,
                     "text": z.text} for z in zones]}, ensure_ascii=False))
            else:
                print(f"== {doc.item_id}")
                for z in zones:
                    print(f"-- {z.kind} (message {z.message}, lines {z.start}-{z.end})")
                    for line in z.text.split("\n"):
                        print(f"   | {line}")
    return 0


# -- run / init ----------------------------------------------------------------------------


def configure_run(p: argparse.ArgumentParser) -> None:
    p.add_argument("-c", "--config", default="webleads.toml", help="config file (default webleads.toml)")
    p.add_argument("--executor", default="local", help=EXECUTOR_HELP)
    p.add_argument("--format", choices=("text", "json"), default="text", help="summary format")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)


def run_run(args: argparse.Namespace) -> int:
    from ..api import run

    progress = _progress_default() if args.progress is None else args.progress
    result = run(Config.from_file(args.config), pm=args.pm, progress=progress, executor=args.executor)
    if args.format == "json":
        print(json.dumps({"run": result.run_id, "items": result.items, "processed": result.processed,
                          "skipped": result.skipped, "evidence": result.evidence,
                          "contacts": result.contacts, "seconds": round(result.seconds, 3),
                          "reasons": dict(result.reasons)}))
    _print_result(result, args.format)
    return _exit_code(result)


STARTER_CONFIG = Path(__file__).with_name("starter.toml")


def configure_init(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", nargs="?", default="webleads.toml")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")


def run_init(args: argparse.Namespace) -> int:
    dest = Path(args.path)
    if dest.exists() and not args.force:
        raise ConfigError(f"{dest} exists (use --force to overwrite)")
    dest.write_text(STARTER_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    print(f"wrote {dest}: edit the [[sources]] table, then run: webleads run -c {dest}")
    return 0


# -- contacts ----------------------------------------------------------------------------


def _store_url(args: argparse.Namespace) -> str:
    if args.store:
        if args.store.startswith(("sqlite:", "postgresql://", "postgres://")):
            return args.store
        return f"sqlite:///{Path(args.store).resolve()}"
    conf = Config.from_file(args.config)
    if conf.store_url.endswith(":memory:"):
        raise ConfigError(f"{args.config}: [store] url is in memory; nothing to read")
    return conf.store_url


def _store_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-c", "--config", default="webleads.toml")
    p.add_argument("--store", help="store URL or path (instead of the config's)")


def configure_contacts(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    lp = sub.add_parser("list", help="a table (or --format) of the contacts in the store")
    _store_args(lp)
    lp.add_argument("--format", choices=("table",) + FORMATS, default="table")
    sp = sub.add_parser("show", help="one contact with every piece of evidence and its provenance")
    _store_args(sp)
    sp.add_argument("identifier", help="email, phone (E.164) or contact id")
    sp.add_argument("--format", choices=("text", "json"), default="text")
    sp.add_argument("--owner", help="show this owner's address book view (their values, completed by the network)")
    ep = sub.add_parser("export", help="write the contacts to a file")
    _store_args(ep)
    ep.add_argument("--format", choices=FORMATS, default="jsonl")
    ep.add_argument("-o", "--output", help="file (default standard output)")
    cp = sub.add_parser("changes", help="change events: new job, new phone, new address")
    _store_args(cp)
    cp.add_argument("--since", help="only changes at or after this date (YYYY-MM-DD or ISO time)")
    cp.add_argument("--kind", choices=("job", "phone", "address"), action="append",
                    help="only these kinds (repeatable)")
    cp.add_argument("--format", choices=("text", "json", "jsonl"), default="text")
    kp = sub.add_parser("scoring", help="show or change the scoring settings kept in the store")
    _store_args(kp)
    kp.add_argument("--k", type=int, help="independent owners/sources needed to publish a value")
    kp.add_argument("--threshold", type=float, help="combined confidence needed to publish a value (0..1)")
    kp.add_argument("--half-life-days", type=float, help="days after which an observation weighs half")
    kp.add_argument("--job-window-days", type=float, help="changes this close in time are one job change")


def _published(args: argparse.Namespace):
    from ..engine.pipeline import build_pipeline
    from ..engine.run import make_policy, sealed_contacts
    from ..store import open_store

    url = _store_url(args)
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        raise ConfigError(f"no store at {url[len('sqlite:///'):]} (run `webleads run` first)")
    conf = None if args.store else Config.from_file(args.config)
    privacy = conf.privacy if conf else None
    pipeline = build_pipeline(Config(store_url=url, **({"privacy": privacy} if privacy else {})),
                              pm=args.pm, sources=())
    store = open_store(url, privacy=privacy, scoring=conf.scoring if conf else None)
    return store, make_policy(pipeline, store), sealed_contacts


def _since(text: str | None):
    import datetime as dt

    if not text:
        return None
    try:
        t = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"--since: not a date: {text[:40]!r} (use YYYY-MM-DD)") from None
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def _scoring_action(args: argparse.Namespace, store: Any) -> int:
    import attrs

    changes = {k: v for k, v in (("k", args.k), ("threshold", args.threshold),
                                 ("half_life_days", args.half_life_days),
                                 ("job_window_days", args.job_window_days)) if v is not None}
    if changes:
        store.set_scoring(attrs.evolve(store.scoring, **changes))
    print(json.dumps(store.scoring.as_dict(), indent=2))
    return 0


def _status(field: str, v: Any, values: list[str]) -> str:
    if field in ("email", "phone", "website", "social"):
        return v.status  # network | private
    if values and v.value == values[0]:
        return "current"
    return "superseded" if v.status == "current" else v.status  # the subject's correction replaced it


def field_details(store: Any, contact: Any) -> dict[str, Any]:
    """Each field of a published contact: current value(s), confidence, support (independent
    owners or sources), whether the network publishes it, and its history of values."""
    states = store.field_states(contact.id)
    pins = dict(store.pins_of(contact.id))
    conf = dict(contact.confidence)
    current = {"name": [contact.name], "title": [contact.title], "company": [contact.company],
               "address": [contact.address], "email": list(contact.emails),
               "phone": [p.number for p in contact.phones], "website": list(contact.websites),
               "social": [u for _, u in contact.social]}
    out: dict[str, Any] = {}
    for field, values in current.items():
        values = [v for v in values if v]
        st = states.get(field)
        if not values and st is None:
            continue
        head = st.value(values[0]) if (st and values) else None
        out[field] = {
            "current": values,
            "confidence": conf.get(field),
            "support": head.support if head else 0,
            "published": bool(head and head.published),
            "pinned": field in pins,
            "history": [{"value": v.value, "status": _status(field, v, values), "published": v.published,
                         "first_seen": v.first_seen.isoformat(), "last_seen": v.last_seen.isoformat(),
                         "support": v.support, "holders": v.believers, "confidence": v.confidence,
                         "observations": v.observations, **({"type": v.subtype} if v.subtype else {})}
                        for v in (st.values if st else ())],
        }
    return out


def change_to_dict(e: Any) -> dict[str, Any]:
    return e.payload()


def render_change_text(d: dict[str, Any]) -> str:
    moves = "; ".join(f"{f}: {d['before'].get(f)!s} -> {v!s}" for f, v in d["after"].items())
    return (f"{d['at'][:19]}  {d['kind']:<7} contact {d['contact_id']}  {moves}  "
            f"(support {d['support']}, confidence {d['confidence']:.2f})")


def run_contacts(args: argparse.Namespace) -> int:
    from ..default_plugins.sinks import RENDERERS
    from ..serialize import contact_to_dict

    store, policy, sealed = _published(args)
    with store:
        if args.action == "scoring":
            return _scoring_action(args, store)
        if args.action == "changes":
            allowed = {r.contact.id for r in sealed(store, policy)}
            events = [change_to_dict(e) for e in store.changes(since=_since(args.since), ids=allowed)
                      if not args.kind or e.kind in args.kind]
            if args.format == "json":
                print(json.dumps(events, ensure_ascii=False, indent=2))
            elif args.format == "jsonl":
                sys.stdout.write("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events))
            else:
                for e in events:
                    print(render_change_text(e))
                print(f"{len(events)} changes")
            return 0
        if args.action == "show":
            ids = store.find(args.identifier)
            if not ids:
                raise ConfigError(f"no contact matches {args.identifier!r}")
            if args.owner:
                from ..privacy.stage import publish_contact

                records = [r for r in (publish_contact(c, policy.suppressor)
                                       for c in store.contacts(ids, view="owner", owner=args.owner)) if r]
                if not records:
                    raise ConfigError(f"{args.owner!r} has no published contact matching {args.identifier!r}")
            else:
                records = list(sealed(store, policy, ids))
            out = []
            for r in records:
                d = contact_to_dict(r.contact)
                d["fields"] = field_details(store, r.contact)
                d["relationships"] = store.relationships(r.contact.id)
                d["evidence"] = [e for e in store.evidence_of(r.contact.id)]
                out.append(d)
            if args.format == "json":
                print(json.dumps(out, ensure_ascii=False, indent=2))
            else:
                for d in out:
                    print(render_contact_text(d))
            return 0
        contacts = [r.contact for r in sealed(store, policy)]
        if args.action == "list" and args.format == "table":
            print(render_table(contacts))
            return 0
        text = RENDERERS[args.format](contacts)
        if args.action == "export":
            store.audit("contacts.export", {"format": args.format, "contacts": len(contacts)})
        if args.action == "export" and args.output:
            from ..sinkbase import atomic_write

            atomic_write(Path(args.output), text)
        else:
            sys.stdout.write(text)
    return 0


def render_contact_text(d: dict[str, Any]) -> str:
    lines = [f"{d['name'] or '(no name)'}  [{d['kind']}, id {d['id']}]"]
    fields = d.get("fields")
    if fields is None:  # a plain contact dict: values only
        for key in ("title", "company", "address"):
            if d[key]:
                lines.append(f"  {key}: {d[key]}  (confidence {d['confidence'].get(key, 0):.2f})")
        for e in d["emails"]:
            lines.append(f"  email: {e}")
        for p in d["phones"]:
            lines.append(f"  phone ({p['type']}): {p['number']}")
        for w in d["websites"]:
            lines.append(f"  website: {w}")
        for net, url in d["social"].items():
            lines.append(f"  {net}: {url}")
    for field, f in (fields or {}).items():
        where = "pinned by the subject" if f["pinned"] else "network" if f["published"] else "private"
        conf = f"{f['confidence']:.2f}" if f["confidence"] is not None else "-"
        lines.append(f"  {field}: {', '.join(map(str, f['current'])) or '(none)'}  "
                     f"(confidence {conf}, support {f['support']}, {where})")
        for h in f["history"]:
            lines.append(f"      {h['status']:<10} {h['value']!s}  {h['first_seen'][:10]} .. {h['last_seen'][:10]}  "
                         f"support {h['support']}, seen {h['observations']}x, confidence {h['confidence']:.2f}")
    if d.get("relationships"):
        lines.append("  relationships:")
        for r in d["relationships"]:
            lines.append(f"    {r['owner']}: strength {r['strength']:.2f}, {r['messages']} messages "
                         f"({r['inbound']} in, {r['outbound']} out), last {str(r['last'])[:10]}")
    lines.append("  evidence:")
    for e in d.get("evidence", []):
        lines.append(f"    {e['observed_at'][:10]} {e['field']}={e['value']!s} "
                     f"[{e['extractor']}/{e['method']} {e['confidence']:.2f}] from {e['source']}:{e['item_id']}")
    return "\n".join(lines)


def render_table(contacts) -> str:
    cols = ("Name", "Title", "Company", "Email", "Phones", "Kind")
    rows = []
    for c in contacts:
        rows.append((c.name or "", c.title or "", c.company or "", c.emails[0] if c.emails else "",
                     ", ".join(f"{p.number} ({p.type[0]})" for p in c.phones[:2]), c.kind))
    limits = (24, 28, 26, 34, 40, 6)
    rows = [tuple(v if len(v) <= n else v[: n - 1] + "…" for v, n in zip(r, limits)) for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(cols)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*cols), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*r) for r in rows]
    out.append(f"{len(contacts)} contacts")
    return "\n".join(out)


# -- plugins ------------------------------------------------------------------------------


def configure_plugins(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("text", "json"), default="text")


def run_plugins(args: argparse.Namespace) -> int:
    from ..engine.plugins import collect

    reg = collect(args.pm)
    by_plugin: dict[str, list[dict[str, Any]]] = {}
    for r in reg.all():
        by_plugin.setdefault(r.plugin, []).append(
            {"hook": r.hook, "kind": r.hook.removeprefix("register_").rstrip("s"), "name": r.name,
             **({"priority": r.priority} if r.hook == "register_segmenters" else {})})
    dists = {}
    for plugin, name in args.pm.list_name_plugin():
        dists[name] = getattr(plugin, "__name__", type(plugin).__name__)
    for plugin, dist in args.pm.list_plugin_distinfo():
        dists[args.pm.get_name(plugin)] = f"{dist.project_name} {dist.version}"
    if args.format == "json":
        print(json.dumps([{"plugin": k, "distribution": dists.get(k), "components": v}
                          for k, v in sorted(by_plugin.items())], indent=2))
        return 0
    for plugin, comps in sorted(by_plugin.items()):
        print(f"{plugin} ({dists.get(plugin, 'webleads-core')})")
        for c in comps:
            print(f"  {c['kind']:<13} {c['name']}")
    return 0


# -- privacy ------------------------------------------------------------------------------
# The `privacy` command lives in privacy_cmd.py (opt-outs, subject requests, retention, audit,
# records of processing, encryption at rest).

from .privacy_cmd import configure_privacy, run_privacy  # noqa: E402


# -- demo ---------------------------------------------------------------------------------


def configure_demo(p: argparse.ArgumentParser) -> None:
    p.add_argument("--mailbox", help="a Maildir to use instead of the bundled example")
    p.add_argument("--keep", metavar="DIR", help="keep the store and exports in DIR")
    p.add_argument("--format", choices=("table", "jsonl"), default="table")


def demo_mailbox() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent / "examples" / "mailbox"
        if (cand / "cur").is_dir():
            return cand
    raise ConfigError("the bundled example mailbox was not found; pass --mailbox PATH")


def run_demo(args: argparse.Namespace) -> int:
    from ..api import run
    from ..store import open_store

    mailbox = Path(args.mailbox) if args.mailbox else demo_mailbox()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="webleads-demo-"))
    work.mkdir(parents=True, exist_ok=True)
    conf = Config.from_dict({
        "store": {"url": "sqlite:///demo.db"},
        "sources": [{"type": "maildir", "name": "demo", "owner": "me@webleads-demo.example",
                     "path": str(mailbox.resolve())}],
        "sinks": [{"type": "jsonl", "path": "contacts.jsonl"}, {"type": "csv", "path": "contacts.csv"},
                  {"type": "vcard", "path": "contacts.vcf"}],
    }, base_dir=work)
    try:
        result = run(conf, pm=args.pm, progress=_progress_default())
        with open_store(conf.store_url, privacy=conf.privacy, scoring=conf.scoring) as store:
            from ..engine.pipeline import build_pipeline
            from ..engine.run import make_policy, sealed_contacts

            policy = make_policy(build_pipeline(conf, pm=args.pm, sources=()), store)
            contacts = [r.contact for r in sealed_contacts(store, policy)]
        if args.format == "jsonl":
            from ..default_plugins.sinks import render_jsonl

            sys.stdout.write(render_jsonl(contacts))
        else:
            print(f"webleads demo: {result.items} messages from {mailbox}, {result.skipped} skipped\n")
            print(render_table(contacts))
            if args.keep:
                print(f"\nstore and exports (jsonl, csv, vcf) in {work}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return _exit_code(result)


BUILTIN = (
    ("demo", "run the bundled example mailbox and print the contacts found", configure_demo, run_demo),
    ("extract", "run the whole pipeline on local mail files and print contacts (no store)",
     configure_extract, run_extract),
    ("segment", "print the zones found in each message (your own files only)", configure_segment, run_segment),
    ("run", "run the configured sources into the store, incrementally", configure_run, run_run),
    ("init", "write a commented starter config", configure_init, run_init),
    ("contacts", "list, show or export the contacts of a store; their change events; scoring settings",
     configure_contacts, run_contacts),
    ("plugins", "list installed plugins and the components each registers", configure_plugins, run_plugins),
    ("privacy", "opt-outs, subject requests, retention, audit, records of processing, encryption",
     configure_privacy, run_privacy),
)
