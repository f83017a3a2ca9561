"""Part 5, L7 policies: requests per second through a listener with 100 policies (each a host and a path
prefix), the request matching the last one, against the same rules written by hand in HAProxy; then the
time from a policy's 201 to the first request it routes, and from a DELETE's 204 to the last, with the
failed requests of a probe that runs through every change."""

import re
import time
from typing import Any

from bench import wrk
from bench.context import HAND_WRITTEN_VIP, Bench, Section, Table, say
from bench.dataplane import round_order, show_info
from bench.handwritten import DEFER_ACCEPT, FORWARDED_HEADERS, run_anchor
from bench.httpclient import Connection
from bench.nginx import shared_backends
from bench.probe import Probe
from bench.procs import terminate
from bench.stats import ms, percentile
from bench.waits import wait_serving

TITLE = "5. L7 policies"
PORT = 8180
POLICIES = 100
ROUNDS = 5
RUN_S = 3.0
CHANGES = 20
MODES = (("keep-alive", False), ("Connection: close", True))
LAST_HOST, LAST_PATH = f"h{POLICIES - 1}.example.com", f"/app{POLICIES - 1}/index.html"
PROBE_HOST, PROBE_PATH = "probe.example.com", "/probe/x"
INTRO = (
    f"One HTTP listener with advanced forwarding on and {POLICIES} policies, policy i routing `Host: hi.example.com` "
    "with a path starting `/appi/` to one of two pools; wrk sends every request to the last policy's host and path, "
    "so each request is checked against all of them. The anchor: the same rules as an expert writes them by hand in "
    "HAProxy (an ACL pair and a `use_backend` per rule, elbd's nbthread and maxconn). "
    f"{ROUNDS} rounds of both back to back, the order alternating; a ratio is the median of the rounds'. Then "
    f"{CHANGES} times: a policy routing the probe's host and path to a third pool is created, and deleted again, "
    "while a probe sends a request about every millisecond on one keep-alive connection."
)


async def _policy(bench: Bench, listener_id: str, pool_id: str, host: str, path: str, priority: int) -> dict[str, Any]:
    body = {"l7policy": {"listener_id": listener_id, "action": "REDIRECT_TO_POOL", "redirect_pool_id": pool_id, "priority": priority,
                         "rules": [{"type": "HOST_NAME", "compare_type": "EQUAL_TO", "value": host},
                                   {"type": "PATH", "compare_type": "STARTS_WITH", "value": path}]}}
    return (await bench.cloud.ok("POST", "l7policies", body))["l7policy"]


def hand_written(vip: str, servers: dict[str, str], maxconn: int, nbthread: int) -> str:
    """The anchor's configuration: the same policies as elbd's, in the way one writes them by hand."""
    lines = ["global", f"    maxconn {maxconn}", f"    nbthread {nbthread}", "", "defaults", "    mode http",
             "    timeout connect 5s", "    timeout client 60s", "    timeout server 60s", "",
             "frontend l7_in", f"    bind {vip}:{PORT} {DEFER_ACCEPT}", *(f"    {line}" for line in FORWARDED_HEADERS)]
    for index in range(POLICIES):
        lines += [f"    acl host_{index} req.hdr(host),field(1,:) -i -m str h{index}.example.com",
                  f"    acl path_{index} path -m beg /app{index}/"]
    lines += [f"    use_backend routed_{index % 2} if host_{index} path_{index}" for index in range(POLICIES)]
    lines += ["    default_backend fallback", ""]
    for name, server in servers.items():
        lines += [f"backend {name}", "    http-reuse always", f"    server s1 {server}", ""]
    return "\n".join(lines)


