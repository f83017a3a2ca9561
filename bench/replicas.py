"""Part 10, API replicas on PostgreSQL: member create at 8 and 16 clients through one and through two
`elbd serve` processes sharing a PostgreSQL database (ELBD_BENCH_POSTGRES, default the machine's local
server; the part says so and measures nothing when none answers), against the same creates on the
bench's own SQLite elbd in the same run. Every create is on a pool of no load balancer, on both sides:
the API and the store alone (the replicas run no data plane)."""

import asyncio
import os
import shutil
import statistics
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import psycopg

from bench import procs
from bench.api import CreateRun, create_members
from bench.cloud import Cloud
from bench.context import BACKEND_SUBNET, Bench, Section, Table, say
from bench.server import ElbdServer, free_port
from bench.scale import elbd_cpu_seconds
from bench.stats import ms, ratio, summarize
from elbd.config import database_url_of

TITLE = "10. API replicas on PostgreSQL"
SERVER_URL = os.environ.get("ELBD_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
RUN_S = 4.0
ROUNDS = 5  # SQLite and two replicas at 8 clients back to back, the order alternating: the goal is the median of their ratios
WARM_S = 2.0  # the replicas' first creates, through both, before any is measured: the bench's own elbd is warm by then
MOST = 4000
INTRO = (
    "Member creates (token auth, durable commits) on a pool of no load balancer: on the bench's elbd (SQLite), and through "
    "one and two `elbd serve` processes sharing one PostgreSQL database (the clients spread over the replicas in turn), "
    f"after {WARM_S:.0f} s of creates through both that are not reported (the bench's own elbd has served every part before). "
    "Every other write transaction on PostgreSQL takes one advisory lock, as SQLite has one writer; member creates take it "
    "shared, each replica's batch of them locking only what their rules read (store/db.py): the figure is what the rules' "
    "safety across replicas costs. CPU a create: the elbd processes' (the replicas', or the bench's elbd with its agent) and, on "
    "PostgreSQL, its server processes' for the database (utime + stime from /proc around the run). The goal's pair, the "
    f"bench's elbd and two replicas at 8 clients, runs in {ROUNDS} rounds of both back to back, the order alternating, each "
    "on a fresh pool: the ratio is the median of the rounds' ratios (a single pair has read 0.96 in one run and 1.72 in the next "
    "on this shared machine); their rows pool the rounds' creates."
)


@dataclass
class Measured:
    run: CreateRun
    cpu_ms: float  # CPU time a create: the elbd processes and the database's server processes


def pooled(rounds: list[Measured]) -> Measured:
    """Several runs of one kind as one: their creates, errors and time added, CPU a create weighted by creates."""
    latencies = [latency for one in rounds for latency in one.run.latencies]
    creates = max(len(latencies), 1)
    run = CreateRun(rounds[0].run.auth, rounds[0].run.clients, latencies, sum(one.run.errors for one in rounds),
                    sum(one.run.elapsed_s for one in rounds))
    return Measured(run, sum(one.cpu_ms * len(one.run.latencies) for one in rounds) / creates)


def _backend_pids(database: str) -> list[int]:
    with psycopg.connect(SERVER_URL, autocommit=True) as connection:
        return [pid for (pid,) in connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,))]


async def _measured(creates: Awaitable[CreateRun], elbd_pids: list[int], backends: Callable[[], list[int]]) -> Measured:
    """`creates` with the CPU time it cost; a server process that ended during the run is not counted."""
    started = set(backends())
    before = {pid: elbd_cpu_seconds(pid) for pid in elbd_pids} | {pid: procs.cpu_seconds(pid) for pid in started}
    one = await creates
    used = sum(elbd_cpu_seconds(pid) - before[pid] for pid in elbd_pids)
    used += sum(max(0.0, procs.cpu_seconds(pid) - before.get(pid, 0.0)) for pid in started | set(backends()))
    return Measured(one, used * 1000 / max(len(one.latencies), 1))


def _admin(statement: str) -> None:
    with psycopg.connect(SERVER_URL, autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]  # the bench's own names


