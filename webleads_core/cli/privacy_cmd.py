"""``webleads privacy``: opt-outs, subject requests, retention, audit, records of processing,
encryption at rest.

Every action works on the store of ``-c CONFIG`` (default ``webleads.toml``) or of
``--store``; with a config, its ``[privacy]`` settings (retention, key file, purposes)
apply and its sinks are written again after anything was removed or changed, so the
exports follow the store.  Messages print counts and pseudonyms, never a person's data
(except ``export``, whose whole point is to show it to the person).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import ConfigError

FIELDS = ("name", "title", "company", "address", "phone", "website")


def _store_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-c", "--config", default=None, help="config file (default webleads.toml)")
    p.add_argument("--store", help="store URL or path (instead of the config's)")


def _received(p: argparse.ArgumentParser) -> None:
    p.add_argument("--received", metavar="DATE", help="when the request arrived (YYYY-MM-DD; default now): "
                   "the answer is due one month later")


def configure_privacy(p: argparse.ArgumentParser) -> None:
    p.description = ("Privacy operations: opt-outs, subject requests (access, erasure, rectification, "
                     "restriction), retention, the audit log, the record of processing, encryption at rest. "
                     "See docs/privacy.md.")
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    op = sub.add_parser("optout", help="never collect this email, phone or @domain again, and erase it")
    _store_args(op)
    _received(op)
    op.add_argument("identifier")

    ex = sub.add_parser("export", help="everything held about a person, with sources (access request)")
    _store_args(ex)
    _received(ex)
    ex.add_argument("identifier", help="the person's email address or phone number (+CC...)")
    ex.add_argument("--format", choices=("json", "html", "text"), default="json")
    ex.add_argument("-o", "--output", help="write to this file (default standard output)")

    er = sub.add_parser("erase", help="remove a person from the store and exports; keep only the opt-out digest")
    _store_args(er)
    _received(er)
    er.add_argument("identifier", help="the person's email address or phone number (+CC...)")

    rc = sub.add_parser("rectify", help="a person's own correction of one field, stronger than later values")
    _store_args(rc)
    _received(rc)
    rc.add_argument("identifier", help="the person's email address or phone number (+CC...)")
    rc.add_argument("field", choices=FIELDS)
    rc.add_argument("value", nargs="?", help="the correct value (omit with --clear)")
    rc.add_argument("--clear", action="store_true", help="the field must stay empty (name, title, company, address)")
    rc.add_argument("--phone-type", choices=("work", "mobile", "fax", "other"), default="work")

    rs = sub.add_parser("restrict", help="freeze a person's record (no publish, no export) during a dispute")
    _store_args(rs)
    _received(rs)
    rs.add_argument("identifier", help="the person's email address or phone number (+CC...)")
    rs.add_argument("--lift", action="store_true", help="end the restriction")

    lr = sub.add_parser("list-requests", help="the request register with status and due date")
    _store_args(lr)
    lr.add_argument("--format", choices=("table", "json"), default="table")

    pe = sub.add_parser("purge-expired", help="erase every contact past its retention date and report it")
    _store_args(pe)
    pe.add_argument("--dry-run", action="store_true", help="only report what is due")
    pe.add_argument("--format", choices=("text", "json"), default="text")

    au = sub.add_parser("audit", help="the audit log: `audit verify` checks it, `audit list` shows it")
    asub = au.add_subparsers(dest="audit_action", metavar="verify|list", required=True)
    av = asub.add_parser("verify", help="check the hash chain and its keyed anchor (exit 4 when tampered)")
    _store_args(av)
    al = asub.add_parser("list", help="the entries (pseudonymous)")
    _store_args(al)
    al.add_argument("--format", choices=("text", "json"), default="text")
    av2 = sub.add_parser("audit-verify", help="same as `audit verify`")
    _store_args(av2)

    ro = sub.add_parser("ropa", help="print the record of processing from the config and installed plugins")
    _store_args(ro)
    ro.add_argument("--format", choices=("markdown", "json"), default="markdown")

    en = sub.add_parser("encrypt", help="encrypt the store's personal columns (AES-256-GCM); makes a key file")
    _store_args(en)
    en.add_argument("--key-file", help="keyring file to use or create (default [privacy] key_file or <store>.keys)")

    rk = sub.add_parser("rotate-key", help="add a data key and re-encrypt every value with it")
    _store_args(rk)
    rk.add_argument("--key-file", help="the keyring file (default [privacy] key_file or <store>.keys)")
    rk.add_argument("--retire", action="store_true", help="drop the older data keys afterwards")


# -- helpers ------------------------------------------------------------------------------------


_URL_SCHEMES = ("sqlite:", "postgresql://", "postgres://")


def _sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` store, None for a PostgreSQL one."""
    return None if url.startswith(("postgresql://", "postgres://")) else Path(url[len("sqlite:///"):])


