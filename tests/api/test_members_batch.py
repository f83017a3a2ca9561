"""POST .../members/batch-add, batch-update and batch-delete: 200, one transaction per request."""

from typing import Any

import pytest

from tests.api.member_helpers import build_topology, members_of, members_url, show, tcp_pool
from tests.api.world import World, assert_elb_error
from tests.conftest import Api, Topology


def item(topology: Topology, host: int, port: int = 80, **extra: Any) -> dict[str, Any]:
    return {"address": f"127.10.0.{host}", "protocol_port": port, "subnet_cidr_id": topology.subnet["neutron_subnet_id"], **extra}


def batch(api: Api, pool_id: str, action: str, members: list[dict[str, Any]]) -> Any:
    return api.call("POST", f"{members_url(pool_id)}/batch-{action}", {"members": members})


def batch_ok(api: Api, pool_id: str, action: str, members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = batch(api, pool_id, action, members)
    assert response.status_code == 200, response.text
    assert response.json()["request_id"] == response.headers["X-Request-Id"]
    return response.json()["members"]


def addresses(api: Api, pool_id: str) -> list[tuple[str, int]]:
    return sorted((m["address"], m["protocol_port"]) for m in members_of(api, pool_id))


# batch-add


def test_batch_add_answers_200_with_each_member_successful(api: Api, topology: Topology) -> None:
    pool_id = topology.pool["id"]
    added = batch_ok(api, pool_id, "add", [item(topology, 20, name="a"), {"address": "10.0.0.5", "protocol_port": 81, "weight": 5}])
    assert [m["ret_status"] for m in added] == ["successful", "successful"]
    assert [m["member_type"] for m in added] == ["instance", "ip"]
    assert added[0]["name"] == "a" and added[1]["weight"] == 5
    assert all(m["port_id"] for m in added)
    assert sorted(m["id"] for m in members_of(api, pool_id)) == sorted(m["id"] for m in added)


def test_batch_add_takes_200_members(api: Api, topology: Topology) -> None:
    pool_id = topology.pool["id"]
    added = batch_ok(api, pool_id, "add", [item(topology, 20, port) for port in range(1000, 1200)])
    assert len(added) == 200 and {m["ret_status"] for m in added} == {"successful"}
    assert len(members_of(api, pool_id)) == 200


def test_batch_add_of_201_members_is_400(api: Api, topology: Topology) -> None:
    pool_id = topology.pool["id"]
    assert_elb_error(batch(api, pool_id, "add", [item(topology, 20, port) for port in range(1000, 1201)]), 400, "ELB.8902")
    assert members_of(api, pool_id) == []


def test_batch_add_reports_an_existing_member_as_existed(api: Api, topology: Topology) -> None:
    pool_id = topology.pool["id"]
    existing = api.member(pool_id, **item(topology, 20))["member"]
    added = batch_ok(api, pool_id, "add", [item(topology, 20, name="other name"), item(topology, 21)])
    assert [(m["ret_status"], m["address"]) for m in added] == [("existed", "127.10.0.20"), ("successful", "127.10.0.21")]
    assert added[0]["id"] == existing["id"] and added[0]["name"] == ""
    assert addresses(api, pool_id) == [("127.10.0.20", 80), ("127.10.0.21", 80)]


def test_batch_add_reports_a_duplicate_inside_the_batch_as_existed(api: Api, topology: Topology) -> None:
    pool_id = topology.pool["id"]
    added = batch_ok(api, pool_id, "add", [item(topology, 20), item(topology, 20), item(topology, 20, 81)])
    assert [m["ret_status"] for m in added] == ["successful", "existed", "successful"]
    assert added[0]["id"] == added[1]["id"]
    assert addresses(api, pool_id) == [("127.10.0.20", 80), ("127.10.0.20", 81)]


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ({"address": "8.8.8.8", "protocol_port": 80}, "members[2]: Invalid input for 'address': 8.8.8.8 is outside the ranges elbd serves"),
        ({"address": "127.11.0.5", "protocol_port": 80, "subnet_cidr_id": "SUBNET"}, "members[2]: Invalid input for 'address': 127.11.0.5 is not a host address of subnet"),
        ({"address": "127.10.0.30", "subnet_cidr_id": "SUBNET"}, "'members.2.protocol_port': it is required"),
        ({"address": "127.10.0.30", "protocol_port": 80, "subnet_cidr_id": "SUBNET", "weight": 101}, "'members.2.weight': Input should be less than or equal to 100"),
        ({"address": "127.10.0.30", "protocol_port": 80, "subnet_cidr_id": "SUBNET", "admin_state_up": True}, "Unrecognized attribute(s) 'members.2.admin_state_up'"),
        ({"address": "fd00::1", "protocol_port": 80}, "members[2]: Invalid input for 'address': an IP-as-a-backend member (no subnet_cidr_id) takes an IPv4 address"),
    ],
)
def test_one_invalid_item_fails_the_batch_and_stores_nothing(api: Api, topology: Topology, bad: dict[str, Any], says: str) -> None:
    """Refused by the rule the message names (most rules share ELB.8902), for the item it names (members[2])."""
    pool_id = topology.pool["id"]
    bad = {key: topology.subnet["neutron_subnet_id"] if value == "SUBNET" else value for key, value in bad.items()}
    message = assert_elb_error(batch(api, pool_id, "add", [item(topology, 20), item(topology, 21), bad]), 400, "ELB.8902")["error_msg"]
    assert says in message, message
    assert members_of(api, pool_id) == []


