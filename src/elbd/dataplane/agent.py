"""The agent: the data plane's reconciler in a process of its own, beside the API's.

In one process, the API's threads and the reconciler's threads share one interpreter lock: under load
the reconciler's work per change (a query, runtime commands, HAProxy's answers) runs between requests
and slows both, and only one of the machine's cores does Python. Here a child process runs the
Reconciler with the HAProxy engine on the same database; `elbd serve` forwards it each commit's
changes and asks it when removals are live, over a pipe, in the typed messages below.

The child exits the moment the pipe closes, so it never outlives `elbd serve`, not even one killed with
SIGKILL: a restarted `elbd serve` never meets the old agent still at work. The HAProxy processes
outlive both. A child that dies is started again; it reconciles every load balancer on start, so no
change told to the dead one is lost.
"""

import logging
import multiprocessing
import os
import queue
import resource
import signal
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from elbd.changes import Changes
from elbd.heap import freeze_startup_heap
from elbd.metrics.registry import Registry, Snapshot
from elbd.store.db import Database

log = logging.getLogger(__name__)
RESTART_DELAY_S = 0.5
STOP_WAIT_S = 15.0
ANSWER_MARGIN_S = 1.0  # how much longer than the child's own time-out a waiter waits for its answer
METRICS_EVERY_S = 1.0  # how often the agent sends its counters (what a scrape of /metrics sees is at most this old)


@dataclass(frozen=True)
class Changed:
    """To the agent: these changes were committed."""

    changes: Changes


@dataclass(frozen=True)
class Wait:
    """To the agent: answer `Applied(wait_id, ...)` once every change told so far for these load
    balancers is live, or after `timeout_s`."""

    wait_id: int
    load_balancer_ids: frozenset[str]
    timeout_s: float


@dataclass(frozen=True)
class Stop:
    """To the agent: stop the reconciler's threads (the engines' processes keep serving)."""


@dataclass(frozen=True)
class Applied:
    """From the agent: the answer to a Wait."""

    wait_id: int
    applied: bool


@dataclass(frozen=True)
class Counters:
    """From the agent: its counters so far (round_metrics.py), sent every METRICS_EVERY_S."""

    snapshot: Snapshot


ToAgent = Changed | Wait | Stop


class AgentProcess:
    """The DataplaneDriver that `elbd serve` uses: the reconciler, run in a child process."""

    def __init__(self, database_url: str, synchronous: str, data_dir: Path, binary: str) -> None:
        self._arguments = (database_url, synchronous, str(data_dir), binary)
        self._outbox: queue.Queue[ToAgent | None] = queue.Queue()  # None: the sender's end
        self._answers: dict[int, tuple[threading.Event, list[bool]]] = {}
        self._answers_lock = threading.Lock()
        self._next_wait = 0
        self._stopping = threading.Event()
        self._connection: Connection | None = None
        self._child: multiprocessing.process.BaseProcess | None = None
        self._supervisor: threading.Thread | None = None
        self._counters = Snapshot()

    def start(self) -> None:
        self._spawn()
        self._supervisor = threading.Thread(target=self._supervise, name="elbd-agent-supervisor", daemon=True)
        self._supervisor.start()
        threading.Thread(target=self._send, name="elbd-agent-sender", daemon=True).start()

    def changed(self, changes: Changes) -> None:
        self._outbox.put(Changed(changes))

    def wait_until_applied(self, load_balancer_ids: set[str], timeout_s: float) -> bool:
        answered = threading.Event()
        result = [False]
        with self._answers_lock:
            self._next_wait += 1
            wait_id = self._next_wait
            self._answers[wait_id] = (answered, result)
        self._outbox.put(Wait(wait_id, frozenset(load_balancer_ids), timeout_s))
        answered.wait(timeout_s + ANSWER_MARGIN_S)
        with self._answers_lock:
            self._answers.pop(wait_id, None)
        return result[0]

    def metrics(self) -> Snapshot:
        """The agent's counters as it last sent them; a restarted agent counts from zero again."""
        return self._counters

    def stop(self) -> None:
        """Stops the child (it stops its threads; the HAProxy processes keep serving)."""
        self._stopping.set()
        self._outbox.put(Stop())
        self._outbox.put(None)
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
        carried: ToAgent | None = None
        while True:
            message = carried if carried is not None else self._outbox.get()
            carried = None
            if message is None:
                return
            if isinstance(message, Changed):
                message, carried = merge_queued_changes(message, self._outbox)
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
                    answer: Applied | Counters = connection.recv()  # type: ignore[union-attr]
                    if isinstance(answer, Counters):
                        self._counters = answer.snapshot
                    else:
                        self._answer(answer.wait_id, answer.applied)
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


