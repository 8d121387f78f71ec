"""Privacy operations on a store: the opt-out, retention purge, encryption and key rotation,
and re-publishing the exports after something was removed.

The subject requests (access, erasure, rectification, restriction) are in
:mod:`webleads_core.privacy.requests`; every operation here is audited with
pseudonymous keys only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..store import SQLiteStore
from .crypto import Keyring, generate_keyring, read_keyring, write_keyring
from .requests import close, open_request
from .suppress import KEY_VERSION, Suppressor, identifier_forms, pseudonym

__all__ = ["encrypt_store", "optout", "purge_expired", "republish", "rotate_store_key"]


def optout(store: SQLiteStore, identifier: str, *, secret_file: Path | None = None,
           received_at: dt.datetime | None = None) -> int:
    """Suppress an email, phone or ``@domain`` and erase what is held about it.

    Only the HMAC digest is kept, so the person is never collected again and the
    store does not keep their identifier in clear.  The objection is recorded as a
    request (pseudonymously) and audited.  Returns the contacts erased.
    """
    forms = identifier_forms(identifier)
    if not forms:
        raise ConfigError("not an email address, phone number (+CC...) or @domain")
    key = store.secret_key(secret_file)
    subject = pseudonym(key, identifier)
    rid = open_request(store, "objection", subject, received_at)
    digests = Suppressor(key).add(identifier)
    store.add_suppressions(digests, KEY_VERSION)
    erased = store.erase(store.match(identifier))
    close(store, rid, "completed", {"erased": erased, "suppressed": len(digests)}, subject=subject)
    store.audit("privacy.optout", {"digest": digests[0][:16], "erased": erased, "request": rid})
    return erased


def purge_expired(store: SQLiteStore, *, now: dt.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Erase every contact past its retention date; returns what went (counts only)."""
    return store.purge_expired(now, dry_run=dry_run)


def encrypt_store(store: SQLiteStore, *, key_file: Path | None = None, keyring: Keyring | None = None) -> Path | None:
    """Encrypt a plain store in place.  Uses ``keyring`` when given, else the key file
    (``key_file``, default ``<store>.keys``), created 0600 when it does not exist.
    Returns the key file written or used (None for an explicit keyring)."""
    if store.encrypted:
        raise ConfigError("the store is already encrypted")
    dest = None
    if keyring is None:
        dest = key_file or store.store_key_path
        if dest is None:
            raise ConfigError("an in-memory store has nothing to encrypt")
        if dest.exists():
            keyring = read_keyring(dest)
        else:
            keyring = generate_keyring(str(dest))
            write_keyring(dest, keyring)
    store.encrypt_with(keyring)
    return dest


def rotate_store_key(store: SQLiteStore, *, key_file: Path | None = None, retire: bool = False) -> tuple[Path, int]:
    """Add a data key to the keyring file, re-encrypt every value with it, and (with
    ``retire``) drop the older data keys from the file afterwards.

    The new key is written before anything is re-encrypted, and re-encryption is one
    transaction: a crash leaves the old values with a keyring that still opens them.
    """
    if not store.encrypted or store.cipher is None:
        raise ConfigError("the store is not encrypted (run `webleads privacy encrypt` first)")
    origin = store.cipher.ring.origin
    path = key_file or (Path(origin) if origin and origin != "env" else None)
    if path is None:
        raise ConfigError("key rotation needs a key file (WEBLEADS_STORE_KEY_FILE or [privacy] key_file), "
                          "not the WEBLEADS_STORE_KEY variable")
    ring = read_keyring(path).with_new_data_key()
    write_keyring(path, ring)
    n = store.reencrypt(ring)
    if retire:
        write_keyring(path, ring.retire_old())
    return path, n


def republish(config: Any, store: SQLiteStore, *, pm: Any = None) -> int:
    """Write the configured sinks again from the store, so an erasure, restriction,
    correction or purge reaches the exports too.  Returns the contacts published."""
    if config is None or not getattr(config, "sinks", ()):
        return 0
    from ..engine.pipeline import build_pipeline
    from ..engine.run import make_policy, publish_to_sinks

    pipeline = build_pipeline(config, pm=pm, sources=())
    n = publish_to_sinks(pipeline, store, make_policy(pipeline, store))
    store.audit("privacy.republish", {"sinks": len(pipeline.sinks), "contacts": n})
    return n
