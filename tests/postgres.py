"""The suite on PostgreSQL: with ELBD_TEST_DATABASE=postgresql the session migrates a template database
and clones it: one database every test starts on emptied of rows (a few ms; a database cloned per
test cost 0.3 s), named by ELBD_DATABASE_URL for the test, its `elbd serve` processes included, and a
database per test module for what the module's shared fixtures start (an application with its
projects), which the tests' emptying must not reach. The session drops them at the end. The server
is ELBD_TEST_POSTGRES (default: the machines' local one)."""

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from elbd.config import database_url_of, load_settings
from elbd.store.migrate import upgrade

ON_POSTGRES = os.environ.get("ELBD_TEST_DATABASE", "sqlite") == "postgresql"
SERVER_URL = os.environ.get("ELBD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _url_of(database: str) -> str:
    return SERVER_URL.rsplit("/", 1)[0] + "/" + database


def terminate_backend(database_url: str, pid: int, timeout_s: float = 10.0) -> None:
    """End one server process as a server restart or an idle timeout would, and wait until it is gone."""
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + timeout_s
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone() is not None:
            assert time.monotonic() < deadline, f"the terminated backend did not end within {timeout_s:.0f} s"
            time.sleep(0.05)


def _admin(statement: str) -> None:
    with psycopg.connect(SERVER_URL, autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]  # names are elbd's own, never a user's


def unanswered() -> str | None:
    """Why the PostgreSQL server cannot be used, or None when it answers."""
    try:
        _admin("SELECT 1")
    except psycopg.Error as error:
        return f"PostgreSQL at {SERVER_URL} does not answer ({str(error).strip().splitlines()[0]})"
    return None


@contextmanager
def new_database() -> Iterator[str]:
    """A database of its own, without a table, dropped afterwards; answers its URL."""
    name = f"elbd_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _admin(f"CREATE DATABASE {name}")
    try:
        yield _url_of(name)
    finally:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def sqlite_only(why: str) -> pytest.MarkDecorator:
    """Skips a test on the PostgreSQL pass: what it checks is SQLite's alone (its file, its single
    writer, its settings)."""
    return pytest.mark.skipif(ON_POSTGRES, reason=f"SQLite's alone: {why}")


TEMPLATE: list[str] = []  # the session's template database (tests/conftest.py: postgres_template), once made

_DATABASE_OF_DATA_DIR: dict[Path, str] = {}


def environment_for(data_dir: Path) -> dict[str, str]:
    """The environment of an elbd process (serve, the CLI) on `data_dir`: on PostgreSQL, its
    ELBD_DATABASE_URL is the one the data directory was first used with, whichever the caller names now.
    A data directory's secret.key seals one database's secrets, and a module's shared server runs on the
    module's database while each test names its own: the CLI run on that server's data directory inside
    a test must reach the server's database, not the test's. On SQLite (no ELBD_DATABASE_URL) the
    environment as it is."""
    environment = dict(os.environ)
    if (url := environment.get("ELBD_DATABASE_URL")) is not None:
        environment["ELBD_DATABASE_URL"] = _DATABASE_OF_DATA_DIR.setdefault(data_dir.absolute(), url)
    return environment


def database_url_for(data_dir: Path) -> str:
    """The SQLAlchemy URL of the database elbd on `data_dir` uses, on either store (for a test that
    changes a row behind elbd's back)."""
    return load_settings(data_dir).database_url if not ON_POSTGRES else database_url_of(environment_for(data_dir)["ELBD_DATABASE_URL"])


@contextmanager
def database_of_its_own() -> Iterator[None]:
    """On PostgreSQL, a clone of the session's template named by ELBD_DATABASE_URL in the block: for a
    second application a module starts beside its first (a database holds one data directory's sealed
    secrets). On SQLite, nothing: each data directory has its own database."""
    if not TEMPLATE:
        yield
        return
    with cloned_database(TEMPLATE[0]) as url, pytest.MonkeyPatch.context() as patch:
        patch.setenv("ELBD_DATABASE_URL", url)
        yield


@contextmanager
def cloned_database(template_url: str) -> Iterator[str]:
    """A copy of the database at `template_url` (to which nothing may be connected), dropped afterwards."""
    name = f"elbd_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _admin(f"CREATE DATABASE {name} TEMPLATE {template_url.rsplit('/', 1)[1]}")
    try:
        yield _url_of(name)
    finally:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def migrated_database() -> Iterator[str]:
    """A database at the newest schema, for the session; answers its URL."""
    with new_database() as url:
        upgrade(database_url_of(url))
        yield url


def emptied(url: str) -> str:
    """`url`'s database without a row (the schema's version kept), whatever the last test left; the
    foreign keys' triggers are off while it deletes (the session is the server's superuser)."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        tables = [row[0] for row in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")]
        with connection.transaction():
            connection.execute("SET LOCAL session_replication_role = replica")
            for table in tables:
                connection.execute(f'DELETE FROM "{table}"')  # type: ignore[arg-type]  # the schema's own names
    return url


def every_row(url: str) -> str:
    """Every row of every table of `url`'s database as PostgreSQL spells it in text (bytea in hex), one a
    line: what the database keeps, for a test that looks for what must not be kept."""
    with psycopg.connect(url) as connection:
        tables = [row[0] for row in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return "\n".join(row[0] for table in tables for row in connection.execute(f'SELECT t::text FROM "{table}" t'))  # type: ignore[arg-type]  # the schema's own names
