"""Health checks run by HAProxy against real backends become each member's operating_status and reason."""

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from tests.dataplane.conftest import SharedLoadBalancer, Site, fetch, listener_site, wait_for
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on


@pytest.fixture
def site(shared: SharedLoadBalancer) -> Site:
    """A listener and pool of the test's own on the module's load balancer."""
    return listener_site(shared)


FAST_HTTP_CHECK = {"delay": 1, "timeout": 1, "max_retries": 1, "max_retries_down": 1, "url_path": "/health"}


def _status(site: Site, member_id: str) -> tuple[str, dict[str, Any] | None]:
    member = site.member(member_id)
    return member["operating_status"], member["reason"]


def _settles(site: Site, member_id: str, expected: str) -> Callable[[], tuple[str, Any] | None]:
    def check() -> tuple[str, Any] | None:
        status, reason = _status(site, member_id)
        return (status, reason) if status == expected else None

    return check


def test_check_results_become_statuses_and_reasons(site: Site, backends: Callable[..., FakeBackend]) -> None:
    site.api.monitor(site.pool["id"], **FAST_HTTP_CHECK)
    healthy = site.add(backends("healthy"))
    erring = site.add(backends("erring", health_status=500))
    silent = site.add(backends("silent", mode="silent"))
    garbage = site.add(backends("garbage", mode="garbage"))
    reset = site.add(backends("reset", mode="reset"))
    closed_address = "127.20.0.60"
    closed = site.api.member(
        site.pool["id"], address=closed_address, protocol_port=free_port_on(closed_address),
        subnet_cidr_id=site.subnet["neutron_subnet_id"],
    )["member"]

    assert wait_for(_settles(site, healthy["id"], "ONLINE"))[1] is None
    reasons = {name: wait_for(_settles(site, member["id"], "OFFLINE"), timeout_s=15)[1]
               for name, member in (("erring", erring), ("silent", silent), ("garbage", garbage), ("reset", reset), ("closed", closed))}
    assert reasons["erring"] == {"reason_code": "RESPONSE_MISMATCH", "expected_response": "200", "healthcheck_response": "500"}
    assert reasons["silent"]["reason_code"] == "RECV_RESPONSE_TIMEOUT"
    assert reasons["garbage"]["reason_code"] == "RESPONSE_FORMAT_ERROR"
    assert reasons["closed"]["reason_code"] == "CONNECT_REFUSED"
    assert reasons["reset"]["reason_code"] == "CONNECT_INTERRUPT"
    listed = site.member(healthy["id"])["status"]
    assert [(s["listener_id"], s["operating_status"]) for s in listed] == [(site.listener["id"], "ONLINE")]

    assert Counter(fetch(site.port)[1] for _ in range(20)) == Counter({"healthy": 20})


def test_a_new_member_takes_no_request_before_its_check_passes(site: Site, backends: Callable[..., FakeBackend]) -> None:
    site.api.monitor(site.pool["id"], **FAST_HTTP_CHECK)
    good = backends("good")
    site.add(good)
    wait_for(lambda: fetch(site.port)[1] == "good" if _listening(site) else False)
    failing = backends("failing", health_status=503)
    member = site.add(failing)
    for _ in range(40):
        fetch(site.port)
    wait_for(_settles(site, member["id"], "OFFLINE"), timeout_s=10)
    assert failing.served == 0


def test_removing_the_monitor_brings_back_no_monitor(site: Site, backends: Callable[..., FakeBackend]) -> None:
    monitor = site.api.monitor(site.pool["id"], **FAST_HTTP_CHECK)
    member = site.add(backends("one", health_status=500))
    wait_for(_settles(site, member["id"], "OFFLINE"), timeout_s=10)
    site.api.ok("DELETE", f"healthmonitors/{monitor['id']}")
    assert _status(site, member["id"]) == ("NO_MONITOR", None)
    assert wait_for(lambda: fetch(site.port)[1] == "one" if _listening(site) else False)


def _listening(site: Site) -> bool:
    try:
        fetch(site.port)
        return True
    except OSError:
        return False
