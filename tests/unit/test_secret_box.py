"""Sealing secret keys (AES-256-GCM bound to the access key) and the key file that holds the key."""

import os
import stat
from pathlib import Path

import pytest

from elbd.store.secret_box import (
    KEY_BYTES,
    SealedSecretError,
    SecretBox,
    SecretKeyFileError,
    certificate_binding,
    create_key_file,
    load_key_file,
    load_or_create_key_file,
)

SECRET = "Zq3v0sG8hT1xYcW4bN7mK2pL9dF6aR5eJ0uI8oP1"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_sealed_secret_opens_to_itself_and_does_not_show_it() -> None:
    box = SecretBox(os.urandom(KEY_BYTES))
    sealed = box.seal(SECRET, bound_to="AK1")
    assert SECRET not in sealed
    assert box.open(sealed, bound_to="AK1") == SECRET
    assert box.seal(SECRET, bound_to="AK1") != sealed


@pytest.mark.parametrize("case", ["another key", "another access key", "altered", "not sealed"])
def test_a_sealed_secret_opens_only_with_its_key_and_access_key_unaltered(case: str) -> None:
    box = SecretBox(os.urandom(KEY_BYTES))
    sealed = box.seal(SECRET, bound_to="AK1")
    attempts = {
        "another key": lambda: SecretBox(os.urandom(KEY_BYTES)).open(sealed, bound_to="AK1"),
        "another access key": lambda: box.open(sealed, bound_to="AK2"),
        "altered": lambda: box.open(sealed[:-2] + ("AA" if not sealed.endswith("AA") else "BB"), bound_to="AK1"),
        "not sealed": lambda: box.open(SECRET, bound_to="AK1"),
    }
    with pytest.raises(SealedSecretError) as raised:
        attempts[case]()
    assert SECRET not in str(raised.value)


def test_a_certificate_key_and_a_secret_key_never_open_as_each_other() -> None:
    """Access keys stay bound to themselves; certificates to a binding no access key can spell."""
    box = SecretBox(os.urandom(KEY_BYTES))
    certificate_id = "0123456789abcdef0123456789abcdef"
    sealed_for_certificate = box.seal(SECRET, bound_to=certificate_binding(certificate_id))
    assert box.open(sealed_for_certificate, bound_to=certificate_binding(certificate_id)) == SECRET
    for wrong in (certificate_id, certificate_binding("fedcba9876543210fedcba9876543210")):
        with pytest.raises(SealedSecretError):
            box.open(sealed_for_certificate, bound_to=wrong)
    sealed_for_access_key = box.seal(SECRET, bound_to=certificate_id.upper()[:20])
    with pytest.raises(SealedSecretError):
        box.open(sealed_for_access_key, bound_to=certificate_binding(certificate_id.upper()[:20]))


def test_the_box_does_not_show_its_key() -> None:
    key = os.urandom(KEY_BYTES)
    box = SecretBox(key)
    assert key.hex() not in repr(box) and not hasattr(box, "__dict__")


def test_the_key_file_is_created_0600_whatever_the_umask(tmp_path: Path, permissive_umask: None) -> None:
    path = tmp_path / "secret.key"
    box = create_key_file(path)
    assert mode(path) == 0o600
    assert [entry.name for entry in tmp_path.iterdir()] == ["secret.key"]
    assert load_key_file(path).open(box.seal(SECRET, bound_to="AK1"), bound_to="AK1") == SECRET


def test_an_existing_key_file_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    create_key_file(path)
    before = path.read_bytes()
    with pytest.raises(FileExistsError):
        create_key_file(path)
    assert path.read_bytes() == before
    assert [entry.name for entry in tmp_path.iterdir()] == ["secret.key"]


def test_load_or_create_creates_once_then_loads_the_same_key(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    first, created = load_or_create_key_file(path)
    second, created_again = load_or_create_key_file(path)
    assert (created, created_again) == (True, False)
    assert second.open(first.seal(SECRET, bound_to="AK1"), bound_to="AK1") == SECRET


@pytest.mark.parametrize("file_mode", [0o640, 0o604, 0o644])
def test_a_key_file_others_can_read_is_refused(tmp_path: Path, file_mode: int) -> None:
    path = tmp_path / "secret.key"
    create_key_file(path)
    path.chmod(file_mode)
    with pytest.raises(SecretKeyFileError, match="chmod 600"):
        load_key_file(path)


@pytest.mark.parametrize("content", [b"", b"c2hvcnQ=\n", b"not base64 at all!\n", bytes(range(256))])
def test_a_malformed_key_file_is_refused_clearly(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "secret.key"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(SecretKeyFileError, match="secret.key"):
        load_key_file(path)
