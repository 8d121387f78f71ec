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
        return args.store if args.store.startswith("sqlite:") else f"sqlite:///{Path(args.store).resolve()}"
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
    ep = sub.add_parser("export", help="write the contacts to a file")
    _store_args(ep)
    ep.add_argument("--format", choices=FORMATS, default="jsonl")
    ep.add_argument("-o", "--output", help="file (default standard output)")


def _published(args: argparse.Namespace):
    from ..engine.pipeline import build_pipeline
    from ..engine.run import make_policy, sealed_contacts
    from ..store import open_store

    url = _store_url(args)
    if not Path(url[len("sqlite:///"):]).exists():
        raise ConfigError(f"no store at {url[len('sqlite:///'):]} (run `webleads run` first)")
    privacy = None if args.store else Config.from_file(args.config).privacy
    pipeline = build_pipeline(Config(store_url=url, **({"privacy": privacy} if privacy else {})),
                              pm=args.pm, sources=())
    store = open_store(url, privacy=privacy)
    return store, make_policy(pipeline, store), sealed_contacts


def run_contacts(args: argparse.Namespace) -> int:
    from ..default_plugins.sinks import RENDERERS
    from ..serialize import contact_to_dict

    store, policy, sealed = _published(args)
    with store:
        if args.action == "show":
            ids = store.find(args.identifier)
            if not ids:
                raise ConfigError(f"no contact matches {args.identifier!r}")
            records = list(sealed(store, policy, ids))
            out = []
            for r in records:
                d = contact_to_dict(r.contact)
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
        with open_store(conf.store_url, privacy=conf.privacy) as store:
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
    ("contacts", "list, show or export the contacts of a store", configure_contacts, run_contacts),
    ("plugins", "list installed plugins and the components each registers", configure_plugins, run_plugins),
    ("privacy", "opt-outs, subject requests, retention, audit, records of processing, encryption",
     configure_privacy, run_privacy),
)
