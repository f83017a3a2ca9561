"""The health timeline as the store keeps it: one event per reported change, the newest 50 kept, gone
with its member; the elbd-health-timeline route shows it newest first, and another project gets 404.
(tests/dataplane/test_operators_view.py breaks and heals a real backend behind HAProxy.)"""

from typing import Any

from sqlalchemy import func, select

from elbd.store.dataplane import MemberHealth, save_member_health
from elbd.store.health_timeline import TIMELINE_LENGTH
from elbd.store.models import MemberHealthEvent
from tests.conftest import Api, Topology

DOWN = MemberHealth("OFFLINE", "CONNECT_REFUSED", None, None)
UP = MemberHealth("ONLINE")


def _member(api: Api, topology: Topology, host: int) -> dict[str, Any]:
    body = {"address": f"127.10.0.{host}", "protocol_port": 80, "subnet_cidr_id": topology.subnet["neutron_subnet_id"]}
    return api.member(topology.pool["id"], **body)["member"]


def _report(api: Api, member_id: str, health: MemberHealth) -> None:
    with api.client.app.state.db.write() as session:  # type: ignore[attr-defined]
        save_member_health(session, {member_id: health})


def _timeline(api: Api, topology: Topology, member_id: str) -> list[dict[str, Any]]:
    return api.ok("GET", f"pools/{topology.pool['id']}/members/{member_id}/elbd-health-timeline")["health_timeline"]


def test_each_change_is_one_transition_newest_first(api: Api, topology: Topology) -> None:
    member = _member(api, topology, 21)
    for health in (UP, DOWN, UP):
        _report(api, member["id"], health)
    timeline = _timeline(api, topology, member["id"])
    assert [(event["from_status"], event["to_status"]) for event in timeline] == [("OFFLINE", "ONLINE"), ("ONLINE", "OFFLINE"), (None, "ONLINE")]
    assert timeline[1]["reason"] == {"reason_code": "CONNECT_REFUSED", "expected_response": None, "healthcheck_response": None}
    assert timeline[0]["reason"] is None


def test_only_the_newest_transitions_are_kept_and_they_go_with_their_member(api: Api, topology: Topology) -> None:
    member, neighbour = _member(api, topology, 22), _member(api, topology, 23)
    _report(api, neighbour["id"], UP)
    for round_number in range(TIMELINE_LENGTH + 10):
        _report(api, member["id"], DOWN if round_number % 2 else UP)
    timeline = _timeline(api, topology, member["id"])
    assert len(timeline) == TIMELINE_LENGTH
    assert timeline[-1]["from_status"] == "OFFLINE"  # the first ten, from None on, are gone
    assert len(_timeline(api, topology, neighbour["id"])) == 1

    api.ok("DELETE", f"pools/{topology.pool['id']}/members/{member['id']}")
    with api.client.app.state.db.read() as session:  # type: ignore[attr-defined]
        left = session.scalar(select(func.count()).select_from(MemberHealthEvent).where(MemberHealthEvent.member_id == member["id"]))
    assert left == 0
    assert len(_timeline(api, topology, neighbour["id"])) == 1


def test_another_projects_member_is_not_found(api: Api, other_api: Api, topology: Topology) -> None:
    member = _member(api, topology, 24)
    _report(api, member["id"], UP)
    response = other_api.call("GET", f"pools/{topology.pool['id']}/members/{member['id']}/elbd-health-timeline")
    assert response.status_code == 404 and response.json()["error_code"] == "ELB.8904"
