"""The UDP engine: one nginx (stream module) process per load balancer with UDP listeners, and the
UDP_CONNECT checks elbd runs itself (nginx's open-source edition has no active UDP checks).

`converge` brings a load balancer's process to its UdpConfig: the file rendered (nginx_render.py)
with the members the checks took out marked `down`, `nginx -t`, then a start or a graceful reload,
confirmed by the new workers; nothing when the running process already has the text (adoption). A
probe whose verdict moves a member in or out of traffic asks for a round of its load balancer
(`on_round`), which converges again; health results go to `on_health` as they change.
"""

import functools
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from elbd.dataplane.engine import EngineError
from elbd.dataplane.exit_watch import ExitWatch
from elbd.dataplane.haproxy_words import UnsafeValue
from elbd.dataplane.nginx import NginxProcess
from elbd.dataplane.nginx_render import render
from elbd.dataplane.udp_checks import CheckState, after_probe, failure_of, starting_state
from elbd.dataplane.nginx_words import endpoint
from elbd.dataplane.udp_model import UdpCheck, UdpConfig, UdpListener, UdpMember
from elbd.dataplane.udp_probe import probe
from elbd.private_paths import UnsafePathError
from elbd.store.dataplane import MemberHealth
from elbd.udp_engine import STREAM_MODULE

log = logging.getLogger(__name__)
PROBE_WORKERS = 32
TICK_S = 0.1


def _ignore(_load_balancer_id: str) -> None:
    return None


def _ignore_health(_changes: Mapping[str, MemberHealth]) -> None:
    return None


