"""TCP listeners, check settings passed through to HAProxy, and stopped instances drained."""

from collections import Counter
from collections.abc import Callable

import pytest

from tests.dataplane.conftest import SharedLoadBalancer, Site, fetch, listener_site, wait_for
from tests.dataplane.fake_backend import FakeBackend


@pytest.fixture
def site(shared: SharedLoadBalancer) -> Site:
    """A listener and pool of the test's own on the module's load balancer."""
    return listener_site(shared)


CHECK = {"delay": 1, "timeout": 1, "max_retries": 1, "max_retries_down": 1, "url_path": "/health"}


def _answer(port: int) -> str | None:
    try:
        return fetch(port)[1]
    except OSError:
        return None


def _status(site: Site, member_id: str) -> str:
    return site.member(member_id)["operating_status"]


def test_a_tcp_listener_balances_connections(shared: SharedLoadBalancer, backends: Callable[..., FakeBackend]) -> None:
    site = listener_site(shared, protocol="TCP")
    site.add(backends("a"), weight=1)
    site.add(backends("b"), weight=3)
    wait_for(lambda: {_answer(site.port) for _ in range(8)} == {"a", "b"})
    seen = Counter(fetch(site.port)[1] for _ in range(100))
    assert abs(seen["a"] - 25) <= 3 and abs(seen["b"] - 75) <= 3


def test_expected_codes_ranges_and_lists_reach_haproxy(site: Site, backends: Callable[..., FakeBackend]) -> None:
    site.api.monitor(site.pool["id"], **CHECK, expected_codes="200-204,404")
    listed = site.add(backends("listed", health_status=404))
    ranged = site.add(backends("ranged", health_status=204))
    outside = site.add(backends("outside", health_status=302))
    wait_for(lambda: _status(site, listed["id"]) == "ONLINE" and _status(site, ranged["id"]) == "ONLINE")
    wait_for(lambda: _status(site, outside["id"]) == "OFFLINE")
    assert site.member(outside["id"])["reason"] == {
        "reason_code": "RESPONSE_MISMATCH", "expected_response": "200-204,404", "healthcheck_response": "302"
    }


def test_domain_name_is_the_checks_host_header(site: Site, backends: Callable[..., FakeBackend]) -> None:
    site.api.monitor(site.pool["id"], **CHECK, domain_name="www.example.test")
    picky = site.add(backends("picky", health_host="www.example.test"))
    wait_for(lambda: _status(site, picky["id"]) == "ONLINE")


def test_a_stopped_instance_is_drained_and_offline(site: Site, backends: Callable[..., FakeBackend]) -> None:
    kept, owned = backends("kept"), backends("owned")
    body = {"server": {"name": "vm", "nics": [{"subnet_id": site.subnet["id"], "ip_address": owned.address}]}}
    server_id = site.api.ok("POST", "cloudservers", body, status=200)["serverIds"][0]
    site.add(kept)
    member = site.add(owned)
    wait_for(lambda: {_answer(site.port) for _ in range(8)} == {"kept", "owned"})
    site.api.ok("POST", "cloudservers/action", {"os-stop": {"servers": [{"id": server_id}]}}, status=200)
    assert _status(site, member["id"]) == "OFFLINE"
    wait_for(lambda: {_answer(site.port) for _ in range(8)} == {"kept"})
    site.api.ok("POST", "cloudservers/action", {"os-start": {"servers": [{"id": server_id}]}}, status=200)
    wait_for(lambda: {_answer(site.port) for _ in range(8)} == {"kept", "owned"})
