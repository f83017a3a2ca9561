"""A cluster on one machine: a PostgreSQL database of its own, API replicas (`elbd serve --no-agent`) and
data-plane agents (`elbd agent --node`), each with its own data directory holding the same secret.key;
a client that keeps sending requests to a VIP and counts what failed. Everything started is stopped."""

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from elbd.cluster.timing import LEASE_S
from elbd.service.identity import ProjectCredentials
from tests import postgres
from tests.cluster.traffic import failed_after, served_again_after
from tests.conftest import Api, LiveServer, free_port, token_for
from tests.ports import free_port_on

AGENT_START_S = 60.0
OTHER_CLUSTER_S = 600.0  # how long a cluster waits for the other worker's to stop


@dataclass
class Agent:
    node: str
    data_dir: Path
    command_prefix: Sequence[str] = ()  # e.g. ip netns exec NAME
    extra: Sequence[str] = ()
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.data_dir.parent / f"{self.node}.log"

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [*self.command_prefix, sys.executable, "-m", "elbd", "agent", "--node", self.node, "--data-dir", str(self.data_dir), *self.extra],
                stdout=output, stderr=output, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **self.env},
            )

    def signal(self, number: int) -> None:
        assert self.process is not None
        os.kill(self.process.pid, number)

    def stop(self) -> None:
        self.ask_to_stop()
        self.wait_stopped()

    def ask_to_stop(self) -> None:
        """SIGTERM (after SIGCONT, for a frozen one); `wait_stopped` waits for it: a cluster's agents stop together."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.terminate()

    def wait_stopped(self) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def haproxies(self) -> list[int]:
        """The HAProxy processes running with this agent's data directory."""
        return processes_with(["haproxy"], str(self.data_dir))


def processes_with(names: Sequence[str], word: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and Path(argv[0].decode(errors="replace")).name in names and any(word.encode() in part for part in argv):
            found.append(int(entry.name))
    return found


@dataclass
class Placement:
    node: str
    epoch: int
    age_s: float  # since the last renewal, on the database's clock


class Cluster:
    def __init__(self, root: Path, database_url: str) -> None:
        self.root = root
        self.database_url = database_url
        self.replicas: list[LiveServer] = []
        self.agents: list[Agent] = []

    def key_holder(self, data_dir: Path) -> Path:
        """A data directory with a copy of the cluster's secret.key."""
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copy2(self.replicas[0].data_dir / "secret.key", data_dir / "secret.key")
        return data_dir

    def add_replica(self) -> LiveServer:
        server = LiveServer(self.root / f"api-{len(self.replicas)}" / "data", free_port(), serve_args=("--no-agent",))
        if self.replicas:
            self.key_holder(server.data_dir)
        else:
            server.data_dir.parent.mkdir(parents=True)
        self.replicas.append(server)
        server.start()
        return server

    def add_agent(self, node: str, command_prefix: Sequence[str] = (), extra: Sequence[str] = (), env: dict[str, str] | None = None) -> Agent:
        agent = Agent(node, self.key_holder(self.root / node / "data"), command_prefix, extra, env or {})
        self.agents.append(agent)
        agent.start()
        return agent

    def placement(self, load_balancer_id: str) -> Placement | None:
        with psycopg.connect(self.database_url) as connection:
            row = connection.execute(
                "SELECT node, epoch, EXTRACT(EPOCH FROM (now() AT TIME ZONE 'utc') - (lease_until - make_interval(secs => %s))) "
                "FROM placements WHERE loadbalancer_id = %s",
                (LEASE_S, load_balancer_id),
            ).fetchone()
        return Placement(row[0], row[1], float(row[2])) if row else None

    def agent(self, node: str) -> Agent:
        return next(agent for agent in self.agents if agent.node == node)

    def stop(self) -> None:
        for agent in self.agents:
            agent.ask_to_stop()
        for agent in self.agents:
            agent.wait_stopped()
        for server in self.replicas:
            server.stop()
        for agent in self.agents:  # a fence watch of a killed agent ends by itself after its deadline
            wait_until(lambda: not processes_with(["python", "python3", os.path.basename(sys.executable)], str(agent.data_dir)), 10)


@contextmanager
def one_cluster_at_a_time(root: Path) -> Iterator[None]:
    """Under pytest-xdist, a lock on a file in the session's directory (the parent of each worker's):
    two clusters at once on two cores would crowd the failover bounds, so a worker's cluster waits for
    the other's to stop."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        yield
        return
    session = next(parent for parent in root.parents if parent.name.startswith("popen-gw")).parent
    with (session / "cluster.lock").open("a") as lock:
        taken = wait_until(lambda: _locked(lock), OTHER_CLUSTER_S, interval_s=0.2)
        assert taken, f"the other worker's cluster ran longer than {OTHER_CLUSTER_S} s"
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _locked(lock: Any) -> bool:
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def cluster_on_postgres(root: Path, monkeypatch: Any) -> Iterator[Cluster]:
    with one_cluster_at_a_time(root), postgres.migrated_database() as url:
        monkeypatch.setenv("ELBD_DATABASE_URL", url)
        cluster = Cluster(root, url)
        try:
            yield cluster
        finally:
            cluster.stop()


@dataclass(frozen=True)
class Tenant:
    """A new project's API through one replica, its subnet, a load balancer in it and a free port on its VIP."""

    api: Api
    subnet: dict[str, Any]
    lb: dict[str, Any]
    port: int


@contextmanager
def tenant_with_load_balancer(cluster: Cluster, project: str, through: LiveServer, cidr: str) -> Iterator[Tenant]:
    """The project is made with the CLI on the first replica (the database is shared); the API calls go through `through`."""
    credentials = ProjectCredentials(**json.loads(cluster.replicas[0].elbd("project", "create", project)))
    with httpx.Client(base_url=through.url, timeout=30) as client:
        api = Api(client, credentials, token_for(client, credentials))  # type: ignore[arg-type]
        subnet = api.subnet(api.vpc()["id"], cidr=cidr)
        lb = api.load_balancer(subnet)
        yield Tenant(api, subnet, lb, free_port_on(lb["vip_address"]))


def wait_until(condition: Callable[[], Any], timeout_s: float, interval_s: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            return value
        time.sleep(interval_s)


@dataclass
class Traffic:
    """A client sending a request every `gap_s` on a new connection to `send`, recording (when, ok)."""

    send: Callable[[], bool]
    gap_s: float = 0.02
    results: list[tuple[float, bool]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> "Traffic":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        limit = time.monotonic() + 300
        while not self._stop.is_set() and time.monotonic() < limit:
            started = time.monotonic()
            self.results.append((started, self.send()))
            self._stop.wait(max(0.0, self.gap_s - (time.monotonic() - started)))

    def served_again_after(self, moment: float) -> float | None:
        return served_again_after(list(self.results), moment)

    def failed_after(self, moment: float) -> int:
        return failed_after(list(self.results), moment)
