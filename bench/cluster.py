"""Part 11, failover across data-plane nodes: one API replica (`elbd serve`, API only) and three
`elbd agent` nodes on a PostgreSQL database of their own (ELBD_BENCH_POSTGRES, as part 10; the part says
so and measures nothing when none answers), one load balancer on a loopback VIP with one backend, and
a client sending a request every 20 ms on a new connection. The node serving the load balancer is
killed (SIGKILL) KILLS times, each time started again afterwards: the failover time is from its last
lease renewal (the database's clock) to the first request of the run of successes that follows."""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench.backends import TinyBackend
from bench.cloud import Cloud
from bench.context import Bench, Section, Table, say
from bench.procs import terminate
from bench.server import ElbdServer, free_port
from bench.stats import percentile
from elbd.cluster.timing import FAILOVER_BOUND_S, LEASE_S
from elbd.config import database_url_of
from tests.cluster.traffic import failed_after, served_again_after

TITLE = "11. Failover across data-plane nodes"
SERVER_URL = os.environ.get("ELBD_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
KILLS = 10
NODES = ("node-1", "node-2", "node-3")
SUBNET = "127.24.0.0/24"
BACKEND = "127.24.0.200"
REQUEST_GAP_S = 0.02
REQUEST_TIMEOUT_S = 0.5
WAIT_S = 60.0
INTRO = (
    f"Three `elbd agent` nodes and one API replica on PostgreSQL; the node serving a load balancer is killed {KILLS} times "
    f"(started again after each). Leases last {LEASE_S:.0f} s and are renewed every 0.4 s; a node fences itself 1.4 s after its "
    f"last renewal. Goal: every failover within {FAILOVER_BOUND_S:.0f} s of the last renewal."
)


def _admin(url: str, statement: str) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute(statement)  # type: ignore[arg-type]  # the bench's own statements
        return cursor.fetchall() if cursor.description else []


@dataclass
class Node:
    name: str
    data_dir: Path
    log: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen([sys.executable, "-m", "elbd", "agent", "--node", self.name, "--data-dir", str(self.data_dir)],
                                            stdout=output, stderr=output, env={**os.environ, **self.env})


@dataclass
class Client:
    """Requests on new connections to VIP:port, (monotonic time, succeeded) each."""

    vip: str
    port: int
    results: list[tuple[float, bool]] = field(default_factory=list)

    async def run(self) -> None:
        while True:
            started = time.monotonic()
            self.results.append((started, await self._one()))
            await asyncio.sleep(max(0.0, REQUEST_GAP_S - (time.monotonic() - started)))

    async def _one(self) -> bool:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(self.vip, self.port), REQUEST_TIMEOUT_S)
        except (OSError, asyncio.TimeoutError):
            return False
        try:
            writer.write(b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            status = await asyncio.wait_for(reader.readline(), REQUEST_TIMEOUT_S)
            return status.split(b" ")[1:2] == [b"200"]
        except (OSError, asyncio.TimeoutError):
            return False
        finally:
            writer.close()

    def serving(self) -> bool:
        return len(self.results) >= 10 and all(ok for _, ok in self.results[-10:])


async def _until(condition: Callable[[], object], timeout_s: float = WAIT_S) -> bool:
    """Poll `condition` in a thread (it may ask the database) while the client keeps running in the loop."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await asyncio.to_thread(condition):
            return True
        await asyncio.sleep(0.05)
    return False


async def run(bench: Bench) -> Section:
    section = Section(TITLE, INTRO)
    try:
        _admin(SERVER_URL, "SELECT 1")
    except psycopg.Error as error:
        section.error = f"no PostgreSQL answers at {SERVER_URL}: {str(error).strip().splitlines()[0]}"
        return section
    database = f"elbd_bench_{uuid.uuid4().hex[:12]}"
    _admin(SERVER_URL, f"CREATE DATABASE {database}")
    plain_url = SERVER_URL.rsplit("/", 1)[0] + "/" + database
    env = {"ELBD_DATABASE_URL": database_url_of(plain_url), "ELBD_DATAPLANE": "none"}
    api = ElbdServer(bench.work_dir / "cluster-api", free_port(), bench.work_dir / "cluster-api.log", env=env)
    nodes = [Node(name, bench.work_dir / name, bench.work_dir / f"{name}.log", env) for name in NODES]
    backend = TinyBackend("cluster", BACKEND)
    cloud: Cloud | None = None
    client_task: asyncio.Task[None] | None = None
    rows: list[list[str]] = []
    failovers: list[float] = []
    failed: list[int] = []
    try:
        await asyncio.to_thread(api.start)
        for node in nodes:
            node.data_dir.mkdir(mode=0o700)
            shutil.copy2(api.data_dir / "secret.key", node.data_dir / "secret.key")
            node.start()
        credentials = await asyncio.to_thread(api.create_project, "cluster")
        cloud = Cloud("127.0.0.1", api.port, credentials)
        await cloud.login()
        await backend.start()
        subnet = await cloud.subnet((await cloud.vpc())["id"], SUBNET, "cluster")
        lb = await cloud.load_balancer(subnet)
        port = free_port(lb["vip_address"])
        listener = await cloud.listener(lb["id"], "HTTP", port)
        pool = await cloud.pool(listener_id=listener["id"])
        await cloud.member(pool["id"], subnet["neutron_subnet_id"], BACKEND, backend.port)
        client = Client(lb["vip_address"], port)
        client_task = asyncio.create_task(client.run())

        def placement() -> tuple[str, float] | None:
            found = _admin(plain_url, f"SELECT node, EXTRACT(EPOCH FROM (now() AT TIME ZONE 'utc') - (lease_until - make_interval(secs => {LEASE_S}))) "
                                      f"FROM placements WHERE loadbalancer_id = '{lb['id']}'")  # an id elbd made
            return (found[0][0], float(found[0][1])) if found else None

        for kill in range(1, KILLS + 1):
            if bench.remaining_s() < 60:
                section.notes.append(f"stopped after {kill - 1} kills: the run's time budget is spent")
                break
            if not await _until(client.serving) or (held := await asyncio.to_thread(placement)) is None:
                raise RuntimeError(f"the load balancer was not served before kill {kill} (node logs in {bench.work_dir})")
            owner = next(node for node in nodes if node.name == held[0])
            assert owner.process is not None
            owner.process.send_signal(signal.SIGKILL)
            stopped = time.monotonic()
            owner.process.wait(10)
            last_renewal = stopped - (await asyncio.to_thread(placement) or held)[1]
            moved = await _until(lambda: (now := placement()) is not None and now[0] != owner.name)
            again = await _until(lambda: (at := served_again_after(client.results, stopped)) is not None and time.monotonic() - at > 1.0)
            served = served_again_after(client.results, stopped)
            if not (moved and again and served is not None):
                raise RuntimeError(f"kill {kill}: the load balancer was not served again within {WAIT_S:.0f} s")
            now = await asyncio.to_thread(placement)
            failovers.append(served - last_renewal)
            failed.append(failed_after(client.results, stopped))
            rows.append([str(kill), owner.name, now[0] if now else "?", f"{failovers[-1]:.2f}", str(failed[-1])])
            say(f"cluster kill {kill}: {owner.name} -> {rows[-1][2]} in {failovers[-1]:.2f} s, {failed[-1]} requests failed")
            owner.start()  # back as a node that takes nothing back
    finally:
        if client_task is not None:
            client_task.cancel()
        for node in nodes:
            await asyncio.to_thread(terminate, node.process)
        if cloud is not None:
            await cloud.close()
        await asyncio.to_thread(api.stop)
        await backend.stop()
        await asyncio.to_thread(_stop_engines, nodes)
        _admin(SERVER_URL, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    return _section(section, rows, failovers, failed)


def _stop_engines(nodes: list[Node]) -> None:
    """What a killed node's fence watch or a stopped agent left running (nothing, normally)."""
    from elbd.dataplane import haproxy_engine, nginx_engine

    for node in nodes:
        haproxy_engine.stop_all(node.data_dir)
        nginx_engine.stop_all(node.data_dir)


def _section(section: Section, rows: list[list[str]], failovers: list[float], failed: list[int]) -> Section:
    section.tables.append(Table("Each kill", ["kill", "killed node", "taken by", "failover s", "failed requests"], rows))
    if failovers:
        p50, most = percentile(failovers, 0.5), max(failovers)
        section.tables.append(Table("Failover", ["kills", "p50 s", "max s", f"within {FAILOVER_BOUND_S:.0f} s", "failed requests per failover (mean / max)"], [[
            str(len(failovers)), f"{p50:.2f}", f"{most:.2f}", "yes" if most <= FAILOVER_BOUND_S else "NO",
            f"{sum(failed) / len(failed):.1f} / {max(failed)}",
        ]]))
        section.figures["cluster_failover_p50_s"] = p50
        section.figures["cluster_failover_max_s"] = most
        section.figures["cluster_failed_requests_per_failover"] = sum(failed) / len(failed)
    return section
