"""Part 2, convergence: how long a member change takes to reach traffic through the VIP.

- add: from the 201 of a member create to the first request that member serves (a probe sends
  requests one after another through the VIP; a resident member keeps the pool non-empty);
- delete: from sending the DELETE to the last request the member served, and requests sent after
  the 204 that still reached it;
- weight 0 -> 1: from the 200 to the first request; weight 1 -> 0: from the 200 to the last request;
- with an HTTP health monitor (delay 1 s, max_retries 1): from the 201 to the first check the backend
  receives (it passes), and to the first request served; members added ten at a time.
"""

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from bench.backends import TinyBackend, start_backends
from bench.context import Bench, Mark, Plot, Section, Table, say
from bench.plots import ecdf
from bench.probe import Probe
from bench.stats import ms, summarize
from bench.teardown import remove_load_balancer

TITLE = "2. Convergence"
ADDS = 100
WEIGHT_CYCLES = 100
MONITOR_ROUNDS, MONITOR_BATCH = 10, 10
CYCLING_BACKENDS = 20
FIRST_REQUEST_TIMEOUT_S = 5.0
MONITOR_TIMEOUT_S = 8.0
SETTLE_S = 0.015  # after a removal, how long the probe keeps looking for late requests
INTRO = (
    "A probe sends requests one after another through the VIP (one keep-alive connection, about one a "
    "millisecond) while members change; a resident member keeps the pool non-empty. Add: from the 201 of the "
    f"member create to the first request that member serves ({ADDS} adds, each followed by its delete). Delete: from "
    "sending the DELETE to the last request the member served, and requests sent after the 204 that still reached it. "
    "Weight: 0 -> 1 from the 200 to the first request, 1 -> 0 from the 200 to the last request. With an HTTP health "
    "monitor (delay 1 s, timeout 1 s, max_retries 1): from the 201 to the first health check the member receives "
    "(it passes) and to the first request it serves."
)


@dataclass
class Measured:
    rows: list[list[str]]
    figures: dict[str, float]
    samples: dict[str, list[float]]  # seconds, by what they measure


def _row(label: str, seconds: list[float], misses: int, extra: str = "") -> list[str]:
    s = summarize(seconds)
    return [label, str(s.count), ms(s.p50_ms), ms(s.p99_ms), ms(s.max_ms), str(misses), extra]


async def _setup(bench: Bench) -> dict[str, Any]:
    cloud = bench.cloud
    lb = await cloud.load_balancer(bench.vip_subnet)
    plain = await cloud.listener(lb["id"], "HTTP", 8080)
    plain_pool = await cloud.pool(listener_id=plain["id"])
    checked = await cloud.listener(lb["id"], "HTTP", 8081)
    checked_pool = await cloud.pool(listener_id=checked["id"])
    await cloud.monitor(checked_pool["id"])
    return {"vip": lb["vip_address"], "plain_pool": plain_pool["id"], "checked_pool": checked_pool["id"]}


async def _adds_and_deletes(bench: Bench, probe: Probe, pool_id: str, backends: list[TinyBackend], count: int = ADDS) -> Measured:
    adds: list[float] = []
    deletes: list[float] = []
    late = misses = 0
    for index in range(count):
        backend = backends[index % len(backends)]
        start, posted = probe.mark(), time.monotonic()
        member = await bench.cloud.member(pool_id, bench.subnet_id, backend.address, backend.port)
        created = time.monotonic()
        first = await probe.wait_first(backend.name, start, posted, FIRST_REQUEST_TIMEOUT_S)
        if first is None:
            misses += 1
        else:
            adds.append(max(0.0, first.received - created))
        start, deleting = probe.mark(), time.monotonic()
        await bench.cloud.delete_member(pool_id, member["id"])
        deleted = time.monotonic()
        await asyncio.sleep(SETTLE_S)
        last = probe.last_from(backend.name, start)
        if last is not None:
            deletes.append(max(0.0, last.sent - deleting))
        late += probe.count_from(backend.name, start, deleted)
    s_add, s_del = summarize(adds), summarize(deletes)
    say(f"convergence add: p50 {ms(s_add.p50_ms)} p99 {ms(s_add.p99_ms)} max {ms(s_add.max_ms)} ms, missed {misses}")
    say(f"convergence delete: last request p50 {ms(s_del.p50_ms)} p99 {ms(s_del.p99_ms)} ms; requests after the 204: {late}")
    rows = [
        _row("add: 201 -> first request served by the member", adds, misses),
        _row("delete: DELETE sent -> last request served by the member", deletes, 0, f"{late} requests reached it after the 204"),
    ]
    figures = {"converge_add_p99_ms": s_add.p99_ms, "converge_add_p50_ms": s_add.p50_ms, "converge_delete_late": late}
    return Measured(rows, figures, {"add: 201 -> first request": adds, "delete: DELETE sent -> last request": deletes})


