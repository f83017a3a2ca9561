"""A flavor's limits on real traffic: the listeners of its kind share them (the load balancer's
connections and new connections a second, and for an L7 flavor its requests a second), a connection
past them is refused as a listener's own limit refuses it, and with a listener's own limit the lower
one holds. Each test has a load balancer of its own (a VIP of its own) on the module's server."""

import http.client
import itertools
import socket
import time
from collections.abc import Callable, Iterator

import pytest

from elbd.flavors import CATALOGUE
from tests.dataplane.conftest import SharedLoadBalancer, wait_for
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on
from tests.dataplane.test_listener_limits import REQUEST, served

L4_SMALL = next(flavor for flavor in CATALOGUE if flavor.name == "L4_flavor.elb.s1.small")  # 200 connections, 50 a second
L7_SMALL = next(flavor for flavor in CATALOGUE if flavor.name == "L7_flavor.elb.s1.small")  # and 100 requests a second
_vips = (f"127.20.0.{host}" for host in itertools.count(30))


class Flavored:
    """A load balancer of its own with `flavors`, and listeners on it, each with a pool of one backend."""

    def __init__(self, shared: SharedLoadBalancer, backend: FakeBackend, **flavors: str) -> None:
        self.api, self.subnet, self.backend = shared.api, shared.subnet, backend
        self.vip = next(_vips)
        self.lb = shared.api.load_balancer(shared.subnet, vip_address=self.vip, **flavors)

    def listener(self, protocol: str = "TCP", **limits: int) -> int:
        port = free_port_on(self.vip)
        listener = self.api.listener(self.lb["id"], protocol=protocol, port=port, **limits)
        pool = self.api.pool(protocol=protocol, listener_id=listener["id"])
        self.api.member(pool["id"], address=self.backend.address, protocol_port=self.backend.port, subnet_cidr_id=self.subnet["neutron_subnet_id"])
        wait_for(lambda: self.take(port), timeout_s=20).close()
        return port

    def take(self, port: int) -> socket.socket | None:
        return served(port, self.vip)

    def hold(self, port: int, count: int, held: list[socket.socket]) -> None:
        """`count` more connections served and kept open in `held`, each retried until served (bounded):
        the flavor's rate refuses some on the way."""
        for _ in range(count):
            held.append(wait_for(lambda: self.take(port), timeout_s=20, interval_s=0.02))


@pytest.fixture
def kept_alive(backends: Callable[..., FakeBackend]) -> FakeBackend:
    return backends("kept", keep_alive=True, idle_timeout_s=120)  # held connections outlive the slowest test


@pytest.fixture
def held() -> Iterator[list[socket.socket]]:
    connections: list[socket.socket] = []
    yield connections
    for connection in connections:
        connection.close()


def test_the_l4_listeners_share_the_flavors_connections(shared: SharedLoadBalancer, kept_alive: FakeBackend, held: list[socket.socket]) -> None:
    site = Flavored(shared, kept_alive, l4_flavor_id=L4_SMALL.id)
    first, second = site.listener(), site.listener(connection=1000)  # the listener's own limit is higher: the flavor's holds
    site.hold(first, 120, held)
    site.hold(second, L4_SMALL.connection - 120, held)
    time.sleep(1.1)  # no rate in the way of what follows
    assert [site.take(first), site.take(second)] == [None, None]
    held.pop().close()
    held.append(wait_for(lambda: site.take(first)))  # a slot of the load balancer's is free again
    assert site.take(second) is None


def test_a_listeners_lower_limit_holds_under_the_flavor(shared: SharedLoadBalancer, kept_alive: FakeBackend, held: list[socket.socket]) -> None:
    site = Flavored(shared, kept_alive, l4_flavor_id=L4_SMALL.id)
    port = site.listener(connection=3)
    site.hold(port, 3, held)
    assert [site.take(port) for _ in range(3)] == [None, None, None]


def test_new_connections_past_the_flavors_rate_are_refused(shared: SharedLoadBalancer, kept_alive: FakeBackend) -> None:
    site = Flavored(shared, kept_alive, l4_flavor_id=L4_SMALL.id)
    port = site.listener()
    time.sleep(2.2)  # the rate of the last second falls back to 0
    started = time.monotonic()
    burst = [site.take(port) for _ in range(4 * L4_SMALL.cps)]
    elapsed = time.monotonic() - started
    answered = [connection for connection in burst if connection]
    for connection in answered:
        connection.close()
    # 50 a second: HAProxy's rate is of a sliding second, so a burst of `elapsed` seconds gets at most
    # about cps * (elapsed + 1), and at least the first second's worth
    assert L4_SMALL.cps <= len(answered) <= L4_SMALL.cps * (elapsed + 1) + 10, (len(answered), elapsed)
    if elapsed < 2:  # on a machine that took longer, the rate may have let nearly all of them through
        assert len(answered) < len(burst)
    time.sleep(1.2)
    assert wait_for(lambda: site.take(port)), "a second later, new connections are served again"


def test_an_l7_flavor_answers_requests_past_its_rate_429(shared: SharedLoadBalancer, kept_alive: FakeBackend) -> None:
    site = Flavored(shared, kept_alive, l7_flavor_id=L7_SMALL.id)
    port = site.listener("HTTP")
    time.sleep(2.2)
    assert L7_SMALL.qps is not None
    connection = http.client.HTTPConnection(site.vip, port, timeout=5)  # one connection: no new-connection rate in the way
    try:
        started = time.monotonic()
        statuses = []
        for _ in range(3 * L7_SMALL.qps):
            connection.request("GET", "/")
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
        elapsed = time.monotonic() - started
    finally:
        connection.close()
    ok, refused = statuses.count(200), statuses.count(429)
    assert ok + refused == len(statuses), set(statuses)
    assert L7_SMALL.qps <= ok <= L7_SMALL.qps * (elapsed + 1) + 20, (ok, elapsed)
    if elapsed < 1.5:
        assert refused > 0


def test_without_a_flavor_the_load_balancer_keeps_no_limit(shared: SharedLoadBalancer, kept_alive: FakeBackend, held: list[socket.socket]) -> None:
    site = Flavored(shared, kept_alive, l4_flavor_id=L4_SMALL.id)
    port = site.listener()
    site.hold(port, L4_SMALL.connection, held)
    time.sleep(1.1)
    assert site.take(port) is None
    site.api.ok("PUT", f"loadbalancers/{site.lb['id']}", {"loadbalancer": {"l4_flavor_id": None}})
    more = wait_for(lambda: site.take(port), timeout_s=20)  # once the reload is done
    held.append(more)
    site.hold(port, 20, held)
    for connection in held[:3]:  # those open before the change still answer
        connection.sendall(REQUEST)
        assert connection.recv(4096).startswith(b"HTTP/1.1 200")


