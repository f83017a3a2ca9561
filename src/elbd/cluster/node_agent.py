"""`elbd agent --node NAME`: the data plane of the load balancers this node holds a lease on.

One thread keeps the leases (every RENEW_EVERY_S, or at once when a notification comes): in one short
transaction it beats the node's heartbeat, renews what it holds, looks at the cluster and claims what
the decisions (decisions.py) give it. What it holds, at which epoch, is the reconciler's scope: the
reconciler serves those load balancers only, and writes status and health for one only while the
database still says the node holds it at that epoch (store/leases.py: still_held). A load balancer
newly held, lost, or whose configuration version moved is reconciled again; so a notification lost
while the listener reconnects costs one renewal's delay, nothing more.

The fence watch (fence_watch.py), a process apart, stops the engines when renewals stop; the scope
stops serving at the same deadline, so a node that comes back from a freeze starts nothing again until
it holds a lease once more.
"""

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import psycopg
from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.orm import Session

from elbd.changes import Changes
from elbd.cluster.decisions import arrivals, claims, fenced, mass_failure, version_changed
from elbd.cluster.fence_watch import fence
from elbd.cluster.timing import RENEW_EVERY_S
from elbd.cluster.vip import Vips
from elbd.dataplane import haproxy_engine
from elbd.dataplane.reconciler import Reconciler
from elbd.store import leases
from elbd.store.leases import Held

log = logging.getLogger(__name__)
LEASE_STATEMENT_TIMEOUT_MS = 1000  # a renewal that takes longer has missed its turn anyway
LISTEN_RECONNECT_S = 1.0
NOTIFIED_TICK_GAP_S = 0.05  # notifications wake the lease thread at most this often
MOVE_READY_TIMEOUT_S = 30.0
EXIT_WAIT_S = 10.0


class LeasedScope:
    """What the node holds (load balancer -> epoch) since which renewal; reconciler.Scope."""

    def __init__(self, node: str) -> None:
        self.node = node
        self._held: dict[str, int] = {}
        self._arriving: set[str] = set()  # moved here by an operator: served before the lease is taken
        self._renewed: float | None = None
        self._lock = threading.Lock()

    def holds(self, load_balancer_id: str) -> bool:
        with self._lock:
            if fenced(time.monotonic(), self._renewed):
                return False
            return load_balancer_id in self._held or load_balancer_id in self._arriving

    def allowed(self, session: Session, load_balancer_ids: Iterable[str]) -> set[str]:
        with self._lock:
            if fenced(time.monotonic(), self._renewed):
                return set()
            mine = {one: self._held[one] for one in load_balancer_ids if one in self._held}
        return leases.still_held(session.connection(), mine, self.node) if mine else set()

    def renewed(self, held: Mapping[str, int], started: float) -> bool:
        """A renewal that began at `started` succeeded; answers whether the node was fenced before it."""
        with self._lock:
            was_fenced = fenced(time.monotonic(), self._renewed)
            self._held, self._renewed = dict(held), started
            self._arriving -= set(held)
        return was_fenced

    def arriving(self, load_balancer_id: str, coming: bool) -> None:
        with self._lock:
            (self._arriving.add if coming else self._arriving.discard)(load_balancer_id)


