"""The HAProxy driver: converges each load balancer's HAProxy to the stored state, and reports what its
health checks find back to the store.

Changes arrive as events (after each commit) and are applied at once by one worker thread: member
changes through the runtime API, anything else by validate + reload. A poller reads every process's
check results, writes the changes to the members, and restarts a process that died.
"""

import csv
import logging
import queue
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, update

from elbd.clock import utcnow
from elbd.dataplane.desired import desired_config, maxconn_for
from elbd.dataplane.diff import parse_servers_state, runtime_commands
from elbd.dataplane.haproxy import HaproxyError, HaproxyProcess, socket_dir_for
from elbd.dataplane.health import NO_RESULT, CheckReport, Health, member_health
from elbd.dataplane.model import LoadBalancerConfig
from elbd.dataplane.render import render
from elbd.store.db import Database
from elbd.store.models import DataplaneStatus, LoadBalancer, Member, Pool

log = logging.getLogger(__name__)
PLANNED_LOAD_BALANCERS = 200
STOP = ""


@dataclass
class Served:
    """What the driver knows of one load balancer it serves."""

    process: HaproxyProcess
    config: LoadBalancerConfig
    health: dict[str, Health] = field(default_factory=dict)


class HaproxyDriver:
    def __init__(self, db: Database, data_dir: Path, poll_interval_s: float = 0.5, binary: str = "haproxy") -> None:
        self.db = db
        self.data_dir = data_dir
        self.run_root = data_dir / "haproxy"
        self.poll_interval_s = poll_interval_s
        self.binary = binary
        self.maxconn = maxconn_for(PLANNED_LOAD_BALANCERS)
        self._events: queue.Queue[str] = queue.Queue()
        self._served: dict[str, Served] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._recorded: dict[str, tuple[str, str]] = {}
        self._requested: dict[str, int] = {}
        self._applied: dict[str, int] = {}
        self._progress = threading.Condition()

    def start(self) -> None:
        self.run_root.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self.db.read() as session:
            known = set(session.scalars(select(LoadBalancer.id)))
        on_disk = {path.name for path in self.run_root.iterdir() if path.is_dir()}
        for load_balancer_id in sorted(known | on_disk):
            self._events.put(load_balancer_id)
        for target, name in ((self._work, "elbd-reconcile"), (self._poll, "elbd-health")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def load_balancers_changed(self, load_balancer_ids: set[str]) -> None:
        with self._progress:
            for load_balancer_id in load_balancer_ids:
                self._requested[load_balancer_id] = self._requested.get(load_balancer_id, 0) + 1
        for load_balancer_id in load_balancer_ids:
            self._events.put(load_balancer_id)

    def wait_until_applied(self, load_balancer_ids: set[str], timeout_s: float) -> bool:
        with self._progress:
            targets = {one: self._requested.get(one, 0) for one in load_balancer_ids}
            return self._progress.wait_for(
                lambda: all(self._applied.get(one, 0) >= target for one, target in targets.items()), timeout=timeout_s
            )

    def stop(self) -> None:
        """Stops elbd's threads; the HAProxy processes keep serving."""
        self._stopping.set()
        self._events.put(STOP)
        for thread in self._threads:
            thread.join(timeout=10)

    def _work(self) -> None:
        while not self._stopping.is_set():
            load_balancer_id = self._events.get()
            if load_balancer_id == STOP:
                return
            pending = {load_balancer_id}
            while not self._events.empty():
                pending.add(self._events.get_nowait())
            pending.discard(STOP)
            for one in sorted(pending):
                with self._progress:
                    target = self._requested.get(one, 0)
                try:
                    self.reconcile(one)
                except Exception:
                    log.exception("reconciling load balancer %s failed", one)
                with self._progress:
                    self._applied[one] = max(self._applied.get(one, 0), target)
                    self._progress.notify_all()

    def reconcile(self, load_balancer_id: str) -> None:
        """Bring one load balancer's HAProxy to the stored state; running it twice changes nothing."""
        with self.db.read() as session:
            desired = desired_config(session, load_balancer_id, self.maxconn)
        with self._lock:
            known = self._served.get(load_balancer_id)
        process = known.process if known else process_for(self.data_dir, load_balancer_id, self.binary)
        if desired is None:
            self._retire(load_balancer_id, process)
            return
        process.prepare()
        health = known.health if known else self._stored_health(load_balancer_id)
        full = render(desired, process.run_dir, process.socket_dir)
        skeleton = render(desired.skeleton(), process.run_dir, process.socket_dir)
        applied = process.run_dir / "skeleton.cfg"
        try:
            if not process.alive():
                self._start(process, full, desired, health)
            elif not applied.exists() or applied.read_text() != skeleton:
                self._reload(process, full, {backend.name for backend in desired.backends if backend.check})
                health = self._stored_health(load_balancer_id)
            else:
                self._apply_runtime(process, desired)
                process.write_config(full)
        except HaproxyError as error:
            log.error("load balancer %s: %s", load_balancer_id, error)
            self._record(load_balancer_id, "ERROR", str(error))
            return
        applied.write_text(skeleton)
        with self._lock:
            self._served[load_balancer_id] = Served(process, desired, health)
        self._record(load_balancer_id, "ACTIVE", "")

    def _stored_health(self, load_balancer_id: str) -> dict[str, Health]:
        query = (
            select(Member.id, Member.health_status, Member.reason_code, Member.expected_response, Member.healthcheck_response)
            .join(Pool, Pool.id == Member.pool_id)
            .where(Pool.loadbalancer_id == load_balancer_id)
        )
        with self.db.read() as session:
            return {row[0]: Health(*row[1:]) for row in session.execute(query)}

    def _start(self, process: HaproxyProcess, config_text: str, desired: LoadBalancerConfig, health: dict[str, Health]) -> None:
        """A fresh process: members not known ONLINE wait for their checks before taking traffic."""
        error = process.validate(config_text)
        if error:
            raise HaproxyError(error)
        process.write_config(config_text)
        process.start()
        for backend in desired.backends:
            if backend.check is None:
                continue
            for server in backend.servers:
                if health.get(server.name, NO_RESULT).status != "ONLINE":
                    process.runtime(f"set server {backend.name}/{server.name} health down")

    def _reload(self, process: HaproxyProcess, config_text: str, checked_backends: set[str]) -> None:
        error = process.validate(config_text)
        if error:
            raise HaproxyError(f"the new configuration is invalid, the previous one keeps serving: {error}")
        process.write_config(config_text)
        process.reload(checked_backends)

    def _apply_runtime(self, process: HaproxyProcess, desired: LoadBalancerConfig) -> None:
        live = parse_servers_state(process.runtime("show servers state"))
        for command in runtime_commands(desired, live):
            answer = process.runtime(command).strip()
            if answer and not answer.startswith(("New server registered", "Server deleted")):
                log.info("load balancer %s: %r -> %s", desired.id, command, answer)

    def _retire(self, load_balancer_id: str, process: HaproxyProcess) -> None:
        process.stop()
        process.remove_files()
        with self._lock:
            self._served.pop(load_balancer_id, None)
        self._recorded.pop(load_balancer_id, None)
        with self.db.write() as session:
            status = session.get(DataplaneStatus, load_balancer_id)
            if status is not None:
                session.delete(status)

    def _record(self, load_balancer_id: str, state: str, message: str) -> None:
        message = message[:2000]
        if self._recorded.get(load_balancer_id) == (state, message):
            return
        self._recorded[load_balancer_id] = (state, message)
        with self.db.write() as session:
            status = session.get(DataplaneStatus, load_balancer_id)
            if status is None:
                session.add(DataplaneStatus(loadbalancer_id=load_balancer_id, state=state, message=message, updated_at=utcnow()))
            elif (status.state, status.message) != (state, message):
                status.state, status.message, status.updated_at = state, message, utcnow()

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
        if not served.process.alive():
            log.warning("load balancer %s: HAProxy is not running; starting it again", load_balancer_id)
            self._events.put(load_balancer_id)
            return {}
        rows = csv.DictReader(served.process.runtime("show stat -1 4 -1").removeprefix("# ").splitlines())
        wanted = {(backend.name, server.name) for backend in served.config.backends for server in backend.servers}
        checked = {backend.name: backend.check for backend in served.config.backends if backend.check is not None}
        changes: dict[str, Health] = {}
        for row in rows:
            key = (row.get("pxname", ""), row.get("svname", ""))
            if key not in wanted:
                self._events.put(load_balancer_id)
                continue
            check = checked.get(key[0])
            if check is None:
                continue
            report = CheckReport(row.get("status", ""), row.get("check_status", ""), row.get("check_code", ""), row.get("last_chk", ""))
            previous = served.health.get(key[1], NO_RESULT)
            current = member_health(report, check.expected_codes, previous)
            if current != previous:
                served.health[key[1]] = current
                changes[key[1]] = current
        if changes:
            served.process.save_server_state()
        return changes

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
    """Stop every HAProxy this data directory's elbd started; answers how many were running."""
    run_root = data_dir / "haproxy"
    stopped = 0
    for run_dir in sorted(run_root.iterdir()) if run_root.is_dir() else []:
        process = process_for(data_dir, run_dir.name)
        if process.alive():
            stopped += 1
        process.stop()
        shutil.rmtree(process.socket_dir, ignore_errors=True)
    return stopped
