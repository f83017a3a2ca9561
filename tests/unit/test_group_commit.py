"""Group commit: writes queued together share one transaction, and each caller still sees only its own
result or error, as if it had been alone."""

import asyncio
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from elbd.changes import Changes
from elbd.store.db import Database, mark_members_changed, transaction_memo
from elbd.store.group_commit import GroupCommit
from elbd.store.migrate import upgrade
from elbd.store.models import Project

CREATED = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    return Database(url)


class Hold:
    """Holds a write in the writer thread: `started` once the thread runs it, until `released`."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.released = threading.Event()


def add_project(name: str, hold: Hold | None = None, refuse: bool = False):  # type: ignore[no-untyped-def]
    def work(session: Session) -> str:
        if hold is not None:
            hold.started.set()
            hold.released.wait(5)
        session.add(Project(id=name, name=name, domain_name=name, created_at=CREATED))
        session.flush()
        mark_members_changed(session, f"lb-{name}", [f"member-{name}"])
        if refuse:
            raise ValueError(f"{name} refused after writing")
        return name

    return work


def stored(db: Database) -> set[str]:
    with db.read() as session:
        return set(session.scalars(select(Project.id)))


def test_writes_queued_behind_a_busy_writer_commit_in_one_transaction(db: Database) -> None:
    commits: list[int] = []
    event.listen(db.writer, "commit", lambda _connection: commits.append(1))
    told: list[Changes] = []
    db.on_change = told.append
    outcomes = batch_behind_a_held_write(GroupCommit(db), "p0", [add_project(f"p{n}") for n in range(1, 6)])
    assert outcomes == [f"p{n}" for n in range(6)]
    assert stored(db) == {f"p{n}" for n in range(6)}
    assert len(commits) == 2
    assert told[1] == Changes(members={f"lb-p{n}": frozenset({f"member-p{n}"}) for n in range(1, 6)})
    db.dispose()


def test_a_refused_write_changes_nothing_and_the_others_in_its_transaction_commit(db: Database) -> None:
    told: list[Changes] = []
    db.on_change = told.append
    outcomes = batch_behind_a_held_write(
        GroupCommit(db), "held", [add_project("kept"), add_project("refused", refuse=True), add_project("also-kept")]
    )
    assert outcomes[:2] == ["held", "kept"] and outcomes[3] == "also-kept"
    assert isinstance(outcomes[2], ValueError) and "refused after writing" in str(outcomes[2])
    assert stored(db) == {"held", "kept", "also-kept"}
    assert "lb-refused" not in told[-1].members
    assert set(told[-1].members) == {"lb-kept", "lb-also-kept"}
    db.dispose()


def test_a_write_that_collides_with_an_earlier_one_of_its_transaction_fails_alone(db: Database) -> None:
    writer = GroupCommit(db)

    async def scenario() -> list[object]:
        # the same primary key twice in one transaction: the second one's savepoint fails, the first commits
        return await asyncio.gather(writer.run(add_project("twin")), writer.run(add_project("twin")), return_exceptions=True)

    try:
        outcomes = asyncio.run(scenario())
    finally:
        writer.stop()
    assert outcomes[0] == "twin"
    assert type(outcomes[1]).__name__ == "IntegrityError"
    assert stored(db) == {"twin"}
    db.dispose()


def test_what_a_refused_write_memoized_is_forgotten_with_it(db: Database) -> None:
    def memoize_then_refuse(session: Session) -> None:
        transaction_memo(session)["fact"] = "seen by a write that was undone"
        raise ValueError("refused")

    outcomes = batch_behind_a_held_write(
        GroupCommit(db), "held", [memoize_then_refuse, lambda session: transaction_memo(session).get("fact")]
    )
    assert outcomes[0] == "held" and isinstance(outcomes[1], ValueError)
    assert outcomes[2] is None
    db.dispose()


def test_a_refused_write_alone_in_its_transaction_changes_nothing(db: Database) -> None:
    """A batch of one runs without a savepoint: its error undoes the whole transaction."""
    told: list[Changes] = []
    db.on_change = told.append
    writer = GroupCommit(db)

    async def scenario() -> list[object]:
        refused = await asyncio.gather(writer.run(add_project("refused", refuse=True)), return_exceptions=True)
        return [*refused, await writer.run(add_project("kept"))]

    try:
        outcomes = asyncio.run(scenario())
    finally:
        writer.stop()
    assert isinstance(outcomes[0], ValueError) and outcomes[1] == "kept"
    assert stored(db) == {"kept"}
    assert told == [Changes(members={"lb-kept": frozenset({"member-kept"})})]
    db.dispose()


def refuse_before_writing(session: Session) -> str:
    raise ValueError("refused before writing")


def batch_behind_a_held_write(
    writer: GroupCommit, first: str, writes: list[Callable[[Session], object]], writes_last: bool = False
) -> list[object]:
    """Every outcome: `first`'s write holds the writer thread while `writes` queue behind it, so that they
    share the next transaction (`writes_last`: all of them run as such writes)."""
    hold = Hold()

    async def scenario() -> list[object]:
        held = asyncio.ensure_future(writer.run(add_project(first, hold), writes_last=writes_last))
        assert await asyncio.to_thread(hold.started.wait, 10)  # the writer thread runs it: the rest queue
        rest = [asyncio.ensure_future(writer.run(work, writes_last=writes_last)) for work in writes]
        await asyncio.sleep(0)  # each of them queued
        hold.released.set()
        return await asyncio.gather(held, *rest, return_exceptions=True)

    try:
        return asyncio.run(scenario())
    finally:
        writer.stop()


def test_writes_that_write_last_share_a_transaction_without_savepoints(db: Database) -> None:
    """A refusal of such a write changed nothing: it needs no savepoint, and the others still commit."""
    savepoints: list[str] = []
    event.listen(db.writer, "savepoint", lambda _connection, name: savepoints.append(name))
    outcomes = batch_behind_a_held_write(
        GroupCommit(db), "held", [add_project("kept"), refuse_before_writing, add_project("also-kept")], writes_last=True
    )
    assert outcomes[0] == "held" and outcomes[1] == "kept" and outcomes[3] == "also-kept"
    assert isinstance(outcomes[2], ValueError)
    assert stored(db) == {"held", "kept", "also-kept"}
    assert savepoints == []
    db.dispose()


def test_a_write_that_writes_last_and_fails_in_a_statement_fails_alone_and_the_others_start_over(db: Database) -> None:
    """A failed statement may leave the transaction unusable (PostgreSQL): the batch begins again without it."""
    commits: list[int] = []
    event.listen(db.writer, "commit", lambda _connection: commits.append(1))
    # the same primary key again in the next transaction: its INSERT fails
    outcomes = batch_behind_a_held_write(GroupCommit(db), "twin", [add_project("twin"), add_project("kept")], writes_last=True)
    assert outcomes[0] == "twin" and outcomes[2] == "kept"
    assert type(outcomes[1]).__name__ == "IntegrityError"
    assert stored(db) == {"twin", "kept"}
    assert len(commits) == 2  # the first alone, then the batch of the other two, begun again without the failed one
    db.dispose()
