"""/v3/{project_id}/elb/master-slave-pools: an active/standby group made whole (two members with roles,
its health check), listed with the reference's filters, shown, deleted whole; and what cannot change."""

import itertools
from typing import Any

import pytest

from tests.api.world import Net, api, assert_elb_error, ids, net, used, world  # noqa: F401
from tests.conftest import Api

_hosts = itertools.count(20)


def _member(lan: Net, role: str, **extra: Any) -> dict[str, Any]:
    return {"address": f"127.10.0.{next(_hosts)}", "protocol_port": 8080, "role": role, "subnet_cidr_id": lan.subnet_id, **extra}


def _body(lan: Net, protocol: str = "TCP", **fields: Any) -> dict[str, Any]:
    pool = {
        "protocol": protocol,
        "lb_algorithm": "ROUND_ROBIN",
        "members": [_member(lan, "master"), _member(lan, "slave")],
        "healthmonitor": {"type": "TCP", "delay": 5, "timeout": 3, "max_retries": 3},
        **fields,
    }
    return {"pool": pool}


@pytest.fixture(scope="module")
def lan(api: Api) -> Net:
    return net(api)


@pytest.fixture(scope="module")
def lb(api: Api, lan: Net) -> dict[str, Any]:
    return api.load_balancer(lan.subnet)


