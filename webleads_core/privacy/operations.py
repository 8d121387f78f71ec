"""Privacy operations on a store (the opt-out; issue 9 adds the subject requests)."""

from __future__ import annotations

from ..errors import ConfigError
from ..store import SQLiteStore
from .suppress import KEY_VERSION, Suppressor, identifier_forms, load_or_create_key


def optout(store: SQLiteStore, identifier: str, *, secret_file=None) -> int:
    """Suppress an email, phone or ``@domain`` and erase what is held about it.

    Only the HMAC digest is kept, so the person is never collected again and the
    store does not keep their identifier in clear.  Returns the contacts erased.
    """
    forms = identifier_forms(identifier)
    if not forms:
        raise ConfigError("not an email address, phone number (+CC...) or @domain")
    suppressor = Suppressor(load_or_create_key(secret_file or store.key_path))
    digests = suppressor.add(identifier)
    store.add_suppressions(digests, KEY_VERSION)
    victims: set[int] = set()
    for form in forms:
        kind, _, value = form.partition(":")
        if kind == "domain":
            rows = store.conn.execute(
                "SELECT DISTINCT contact_id FROM evidence WHERE field='email' AND value LIKE ?",
                ("%@" + value,)).fetchall()
            victims.update(r[0] for r in rows)
        else:
            victims.update(store.find(value))
            if kind == "email":  # plus-tag variants of the same mailbox
                local, _, dom = value.partition("@")
                rows = store.conn.execute(
                    "SELECT DISTINCT contact_id FROM evidence WHERE field='email' AND value LIKE ?",
                    (f"{local}+%@{dom}",)).fetchall()
                victims.update(r[0] for r in rows)
    erased = store.erase(sorted(victims))
    store.audit("privacy.optout", {"digest": digests[0][:16], "erased": erased})
    return erased