def test_batch_add_names_the_invalid_item(api: Api, topology: Topology) -> None:
    body = assert_elb_error(batch(api, topology.pool["id"], "add", [item(topology, 20), item(topology, 99, 0)]), 400, "ELB.8902")
    assert body["error_msg"].startswith("members[1]")


def test_batch_add_to_a_pool_without_ip_targets_fails_whole(api: Api, topology: Topology) -> None:
    lb = api.load_balancer(topology.subnet)
    pool = api.pool(loadbalancer_id=lb["id"])
    response = batch(api, pool["id"], "add", [item(topology, 20), {"address": "10.0.0.5", "protocol_port": 80}])
    assert_elb_error(response, 400, "ELB.8939")
    assert members_of(api, pool["id"]) == []


@pytest.mark.parametrize("body", [{"members": []}, {"members": {}}, {"member": []}, {}])
def test_batch_add_needs_a_list_of_members(api: Api, topology: Topology, body: Any) -> None:
    response = api.call("POST", f"{members_url(topology.pool['id'])}/batch-add", body)
    assert_elb_error(response, 400, "ELB.8902")


def test_batch_add_past_the_quota_stores_nothing(world: World) -> None:
    api = world.project(members_per_pool=2)
    topology = build_topology(api)
    pool_id = topology.pool["id"]
    api.member(pool_id, **item(topology, 20))
    assert_elb_error(batch(api, pool_id, "add", [item(topology, 21), item(topology, 22)]), 409, "ELB.8905")
    assert addresses(api, pool_id) == [("127.10.0.20", 80)]
    assert [m["ret_status"] for m in batch_ok(api, pool_id, "add", [item(topology, 20), item(topology, 21)])] == ["existed", "successful"]


def test_batch_add_into_an_any_port_pool_stores_port_zero(api: Api, topology: Topology) -> None:
    pool = tcp_pool(api, topology.lb["id"], any_port_enable=True)
    added = batch_ok(api, pool["id"], "add", [item(topology, 20, 0), item(topology, 20, 8080)])
    assert [(m["protocol_port"], m["ret_status"]) for m in added] == [(0, "successful"), (0, "existed")]


def test_batch_add_to_another_projects_pool_is_404(api: Api, other_api: Api, topology: Topology) -> None:
    assert_elb_error(batch(other_api, topology.pool["id"], "add", [item(topology, 20)]), 404, "ELB.8904")
    assert members_of(api, topology.pool["id"]) == []


# batch-delete


@pytest.fixture
def three(api: Api, topology: Topology) -> list[dict[str, Any]]:
    return batch_ok(api, topology.pool["id"], "add", [item(topology, host) for host in (20, 21, 22)])


def test_batch_delete_by_id_and_by_address_and_port(api: Api, topology: Topology, three: list[dict[str, Any]]) -> None:
    pool_id = topology.pool["id"]
    deleted = batch_ok(api, pool_id, "delete", [{"id": three[0]["id"]}, {"address": "127.10.0.21", "protocol_port": 80}])
    assert deleted == [{"id": three[0]["id"], "ret_status": "successful"}, {"id": three[1]["id"], "ret_status": "successful"}]
    assert [m["id"] for m in members_of(api, pool_id)] == [three[2]["id"]]


