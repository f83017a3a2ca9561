"""Part 1, the API: member create latency and throughput at 1, 8 and 32 concurrent clients with token
auth and with AK/SK, one batch-add of 200 members, and listing a page of 2000 members."""

import asyncio
import json
import time
from dataclasses import dataclass

from bench.cloud import Cloud
from bench.context import Bench, Curve, Mark, Plot, Section, Table, say
from bench.httpclient import HttpError
from bench.stats import ms, summarize
from bench.teardown import empty_pool, remove_load_balancer

TITLE = "1. API"
CLIENTS = (1, 8, 32)
RUN_LIMIT_S = 4.0  # each create run stops after this long (or MAX_CREATES)
MAX_CREATES = 4000  # at 1,500/s a run lasts about 3 s
BATCH = 200
BATCHES = 10  # 10 x 200 = the 2000 members the listing pages through
LISTINGS = 10


@dataclass
class CreateRun:
    auth: str
    clients: int
    latencies: list[float]
    errors: int
    elapsed_s: float

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.elapsed_s if self.elapsed_s else 0.0


async def _pool_on_new_lb(bench: Bench, created: list[str]) -> str:
    lb = await bench.cloud.load_balancer(bench.vip_subnet)
    created.append(lb["id"])
    return (await bench.cloud.pool(loadbalancer_id=lb["id"]))["id"]


async def create_members(
    bench: Bench, pool_id: str, auth: str, clients: int, limit_s: float, most: int, through: list[Cloud] | None = None,
    subnet_id: str | None = None,
) -> CreateRun:
    """`clients` clients, each on its own keep-alive connection, create members back to back; through
    the bench's elbd, or spread over the `through` replicas' APIs in turn (members in `subnet_id`, of
    their project)."""
    latencies: list[float] = []
    errors = 0
    budget = most
    deadline = time.monotonic() + limit_s
    path = f"pools/{pool_id}/members"

    async def client(cloud: Cloud) -> None:
        nonlocal budget, errors
        while budget > 0 and time.monotonic() < deadline:
            budget -= 1
            body = {"member": {"address": bench.next_address(), "protocol_port": 80, "subnet_cidr_id": subnet_id or bench.subnet_id}}
            sent = time.perf_counter()
            try:
                answer = await cloud.call("POST", path, body)
            except HttpError:
                errors += 1
                continue
            if answer.status == 201:
                latencies.append(time.perf_counter() - sent)
            else:
                errors += 1

    bases = through or [bench.cloud]
    clouds = [bases[number % len(bases)].clone(auth) for number in range(clients)]
    started = time.perf_counter()
    try:
        await asyncio.gather(*(client(cloud) for cloud in clouds))
    finally:
        elapsed = time.perf_counter() - started
        for cloud in clouds:
            await cloud.close()
    return CreateRun(auth, clients, latencies, errors, elapsed)


async def run(bench: Bench) -> Section:
    section = Section(TITLE, "Member create through `POST /v3/{project_id}/elb/pools/{pool_id}/members`, each run on "
                      "a fresh pool of a fresh load balancer (so its HAProxy gets every member through the runtime API, "
                      f"as in real use). A run stops after {RUN_LIMIT_S:.0f} s or {MAX_CREATES} creates. The load generator "
                      "is one asyncio process with one keep-alive connection per client, on the same two cores. "
                      "Everything the part created is deleted at its end.")
    created: list[str] = []  # load balancers, removed at the end so later parts measure without them
    try:
        await _creates(bench, section, created)
        await asyncio.sleep(0.5)
        section.tables.extend(await _batch_and_list(bench, section, created))
    finally:
        say(f"api: removing the part's {len(created)} load balancers and their members")
        for lb_id in created:
            await remove_load_balancer(bench.cloud, lb_id)
    return section


async def _creates(bench: Bench, section: Section, created: list[str]) -> None:
    await create_members(bench, await _pool_on_new_lb(bench, created), "token", 8, 2.0, 100)  # warm-up, not reported
    runs: list[CreateRun] = []
    for auth in ("token", "aksk"):
        for clients in CLIENTS:
            pool_id = await _pool_on_new_lb(bench, created)
            await asyncio.sleep(0.5)
            one = await create_members(bench, pool_id, auth, clients, RUN_LIMIT_S, MAX_CREATES)
            runs.append(one)
            s = summarize(one.latencies)
            say(f"api create {auth:5} c={clients:2}: {one.per_second:7.1f}/s p50 {ms(s.p50_ms)} ms p99 {ms(s.p99_ms)} ms errors {one.errors}")
            section.figures[f"create_per_s_{auth}_{clients}"] = one.per_second
    # the same at 8 clients on a pool of no load balancer: the API alone, no data-plane work per create
    bare_pool = (await bench.cloud.pool(type="instance", vpc_id=bench.vpc["id"]))["id"]
    await asyncio.sleep(0.5)
    bare = await create_members(bench, bare_pool, "token", 8, RUN_LIMIT_S, MAX_CREATES)
    s = summarize(bare.latencies)
    say(f"api create token c= 8, pool on no LB: {bare.per_second:7.1f}/s p50 {ms(s.p50_ms)} ms p99 {ms(s.p99_ms)} ms")
    section.figures["create_per_s_token_8_no_lb"] = bare.per_second
    relaxed = await _create_without_fsync(bench, created)
    s = summarize(relaxed.latencies)
    say(f"api create token c= 8, ELBD_SQLITE_SYNCHRONOUS=NORMAL: {relaxed.per_second:7.1f}/s p50 {ms(s.p50_ms)} ms p99 {ms(s.p99_ms)} ms")
    section.figures["create_per_s_token_8_normal"] = relaxed.per_second
    rows = []
    for one in runs:
        s = summarize(one.latencies)
        label = "token" if one.auth == "token" else "AK/SK (SDK-HMAC-SHA256)"
        rows.append([label, str(one.clients), str(s.count), f"{one.per_second:.0f}", ms(s.p50_ms), ms(s.p99_ms), ms(s.max_ms), str(one.errors)])
    s = summarize(bare.latencies)
    rows.append(["token, pool on no load balancer (no data-plane work)", "8", str(s.count), f"{bare.per_second:.0f}", ms(s.p50_ms),
                 ms(s.p99_ms), ms(s.max_ms), str(bare.errors)])
    s = summarize(relaxed.latencies)
    rows.append(["token, elbd restarted with ELBD_SQLITE_SYNCHRONOUS=NORMAL (no fsync per commit)", "8", str(s.count),
                 f"{relaxed.per_second:.0f}", ms(s.p50_ms), ms(s.p99_ms), ms(s.max_ms), str(relaxed.errors)])
    section.tables.append(Table("Member create", ["auth", "clients", "creates", "creates/s", "p50 ms", "p99 ms", "max ms", "errors"], rows))
    section.plots += _create_plots(runs)
    await remove_pool(bench.cloud, bare_pool)