def _config(args: argparse.Namespace) -> tuple[Config | None, str]:
    """The config (None when only ``--store`` was given) and the store URL."""
    conf: Config | None = None
    if args.config or not args.store:
        conf = Config.from_file(args.config or "webleads.toml")
    if args.store:
        url = args.store if args.store.startswith(_URL_SCHEMES) else f"sqlite:///{Path(args.store).resolve()}"
    else:
        assert conf is not None
        url = conf.store_url
    if url.endswith(":memory:"):
        raise ConfigError("the store is in memory; nothing to operate on")
    return conf, url


def _open(args: argparse.Namespace, *, must_exist: bool = True):
    from ..store import open_store

    conf, url = _config(args)
    path = _sqlite_path(url)
    if must_exist and path is not None and not path.exists():
        raise ConfigError(f"no store at {path} (run `webleads run` first)")
    store = open_store(url, privacy=conf.privacy if conf else None)
    if conf is not None:
        try:
            store.record_config(_summary(conf))
        except BaseException:
            store.close()
            raise
    return conf, store


def _summary(conf: Config) -> dict[str, Any]:
    p = conf.privacy
    return {"retention_days": p.retention_days, "max_retention_days": p.max_retention_days,
            "encrypt": p.encrypt, "key_file_set": p.key_file is not None, "secret_file_set": p.secret_file is not None,
            "extra_redact": len(p.extra_redact), "purposes": len(p.purposes), "controller_set": bool(p.controller),
            "sources": len(conf.sources), "sinks": len(conf.sinks)}


def _received_at(args: argparse.Namespace) -> dt.datetime | None:
    if not getattr(args, "received", None):
        return None
    try:
        d = dt.datetime.fromisoformat(args.received)
    except ValueError:
        raise ConfigError("--received takes a date, YYYY-MM-DD") from None
    return d if d.tzinfo else d.replace(tzinfo=dt.timezone.utc)


def _secret(conf: Config | None) -> Path | None:
    return conf.privacy.secret_file if conf else None


def _republish(conf: Config | None, store, args) -> str:
    from ..privacy.operations import republish

    if conf is None:
        print("webleads: note: without -c CONFIG the exports written earlier by sinks are not rewritten",
              file=sys.stderr)
        return ""
    if not conf.sinks:
        return ""
    n = republish(conf, store, pm=args.pm)
    return f"; exports rewritten ({len(conf.sinks)} sink(s), {n} contacts)"


def _write(text: str, output: str | None) -> None:
    if output:
        from ..sinkbase import atomic_write

        atomic_write(Path(output), text)
    else:
        sys.stdout.write(text)


# -- the command ---------------------------------------------------------------------------------


def run_privacy(args: argparse.Namespace) -> int:
    action = args.action
    if action == "audit-verify" or (action == "audit" and args.audit_action == "verify"):
        return _audit_verify(args)
    handler = {
        "optout": _optout, "export": _export, "erase": _erase, "rectify": _rectify, "restrict": _restrict,
        "list-requests": _list_requests, "purge-expired": _purge, "audit": _audit_list, "ropa": _ropa,
        "encrypt": _encrypt, "rotate-key": _rotate,
    }[action]
    return handler(args)


