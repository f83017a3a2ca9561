"""Part 12, scale: 10,000 members in one pool through batch-add, and 1,000 load balancers each with a
listener, a pool and two members; times, reload time, memory, elbd's idle CPU, how long a restarted
`elbd serve` takes to adopt them all, and a member create's way to traffic among them. Skipped in part
when the run's time budget is short."""

import asyncio
import time
from pathlib import Path
from typing import Any

from bench import procs
from bench.context import Bench, Section, Table, say
from bench.convergence import adds_on_a_small_site
from bench.nginx import shared_backends
from bench.stats import ms, summarize
from bench.waits import first_answer, gone, wait_serving
from elbd.dataplane.haproxy_engine import process_for
from elbd.dataplane.runtime_commands import GetWeight, ShowServersState
from elbd.dataplane.haproxy import HaproxyProcess

TITLE = "12. Scale"
MEMBERS = 10_000
BATCH = 200
LOAD_BALANCERS = 1_000
BUILDERS = 4  # concurrent API clients building the load balancers
NEEDED_S = {"members": 100.0, "load_balancers": 240.0}
SETTLED_CPU_SHARE = 0.05  # the agent has adopted every load balancer once its CPU stays below this ...
SETTLED_WINDOW_S = 1.0  # ... over two windows of this length in a row
ADOPT_LIMIT_S = 180.0
CONVERGE_LIMIT_S = 180.0
GONE_LIMIT_S = 20.0
RESERVE_S = 30.0  # left for the report and stopping everything: loops stop starting new work below it
IDLE_WINDOW_S = 4.0
NEIGHBOUR_ADDS = 40


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.1f} MiB"


def haproxy_memory(process: HaproxyProcess) -> tuple[int, int, int]:
    """(processes, RSS KiB, PSS KiB) of one load balancer's master and workers."""
    master = process.master_pid()
    if master is None:
        return 0, 0, 0
    pids = [master, *procs.children(master)]
    rss = pss = 0
    for pid in pids:
        one_rss, one_pss = procs.memory_kib(pid)
        rss, pss = rss + one_rss, pss + one_pss
    return len(pids), rss, pss


async def _present(process: HaproxyProcess, backend: str, server: str, timeout_s: float) -> float | None:
    """Poll the runtime API until HAProxy knows `backend/server`; answers when it did."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        answer = await asyncio.to_thread(process.runtime, GetWeight(backend, server))
        if answer and answer[0].isdigit():
            return time.monotonic()
        await asyncio.sleep(0.005)
    return None


async def _servers_in(process: HaproxyProcess, backend: str) -> int:
    state = await asyncio.to_thread(process.runtime, ShowServersState(backend))
    return sum(1 for line in state.splitlines()[1:] if line and not line.startswith("#"))


async def _all_present(process: HaproxyProcess, backend: str, count: int, timeout_s: float) -> float | None:
    """Poll the runtime API until HAProxy has `count` servers in `backend`; answers when it had."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await _servers_in(process, backend) >= count:
            return time.monotonic()
        await asyncio.sleep(0.05)
    return None


