"""What an operator looks at, against one real `elbd serve` with HAProxy for the module: each member's
health timeline as a backend breaks and heals, and a VIP the host cannot bind refused at create."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import Api
from tests.dataplane.conftest import SharedLoadBalancer, listener_site, shared_load_balancer, wait_for
from tests.dataplane.fake_backend import FakeBackend

FAST_HTTP_CHECK = {"delay": 1, "timeout": 1, "max_retries": 1, "max_retries_down": 1, "url_path": "/health"}
Transition = tuple[str | None, str | None, str | None]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedLoadBalancer]:
    with shared_load_balancer(tmp_path_factory.mktemp("operators") / "data") as made:
        yield made


def _timeline(api: Api, pool_id: str, member_id: str) -> list[dict[str, Any]]:
    return api.ok("GET", f"pools/{pool_id}/members/{member_id}/elbd-health-timeline")["health_timeline"]


def _transitions(api: Api, pool_id: str, member_id: str) -> list[Transition]:
    """Oldest first: (from, to, reason code)."""
    return [
        (event["from_status"], event["to_status"], (event["reason"] or {}).get("reason_code"))
        for event in reversed(_timeline(api, pool_id, member_id))
    ]


def _reaches(api: Api, pool_id: str, member_id: str, last: Transition) -> Callable[[], list[Transition] | None]:
    def check() -> list[Transition] | None:
        seen = _transitions(api, pool_id, member_id)
        return seen if seen and seen[-1] == last else None

    return check


def test_a_members_timeline_records_it_breaking_and_healing_with_reasons(
    shared: SharedLoadBalancer, backends: Callable[..., FakeBackend]
) -> None:
    site = listener_site(shared)
    site.api.monitor(site.pool["id"], **FAST_HTTP_CHECK)
    backend = backends("flaky")
    member = site.add(backend)
    pool_id, member_id = site.pool["id"], member["id"]
    assert wait_for(_reaches(site.api, pool_id, member_id, (None, "ONLINE", None)), timeout_s=15) == [(None, "ONLINE", None)]

    backend.behaviour.health_status = 500
    wait_for(_reaches(site.api, pool_id, member_id, ("ONLINE", "OFFLINE", "RESPONSE_MISMATCH")), timeout_s=15)
    backend.behaviour.health_status = 200
    healed = wait_for(_reaches(site.api, pool_id, member_id, ("OFFLINE", "ONLINE", None)), timeout_s=15)
    assert healed == [(None, "ONLINE", None), ("ONLINE", "OFFLINE", "RESPONSE_MISMATCH"), ("OFFLINE", "ONLINE", None)]

    newest_first = _timeline(site.api, pool_id, member_id)
    assert newest_first[1]["reason"] == {"reason_code": "RESPONSE_MISMATCH", "expected_response": "200", "healthcheck_response": "500"}
    assert [event["time"] for event in newest_first] == sorted((event["time"] for event in newest_first), reverse=True)
    assert site.member(member_id)["operating_status"] == "ONLINE"


def test_an_unchecked_member_has_an_empty_timeline_and_an_unknown_one_none(
    shared: SharedLoadBalancer, backends: Callable[..., FakeBackend]
) -> None:
    """Another project's member is 404 as well: tests/api/test_isolation_matrix.py walks this route too."""
    site = listener_site(shared)
    member = site.add(backends("unchecked"))
    assert _timeline(site.api, site.pool["id"], member["id"]) == []  # no monitor: no check, no transition
    unknown = f"pools/{site.pool['id']}/members/{'0' * 8}-0000-0000-0000-{'0' * 12}/elbd-health-timeline"
    response = site.api.call("GET", unknown)
    assert response.status_code == 404 and response.json()["error_code"] == "ELB.8904"