def merge_queued_changes(first: Changed, outbox: "queue.Queue[ToAgent | None]") -> tuple[Changed, ToAgent | None]:
    """`first` and the changes queued right behind it, as one message; and the first other message
    taken, if any (None stays in the queue's place as the end)."""
    changes = first.changes
    while True:
        try:
            message = outbox.get_nowait()
        except queue.Empty:
            return Changed(changes), None
        if not isinstance(message, Changed):
            if message is None:
                outbox.put(None)
            return Changed(changes), message
        changes = changes.merged(message.changes)


WANTED_DESCRIPTORS = 1 << 20  # when the hard limit is unlimited: far more than any host's load balancers need


def descriptor_limit(soft: int, hard: int) -> int | None:
    """The soft limit of open files the agent raises itself to, or None to leave it: every load balancer
    costs it a pidfd (the exit watch) beside the sockets and files of its rounds, and a service
    manager's usual soft limit (1,024) is below what a thousand load balancers need. The agent waits
    with epoll, never select(), so a high limit is safe."""
    wanted = WANTED_DESCRIPTORS if hard == resource.RLIM_INFINITY else hard
    return wanted if soft != resource.RLIM_INFINITY and soft < wanted else None


def raise_descriptor_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = descriptor_limit(soft, hard)
    if wanted is not None:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError) as error:
            log.warning("the agent keeps its limit of %d open files: %s", soft, error)


def run_agent(connection: Connection, database_url: str, synchronous: str, data_dir: str, binary: str) -> None:
    """The child: the reconciler with the HAProxy engine, fed by the pipe. Ctrl-C in a terminal reaches
    the whole process group; the child leaves stopping to `elbd serve`."""
    from elbd.dataplane.access_log_receiver import receive_access_logs
    from elbd.dataplane.engines import Engines
    from elbd.dataplane.haproxy_engine import HaproxyEngine
    from elbd.dataplane.nginx_engine import NginxEngine
    from elbd.store.dataplane import MemberHealth, save_member_health
    from elbd.udp_engine import nginx_binary
    from elbd.dataplane.reconciler import Reconciler, certificates_in_store
    from elbd.store.secret_box import KEY_FILE_NAME, load_key_file

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise_descriptor_limit()
    db = Database(database_url, synchronous=synchronous)
    engine = Engines(HaproxyEngine(Path(data_dir), binary), NginxEngine(Path(data_dir), nginx_binary()))
    metrics = Registry()
    reconciler = Reconciler(db, engine, tls=certificates_in_store(load_key_file(Path(data_dir) / KEY_FILE_NAME)), metrics=metrics)

    def save_udp_health(changes: Mapping[str, MemberHealth]) -> None:
        with db.write() as session:
            save_member_health(session, changes)

    engine.udp.on_round = reconciler.again
    engine.udp.on_health = save_udp_health
    engine.udp.start()
    access_logs = receive_access_logs(Path(data_dir), metrics)
    reconciler.start(also=engine.known_load_balancers())
    freeze_startup_heap()
    answering = threading.Lock()

    def send_counters() -> None:
        sent = None
        while True:
            time.sleep(METRICS_EVERY_S)
            snapshot = metrics.snapshot()
            if snapshot == sent:
                continue
            try:
                with answering:
                    connection.send(Counters(snapshot))
            except (OSError, ValueError):
                return
            sent = snapshot

    threading.Thread(target=send_counters, name="elbd-agent-metrics", daemon=True).start()

    def answer_when_applied(message: Wait) -> None:
        applied = reconciler.wait_until_applied(set(message.load_balancer_ids), message.timeout_s)
        with answering:
            connection.send(Applied(message.wait_id, applied))

    while True:
        try:
            message: ToAgent = connection.recv()
        except (EOFError, OSError):
            os._exit(0)  # elbd serve is gone: stop at once, as the reconciler's threads would have with it
        match message:
            case Changed(changes):
                reconciler.changed(changes)
            case Wait():
                threading.Thread(target=answer_when_applied, args=(message,), daemon=True).start()
            case Stop():
                reconciler.stop()
                engine.udp.stop()
                if access_logs is not None:
                    access_logs.stop()
                db.dispose()
                return
