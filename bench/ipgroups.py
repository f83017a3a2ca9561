"""Part 6, IP address groups: requests per second through a listener whose whitelist holds 10,000
entries, against the same list in a hand-written HAProxy; then the time from a PUT of a 1,000-entry
ip_list to the first new connection that sees it, with the HAProxy master's reload count read before
and after (an entry change goes through the runtime API: it must not reload)."""

import asyncio
import socket
import threading
import time
from typing import Any

from bench import wrk
from bench.context import HAND_WRITTEN_VIP, Bench, Section, Table, say
from bench.dataplane import round_order, show_info
from bench.handwritten import DEFER_ACCEPT, FORWARDED_HEADERS, run_anchor
from bench.nginx import shared_backends
from bench.procs import terminate
from bench.stats import ms, percentile
from bench.waits import wait_serving
from elbd.dataplane.haproxy_engine import process_for

TITLE = "6. IP address groups"
PORT, CHANGE_PORT = 8190, 8191
ENTRIES = 10_000
CHANGE_ENTRIES = 1_000
ROUNDS = 5
RUN_S = 3.0
CHANGES = 20
PROBE_SOURCE = "127.41.0.9"  # the address each change admits or refuses again
MODES = (("Connection: close", True), ("keep-alive", False))
INTRO = (
    f"One HTTP listener with a whitelist of {ENTRIES:,} single addresses (wrk's own, 127.0.0.1, among them); the anchor: "
    "the same list in a file of a hand-written HAProxy with the same rule (`tcp-request connection reject if !{ src -f ... }`), "
    f"elbd's nbthread and maxconn. {ROUNDS} rounds of both back to back, the order alternating; a ratio is the median of the "
    f"rounds'. With `Connection: close` every request is a new connection checked against the list. Then {CHANGES} PUTs of "
    f"a {CHANGE_ENTRIES:,}-entry ip_list on another listener's group, alternately with and without the probe's source address, "
    "while a probe opens a new connection from that address about every millisecond: the time from the PUT sent to the first "
    "connection that sees the change."
)


def whitelist() -> list[str]:
    """127.0.0.1 and addresses no two of which collapse into one network."""
    return ["127.0.0.1", *(f"10.{index // 256}.{index % 256}.1" for index in range(ENTRIES - 1))]


def hand_written(vip: str, server: str, acl_file: str, maxconn: int, nbthread: int) -> str:
    return "\n".join([
        "global", f"    maxconn {maxconn}", f"    nbthread {nbthread}", "", "defaults", "    mode http",
        "    timeout connect 5s", "    timeout client 60s", "    timeout server 60s", "",
        "frontend guarded", f"    bind {vip}:{PORT} {DEFER_ACCEPT}", f"    tcp-request connection reject if !{{ src -f {acl_file} }}",
        *(f"    {line}" for line in FORWARDED_HEADERS), "    default_backend servers", "",
        "backend servers", "    http-reuse always", f"    server s1 {server}", "",
    ])


def _admitted(vip: str, port: int) -> tuple[float, float, bool]:
    """One request from PROBE_SOURCE on a new connection: (sent, received, answered)."""
    sent = time.monotonic()
    try:
        with socket.create_connection((vip, port), timeout=2.0, source_address=(PROBE_SOURCE, 0)) as connection:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
            answered = connection.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        answered = False
    return sent, time.monotonic(), answered


async def _changes(bench: Bench, vip: str, group_id: str, load_balancer_id: str) -> dict[str, Any]:
    samples: list[tuple[float, float, bool]] = []
    stopping = threading.Event()

    def probe() -> None:
        """In a thread of its own: the PUTs' client and the probe do not wait on one event loop."""
        deadline = time.monotonic() + 120
        while not stopping.is_set() and time.monotonic() < deadline:
            samples.append(_admitted(vip, CHANGE_PORT))
            time.sleep(0.001)

    fillers = [f"11.{index // 256}.{index % 256}.1" for index in range(CHANGE_ENTRIES)]
    process = process_for(bench.server.data_dir, load_balancer_id)
    before = process.master_state()
    effects, answers, stale, missed = [], [], 0, 0
    task = asyncio.create_task(asyncio.to_thread(probe))
    try:
        for number in range(CHANGES):
            admit = number % 2 == 0
            ips = [PROBE_SOURCE, *fillers[1:]] if admit else fillers
            started = time.monotonic()
            await bench.cloud.ok("PUT", f"ipgroups/{group_id}", {"ipgroup": {"ip_list": [{"ip": ip} for ip in ips]}})
            answered = time.monotonic()
            answers.append((answered - started) * 1000)
            deadline = answered + 10
            while time.monotonic() < deadline and not any(sent >= answered for sent, _, _ in samples):
                await asyncio.sleep(0.005)
            seen = [received for sent, received, ok in samples if sent >= started and ok == admit]
            if not seen:
                missed += 1
                continue
            effects.append((min(seen) - started) * 1000)
            stale += sum(1 for sent, _, ok in samples if sent >= answered and ok != admit)
            await asyncio.sleep(0.05)
    finally:
        stopping.set()
        await task
    after = process.master_state()
    return {"effects": effects, "answers": answers, "stale": stale, "missed": missed, "probes": len(samples),
            "reloads": after.reloads - before.reloads, "same_master": after.pid == before.pid}


