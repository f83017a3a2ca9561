"""Engines, sessions and transactions.

SQLite runs in WAL mode with a busy timeout, and every write transaction starts with BEGIN IMMEDIATE:
writers queue for the lock up front instead of failing with "database is locked" when a read
transaction tries to upgrade. Reads use a separate engine with plain deferred transactions.

PostgreSQL keeps the same contract for any number of processes on one database: every write
transaction first takes one transaction-level advisory lock (WRITE_LOCK_KEY), so writers take turns
as on SQLite, and every rule checked by reading before writing (member uniqueness, quotas, a VIP
against members and other VIPs, listener ports) holds across API replicas. One kind of write may take
that lock shared instead (`write(shared=True)`, member creates): it then runs beside the others of its
kind, never beside any other write, and takes an exclusive lock on each thing its rules read that
another of its kind may write (`lock`, keys from `lock_key`). PostgreSQL releases locks only after the
commit's WAL flush, so writes taking turns each pay their own flush; shared ones commit together, one
flush for several. Reads run in REPEATABLE READ, one snapshot per transaction, as SQLite's read
transactions are. A write that changed load balancers also raises their configuration version and
notifies the agents (store/leases.py), in its own transaction.
"""

import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from elbd.changes import Changes
from elbd.store.durability import sqlite_synchronous
from elbd.store.hot_statements import HotStatement
from elbd.store.leases import announce

