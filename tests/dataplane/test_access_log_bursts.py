"""Access logs under bursts, against one real `elbd serve` with HAProxy and a real backend: requests
pipelined on many connections at once (HAProxy serves and logs them as fast as it can) each have their
line, two load balancers logging at once each find their own lines, and only theirs, in their file,
and HAProxy stays idle while `elbd serve` is stopped. (The module's files keep the default bound, so a
burst is never rotated away.)"""

import json
import os
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from elbd.dataplane.access_log_receiver import access_log_path
from elbd.dataplane.haproxy_engine import process_for
from tests.conftest import Api
from tests.dataplane.conftest import VIP, SharedLoadBalancer, Site, listener_site, settled_master, wait_for
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on

OTHER_VIP = "127.20.0.3"
CONNECTIONS, EACH = 20, 100  # 2,000 requests a burst
STOPPED_WINDOW_S = 3.0


@pytest.fixture(scope="module")
def backend() -> Iterator[FakeBackend]:
    made = FakeBackend("burst", "127.20.0.12", free_port_on("127.20.0.12"))
    made.behaviour.keep_alive = True  # HAProxy reuses its connections: connecting does not slow the burst
    made.start()
    try:
        yield made
    finally:
        made.stop()


def request(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=10) as connection:
            connection.sendall(b"GET /warm-up HTTP/1.1\r\nHost: burst.example\r\nConnection: close\r\n\r\n")
            return connection.recv(65536).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def pipelined(address: str, port: int, prefix: str, count: int) -> int:
    """`count` requests written at once on one keep-alive connection (HTTP/1.1 pipelining), each with
    its own URI (`/<prefix>-<number>`): how many were answered 200."""
    requests = b"".join(
        f"GET /{prefix}-{number} HTTP/1.1\r\nHost: burst.example\r\n\r\n".encode() for number in range(count)
    )
    answers = b""
    deadline = time.monotonic() + 60
    with socket.create_connection((address, port), timeout=10) as connection:
        connection.sendall(requests)
        while answers.count(b"HTTP/1.1 ") < count and time.monotonic() < deadline:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answers += chunk
    return answers.count(b"HTTP/1.1 200 ")


def burst(address: str, port: int, name: str) -> list[str]:
    """CONNECTIONS connections at once, EACH requests on each, every one answered: the URIs sent."""
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        answered = list(pool.map(lambda index: pipelined(address, port, f"{name}-{index}", EACH), range(CONNECTIONS)))
    assert answered == [EACH] * CONNECTIONS
    return sorted(f"/{name}-{index}-{number}" for index in range(CONNECTIONS) for number in range(EACH))


def records(shared: SharedLoadBalancer) -> list[dict[str, Any]]:
    assert shared.server is not None
    path = access_log_path(shared.server.data_dir, shared.lb["id"])
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def logged_uris(shared: SharedLoadBalancer, name: str, expected: int) -> list[str]:
    """The URIs of the lines of burst `name`, once at least `expected` are in; fails saying how many
    came when they do not within the deadline."""
    uris: list[str] = []

    def enough() -> bool:
        uris[:] = [record["uri"] for record in records(shared) if record.get("uri", "").startswith(f"/{name}-")]
        return len(uris) >= expected

    try:
        wait_for(enough, timeout_s=30)
    except AssertionError:
        raise AssertionError(f"{len(uris)} lines of {expected} requests within 30 s") from None
    return sorted(uris)


def logtank(api: Api, lb_id: str) -> dict[str, Any]:
    return api.ok("POST", "logtanks", {"logtank": {"loadbalancer_id": lb_id, "log_group_id": "group-1", "log_topic_id": "topic-1"}})["logtank"]


def other_site(shared: SharedLoadBalancer) -> tuple[SharedLoadBalancer, Site]:
    """A second load balancer, on OTHER_VIP, with a listener and its pool."""
    api = shared.api
    lb = api.load_balancer(shared.subnet, vip_address=OTHER_VIP)
    port = free_port_on(OTHER_VIP)
    listener = api.listener(lb["id"], protocol="HTTP", port=port)
    pool = api.pool(protocol="HTTP", algorithm="ROUND_ROBIN", listener_id=listener["id"])
    return SharedLoadBalancer(api, shared.subnet, lb, shared.server), Site(api, shared.subnet, lb, listener, pool, port)


