"""`elbd db backup` and `elbd db restore`, for the SQLite database.

A backup is SQLite's online backup of the database, after a full integrity check: one consistent
snapshot, taken while `elbd serve` keeps writing, written as one self-contained file (rollback-journal
mode, nothing beside it), mode 0600. It holds the database only: the data directory's secret.key, which seals the
AK/SK secret keys stored in the database, is not in it (a leaked backup alone opens no secret key);
keep a copy of secret.key apart from the backups. A restore replaces the database with a checked copy
of the backup by one rename, only while no `elbd serve` uses the data directory.
"""

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from elbd.store.db import SQLITE_BUSY_TIMEOUT_MS
from elbd.store.fsync import fsync_path
from elbd.store.preflight import AT_START, Advice, database_name, require_usable
from elbd.store.refusal import StoreRefused
from elbd.store.serving_lock import replacing

SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
BACKUP_FILE_ADVICE = Advice(
    damaged="choose another backup",
    foreign="choose a file written by `elbd db backup`",
    newer="restore it with the newer elbd that made it",
)


@dataclass(frozen=True)
class Copied:
    path: Path
    schema_revision: str
    size: int


def backup(database_url: str, target: Path) -> Copied:
    source = _sqlite_file(database_url)
    if not source.is_file():
        raise StoreRefused(f"there is no database at {source}; check --data-dir.")
    if target.resolve() == source.resolve():
        raise StoreRefused(f"{target} is the database itself; name another file for the backup.")
    revision = require_usable(database_url, AT_START, thorough=True)
    if revision is None:
        raise StoreRefused(f"the database {source} is empty; there is nothing to back up.")
    return _copy_into_place(source, target, revision)


def restore(database_url: str, backup_file: Path, data_dir: Path) -> Copied:
    target = _sqlite_file(database_url)
    if not backup_file.is_file():
        raise StoreRefused(f"there is no backup file {backup_file}.")
    with replacing(data_dir):
        revision = require_usable(f"sqlite:///{backup_file.resolve()}", BACKUP_FILE_ADVICE, thorough=True)
        if revision is None:
            raise StoreRefused(f"{backup_file} is an empty database, not an elbd backup; choose a file written by `elbd db backup`.")
        return _copy_into_place(backup_file, target, revision)


def _sqlite_file(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise StoreRefused(
            f"the database is {url.get_backend_name()} ({database_name(database_url)}): back it up with pg_dump and "
            "restore it with pg_restore; `elbd db backup` and `restore` handle SQLite only."
        )
    if url.database in (None, "", ":memory:"):
        raise StoreRefused("the database lives in memory; there is no file to back up or restore.")
    return Path(url.database)


def _copy_into_place(source: Path, target: Path, revision: str) -> Copied:
    """Copy to a private file beside `target`, make it durable, then rename it over `target`."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        _online_copy(source, partial)
        fsync_path(partial)
        # A -wal or -journal left beside `target` would be replayed into the new file and corrupt it.
        for suffix in SQLITE_COMPANIONS:
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        os.replace(partial, target)
        fsync_path(target.parent)
    except OSError as error:
        raise StoreRefused(f"{error.filename or target}: {error.strerror}.") from None
    except sqlite3.Error as error:
        raise StoreRefused(f"copying {source} failed ({error}); nothing was replaced.") from None
    finally:
        partial.unlink(missing_ok=True)
    return Copied(target.resolve(), revision, target.stat().st_size)


def _online_copy(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)) as reading, closing(sqlite3.connect(target)) as writing:
        reading.backup(writing)
        writing.execute("PRAGMA journal_mode=DELETE")
