"""The HAProxy driver: converges each load balancer's HAProxy to the stored state, and reports what its
health checks find back to the store.

Changes arrive as events (after each commit) and are applied at once by a few worker threads, one
load balancer by one thread at a time. A change of members only is applied to just those servers
through the runtime API, from the config the driver holds for the running process; the config file
follows once the changes pause. Anything else (or anything unexpected on the way) rebuilds the load
balancer as a whole: servers through the runtime API, the rest by validate + reload. A poller reads
the check results of checked pools and writes the changes to the members. A process that dies is
started again as soon as its exit is seen (exit_watch.py), or else at the poller's next pass.
"""

import logging
import shutil
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select, update

from elbd.clock import utcnow
from elbd.dataplane.desired import desired_config, maxconn_for, placed_members
from elbd.dataplane.diff import STILL_CONNECTED, accepted, deleted_backend, member_plan, parse_servers_state, runtime_commands
from elbd.dataplane.exit_watch import ExitWatch
from elbd.dataplane.haproxy import HaproxyError, HaproxyProcess, socket_dir_for, unbindable
from elbd.dataplane.haproxy_words import UnsafeValue
from elbd.dataplane.health import NO_RESULT, Health, member_health, parse_frontends, parse_stat
from elbd.dataplane.model import LoadBalancerConfig
from elbd.dataplane.render import render
from elbd.dataplane.server_state import state_file
from elbd.dataplane.status_messages import for_tenants
from elbd.dataplane.work_queue import Work, WorkQueue
from elbd.private_paths import UnsafePathError
from elbd.store.db import Changes, Database
from elbd.store.models import DataplaneStatus, LoadBalancer, Member, Pool

log = logging.getLogger(__name__)
PLACEHOLDER = "elbd-placeholder"  # the frontend that keeps a listener-less configuration valid
PLANNED_LOAD_BALANCERS = 200
WORKERS = 4
CONFIG_WRITE_DELAY_S = 0.05  # the config file is written once no change came for this long ...
CONFIG_WRITE_MAX_DELAY_S = 2.0  # ... or once it is this far behind the running process
RETRY_DELAYS_S = (0.1, 0.3, 1.0, 3.0, 10.0)  # a round that fell short is tried again after these


@dataclass
class Served:
    """What the driver knows of one load balancer it serves. `config` is what the process runs, unless
    `in_sync` is off (a rebuild started and has not succeeded yet); `undeleted_in` names backends
    holding a removed server that still had connections."""

    process: HaproxyProcess
    config: LoadBalancerConfig
    health: dict[str, Health] = field(default_factory=dict)
    undeleted_in: frozenset[str] = frozenset()
    in_sync: bool = True