async def _weights(bench: Bench, probe: Probe, pool_id: str, backend: TinyBackend) -> Measured:
    member = await bench.cloud.member(pool_id, bench.subnet_id, backend.address, backend.port, weight=0)
    up: list[float] = []
    down: list[float] = []
    misses = 0
    for _ in range(WEIGHT_CYCLES):
        start, asked = probe.mark(), time.monotonic()
        await bench.cloud.set_weight(pool_id, member["id"], 1)
        answered = time.monotonic()
        first = await probe.wait_first(backend.name, start, asked, FIRST_REQUEST_TIMEOUT_S)
        if first is None:
            misses += 1
        else:
            up.append(max(0.0, first.received - answered))
        await asyncio.sleep(0.005)
        start = probe.mark()
        await bench.cloud.set_weight(pool_id, member["id"], 0)
        answered = time.monotonic()
        await asyncio.sleep(SETTLE_S * 3)
        last = probe.last_from(backend.name, start)
        down.append(max(0.0, last.sent - answered) if last is not None else 0.0)
    await bench.cloud.delete_member(pool_id, member["id"])
    s_up, s_down = summarize(up), summarize(down)
    say(f"convergence weight 0->1: p50 {ms(s_up.p50_ms)} p99 {ms(s_up.p99_ms)} ms; 1->0 last request p99 {ms(s_down.p99_ms)} ms")
    rows = [
        _row("weight 0 -> 1: 200 -> first request to the member", up, misses),
        _row("weight 1 -> 0: 200 -> last request to the member", down, 0),
    ]
    figures = {"converge_weight_p99_ms": max(s_up.p99_ms, s_down.p99_ms)}
    return Measured(rows, figures, {"weight 0 -> 1: 200 -> first request": up, "weight 1 -> 0: 200 -> last request": down})


async def _monitored(bench: Bench, probe: Probe, pool_id: str, backends: list[TinyBackend]) -> Measured:
    to_check: list[float] = []
    to_traffic: list[float] = []
    misses = early = 0
    for round_number in range(MONITOR_ROUNDS):
        group = [backends[(round_number * MONITOR_BATCH + i) % len(backends)] for i in range(MONITOR_BATCH)]
        start = probe.mark()
        added: list[tuple[TinyBackend, dict[str, Any], float, float]] = []
        for backend in group:
            posted = time.monotonic()
            member = await bench.cloud.member(pool_id, bench.subnet_id, backend.address, backend.port)
            added.append((backend, member, posted, time.monotonic()))
        for backend, _, posted, created in added:
            first = await probe.wait_first(backend.name, start, posted, max(0.1, created + MONITOR_TIMEOUT_S - time.monotonic()))
            check = backend.first_check_after(created)
            if first is None or check is None:
                misses += 1
                continue
            to_check.append(check - created)
            to_traffic.append(max(0.0, first.received - created))
            if first.received < check:
                early += 1
        ids = [{"id": member["id"]} for _, member, _, _ in added]
        t_del = time.monotonic()
        await bench.cloud.ok("POST", f"pools/{pool_id}/members/batch-delete", {"members": ids}, status=200)
        say(f"monitor round {round_number + 1}: {MONITOR_BATCH} adds took {added[-1][3] - added[0][2]:.2f} s, "
            f"the batch-delete {time.monotonic() - t_del:.2f} s")
    s_check, s_traffic = summarize(to_check), summarize(to_traffic)
    say(f"convergence with monitor: first check p50 {ms(s_check.p50_ms)} ms, first request p50 {ms(s_traffic.p50_ms)} "
        f"p99 {ms(s_traffic.p99_ms)} ms; served before a check passed: {early}")
    rows = [
        _row("with monitor: 201 -> first (passing) health check", to_check, misses),
        _row("with monitor: 201 -> first request served", to_traffic, misses, f"{early} served before their first check"),
    ]
    return Measured(rows, {"converge_monitor_p50_ms": s_traffic.p50_ms, "converge_monitor_early": early}, {})


