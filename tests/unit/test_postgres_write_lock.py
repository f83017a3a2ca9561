"""The write lock on PostgreSQL (store/db.py): shared writes (member creates) run side by side unless
they lock a key in common, whatever order they name their keys in, and a write alone waits for them;
one process's group commit runs its next batch while the last one commits, and batches what arrives while
one runs."""

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import event
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
    postgres.terminate_backend(postgres_database, dropped)
    with db.write() as session:
        assert session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one() != dropped


def test_a_process_runs_its_next_batch_while_the_last_one_waits_for_its_commit(db: Database) -> None:
    """Its group commit has more than one writer on PostgreSQL: a batch whose commit waits (in use, for
    its WAL flush; here, held in the engine's commit event) does not hold up the next one."""
    writer = GroupCommit(db)
    committing = threading.Event()
    released = threading.Event()

    def hold_the_first_commit(_connection: object) -> None:
        if not committing.is_set():
            committing.set()
            assert released.wait(HOLD_S * 5)

    event.listen(db.writer, "commit", hold_the_first_commit)

    async def scenario() -> tuple[str, bool, str]:
        first = asyncio.ensure_future(writer.run(lambda _session: "first", lambda _session: [A]))
        assert await asyncio.to_thread(committing.wait, 10)
        second = await asyncio.wait_for(writer.run(lambda _session: "second", lambda _session: [B]), HOLD_S)
        first_done = first.done()
        released.set()
        return second, first_done, await first

    try:
        assert asyncio.run(scenario()) == ("second", False, "first")
    finally:
        released.set()
        writer.stop()


def test_writes_arriving_while_a_batch_runs_form_the_next_batch_not_one_each(db: Database) -> None:
    """Only one writer at a time takes and runs a batch: the writes arriving meanwhile share one transaction
    (paying its BEGIN, locks and COMMIT once), rather than the idle writer starting one for each."""
    writer = GroupCommit(db)
    commits: list[int] = []
    event.listen(db.writer, "commit", lambda _connection: commits.append(1))
    running = threading.Event()
    released = threading.Event()

    def held(_session: Session) -> str:
        running.set()
        assert released.wait(HOLD_S * 5)
        return "held"

    async def scenario() -> list[str]:
        first = asyncio.ensure_future(writer.run(held, lambda _session: [A]))
        assert await asyncio.to_thread(running.wait, 10)
        rest = []
        for n in range(5):  # one by one: an idle writer would take each as it comes
            rest.append(asyncio.ensure_future(writer.run(lambda _session, n=n: f"w{n}", lambda _session: [B])))
            await asyncio.sleep(0.05)
        released.set()
        return list(await asyncio.gather(first, *rest))

    try:
        assert asyncio.run(scenario()) == ["held", "w0", "w1", "w2", "w3", "w4"]
    finally:
        released.set()
        writer.stop()
    assert len(commits) == 2