def _created(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    return api.ok("POST", "master-slave-pools", body)["pool"]


def test_created_with_its_members_roles_and_check(api: Api, lan: Net, lb: dict[str, Any]) -> None:
    listener = api.listener(lb["id"], protocol="TCP", port=7001)
    body = _body(lan, listener_id=listener["id"], name="pair")
    pool = _created(api, body)
    assert (pool["name"], pool["protocol"], pool["listeners"], pool["loadbalancers"]) == ("pair", "TCP", [{"id": listener["id"]}], [{"id": lb["id"]}])
    assert [(member["address"], member["role"]) for member in pool["members"]] == [(one["address"], one["role"]) for one in body["pool"]["members"]]
    assert all(member["operating_status"] == "INITIAL" and member["status"][0]["listener_id"] == listener["id"] for member in pool["members"])
    assert (pool["healthmonitor"]["type"], pool["healthmonitor"]["max_retries_down"]) == ("TCP", 3)
    assert api.ok("GET", f"master-slave-pools/{pool['id']}")["pool"] == pool
    plain = api.ok("GET", f"pools/{pool['id']}")["pool"]  # also a pool, whose members and check are these
    assert (plain["healthmonitor_id"], ids(plain["members"])) == (pool["healthmonitor"]["id"], ids(pool["members"]))
    assert api.ok("GET", f"listeners/{listener['id']}")["listener"]["default_pool_id"] == pool["id"]


@pytest.mark.parametrize(
    "roles",
    [("master",), ("master", "master"), ("slave", "slave"), ("master", "slave", "slave")],
)
def test_exactly_one_master_and_one_slave(api: Api, lan: Net, lb: dict[str, Any], roles: tuple[str, ...]) -> None:
    body = _body(lan, loadbalancer_id=lb["id"])
    body["pool"]["members"] = [_member(lan, role) for role in roles]
    before = (used(api, "pool"), used(api, "member"))
    error = assert_elb_error(api.call("POST", "master-slave-pools", body), 400, "ELB.8902")
    assert "one with role master and one with role slave" in error["error_msg"]
    assert (used(api, "pool"), used(api, "member")) == before


def test_refused_whole_when_a_member_or_the_check_breaks_a_rule(api: Api, lan: Net, lb: dict[str, Any]) -> None:
    before = (used(api, "pool"), used(api, "member"), used(api, "healthmonitor"))
    body = _body(lan, loadbalancer_id=lb["id"])
    body["pool"]["members"][1]["address"] = "224.0.0.1"
    assert "members[1]" in assert_elb_error(api.call("POST", "master-slave-pools", body), 400)["error_msg"]
    body = _body(lan, loadbalancer_id=lb["id"])
    body["pool"]["healthmonitor"]["type"] = "UDP_CONNECT"  # not a TCP group's check
    assert_elb_error(api.call("POST", "master-slave-pools", body), 400, "ELB.8902")
    body = _body(lan, loadbalancer_id=lb["id"])
    del body["pool"]["healthmonitor"]
    assert_elb_error(api.call("POST", "master-slave-pools", body), 400, "ELB.8902")
    assert (used(api, "pool"), used(api, "member"), used(api, "healthmonitor")) == before


@pytest.mark.parametrize(
    ("listener_protocol", "pool_protocol", "status"),
    [("HTTP", "TCP", 400), ("UDP", "TCP", 400), ("TCP", "TLS", 400), ("TCP", "TCP", 201)],
)
def test_listener_binding_follows_the_protocol_table(
    api: Api, lan: Net, lb: dict[str, Any], listener_protocol: str, pool_protocol: str, status: int
) -> None:
    listener = api.listener(lb["id"], protocol=listener_protocol, port=7100 + next(_hosts))
    response = api.call("POST", "master-slave-pools", _body(lan, pool_protocol, listener_id=listener["id"]))
    if status == 201:
        assert response.status_code == 201, response.text
    else:
        assert_elb_error(response, status, "ELB.8902")


@pytest.mark.parametrize(("protocol", "says"), [("UDP", "active/standby UDP"), ("QUIC", "QUIC"), ("HTTP", "")])
def test_protocols_elbd_does_not_serve_here_are_refused(api: Api, lan: Net, lb: dict[str, Any], protocol: str, says: str) -> None:
    body = _body(lan, protocol, loadbalancer_id=lb["id"])
    body["pool"]["healthmonitor"]["type"] = "UDP_CONNECT" if protocol in ("UDP", "QUIC") else "TCP"
    error = assert_elb_error(api.call("POST", "master-slave-pools", body), (400, 422) if protocol == "HTTP" else 400)
    assert says in error["error_msg"]


def test_members_check_and_settings_cannot_change(api: Api, lan: Net, lb: dict[str, Any]) -> None:
    pool = _created(api, _body(lan, loadbalancer_id=lb["id"]))
    member_id = pool["members"][0]["id"]
    refusals = [
        api.call("POST", f"pools/{pool['id']}/members", {"member": {"address": "127.10.0.250", "protocol_port": 80, "subnet_cidr_id": lan.subnet_id}}),
        api.call("POST", f"pools/{pool['id']}/members/batch-add", {"members": [{"address": "127.10.0.251", "protocol_port": 80}]}),
        api.call("PUT", f"pools/{pool['id']}/members/{member_id}", {"member": {"weight": 5}}),
        api.call("DELETE", f"pools/{pool['id']}/members/{member_id}"),
        api.call("POST", f"pools/{pool['id']}/members/batch-delete", {"members": [{"id": member_id}]}),
        api.call("PUT", f"healthmonitors/{pool['healthmonitor']['id']}", {"healthmonitor": {"delay": 9}}),
        api.call("DELETE", f"healthmonitors/{pool['healthmonitor']['id']}"),
        api.call("PUT", f"pools/{pool['id']}", {"pool": {"name": "renamed"}}),
    ]
    for response in refusals:
        assert "active/standby group" in assert_elb_error(response, 400, "ELB.8902")["error_msg"], response.request.url
    assert api.ok("GET", f"master-slave-pools/{pool['id']}")["pool"] == pool


def test_deleted_whole_and_only_through_its_own_kind(api: Api, lan: Net, lb: dict[str, Any]) -> None:
    pool = _created(api, _body(lan, loadbalancer_id=lb["id"]))
    plain = api.pool(protocol="TCP", loadbalancer_id=lb["id"])
    assert_elb_error(api.call("GET", f"master-slave-pools/{plain['id']}"), 404, "ELB.8904")
    assert_elb_error(api.call("DELETE", f"master-slave-pools/{plain['id']}"), 404, "ELB.8904")
    before = (used(api, "pool"), used(api, "member"), used(api, "healthmonitor"))
    api.ok("DELETE", f"master-slave-pools/{pool['id']}")
    assert (used(api, "pool"), used(api, "member"), used(api, "healthmonitor")) == (before[0] - 1, before[1] - 2, before[2] - 1)
    assert_elb_error(api.call("GET", f"pools/{pool['id']}"), 404, "ELB.8904")


def test_listed_with_filters_and_pages(api: Api, lan: Net, lb: dict[str, Any]) -> None:
    made = [_created(api, _body(lan, loadbalancer_id=lb["id"], name=f"page-{index}", description="paged")) for index in range(3)]
    plain = api.pool(protocol="TCP", loadbalancer_id=lb["id"], description="paged")
    listed = api.ok("GET", "master-slave-pools?description=paged")["pools"]
    assert ids(listed) == ids(made) and plain["id"] not in ids(listed)
    first = api.ok("GET", "master-slave-pools?description=paged&limit=2")
    assert ids(first["pools"]) == ids(made[:2]) and first["page_info"]["next_marker"] == made[1]["id"]
    rest = api.ok("GET", f"master-slave-pools?description=paged&limit=2&marker={made[1]['id']}")
    assert ids(rest["pools"]) == ids(made[2:])
    address = made[1]["members"][1]["address"]
    assert ids(api.ok("GET", f"master-slave-pools?member_address={address}")["pools"]) == [made[1]["id"]]
    assert ids(api.ok("GET", f"master-slave-pools?healthmonitor_id={made[2]['healthmonitor']['id']}")["pools"]) == [made[2]["id"]]
    assert ids(api.ok("GET", "master-slave-pools?description=paged&connection_drain=false")["pools"]) == ids(made)
    assert api.ok("GET", "master-slave-pools?description=paged&connection_drain=true")["pools"] == []
    assert ids(api.ok("GET", "master-slave-pools?description=paged&enterprise_project_id=0")["pools"]) == ids(made)
    assert api.ok("GET", "master-slave-pools?description=paged&public_border_group=edge-1")["pools"] == []
    assert_elb_error(api.call("GET", "master-slave-pools?weight=1"), 400, "ELB.8902")


def test_another_projects_group_is_not_found(api: Api, lan: Net, lb: dict[str, Any], world: Any) -> None:
    pool = _created(api, _body(lan, loadbalancer_id=lb["id"]))
    other = world.other_api
    assert_elb_error(other.call("GET", f"master-slave-pools/{pool['id']}"), 404, "ELB.8904")
    assert_elb_error(other.call("DELETE", f"master-slave-pools/{pool['id']}"), 404, "ELB.8904")
    assert pool["id"] not in ids(other.ok("GET", "master-slave-pools")["pools"])