def _optout(args: argparse.Namespace) -> int:
    from ..privacy.operations import optout

    conf, store = _open(args, must_exist=False)
    with store:
        erased = optout(store, args.identifier, secret_file=_secret(conf), received_at=_received_at(args))
        print(f"opted out; {erased} contact(s) erased{_republish(conf, store, args)}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from ..privacy.access import access_report, render_html, render_text

    conf, store = _open(args)
    with store:
        privacy = conf.privacy if conf else Config().privacy
        report = access_report(
            store, args.identifier, purposes=privacy.purposes, controller=privacy.controller,
            sources={s.name: s.type for s in conf.sources} if conf else None,
            sinks=[k.type for k in conf.sinks] if conf else (),
            secret_file=_secret(conf), received_at=_received_at(args))
    if args.format == "json":
        text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "html":
        text = render_html(report)
    else:
        text = render_text(report)
    _write(text, args.output)
    req = report["request"]
    print(f"webleads: access request {req['id']}: {len(report['contacts'])} record(s) "
          f"{'found' if report['held'] else '(nothing held)'}; due {req['due_at'][:10]}", file=sys.stderr)
    return 0


def _erase(args: argparse.Namespace) -> int:
    from ..privacy.requests import erase

    conf, store = _open(args)
    with store:
        out = erase(store, args.identifier, secret_file=_secret(conf), received_at=_received_at(args))
        print(f"erasure request {out.request}: {out.detail['contacts']} contact(s) erased, "
              f"{out.detail['suppressed']} identifier(s) kept as opt-out digests{_republish(conf, store, args)}")
    return 0


def _rectify(args: argparse.Namespace) -> int:
    from ..privacy.requests import rectify

    if args.clear == (args.value is not None):
        raise ConfigError("rectify takes a VALUE or --clear (not both)")
    conf, store = _open(args)
    with store:
        out = rectify(store, args.identifier, args.field, None if args.clear else args.value,
                      phone_type=args.phone_type, secret_file=_secret(conf), received_at=_received_at(args))
        what = "nothing held" if not out.held else f"{out.held} contact(s) corrected"
        print(f"rectification request {out.request}: {what} ({args.field}){_republish(conf, store, args)}")
    return 0


def _restrict(args: argparse.Namespace) -> int:
    from ..privacy.requests import restrict

    conf, store = _open(args)
    with store:
        out = restrict(store, args.identifier, lift=args.lift, secret_file=_secret(conf),
                       received_at=_received_at(args))
        if args.lift:
            msg = f"restriction lifted on {out.detail['contacts']} contact(s)"
        else:
            msg = (f"restriction request {out.request}: {out.held} contact(s) frozen"
                   if out.held else f"restriction request {out.request}: nothing held")
        print(msg + _republish(conf, store, args))
    return 0


def _list_requests(args: argparse.Namespace) -> int:
    from ..privacy.requests import list_requests

    _conf, store = _open(args)
    with store:
        rows = list_requests(store)
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return 0
    head = f"{'id':>4}  {'kind':<13}  {'subject':<16}  {'received':<10}  {'due':<10}  {'status':<10}  done"
    print(head)
    print("-" * len(head))
    for r in rows:
        flag = " OVERDUE" if r["overdue"] else " late" if r["late"] else ""
        print(f"{r['id']:>4}  {r['kind']:<13}  {r['subject']:<16}  {r['received_at'][:10]:<10}  "
              f"{r['due_at'][:10]:<10}  {r['status']:<10}  {(r['completed_at'] or '')[:10]}{flag}")
    print(f"{len(rows)} request(s), {sum(r['status'] == 'open' for r in rows)} open, "
          f"{sum(r['overdue'] for r in rows)} overdue")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from ..privacy.operations import purge_expired

    conf, store = _open(args)
    with store:
        report = purge_expired(store, dry_run=args.dry_run)
        extra = "" if args.dry_run or not report["contacts"] else _republish(conf, store, args)
        r = store.retention
    if args.format == "json":
        print(json.dumps({**report, "ttl_days": r.ttl_days, "max_days": r.max_days}))
    else:
        verb = "due" if args.dry_run else "purged"
        print(f"{report['contacts']} contact(s) ({report['evidence']} values) {verb}; "
              f"{report['kept_restricted']} kept under restriction; retention {r.ttl_days} days since last "
              f"observation, {r.max_days} days at most{extra}")
    return 0


def _audit_verify(args: argparse.Namespace) -> int:
    _conf, store = _open(args)
    with store:
        report = store.audit_report()
    if report.ok:
        print(f"audit log intact ({report.entries} entries" + (", anchor checked)" if report.anchored else ")"))
        return 0
    print(f"audit log TAMPERED: {report.problem}")
    return 4


def _audit_list(args: argparse.Namespace) -> int:
    _conf, store = _open(args)
    with store:
        entries = store.audit_entries()
    if args.format == "json":
        print(json.dumps(entries, indent=2))
    else:
        for e in entries:
            print(f"{e['id']:>5}  {e['at'][:19]}  {e['action']:<28} {json.dumps(e['detail'], sort_keys=True)}")
    return 0


def _ropa(args: argparse.Namespace) -> int:
    from ..engine.plugins import collect
    from ..privacy.ropa import build_ropa, render_ropa

    conf, url = _config(args)
    conf = conf or Config(store_url=url)
    encrypted = None
    path = _sqlite_path(url)
    if path is None or path.exists():  # a PostgreSQL store is asked, a missing file is not made
        _c, store = _open(args)
        with store:
            encrypted = store.encrypted
    ropa = build_ropa(conf, collect(args.pm), encrypted=encrypted)
    print(json.dumps(ropa, indent=2, ensure_ascii=False) if args.format == "json" else render_ropa(ropa))
    return 0


def _encrypt(args: argparse.Namespace) -> int:
    import os

    from ..privacy.crypto import ENV_KEY, ENV_KEY_FILE, discover_keyring
    from ..privacy.operations import encrypt_store
    from ..store.sqlite import SQLiteStore, is_encrypted_file

    conf, url = _config(args)
    path = _sqlite_path(url)
    if path is None:
        raise ConfigError("webleads privacy encrypt works on a SQLite store file; for PostgreSQL use "
                          "privacy.operations.encrypt_store (see docs/postgres.md)")
    if not path.exists():
        raise ConfigError(f"no store at {path} (run `webleads run` first)")
    if is_encrypted_file(path):
        raise ConfigError(f"store {path} is already encrypted (use `webleads privacy rotate-key` for a new key)")
    key_file = Path(args.key_file) if args.key_file else (conf.privacy.key_file if conf else None)
    keyring = None
    if key_file is None and os.environ.get(ENV_KEY):
        keyring = discover_keyring(path)  # the master key in the environment
    elif key_file is None and os.environ.get(ENV_KEY_FILE):
        key_file = Path(os.environ[ENV_KEY_FILE])
    # a plain store is opened without looking for a key, then encrypted in place
    with SQLiteStore(url, discover_key=False) as store:
        dest = encrypt_store(store, key_file=key_file, keyring=keyring)
        where = f"keys in {dest} (keep this file secret and backed up apart from the store)" if dest \
            else f"key from {ENV_KEY}"
        print(f"store encrypted; {where}")
    return 0


def _rotate(args: argparse.Namespace) -> int:
    from ..privacy.operations import rotate_store_key

    conf, store = _open(args)
    key_file = Path(args.key_file) if args.key_file else (conf.privacy.key_file if conf else None)
    with store:
        path, n = rotate_store_key(store, key_file=key_file, retire=args.retire)
        print(f"data key rotated in {path}; {n} values re-encrypted"
              + ("; older data keys retired" if args.retire else ""))
    return 0
