"""Traffic through a VIP reaches members by weight and algorithm, and follows member changes at once."""

import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest

from tests.dataplane.conftest import VIP, SharedLoadBalancer, Site, fetch, listener_site, wait_for
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on


@pytest.fixture
def site(shared: SharedLoadBalancer) -> Site:
    """A listener and pool of the test's own on the module's load balancer."""
    return listener_site(shared)


def _reachable(site: Site, name: str) -> Callable[[], bool]:
    return lambda: any(_answer(site.port) == name for _ in range(6))


def _safe_fetch(port: int) -> tuple[int, str]:
    try:
        return fetch(port)
    except OSError as error:
        return 0, repr(error)


def _answer(port: int) -> str | None:
    try:
        return fetch(port)[1]
    except OSError:
        return None


def test_round_robin_splits_by_weight(site: Site, backends: Callable[..., FakeBackend]) -> None:
    one, two, zero = backends("one"), backends("two"), backends("zero")
    site.add(one, weight=1)
    site.add(two, weight=2)
    site.add(zero, weight=0)
    wait_for(_reachable(site, "one"))
    wait_for(_reachable(site, "two"))
    seen = Counter(fetch(site.port)[1] for _ in range(300))
    assert abs(seen["one"] - 100) <= 3 and abs(seen["two"] - 200) <= 3
    assert seen["zero"] == 0


def test_source_ip_keeps_each_client_on_one_member(shared: SharedLoadBalancer, backends: Callable[..., FakeBackend]) -> None:
    site = listener_site(shared, algorithm="SOURCE_IP")
    for name in ("a", "b", "c"):
        site.add(backends(name), weight=0)
    wait_for(lambda: _answer(site.port) in ("a", "b", "c"))
    for client in range(30, 40):
        source = f"127.20.0.{client}"
        answers = {fetch(site.port, source=source)[1] for _ in range(8)}
        assert len(answers) == 1, f"{source} reached {answers}"


def test_least_connections_prefers_the_idle_member(shared: SharedLoadBalancer, backends: Callable[..., FakeBackend]) -> None:
    site = listener_site(shared, algorithm="LEAST_CONNECTIONS")
    slow, idle = backends("slow", delay_s=2.0), backends("idle")
    site.add(slow)
    site.add(idle)
    wait_for(_reachable(site, "idle"))
    holder, _ = _hold_a_request_on(site, slow)
    answers = Counter(fetch(site.port)[1] for _ in range(10))
    holder.join(timeout=10)
    assert answers["idle"] == 10


def test_a_new_member_takes_traffic_within_a_second(site: Site, backends: Callable[..., FakeBackend]) -> None:
    first, second = backends("first"), backends("second")
    site.add(first)
    wait_for(_reachable(site, "first"))
    site.add(second)
    created = time.monotonic()
    wait_for(_reachable(site, "second"), timeout_s=1.0, interval_s=0.005)
    assert time.monotonic() - created < 1.0


def test_a_client_silent_past_the_deferred_accept_is_served(site: Site, backends: Callable[..., FakeBackend]) -> None:
    """HTTP listeners defer accepting a connection until its first bytes come (`defer-accept`); the
    kernel hands over a silent one after about a second, and its request, sent later, is answered."""
    site.add(backends("late"))
    wait_for(_reachable(site, "late"))
    assert fetch(site.port, silent_s=2.5) == (200, "late")


def test_a_deleted_member_gets_nothing_after_its_delete_returns(site: Site, backends: Callable[..., FakeBackend]) -> None:
    keep, leave = backends("keep"), backends("leave", delay_s=1.0)
    site.add(keep)
    leaving = site.add(leave)
    wait_for(_reachable(site, "keep"))
    holder, in_flight = _hold_a_request_on(site, leave)
    site.api.ok("DELETE", f"pools/{site.pool['id']}/members/{leaving['id']}")
    answers = Counter(fetch(site.port)[1] for _ in range(20))
    holder.join(timeout=10)
    assert answers == Counter({"keep": 20})
    assert in_flight == [(200, "leave")]


def _hold_a_request_on(site: Site, backend: FakeBackend) -> tuple[threading.Thread, list[tuple[int, str]]]:
    """A request in flight on `backend` (a slow one), sent through the VIP from a thread."""
    for _ in range(20):
        results: list[tuple[int, str]] = []
        thread = threading.Thread(target=lambda: results.append(_safe_fetch(site.port)))
        thread.start()
        wait_for(lambda: backend.active > 0 or not thread.is_alive(), timeout_s=5, interval_s=0.01)
        if backend.active > 0:
            return thread, results
        thread.join(timeout=5)
    raise AssertionError(f"no request reached {backend.name}")


def test_a_listener_without_pool_answers_503(shared: SharedLoadBalancer) -> None:
    port = free_port_on(VIP)
    shared.api.listener(shared.lb["id"], protocol="HTTP", port=port)
    assert wait_for(lambda: _status_or_none(port)) == 503


def _status_or_none(port: int) -> int | None:
    try:
        return fetch(port)[0]
    except OSError:
        return None
