"""Write transactions that arrive together commit together (group commit).

SQLite has one writer at a time, so concurrent writes take turns, and each turn pays for BEGIN, COMMIT
and an fsync, and for handing the lock and the interpreter lock from thread to thread. Here one thread
does the writing: the work queued while it was busy runs in one transaction, each piece in a savepoint of
its own so that a refused one (a rule, a duplicate) changes nothing and the others still commit (a piece
alone needs none: its error rolls the transaction back, and neither does a piece that writes only in its
last statement, `writes_last`).
Every caller gets its own result or error, after the shared commit, as if it had been alone.

On PostgreSQL, where several processes write, a batch whose every write says what it must lock
(`run(work, locks)`) takes the write lock shared (store/db.py): batches of several API replicas then run
and commit side by side, sharing WAL flushes, instead of each waiting for the last one's flush. The
locks of the whole batch are taken at once, before any of its work, so two batches never wait for each
other in a circle. So do a process's own batches: on PostgreSQL it has WRITERS_SIDE_BY_SIDE writing
threads, and while one batch's commit waits for its WAL flush the next batch runs. Only one of them at a
time takes and runs a batch (the turn, passed on at commit): what arrives while a batch runs forms the
next one, instead of a transaction of its own (fewer, larger transactions, each paying once for its
BEGIN, locks, placement and COMMIT).
"""

import asyncio
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from elbd.store.db import Database, undo_point, undo_to

T = TypeVar("T")
MOST_PER_TRANSACTION = 64
# Writers of batches at once on PostgreSQL: while one batch's commit waits for its WAL flush, the next
# batch runs (batches of shared writes run side by side, store/db.py). SQLite has one writer.
WRITERS_SIDE_BY_SIDE = 2
Locks = Callable[[Session], Iterable[int]]  # the lock keys a write needs beside others (db.lock_key)


@dataclass
class _Write(Generic[T]):
    work: Callable[[Session], T]
    locks: Locks | None
    writes_last: bool
    loop: asyncio.AbstractEventLoop
    future: "asyncio.Future[T]"


class _StartOver(Exception):
    """A write run without a savepoint failed in a statement: on PostgreSQL its transaction can do no more."""

    def __init__(self, failed: _Write[Any], error: Exception) -> None:
        super().__init__(str(error))
        self.failed = failed
        self.error = error


class GroupCommit:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._queue: queue.Queue[_Write[Any] | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._starting = threading.Lock()
        self._turn = threading.Lock()  # see _Turn

    async def run(self, work: Callable[[Session], T], locks: Locks | None = None, writes_last: bool = False) -> T:
        """`work(session)`'s result once committed; its exception if it raised (then it changed nothing).

        `locks(session)`: the keys of everything `work` reads that a write of the same kind may change
        (then it may run beside them, see store/db.py); it raises what `work` would raise for a write that
        cannot be done. Without it, the write runs alone.

        `writes_last`: `work` changes the store only once nothing can refuse it any more (its last refusal
        may be a statement that refuses without failing, as INSERT ... ON CONFLICT DO NOTHING does), so an
        exception of its own leaves the transaction as it found it: it runs without a savepoint (two round
        trips). A statement of it that fails anyway fails it alone, and the rest of its batch starts over."""
        self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put(_Write(work, locks, writes_last, loop, future))
        return await future

    def stop(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()
        self._threads = []

    def _start(self) -> None:
        with self._starting:
            if not self._threads:
                count = WRITERS_SIDE_BY_SIDE if self.db.writes_side_by_side else 1
                self._threads = [threading.Thread(target=self._serve, name=f"elbd-group-commit-{n}", daemon=True) for n in range(count)]
                for thread in self._threads:
                    thread.start()

    def _serve(self) -> None:
        while True:
            with _Turn(self._turn) as turn:
                batch = self._next_batch()
                if batch is None:
                    return
                self._commit(batch, turn)

    def _next_batch(self) -> list[_Write[Any]] | None:
        """The next write and those queued behind it (None: stop)."""
        first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        while len(batch) < MOST_PER_TRANSACTION:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                break
            if more is None:
                self._queue.put(None)
                break
            batch.append(more)
        return batch

    def _commit(self, batch: list[_Write[Any]], turn: "_Turn") -> None:
        outcomes: list[tuple[_Write[Any], bool, Any]] = []
        shared = self.db.writes_side_by_side and all(write.locks is not None for write in batch)
        try:
            with self.db.write(shared) as session:
                for write in self._locked(session, batch, outcomes) if shared else batch:
                    if len(batch) == 1:  # alone: its error undoes the whole transaction, no savepoint needed
                        outcomes.append((write, True, write.work(session)))
                        continue
                    outcomes.append(self._one_of_several(session, write))
                turn.pass_on()  # the commit only waits from here on
        except _StartOver as start_over:
            self._settle([(start_over.failed, False, start_over.error)])
            self._commit([write for write in batch if write is not start_over.failed], turn)
            return
        except Exception as error:  # noqa: BLE001 - the commit failed: nothing was stored for anyone
            outcomes = [(write, False, error) for write in batch]
        self._settle(outcomes)

    @staticmethod
    def _one_of_several(session: Session, write: _Write[Any]) -> tuple[_Write[Any], bool, Any]:
        """A write of a batch: its error undoes its own part (in a savepoint, unless it writes last) and
        the others go on."""
        point = undo_point(session)
        try:
            if write.writes_last:
                return write, True, write.work(session)
            with session.begin_nested():
                return write, True, write.work(session)
        except DBAPIError as error:
            if write.writes_last:
                raise _StartOver(write, error) from error
            undo_to(session, point)
            return write, False, error
        except Exception as error:  # noqa: BLE001 - the caller gets its own error, the others go on
            undo_to(session, point)
            return write, False, error

    @staticmethod
    def _settle(outcomes: list[tuple[_Write[Any], bool, Any]]) -> None:
        for write, succeeded, value in outcomes:
            write.loop.call_soon_threadsafe(_settle, write.future, succeeded, value)

    def _locked(self, session: Session, batch: list[_Write[Any]], outcomes: list[tuple[_Write[Any], bool, Any]]) -> list[_Write[Any]]:
        """The writes of the batch whose locks are now held; one whose locks could not be named fails
        with that error (what its work would have said) and is not run."""
        keys: set[int] = set()
        ready = []
        for write in batch:
            try:
                keys.update(write.locks(session) if write.locks is not None else ())
            except Exception as error:  # noqa: BLE001 - the caller gets its own error, the others go on
                outcomes.append((write, False, error))
            else:
                ready.append(write)
        self.db.lock(session, keys)
        return ready


class _Turn:
    """The right to take and run the next batch, one writing thread at a time; passed on once the batch's
    statements have run (its commit then waits for the WAL flush without holding it), or at the latest
    when the batch is done."""

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock
        self._held = False

    def __enter__(self) -> "_Turn":
        self._lock.acquire()
        self._held = True
        return self

    def __exit__(self, *_exc: object) -> None:
        self.pass_on()

    def pass_on(self) -> None:
        if self._held:
            self._held = False
            self._lock.release()


def _settle(future: "asyncio.Future[Any]", succeeded: bool, value: Any) -> None:
    if future.cancelled():
        return
    if succeeded:
        future.set_result(value)
    else:
        future.set_exception(value)
