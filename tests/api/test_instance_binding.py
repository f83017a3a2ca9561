"""A member belongs to whichever registered instance holds its address, also one registered after it."""

from typing import Any

from tests.conftest import Api, Topology


def _register(api: Api, subnet_id: str, address: str) -> str:
    body = {"server": {"name": "vm", "nics": [{"subnet_id": subnet_id, "ip_address": address}]}}
    return api.ok("POST", "cloudservers", body, status=200)["serverIds"][0]


def _member(api: Api, topology: Topology, address: str) -> dict[str, Any]:
    fields = {"address": address, "protocol_port": 80, "subnet_cidr_id": topology.subnet["neutron_subnet_id"]}
    return api.member(topology.pool["id"], **fields)["member"]


def _show(api: Api, topology: Topology, member_id: str) -> dict[str, Any]:
    return api.ok("GET", f"pools/{topology.pool['id']}/members/{member_id}")["member"]


def test_an_instance_registered_after_the_member_owns_it(api: Api, topology: Topology) -> None:
    member = _member(api, topology, "127.10.0.40")
    assert (member["admin_state_up"], member["instance_id"]) == (False, "")
    server_id = _register(api, topology.subnet["id"], "127.10.0.40")
    shown = _show(api, topology, member["id"])
    assert (shown["admin_state_up"], shown["instance_id"]) == (True, server_id)


def test_a_replacement_instance_takes_over_a_deleted_ones_members(api: Api, topology: Topology) -> None:
    first = _register(api, topology.subnet["id"], "127.10.0.41")
    member = _member(api, topology, "127.10.0.41")
    api.ok("DELETE", f"cloudservers/{first}")
    assert _show(api, topology, member["id"])["operating_status"] == "OFFLINE"
    second = _register(api, topology.subnet["id"], "127.10.0.41")
    shown = _show(api, topology, member["id"])
    assert (shown["instance_id"], shown["admin_state_up"], shown["operating_status"]) == (second, True, "NO_MONITOR")


def test_the_same_address_in_another_vpc_does_not_take_the_member(api: Api, topology: Topology) -> None:
    elsewhere = api.subnet(api.vpc()["id"], topology.subnet["cidr"])
    member = _member(api, topology, "127.10.0.42")
    _register(api, elsewhere["id"], "127.10.0.42")
    assert _show(api, topology, member["id"])["instance_id"] == ""
