"""The opt-out check: identifiers are kept only as keyed HMAC-SHA256 digests.

The key lives outside the store (a key file created with mode 0600 next to it, or
``WEBLEADS_SECRET``), so a copy of the store alone cannot be used to test whether
someone opted out.  Emails are normalised (NFKC, lower case, IDNA domain, plus-tag
folded) so every variant of an address matches one digest.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata
from pathlib import Path
from typing import Iterable

from ..errors import ConfigError

SECRET_ENV = "WEBLEADS_SECRET"
KEY_VERSION = "v1"


def load_or_create_key(path: Path | None) -> bytes:
    """The HMAC key: ``WEBLEADS_SECRET`` (hex), else the key file (created 0600 if missing),
    else a process-local random key (in-memory stores have nothing to remember)."""
    env = os.environ.get(SECRET_ENV)
    if env:
        try:
            return bytes.fromhex(env.strip())
        except ValueError:
            raise ConfigError(f"{SECRET_ENV} must be hex") from None
    if path is None:
        return os.urandom(32)
    if path.exists():
        text = path.read_text(encoding="ascii", errors="replace").strip()
        version, _, hexkey = text.partition(":")
        try:
            return bytes.fromhex(hexkey)
        except ValueError:
            raise ConfigError(f"{path}: not a webleads key file") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    key = os.urandom(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(f"{KEY_VERSION}:{key.hex()}\n")
    return key


def load_key(path: Path | None) -> bytes | None:
    """The HMAC key if it exists (``WEBLEADS_SECRET``, else the key file), never creating one."""
    if os.environ.get(SECRET_ENV) or (path is not None and path.exists()):
        return load_or_create_key(path)
    return None


def pseudonym(key: bytes, identifier: str) -> str:
    """The pseudonymous key of an identifier for requests and the audit log: the first
    16 hex digits of its suppression digest (keyed, so it cannot be tested without the key)."""
    forms = identifier_forms(identifier)
    form = forms[0] if forms else "raw:" + unicodedata.normalize("NFKC", identifier).strip().lower()
    return hmac.new(key, form.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:16]


def identifier_forms(identifier: str) -> list[str]:
    """The canonical forms an identifier is suppressed under.

    ``jane.doe+news@Example.ORG`` -> ``email:jane.doe@example.org``;
    ``@example.org`` or ``example.org`` -> ``domain:example.org``; ``+33 1 44 55 66 77``
    -> ``phone:+33144556677``.
    """
    s = unicodedata.normalize("NFKC", identifier).strip()
    if not s:
        return []
    if "@" in s and not s.startswith("@"):
        local, _, domain = s.rpartition("@")
        local = local.lower().split("+", 1)[0]
        d = _idna(domain)
        return [f"email:{local}@{d}"] if local and d else []
    if s.startswith("@"):
        d = _idna(s[1:])
        return [f"domain:{d}"] if d else []
    digits = "".join(ch for ch in s if ch.isdigit())
    if s.startswith("+") and 6 <= len(digits) <= 15:
        return [f"phone:+{digits}"]
    if "." in s and not any(ch.isspace() for ch in s) and not digits == s.replace(".", ""):
        d = _idna(s)
        return [f"domain:{d}"] if d else []
    if 6 <= len(digits) <= 15:
        try:
            import phonenumbers

            num = phonenumbers.parse(s, None)
            return [f"phone:{phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)}"]
        except Exception:
            return []
    return []


def _idna(domain: str) -> str:
    d = domain.strip().strip(".").lower()
    try:
        return d.encode("idna").decode("ascii")
    except UnicodeError:
        return d


class Suppressor:
    """Answers "is this identifier opted out?" from a set of digests."""

    def __init__(self, key: bytes, digests: Iterable[str] = ()) -> None:
        self._key = key
        self._digests = set(digests)

    def digest(self, form: str) -> str:
        return hmac.new(self._key, form.encode("utf-8"), hashlib.sha256).hexdigest()

    def add(self, identifier: str) -> list[str]:
        out = [self.digest(f) for f in identifier_forms(identifier)]
        self._digests.update(out)
        return out

    def __len__(self) -> int:
        return len(self._digests)

    def blocks_email(self, email: str) -> bool:
        if not self._digests:
            return False
        forms = identifier_forms(email)
        if forms:
            forms.append("domain:" + forms[0].rpartition("@")[2])
        return any(self.digest(f) in self._digests for f in forms)

    def blocks_phone(self, e164: str) -> bool:
        if not self._digests:
            return False
        return any(self.digest(f) in self._digests for f in identifier_forms(e164))