def test_a_burst_of_requests_is_logged_whole(shared: SharedLoadBalancer, backend: FakeBackend) -> None:
    """2,000 requests as fast as HAProxy serves them: each has its line, once. (A unix datagram socket
    queues at most net.unix.max_dgram_qlen datagrams whatever its buffer: it lost lines here whenever
    the agent's thread waited for a core.)"""
    site = listener_site(shared)
    site.add(backend)
    made = logtank(shared.api, shared.lb["id"])
    try:
        wait_for(lambda: request(VIP, site.port), timeout_s=30)
        sent = burst(VIP, site.port, "whole")
        assert logged_uris(shared, "whole", len(sent)) == sent
    finally:
        shared.api.ok("DELETE", f"logtanks/{made['id']}")


def test_each_load_balancer_finds_its_own_lines_only(shared: SharedLoadBalancer, backend: FakeBackend) -> None:
    """Two HAProxy processes send to the agent's one socket at once: each file holds its own lines, all of them."""
    other, theirs = other_site(shared)
    mine = listener_site(shared)
    for site in (mine, theirs):
        site.add(backend)
    made = [logtank(shared.api, lb["id"]) for lb in (shared.lb, other.lb)]
    try:
        wait_for(lambda: request(VIP, mine.port) and request(OTHER_VIP, theirs.port), timeout_s=30)
        with ThreadPoolExecutor(2) as pool:
            sent_mine, sent_theirs = pool.map(lambda job: burst(*job), ((VIP, mine.port, "mine"), (OTHER_VIP, theirs.port, "theirs")))
        assert logged_uris(shared, "mine", len(sent_mine)) == sent_mine
        assert logged_uris(other, "theirs", len(sent_theirs)) == sent_theirs
        for owner in (shared, other):
            assert {record["loadbalancer_id"] for record in records(owner)} == {owner.lb["id"]}
    finally:
        for tank in made:
            shared.api.ok("DELETE", f"logtanks/{tank['id']}")


def haproxy_cpu_s(shared: SharedLoadBalancer) -> float:
    """CPU seconds the load balancer's HAProxy workers have spent."""
    assert shared.server is not None
    master = settled_master(process_for(shared.server.data_dir, shared.lb["id"])).pid
    total = 0
    for worker in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        fields = Path(f"/proc/{worker}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def test_haproxy_keeps_idle_while_elbd_is_stopped_and_logs_again_after(shared: SharedLoadBalancer, backend: FakeBackend) -> None:
    """HAProxy 2.6's ring forwarder reconnects at once, in a loop, while its server refuses: connected
    to the agent's socket itself, it took about half a core of every logging HAProxy while `elbd serve`
    was stopped. Through the relay it waits a second between attempts."""
    assert shared.server is not None
    site = listener_site(shared)
    site.add(backend)
    made = logtank(shared.api, shared.lb["id"])
    try:
        wait_for(lambda: request(VIP, site.port), timeout_s=30)
        shared.server.stop()
        try:
            before = haproxy_cpu_s(shared)
            time.sleep(STOPPED_WINDOW_S)  # a measurement window, not a wait for a condition
            spent = haproxy_cpu_s(shared) - before
        finally:
            shared.server.start()  # on the same port: the project's client keeps working
        assert spent < 0.2 * STOPPED_WINDOW_S, f"HAProxy spent {spent:.2f} s of CPU in {STOPPED_WINDOW_S} s while elbd was stopped"

        def resumed() -> bool:  # a line sent as the relay's last attempt before the restart failed is lost: probe again
            pipelined(VIP, site.port, "resumed", 1)
            return any(record.get("uri", "").startswith("/resumed-") for record in records(shared))

        wait_for(resumed, timeout_s=30, interval_s=0.2)
        assert pipelined(VIP, site.port, "after-restart", 50) == 50
        assert logged_uris(shared, "after-restart", 50) == sorted(f"/after-restart-{number}" for number in range(50))
    finally:
        shared.api.ok("DELETE", f"logtanks/{made['id']}")