async def run(bench: Bench) -> Section:
    cloud = bench.cloud
    server = (await shared_backends(bench)).endpoints[0]
    lb = await cloud.load_balancer(bench.vip_subnet)
    vip = lb["vip_address"]
    started = time.monotonic()
    guard = (await cloud.ok("POST", "ipgroups", {"ipgroup": {"name": "bench", "ip_list": [{"ip": ip} for ip in whitelist()]}}))["ipgroup"]
    say(f"ipgroups: a group of {ENTRIES:,} entries created in {time.monotonic() - started:.2f} s")
    listener = await cloud.listener(lb["id"], "HTTP", PORT, ipgroup={"ipgroup_id": guard["id"]})
    pool = await cloud.pool("HTTP", listener_id=listener["id"])
    await cloud.member(pool["id"], bench.subnet_id, server.address, server.port)
    changing = (await cloud.ok("POST", "ipgroups", {"ipgroup": {"name": "changes", "ip_list": []}}))["ipgroup"]
    change_listener = await cloud.listener(lb["id"], "HTTP", CHANGE_PORT, ipgroup={"ipgroup_id": changing["id"]})
    change_pool = await cloud.pool("HTTP", listener_id=change_listener["id"])
    await cloud.member(change_pool["id"], bench.subnet_id, server.address, server.port)
    await wait_serving(vip, PORT, server.name)
    info = show_info(bench, lb["id"])
    nbthread, maxconn = int(info.get("Nbthread", "1")), int(info.get("Maxconn", "4000"))
    anchor_dir = bench.work_dir / "hand-written-ipgroups"
    anchor_dir.mkdir(parents=True, exist_ok=True)
    acl_file = anchor_dir / "whitelist.acl"
    acl_file.write_text("".join(f"{ip}\n" for ip in whitelist()))
    anchor = run_anchor(anchor_dir, hand_written(HAND_WRITTEN_VIP, f"{server.address}:{server.port}", str(acl_file), maxconn, nbthread),
                        (HAND_WRITTEN_VIP, PORT))
    bench.cleanups.callback(terminate, anchor)
    await wait_serving(HAND_WRITTEN_VIP, PORT, server.name)
    targets = {"elbd": f"http://{vip}:{PORT}/", "hand-written": f"http://{HAND_WRITTEN_VIP}:{PORT}/"}
    results: dict[tuple[str, str], list[wrk.WrkResult]] = {}
    for mode, close in MODES:
        for number in range(ROUNDS):
            for name in round_order(list(targets), number):
                result = await wrk.run(f"{name} {mode}", targets[name], RUN_S, close=close)
                results.setdefault((name, mode), []).append(result)
                say(f"wrk ipgroups {name:13} {mode:17}: {result.per_second:9.0f} req/s failed {result.failures_text()}")
    terminate(anchor)
    changes = await _changes(bench, vip, changing["id"], lb["id"])
    return _section(results, changes)


def _section(results: dict[tuple[str, str], list[wrk.WrkResult]], changes: dict[str, Any]) -> Section:
    section = Section(TITLE, INTRO)
    rows, ratios = wrk.against_anchor(results, [mode for mode, _ in MODES])
    section.tables.append(Table(
        f"wrk -t1 -c50 -d{RUN_S:g}s through a {ENTRIES:,}-entry whitelist",
        ["mode", "elbd req/s (mean)", "hand-written req/s (mean)", "elbd / hand-written: median (rounds)", "failed"], rows))
    effects, answers = changes["effects"], changes["answers"]
    section.tables.append(Table(
        f"A {CHANGE_ENTRIES:,}-entry ip_list PUT to traffic (ms)", ["measure", "samples", "p50", "p99", "max"],
        [["PUT sent -> first new connection that sees it", str(len(effects)), ms(percentile(effects, 0.5)), ms(percentile(effects, 0.99)),
          ms(max(effects, default=float("nan")))],
         ["PUT sent -> its answer (it waits for the data plane)", str(len(answers)), ms(percentile(answers, 0.5)), ms(percentile(answers, 0.99)),
          ms(max(answers, default=float("nan")))]],
        f"Probe: {changes['probes']:,} new connections; after a PUT's answer, connections that still saw the old list: {changes['stale']}; "
        f"changes not seen within 10 s: {changes['missed']}. HAProxy reloads during the changes: {changes['reloads']} "
        f"(same master: {'yes' if changes['same_master'] else 'no'})."))
    section.figures["ipgroups_ratio_hand"] = ratios
    section.figures["ipgroups_change_p99_ms"] = percentile(effects, 0.99)
    section.figures["ipgroups_change_reloads"] = changes["reloads"]
    return section
