"""The reconciler: converges every load balancer's engine to the stored state, and reports what its
health checks find back to the store. It decides with the planner (plan.py) and acts through an
engine (engine.py); it knows no HAProxy.

The data-plane loop:

1. Changes come in (after each commit, through the agent's pipe) and wait in the work queue, merged
   per load balancer; a few workers take fair rounds of them.
2. A round of member changes only: the members named are read from the store, the planner gives the
   runtime commands from the configuration that runs, the engine runs them; the config file follows
   once the changes pause. A round of access list entries only (an IP address group's PUT): those
   listeners' access control is read and their lists alone are replaced. Anything else (or anything
   unexpected on the way) reconciles the whole load balancer: stored state -> desired configuration
   -> plan (retire, start, reload, converge) -> the engine carries it out.
3. Health comes back: a poller reads the checked pools' results and writes the changed members; a
   process that dies is started again as soon as its exit is seen (exit_watch.py). The poller visits
   only what needs it (poll_targets): load balancers with a checked pool, and those whose process no
   exit watch covers, whose liveness it looks at on every pass; a load balancer with neither costs
   nothing while nothing changes. A round that fell short is tried again with a bounded backoff.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass, field, replace
from typing import TypeVar

from sqlalchemy.orm import Session

from elbd.changes import Changes
from elbd.dataplane.desired import access_control, desired_config, maxconn_for, placed_servers
from elbd.dataplane.engine import Engine, EngineError, TlsMaterial
from elbd.dataplane.exit_watch import ExitWatch
from elbd.dataplane.health import member_health
from elbd.dataplane.model import Backend, LoadBalancerConfig
from elbd.dataplane.plan import Converge, Live, Rebuild, Reload, Retire, as_live, drain_wait_s, plan_access, plan_load_balancer, plan_members
from elbd.dataplane.reload_reasons import skeleton_change
from elbd.dataplane.round_metrics import APPLIES, APPLY_TIME, ROUND_TIME, ROUNDS, RUNTIME_COMMANDS, action_name
from elbd.dataplane.runtime_commands import DisableServer, DrainServer
from elbd.dataplane.scope import Everything, Scope
from elbd.dataplane.status_messages import for_tenants
from elbd.dataplane.work_queue import Work, WorkQueue
from elbd.metrics.registry import Registry
from elbd.store import dataplane as store
from elbd.store.certificates import certificate_material
from elbd.store.dataplane import NO_RESULT, MemberHealth, StoredLoadBalancer
from elbd.store.db import Database
from elbd.store.secret_box import SealedSecretError, SecretBox

log = logging.getLogger(__name__)
T = TypeVar("T")
PLANNED_LOAD_BALANCERS = 200
WORKERS = 4
CONFIG_WRITE_DELAY_S = 0.05  # the config file is written once no change came for this long ...
CONFIG_WRITE_MAX_DELAY_S = 2.0  # ... or once it is this far behind the running process
RETRY_DELAYS_S = (0.1, 0.3, 1.0, 3.0, 10.0)  # a round that fell short is tried again after these


@dataclass
class Served:
    """What the reconciler knows of one load balancer it serves. `config` is what its engine runs,
    unless `in_sync` is off (a rebuild started and has not succeeded yet); `undeleted_in` names
    backends holding a removed server that still had connections."""

    config: LoadBalancerConfig
    health: dict[str, MemberHealth] = field(default_factory=dict)
    undeleted_in: frozenset[str] = frozenset()
    in_sync: bool = True


def polled_backends(served: Served) -> list[Backend]:
    """The backends whose servers the poller reads: the checked ones, and those still deleting a server."""
    return [backend for backend in served.config.backends if backend.check is not None or backend.name in served.undeleted_in]


def poll_targets(served: Mapping[str, Served], watched: Set[str]) -> tuple[list[str], list[str]]:
    """What a pass of the poller visits: (checked, unwatched). `checked`: load balancers with a backend
    to read (their liveness is looked at on the way); `unwatched`: the others whose process no exit watch
    covers (`watched` names those it does), looked at for liveness only. The rest cost nothing."""
    checked = [load_balancer_id for load_balancer_id, one in served.items() if polled_backends(one)]
    polled = set(checked)
    unwatched = [load_balancer_id for load_balancer_id in served if load_balancer_id not in watched and load_balancer_id not in polled]
    return checked, unwatched


@dataclass(frozen=True)
class Prefetched:
    """What a load balancer's first round after the start needs from the store, read for every load
    balancer in a few queries instead of a few per load balancer (adopting a thousand running processes
    was mostly queries). Taken once; a change told for the load balancer drops it first, so a round
    that carries a change always reads the store anew."""

    stored: StoredLoadBalancer
    health: dict[str, MemberHealth]


# The content of these certificates (private keys unsealed), from the store; one not found is left out.
TlsSource = Callable[[Session, Iterable[str]], Mapping[str, TlsMaterial]]


def no_tls(_session: Session, _certificate_ids: Iterable[str]) -> Mapping[str, TlsMaterial]:
    return {}


def certificates_in_store(secret_box: SecretBox) -> TlsSource:
    """The store's certificates, private keys opened with the data directory's key."""

    def read(session: Session, certificate_ids: Iterable[str]) -> Mapping[str, TlsMaterial]:
        try:
            found = certificate_material(session, secret_box, certificate_ids)
        except SealedSecretError:
            raise EngineError(
                "a certificate's private key does not open with this data directory's key file (was the database restored "
                "beside another key?); the previous configuration keeps serving"
            ) from None
        return {certificate_id: TlsMaterial(chain, key) for certificate_id, (chain, key) in found.items()}

    return read


class Reconciler:
    def __init__(
        self,
        db: Database,
        engine: Engine,
        poll_interval_s: float = 0.5,
        tls: TlsSource = no_tls,
        metrics: Registry | None = None,
        scope: Scope | None = None,
    ) -> None:
        self.db = db
        self.scope: Scope = scope or Everything()
        self.metrics = metrics or Registry()
        self.engine = engine
        self.tls = tls
        self.poll_interval_s = poll_interval_s
        self.maxconn = maxconn_for(PLANNED_LOAD_BALANCERS)
        self._work_queue = WorkQueue()
        self._served: dict[str, Served] = {}
        self._unwritten: dict[str, float] = {}  # load balancer -> since when its config file is behind
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._recorded: dict[str, tuple[str, str, dict[str, str]]] = {}
        self._exits = ExitWatch(self._exited)
        self._watched: set[str] = set()  # load balancers whose process the exit watch was asked to watch
        self._failed_rounds: dict[str, int] = {}  # load balancer -> rounds in a row that fell short
        self._prefetched: dict[str, Prefetched] = {}
        self._drain_rounds: dict[str, set[float]] = {}  # load balancer -> when rounds for drain timeouts are due (monotonic)

    def start(self, also: Iterable[str] = ()) -> None:
        """Reconcile every stored load balancer, and `also` these (an engine may serve one no longer stored).
        What the first rounds need from the store is read for them all at once (see Prefetched)."""
        known = self.prefetch()
        self._work_queue.submit(Changes.of(known | set(also)))
        targets = [(self._work, f"elbd-reconcile-{number}") for number in range(WORKERS)]
        targets += [(self._poll, "elbd-health"), (self._exits.run, "elbd-exits")]
        for target, name in targets:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def prefetch(self) -> set[str]:
        """Read what the first round of every stored load balancer needs, in a few queries; answers their ids."""
        with self.db.read() as session:
            known = {one for one in store.load_balancer_ids(session) if self.scope.holds(one)}
            stored = store.stored_load_balancers(session, known)
            health = store.stored_member_health(session, stored)
            recorded = store.recorded_statuses(session, stored)
        with self._lock:
            self._prefetched = {one: Prefetched(records, health[one]) for one, records in stored.items()}
        self._recorded.update(recorded)
        return known

    def changed(self, changes: Changes) -> None:
        with self._lock:  # before the work is queued: a round that takes it must read the store anew
            for load_balancer_id in changes.touched:
                self._prefetched.pop(load_balancer_id, None)
        self._work_queue.submit(changes)

    def wait_until_applied(self, load_balancer_ids: set[str], timeout_s: float) -> bool:
        return self._work_queue.wait_until_applied(load_balancer_ids, timeout_s)

    def stop(self) -> None:
        """Stops the reconciler's threads; the engines' processes keep serving."""
        self._stopping.set()
        self._exits.stop()
        self._work_queue.close()
        for thread in self._threads:
            thread.join(timeout=10)

    # 1. changes in

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                load_balancer_id = self._work_queue.next(CONFIG_WRITE_DELAY_S if self._unwritten else None)
            except TimeoutError:
                self._ask_config_writes(older_than_s=0)
                continue
            if load_balancer_id is None:
                return
            self._work_queue.serve(load_balancer_id, self.apply)
            self._ask_config_writes(older_than_s=CONFIG_WRITE_MAX_DELAY_S)

    def _ask_config_writes(self, older_than_s: float) -> None:
        now = time.monotonic()
        with self._lock:
            due = [one for one, since in self._unwritten.items() if now - since >= older_than_s]
        for load_balancer_id in due:
            self._work_queue.submit_config_write(load_balancer_id)

    def apply(self, work: Work) -> bool:
        """Apply one load balancer's round; answers whether it is live. Only its worker thread may call this."""
        load_balancer_id = work.load_balancer_id
        if (work.whole or (work.members and not self._apply_members(load_balancer_id, work.members))
                or (work.access and not self._apply_access(load_balancer_id, work.access))):
            with self._lock:
                known = self._served.get(load_balancer_id)
                if known is not None:
                    known.in_sync = False
            return self.reconcile(load_balancer_id)
        if work.write_config:
            self._write_config(load_balancer_id)
        return True

    # 2. plan and apply

    def _apply_members(self, load_balancer_id: str, member_ids: frozenset[str]) -> bool:
        """Apply a change of these members only; False when only a whole rebuild can (nothing is known of
        the running process, it died, a pool is not in its config, or the engine refused a command)."""
        with self._lock:
            served = self._served.get(load_balancer_id)
        if served is None or not served.in_sync or not self.engine.running(load_balancer_id):
            return False
        if served.config.udp.pools:  # the UDP engine applies member changes with its whole configuration
            return False
        with self.db.read() as session:
            placed = placed_servers(store.stored_members(session, load_balancer_id, member_ids))
        gone = dict.fromkeys(member_ids - placed.keys())
        action = plan_members(served.config, {**placed, **gone})  # added in the order they were created
        if isinstance(action, Rebuild):
            return False
        if any(isinstance(command, DisableServer | DrainServer) for command in action.commands):  # a member held or at weight 0: its drain starts
            running = [as_live(backend, server) for backend in served.config.backends for server in backend.servers]
            self._after_drain(load_balancer_id, drain_wait_s(action.config, running))
        self.metrics.count(RUNTIME_COMMANDS, by=len(action.commands))
        applied = self._on_running_process(load_balancer_id, lambda: self.engine.apply_members(load_balancer_id, action))
        if applied is None:
            return False
        undeleted = applied[0]
        with self._lock:
            served.config = action.config
            served.undeleted_in = served.undeleted_in | undeleted
            self._unwritten.setdefault(load_balancer_id, time.monotonic())
        return True

    def _write_config(self, load_balancer_id: str) -> None:
        """Bring the config file up to the running process, so a restart or reload reproduces it."""
        with self._lock:
            served = self._served.get(load_balancer_id)
            if self._unwritten.pop(load_balancer_id, None) is None or served is None:
                return
        self.engine.write_config(load_balancer_id, served.config)

    def _apply_access(self, load_balancer_id: str, listener_ids: frozenset[str]) -> bool:
        """Replace only these listeners' access lists (their groups' entries changed); False when only a
        whole rebuild can (nothing is known of the running process, a listener's access control is not
        what runs, or the engine did not replace one). Reads just these listeners' access control."""
        with self._lock:
            served = self._served.get(load_balancer_id)
        if served is None or not served.in_sync or not self.engine.running(load_balancer_id):
            return False
        with self.db.read() as session:
            stored = store.stored_access(session, load_balancer_id, listener_ids)
        wanted = {one: access_control(record.ipgroup_enable, record.ipgroup_type, record.entries) if (record := stored.get(one)) else None
                  for one in listener_ids}
        action = plan_access(served.config, wanted)
        if isinstance(action, Rebuild):
            return False
        if self._on_running_process(load_balancer_id, lambda: self.engine.replace_access_lists(load_balancer_id, action)) is None:
            return False
        with self._lock:
            served.config = action.config
        return True

    def _on_running_process(self, load_balancer_id: str, change: Callable[[], T]) -> tuple[T] | None:
        """`change()` made through the running process's runtime API, timed and counted: its result (in a
        tuple, since it may be None), or None when the engine failed at it and the caller rebuilds."""
        started = time.perf_counter()
        try:
            result = change()
        except EngineError as error:
            log.warning("load balancer %s: %s; rebuilding it", load_balancer_id, error)
            self.metrics.count(APPLIES, (("outcome", "failed"),))
            return None
        finally:
            self.metrics.observe(APPLY_TIME, time.perf_counter() - started)
        self.metrics.count(APPLIES, (("outcome", "applied"),))
        return (result,)

    def reconcile(self, load_balancer_id: str) -> bool:
        """Bring one load balancer's engine to the stored state; answers whether it got there. Running
        it twice changes nothing."""
        started = time.perf_counter()
        planned = PlannedAction()
        done = False
        try:
            done = self._reconcile(load_balancer_id, planned)
            return done
        finally:
            self.metrics.count(ROUNDS, (("action", planned.name), ("outcome", "applied" if done else "failed")))
            self.metrics.observe(ROUND_TIME, time.perf_counter() - started, (("action", planned.name),))

    def _reconcile(self, load_balancer_id: str, planned: "PlannedAction") -> bool:
        with self._lock:
            known = self._served.get(load_balancer_id)
            prefetched = self._prefetched.pop(load_balancer_id, None)
        blocked: dict[str, str] = {}
        try:
            desired, tls = self._desired(load_balancer_id, prefetched)
            if desired is not None:
                self.engine.prepare(load_balancer_id)
                blocked = self.engine.unbindable(desired)  # served without them, until their ports are free
                desired = replace(
                    desired,
                    frontends=tuple(frontend for frontend in desired.frontends if frontend.name not in blocked),
                    udp=replace(desired.udp, listeners=tuple(listener for listener in desired.udp.listeners if listener.name not in blocked)),
                )
            live = self.engine.observe(load_balancer_id) if desired is not None else Live(running=False)
            skeleton = self.engine.skeleton(load_balancer_id, desired) if desired is not None else ""
            action = plan_load_balancer(desired, live, skeleton, {one: material.digest for one, material in tls.items()})
            if isinstance(action, Reload):  # at adoption (a restarted elbd) a reload is a surprise, and warned of
                log.log(logging.INFO if known else logging.WARNING, "load balancer %s: reloading%s: %s", load_balancer_id,
                        "" if known else " the process found running", skeleton_change(live.applied_skeleton, skeleton))
            health = known.health if known else prefetched.health if prefetched else self._stored_health(load_balancer_id)
            planned.name = action_name(action)
            if isinstance(action, Converge):
                self.metrics.count(RUNTIME_COMMANDS, by=len(action.commands))
            undeleted = self.engine.carry_out(load_balancer_id, action, _passed(health), tls)
            if desired is not None:
                self._after_drain(load_balancer_id, drain_wait_s(desired, list(live.servers)))
        except EngineError as error:
            log.error("load balancer %s: %s", load_balancer_id, error)
            self._record(load_balancer_id, "ERROR", str(error))
            serving = self.engine.watched_pid(load_balancer_id)  # the previous configuration, or none
            if serving is not None:
                self._watch(load_balancer_id, serving)
            self._try_again_later(load_balancer_id)
            return False
        if isinstance(action, Retire):
            self._forget(load_balancer_id)
            return True
        if isinstance(action, Reload):
            health = self._stored_health(load_balancer_id)
        with self._lock:
            self._served[load_balancer_id] = Served(action.config, health, undeleted)
            self._unwritten.pop(load_balancer_id, None)
        pid = self.engine.watched_pid(load_balancer_id)
        if pid is None:  # it died since: its exit came before it could be watched
            self._try_again_later(load_balancer_id)
            return False
        self._watch(load_balancer_id, pid)
        if blocked:
            message = "; ".join(blocked.values())
            log.error("load balancer %s: %s", load_balancer_id, message)
            self._record(load_balancer_id, "ERROR", f"{message}; the other listeners are served")
            self._try_again_later(load_balancer_id)
            return True
        with self._lock:
            self._failed_rounds.pop(load_balancer_id, None)
        self._record(load_balancer_id, "ACTIVE", "")
        return True

    def _desired(self, load_balancer_id: str, prefetched: "Prefetched | None") -> tuple[LoadBalancerConfig | None, Mapping[str, TlsMaterial]]:
        """The load balancer's desired configuration (None: no longer stored) and its certificates' content.
        The store is read only for what `prefetched` does not hold: everything, or the certificates. One
        this process does not hold (scope.py) is, for it, not stored: it retires it."""
        if not self.scope.holds(load_balancer_id):
            return None, {}
        desired = desired_config(prefetched.stored, self.maxconn) if prefetched is not None else None
        if desired is not None and not desired.certificates | desired.client_cas:
            return desired, {}
        with self.db.read() as session:
            if prefetched is None:
                stored = store.stored_load_balancer(session, load_balancer_id)
                desired = desired_config(stored, self.maxconn) if stored is not None else None
            return desired, self.tls(session, desired.certificates | desired.client_cas) if desired is not None else {}

    def _try_again_later(self, load_balancer_id: str) -> None:
        """A round fell short (a start failed or its process died at once, a listener's port was taken,
        the engine did not answer): try again after a growing delay, a bounded number of times, so that
        a dead process comes back without the poller and a freed port is served, while a configuration
        that cannot start does not spin. After the last, the poller and the next change still try."""
        with self._lock:
            attempt = self._failed_rounds.get(load_balancer_id, 0)
            self._failed_rounds[load_balancer_id] = attempt + 1
        if attempt >= len(RETRY_DELAYS_S):
            log.error("load balancer %s: %d rounds in a row fell short; no more retries until the next change", load_balancer_id, attempt)
            return
        timer = threading.Timer(RETRY_DELAYS_S[attempt], self._again, args=(load_balancer_id,))
        timer.daemon = True
        timer.start()

    def _after_drain(self, load_balancer_id: str, wait_s: int | None) -> None:
        """A round once a held member's drain timeout has passed (a second late: HAProxy counts whole
        seconds), to close what it still holds. A restarted elbd finds the deadline again from HAProxy."""
        if wait_s is None:
            return
        due = time.monotonic() + wait_s + 1
        with self._lock:  # one timer per deadline: rounds while a member drains would each ask for one
            pending = self._drain_rounds.setdefault(load_balancer_id, set())
            if any(abs(other - due) < 1 for other in pending):
                return
            pending.add(due)

        def come_back() -> None:
            with self._lock:
                self._drain_rounds.get(load_balancer_id, set()).discard(due)
            self._again(load_balancer_id)

        timer = threading.Timer(wait_s + 1, come_back)
        timer.daemon = True
        timer.start()

    def _watch(self, load_balancer_id: str, pid: int) -> None:
        with self._lock:
            self._watched.add(load_balancer_id)
        self._exits.watch(load_balancer_id, pid)

    def _forget(self, load_balancer_id: str) -> None:
        self._exits.forget(load_balancer_id)
        with self._lock:
            self._watched.discard(load_balancer_id)
            self._served.pop(load_balancer_id, None)
            self._unwritten.pop(load_balancer_id, None)
            self._failed_rounds.pop(load_balancer_id, None)
        self._recorded.pop(load_balancer_id, None)
        with self.db.write() as session:
            if self.scope.allowed(session, [load_balancer_id]):
                store.forget_status(session, load_balancer_id)

    def _record(self, load_balancer_id: str, state: str, message: str) -> None:
        """How the last round went, and which listeners the engine serves now."""
        message = for_tenants(message)
        listeners = self.engine.listener_states(load_balancer_id)
        if self._recorded.get(load_balancer_id) == (state, message, listeners):
            return
        self._recorded[load_balancer_id] = (state, message, listeners)
        with self.db.write() as session:
            if not self.scope.allowed(session, [load_balancer_id]):
                self._recorded.pop(load_balancer_id, None)
                return
            store.record_status(session, load_balancer_id, state, message, listeners)

    def _stored_health(self, load_balancer_id: str) -> dict[str, MemberHealth]:
        with self.db.read() as session:
            return store.member_health(session, load_balancer_id)

    # 3. health back

    def _poll(self) -> None:
        while not self._stopping.wait(self.poll_interval_s):
            unwatched_by_exits = self._exits.unwatched()
            with self._lock:
                served = dict(self._served)
                watched = self._watched - unwatched_by_exits
            checked, unwatched = poll_targets(served, watched)
            for load_balancer_id in unwatched:
                try:
                    if not self.engine.running(load_balancer_id):
                        self._restart(load_balancer_id)
                except Exception:
                    log.exception("looking at load balancer %s failed", load_balancer_id)
            changes: dict[str, dict[str, MemberHealth]] = {}
            for load_balancer_id in checked:
                try:
                    found = self._poll_one(load_balancer_id, served[load_balancer_id])
                except Exception:
                    log.exception("polling load balancer %s failed", load_balancer_id)
                    continue
                if found:
                    changes[load_balancer_id] = found
            if changes:
                self._save_health(changes, served)

    def _save_health(self, changes: dict[str, dict[str, MemberHealth]], served: Mapping[str, Served]) -> bool:
        """Write what the checks found (by load balancer), for those this process may still write for. A
        write that fails is forgotten in memory too, so the next pass finds those changes again: the
        poller neither dies nor leaves the store behind for good."""
        flat = {member: health for found in changes.values() for member, health in found.items()}
        try:
            with self.db.write() as session:
                allowed = self.scope.allowed(session, changes)
                store.save_member_health(session, {member: health for one in allowed for member, health in changes[one].items()})
            return True
        except Exception:
            log.exception("writing %d members' health failed; the next pass tries again", len(changes))
            for one in served.values():
                for member in flat:
                    one.health.pop(member, None)
            return False

    def _poll_one(self, load_balancer_id: str, served: Served) -> dict[str, MemberHealth]:
        """Check results of the checked backends (and of those still deleting a server): a server the
        engine has but the config has not (a deletion to retry, a change lost) rebuilds the load balancer."""
        if not self.engine.running(load_balancer_id):
            self._restart(load_balancer_id)
            return {}
        config = served.config
        polled = polled_backends(served)
        changes: dict[str, MemberHealth] = {}
        for backend in polled:
            rows = self.engine.check_reports(load_balancer_id, backend.name)
            # a worker may be between a runtime command and the config it leads to: judge unknowns when it is done
            judge_unknown = not self._work_queue.busy(load_balancer_id)
            for proxy, server, report in rows:
                if proxy != backend.name:
                    continue
                if server not in backend.server_names:
                    if judge_unknown:
                        self._again(load_balancer_id)
                    continue
                if backend.check is None:
                    continue
                previous = served.health.get(server, NO_RESULT)
                current = member_health(report, backend.check.expected_codes, previous)
                if current != previous:
                    served.health[server] = current
                    changes[server] = current
        if changes:
            self.engine.save_health(load_balancer_id, {backend.name for backend in config.backends if backend.check is not None})
        return changes

    def _exited(self, load_balancer_id: str) -> None:
        """The exit watch saw the process end: until a round watches a new one, the poller looks at it."""
        with self._lock:
            self._watched.discard(load_balancer_id)
        self._restart(load_balancer_id)

    def _restart(self, load_balancer_id: str) -> None:
        log.warning("load balancer %s: its engine is not running; starting it again", load_balancer_id)
        self._again(load_balancer_id)

    def again(self, load_balancer_id: str) -> None:
        """A round of the load balancer, as if it changed (an engine saw its process exit, or a member move)."""
        self._again(load_balancer_id)

    def _again(self, load_balancer_id: str) -> None:
        self._work_queue.submit(Changes.rebuild(load_balancer_id), counted=False)


@dataclass
class PlannedAction:
    """What a round planned, as far as it got ("none" before a plan): the label its metrics carry."""

    name: str = "none"


def _passed(health: dict[str, MemberHealth]) -> dict[str, bool]:
    return {member_id: known.status == "ONLINE" for member_id, known in health.items()}
