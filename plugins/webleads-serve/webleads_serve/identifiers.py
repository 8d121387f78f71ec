"""What a person may type into the portal: one email address or one phone number.

Checked strictly *before* anything is sent or stored: no control characters (so no
``a@b.c\\r\\nBcc: x@y.z``), one address, an ASCII local part (no SMTPUTF8), a domain
that IDNA-encodes, at most 254 characters.  Each refusal is an
:class:`webleads_core.ItemRejected` with a reason code, never with the value.
"""

from __future__ import annotations

import re

import attrs

from webleads_core import ItemRejected
from webleads_core.privacy.suppress import identifier_forms

MAX_LEN = 254
_CTRL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_LOCAL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


@attrs.frozen
class Identifier:
    """A checked identifier.

    Attributes:
        kind: ``email`` or ``phone``.
        value: as the person gave it, trimmed (the address the code goes to).
        address: for an email, the deliverable form (IDNA domain).
        canonical: the form the privacy operations suppress (``email:...``, ``phone:+...``).
    """

    kind: str
    value: str = attrs.field(repr=False)
    address: str = attrs.field(repr=False, default="")
    canonical: str = attrs.field(repr=False, default="")


def check_identifier(raw: str) -> Identifier:
    """Parse what the person typed, or raise ``ItemRejected`` (stage ``portal``)."""
    if not isinstance(raw, str) or not raw.strip():
        raise ItemRejected("identifier.empty", stage="portal")
    if len(raw) > MAX_LEN:
        raise ItemRejected("identifier.too_long", stage="portal")
    if _CTRL.search(raw):
        raise ItemRejected("identifier.control_characters", stage="portal")
    value = raw.strip()
    if "@" in value:
        local, _, domain = value.rpartition("@")
        if not _LOCAL.match(local) or ".." in local or local.startswith(".") or local.endswith("."):
            raise ItemRejected("identifier.bad_email", stage="portal")
        try:
            ascii_domain = domain.strip(".").encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise ItemRejected("identifier.bad_email", stage="portal") from None
        if not _DOMAIN.match(ascii_domain):
            raise ItemRejected("identifier.bad_email", stage="portal")
        forms = identifier_forms(value)
        if not forms or not forms[0].startswith("email:"):
            raise ItemRejected("identifier.bad_email", stage="portal")
        return Identifier("email", value, f"{local}@{ascii_domain}", forms[0])
    if not value.startswith("+") or len(value) > 32 or not re.fullmatch(r"\+[0-9 ().-]{6,31}", value):
        raise ItemRejected("identifier.bad_phone", stage="portal")
    forms = identifier_forms(value)
    if not forms or not forms[0].startswith("phone:"):
        raise ItemRejected("identifier.bad_phone", stage="portal")
    return Identifier("phone", value, "", forms[0])
