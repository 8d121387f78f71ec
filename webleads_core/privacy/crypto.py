"""Encryption at rest of the store's personal columns (AES-256-GCM) and blind indexes.

Why per value and not the whole file: SQLite has no built-in file encryption, and a
value-level scheme keeps the store an ordinary SQLite file that any tool can open,
while every personal value in it (evidence values, item ids, owners, a subject's own
corrections) is ciphertext.  Lookups (find by email or phone, the opt-out's domain
and plus-tag variants, identity resolution) go through *blind indexes*: keyed
HMAC-SHA256 of the normalised identifier, so equal values still meet without being
readable.

Keys live outside the store, in a *keyring*:

- ``WEBLEADS_STORE_KEY``: one master key (64 hex digits or base64 of 32 bytes); the
  index key and data key are derived from it with HKDF-SHA256;
- or a keyring file (``WEBLEADS_STORE_KEY_FILE``, ``[privacy] key_file`` or, by default,
  ``<store>.keys`` next to the store), created 0600 by ``webleads privacy encrypt``::

      index:<64 hex>
      data:1:<64 hex>
      data:2:<64 hex>      <- the newest data key encrypts; older ones still decrypt

Each ciphertext is ``0x01 | key id (4 bytes) | nonce (12) | AES-GCM(value) + tag``, with
the table, column and row bound in as associated data, so a value moved to another row
or column fails its integrity check.  Rotation (``webleads privacy rotate-key``) adds a
data key and re-encrypts every value; the index key is never rotated (the identity
index would have to be rebuilt).

The ``cryptography`` package is needed only for encrypted stores (the core's
``encryption`` extra).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from pathlib import Path
from typing import Mapping

import attrs

from ..errors import ConfigError, StoreError

ENV_KEY = "WEBLEADS_STORE_KEY"
ENV_KEY_FILE = "WEBLEADS_STORE_KEY_FILE"
FORMAT = 1
KEY_BYTES = 32
_HEADER = (
    "# webleads store keyring: the blind-index key and the AES-256-GCM data keys.\n"
    "# Keep it secret and back it up apart from the store: without it the store cannot be read.\n"
)

__all__ = ["ENV_KEY", "ENV_KEY_FILE", "FieldCipher", "Keyring", "discover_keyring", "generate_keyring",
           "keyring_from_master", "read_keyring", "write_keyring"]


def _fingerprint(key: bytes) -> bytes:
    return hashlib.sha256(b"webleads-key-id\0" + key).digest()[:4]


@attrs.frozen
class Keyring:
    """The keys of one encrypted store.

    Attributes:
        index_key: the blind-index (HMAC) key; never rotated.
        data_keys: ``(version, key)`` pairs, ascending; the last one encrypts.
        origin: where the keys came from (``env`` or a file path), for messages; no key material.
    """

    index_key: bytes = attrs.field(repr=False)
    data_keys: tuple[tuple[int, bytes], ...] = attrs.field(repr=False)
    origin: str = ""

    def __attrs_post_init__(self) -> None:
        if len(self.index_key) != KEY_BYTES or not self.data_keys:
            raise ConfigError("a store keyring needs a 32-byte index key and at least one data key")
        if any(len(k) != KEY_BYTES for _, k in self.data_keys):
            raise ConfigError("store data keys must be 32 bytes")

    @property
    def current(self) -> tuple[int, bytes]:
        return self.data_keys[-1]

    def with_new_data_key(self) -> Keyring:
        """A keyring with one more data key (the next version), for rotation."""
        version = self.current[0] + 1
        return attrs.evolve(self, data_keys=self.data_keys + ((version, os.urandom(KEY_BYTES)),))

    def retire_old(self) -> Keyring:
        """Only the newest data key (after every value was re-encrypted with it)."""
        return attrs.evolve(self, data_keys=(self.current,))


def generate_keyring(origin: str = "") -> Keyring:
    return Keyring(index_key=os.urandom(KEY_BYTES), data_keys=((1, os.urandom(KEY_BYTES)),), origin=origin)


def _hkdf(master: bytes, info: bytes) -> bytes:
    # RFC 5869 with SHA-256, one block: enough for a 32-byte key
    prk = hmac.new(b"webleads-store-v1", master, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def keyring_from_master(master: bytes, origin: str = "env") -> Keyring:
    """Index and data keys derived from one master key (the environment-variable form)."""
    if len(master) < KEY_BYTES:
        raise ConfigError(f"{ENV_KEY} must hold at least 32 bytes (64 hex digits or base64)")
    return Keyring(index_key=_hkdf(master, b"index"), data_keys=((1, _hkdf(master, b"data")),), origin=origin)


def parse_master(text: str) -> bytes:
    s = text.strip()
    try:
        if len(s) >= 64 and all(c in "0123456789abcdefABCDEF" for c in s):
            return bytes.fromhex(s)
        return base64.b64decode(s.replace("-", "+").replace("_", "/") + "=" * (-len(s) % 4), validate=True)
    except (ValueError, binascii.Error):
        raise ConfigError(f"{ENV_KEY} must be 64 hex digits or base64 of 32 bytes") from None


def read_keyring(path: Path) -> Keyring:
    """Read a keyring file; :class:`ConfigError` (one line, no key material) when it is not one."""
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise ConfigError(f"store key file not found: {path}") from None
    except (UnicodeDecodeError, OSError):
        raise ConfigError(f"{path}: not a webleads store key file") from None
    index: bytes | None = None
    data: dict[int, bytes] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(":")
        try:
            if parts[0] == "index" and len(parts) == 2:
                index = bytes.fromhex(parts[1])
            elif parts[0] == "data" and len(parts) == 3:
                data[int(parts[1])] = bytes.fromhex(parts[2])
            else:
                raise ValueError
        except ValueError:
            raise ConfigError(f"{path}: line {n} is not a webleads key line") from None
    if index is None or not data:
        raise ConfigError(f"{path}: not a webleads store key file (needs an index key and a data key)")
    return Keyring(index_key=index, data_keys=tuple(sorted(data.items())), origin=str(path))


def write_keyring(path: Path, ring: Keyring) -> None:
    """Write a keyring file atomically, readable by its owner only."""
    lines = [_HEADER, f"index:{ring.index_key.hex()}\n"]
    lines += [f"data:{v}:{k.hex()}\n" for v, k in ring.data_keys]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write("".join(lines))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise


def default_key_file(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".keys")


def discover_keyring(store_path: Path | None, key_file: Path | None = None,
                     environ: Mapping[str, str] | None = None) -> Keyring | None:
    """The keyring for a store: an explicit file, then ``WEBLEADS_STORE_KEY``, then
    ``WEBLEADS_STORE_KEY_FILE``, then ``<store>.keys`` when it exists; else None."""
    env = os.environ if environ is None else environ
    if key_file is not None:
        return read_keyring(key_file)
    if env.get(ENV_KEY):
        return keyring_from_master(parse_master(env[ENV_KEY]))
    if env.get(ENV_KEY_FILE):
        return read_keyring(Path(env[ENV_KEY_FILE]))
    if store_path is not None:
        default = default_key_file(store_path)
        if default.exists():
            return read_keyring(default)
    return None


def _aesgcm():
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError:
        raise StoreError("this store is encrypted: install the encryption extra "
                         "(pip install 'webleads-core[encryption]')") from None
    return AESGCM


class FieldCipher:
    """Encrypts and decrypts single values, and computes blind indexes.

    Never logs or puts a value into an exception message: a failed decryption says
    only that the integrity check failed.
    """

    def __init__(self, ring: Keyring) -> None:
        aesgcm = _aesgcm()
        self.ring = ring
        self._index_key = ring.index_key
        self._by_id = {_fingerprint(k): (v, aesgcm(k)) for v, k in ring.data_keys}
        version, key = ring.current
        self._current_id = _fingerprint(key)
        self._current = aesgcm(key)

    def __repr__(self) -> str:
        return f"FieldCipher(keys={len(self._by_id)}, origin={self.ring.origin!r})"

    @property
    def current_version(self) -> int:
        return self.ring.current[0]

    def encrypt(self, text: str, aad: str) -> bytes:
        nonce = os.urandom(12)
        ct = self._current.encrypt(nonce, text.encode("utf-8", "surrogatepass"), aad.encode("utf-8"))
        return bytes([FORMAT]) + self._current_id + nonce + ct

    def decrypt(self, blob: bytes | str | None, aad: str) -> str | None:
        if blob is None:
            return None
        if not isinstance(blob, (bytes, bytearray)) or len(blob) < 1 + 4 + 12 + 16 or blob[0] != FORMAT:
            raise StoreError("the store holds an unencrypted or malformed value in an encrypted column")
        entry = self._by_id.get(bytes(blob[1:5]))
        if entry is None:
            raise StoreError("a value of the store was encrypted with a key that is not in the keyring")
        try:
            data = entry[1].decrypt(bytes(blob[5:17]), bytes(blob[17:]), aad.encode("utf-8"))
        except Exception:
            raise StoreError("a value of the store failed its integrity check (tampered, or the wrong key)") from None
        return data.decode("utf-8", "surrogatepass")

    def key_version(self, blob: bytes) -> int | None:
        entry = self._by_id.get(bytes(blob[1:5])) if isinstance(blob, (bytes, bytearray)) else None
        return entry[0] if entry else None

    def index(self, form: str) -> str:
        """The blind index of a normalised identifier (``email:jane@x.example``)."""
        return "h:" + hmac.new(self._index_key, form.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:40]

    def digest(self, data: str) -> str:
        """A keyed digest for row ids (so ids cannot be tested against guesses)."""
        return hmac.new(self._index_key, b"id\0" + data.encode("utf-8", "surrogatepass"),
                        hashlib.sha256).hexdigest()[:32]
