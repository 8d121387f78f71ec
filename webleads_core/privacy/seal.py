"""Sealing: the only way a contact becomes something a sink accepts.

The key is made once per process and never leaves this module's closure, so a
record built by hand (or by a plugin) carries a seal that does not verify.  This is
not cryptography against code running in the same interpreter (nothing is); it is a
guarantee that no path through the engine or the plugin API reaches a sink without
passing :func:`webleads_core.privacy.stage.publish_contact`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os

import attrs

from ..errors import PrivacyViolation
from ..records import Contact, SealedContact


def _make_sealer():  # the key lives only in these closures
    key = os.urandom(32)

    def digest(contact: Contact) -> bytes:
        payload = json.dumps(attrs.asdict(contact, recurse=True), sort_keys=True, default=str)
        return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).digest()

    def seal(contact: Contact) -> SealedContact:
        return SealedContact(contact=contact, seal=digest(contact))

    def verify(record: object) -> bool:
        if not isinstance(record, SealedContact) or not isinstance(record.seal, bytes):
            return False
        return hmac.compare_digest(record.seal, digest(record.contact))

    return seal, verify


_seal, verify = _make_sealer()


def require_sealed(record: object) -> SealedContact:
    """Raise :class:`PrivacyViolation` unless the record carries a valid seal."""
    if not verify(record):
        raise PrivacyViolation("refused a record that was not sealed by the privacy stage")
    return record  # type: ignore[return-value]
