"""The write lock on PostgreSQL (store/db.py): shared writes (member creates) run side by side unless
they lock a key in common, whatever order they name their keys in, and a write alone waits for them;
one process's group commit runs batches of them side by side."""

import asyncio
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.orm import Session

from elbd.config import database_url_of
from elbd.store.db import Database, lock_key
from elbd.store.group_commit import GroupCommit
from tests import postgres

pytestmark = pytest.mark.skipif(not postgres.ON_POSTGRES, reason="the write lock's modes are PostgreSQL's: run with ELBD_TEST_DATABASE=postgresql")

HOLD_S = 2.0  # how long the first write keeps its locks: far longer than the second needs to take free ones
A, B, C = lock_key("test", "a"), lock_key("test", "b"), lock_key("test", "c")


@pytest.fixture
def db(postgres_database: str | None) -> Iterator[Database]:
    assert postgres_database is not None
    database = Database(database_url_of(postgres_database))
    yield database
    database.dispose()


def second_waited(db: Database, first_keys: list[int], second_shared: bool, second_keys: list[int]) -> bool:
    """Whether a second write, begun while a shared first one holds `first_keys`, got its locks only
    once the first was about to end."""
    held = threading.Event()
    ending: list[float] = []

    def first() -> None:
        with db.write(shared=True) as session:
            db.lock(session, first_keys)
            held.set()
            time.sleep(HOLD_S)
            ending.append(time.monotonic())

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert held.wait(10)
        with db.write(shared=second_shared) as session:
            db.lock(session, second_keys)
            got = time.monotonic()
    finally:
        thread.join(10)
    return got >= ending[0]


def test_shared_writes_of_different_keys_run_side_by_side(db: Database) -> None:
    assert not second_waited(db, [A, B], True, [C])


def test_shared_writes_with_a_key_in_common_take_turns_whatever_order_they_name_them(db: Database) -> None:
    assert second_waited(db, [A, B], True, [C, B, A])


def test_a_write_alone_waits_for_the_shared_ones(db: Database) -> None:
    assert second_waited(db, [A], False, [])


def test_a_write_on_a_connection_the_server_dropped_starts_over_on_a_new_one(db: Database, postgres_database: str) -> None:
    """The writer's pool pings no connection it hands out: the write lock's statement finds a dropped one."""
    with db.write() as session:
        dropped = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    with psycopg.connect(postgres_database, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (dropped,))
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (dropped,)).fetchone() is not None:
            assert time.monotonic() < deadline, "the terminated backend did not end within 10 s"
            time.sleep(0.05)
    with db.write() as session:
        assert session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one() != dropped


def test_a_process_commits_a_batch_of_shared_writes_while_another_of_its_batches_still_runs(db: Database) -> None:
    """Its group commit has more than one writer on PostgreSQL: a batch waiting (here, on its work; in
    use, on its commit's WAL flush) does not hold up the next one."""
    writer = GroupCommit(db)
    released = threading.Event()

    def held(_session: Session) -> str:
        assert released.wait(HOLD_S * 5)
        return "held"

    async def scenario() -> tuple[str, bool, str]:
        first = asyncio.ensure_future(writer.run(held, lambda _session: [A]))
        await asyncio.sleep(0.2)  # the first batch is under way
        second = await asyncio.wait_for(writer.run(lambda _session: "second", lambda _session: [B]), HOLD_S)
        first_done = first.done()
        released.set()
        return second, first_done, await first

    try:
        assert asyncio.run(scenario()) == ("second", False, "held")
    finally:
        released.set()
        writer.stop()
