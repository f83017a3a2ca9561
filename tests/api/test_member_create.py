"""POST /v3/{project_id}/elb/pools/{pool_id}/members: the response shape of the seed page."""

import re

from tests.conftest import Api, Topology

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_create_member_answers_201_with_the_page_shape(api: Api, topology: Topology) -> None:
    response = api.call(
        "POST",
        f"pools/{topology.pool['id']}/members",
        {"member": {"address": "127.10.0.20", "protocol_port": 8080, "subnet_cidr_id": topology.subnet["neutron_subnet_id"]}},
    )
    assert response.status_code == 201
    body = response.json()
    member = body["member"]
    assert body["request_id"] == response.headers["X-Request-Id"]
    assert member["weight"] == 1 and member["name"] == ""
    assert member["ip_version"] == "v4" and member["member_type"] == "instance"
    assert member["operating_status"] == "NO_MONITOR"
    assert [s["listener_id"] for s in member["status"]] == [topology.listener["id"]]
    assert TIME.match(member["created_at"]) and TIME.match(member["updated_at"])