class NginxEngine:
    def __init__(self, data_dir: Path, binary: str | None, stream_module: Path = STREAM_MODULE) -> None:
        self.data_dir = data_dir
        self.binary = binary
        self.stream_module = stream_module
        self.on_round: Callable[[str], None] = _ignore  # a load balancer needs a round (its process exited, a member moved)
        self.on_health: Callable[[Mapping[str, MemberHealth]], None] = _ignore_health
        self._lock = threading.Lock()
        self._configs: dict[str, UdpConfig] = {}  # what each load balancer's checks probe
        self._states: dict[str, dict[str, CheckState]] = {}  # load balancer -> member -> check state
        self._due: dict[tuple[str, str], float] = {}  # (load balancer, member) -> next probe (monotonic)
        self._probing: set[tuple[str, str]] = set()
        self._served: dict[str, tuple[str, ...]] = {}  # the listeners each running process was last given
        self._exits = ExitWatch(self._exited)
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._pool = ThreadPoolExecutor(PROBE_WORKERS, thread_name_prefix="elbd-udp-probe")

    def start(self) -> None:
        for target, name in ((self._exits.run, "elbd-udp-exits"), (self._probe_loop, "elbd-udp-checks")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stops the checks; the nginx processes keep serving."""
        self._stopping.set()
        self._exits.stop()
        for thread in self._threads:
            thread.join(timeout=10)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def process(self, load_balancer_id: str) -> NginxProcess:
        return NginxProcess(self.data_dir / "nginx" / load_balancer_id, self.binary or "nginx")

    def known_load_balancers(self) -> set[str]:
        root = self.data_dir / "nginx"
        return {path.name for path in root.iterdir() if path.is_dir()} if root.is_dir() else set()

    def converge(self, load_balancer_id: str, config: UdpConfig, passed: Mapping[str, bool]) -> None:
        """Bring the load balancer's UDP side to `config`; EngineError when nginx refused it (the previous
        configuration keeps serving) or is not installed."""
        self._track(load_balancer_id, config, passed)
        process = self.process(load_balancer_id)
        if not config.listeners:
            self._exits.forget(load_balancer_id)
            with self._lock:
                self._served.pop(load_balancer_id, None)
            if process.run_dir.is_dir():
                process.stop()
                process.remove_files()
            return
        if self.binary is None or not self.stream_module.is_file():
            raise EngineError("the UDP engine (nginx and its stream module) is not installed; UDP listeners are not served")
        try:
            process.prepare()
            text = render(config, self.down(load_balancer_id), process.run_dir, self.stream_module)
        except (UnsafePathError, UnsafeValue) as error:
            raise EngineError(str(error)) from None
        if process.alive():
            previous = process.applied()
            if previous != text:
                process.test(text)
                process.reload(text, previous)
        else:
            process.test(text)
            process.start(text)
        with self._lock:
            self._served[load_balancer_id] = tuple(listener.name for listener in config.listeners)
        pid = process.master_pid()
        if pid is not None:
            self._exits.watch(load_balancer_id, pid)

    def retire(self, load_balancer_id: str) -> None:
        self.converge(load_balancer_id, UdpConfig(), {})

    def listener_states(self, load_balancer_id: str) -> dict[str, str]:
        """OPEN for each UDP listener the running process serves (as its last applied file has it)."""
        with self._lock:
            served = self._served.get(load_balancer_id, ())
        if not served or not self.process(load_balancer_id).alive():
            return {}
        return dict.fromkeys(served, "OPEN")

    def down(self, load_balancer_id: str) -> frozenset[str]:
        """The members the checks took out of traffic."""
        with self._lock:
            states = self._states.get(load_balancer_id, {})
            return frozenset(member for member, state in states.items() if not state.in_traffic)

    # the checks

    def _track(self, load_balancer_id: str, config: UdpConfig, passed: Mapping[str, bool]) -> None:
        """Probe the checked pools' members from now on; forget the others."""
        checked = {member.name for pool in config.checked for member in pool.members}
        with self._lock:
            self._configs[load_balancer_id] = config
            states = self._states.setdefault(load_balancer_id, {})
            for member in set(states) - checked:
                del states[member]
                self._due.pop((load_balancer_id, member), None)
            for member in checked - set(states):
                states[member] = starting_state(passed.get(member))
                self._due[(load_balancer_id, member)] = time.monotonic()
            if not config.listeners and not checked:
                self._configs.pop(load_balancer_id, None)
                self._states.pop(load_balancer_id, None)

    def _probe_loop(self) -> None:
        while not self._stopping.wait(TICK_S):
            now = time.monotonic()
            with self._lock:
                due = [key for key, when in self._due.items() if when <= now and key not in self._probing]
                targets = []
                for load_balancer_id, member_name in due:
                    found = self._target(load_balancer_id, member_name)
                    if found is None:
                        continue
                    self._probing.add((load_balancer_id, member_name))
                    self._due[(load_balancer_id, member_name)] = now + found[1].interval_s
                    targets.append((load_balancer_id, *found))
            for load_balancer_id, member, check in targets:
                future = self._pool.submit(probe, member.address, check.port or member.port, check.timeout_s)
                future.add_done_callback(functools.partial(self._judged, load_balancer_id, member, check))

    def _target(self, load_balancer_id: str, member_name: str) -> tuple[UdpMember, UdpCheck] | None:
        config = self._configs.get(load_balancer_id)
        for pool in config.checked if config else ():
            for member in pool.members:
                if member.name == member_name and pool.check is not None:
                    return member, pool.check
        return None

    def _judged(self, load_balancer_id: str, member: UdpMember, check: UdpCheck, done: "Future[OSError | None]") -> None:
        try:
            failure = failure_of(done.result())
        except Exception:  # a cancelled probe at stop
            return
        with self._lock:
            self._probing.discard((load_balancer_id, member.name))
            states = self._states.get(load_balancer_id)
            if states is None or member.name not in states:
                return
            before = states[member.name]
            after = after_probe(before, failure, check)
            states[member.name] = after
        if after.health != before.health:
            try:
                self.on_health({member.name: after.health})
            except Exception:  # forgotten: the next probe finds the change again and saves it then
                log.exception("saving a UDP member's health failed; the next probe tries again")
                with self._lock:
                    if self._states.get(load_balancer_id, {}).get(member.name) == after:
                        self._states[load_balancer_id][member.name] = before
                return
        if after.in_traffic != before.in_traffic:
            log.info("load balancer %s: UDP member %s %s traffic", load_balancer_id, member.name, "back in" if after.in_traffic else "out of")
            self.on_round(load_balancer_id)

    def _exited(self, load_balancer_id: str) -> None:
        log.warning("load balancer %s: its UDP engine (nginx) exited; starting it again", load_balancer_id)
        self.on_round(load_balancer_id)


def unbindable(listeners: Iterable[UdpListener]) -> dict[str, str]:
    """The UDP listeners whose addresses nginx could not bind, and why: nginx finds out only when its
    master applies a reload, which it then refuses as a whole. nginx binds UDP with SO_REUSEADDR, so this
    probe does too: elbd's own nginx is no obstacle, another program's socket is."""
    problems: dict[str, str] = {}
    for listener in listeners:
        for address in listener.addresses:
            with socket.socket(socket.AF_INET6 if address.version == 6 else socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind((str(address), listener.port))
                except OSError as error:
                    problems[listener.name] = f"UDP listener {listener.name} cannot bind {endpoint(address, listener.port)}: {error.strerror}"
    return problems


def stop_all(data_dir: Path) -> int:
    """Stop every nginx this data directory's elbd started; answers for how many load balancers one ran."""
    root = data_dir / "nginx"
    return sum(NginxProcess(run_dir, "nginx").stop() for run_dir in sorted(root.iterdir()) if run_dir.is_dir()) if root.is_dir() else 0
