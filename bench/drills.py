"""Part 8, fault drills under wrk load through an HTTP listener, each reporting failed requests:
member adds, weight changes and removals; a listener added and removed (two reloads); `elbd serve`
killed with SIGKILL and started again; an HAProxy worker killed (and the time until the VIP serves
again)."""

import asyncio
import os
import signal
import time
from pathlib import Path
from collections.abc import Awaitable, Callable
from typing import Any

from bench import procs, wrk
from bench.context import Bench, Section, Table, say
from bench.httpclient import Connection, HttpError
from bench.nginx import Endpoint, shared_backends
from bench.waits import first_answer, wait_serving
from elbd.dataplane.haproxy_engine import process_for

TITLE = "8. Drills under load"
RUN_S = 6.0
KILL_RUN_S = 10.0  # the load covers the kill, the restart (a few seconds on a busy machine) and a member change after it
CONNECTIONS = 20
PORT, EXTRA_PORT = 8080, 8081
MODES = (("keep-alive", False), ("Connection: close", True))
INTRO = (f"wrk -t1 -c{CONNECTIONS} -d{RUN_S:g}s (-d{KILL_RUN_S:g}s for the control-plane kill) through the VIP of a load balancer with one HTTP listener and a pool of "
         "nginx backends, while the drill runs. Failed = wrk's socket errors (connect, read, write, timeout) plus "
         "non-2xx answers.")


async def _at(started: float, offset_s: float) -> None:
    await asyncio.sleep(max(0.0, started + offset_s - time.monotonic()))


async def under_load(
    url: str, close: bool, drill: Callable[[float], Awaitable[dict[str, Any]]], seconds: float = RUN_S
) -> tuple[wrk.WrkResult, dict[str, Any]]:
    started = time.monotonic()
    load = asyncio.create_task(wrk.run("drill", url, seconds, close=close, connections=CONNECTIONS))
    try:
        facts = await drill(started)
    except BaseException:
        load.cancel()
        raise
    return await load, facts


async def _first_success_after(address: str, port: int, moment: float, timeout_s: float) -> tuple[float | None, int]:
    """Fresh connections every 5 ms from `moment` on: when the VIP first served again, and failed attempts."""
    failures = 0
    deadline = moment + timeout_s
    while time.monotonic() < deadline:
        connection = Connection(address, port, timeout_s=1.0)
        try:
            answer = await connection.request("GET", "/", headers={"Connection": "close"})
            if answer.status == 200 and failures:
                return time.monotonic(), failures
            if answer.status != 200:
                failures += 1
        except HttpError:
            failures += 1
        finally:
            await connection.close()
        await asyncio.sleep(0.005)
    return None, failures