def test_batch_delete_reports_unknown_members_as_not_found(api: Api, topology: Topology, three: list[dict[str, Any]]) -> None:
    pool_id = topology.pool["id"]
    missing = "5b8c1a8e-0000-4000-8000-000000000000"
    results = batch_ok(
        api, pool_id, "delete",
        [{"id": missing}, {"address": "127.10.0.20", "protocol_port": 81}, {"id": three[2]["id"]}, {"id": three[2]["id"]}],
    )
    assert [r["ret_status"] for r in results] == ["not found", "not found", "successful", "not found"]
    assert results[0]["id"] == missing and results[1]["id"] == "127.10.0.20:81"  # what was asked for, when nothing has an id
    assert len(members_of(api, pool_id)) == 2


def test_batch_delete_leaves_another_pools_member_alone(api: Api, topology: Topology) -> None:
    other = api.pool(loadbalancer_id=topology.lb["id"])
    elsewhere = api.member(other["id"], **item(topology, 20))["member"]
    assert batch_ok(api, topology.pool["id"], "delete", [{"id": elsewhere["id"]}])[0]["ret_status"] == "not found"
    assert show(api, other["id"], elsewhere["id"])["id"] == elsewhere["id"]


@pytest.mark.parametrize(
    "bad",
    [
        {"id": "ID", "address": "127.10.0.21"},
        {"id": "ID", "protocol_port": 80},
        {"address": "127.10.0.21"},
        {"protocol_port": 80},
        {"address": "not-an-ip", "protocol_port": 80},
        {"name": "x"},
    ],
)
def test_batch_delete_refuses_a_malformed_item_and_deletes_nothing(
    api: Api, topology: Topology, three: list[dict[str, Any]], bad: dict[str, Any]
) -> None:
    pool_id = topology.pool["id"]
    bad = {key: three[1]["id"] if value == "ID" else value for key, value in bad.items()}
    assert_elb_error(batch(api, pool_id, "delete", [{"id": three[0]["id"]}, bad]), 400, "ELB.8902")
    assert len(members_of(api, pool_id)) == 3


def test_batch_delete_of_201_items_is_400(api: Api, topology: Topology, three: list[dict[str, Any]]) -> None:
    assert_elb_error(batch(api, topology.pool["id"], "delete", [{"id": three[0]["id"]}] * 201), 400, "ELB.8902")
    assert len(members_of(api, topology.pool["id"])) == 3


def test_batch_delete_under_deletion_protection_is_409(api: Api, topology: Topology, three: list[dict[str, Any]]) -> None:
    pool_id = topology.pool["id"]
    api.ok("PUT", f"pools/{pool_id}", {"pool": {"member_deletion_protection_enable": True}})
    body = assert_elb_error(batch(api, pool_id, "delete", [{"id": three[0]["id"]}, {"id": "no-such-member"}]), 409, "ELB.8907")
    assert body["error_msg"] == f"Backend server group {pool_id} has member deletion protection enabled."
    address = {"address": three[1]["address"], "protocol_port": three[1]["protocol_port"]}
    assert_elb_error(batch(api, pool_id, "delete", [address]), 409, "ELB.8907")
    assert len(members_of(api, pool_id)) == 3


def test_batch_delete_of_port_zero_empties_an_any_port_pool(api: Api, topology: Topology) -> None:
    pool = tcp_pool(api, topology.lb["id"], any_port_enable=True)
    batch_ok(api, pool["id"], "add", [item(topology, 20, 0)])
    assert batch_ok(api, pool["id"], "delete", [{"address": "127.10.0.20", "protocol_port": 0}])[0]["ret_status"] == "successful"
    assert members_of(api, pool["id"]) == []


def test_batch_delete_in_another_projects_pool_is_404(api: Api, other_api: Api, topology: Topology, three: list[dict[str, Any]]) -> None:
    assert_elb_error(batch(other_api, topology.pool["id"], "delete", [{"id": three[0]["id"]}]), 404, "ELB.8904")
    assert len(members_of(api, topology.pool["id"])) == 3


# batch-update


