"""Part 9, members of a draining pool removed and added again under wrk load: a pool with connection
draining (and cookie persistence, whose new members come with a reload) loses no request while its
members leave and come back."""

import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench.context import Bench, Section, Table, say
from bench.drills import MODES, RUN_S, _at, under_load
from bench.nginx import Endpoint, shared_backends
from bench.waits import first_answer, wait_serving

TITLE = "9. Members draining under load"
PORT = 8082
DRAIN_S = 10
POOLS = (("connection_drain", {}), ("connection_drain + HTTP_COOKIE", {"session_persistence": {"type": "HTTP_COOKIE"}}))
INTRO = (f"As the member drill of part 8 (wrk -t1 -c20 -d{RUN_S:g}s through an HTTP listener), on a pool with connection_drain "
         f"(timeout {DRAIN_S} s): two members are removed and added again, one change every 0.5 s. A removed member takes no new "
         "request and keeps the ones it runs until they end or the timeout passes. With HTTP_COOKIE persistence a new member "
         "comes with a reload (HAProxy 2.6 cannot give a server added at runtime its cookie). wrk sends no cookie, so each request "
         "is balanced as a new client. Failed = wrk's socket errors plus non-2xx answers.")


async def run(bench: Bench) -> Section:
    cloud = bench.cloud
    backends = await shared_backends(bench)
    b: list[Endpoint] = backends.endpoints[1:4]
    lb = await cloud.load_balancer(bench.vip_subnet)
    vip, lb_id = lb["vip_address"], lb["id"]
    section = Section(TITLE, INTRO)
    rows: list[list[str]] = []
    failed = 0
    for index, (label, extra) in enumerate(POOLS):
        port = PORT + index
        listener = await cloud.listener(lb_id, "HTTP", port)
        pool_id = (await cloud.pool(listener_id=listener["id"], connection_drain={"enable": True, "timeout": DRAIN_S}, **extra))["id"]
        members = {e.name: (await cloud.member(pool_id, bench.subnet_id, e.address, e.port))["id"] for e in b}
        await wait_serving(vip, port, {e.name for e in b})

        async def add(endpoint: Endpoint, pool_id: str = pool_id, members: dict[str, str] = members) -> None:
            members[endpoint.name] = (await cloud.member(pool_id, bench.subnet_id, endpoint.address, endpoint.port))["id"]

        async def remove(endpoint: Endpoint, pool_id: str = pool_id, members: dict[str, str] = members) -> None:
            await cloud.delete_member(pool_id, members.pop(endpoint.name))

        async def leave_and_return(started: float, add: Callable[[Endpoint], Awaitable[None]] = add,
                                   remove: Callable[[Endpoint], Awaitable[None]] = remove) -> dict[str, Any]:
            plan = [lambda: remove(b[0]), lambda: add(b[0]), lambda: remove(b[1]), lambda: remove(b[0]), lambda: add(b[1]), lambda: add(b[0])]
            for step_index, step in enumerate(plan):
                await _at(started, 0.5 + step_index * 0.5)
                await step()
            return {"changes": len(plan)}

        for mode, close in MODES:
            result, facts = await under_load(f"http://{vip}:{port}/", close, leave_and_return)
            say(f"draining [{label}, {mode}]: {result.requests} requests, failed {result.failures_text()}; {facts}")
            rows.append([label, mode, f"{result.requests:,}", f"{result.per_second:,.0f}", str(result.failed), result.failures_text()])
            failed += result.failed
            await first_answer(vip, port, time.monotonic())
    section.tables.append(Table("Draining", ["pool", "mode", "requests", "req/s", "failed", "failures"], rows))
    section.figures["drill_draining_failed"] = failed
    return section