async def run(bench: Bench) -> Section:
    cloud = bench.cloud
    backends = await shared_backends(bench)
    b: list[Endpoint] = backends.endpoints[1:6]
    lb = await cloud.load_balancer(bench.vip_subnet)
    vip, lb_id = lb["vip_address"], lb["id"]
    listener = await cloud.listener(lb_id, "HTTP", PORT)
    pool_id = (await cloud.pool(listener_id=listener["id"]))["id"]
    members = {e.name: (await cloud.member(pool_id, bench.subnet_id, e.address, e.port))["id"] for e in b[:2]}
    await wait_serving(vip, PORT, b[0].name)
    url = f"http://{vip}:{PORT}/"
    section = Section(TITLE, INTRO)
    rows: list[list[str]] = []
    figures: dict[str, int] = {}

    async def member_changes(started: float) -> dict[str, Any]:
        steps = 0
        plan: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
            ("add b3", lambda: _add(b[2])),
            ("b3 weight 5", lambda: cloud.set_weight(pool_id, members[b[2].name], 5)),
            ("b1 weight 0", lambda: cloud.set_weight(pool_id, members[b[0].name], 0)),
            ("b1 weight 1", lambda: cloud.set_weight(pool_id, members[b[0].name], 1)),
            ("remove b2", lambda: _remove(b[1])),
            ("add b2", lambda: _add(b[1])),
            ("add b4", lambda: _add(b[3])),
            ("remove b3", lambda: _remove(b[2])),
            ("remove b4", lambda: _remove(b[3])),
        ]
        for index, (_, step) in enumerate(plan):
            await _at(started, 0.5 + index * 0.5)
            await step()
            steps += 1
        return {"changes": steps}

    async def _add(endpoint: Endpoint) -> None:
        members[endpoint.name] = (await cloud.member(pool_id, bench.subnet_id, endpoint.address, endpoint.port))["id"]

    async def _remove(endpoint: Endpoint) -> None:
        await cloud.delete_member(pool_id, members.pop(endpoint.name))

    async def reloads(started: float) -> dict[str, Any]:
        await _at(started, 1.0)
        posted = time.monotonic()
        extra = await cloud.listener(lb_id, "HTTP", EXTRA_PORT)
        created = time.monotonic()
        served = await first_answer(vip, EXTRA_PORT, created)
        await _at(started, 3.5)
        await cloud.ok("DELETE", f"listeners/{extra['id']}")
        return {"listener 201 -> new port answers": f"{(served - created) * 1000:.0f} ms (201 after {(created - posted) * 1000:.0f} ms)"}

    async def control_plane_kill(started: float) -> dict[str, Any]:
        process = process_for(bench.server.data_dir, lb_id)
        before = process.master_state()
        await _at(started, 1.0)
        bench.server.kill()
        await _at(started, 2.0)
        answered = await asyncio.to_thread(bench.server.start)
        await cloud.connection.close()
        added = time.monotonic()
        await _add(b[4])
        await _remove(b[4])
        after = process.master_state()
        same = before is not None and after is not None and (before.pid, before.reloads) == (after.pid, after.reloads)
        return {"restart -> API answers": f"{answered:.1f} s", "member add + remove after the restart": f"{(time.monotonic() - added) * 1000:.0f} ms",
                "HAProxy adopted, not reloaded": "yes" if same else f"no ({before} -> {after}; {_reload_reason(bench.server.log_path, lb_id)})"}

    async def worker_kill(started: float) -> dict[str, Any]:
        process = process_for(bench.server.data_dir, lb_id)
        await _at(started, 1.0)
        master = process.master_pid()
        workers = procs.children(master) if master else []
        if not workers:
            return {"error": "no HAProxy worker found"}
        killed = time.monotonic()
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        back, failures = await _first_success_after(vip, PORT, killed, RUN_S - 1.5)
        recovery = "not within the run" if back is None else f"{(back - killed) * 1000:.0f} ms"
        return {"VIP serving again after the kill": recovery, "failed probe connections": failures,
                "master after": "restarted" if process.master_pid() != master else "same"}

    drills: list[tuple[str, Callable[[float], Awaitable[dict[str, Any]]], tuple[tuple[str, bool], ...], float]] = [
        ("members added / re-weighted / removed (9 changes)", member_changes, MODES, RUN_S),
        ("listener added, then deleted (2 reloads)", reloads, MODES, RUN_S),
        ("`elbd serve` SIGKILLed, restarted 1 s later, then a member added and removed", control_plane_kill, MODES, KILL_RUN_S),
        ("HAProxy worker SIGKILLed", worker_kill, MODES[:1], RUN_S),
    ]
    for name, drill, modes, seconds in drills:
        for mode, close in modes:
            result, facts = await under_load(url, close, drill, seconds)
            say(f"drill {name} [{mode}]: {result.requests} requests, failed {result.failures_text()}; {facts}")
            rows.append([name, mode, f"{result.requests:,}", f"{result.per_second:,.0f}", str(result.failed), result.failures_text(),
                         "; ".join(f"{key}: {value}" for key, value in facts.items())])
            key = {member_changes: "drill_member_failed", control_plane_kill: "drill_control_kill_failed",
                   reloads: "drill_reload_failed", worker_kill: "drill_worker_kill_failed"}[drill]
            figures[key] = figures.get(key, 0) + result.failed
            await _settle(vip)
    section.tables.append(Table("Drills", ["drill", "mode", "requests", "req/s", "failed", "failures", "observed"], rows))
    section.figures.update(figures)
    return section


def _reload_reason(log_path: Path, lb_id: str) -> str:
    """What elbd logged when it reloaded the process it found running (the skeleton lines that differed)."""
    said = [line.strip() for line in log_path.read_text(errors="replace").splitlines() if f"load balancer {lb_id}: reloading" in line]
    return said[-1] if said else "elbd logged no reason"


async def _settle(vip: str) -> None:
    """Between drills: the VIP answers again (after a worker kill it may take a moment)."""
    await first_answer(vip, PORT, time.monotonic())
    await asyncio.sleep(0.3)
