"""The HAProxy driver in a process of its own, beside the API's.

In one process, the API's threads and the driver's threads share one interpreter lock: under load the
driver's work per change (a query, runtime commands, HAProxy's answers) runs between requests and
slows both, and only one of the machine's cores does Python. Here a child process runs HaproxyDriver on
the same database; `elbd serve` forwards it each commit's changes and asks it when removals are live,
over a pipe.

The child exits the moment the pipe closes, so it never outlives `elbd serve`, not even one killed with
SIGKILL: a restarted `elbd serve` never meets the old driver still at work. The HAProxy processes
outlive both, as before. A child that dies is started again; it reconciles every load balancer on start,
so no change told to the dead one is lost.
"""

import logging
import multiprocessing
import os
import queue
import signal
import threading
from multiprocessing.connection import Connection
from pathlib import Path

from elbd.heap import freeze_startup_heap
from elbd.store.db import Changes, Database

log = logging.getLogger(__name__)
RESTART_DELAY_S = 0.5
STOP_WAIT_S = 15.0
ANSWER_MARGIN_S = 1.0  # how much longer than the child's own time-out a waiter waits for its answer
Message = tuple[object, ...]  # ("changed", Changes) | ("wait", id, load balancer ids, time-out) | ("stop",) | ("end",)


class AgentProcess:
    """The DataplaneDriver that `elbd serve` uses: HaproxyDriver, run in a child process."""

    def __init__(self, database_url: str, synchronous: str, data_dir: Path, binary: str) -> None:
        self._arguments = (database_url, synchronous, str(data_dir), binary)
        self._outbox: queue.Queue[Message] = queue.Queue()
        self._answers: dict[int, tuple[threading.Event, list[bool]]] = {}
        self._answers_lock = threading.Lock()
        self._next_wait = 0
        self._stopping = threading.Event()
        self._connection: Connection | None = None
        self._child: multiprocessing.process.BaseProcess | None = None
        self._supervisor: threading.Thread | None = None

    def start(self) -> None:
        self._spawn()
        self._supervisor = threading.Thread(target=self._supervise, name="elbd-agent-supervisor", daemon=True)
        self._supervisor.start()
        threading.Thread(target=self._send, name="elbd-agent-sender", daemon=True).start()

    def changed(self, changes: Changes) -> None:
        self._outbox.put(("changed", changes))

    def wait_until_applied(self, load_balancer_ids: set[str], timeout_s: float) -> bool:
        answered = threading.Event()
        result = [False]
        with self._answers_lock:
            self._next_wait += 1
            wait_id = self._next_wait
            self._answers[wait_id] = (answered, result)
        self._outbox.put(("wait", wait_id, frozenset(load_balancer_ids), timeout_s))
        answered.wait(timeout_s + ANSWER_MARGIN_S)
        with self._answers_lock:
            self._answers.pop(wait_id, None)
        return result[0]

    def stop(self) -> None:
        """Stops the child (it stops its threads; the HAProxy processes keep serving)."""
        self._stopping.set()
        self._outbox.put(("stop",))
        self._outbox.put(("end",))
        child = self._child
        if child is not None:
            child.join(STOP_WAIT_S)
            if child.is_alive():
                child.kill()
                child.join()
        if self._supervisor is not None:
            self._supervisor.join(STOP_WAIT_S)

    def _spawn(self) -> None:
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        child = context.Process(target=run_agent, args=(theirs, *self._arguments), name="elbd-agent", daemon=True)
        child.start()
        theirs.close()
        self._connection, self._child = ours, child

    def _send(self) -> None:
        """Forwards what the API tells, in order; changes queued back to back go as one message."""
        carried: Message | None = None
        while True:
            message = carried if carried is not None else self._outbox.get()
            carried = None
            if message[0] == "end":
                return
            if message[0] == "changed":
                changes, carried = merge_queued_changes(message[1], self._outbox)  # type: ignore[arg-type]
                message = ("changed", changes)
            connection = self._connection
            try:
                if connection is not None:
                    connection.send(message)
            except OSError:
                log.debug("the data-plane agent is restarting; it reconciles everything when it is back")

    def _supervise(self) -> None:
        """Reads the child's answers; starts a new child when one dies, unless elbd is stopping."""
        while True:
            connection = self._connection
            try:
                while True:
                    _kind, wait_id, applied = connection.recv()  # type: ignore[union-attr]
                    self._answer(wait_id, applied)
            except (EOFError, OSError):
                pass
            if self._stopping.is_set():
                return
            log.error("the data-plane agent process exited (code %s); starting it again", self._child.exitcode if self._child else None)
            self._answer_all(False)
            if self._stopping.wait(RESTART_DELAY_S):
                return
            self._spawn()

    def _answer(self, wait_id: int, applied: bool) -> None:
        with self._answers_lock:
            waiting = self._answers.get(wait_id)
        if waiting is not None:
            waiting[1][0] = applied
            waiting[0].set()

    def _answer_all(self, applied: bool) -> None:
        with self._answers_lock:
            pending = list(self._answers)
        for wait_id in pending:
            self._answer(wait_id, applied)


def merge_queued_changes(first: Changes, outbox: "queue.Queue[Message]") -> tuple[Changes, Message | None]:
    """`first` and the changes queued right behind it, as one; and the first other message taken, if any."""
    whole = set(first.load_balancers)
    members = {load_balancer_id: set(ids) for load_balancer_id, ids in first.members.items()}
    other: Message | None = None
    while True:
        try:
            message = outbox.get_nowait()
        except queue.Empty:
            break
        if message[0] != "changed":
            other = message
            break
        more: Changes = message[1]  # type: ignore[assignment]
        whole |= more.load_balancers
        for load_balancer_id, ids in more.members.items():
            members.setdefault(load_balancer_id, set()).update(ids)
    return Changes(frozenset(whole), {one: frozenset(ids) for one, ids in members.items() if one not in whole}), other


def run_agent(connection: Connection, database_url: str, synchronous: str, data_dir: str, binary: str) -> None:
    """The child: HaproxyDriver, fed by the pipe. Ctrl-C in a terminal reaches the whole process group;
    the child leaves stopping to `elbd serve`."""
    from elbd.dataplane.agent import HaproxyDriver

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    db = Database(database_url, synchronous=synchronous)
    driver = HaproxyDriver(db, Path(data_dir), binary=binary)
    db.on_change = driver.changed
    driver.start()
    freeze_startup_heap()
    answering = threading.Lock()

    def answer_when_applied(wait_id: int, load_balancer_ids: frozenset[str], timeout_s: float) -> None:
        applied = driver.wait_until_applied(set(load_balancer_ids), timeout_s)
        with answering:
            connection.send(("applied", wait_id, applied))

    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            os._exit(0)  # elbd serve is gone: stop at once, as the driver's threads would have with it
        kind = message[0]
        if kind == "changed":
            driver.changed(message[1])
        elif kind == "wait":
            threading.Thread(target=answer_when_applied, args=message[1:], daemon=True).start()
        elif kind == "stop":
            driver.stop()
            db.dispose()
            return