def _create_plots(runs: list[CreateRun]) -> list[Plot]:
    by_auth = {auth: [one for one in runs if one.auth == auth] for auth in ("token", "aksk")}
    names = {"token": "token", "aksk": "AK/SK"}
    throughput = [Curve(names[auth], [one.clients for one in mine], [one.per_second for one in mine]) for auth, mine in by_auth.items()]
    latency = [
        Curve(f"{names[auth]} {label}", [one.clients for one in mine], [getattr(summarize(one.latencies), field) for one in mine])
        for auth, mine in by_auth.items()
        for label, field in (("p50", "p50_ms"), ("p99", "p99_ms"))
    ]
    return [
        Plot("member-create-throughput", "Member create: throughput by concurrent clients (durable commits)", "concurrent clients",
             "creates/s", throughput, [Mark("goal at 8 clients: 500/s", 500.0, axis="y")], x_log=True),
        Plot("member-create-latency", "Member create: latency by concurrent clients", "concurrent clients", "ms", latency, x_log=True),
    ]


async def _create_without_fsync(bench: Bench, created: list[str]) -> CreateRun:
    """8 clients again, on an elbd restarted with NORMAL durability, then restarted with the default (FULL)."""
    await _restart(bench, {"ELBD_SQLITE_SYNCHRONOUS": "NORMAL"})
    try:
        pool_id = await _pool_on_new_lb(bench, created)
        await asyncio.sleep(0.5)
        return await create_members(bench, pool_id, "token", 8, RUN_LIMIT_S, MAX_CREATES)
    finally:
        await _restart(bench, {})


async def _restart(bench: Bench, env: dict[str, str]) -> None:
    """`elbd serve` stopped and started with `env`; its HAProxy processes keep running and are adopted."""
    await asyncio.to_thread(bench.server.stop)
    bench.server.env = env
    await asyncio.to_thread(bench.server.start)
    await bench.cloud.connection.close()


async def remove_pool(cloud: Cloud, pool_id: str) -> None:
    await empty_pool(cloud, pool_id)
    await cloud.ok("DELETE", f"pools/{pool_id}")


async def _batch_and_list(bench: Bench, section: Section, created: list[str]) -> list[Table]:
    pool_id = await _pool_on_new_lb(bench, created)
    batch_times: list[float] = []
    for _ in range(BATCHES):
        endpoints = [(bench.next_address(), 80) for _ in range(BATCH)]
        sent = time.perf_counter()
        added = await bench.cloud.batch_add(pool_id, bench.subnet_id, endpoints)
        batch_times.append(time.perf_counter() - sent)
        assert len(added) == BATCH
    batch = summarize(batch_times)
    say(f"api batch-add 200: p50 {ms(batch.p50_ms)} ms max {ms(batch.max_ms)} ms")
    section.figures["batch_add_200_p50_ms"] = batch.p50_ms
    rows = [[f"batch-add of {BATCH} members (pool growing to {BATCH * BATCHES})", str(batch.count), ms(batch.p50_ms),
             ms(batch.max_ms), f"{BATCH / (batch.p50_ms / 1000):.0f}"]]
    list_rows = []
    for auth in ("token", "aksk"):
        cloud = bench.cloud.clone(auth)
        times: list[float] = []
        size = 0
        try:
            for _ in range(LISTINGS if auth == "token" else LISTINGS // 2):
                sent = time.perf_counter()
                answer = await cloud.call("GET", f"pools/{pool_id}/members?limit=2000")
                times.append(time.perf_counter() - sent)
                if answer.status != 200:
                    raise RuntimeError(f"listing: {answer.status} {answer.body[:300]!r}")
                size = len(answer.body)
                assert len(json.loads(answer.body)["members"]) == 2000
        finally:
            await cloud.close()
        s = summarize(times)
        say(f"api list 2000 ({auth}): p50 {ms(s.p50_ms)} ms p99 {ms(s.p99_ms)} ms, {size / 1e6:.2f} MB")
        section.figures[f"list_2000_p50_ms_{auth}"] = s.p50_ms
        list_rows.append([f"GET members?limit=2000 ({'token' if auth == 'token' else 'AK/SK'})", str(s.count), ms(s.p50_ms),
                          ms(s.max_ms), f"{size / 1e6:.2f} MB"])
    return [
        Table("Batch-add", ["call", "calls", "p50 ms", "max ms", "members/s at p50"], rows),
        Table("Listing a page of 2000 members", ["call", "calls", "p50 ms", "max ms", "body"], list_rows),
    ]
