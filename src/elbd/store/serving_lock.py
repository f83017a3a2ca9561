"""Who is using a data directory: `elbd serve`, and any other command that writes the database, holds a
shared flock on DIR/serve.lock for as long as it runs, and a restore takes it exclusively (a write to the
database a restore is renaming away would be lost). The kernel drops a flock with its process, so a server
ended by kill -9 never leaves the directory looking busy."""

import fcntl
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from sqlalchemy.engine import make_url

from elbd.store.refusal import StoreRefused

LOCK_FILE_NAME = "serve.lock"


@contextmanager
def _flock(data_dir: Path, operation: int, refusal: str, lock_file: str = LOCK_FILE_NAME) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    # os.open makes a non-inheritable descriptor: HAProxy processes started by serve, which outlive it, never hold the lock.
    descriptor = os.open(data_dir / lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, operation | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreRefused(refusal) from None
        yield
    finally:
        os.close(descriptor)


def serving(data_dir: Path) -> AbstractContextManager[None]:
    """Held by `elbd serve` while it runs; several servers may share a directory."""
    return _flock(data_dir, fcntl.LOCK_SH, f"a restore is replacing the database of {data_dir}; start elbd serve once it is done.")


def writing(data_dir: Path) -> AbstractContextManager[None]:
    """Held by a command that writes the database once (`project create`, `quota set`)."""
    return _flock(data_dir, fcntl.LOCK_SH, f"a restore is replacing the database of {data_dir}; run the command again once it is done.")


def replacing(data_dir: Path) -> AbstractContextManager[None]:
    """Held while a restore replaces the database: only when nothing else uses the directory."""
    return _flock(
        data_dir, fcntl.LOCK_EX, f"elbd serve or another elbd command is using {data_dir}; stop it before restoring its database."
    )


def stopping(data_dir: Path) -> AbstractContextManager[None]:
    """Held while `elbd dataplane stop` stops the HAProxy processes: only when no `elbd serve` uses the
    directory, whose agent would start them again within seconds."""
    return _flock(
        data_dir, fcntl.LOCK_EX,
        f"elbd serve or another elbd command is using {data_dir}, and a running elbd serve starts again what it serves; "
        "stop elbd serve first (its HAProxy processes keep serving), then run elbd dataplane stop.",
    )


def only_server(database_url: str) -> AbstractContextManager[None]:
    """Held by `elbd serve` on a SQLite database, exclusively, beside the database file: SQLite is one
    process's store, so a second server on the same file (another data directory whose
    ELBD_DATABASE_URL names it, say) is refused; API replicas share a PostgreSQL database instead."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return nullcontext()
    database = Path(url.database).resolve()
    return _flock(
        database.parent, fcntl.LOCK_EX,
        f"elbd serve already serves the SQLite database {database}, and SQLite takes one server; "
        "several API replicas share a PostgreSQL database (ELBD_DATABASE_URL=postgresql://...).",
        lock_file=f"{database.name}.serve.lock",
    )