def test_batch_update_changes_several_members(api: Api, topology: Topology, three: list[dict[str, Any]]) -> None:
    pool_id = topology.pool["id"]
    changes = [{"id": three[0]["id"], "name": "a", "weight": 0}, {"id": three[1]["id"], "protocol_port": 8080}]
    updated = batch_ok(api, pool_id, "update", changes)
    assert [(m["id"], m["name"], m["weight"], m["protocol_port"]) for m in updated] == [
        (three[0]["id"], "a", 0, 80),
        (three[1]["id"], "", 1, 8080),
    ]
    assert show(api, pool_id, three[1]["id"])["protocol_port"] == 8080
    assert show(api, pool_id, three[2]["id"])["weight"] == 1


def test_batch_update_answers_each_members_port_id_as_batch_add_does(api: Api, topology: Topology) -> None:
    pool_id = topology.pool["id"]
    added = batch_ok(api, pool_id, "add", [item(topology, 30), {"address": "10.0.0.6", "protocol_port": 81}])
    updated = batch_ok(api, pool_id, "update", [{"id": member["id"], "weight": 4} for member in added])
    assert [m["port_id"] for m in updated] == [m["port_id"] for m in added] and all(m["port_id"] for m in updated)


@pytest.mark.parametrize(
    ("bad", "status", "code"),
    [
        ({"id": "5b8c1a8e-0000-4000-8000-000000000000", "name": "x"}, 404, "ELB.8904"),
        ({"id": "THIRD", "weight": 101}, 400, "ELB.8902"),
        ({"id": "THIRD", "address": "127.10.0.40"}, 400, "ELB.8902"),
        ({"name": "no id"}, 400, "ELB.8902"),
        ({"id": "FIRST", "name": "twice"}, 400, "ELB.8902"),
    ],
)
def test_batch_update_with_one_bad_item_changes_nothing(
    api: Api, topology: Topology, three: list[dict[str, Any]], bad: dict[str, Any], status: int, code: str
) -> None:
    pool_id = topology.pool["id"]
    names = {"FIRST": three[0]["id"], "THIRD": three[2]["id"]}
    bad = {key: names.get(value, value) if key == "id" else value for key, value in bad.items()}
    first = {"id": three[0]["id"], "name": "changed", "weight": 50}
    assert_elb_error(batch(api, pool_id, "update", [first, bad]), status, code)
    assert [(m["name"], m["weight"], m["protocol_port"]) for m in members_of(api, pool_id)] == [("", 1, 80)] * 3


def test_batch_update_to_a_taken_port_is_409_and_changes_nothing(api: Api, topology: Topology, three: list[dict[str, Any]]) -> None:
    pool_id = topology.pool["id"]
    api.member(pool_id, **item(topology, 22, 81))
    changes = [{"id": three[0]["id"], "name": "changed"}, {"id": three[2]["id"], "protocol_port": 81}]
    assert_elb_error(batch(api, pool_id, "update", changes), 409, "ELB.8907")
    assert show(api, pool_id, three[0]["id"])["name"] == ""
    assert show(api, pool_id, three[2]["id"])["protocol_port"] == 80


def test_batch_update_of_another_pools_member_is_404(api: Api, topology: Topology, three: list[dict[str, Any]]) -> None:
    other = api.pool(loadbalancer_id=topology.lb["id"])
    elsewhere = api.member(other["id"], **item(topology, 20))["member"]
    assert_elb_error(batch(api, topology.pool["id"], "update", [{"id": elsewhere["id"], "name": "x"}]), 404, "ELB.8904")
    assert show(api, other["id"], elsewhere["id"])["name"] == ""


def test_batch_update_in_another_projects_pool_is_404(api: Api, other_api: Api, topology: Topology, three: list[dict[str, Any]]) -> None:
    assert_elb_error(batch(other_api, topology.pool["id"], "update", [{"id": three[0]["id"], "name": "x"}]), 404, "ELB.8904")
    assert show(api, topology.pool["id"], three[0]["id"])["name"] == ""


def test_batch_update_naming_a_member_twice_is_400_and_says_so(api: Api, topology: Topology, three: list[dict[str, Any]]) -> None:
    twice = [{"id": three[0]["id"], "weight": 5}, {"id": three[0]["id"], "weight": 6}]
    body = assert_elb_error(batch(api, topology.pool["id"], "update", twice), 400, "ELB.8902")
    assert body["error_msg"] == "Invalid input for 'members': a member is named twice."
    assert [m["weight"] for m in members_of(api, topology.pool["id"])] == [1, 1, 1]