class HaproxyDriver:
    def __init__(self, db: Database, data_dir: Path, poll_interval_s: float = 0.5, binary: str = "haproxy") -> None:
        self.db = db
        self.data_dir = data_dir
        self.run_root = data_dir / "haproxy"
        self.poll_interval_s = poll_interval_s
        self.binary = binary
        self.maxconn = maxconn_for(PLANNED_LOAD_BALANCERS)
        self._work_queue = WorkQueue()
        self._served: dict[str, Served] = {}
        self._unwritten: dict[str, float] = {}  # load balancer -> since when its config file is behind
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._recorded: dict[str, tuple[str, str]] = {}
        self._exits = ExitWatch(self._restart)
        self._failed_rounds: dict[str, int] = {}  # load balancer -> rounds in a row that fell short

    def start(self) -> None:
        self.run_root.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self.db.read() as session:
            known = set(session.scalars(select(LoadBalancer.id)))
        on_disk = {path.name for path in self.run_root.iterdir() if path.is_dir()}
        for load_balancer_id in sorted(known | on_disk):
            self._work_queue.submit(load_balancer_id, Work(whole=True))
        targets = [(self._work, f"elbd-reconcile-{number}") for number in range(WORKERS)]
        targets += [(self._poll, "elbd-health"), (self._exits.run, "elbd-exits")]
        for target, name in targets:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def changed(self, changes: Changes) -> None:
        for load_balancer_id in changes.load_balancers:
            self._work_queue.submit(load_balancer_id, Work(whole=True))
        for load_balancer_id, member_ids in changes.members.items():
            self._work_queue.submit(load_balancer_id, Work(members=set(member_ids)))

    def wait_until_applied(self, load_balancer_ids: set[str], timeout_s: float) -> bool:
        return self._work_queue.wait_until_applied(load_balancer_ids, timeout_s)

    def stop(self) -> None:
        """Stops elbd's threads; the HAProxy processes keep serving."""
        self._stopping.set()
        self._exits.stop()
        self._work_queue.close()
        for thread in self._threads:
            thread.join(timeout=10)

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
            self._work_queue.submit(load_balancer_id, Work(write_config=True), counted=False)

    def apply(self, load_balancer_id: str, work: Work) -> bool:
        """Apply one load balancer's pending work; answers whether it is live. Only its worker thread
        may call this."""
        if work.whole or (work.members and not self._apply_members(load_balancer_id, work.members)):
            with self._lock:
                known = self._served.get(load_balancer_id)
                if known is not None:
                    known.in_sync = False
            return self.reconcile(load_balancer_id)
        if work.write_config:
            self.write_config(load_balancer_id)
        return True

    def write_config(self, load_balancer_id: str) -> None:
        """Bring the config file up to the running process, so a restart or reload reproduces it."""
        with self._lock:
            served = self._served.get(load_balancer_id)
            if self._unwritten.pop(load_balancer_id, None) is None or served is None:
                return
        served.process.write_config(render(served.config, served.process.run_dir, served.process.socket_dir))

    def _apply_members(self, load_balancer_id: str, member_ids: set[str]) -> bool:
        """Apply a change of these members only; False when only a whole rebuild can (nothing is known of
        the running process, it died, a pool is not in its config, or HAProxy refused a command)."""
        with self._lock:
            served = self._served.get(load_balancer_id)
        if served is None or not served.in_sync or not served.process.alive():
            return False
        with self.db.read() as session:
            placed = placed_members(session, load_balancer_id, member_ids)
        gone = dict.fromkeys(member_ids - placed.keys())
        plan = member_plan(served.config, {**placed, **gone})  # added in the order they were created
        if plan is None:
            return False
        try:
            undeleted = self._run_commands(served.process, load_balancer_id, plan.commands, strict=True)
        except HaproxyError:
            return False
        except OSError as error:
            log.warning("load balancer %s: the runtime API failed (%s); rebuilding it", load_balancer_id, error)
            return False
        with self._lock:
            served.config = plan.config
            served.undeleted_in = served.undeleted_in | undeleted
            self._unwritten.setdefault(load_balancer_id, time.monotonic())
        return True

    def _run_commands(self, process: HaproxyProcess, load_balancer_id: str, commands: list[str], strict: bool) -> frozenset[str]:
        """Run runtime commands; answers the backends where a `del server` had to wait for connections.
        `strict`: a refused command raises HaproxyError instead of being logged."""
        undeleted: set[str] = set()
        if not commands:
            return frozenset()
        with process.runtime_session() as session:
            answers = session.run_all(commands)
        for command, answer in zip(commands, answers, strict=True):
            backend = deleted_backend(command)
            if backend is not None and answer.startswith(STILL_CONNECTED):
                undeleted.add(backend)
            elif not accepted(answer):
                log.info("load balancer %s: %r -> %s", load_balancer_id, command, answer)
                if strict:
                    raise HaproxyError(answer)
        return frozenset(undeleted)

    def reconcile(self, load_balancer_id: str) -> bool:
        """Bring one load balancer's HAProxy to the stored state; answers whether it got there. Running
        it twice changes nothing."""
        with self.db.read() as session:
            desired = desired_config(session, load_balancer_id, self.maxconn)
        with self._lock:
            known = self._served.get(load_balancer_id)
        process = known.process if known else process_for(self.data_dir, load_balancer_id, self.binary)
        if desired is None:
            self._retire(load_balancer_id, process)
            return True
        try:
            process.prepare()
        except UnsafePathError as error:
            log.error("load balancer %s: %s", load_balancer_id, error)
            self._record(load_balancer_id, "ERROR", str(error))
            return False
        health = known.health if known else self._stored_health(load_balancer_id)
        undeleted: frozenset[str] = frozenset()
        applied = process.run_dir / "skeleton.cfg"
        restarted = False
        blocked = unbindable(desired.frontends)  # served without them, until their ports are free
        desired = replace(desired, frontends=tuple(frontend for frontend in desired.frontends if frontend.name not in blocked))
        try:
            full = render(desired, process.run_dir, process.socket_dir)
            skeleton = render(desired.skeleton(), process.run_dir, process.socket_dir)
            restarted = not process.alive()
            if restarted:
                self._start(process, full, desired, health)
            elif not applied.exists() or applied.read_text() != skeleton:
                self._reload(process, full, desired, health)
                health = self._stored_health(load_balancer_id)
            else:
                live = parse_servers_state(process.runtime("show servers state"))
                undeleted = self._run_commands(process, load_balancer_id, runtime_commands(desired, live), strict=False)
                process.write_config(full)
        except (HaproxyError, UnsafeValue) as error:
            log.error("load balancer %s: %s", load_balancer_id, error)
            self._record(load_balancer_id, "ERROR", str(error), process)
            serving = process.master_pid()  # the previous configuration, or none
            if serving is not None:
                self._exits.watch(load_balancer_id, serving)
            elif restarted:
                self._try_again_later(load_balancer_id)
            return False
        applied.write_text(skeleton)
        if (known is None or restarted) and (extra := process.stop_others()):
            log.warning("load balancer %s: stopped %d HAProxy master(s) beside the serving one", load_balancer_id, extra)
        with self._lock:
            self._served[load_balancer_id] = Served(process, desired, health, undeleted)
            self._unwritten.pop(load_balancer_id, None)
        master = process.master_pid()
        if master is None:  # it died since: its exit came before it could be watched
            self._try_again_later(load_balancer_id)
            return False
        self._exits.watch(load_balancer_id, master)
        if blocked:
            message = "; ".join(blocked.values())
            log.error("load balancer %s: %s", load_balancer_id, message)
            self._record(load_balancer_id, "ERROR", f"{message}; the other listeners are served", process)
            self._try_again_later(load_balancer_id)
            return True
        with self._lock:
            self._failed_rounds.pop(load_balancer_id, None)
        self._record(load_balancer_id, "ACTIVE", "", process)
        return True

    def _try_again_later(self, load_balancer_id: str) -> None:
        """A start failed (or its process died at once), or a listener's port was taken: try again
        after a growing delay, a bounded number of times, so that a dead HAProxy comes back without the
        poller and a freed port is served, while a configuration that cannot start does not spin.
        After the last, the poller and the next change still try."""
        with self._lock:
            attempt = self._failed_rounds.get(load_balancer_id, 0)
            self._failed_rounds[load_balancer_id] = attempt + 1
        if attempt >= len(RETRY_DELAYS_S):
            log.error("load balancer %s: %d rounds in a row fell short; no more retries until the next change", load_balancer_id, attempt)
            return
        timer = threading.Timer(RETRY_DELAYS_S[attempt], self._again, args=(load_balancer_id,))
        timer.daemon = True
        timer.start()

    def _stored_health(self, load_balancer_id: str) -> dict[str, Health]:
        query = (
            select(Member.id, Member.health_status, Member.reason_code, Member.expected_response, Member.healthcheck_response)
            .join(Pool, Pool.id == Member.pool_id)
            .where(Pool.loadbalancer_id == load_balancer_id)
        )
        with self.db.read() as session:
            return {row[0]: Health(*row[1:]) for row in session.execute(query)}

    def _start(self, process: HaproxyProcess, config_text: str, desired: LoadBalancerConfig, health: dict[str, Health]) -> None:
        """A fresh process: members not known ONLINE are DOWN from its first instant, until their checks pass.
        A configuration HAProxy refuses is never written; the last one it took starts instead, if any."""
        error = process.validate(config_text)
        if error is None:
            process.write_config(config_text)
        elif not process.config.exists() or process.validate(process.config.read_text()) is not None:
            raise HaproxyError(f"the configuration is invalid: {error}")
        process.write_server_state(state_file(desired, _passed(health)))
        process.start()
        if error is not None:
            raise HaproxyError(f"the configuration is invalid, the previous one serves: {error}")

    def _reload(self, process: HaproxyProcess, config_text: str, desired: LoadBalancerConfig, health: dict[str, Health]) -> None:
        """Health state carries over for checked servers the process has; a checked server it lacks is
        DOWN until it passes (or as known). Servers of unchecked backends have no check to bring them up."""
        error = process.validate(config_text)
        if error:
            raise HaproxyError(f"the new configuration is invalid, the previous one keeps serving: {error}")
        checked = {backend.name for backend in desired.backends if backend.check}
        live = process.live_server_state(checked)
        process.write_config(config_text)
        process.reload(state_file(desired, _passed(health), live))

    def _retire(self, load_balancer_id: str, process: HaproxyProcess) -> None:
        self._exits.forget(load_balancer_id)
        process.stop()
        process.remove_files()
        with self._lock:
            self._served.pop(load_balancer_id, None)
            self._unwritten.pop(load_balancer_id, None)
            self._failed_rounds.pop(load_balancer_id, None)
        self._recorded.pop(load_balancer_id, None)
        with self.db.write() as session:
            status = session.get(DataplaneStatus, load_balancer_id)
            if status is not None:
                session.delete(status)

    def _record(self, load_balancer_id: str, state: str, message: str, process: HaproxyProcess | None = None) -> None:
        """How the last apply went, and which listeners the running process (if any) serves."""
        message = for_tenants(message)
        listeners = _served_listeners(process)
        if self._recorded.get(load_balancer_id) == (state, message, listeners):
            return
        self._recorded[load_balancer_id] = (state, message, listeners)
        with self.db.write() as session:
            status = session.get(DataplaneStatus, load_balancer_id)
            if status is None:
                session.add(
                    DataplaneStatus(loadbalancer_id=load_balancer_id, state=state, message=message, listeners=listeners, updated_at=utcnow())
                )
            elif (status.state, status.message, status.listeners) != (state, message, listeners):
                status.state, status.message, status.listeners, status.updated_at = state, message, listeners, utcnow()

    def _poll(self) -> None:
        while not self._stopping.wait(self.poll_interval_s):
            with self._lock:
                served = dict(self._served)
            changes: dict[str, Health] = {}
            for load_balancer_id, one in served.items():
                try:
                    changes.update(self._poll_one(load_balancer_id, one))
                except Exception:
                    log.exception("polling load balancer %s failed", load_balancer_id)
            if changes:
                self._store_health(changes)

    def _poll_one(self, load_balancer_id: str, served: Served) -> dict[str, Health]:
        """Check results of the checked backends (and of those still deleting a server): a server HAProxy
        has but the config has not (a deletion to retry, a change lost) rebuilds the load balancer."""
        if not served.process.alive():
            self._restart(load_balancer_id)
            return {}
        config = served.config
        polled = [backend for backend in config.backends if backend.check is not None or backend.name in served.undeleted_in]
        changes: dict[str, Health] = {}
        for backend in polled:
            rows = parse_stat(served.process.runtime(f"show stat {backend.name} 4 -1"))
            # a worker may be between a runtime command and the config it leads to: judge unknowns when it is done
            judge_unknown = not self._work_queue.busy(load_balancer_id)
            for proxy, server, report in rows:
                if proxy != backend.name:
                    continue
                if server not in backend.server_names:
                    if judge_unknown:
                        self._work_queue.submit(load_balancer_id, Work(whole=True), counted=False)
                    continue
                if backend.check is None:
                    continue
                previous = served.health.get(server, NO_RESULT)
                current = member_health(report, backend.check.expected_codes, previous)
                if current != previous:
                    served.health[server] = current
                    changes[server] = current
        if changes:
            served.process.save_server_state({backend.name for backend in config.backends if backend.check is not None})
        return changes

    def _restart(self, load_balancer_id: str) -> None:
        log.warning("load balancer %s: HAProxy is not running; starting it again", load_balancer_id)
        self._again(load_balancer_id)

    def _again(self, load_balancer_id: str) -> None:
        self._work_queue.submit(load_balancer_id, Work(whole=True), counted=False)

    def _store_health(self, changes: dict[str, Health]) -> None:
        now = utcnow()
        with self.db.write() as session:
            for member_id, health in changes.items():
                session.execute(
                    update(Member)
                    .where(Member.id == member_id)
                    .values(
                        health_status=health.status,
                        reason_code=health.reason_code,
                        expected_response=health.expected_response,
                        healthcheck_response=health.healthcheck_response,
                        health_changed_at=now,
                    )
                )


def process_for(data_dir: Path, load_balancer_id: str, binary: str = "haproxy") -> HaproxyProcess:
    return HaproxyProcess(data_dir / "haproxy" / load_balancer_id, socket_dir_for(data_dir, load_balancer_id), binary)


def stop_all(data_dir: Path) -> int:
    """Stop every HAProxy this data directory's elbd started, also one it lost track of; answers for
    how many load balancers one was running."""
    run_root = data_dir / "haproxy"
    stopped = 0
    for run_dir in sorted(run_root.iterdir()) if run_root.is_dir() else []:
        process = process_for(data_dir, run_dir.name)
        stopped += process.stop()
        shutil.rmtree(process.socket_dir, ignore_errors=True)
    return stopped


def _served_listeners(process: HaproxyProcess | None) -> dict[str, str]:
    """Each frontend's status as the running process reports it (none when it does not run or answer)."""
    if process is None or not process.alive():
        return {}
    try:
        text = process.runtime("show stat -1 1 -1")
        return {name: status for name, status in parse_frontends(text).items() if name != PLACEHOLDER}
    except OSError:
        return {}


def _passed(health: dict[str, Health]) -> dict[str, bool]:
    return {member_id: known.status == "ONLINE" for member_id, known in health.items()}
