"""A pool's session persistence, slow start and connection draining, on real traffic: a persisted
client stays on its member (also across a reload), a new member of a slow-start pool takes a share of
requests that grows along the ramp, and a removed member of a draining pool keeps a running request
until the drain timeout, not after. One `elbd serve` and one load balancer for the module."""

import http.client
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from elbd.dataplane.haproxy import HaproxyProcess
from elbd.dataplane.haproxy_engine import process_for
from tests.conftest import Api, LiveServer
from tests.dataplane.conftest import SUBNET, VIP, fetch, project_api, running_elbd, server_line, settled_master, wait_for
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on

SOURCES = [f"127.0.0.{last}" for last in range(20, 32)]  # client addresses for SOURCE_IP persistence
REPEATS = 4  # requests per client


@dataclass(frozen=True)
class Shared:
    api: Api
    subnet: dict[str, Any]
    lb: dict[str, Any]
    process: HaproxyProcess
    server: LiveServer


@dataclass(frozen=True)
class PoolSite:
    api: Api
    subnet: dict[str, Any]
    listener: dict[str, Any]
    pool: dict[str, Any]
    port: int

    def add(self, backend: FakeBackend, weight: int = 1) -> dict[str, Any]:
        body = {"address": backend.address, "protocol_port": backend.port, "weight": weight, "subnet_cidr_id": self.subnet["neutron_subnet_id"]}
        return self.api.member(self.pool["id"], **body)["member"]

    def remove(self, member: dict[str, Any]) -> None:
        self.api.ok("DELETE", f"pools/{self.pool['id']}/members/{member['id']}", status=204)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    data_dir: Path = tmp_path_factory.mktemp("pools") / "data"
    with running_elbd(data_dir) as server, project_api(server) as api:
        subnet = api.subnet(api.vpc()["id"], SUBNET)
        lb = api.load_balancer(subnet, vip_address=VIP)
        yield Shared(api, subnet, lb, process_for(server.data_dir, lb["id"]), server)


def pool_site(shared: Shared, protocol: str = "HTTP", **pool: Any) -> PoolSite:
    port = free_port_on(VIP)
    listener = shared.api.listener(shared.lb["id"], protocol=protocol, port=port)
    made = shared.api.pool(protocol=protocol, listener_id=listener["id"], **pool)
    return PoolSite(shared.api, shared.subnet, listener, made, port)


def reloaded(shared: Shared, site: PoolSite) -> None:
    """Make the load balancer reload (a listener setting its skeleton holds) and wait until it has."""
    before = settled_master(shared.process).reloads
    timeout = site.listener.get("keepalive_timeout") or 60
    shared.api.ok("PUT", f"listeners/{site.listener['id']}", {"listener": {"keepalive_timeout": timeout + 1}})
    wait_for(lambda: settled_master(shared.process).reloads > before, timeout_s=15)


def request(port: int, cookie: str | None = None, timeout_s: float = 5.0) -> tuple[str, str | None]:
    """One request on a new connection: (body, the Set-Cookie it answered, if any)."""
    connection = http.client.HTTPConnection(VIP, port, timeout=timeout_s)
    try:
        connection.request("GET", "/", headers={"Connection": "close", **({"Cookie": cookie} if cookie else {})})
        response = connection.getresponse()
        return response.read().decode(), response.getheader("Set-Cookie")
    finally:
        connection.close()


def server_state(shared: Shared, site: PoolSite, member_id: str) -> list[str] | None:
    return server_line(shared.process, site.pool["id"], member_id)


def in_service(shared: Shared, site: PoolSite, member_id: str) -> None:
    """Wait until the member is out of maintenance and up (srv_op_state 1 STARTING or 2 RUNNING)."""
    wait_for(lambda: (fields := server_state(shared, site, member_id)) is not None and fields[6] == "0" and fields[5] in ("1", "2"), timeout_s=15)


def serving(site: PoolSite, names: set[str]) -> None:
    """Wait until every one of `names` has answered (the listener may not be bound yet)."""
    seen: set[str] = set()

    def answered() -> bool:
        try:
            seen.update({fetch(site.port, timeout_s=2)[1] for _ in range(6)})
        except OSError:
            pass
        return names <= seen

    wait_for(answered, timeout_s=15)


# session persistence


def members_by_source(site: PoolSite) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for source in SOURCES:
        answers = {fetch(site.port, source=source)[1] for _ in range(REPEATS)}
        assert len(answers) == 1, f"{source} was sent to {answers}"
        chosen[source] = answers.pop()
    return chosen


