"""Opening elbd's state, as every entry point does: the private data directory, the key that seals
secret keys (store/secret_box.py), and the migrated database, checked to open with that key."""

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from elbd.private_paths import (
    UnsafePathError,
    private_directory,
    private_file,
    restrict_if_present,
)
from elbd.store.db import Database
from elbd.store.durability import synchronous_mode
from elbd.store.migrate import upgrade
from elbd.store.models import AccessKey
from elbd.store.refusal import StateUnusable
from elbd.store.secret_box import (
    KEY_FILE_NAME,
    SealedSecretError,
    SecretBox,
    SecretKeyFileError,
    load_or_create_key_file,
)

SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class State:
    db: Database
    secret_box: SecretBox


def open_state(data_dir: Path, database_url: str, synchronous: str | None = None) -> State:
    """`synchronous` is an ELBD_SQLITE_SYNCHRONOUS setting (None: FULL); one it does not name is refused
    (StoreRefused) before anything is touched."""
    mode = synchronous_mode(synchronous)
    key_file = data_dir / KEY_FILE_NAME
    try:
        private_directory(data_dir)
        _restrict_sqlite_files(database_url)
        secret_box, created = load_or_create_key_file(key_file)
    except (UnsafePathError, SecretKeyFileError) as error:
        raise StateUnusable(str(error)) from None
    except OSError as error:
        raise StateUnusable(f"{error.filename}: {error.strerror}") from None
    upgrade(database_url, secret_box)
    db = Database(database_url, synchronous=mode)
    try:
        _check_sealed_secrets_open(db, secret_box)
    except SealedSecretError:
        db.dispose()
        if created:
            key_file.unlink()
            raise StateUnusable(
                f"{key_file} is missing, and the database holds secret keys sealed with it: restore it from a backup of this data directory."
            ) from None
        raise StateUnusable(f"{key_file} is not the key this database's secret keys were sealed with: restore the one that belongs to it.") from None
    return State(db, secret_box)


def _restrict_sqlite_files(database_url: str) -> None:
    """The database file exists, mode 0600, before SQLite opens it: SQLite gives its -wal, -shm and
    -journal files the database file's mode."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    database_file = Path(url.database)
    private_file(database_file)
    for suffix in SQLITE_COMPANIONS:
        restrict_if_present(database_file.with_name(database_file.name + suffix))


def _check_sealed_secrets_open(db: Database, secret_box: SecretBox) -> None:
    with db.read() as session:
        key = session.scalars(select(AccessKey).limit(1)).first()
    if key is not None:
        secret_box.open(key.secret_key_sealed, bound_to=key.access_key)