class FenceWatch:
    """The fence watch process (fence_watch.py) and what the agent tells it."""

    def __init__(self, data_dir: Path, interface: str | None) -> None:
        arguments = [sys.executable, "-m", "elbd.cluster.fence_watch", str(data_dir), *([interface] if interface else [])]
        # its own session: a Ctrl-C or a signal to the agent's process group does not end the watch with it
        self.process = subprocess.Popen(arguments, stdin=subprocess.PIPE, start_new_session=True)
        self._lock = threading.Lock()

    def tell(self, line: str) -> None:
        with self._lock:
            try:
                assert self.process.stdin is not None
                self.process.stdin.write(f"{line}\n".encode())
                self.process.stdin.flush()
            except (BrokenPipeError, ValueError):
                log.error("the fence watch is gone; without renewals nothing will stop this node's engines")

    def exit(self) -> None:
        """The agent stopped its engines itself: the watch ends (killed, if it does not within the wait)."""
        self.tell("exit")
        try:
            self.process.wait(EXIT_WAIT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(EXIT_WAIT_S)


class NodeAgent:
    def __init__(
        self, node: str, database_url: str, data_dir: Path, reconciler: Reconciler, scope: LeasedScope, vips: Vips, watch: FenceWatch
    ) -> None:
        self.node = node
        self.data_dir = data_dir
        self.database_url = database_url
        self.reconciler = reconciler
        self.scope = scope
        self.vips = vips
        self.watch = watch
        self.stopping = threading.Event()
        self._wake = threading.Event()
        self._seen: dict[str, tuple[int, int]] = {}  # held load balancer -> (epoch, config version) at the last look
        self._unreported: dict[str, Held] = {}  # reconciled again for this epoch and version: to record once applied
        self._report = threading.Condition()
        self._moves: set[str] = set()
        self._mass_failure = False
        self._leases: Engine = create_engine(
            database_url, pool_size=2, max_overflow=2, pool_pre_ping=True,
            connect_args={"connect_timeout": 2, "options": f"-c statement_timeout={LEASE_STATEMENT_TIMEOUT_MS}"},
        )
        self._threads: list[threading.Thread] = []

    def start(self, also: Iterable[str] = ()) -> None:
        """The first look (what this node holds) before the reconciler's first rounds, then the threads;
        `also`: what the engines run (a previous run's), retired unless held."""
        self._tick_safely()
        self.reconciler.start(also=also)
        for target, name in ((self._keep_leases, "elbd-leases"), (self._listen, "elbd-listen"), (self._report_applied, "elbd-applied")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop serving: the engines stop, the leases are handed back (other nodes claim them at their
        next look), the fence watch ends."""
        self.stopping.set()
        self._wake.set()
        with self._report:
            self._report.notify()
        for thread in self._threads:
            thread.join(5)
        self.reconciler.stop()
        fence(self.data_dir, self.vips)
        try:
            with self._leases.begin() as connection:
                leases.release(connection, self.node)
        except Exception:
            log.exception("handing the leases back failed; they run out by themselves")
        self.watch.exit()
        self._leases.dispose()

    # the leases

    def _keep_leases(self) -> None:
        while not self.stopping.is_set():
            self._wake.wait(RENEW_EVERY_S)
            self._wake.clear()
            if self.stopping.is_set():
                return
            self._tick_safely()
            time.sleep(NOTIFIED_TICK_GAP_S)

    def _tick_safely(self) -> None:
        try:
            self.tick()
        except Exception as error:
            log.warning("renewing the leases failed (%s); the node fences itself if that lasts", str(error).splitlines()[0])

    def tick(self) -> None:
        started = time.monotonic()
        with self._leases.begin() as connection:
            leases.heartbeat(connection, self.node)
            held = leases.renew(connection, self.node)
            seen = leases.look(connection)
            self._say_mass_failure(mass_failure(seen))
            for load_balancer_id in claims(self.node, seen):
                claimed = leases.claim(connection, load_balancer_id, self.node)
                if claimed is not None:
                    log.info("took load balancer %s at epoch %d", load_balancer_id, claimed.epoch)
                    held[load_balancer_id] = claimed
            vip_of = leases.vips_of(connection, held)
        was_fenced = self.scope.renewed({one: lease.epoch for one, lease in held.items()}, started)
        self.watch.tell(f"renewed {started}")
        self._apply(held, vip_of, was_fenced)
        for load_balancer_id in arrivals(self.node, seen):
            self._arrive(load_balancer_id)

    def _say_mass_failure(self, now: bool) -> None:
        """Log when failover stops for a mass failure, and when it resumes (not at every renewal)."""
        if now != self._mass_failure:
            if now:
                log.error("most serving nodes lost their leases at once: failover stopped (the database or the network is the likelier cause)")
            else:
                log.warning("failover resumed: the mass failure is over")
        self._mass_failure = now

    def _apply(self, held: Mapping[str, Held], vip_of: Mapping[str, str], was_fenced: bool) -> None:
        """Reconcile what is newly held or changed, and let go of what was lost; the VIPs of what is held
        go on the interface first (an engine binds them), those of what was lost come off."""
        now = {one: (lease.epoch, lease.config_version) for one, lease in held.items()}
        lost = set(self._seen) - set(now)
        again = set(now) | lost if was_fenced else version_changed(self._seen, now)
        self._seen = now
        if not was_fenced:  # moved to another node, which serves it already: finish what runs; the exit brings the round that retires it
            for load_balancer_id in sorted(lost):
                log.info("load balancer %s is served by another node now; finishing its connections here", load_balancer_id)
                haproxy_engine.soft_stop(self.data_dir, load_balancer_id)
        if was_fenced:
            self.vips.remember(())  # the fence watch dropped them
        wanted = set(vip_of.values())
        changed = [self.vips.add(vip) for vip in sorted(wanted)] + [self.vips.drop(vip) for vip in self.vips.added() if vip not in wanted]
        if any(changed) or was_fenced:
            self.watch.tell(" ".join(["vips", *self.vips.added()]))
        for load_balancer_id in sorted(again):
            self.reconciler.changed(Changes.rebuild(load_balancer_id))
        with self._report:
            for load_balancer_id in lost:
                self._unreported.pop(load_balancer_id, None)
            self._unreported.update({one: held[one] for one in again if one in held})
            self._report.notify()

    def _report_applied(self) -> None:
        """Record in the database the configuration version each reconciled load balancer now serves
        (an API replica's answer waits for it: cluster/replica_waits.py). The version was read before
        the round that applied it read the store, so the data plane holds at least that version."""
        while not self.stopping.is_set():
            with self._report:
                if not self._unreported:
                    self._report.wait(RENEW_EVERY_S)
                waiting = dict(self._unreported)
            if not waiting or not self.reconciler.wait_until_applied(set(waiting), RENEW_EVERY_S):
                waiting = {one: held for one, held in waiting.items() if self.reconciler.wait_until_applied({one}, 0)}
            if not waiting:  # still being applied, or failing (the reconciler retries): look again later
                with self._report:
                    self._report.wait(RENEW_EVERY_S)
                continue
            try:
                with self._leases.begin() as connection:
                    leases.record_applied(connection, self.node, waiting)
            except Exception as error:
                log.warning("recording the applied versions failed (%s); trying again", str(error).splitlines()[0])
                self.stopping.wait(RENEW_EVERY_S)
                continue
            with self._report:
                for one, held in waiting.items():
                    if self._unreported.get(one) == held:
                        del self._unreported[one]

    def _arrive(self, load_balancer_id: str) -> None:
        """An operator moves the load balancer here: serve it first, then take the lease (the old node
        stops at its next renewal)."""
        if load_balancer_id in self._moves:
            return
        self._moves.add(load_balancer_id)

        def bring_up() -> None:
            try:
                self.scope.arriving(load_balancer_id, True)
                self.reconciler.changed(Changes.rebuild(load_balancer_id))
                if self.reconciler.wait_until_applied({load_balancer_id}, MOVE_READY_TIMEOUT_S):
                    with self._leases.begin() as connection:
                        arrived = leases.arrive(connection, load_balancer_id, self.node)
                    log.info("load balancer %s moved here%s", load_balancer_id, "" if arrived else ": the move was called off")
            except Exception:
                log.exception("moving load balancer %s here failed", load_balancer_id)
            finally:
                self.scope.arriving(load_balancer_id, False)
                self._moves.discard(load_balancer_id)
                self._wake.set()

        threading.Thread(target=bring_up, name="elbd-move", daemon=True).start()

    # notifications

    def _listen(self) -> None:
        """Wake the lease thread when a write names load balancers; the next look finds which changed."""
        url = make_url(self.database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        while not self.stopping.is_set():
            try:
                with psycopg.connect(url, autocommit=True, connect_timeout=2) as connection:
                    connection.execute(f"LISTEN {leases.CONFIG_CHANNEL}")
                    self._wake.set()  # what was missed while not listening
                    while not self.stopping.is_set():
                        for _ in connection.notifies(timeout=1.0, stop_after=1):
                            self._wake.set()
            except psycopg.Error as error:
                log.warning("listening for changes failed (%s); the renewals keep finding them", str(error).splitlines()[0])
                self.stopping.wait(LISTEN_RECONNECT_S)

def serve_node(node: str, database_url: str, data_dir: Path, haproxy: str, interface: str | None, stop: threading.Event) -> None:
    """Run the node's data plane until `stop` is set. The engines are those of `elbd serve`'s agent."""
    from elbd.dataplane.access_log_receiver import receive_access_logs
    from elbd.dataplane.agent import raise_descriptor_limit
    from elbd.dataplane.engines import Engines
    from elbd.dataplane.haproxy_engine import HaproxyEngine
    from elbd.dataplane.nginx_engine import NginxEngine
    from elbd.dataplane.reconciler import certificates_in_store
    from elbd.heap import freeze_startup_heap
    from elbd.store.dataplane import MemberHealth, save_member_health
    from elbd.store.db import Database
    from elbd.store.secret_box import KEY_FILE_NAME, load_key_file
    from elbd.udp_engine import nginx_binary

    raise_descriptor_limit()
    db = Database(database_url)
    engine = Engines(HaproxyEngine(data_dir, haproxy), NginxEngine(data_dir, nginx_binary()))
    scope = LeasedScope(node)
    reconciler = Reconciler(db, engine, tls=certificates_in_store(load_key_file(data_dir / KEY_FILE_NAME)), scope=scope)

    def save_udp_health(changes: Mapping[str, MemberHealth]) -> None:
        with db.write() as session:
            owners = leases.load_balancers_of_members(session.connection(), changes)
            allowed = scope.allowed(session, set(owners.values()))
            save_member_health(session, {member: health for member, health in changes.items() if owners.get(member) in allowed})

    engine.udp.on_round = reconciler.again
    engine.udp.on_health = save_udp_health
    vips = Vips(interface)
    watch = FenceWatch(data_dir, interface)
    agent = NodeAgent(node, database_url, data_dir, reconciler, scope, vips, watch)
    engine.udp.start()
    access_logs = receive_access_logs(data_dir, reconciler.metrics)
    try:
        agent.start(also=engine.known_load_balancers())
        freeze_startup_heap()  # as `elbd serve`'s agent does (heap.py)
        stop.wait()
    finally:
        agent.stop()
        engine.udp.stop()
        if access_logs is not None:
            access_logs.stop()
        db.dispose()