async def run(bench: Bench) -> Section:
    section = Section(TITLE, INTRO)
    section.figures["converge_samples"] = f"p99 of {ADDS} adds and of {WEIGHT_CYCLES} weight changes each way"
    setup = await _setup(bench)
    resident, weighted = await start_backends(["resident", "weighted"], 10)
    cycling = await start_backends([f"b{i}" for i in range(CYCLING_BACKENDS)], 20)
    everyone = [resident, weighted, *cycling]
    try:
        for pool_id in (setup["plain_pool"], setup["checked_pool"]):
            await bench.cloud.member(pool_id, bench.subnet_id, resident.address, resident.port)
        measured: list[Measured] = []
        async with Probe(setup["vip"], 8080) as probe:
            if await probe.wait_first("resident", 0, 0.0, 10.0) is None:
                raise RuntimeError(f"the resident member never answered through the VIP: {probe.errors[-3:]}")
            probe.errors.clear()  # refused connections before the listener was up do not count
            measured.append(await _adds_and_deletes(bench, probe, setup["plain_pool"], cycling))
            measured.append(await _weights(bench, probe, setup["plain_pool"], weighted))
            plain_errors = len(probe.errors)
            if probe.errors:
                say(f"probe errors: {probe.errors[:3]}")
        async with Probe(setup["vip"], 8081) as probe:
            if await probe.wait_first("resident", 0, 0.0, 10.0) is None:
                raise RuntimeError("the resident member of the monitored pool never answered")
            probe.errors.clear()
            measured.append(await _monitored(bench, probe, setup["checked_pool"], cycling))
            checked_errors = len(probe.errors)
    finally:
        for backend in everyone:
            await backend.stop()
    for one in measured:
        section.figures.update(one.figures)
    section.tables.append(Table(
        "Member changes to traffic (ms)",
        ["change", "samples", "p50", "p99", "max", "missed", "notes"],
        [row for one in measured for row in one.rows],
        f"Probe: one keep-alive connection through the VIP, a request about every millisecond; failed probe "
        f"requests: {plain_errors} (no monitor), {checked_errors} (with monitor). With the monitor, members are added "
        f"{MONITOR_BATCH} at a time, so a figure can include up to {MONITOR_BATCH + 1} probe requests of round robin. "
        "A delete counts a sample only when the member served a request after the DELETE was sent (round robin may "
        "have sent its last one just before).",
    ))
    section.plots.append(Plot(
        "convergence", "Member change to traffic through the VIP, no health monitor (distribution of every sample)",
        "ms after the API's answer (delete: after the DELETE was sent)", "fraction of changes",
        [ecdf(label, seconds) for one in measured for label, seconds in one.samples.items()],
        [Mark("goal: p99 <= 50 ms", 50.0)],
    ))
    return section


async def adds_on_a_small_site(bench: Bench, count: int) -> Measured:
    """The add/delete measurement on a new load balancer with one HTTP listener (removed after): for
    measuring convergence while something else, such as a big pool, is on the machine."""
    cloud = bench.cloud
    lb = await cloud.load_balancer(bench.vip_subnet)
    listener = await cloud.listener(lb["id"], "HTTP", 8080)
    pool_id = (await cloud.pool(listener_id=listener["id"]))["id"]
    resident, *cycling = await start_backends(["resident", *(f"s{i}" for i in range(10))], 100)
    try:
        await cloud.member(pool_id, bench.subnet_id, resident.address, resident.port)
        async with Probe(lb["vip_address"], 8080) as probe:
            if await probe.wait_first("resident", 0, 0.0, 10.0) is None:
                raise RuntimeError("the resident member never answered through the VIP")
            probe.errors.clear()
            return await _adds_and_deletes(bench, probe, pool_id, cycling, count)
    finally:
        for backend in (resident, *cycling):
            await backend.stop()
        await remove_load_balancer(cloud, lb["id"])
