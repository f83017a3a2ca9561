"""Secrets at rest: sealed with AES-256-GCM under a key kept in `<data dir>/secret.key` (mode 0600).

AK/SK verification needs each secret key in clear, and the data plane each certificate's private key,
so secrets are sealed (reversible, authenticated), not hashed. A sealed secret is bound to the row it
belongs to (GCM associated data): a secret key to its access key, a private key to
`certificate_binding(its certificate id)`. Copied onto another row, of either kind, it does not open."""

import base64
import os
import secrets
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from elbd.store.fsync import fsync_path

KEY_FILE_NAME = "secret.key"
KEY_BYTES = 32
NONCE_BYTES = 12
SEALED_PREFIX = "v1:"
CERTIFICATE_BINDING_PREFIX = "certificate:"  # never in an access key (20 upper-case letters and digits)


class SecretKeyFileError(Exception):
    """The key file cannot be used: malformed, or readable by other users."""


class SealedSecretError(Exception):
    """A sealed value does not open under this key: sealed under another key, or altered."""


class SecretBox:
    """Seals and opens secrets under one key; the key itself is never exposed (no attribute, no repr)."""

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise SecretKeyFileError(f"a secret key must be {KEY_BYTES} bytes, not {len(key)}")
        self._aead = AESGCM(key)

    def seal(self, secret: str, *, bound_to: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, secret.encode(), bound_to.encode())
        return SEALED_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, sealed: str, *, bound_to: str) -> str:
        try:
            if not sealed.startswith(SEALED_PREFIX):
                raise ValueError("not sealed")
            raw = base64.urlsafe_b64decode(sealed.removeprefix(SEALED_PREFIX))
            return self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], bound_to.encode()).decode()
        except (ValueError, InvalidTag):
            raise SealedSecretError(f"the sealed secret of {bound_to} does not open with this key") from None


def certificate_binding(certificate_id: str) -> str:
    """What a certificate's private key is sealed bound to. Access keys stay bound to themselves, as
    they always were; the prefix keeps the two kinds apart, so no sealed value opens as the other kind."""
    return CERTIFICATE_BINDING_PREFIX + certificate_id


def load_key_file(path: Path) -> SecretBox:
    """The key in `path`; refused when other users can read the file (the key may have leaked)."""
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise SecretKeyFileError(
            f"{path} is readable by other users; make it mode 0600 (chmod 600), after checking who could have read it."
        )
    try:
        encoded = path.read_bytes()
    except PermissionError as error:
        raise SecretKeyFileError(f"{path} cannot be read: {error.strerror}.") from None
    try:
        key = base64.urlsafe_b64decode(encoded.strip())
    except ValueError:
        raise SecretKeyFileError(f"{path} does not hold a base64 key.") from None
    try:
        return SecretBox(key)
    except SecretKeyFileError as error:
        raise SecretKeyFileError(f"{path} is malformed: {error}.") from None


def create_key_file(path: Path) -> SecretBox:
    """A new random key in `path`, mode 0600 from the first byte. Written aside and linked into place, so
    `path` never exists half-written, and of two processes creating it at once one gets FileExistsError."""
    key = secrets.token_bytes(KEY_BYTES)
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(base64.urlsafe_b64encode(key).decode() + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.link(aside, path)
    finally:
        aside.unlink(missing_ok=True)
    fsync_path(path.parent)
    return SecretBox(key)


def load_or_create_key_file(path: Path) -> tuple[SecretBox, bool]:
    """The key in `path`, created when missing; the flag says whether this call created it."""
    try:
        return load_key_file(path), False
    except FileNotFoundError:
        pass
    try:
        return create_key_file(path), True
    except FileExistsError:
        return load_key_file(path), False