CHANGES = "changes"  # the session.info key of what the transaction changed so far
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Enough pooled connections for every API worker thread (anyio's default limiter: 40): a connection
# beyond the pool is opened, configured with its PRAGMAs and closed again on every request.
SQLITE_POOL_SIZE = 40
WRITE_LOCK_KEY = 0x656C6264  # "elbd": the advisory lock every PostgreSQL write transaction holds
# Each key at most once, taken in ascending order whatever the caller's order: two shared writes that
# need the same two never wait for each other in a circle (the subquery's ORDER BY keeps it un-flattened).
_LOCK_EACH = HotStatement(
    text(
        "SELECT count(pg_advisory_xact_lock(key)) FROM "
        "(SELECT DISTINCT unnest(CAST(:keys AS bigint[])) AS key ORDER BY key) AS ascending"
    )
)
# PostgreSQL's connections are the server's, shared by every process (100 by default): a few each.
POSTGRES_POOL_SIZE = 5
POSTGRES_POOL_OVERFLOW = 10


def _sqlite_engine(url: str, begin_statement: str, synchronous: str) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=SQLITE_POOL_SIZE,
        max_overflow=0,
        pool_timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql(begin_statement)

    return engine


def _postgres_engines(url: str) -> tuple[Engine, Engine]:
    """(writer, reader) on one PostgreSQL database.

    The writer's connections are in autocommit as psycopg sees them: Database.write begins each
    transaction itself, in the statement that takes the write lock (psycopg would send its BEGIN alone,
    a round trip of its own), and psycopg's commit and rollback end whatever transaction the server has
    open, so SQLAlchemy's commit and rollback (and savepoints) work as before. The writer pings no
    connection it hands out (another round trip): the lock's statement finds a dropped one.

    psycopg prepares no statement of its own on them: after a rollback it would deallocate every
    prepared statement of the connection (DEALLOCATE ALL), the hot statements' with them, which are
    prepared by store/hot_statements.py instead."""
    unprepared = {"prepare_threshold": None}
    writer = create_engine(
        url, isolation_level="AUTOCOMMIT", pool_size=POSTGRES_POOL_SIZE, max_overflow=POSTGRES_POOL_OVERFLOW, connect_args=unprepared
    )
    reader = create_engine(
        url, pool_pre_ping=True, pool_size=POSTGRES_POOL_SIZE, max_overflow=POSTGRES_POOL_OVERFLOW, isolation_level="REPEATABLE READ",
        connect_args=unprepared,
    )
    return writer, reader


@dataclass
class Database:
    """Read and write sessions over one database, and who to tell when a load balancer changed."""

    url: str
    on_change: Callable[[Changes], None] = field(default=lambda _changes: None)
    synchronous: str = field(default_factory=sqlite_synchronous)

    def __post_init__(self) -> None:
        if self.url.startswith("sqlite"):
            self.writer = _sqlite_engine(self.url, "BEGIN IMMEDIATE", self.synchronous)
            self.reader = _sqlite_engine(self.url, "BEGIN", self.synchronous)
            # SQLite has one writer at a time; waiting for it in SQLite's busy handler means sleeping in
            # growing steps, so this process's writers queue on a lock instead and take turns at once.
            self._writer_turn: AbstractContextManager[object] = threading.Lock()
        else:
            self.writer, self.reader = _postgres_engines(self.url)
            self._writer_turn = nullcontext()
        self.announces = not self.url.startswith("sqlite")  # agents on other nodes hear of changes (store/leases.py)
        self.writes_side_by_side = not self.url.startswith("sqlite")  # write(shared=True) runs beside others: lock()
        self._write_sessions = sessionmaker(self.writer, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.reader, expire_on_commit=False)

    @contextmanager
    def write(self, shared: bool = False) -> Iterator[Session]:
        """One write transaction; after it commits, the data plane hears which load balancers changed.

        `shared` (PostgreSQL; SQLite has one writer whatever is asked): beside other shared writes, which
        must each `lock` what they read that another shared write may change, before reading it."""
        with self._writer_turn:
            session, transaction = self._begin_write(shared)
            with session:
                with transaction:
                    yield session
                    if self.announces and session.info.get(CHANGES):
                        announce(session.connection(), session.info[CHANGES].touched)
                changed: Changes = session.info.pop(CHANGES, Changes())
        if changed:
            self.on_change(changed)

    def _begin_write(self, shared: bool) -> tuple[Session, SessionTransaction]:
        """A write session in its transaction, holding the write lock on PostgreSQL. The lock's statement
        is the first on the connection, so a connection the server dropped (a restart, an idle timeout)
        fails there having done nothing: the write then starts once more, on a new connection (the pool
        drops every connection older than the failure)."""
        try:
            return self._locked_session(shared)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            return self._locked_session(shared)

    def _locked_session(self, shared: bool) -> tuple[Session, SessionTransaction]:
        session = self._write_sessions()
        transaction = session.begin()
        if self.writes_side_by_side:
            take = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
            try:
                session.connection().exec_driver_sql(f"BEGIN; SELECT {take}({WRITE_LOCK_KEY})")  # see _postgres_engines
            except BaseException:
                session.close()
                raise
        return session, transaction

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read_sessions() as session:
            with session.begin():
                yield session

    def lock(self, session: Session, keys: Iterable[int]) -> None:
        """In a shared write on PostgreSQL: hold these locks (lock_key) until the transaction ends; all at
        once, before reading what they guard. Nothing to do on SQLite, where a write is alone."""
        wanted = list(keys)
        if self.writes_side_by_side and wanted:
            _LOCK_EACH.run(session, {"keys": wanted})

    def dispose(self) -> None:
        self.writer.dispose()
        self.reader.dispose()


def lock_key(*names: str) -> int:
    """The advisory lock key of a thing (a project, a pool's address), the same in every process; never
    WRITE_LOCK_KEY."""
    key = int.from_bytes(hashlib.blake2b("\0".join(names).encode(), digest_size=8).digest(), "big", signed=True)
    return key ^ 1 if key == WRITE_LOCK_KEY else key


def mark_changed(session: Session, load_balancer_id: str | None) -> None:
    """The load balancer changed as a whole: the data plane rebuilds it."""
    if load_balancer_id:
        _add(session, Changes.rebuild(load_balancer_id))


def mark_members_changed(session: Session, load_balancer_id: str | None, member_ids: Iterable[str]) -> None:
    """Only these members of the load balancer changed: the data plane may apply just them."""
    if load_balancer_id:
        _add(session, Changes.of(members={load_balancer_id: member_ids}))


def mark_access_changed(session: Session, load_balancer_id: str | None, listener_ids: Iterable[str]) -> None:
    """Only the entries of these listeners' access lists changed: the data plane may replace just them."""
    if load_balancer_id:
        _add(session, Changes.of(access={load_balancer_id: listener_ids}))


def changed_so_far(session: Session) -> frozenset[str]:
    """The load balancers the transaction has changed so far: those an answer may wait on."""
    return frozenset(session.info.get(CHANGES, Changes()).touched)


def _add(session: Session, changes: Changes) -> None:
    session.info[CHANGES] = session.info.get(CHANGES, Changes()).merged(changes)


TRANSACTION_MEMO = "transaction_memo"


def transaction_memo(session: Session) -> dict[object, Any]:
    """Facts this transaction looked up and may need again (a pool's placement, a project's quotas):
    nobody else writes them while it holds the write lock, so they stay true until it ends, unless a part
    of it is undone (see undo_to). (Beside other shared writes, a fact they may change is kept only under
    a lock of its own: members.create_locks.)"""
    return session.info.setdefault(TRANSACTION_MEMO, {})


def undo_point(session: Session) -> Changes:
    """What the transaction had marked changed, at a savepoint."""
    return session.info.get(CHANGES, Changes())


def undo_to(session: Session, point: Changes) -> None:
    """After a rollback to the savepoint of `point`: its change marks again, and no memo (a fact may
    have come from the part undone)."""
    session.info[CHANGES] = point
    session.info.pop(TRANSACTION_MEMO, None)