def test_source_ip_persistence_keeps_each_client_on_one_member_across_a_reload(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    site = pool_site(shared, "TCP", session_persistence={"type": "SOURCE_IP", "persistence_timeout": 5})
    for name in ("a", "b", "c"):
        in_service(shared, site, site.add(backends(name))["id"])
    serving(site, set())  # bound
    before = members_by_source(site)
    assert len(set(before.values())) > 1, "every client went to one member: nothing spread them"
    reloaded(shared, site)
    assert members_by_source(site) == before


def cookie_pair(set_cookie: str) -> str:
    return set_cookie.split(";")[0]


def test_http_cookie_persistence_keeps_a_client_on_its_member_across_a_reload_and_a_new_member(
    shared: Shared, backends: Callable[..., FakeBackend]
) -> None:
    site = pool_site(shared, "HTTP", session_persistence={"type": "HTTP_COOKIE", "persistence_timeout": 30})
    for name in ("a", "b"):
        site.add(backends(name))
    serving(site, {"a", "b"})
    clients: dict[str, str] = {}  # cookie -> member
    for _ in range(6):
        body, set_cookie = request(site.port)
        assert set_cookie is not None and set_cookie.startswith("ELBD_MEMBER=") and "HttpOnly" in set_cookie
        clients[cookie_pair(set_cookie)] = body
    assert set(clients.values()) == {"a", "b"}

    def all_kept() -> None:
        for cookie, member in clients.items():
            assert {request(site.port, cookie)[0] for _ in range(REPEATS)} == {member}

    all_kept()
    reloaded(shared, site)
    all_kept()
    site.add(backends("c"))  # a new member of a cookie pool comes with a reload
    serving(site, {"c"})
    all_kept()


def test_app_cookie_persistence_follows_the_backends_own_cookie_across_a_reload(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    site = pool_site(shared, "HTTP", session_persistence={"type": "APP_COOKIE", "cookie_name": "sid"})
    for name in ("a", "b"):
        site.add(backends(name, set_cookie=f"sid=session-of-{name}; Path=/"))
    serving(site, {"a", "b"})
    clients: dict[str, str] = {}
    for _ in range(6):
        body, set_cookie = request(site.port)
        assert set_cookie is not None and set_cookie.startswith("sid=") and set_cookie.endswith(f"~session-of-{body}; Path=/")
        clients[cookie_pair(set_cookie)] = body
    assert set(clients.values()) == {"a", "b"}
    reloaded(shared, site)
    for cookie, member in clients.items():
        assert {request(site.port, cookie)[0] for _ in range(REPEATS)} == {member}


# slow start

SLOW_START_S = 30
WINDOW_S = 1.5
TOLERANCE = 0.1


def share_of(site: PoolSite, name: str, until: float) -> float:
    """The share of requests `name` answered, sent one after another until `until` (monotonic)."""
    answers = []
    while time.monotonic() < until:
        answers.append(fetch(site.port)[1])
    assert len(answers) > 30, "too few requests to tell a share"
    return answers.count(name) / len(answers)


def expected_share(elapsed_s: float) -> float:
    """Two members of one weight, one of them ramping linearly over SLOW_START_S: its share of requests."""
    ramp = min(1.0, elapsed_s / SLOW_START_S)
    return ramp / (1 + ramp)


def test_a_new_member_of_a_slow_start_pool_ramps_up(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    site = pool_site(shared, "HTTP", slow_start={"enable": True, "duration": SLOW_START_S})
    site.add(backends("old"), weight=10)
    serving(site, {"old"})
    added = time.monotonic()
    site.add(backends("new"), weight=10)
    samples = []
    for middle in (6.0, 16.0):
        wait_for(lambda middle=middle: time.monotonic() >= added + middle - WINDOW_S / 2, timeout_s=middle + 1, interval_s=0.05)
        samples.append((middle, share_of(site, "new", added + middle + WINDOW_S / 2)))
    for middle, share in samples:
        assert abs(share - expected_share(middle)) <= TOLERANCE, f"at {middle} s the new member had {share:.2f} of requests"
    assert samples[1][1] > samples[0][1] + 0.05, f"no ramp: {samples}"


def test_slow_start_turned_on_does_not_ramp_members_already_up(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    """A reload loads the members from the configuration: those up already take their full share."""
    site = pool_site(shared, "HTTP")
    site.add(backends("a"), weight=10)
    site.add(backends("b"), weight=10)
    serving(site, {"a", "b"})
    before = settled_master(shared.process).reloads
    shared.api.ok("PUT", f"pools/{site.pool['id']}", {"pool": {"slow_start": {"enable": True, "duration": SLOW_START_S}}})
    wait_for(lambda: settled_master(shared.process).reloads > before, timeout_s=15)
    assert abs(share_of(site, "b", time.monotonic() + WINDOW_S) - 0.5) <= TOLERANCE


def test_a_new_member_of_a_slow_start_cookie_pool_is_reloaded_in_and_ramps(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    """HAProxy 2.6 cannot add a server with a cookie at runtime: a reload adds it, held, then enables it."""
    site = pool_site(shared, "HTTP", slow_start={"enable": True, "duration": SLOW_START_S}, session_persistence={"type": "HTTP_COOKIE"})
    site.add(backends("old"), weight=10)
    serving(site, {"old"})
    member = site.add(backends("new"), weight=10)
    serving(site, {"new"})
    fields = server_state(shared, site, member["id"])
    assert fields is not None and fields[5] == "1", f"the new member is not ramping (srv_op_state {fields[5]}, 1 is STARTING)"
    assert share_of(site, "new", time.monotonic() + WINDOW_S) < 0.5 - TOLERANCE


# connection draining

DRAIN_S = 10


def running_request(port: int, timeout_s: float) -> tuple[threading.Thread, dict[str, Any]]:
    """A slow request in a thread; `outcome` gets its body or error and when it ended."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["body"] = request(port, timeout_s=timeout_s)[0]
        except OSError as error:
            outcome["error"] = error
        outcome["ended"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_a_removed_member_of_a_draining_pool_keeps_its_request_until_the_drain_timeout(
    shared: Shared, backends: Callable[..., FakeBackend]
) -> None:
    site = pool_site(shared, "HTTP", connection_drain={"enable": True, "timeout": DRAIN_S})
    slow = backends("slow", delay_s=DRAIN_S * 4)
    member = site.add(slow)
    serving_fast = backends("fast")
    in_service(shared, site, member["id"])
    thread, outcome = running_request(site.port, timeout_s=DRAIN_S * 5)
    wait_for(lambda: slow.active == 1, timeout_s=10)
    site.add(serving_fast)
    site.remove(member)
    removed = time.monotonic()
    serving(site, {"fast"})
    assert {fetch(site.port)[1] for _ in range(10)} == {"fast"}  # nothing new for the draining member
    time.sleep(DRAIN_S / 2)
    assert thread.is_alive(), f"the request ended {outcome} within the drain timeout"
    thread.join(timeout=DRAIN_S * 3)
    # ended by elbd, not answered by the member: HAProxy answers 502 when it cuts an HTTP request's member
    assert not thread.is_alive() and outcome.get("body") != "slow", f"the request outlived the drain timeout: {outcome}"
    assert "error" in outcome or "502 Bad Gateway" in outcome["body"]
    assert DRAIN_S - 1 <= outcome["ended"] - removed <= DRAIN_S * 2.5
    wait_for(lambda: server_state(shared, site, member["id"]) is None, timeout_s=10)  # and then deleted


def test_a_weight_zero_member_of_a_draining_pool_keeps_its_request_until_the_drain_timeout(
    shared: Shared, backends: Callable[..., FakeBackend]
) -> None:
    site = pool_site(shared, "HTTP", connection_drain={"enable": True, "timeout": DRAIN_S})
    slow = backends("slow", delay_s=DRAIN_S * 4)
    member = site.add(slow)
    in_service(shared, site, member["id"])
    site.add(backends("fast"))
    thread, outcome = running_request(site.port, timeout_s=DRAIN_S * 5)
    wait_for(lambda: slow.active == 1, timeout_s=10)
    site.api.ok("PUT", f"pools/{site.pool['id']}/members/{member['id']}", {"member": {"weight": 0}})
    zeroed = time.monotonic()
    wait_for(lambda: (fields := server_state(shared, site, member["id"])) is not None and int(fields[6]) & 0x08, timeout_s=10)  # drain
    assert {fetch(site.port)[1] for _ in range(10)} == {"fast"}
    time.sleep(DRAIN_S / 2)
    assert thread.is_alive(), f"the request ended {outcome} within the drain timeout"
    thread.join(timeout=DRAIN_S * 3)
    assert not thread.is_alive() and outcome.get("body") != "slow", f"the request outlived the drain timeout: {outcome}"
    assert DRAIN_S - 1 <= outcome["ended"] - zeroed <= DRAIN_S * 2.5
    site.api.ok("PUT", f"pools/{site.pool['id']}/members/{member['id']}", {"member": {"weight": 1}})
    wait_for(lambda: (fields := server_state(shared, site, member["id"])) is not None and fields[6] == "0", timeout_s=10)  # ready again


def test_without_draining_a_removed_members_request_finishes(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    site = pool_site(shared, "HTTP")
    slow = backends("slow", delay_s=3)
    member = site.add(slow)
    in_service(shared, site, member["id"])
    thread, outcome = running_request(site.port, timeout_s=15)
    wait_for(lambda: slow.active == 1, timeout_s=10)
    site.remove(member)
    thread.join(timeout=15)
    assert outcome.get("body") == "slow"


def test_without_draining_a_member_marked_down_loses_its_connections(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    site = pool_site(shared, "HTTP")
    slow = backends("slow", delay_s=20)
    member = site.add(slow)
    shared.api.monitor(site.pool["id"], url_path="/health", delay=1, timeout=1, max_retries=1, max_retries_down=1)
    wait_for(lambda: site.api.ok("GET", f"pools/{site.pool['id']}/members/{member['id']}")["member"]["operating_status"] == "ONLINE", timeout_s=15)
    in_service(shared, site, member["id"])
    thread, outcome = running_request(site.port, timeout_s=30)
    wait_for(lambda: slow.active >= 1, timeout_s=10)
    started = time.monotonic()
    slow.behaviour.health_status = 500
    thread.join(timeout=15)
    assert not thread.is_alive() and outcome.get("body") != "slow", f"the request outlived its member going down: {outcome}"
    assert outcome["ended"] - started < 10


def test_a_stopped_instances_member_of_a_draining_pool_keeps_its_request_until_the_drain_timeout(
    shared: Shared, backends: Callable[..., FakeBackend]
) -> None:
    """A member whose instance stops is held (in maintenance): its connections are closed at the drain
    timeout too, by a round elbd schedules for that moment."""
    site = pool_site(shared, "HTTP", connection_drain={"enable": True, "timeout": DRAIN_S})
    slow = backends("slow", delay_s=DRAIN_S * 4)
    body = {"server": {"name": "vm", "nics": [{"subnet_id": site.subnet["id"], "ip_address": slow.address}]}}
    server_id = site.api.ok("POST", "cloudservers", body, status=200)["serverIds"][0]
    member = site.add(slow)
    in_service(shared, site, member["id"])
    thread, outcome = running_request(site.port, timeout_s=DRAIN_S * 5)
    wait_for(lambda: slow.active == 1, timeout_s=10)
    site.api.ok("POST", "cloudservers/action", {"os-stop": {"servers": [{"id": server_id}]}}, status=200)
    stopped = time.monotonic()
    wait_for(lambda: (fields := server_state(shared, site, member["id"])) is not None and fields[6] != "0", timeout_s=10)
    time.sleep(DRAIN_S / 2)
    assert thread.is_alive(), f"the request ended {outcome} within the drain timeout"
    thread.join(timeout=DRAIN_S * 3)
    assert not thread.is_alive() and outcome.get("body") != "slow", f"the request outlived the drain timeout: {outcome}"
    assert DRAIN_S - 1 <= outcome["ended"] - stopped <= DRAIN_S * 2.5
    site.api.ok("POST", "cloudservers/action", {"os-start": {"servers": [{"id": server_id}]}}, status=200)


def test_a_drain_deadline_outlives_a_restart_of_elbd(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    """HAProxy counts how long a removed member has been in maintenance: an `elbd serve` killed during
    the drain and started again still closes the request at the timeout (the module's last test)."""
    site = pool_site(shared, "HTTP", connection_drain={"enable": True, "timeout": DRAIN_S})
    slow = backends("slow", delay_s=DRAIN_S * 4)
    member = site.add(slow)
    in_service(shared, site, member["id"])
    thread, outcome = running_request(site.port, timeout_s=DRAIN_S * 5)
    wait_for(lambda: slow.active == 1, timeout_s=10)
    site.remove(member)
    removed = time.monotonic()
    shared.server.kill()
    time.sleep(2)
    shared.server.start()
    thread.join(timeout=DRAIN_S * 4)
    assert not thread.is_alive() and outcome.get("body") != "slow", f"the request outlived the drain timeout: {outcome}"
    assert DRAIN_S - 1 <= outcome["ended"] - removed <= DRAIN_S * 2.5
    wait_for(lambda: server_state(shared, site, member["id"]) is None, timeout_s=10)