async def big_pool(bench: Bench, section: Section) -> None:
    cloud = bench.cloud
    lb = await cloud.load_balancer(bench.vip_subnet)
    listener = await cloud.listener(lb["id"], "HTTP", 8080)
    pool_id = (await cloud.pool(listener_id=listener["id"]))["id"]
    process = process_for(bench.server.data_dir, lb["id"])
    times: list[float] = []
    started = time.monotonic()
    last: dict[str, Any] = {}
    for _ in range(MEMBERS // BATCH):
        if bench.remaining_s() < RESERVE_S:
            section.notes.append(f"The batch-adds stopped early: the run's time budget ran out (reserve {RESERVE_S:.0f} s).")
            break
        endpoints = [(bench.next_address(), 80) for _ in range(BATCH)]
        sent = time.monotonic()
        added = await cloud.batch_add(pool_id, bench.subnet_id, endpoints)
        times.append(time.monotonic() - sent)
        last = added[-1]
    api_done = time.monotonic()
    if not last:
        return
    present = await _all_present(process, pool_id, len(times) * BATCH, min(CONVERGE_LIMIT_S, max(5.0, bench.remaining_s() - RESERVE_S)))
    in_haproxy = await _servers_in(process, pool_id)
    batch = summarize(times)
    say(f"scale: {MEMBERS} members by batch-add in {api_done - started:.1f} s (batch p50 {ms(batch.p50_ms)} max {ms(batch.max_ms)} ms); "
        f"HAProxy has {in_haproxy} servers, {('%.1f s' % (present - api_done)) if present else 'not'} after the last 201")

    # one more member at 10,000: API latency and time until HAProxy has it
    sent = time.monotonic()
    one = await cloud.member(pool_id, bench.subnet_id, bench.next_address(), 80)
    created = time.monotonic()
    one_present = await _present(process, pool_id, one["id"], 60)
    elbd_pid = bench.server.pid or 0
    await asyncio.sleep(1.0)
    idle_cpu = await idle_share(elbd_pid)  # the API process and its agent
    count, rss, pss = haproxy_memory(process)  # steady state: one master, one worker
    elbd_rss, _ = procs.memory_kib(elbd_pid)
    figures = (await adds_on_a_small_site(bench, NEIGHBOUR_ADDS)).figures
    section.figures["converge_add_p99_ms_next_to_10k"] = figures["converge_add_p99_ms"]
    say(f"scale: elbd idle CPU with the 10,000-member pool {idle_cpu:.0%}; member add on another LB: p99 {ms(figures['converge_add_p99_ms'])} ms")
    # a reload with 10,000 servers: a new listener, timed until its port answers
    posted = time.monotonic()
    extra = await cloud.listener(lb["id"], "HTTP", 8081)
    listener_created = time.monotonic()
    answered = await first_answer(lb["vip_address"], 8081, listener_created, 60)
    say(f"scale: one more member: 201 after {(created - sent) * 1000:.0f} ms, in HAProxy {((one_present or created) - created) * 1000:.0f} ms later; "
        f"reload (new listener) {(answered - listener_created) * 1000:.0f} ms; HAProxy RSS {_mib(rss)}, elbd RSS {_mib(elbd_rss)}")
    await cloud.ok("DELETE", f"listeners/{extra['id']}")
    if not await gone(lb["vip_address"], 8081, GONE_LIMIT_S):  # the reload that removes it is done
        status = (await cloud.ok("GET", f"loadbalancers/{lb['id']}/statuses"))["statuses"]["loadbalancer"]
        section.notes.append(f"The deleted listener's port still answered {GONE_LIMIT_S:.0f} s after the DELETE; the load "
                             f"balancer's data plane reported {status.get('dataplane')}.")
        say(section.notes[-1])
    section.figures["scale_members"] = in_haproxy
    section.tables.append(Table(f"{MEMBERS:,} members in one pool", ["measure", "value"], [
        [f"{MEMBERS // BATCH} batch-adds of {BATCH} (sequential)", f"{api_done - started:.1f} s; per call p50 {ms(batch.p50_ms, 0)} ms, max {ms(batch.max_ms, 0)} ms"],
        ["last 201 -> every server in HAProxy", "not within the limit" if present is None else f"{(present - api_done) * 1000:,.0f} ms"],
        ["servers in HAProxy (`show servers state`)", f"{in_haproxy:,}"],
        ["one more member: POST -> 201", f"{(created - sent) * 1000:.0f} ms"],
        ["one more member: 201 -> in HAProxy", "not within 60 s" if one_present is None else f"{(one_present - created) * 1000:.0f} ms"],
        ["reload with 10,000 servers: listener POST -> 201", f"{(listener_created - posted) * 1000:.0f} ms"],
        ["reload with 10,000 servers: 201 -> new port answers", f"{(answered - listener_created) * 1000:,.0f} ms"],
        [f"HAProxy memory ({count} processes)", f"RSS {_mib(rss)}, PSS {_mib(pss)}"],
        ["elbd serve RSS (whole process, after every earlier part)", _mib(elbd_rss)],
        [f"elbd serve and its agent, CPU while idle ({IDLE_WINDOW_S:g} s window; no pool has a monitor, so the poller reads no stats)",
         f"{idle_cpu:.0%} of one core"],
        [f"with this pool on the machine, another load balancer: 201 -> first request of a new member ({NEIGHBOUR_ADDS} adds)",
         f"p50 {ms(figures['converge_add_p50_ms'])} ms, p99 {ms(figures['converge_add_p99_ms'])} ms"],
    ]))


def elbd_cpu_seconds(pid: int) -> float:
    """CPU time of `elbd serve` and its children: the data-plane agent does its work in one."""
    return procs.cpu_seconds(pid) + sum(procs.cpu_seconds(child) for child in procs.children(pid))


async def idle_share(pid: int, window_s: float = IDLE_WINDOW_S) -> float:
    """Share of one core `elbd serve` (with its agent) used over `window_s` while nothing is asked of it."""
    before = elbd_cpu_seconds(pid)
    await asyncio.sleep(window_s)
    return (elbd_cpu_seconds(pid) - before) / window_s


def haproxy_processes(data_dir: Path) -> dict[str, tuple[int | None, tuple[int, ...]]]:
    """Each load balancer's HAProxy master and its workers (one reading of /proc for them all): a reload
    replaces the workers, a restart the master too."""
    children: dict[int, list[int]] = {}
    for pid in procs.live_pids():
        parent = procs.parent(pid)
        if parent is not None:
            children.setdefault(parent, []).append(pid)
    found: dict[str, tuple[int | None, tuple[int, ...]]] = {}
    for run_dir in sorted((data_dir / "haproxy").iterdir()) if (data_dir / "haproxy").is_dir() else []:
        master = process_for(data_dir, run_dir.name).master_pid()
        found[run_dir.name] = (master, tuple(sorted(children.get(master, ()))) if master else ())
    return found


async def adoption_time(bench: Bench) -> tuple[float, float | None, int]:
    """Stop `elbd serve` (its HAProxy processes keep serving) and start it again: seconds until its API
    answers, until its agent has gone over every load balancer (its CPU settled; None: not within
    ADOPT_LIMIT_S), and how many load balancers have another master or worker after it than before."""
    bench.server.stop()
    before = await asyncio.to_thread(haproxy_processes, bench.server.data_dir)
    started = time.monotonic()
    answered = await asyncio.to_thread(bench.server.start, 60.0)
    pid = bench.server.pid or 0
    quiet_windows = 0
    adopted: float | None = None
    while time.monotonic() - started < ADOPT_LIMIT_S:
        quiet_windows = quiet_windows + 1 if await idle_share(pid, SETTLED_WINDOW_S) < SETTLED_CPU_SHARE else 0
        if quiet_windows == 2:
            adopted = time.monotonic() - started - 2 * SETTLED_WINDOW_S
            break
    after = await asyncio.to_thread(haproxy_processes, bench.server.data_dir)
    replaced = sum(1 for one, processes in before.items() if one in after and after[one] != processes)
    return answered, adopted, replaced


async def _build_one(bench: Bench, cloud: Any, backends: list[tuple[str, int]]) -> dict[str, Any]:
    lb = await cloud.load_balancer(bench.vip_subnet)
    listener = await cloud.listener(lb["id"], "HTTP", 8080)
    pool_id = (await cloud.pool(listener_id=listener["id"]))["id"]
    for address, port in backends:
        await cloud.member(pool_id, bench.subnet_id, address, port)
    return lb


async def many_load_balancers(bench: Bench, section: Section) -> None:
    shared = await shared_backends(bench)
    backends = [(e.address, e.port) for e in shared.endpoints[6:8]]
    names = {e.name for e in shared.endpoints[6:8]}
    clouds = [bench.cloud.clone() for _ in range(BUILDERS)]
    built: list[dict[str, Any]] = []
    started = time.monotonic()

    async def builder(cloud: Any, count: int) -> None:
        for _ in range(count):
            if bench.remaining_s() < RESERVE_S:
                return
            built.append(await _build_one(bench, cloud, backends))

    try:
        share = LOAD_BALANCERS // BUILDERS
        await asyncio.gather(*(builder(cloud, share) for cloud in clouds))
    finally:
        for cloud in clouds:
            await cloud.close()
    api_done = time.monotonic()
    serving = 0
    deadline = api_done + min(CONVERGE_LIMIT_S, max(5.0, bench.remaining_s() - RESERVE_S / 2))
    for lb in built:
        try:
            await wait_serving(lb["vip_address"], 8080, names, max(0.1, deadline - time.monotonic()))
            serving += 1
        except RuntimeError:
            pass
    all_serving = time.monotonic()
    load_balancer_dirs = [path.name for path in (bench.server.data_dir / "haproxy").iterdir() if path.is_dir()]
    total_processes = total_rss = total_pss = 0
    for lb_id in load_balancer_dirs:
        count, rss, pss = haproxy_memory(process_for(bench.server.data_dir, lb_id))
        total_processes, total_rss, total_pss = total_processes + count, total_rss + rss, total_pss + pss
    elbd_pid = bench.server.pid or 0
    elbd_rss, elbd_pss = procs.memory_kib(elbd_pid)
    agent_rss, agent_pss = map(sum, zip((0, 0), *(procs.memory_kib(child) for child in procs.children(elbd_pid))))
    await asyncio.sleep(1.0)
    elbd_idle_cpu = await idle_share(elbd_pid)
    say(f"scale: {len(built)} load balancers: API {api_done - started:.1f} s, all serving after {all_serving - started:.1f} s "
        f"({serving} serving); {len(load_balancer_dirs)} HAProxy ({total_processes} processes) PSS {_mib(total_pss)}, "
        f"elbd RSS {_mib(elbd_rss)} + agent {_mib(agent_rss)}, elbd idle CPU {elbd_idle_cpu:.1%}")
    converge = (await adds_on_a_small_site(bench, NEIGHBOUR_ADDS)).figures
    say(f"scale: with {len(load_balancer_dirs)} load balancers, a member add on another: p99 {ms(converge['converge_add_p99_ms'])} ms")
    api_answered, adopted, replaced = await adoption_time(bench)
    say(f"scale: elbd serve restarted among {len(load_balancer_dirs)} load balancers: API after {api_answered:.1f} s, every load balancer "
        f"adopted after {'%.1f s' % adopted if adopted is not None else 'more than %.0f s' % ADOPT_LIMIT_S}; "
        f"{replaced} with another HAProxy master or worker than before")
    section.figures["scale_load_balancers"] = serving
    section.figures["scale_idle_cpu"] = elbd_idle_cpu
    section.figures["scale_add_p99_ms"] = converge["converge_add_p99_ms"]
    section.figures["scale_adopted_s"] = adopted
    section.figures["scale_adoption_replaced"] = replaced
    section.tables.append(Table(f"{LOAD_BALANCERS} load balancers, each with a listener, a pool and two members", ["measure", "value"], [
        [f"API calls ({LOAD_BALANCERS * 5}, {BUILDERS} clients)", f"{api_done - started:.1f} s"],
        ["first call -> every VIP serves through its two members", f"{all_serving - started:.1f} s"],
        ["load balancers serving", f"{serving} of {len(built)} built (of {LOAD_BALANCERS} planned)"],
        [f"HAProxy processes on the machine (all {len(load_balancer_dirs)} load balancers of the run)", str(total_processes)],
        ["HAProxy memory, all of them", f"PSS {_mib(total_pss)} (RSS summed {_mib(total_rss)}); PSS per load balancer {_mib(total_pss // max(1, len(load_balancer_dirs)))}"],
        ["elbd serve memory (API process; the agent)", f"RSS {_mib(elbd_rss)}, PSS {_mib(elbd_pss)}; RSS {_mib(agent_rss)}, PSS {_mib(agent_pss)}"],
        ["total memory (PSS: HAProxy + elbd + agent)", _mib(total_pss + elbd_pss + agent_pss)],
        [f"elbd serve and its agent, CPU while idle ({IDLE_WINDOW_S:g} s window; the 10,000-member pool is still there)", f"{elbd_idle_cpu:.1%} of one core"],
        [f"among them, another load balancer: 201 -> first request of a new member ({NEIGHBOUR_ADDS} adds)",
         f"p50 {ms(converge['converge_add_p50_ms'])} ms, p99 {ms(converge['converge_add_p99_ms'])} ms"],
        ["elbd serve stopped and started again: start -> API answers", f"{api_answered:.1f} s"],
        [f"start -> every load balancer adopted (the agent's CPU below {SETTLED_CPU_SHARE:.0%} for {2 * SETTLED_WINDOW_S:g} s)",
         "not within the limit" if adopted is None else f"{adopted:.1f} s"],
        ["load balancers whose HAProxy master or workers changed across the restart (a reload or restart; 0 expected)", str(replaced)],
    ]))


async def run(bench: Bench) -> Section:
    section = Section(TITLE, "Done last, each half only when the run's time budget still allows it.")
    for name, step in (("members", big_pool), ("load_balancers", many_load_balancers)):
        if bench.remaining_s() < NEEDED_S[name]:
            section.notes.append(f"Skipped {name.replace('_', ' ')}: {bench.remaining_s():.0f} s of the budget left, {NEEDED_S[name]:.0f} s needed.")
            say(section.notes[-1])
            continue
        await step(bench, section)
    return section