async def run(bench: Bench) -> Section:
    section = Section(TITLE, INTRO)
    try:
        _admin("SELECT 1")
    except psycopg.Error as error:
        section.error = f"no PostgreSQL answers at {SERVER_URL}: {str(error).strip().splitlines()[0]}"
        return section
    database = f"elbd_bench_{uuid.uuid4().hex[:12]}"
    _admin(f"CREATE DATABASE {database}")
    url = database_url_of(SERVER_URL.rsplit("/", 1)[0] + "/" + database)
    replicas = [ElbdServer(bench.work_dir / f"replica-{n}", free_port(), bench.work_dir / f"replica-{n}.log",
                           env={"ELBD_DATABASE_URL": url, "ELBD_DATAPLANE": "none"}) for n in (1, 2)]
    clouds: list[Cloud] = []
    try:
        await asyncio.to_thread(replicas[0].start)
        replicas[1].data_dir.mkdir(mode=0o700)
        shutil.copy2(replicas[0].data_dir / "secret.key", replicas[1].data_dir / "secret.key")
        await asyncio.to_thread(replicas[1].start)
        credentials = await asyncio.to_thread(replicas[0].create_project, "replicas")
        await asyncio.to_thread(replicas[0].unlimited_quotas, credentials.project_id)
        for replica in replicas:
            cloud = Cloud("127.0.0.1", replica.port, credentials)
            await cloud.login()
            clouds.append(cloud)
        vpc = await clouds[0].vpc()
        subnet_id = (await clouds[0].subnet(vpc["id"], BACKEND_SUBNET, "members"))["neutron_subnet_id"]
        warm_pool_id = (await clouds[0].pool(type="instance", vpc_id=vpc["id"]))["id"]
        await create_members(bench, warm_pool_id, "token", 8, WARM_S, MOST, through=clouds, subnet_id=subnet_id)  # not reported

        async def through_replicas(label: str, through: list[Cloud], clients: int) -> Measured:
            pool_id = (await clouds[0].pool(type="instance", vpc_id=vpc["id"]))["id"]
            pids = [replica.pid for replica in replicas[:len(through)] if replica.pid is not None]
            creates = create_members(bench, pool_id, "token", clients, RUN_S, MOST, through=through, subnet_id=subnet_id)
            return _said(label, clients, await _measured(creates, pids, lambda: _backend_pids(database)))

        sqlite_rounds: list[Measured] = []
        two_rounds: list[Measured] = []
        for number in range(ROUNDS):
            for kind in ("sqlite", "two") if number % 2 == 0 else ("two", "sqlite"):
                if kind == "sqlite":
                    sqlite_rounds.append(_said("SQLite", 8, await _sqlite_run(bench)))
                else:
                    two_rounds.append(await through_replicas("PostgreSQL, two replicas", clouds, 8))
        runs = [("SQLite, the bench's elbd", 8, pooled(sqlite_rounds)),
                ("PostgreSQL, one replica", 8, await through_replicas("PostgreSQL, one replica", clouds[:1], 8)),
                ("PostgreSQL, two replicas", 8, pooled(two_rounds)),
                ("PostgreSQL, two replicas", 16, await through_replicas("PostgreSQL, two replicas", clouds, 16))]
    finally:
        for cloud in clouds:
            await cloud.close()
        for replica in replicas:
            await asyncio.to_thread(replica.stop)
        _admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    return _section(section, runs, list(zip(sqlite_rounds, two_rounds)))


def _said(label: str, clients: int, one: Measured) -> Measured:
    say(f"replicas {label} c={clients}: {one.run.per_second:7.1f}/s errors {one.run.errors} cpu {one.cpu_ms:.2f} ms a create")
    return one


async def _sqlite_run(bench: Bench) -> Measured:
    pool_id = (await bench.cloud.pool(type="instance", vpc_id=bench.vpc["id"]))["id"]
    pids = [bench.server.pid] if bench.server.pid is not None else []
    return await _measured(create_members(bench, pool_id, "token", 8, RUN_S, MOST), pids, list)


def _section(section: Section, runs: list[tuple[str, int, Measured]], rounds: list[tuple[Measured, Measured]]) -> Section:
    rows = []
    for label, clients, one in runs:
        s = summarize(one.run.latencies)
        rows.append([label, str(clients), str(s.count), f"{one.run.per_second:.0f}", ms(s.p50_ms), ms(s.p99_ms), str(one.run.errors),
                     f"{one.cpu_ms:.2f}"])
    section.tables.append(Table("Member create, pool of no load balancer", ["store", "clients", "creates", "creates/s", "p50 ms", "p99 ms",
                                                                             "errors", "CPU ms a create"], rows))
    ratios = [ratio(two.run.per_second, sqlite.run.per_second) for sqlite, two in rounds]
    section.tables.append(Table("The goal's rounds, 8 clients", ["round", "first", "SQLite creates/s", "two replicas creates/s",
                                                                 "two replicas / SQLite"],
                                [[str(number + 1), "SQLite" if number % 2 == 0 else "two replicas", f"{sqlite.run.per_second:.0f}",
                                  f"{two.run.per_second:.0f}", f"{one:.2f}"]
                                 for number, ((sqlite, two), one) in enumerate(zip(rounds, ratios))]))
    section.figures["replicas_ratio_8"] = statistics.median(ratios)
    section.figures["replicas_ratio_rounds_8"] = ratios
    return section