async def run(bench: Bench) -> Section:
    cloud = bench.cloud
    backends = await shared_backends(bench)
    fallback, routed, marker = backends.endpoints[0], backends.endpoints[1], backends.endpoints[2]
    lb = await cloud.load_balancer(bench.vip_subnet)
    vip = lb["vip_address"]
    listener = await cloud.listener(lb["id"], "HTTP", PORT, enhance_l7policy_enable=True)
    default_pool = await cloud.pool("HTTP", listener_id=listener["id"])
    await cloud.member(default_pool["id"], bench.subnet_id, fallback.address, fallback.port)
    pools = []
    for endpoint in (routed, routed, marker):
        pool = await cloud.pool("HTTP", loadbalancer_id=lb["id"])
        await cloud.member(pool["id"], bench.subnet_id, endpoint.address, endpoint.port)
        pools.append(pool)
    started = time.monotonic()
    for index in range(POLICIES):
        await _policy(bench, listener["id"], pools[index % 2]["id"], f"h{index}.example.com", f"/app{index}/", priority=index + 1)
    say(f"l7: {POLICIES} policies created in {time.monotonic() - started:.1f} s")
    await wait_serving(vip, PORT, fallback.name)
    info = show_info(bench, lb["id"])
    nbthread, maxconn = int(info.get("Nbthread", "1")), int(info.get("Maxconn", "4000"))
    servers = {"routed_0": f"{routed.address}:{routed.port}", "routed_1": f"{routed.address}:{routed.port}",
               "fallback": f"{fallback.address}:{fallback.port}"}
    config = hand_written(HAND_WRITTEN_VIP, servers, maxconn, nbthread)
    anchor = run_anchor(bench.work_dir / "hand-written-l7", config, (HAND_WRITTEN_VIP, PORT))
    bench.cleanups.callback(terminate, anchor)
    targets = {"elbd": f"http://{vip}:{PORT}{LAST_PATH}", "hand-written": f"http://{HAND_WRITTEN_VIP}:{PORT}{LAST_PATH}"}
    for address in (vip, HAND_WRITTEN_VIP):  # the last policy takes wrk's request on both sides
        connection = Connection(address, PORT, timeout_s=2.0)
        try:
            answer = await connection.request("GET", LAST_PATH, headers={"Host": LAST_HOST})
        finally:
            await connection.close()
        if answer.body.decode() != routed.name:
            raise RuntimeError(f"{address}:{PORT} answered {answer.status} {answer.body[:80]!r} for the last policy's request, not {routed.name}")
    results: dict[tuple[str, str], list[wrk.WrkResult]] = {}
    for mode, close in MODES:
        for number in range(ROUNDS):
            for name in round_order(list(targets), number):
                result = await wrk.run(f"{name} {mode}", targets[name], RUN_S, close=close, headers={"Host": LAST_HOST})
                results.setdefault((name, mode), []).append(result)
                say(f"wrk l7 {name:13} {mode:17}: {result.per_second:9.0f} req/s failed {result.failures_text()}")
    changes = await _changes(bench, vip, listener["id"], pools[2]["id"], marker.name, fallback.name)
    terminate(anchor)
    return _section(results, changes, config)


async def _changes(bench: Bench, vip: str, listener_id: str, pool_id: str, marker: str, fallback: str) -> dict[str, Any]:
    """Create then delete a policy for the probe's request, CHANGES times, timing each to traffic."""
    added: list[float] = []
    removed: list[float] = []
    missed = 0
    async with Probe(vip, PORT, path=PROBE_PATH, headers={"Host": PROBE_HOST}) as probe:
        for _ in range(CHANGES):
            start = probe.mark()
            policy = await _policy(bench, listener_id, pool_id, PROBE_HOST, "/probe/", priority=POLICIES + 1)
            created = time.monotonic()
            first = await probe.wait_first(marker, start, created, timeout_s=10)
            if first is None:
                missed += 1
                continue
            added.append((first.received - created) * 1000)
            await bench.cloud.ok("DELETE", f"l7policies/{policy['id']}")
            deleted = time.monotonic()
            back = await probe.wait_first(fallback, probe.mark(), deleted, timeout_s=10)
            if back is None:
                missed += 1
                continue
            removed.append((back.received - deleted) * 1000)
        requests, errors = len(probe.samples), list(probe.errors)
    return {"added": added, "removed": removed, "missed": missed, "requests": requests, "errors": errors}


def _section(results: dict[tuple[str, str], list[wrk.WrkResult]], changes: dict[str, Any], config: str) -> Section:
    section = Section(TITLE, INTRO)
    rows, ratios = wrk.against_anchor(results, [mode for mode, _ in MODES])
    section.tables.append(Table(
        f"wrk -t1 -c50 -d{RUN_S:g}s, every request matching the last of {POLICIES} policies",
        ["mode", "elbd req/s (mean)", "hand-written req/s (mean)", "elbd / hand-written: median (rounds)", "failed"], rows))
    change_rows = []
    for label, samples in (("create: 201 -> first request routed by the policy", changes["added"]),
                           ("delete: 204 -> first request back on the default pool", changes["removed"])):
        change_rows.append([label, str(len(samples)), ms(percentile(samples, 0.5)), ms(percentile(samples, 0.99)), ms(max(samples, default=float("nan")))])
    section.tables.append(Table(
        "A policy's change to traffic (ms)", ["change", "samples", "p50", "p99", "max"], change_rows,
        f"Probe: {changes['requests']:,} requests on one keep-alive connection; failed: {len(changes['errors'])}"
        f"{' (' + '; '.join(sorted(set(changes['errors'])))[:300] + ')' if changes['errors'] else ''}; changes not seen within 10 s: "
        f"{changes['missed']}. A policy change reloads HAProxy (a new process takes over the listening sockets; the old "
        "one finishes what it has)."))
    section.raw.append("The hand-written configuration (ACLs abridged to the first and last policy):\n\n```\n" + _abridged(config) + "\n```")
    section.figures["l7_ratio_hand"] = ratios
    section.figures["l7_change_p99_ms"] = percentile(changes["added"], 0.99)
    section.figures["l7_change_failed"] = len(changes["errors"])
    return section


def _abridged(config: str) -> str:
    def middle(line: str) -> bool:
        found = re.search(r"host_(\d+)", line)
        return found is not None and 0 < int(found.group(1)) < POLICIES - 1

    return "\n".join(line for line in config.splitlines() if not middle(line))
