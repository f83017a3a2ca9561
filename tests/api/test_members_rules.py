"""The rules of the "Adding a Backend Server" page, one refusal or default per test.

Most rules refuse with the same 400 ELB.8902, so a refusal is checked by its message too: a test of
one rule must fail when that rule is gone and the next one happens to refuse the same request."""

from typing import Any

import httpx
import pytest

from tests.api.member_helpers import Site, build_topology, create, members_of, members_url, show, tcp_pool
from elbd.store.models import Pool
from tests.api.world import World, assert_elb_error, legacy_subnet, stored_earlier
from tests.conftest import Api, Topology

IN_SUBNET = "127.10.0.20"


def subnet_member(topology: Topology, address: str = IN_SUBNET, port: int = 80, **extra: Any) -> dict[str, Any]:
    return {"address": address, "protocol_port": port, "subnet_cidr_id": topology.subnet["neutron_subnet_id"], **extra}


def instance_pool(api: Api, vpc_id: str, protocol: str = "HTTP") -> dict[str, Any]:
    return api.pool(protocol, type="instance", vpc_id=vpc_id)


def refused(response: httpx.Response, says: str, exact: bool = False) -> None:
    """A 400 ELB.8902 from the rule whose message says `says` (is `says`, when `exact`)."""
    message = assert_elb_error(response, 400, "ELB.8902")["error_msg"]
    assert message == says if exact else says in message, message


# unique (address, protocol_port) per pool


def test_same_address_and_port_twice_in_a_pool_is_409(api: Api, topology: Topology) -> None:
    pool_id = topology.pool["id"]
    first = api.member(pool_id, **subnet_member(topology))["member"]
    assert_elb_error(create(api, pool_id, **subnet_member(topology, name="again")), 409, "ELB.8907")
    assert [m["id"] for m in members_of(api, pool_id)] == [first["id"]]


def test_an_ip_member_collides_with_a_subnet_member_of_the_same_address_and_port(api: Api, topology: Topology) -> None:
    pool_id = topology.pool["id"]
    api.member(pool_id, **subnet_member(topology))
    assert_elb_error(create(api, pool_id, address=IN_SUBNET, protocol_port=80), 409, "ELB.8907")
    assert len(members_of(api, pool_id)) == 1


def test_same_address_on_another_port_is_accepted(api: Api, topology: Topology) -> None:
    pool_id = topology.pool["id"]
    api.member(pool_id, **subnet_member(topology, port=80))
    api.member(pool_id, **subnet_member(topology, port=81))
    assert sorted(m["protocol_port"] for m in members_of(api, pool_id)) == [80, 81]


def test_same_address_and_port_in_another_pool_is_accepted(api: Api, topology: Topology) -> None:
    other = api.pool(loadbalancer_id=topology.lb["id"])
    api.member(topology.pool["id"], **subnet_member(topology))
    api.member(other["id"], **subnet_member(topology))
    assert len(members_of(api, other["id"])) == 1


# no subnet_cidr_id: IP as a backend


# the first and last address of each served IPv4 range (127.0.0.0/8 past the host's own 127.0.0.0/16),
# and the address just outside it on either side: tests/unit/test_address_ranges.py has every edge
SERVED_EDGES = [
    "10.0.0.0", "10.255.255.255", "172.16.0.0", "172.31.255.255", "192.168.0.0", "192.168.255.255", "100.64.0.0",
    "100.127.255.255", "127.1.0.0", "127.255.255.255", "198.18.0.0", "198.19.255.255",
]
BESIDE_SERVED = [
    "9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0", "192.167.255.255", "192.169.0.0", "100.63.255.255",
    "100.128.0.0", "126.255.255.255", "128.0.0.0", "198.17.255.255", "198.20.0.0", "8.8.8.8",
]


@pytest.mark.parametrize("address", SERVED_EDGES)
def test_ip_member_takes_an_ipv4_address_of_the_served_ranges(api: Api, topology: Topology, address: str) -> None:
    member = api.member(topology.pool["id"], address=address, protocol_port=80)["member"]
    assert member["address"] == address
    assert member["member_type"] == "ip" and member["subnet_cidr_id"] is None and member["ip_version"] == "v4"


@pytest.mark.parametrize("address", BESIDE_SERVED)
def test_ip_member_refuses_an_ipv4_address_outside_the_served_ranges(api: Api, topology: Topology, address: str) -> None:
    body = assert_elb_error(create(api, topology.pool["id"], address=address, protocol_port=80), 400, "ELB.8902")
    assert f"{address} is outside the ranges elbd serves" in body["error_msg"]
    assert members_of(api, topology.pool["id"]) == []


@pytest.mark.parametrize("address", ["127.0.0.0", "127.0.255.255"])
def test_ip_member_refuses_the_edges_of_the_hosts_own_range(api: Api, topology: Topology, address: str) -> None:
    refused(create(api, topology.pool["id"], address=address, protocol_port=80), f"{address} is in 127.0.0.0/16, which belongs to the host's own services")
    assert members_of(api, topology.pool["id"]) == []


def test_ip_member_refuses_an_ipv6_address(api: Api, topology: Topology) -> None:
    dualstack = tcp_pool(api, topology.lb["id"])
    assert dualstack["ip_version"] == "dualstack"
    refused(create(api, dualstack["id"], address="fd00::10", protocol_port=80), "an IP-as-a-backend member (no subnet_cidr_id) takes an IPv4 address")
    assert members_of(api, dualstack["id"]) == []


def test_ip_member_needs_ip_target_enable_on_the_load_balancer(api: Api, topology: Topology) -> None:
    lb = api.load_balancer(topology.subnet)
    assert lb["ip_target_enable"] is False
    pool = api.pool(loadbalancer_id=lb["id"])
    body = assert_elb_error(create(api, pool["id"], address="10.0.0.5", protocol_port=80), 400, "ELB.8939")
    assert "ip_target_enable" in body["error_msg"]
    assert members_of(api, pool["id"]) == []


def test_subnet_member_needs_no_ip_target_enable(api: Api, topology: Topology) -> None:
    lb = api.load_balancer(topology.subnet)
    pool = api.pool(loadbalancer_id=lb["id"])
    assert api.member(pool["id"], **subnet_member(topology))["member"]["member_type"] == "instance"


def test_ip_protocol_pool_refuses_ip_members(api: Api) -> None:
    """elbd no longer makes IP pools (test_unserved.py); one an earlier elbd stored still refuses IP members."""
    pool = api.pool("TCP", type="ip")
    stored_earlier(api, Pool, pool["id"], protocol="IP", lb_algorithm="5_TUPLE_HASH")
    assert_elb_error(create(api, pool["id"], address="10.0.0.5"), 400, "ELB.8938")
    assert members_of(api, pool["id"]) == []


@pytest.mark.parametrize("protocol", ["TCP", "HTTP"])
def test_ip_members_join_pools_of_every_served_protocol(api: Api, protocol: str) -> None:
    pool = api.pool(protocol, type="ip")
    assert api.member(pool["id"], address="10.0.0.5", protocol_port=443)["member"]["member_type"] == "ip"


# with a subnet


def test_unknown_subnet_is_404_with_the_observed_message(api: Api, topology: Topology) -> None:
    missing = "5b8c1a8e-0000-4000-8000-000000000000"
    response = create(api, topology.pool["id"], address=IN_SUBNET, protocol_port=80, subnet_cidr_id=missing)
    body = assert_elb_error(response, 404, "ELB.8904")
    assert body["error_msg"] == f"subnet {missing} could not be found."
    assert members_of(api, topology.pool["id"]) == []


def test_another_projects_subnet_is_404(api: Api, other_api: Api, topology: Topology) -> None:
    foreign = other_api.subnet(other_api.vpc()["id"])
    response = create(api, topology.pool["id"], address=IN_SUBNET, protocol_port=80, subnet_cidr_id=foreign["neutron_subnet_id"])
    assert_elb_error(response, 404, "ELB.8904")
    assert members_of(api, topology.pool["id"]) == []


def test_subnet_outside_the_load_balancers_vpc_is_400(api: Api, topology: Topology) -> None:
    elsewhere = api.subnet(api.vpc("10.0.0.0/8")["id"], "10.1.0.0/24")
    response = create(api, topology.pool["id"], address="10.1.0.5", protocol_port=80, subnet_cidr_id=elsewhere["neutron_subnet_id"])
    refused(response, f"is not in VPC {topology.vpc['id']} of the load balancer")
    assert members_of(api, topology.pool["id"]) == []


def test_pool_on_no_load_balancer_takes_members_only_from_its_vpc(api: Api, topology: Topology) -> None:
    pool = instance_pool(api, topology.vpc["id"])
    elsewhere = api.subnet(api.vpc("10.0.0.0/8")["id"], "10.1.0.0/24")
    response = create(api, pool["id"], address="10.1.0.5", protocol_port=80, subnet_cidr_id=elsewhere["neutron_subnet_id"])
    refused(response, f"is not in VPC {topology.vpc['id']}")
    api.member(pool["id"], **subnet_member(topology))
    assert len(members_of(api, pool["id"])) == 1


@pytest.mark.parametrize("address", ["127.11.0.5", "127.10.1.0", "10.10.0.20"])
def test_address_outside_the_subnet_cidr_is_400(api: Api, topology: Topology, address: str) -> None:
    refused(create(api, topology.pool["id"], **subnet_member(topology, address)), f"{address} is not a host address of subnet")
    assert members_of(api, topology.pool["id"]) == []


@pytest.mark.parametrize("address", ["127.10.0.0", "127.10.0.255"])
def test_subnet_network_and_broadcast_addresses_are_400(api: Api, topology: Topology, address: str) -> None:
    refused(create(api, topology.pool["id"], **subnet_member(topology, address)), f"{address} is not a host address of subnet")
    assert members_of(api, topology.pool["id"]) == []


def test_a_load_balancer_vip_is_never_an_instance_member(api: Api, topology: Topology) -> None:
    vip = topology.lb["vip_address"]
    refused(create(api, topology.pool["id"], **subnet_member(topology, vip)), f"{vip} is the VIP of load balancer {topology.lb['id']}")
    assert members_of(api, topology.pool["id"]) == []


def test_the_vip_of_another_load_balancer_in_the_vpc_is_refused_too(api: Api, topology: Topology) -> None:
    second = api.load_balancer(topology.subnet)
    refused(create(api, topology.pool["id"], **subnet_member(topology, second["vip_address"])), f"is the VIP of load balancer {second['id']}")
    assert members_of(api, topology.pool["id"]) == []


def test_pool_of_type_ip_refuses_subnet_members(api: Api, topology: Topology) -> None:
    pool = api.pool("TCP", type="ip")
    refused(create(api, pool["id"], **subnet_member(topology)), "a backend server group of type ip takes IP members only")
    assert members_of(api, pool["id"]) == []


@pytest.mark.parametrize(
    ("vpc_cidr", "subnet_cidr", "address", "kind"),
    [("169.254.0.0/16", "169.254.0.0/24", "169.254.0.10", "a link-local address"), ("224.0.0.0/8", "224.0.0.0/24", "224.0.0.10", "a multicast address")],
)
def test_link_local_and_multicast_addresses_are_never_members(api: Api, vpc_cidr: str, subnet_cidr: str, address: str, kind: str) -> None:
    vpc, subnet = legacy_subnet(api, vpc_cidr, subnet_cidr)
    pool = instance_pool(api, vpc["id"])
    response = create(api, pool["id"], address=address, protocol_port=80, subnet_cidr_id=subnet["neutron_subnet_id"])
    refused(response, f"{address} is {kind} and can never be a backend")
    assert members_of(api, pool["id"]) == []


@pytest.mark.parametrize(
    ("address", "says"),
    [("not-an-ip", "is not an IP address"), ("127.10.0.256", "is not an IP address"), ("", "at least 1 character"), ("127.10.0.020", "is not an IP address")],
)
def test_an_address_that_is_no_ip_is_400(api: Api, topology: Topology, address: str, says: str) -> None:
    refused(create(api, topology.pool["id"], **subnet_member(topology, address)), says)
    assert members_of(api, topology.pool["id"]) == []


# IPv6 only in dual-stack pools


@pytest.fixture(scope="module")
def ipv6_subnet(world: World, site: Site) -> dict[str, Any]:
    return world.api.subnet(site.vpc["id"], "127.20.0.0/24", ipv6_enable=True, cidr_v6="fd00:20::/64")


def test_ipv6_member_in_a_v4_pool_is_8933(api: Api, topology: Topology, ipv6_subnet: dict[str, Any]) -> None:
    assert topology.pool["ip_version"] == "v4"
    response = create(api, topology.pool["id"], address="fd00:20::10", protocol_port=80, subnet_cidr_id=ipv6_subnet["id"])
    assert_elb_error(response, 400, "ELB.8933")
    assert members_of(api, topology.pool["id"]) == []


def test_ipv6_member_in_a_dualstack_pool_is_v6(api: Api, topology: Topology, ipv6_subnet: dict[str, Any]) -> None:
    pool = tcp_pool(api, topology.lb["id"])
    member = api.member(pool["id"], address="fd00:20::10", protocol_port=80, subnet_cidr_id=ipv6_subnet["id"])["member"]
    assert member["ip_version"] == "v6" and member["member_type"] == "instance"
    assert member["subnet_cidr_id"] == ipv6_subnet["id"]


def test_explicit_dualstack_http_pool_takes_ipv6(api: Api, topology: Topology, ipv6_subnet: dict[str, Any]) -> None:
    pool = api.pool(loadbalancer_id=topology.lb["id"], ip_version="dualstack")
    member = api.member(pool["id"], address="fd00:20::11", protocol_port=80, subnet_cidr_id=ipv6_subnet["id"])["member"]
    assert member["ip_version"] == "v6"


@pytest.mark.parametrize("spelling", ["FD00:20:0:0::10", "fd00:20:0::10", "fd00:0020::10", "fd00:20::10%eth0", "fd00:20::10%x]:1 #"])
def test_an_ipv6_address_is_taken_only_canonically_and_without_a_zone(api: Api, topology: Topology, ipv6_subnet: dict[str, Any], spelling: str) -> None:
    """One address, one spelling: stored, compared and rendered for HAProxy as exactly that string."""
    pool = tcp_pool(api, topology.lb["id"])
    body = assert_elb_error(create(api, pool["id"], address=spelling, protocol_port=80, subnet_cidr_id=ipv6_subnet["id"]), 400, "ELB.8902")
    assert ("write it as fd00:20::10" if "%" not in spelling else "zone (scope id)") in body["error_msg"]
    assert members_of(api, pool["id"]) == []


def test_ipv6_address_with_the_ipv4_subnet_id_is_400(api: Api, topology: Topology, ipv6_subnet: dict[str, Any]) -> None:
    pool = tcp_pool(api, topology.lb["id"])
    response = create(api, pool["id"], address="fd00:20::10", protocol_port=80, subnet_cidr_id=ipv6_subnet["neutron_subnet_id"])
    refused(response, f"fd00:20::10 is not a host address of subnet {ipv6_subnet['neutron_subnet_id']} (127.20.0.0/24)")
    assert members_of(api, pool["id"]) == []


def test_ipv6_outside_the_subnets_ipv6_cidr_is_400(api: Api, topology: Topology, ipv6_subnet: dict[str, Any]) -> None:
    pool = tcp_pool(api, topology.lb["id"])
    response = create(api, pool["id"], address="fd00:21::10", protocol_port=80, subnet_cidr_id=ipv6_subnet["id"])
    refused(response, f"fd00:21::10 is not a host address of subnet {ipv6_subnet['id']} (fd00:20::/64)")
    assert members_of(api, pool["id"]) == []


def test_ipv6_member_in_a_subnet_without_ipv6_is_400(api: Api, topology: Topology) -> None:
    pool = tcp_pool(api, topology.lb["id"])
    response = create(api, pool["id"], address="fd00:20::10", protocol_port=80, subnet_cidr_id=topology.subnet["id"])
    refused(response, f"subnet {topology.subnet['id']} has no IPv6 CIDR")
    assert members_of(api, pool["id"]) == []


# field types and ranges


@pytest.mark.parametrize("weight", [0, 100])
def test_weight_bounds_are_accepted(api: Api, topology: Topology, weight: int) -> None:
    assert api.member(topology.pool["id"], **subnet_member(topology, weight=weight))["member"]["weight"] == weight


@pytest.mark.parametrize(
    ("weight", "says"),
    [(-1, "greater than or equal to 0"), (101, "less than or equal to 100"), (True, "a valid integer"), ("5", "a valid integer"), (1.5, "a valid integer"), (None, "a valid integer")],
)
def test_weight_out_of_range_or_not_an_integer_is_400(api: Api, topology: Topology, weight: Any, says: str) -> None:
    refused(create(api, topology.pool["id"], **subnet_member(topology, weight=weight)), f"Invalid input for 'member.weight': Input should be {says}")
    assert members_of(api, topology.pool["id"]) == []


@pytest.mark.parametrize(
    ("port", "says"),
    [
        ("80", "'member.protocol_port': Input should be a valid integer"),
        (True, "'member.protocol_port': Input should be a valid integer"),
        (80.0, "'member.protocol_port': Input should be a valid integer"),
        (-1, "'member.protocol_port': Input should be greater than or equal to 0"),
        (0, "'protocol_port': it is required, from 1 to 65535"),
        (65536, "'member.protocol_port': Input should be less than or equal to 65535"),
    ],
)
def test_protocol_port_must_be_an_integer_from_1_to_65535(api: Api, topology: Topology, port: Any, says: str) -> None:
    refused(create(api, topology.pool["id"], **subnet_member(topology, port=port)), says)
    assert members_of(api, topology.pool["id"]) == []


def test_protocol_port_65535_is_accepted(api: Api, topology: Topology) -> None:
    assert api.member(topology.pool["id"], **subnet_member(topology, port=65535))["member"]["protocol_port"] == 65535


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"name": "x" * 256}, "'member.name': String should have at most 255 characters"),
        ({"address": "1" * 65}, "'member.address': String should have at most 64 characters"),
        ({"subnet_cidr_id": "s" * 37}, "'member.subnet_cidr_id': String should have at most 36 characters"),
        ({"color": "blue"}, "Unrecognized attribute(s) 'member.color'"),
        ({"admin_state_up": "true"}, "'member.admin_state_up': Input should be a valid boolean"),
    ],
)
def test_malformed_fields_are_400(api: Api, topology: Topology, fields: dict[str, Any], says: str) -> None:
    refused(create(api, topology.pool["id"], **{**subnet_member(topology), **fields}), says)
    assert members_of(api, topology.pool["id"]) == []


@pytest.mark.parametrize("body", [{}, {"member": "x"}, {"members": {}}, [], None])
def test_a_body_that_is_no_member_object_is_400(api: Api, topology: Topology, body: Any) -> None:
    assert_elb_error(api.call("POST", members_url(topology.pool["id"]), body), 400, "ELB.8902")


def test_a_body_that_is_not_json_is_400(api: Api, topology: Topology) -> None:
    response = api.call("POST", members_url(topology.pool["id"]), content=b"{member", headers={"Content-Type": "application/json"})
    assert_elb_error(response, 400, "ELB.8902")


def test_address_is_required(api: Api, topology: Topology) -> None:
    refused(create(api, topology.pool["id"], protocol_port=80), "address")
    assert members_of(api, topology.pool["id"]) == []


def test_ip_member_takes_a_known_availability_zone(api: Api, topology: Topology) -> None:
    member = api.member(topology.pool["id"], address="10.0.0.5", protocol_port=80, availability_zone="local-1b")["member"]
    assert member["availability_zone"] == "local-1b"
    refused(create(api, topology.pool["id"], address="10.0.0.6", protocol_port=80, availability_zone="mars-1a"), "mars-1a is not an availability zone")
    assert [m["address"] for m in members_of(api, topology.pool["id"])] == ["10.0.0.5"]


def test_an_update_moves_an_ip_member_between_known_availability_zones(api: Api, topology: Topology) -> None:
    created = api.member(topology.pool["id"], address="10.0.0.8", protocol_port=80, availability_zone="local-1a")["member"]
    url = f"{members_url(topology.pool['id'])}/{created['id']}"
    assert api.ok("PUT", url, {"member": {"availability_zone": "local-1b"}})["member"]["availability_zone"] == "local-1b"
    refused(api.call("PUT", url, {"member": {"availability_zone": "mars-1a"}}), "Invalid input for 'availability_zone': mars-1a is not an availability zone.")
    assert show(api, topology.pool["id"], created["id"])["availability_zone"] == "local-1b"
    assert api.ok("PUT", url, {"member": {"availability_zone": ""}})["member"]["availability_zone"] == ""


def test_an_update_gives_a_subnet_member_no_availability_zone(api: Api, topology: Topology) -> None:
    created = api.member(topology.pool["id"], **subnet_member(topology))["member"]
    response = api.call("PUT", f"{members_url(topology.pool['id'])}/{created['id']}", {"member": {"availability_zone": "local-1a"}})
    assert assert_elb_error(response, 400, "ELB.8902")["error_msg"] == "Invalid input for 'availability_zone': only IP-as-a-backend members have one."
    assert show(api, topology.pool["id"], created["id"])["availability_zone"] == ""


def test_subnet_member_takes_no_availability_zone(api: Api, topology: Topology) -> None:
    refused(create(api, topology.pool["id"], **subnet_member(topology, availability_zone="local-1a")), "only IP-as-a-backend members have one")
    assert members_of(api, topology.pool["id"]) == []


# defaults and derived fields


def test_defaults_of_a_subnet_member(api: Api, topology: Topology) -> None:
    member = api.member(topology.pool["id"], **subnet_member(topology))["member"]
    assert member["name"] == "" and member["weight"] == 1
    assert member["ip_version"] == "v4" and member["member_type"] == "instance"
    assert member["subnet_cidr_id"] == topology.subnet["neutron_subnet_id"]
    assert member["project_id"] == api.project_id
    assert member["availability_zone"] == "" and member["reason"] is None


def test_defaults_of_an_ip_member(api: Api, topology: Topology) -> None:
    member = api.member(topology.pool["id"], address="10.0.0.5", protocol_port=80)["member"]
    assert member["member_type"] == "ip" and member["subnet_cidr_id"] is None
    assert member["instance_id"] == "" and member["admin_state_up"] is False


def test_admin_state_up_given_is_accepted_but_reported_as_derived(api: Api, topology: Topology) -> None:
    member = api.member(topology.pool["id"], **subnet_member(topology, admin_state_up=True))["member"]
    assert member["admin_state_up"] is False


def test_name_is_echoed_and_read_back(api: Api, topology: Topology) -> None:
    member = api.member(topology.pool["id"], **subnet_member(topology, name="web-1"))["member"]
    assert show(api, topology.pool["id"], member["id"])["name"] == "web-1"


# the instance registry (each test on a subnet of its own, so registered addresses never collide)


@pytest.fixture
def own(api: Api) -> Topology:
    return build_topology(api)


def register_instance(api: Api, subnet_id: str, address: str) -> str:
    body = {"server": {"name": "vm", "nics": [{"subnet_id": subnet_id, "ip_address": address}]}}
    return api.ok("POST", "cloudservers", body, status=200)["serverIds"][0]


def instance_action(api: Api, action: str, server_id: str) -> None:
    api.ok("POST", "cloudservers/action", {action: {"servers": [{"id": server_id}]}}, status=200)


def test_member_at_an_instance_address_is_admin_up_with_its_instance_id(api: Api, own: Topology) -> None:
    server_id = register_instance(api, own.subnet["id"], "127.10.0.30")
    owned = api.member(own.pool["id"], **subnet_member(own, "127.10.0.30"))["member"]
    assert owned["admin_state_up"] is True and owned["instance_id"] == server_id
    unowned = api.member(own.pool["id"], **subnet_member(own, "127.10.0.31"))["member"]
    assert unowned["admin_state_up"] is False and unowned["instance_id"] == ""


def test_an_instance_in_another_subnet_does_not_own_the_address(api: Api, own: Topology) -> None:
    other_subnet = api.subnet(api.vpc()["id"])
    register_instance(api, other_subnet["id"], "127.10.0.30")
    member = api.member(own.pool["id"], **subnet_member(own, "127.10.0.30"))["member"]
    assert member["admin_state_up"] is False and member["instance_id"] == ""


def test_stopping_starting_and_deleting_the_instance_drives_the_member(api: Api, own: Topology) -> None:
    server_id = register_instance(api, own.subnet["id"], "127.10.0.30")
    pool_id = own.pool["id"]
    member_id = api.member(pool_id, **subnet_member(own, "127.10.0.30"))["member"]["id"]
    instance_action(api, "os-stop", server_id)
    stopped = show(api, pool_id, member_id)
    assert stopped["operating_status"] == "OFFLINE"
    assert [s["operating_status"] for s in stopped["status"]] == ["OFFLINE"]
    instance_action(api, "os-start", server_id)
    assert show(api, pool_id, member_id)["operating_status"] == "NO_MONITOR"
    api.ok("DELETE", f"cloudservers/{server_id}")
    gone = show(api, pool_id, member_id)
    assert gone["operating_status"] == "OFFLINE" and gone["admin_state_up"] is False


def test_a_stopped_instance_keeps_its_member_offline_under_a_monitor(api: Api, own: Topology) -> None:
    server_id = register_instance(api, own.subnet["id"], "127.10.0.30")
    pool_id = own.pool["id"]
    member_id = api.member(pool_id, **subnet_member(own, "127.10.0.30"))["member"]["id"]
    api.monitor(pool_id)
    instance_action(api, "os-stop", server_id)
    assert show(api, pool_id, member_id)["operating_status"] == "OFFLINE"


# operating_status and status[]


def test_operating_status_follows_the_pools_monitor(api: Api, topology: Topology) -> None:
    pool_id = topology.pool["id"]
    member_id = api.member(pool_id, **subnet_member(topology))["member"]["id"]
    assert show(api, pool_id, member_id)["operating_status"] == "NO_MONITOR"
    monitor = api.monitor(pool_id)
    initial = show(api, pool_id, member_id)
    assert initial["operating_status"] == "INITIAL"
    assert [s["operating_status"] for s in initial["status"]] == ["INITIAL"]
    api.ok("PUT", f"healthmonitors/{monitor['id']}", {"healthmonitor": {"admin_state_up": False}})
    assert show(api, pool_id, member_id)["operating_status"] == "NO_MONITOR"
    api.ok("PUT", f"healthmonitors/{monitor['id']}", {"healthmonitor": {"admin_state_up": True}})
    assert show(api, pool_id, member_id)["operating_status"] == "INITIAL"
    api.ok("DELETE", f"healthmonitors/{monitor['id']}")
    assert show(api, pool_id, member_id)["operating_status"] == "NO_MONITOR"


def test_a_member_created_under_a_monitor_starts_initial(api: Api, topology: Topology) -> None:
    api.monitor(topology.pool["id"])
    assert api.member(topology.pool["id"], **subnet_member(topology))["member"]["operating_status"] == "INITIAL"


def test_pool_on_no_load_balancer_reports_unknown_and_no_status(api: Api, topology: Topology) -> None:
    pool = instance_pool(api, topology.vpc["id"])
    member = api.member(pool["id"], **subnet_member(topology))["member"]
    assert member["operating_status"] == "UNKNOWN" and member["status"] == []
    api.monitor(pool["id"])
    assert show(api, pool["id"], member["id"])["operating_status"] == "UNKNOWN"


def test_pool_on_a_load_balancer_but_no_listener_has_an_empty_status_list(api: Api, topology: Topology) -> None:
    pool = api.pool(loadbalancer_id=topology.lb["id"])
    member = api.member(pool["id"], **subnet_member(topology))["member"]
    assert member["operating_status"] == "NO_MONITOR" and member["status"] == []


def test_status_has_one_entry_per_listener_using_the_pool(api: Api, topology: Topology) -> None:
    pool_id = topology.pool["id"]
    second = api.listener(topology.lb["id"], port=81, default_pool_id=pool_id)
    api.listener(topology.lb["id"], port=82)
    member = api.member(pool_id, **subnet_member(topology))["member"]
    assert [s["listener_id"] for s in member["status"]] == [topology.listener["id"], second["id"]]
    assert all(s["operating_status"] == "NO_MONITOR" for s in member["status"])


# protocol_port and any_port_enable


def test_protocol_port_is_required_in_an_ordinary_pool(api: Api, topology: Topology) -> None:
    refused(create(api, topology.pool["id"], address=IN_SUBNET, subnet_cidr_id=topology.subnet["neutron_subnet_id"]), "'protocol_port': it is required")
    assert members_of(api, topology.pool["id"]) == []


def test_any_port_pool_stores_port_zero(api: Api, topology: Topology) -> None:
    pool = tcp_pool(api, topology.lb["id"], any_port_enable=True)
    without = api.member(pool["id"], address=IN_SUBNET, subnet_cidr_id=topology.subnet["neutron_subnet_id"])["member"]
    assert without["protocol_port"] == 0
    given = api.member(pool["id"], **subnet_member(topology, "127.10.0.21", port=8080))["member"]
    assert given["protocol_port"] == 0


def test_any_port_pool_allows_one_member_per_address(api: Api, topology: Topology) -> None:
    pool = tcp_pool(api, topology.lb["id"], any_port_enable=True)
    api.member(pool["id"], **subnet_member(topology, port=80))
    assert_elb_error(create(api, pool["id"], **subnet_member(topology, port=81)), 409, "ELB.8907")


# update, show, delete


@pytest.fixture
def member(api: Api, topology: Topology) -> dict[str, Any]:
    return api.member(topology.pool["id"], **subnet_member(topology, name="before"))["member"]


def member_url(topology: Topology, member: dict[str, Any]) -> str:
    return f"{members_url(topology.pool['id'])}/{member['id']}"


def test_update_changes_name_weight_and_port(api: Api, topology: Topology, member: dict[str, Any]) -> None:
    updated = api.ok("PUT", member_url(topology, member), {"member": {"name": "after", "weight": 7, "protocol_port": 8080}})["member"]
    assert (updated["name"], updated["weight"], updated["protocol_port"]) == ("after", 7, 8080)
    assert show(api, topology.pool["id"], member["id"])["protocol_port"] == 8080


def test_update_to_another_members_port_is_409(api: Api, topology: Topology, member: dict[str, Any]) -> None:
    api.member(topology.pool["id"], **subnet_member(topology, port=81))
    assert_elb_error(api.call("PUT", member_url(topology, member), {"member": {"protocol_port": 81, "name": "x"}}), 409, "ELB.8907")
    unchanged = show(api, topology.pool["id"], member["id"])
    assert (unchanged["protocol_port"], unchanged["name"]) == (80, "before")


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"address": "127.10.0.21"}, "Unrecognized attribute(s) 'member.address'"),
        ({"subnet_cidr_id": "x"}, "Unrecognized attribute(s) 'member.subnet_cidr_id'"),
        ({"weight": 101}, "'member.weight': Input should be less than or equal to 100"),
        ({"weight": True}, "'member.weight': Input should be a valid integer"),
        ({"protocol_port": "81"}, "'member.protocol_port': Input should be a valid integer"),
        ({"protocol_port": 0}, "Invalid input for 'protocol_port': give a port from 1 to 65535."),
    ],
)
def test_update_refuses_what_cannot_change(api: Api, topology: Topology, member: dict[str, Any], change: dict[str, Any], says: str) -> None:
    refused(api.call("PUT", member_url(topology, member), {"member": {"name": "x", **change}}), says)
    unchanged = show(api, topology.pool["id"], member["id"])
    assert (unchanged["address"], unchanged["name"], unchanged["weight"], unchanged["protocol_port"]) == (IN_SUBNET, "before", 1, 80)


def test_update_of_port_in_an_any_port_pool_is_400(api: Api, topology: Topology) -> None:
    pool = tcp_pool(api, topology.lb["id"], any_port_enable=True)
    created = api.member(pool["id"], address=IN_SUBNET, subnet_cidr_id=topology.subnet["neutron_subnet_id"])["member"]
    response = api.call("PUT", f"{members_url(pool['id'])}/{created['id']}", {"member": {"protocol_port": 81}})
    refused(response, "Invalid input for 'protocol_port': members of a pool forwarding all ports have none.", exact=True)
    assert show(api, pool["id"], created["id"])["protocol_port"] == 0


def test_update_of_port_in_an_ip_protocol_pool_is_400(api: Api) -> None:
    """elbd no longer makes IP pools; in one an earlier elbd stored, members keep port 0."""
    pool = api.pool("TCP", type="ip")
    created = api.member(pool["id"], address="10.0.0.7", protocol_port=80)["member"]
    stored_earlier(api, Pool, pool["id"], protocol="IP", lb_algorithm="5_TUPLE_HASH")
    response = api.call("PUT", f"{members_url(pool['id'])}/{created['id']}", {"member": {"protocol_port": 81}})
    refused(response, "Invalid input for 'protocol_port': give a port from 1 to 65535.", exact=True)
    assert show(api, pool["id"], created["id"])["protocol_port"] == 80


def test_delete_answers_204_and_the_member_is_gone(api: Api, topology: Topology, member: dict[str, Any]) -> None:
    response = api.call("DELETE", member_url(topology, member))
    assert response.status_code == 204 and response.content == b""
    assert_elb_error(api.call("GET", member_url(topology, member)), 404, "ELB.8904")
    assert_elb_error(api.call("DELETE", member_url(topology, member)), 404, "ELB.8904")


def test_delete_under_member_deletion_protection_is_409(api: Api, topology: Topology, member: dict[str, Any]) -> None:
    api.ok("PUT", f"pools/{topology.pool['id']}", {"pool": {"member_deletion_protection_enable": True}})
    body = assert_elb_error(api.call("DELETE", member_url(topology, member)), 409, "ELB.8907")
    assert body["error_msg"] == f"Backend server group {topology.pool['id']} has member deletion protection enabled."
    assert show(api, topology.pool["id"], member["id"])["id"] == member["id"]
    api.ok("PUT", f"pools/{topology.pool['id']}", {"pool": {"member_deletion_protection_enable": False}})
    assert api.call("DELETE", member_url(topology, member)).status_code == 204


def test_member_of_another_pool_is_404_under_this_pool(api: Api, topology: Topology, member: dict[str, Any]) -> None:
    other = api.pool(loadbalancer_id=topology.lb["id"])
    url = f"{members_url(other['id'])}/{member['id']}"
    assert_elb_error(api.call("GET", url), 404, "ELB.8904")
    assert_elb_error(api.call("PUT", url, {"member": {"name": "x"}}), 404, "ELB.8904")
    assert_elb_error(api.call("DELETE", url), 404, "ELB.8904")
    assert show(api, topology.pool["id"], member["id"])["name"] == "before"


def test_another_projects_pool_and_member_are_404(api: Api, other_api: Api, topology: Topology, member: dict[str, Any]) -> None:
    url = member_url(topology, member)
    assert_elb_error(other_api.call("GET", url), 404, "ELB.8904")
    assert_elb_error(other_api.call("PUT", url, {"member": {"name": "x"}}), 404, "ELB.8904")
    assert_elb_error(other_api.call("DELETE", url), 404, "ELB.8904")
    assert_elb_error(create(other_api, topology.pool["id"], address="10.0.0.9", protocol_port=80), 404, "ELB.8904")
    assert len(members_of(api, topology.pool["id"])) == 1


def test_another_projects_credentials_on_this_project_path_are_403(api: Api, other_api: Api, topology: Topology) -> None:
    response = other_api.call("POST", f"/v3/{api.project_id}/elb/{members_url(topology.pool['id'])}", {"member": subnet_member(topology)})
    assert_elb_error(response, 403, "APIGW.0302")
    assert members_of(api, topology.pool["id"]) == []


def test_no_credentials_is_401(api: Api, topology: Topology) -> None:
    response = api.client.post(f"/v3/{api.project_id}/elb/{members_url(topology.pool['id'])}", json={"member": subnet_member(topology)})
    assert_elb_error(response, 401, "APIGW.0301")
    assert members_of(api, topology.pool["id"]) == []


def test_unknown_pool_is_404(api: Api, topology: Topology) -> None:
    assert_elb_error(create(api, "5b8c1a8e-0000-4000-8000-000000000000", **subnet_member(topology)), 404, "ELB.8904")


# quotas


def test_members_per_pool_quota_refuses_the_third(world: World) -> None:
    api = world.project(members_per_pool=2)
    topology = build_topology(api)
    pool_id = topology.pool["id"]
    api.member(pool_id, **subnet_member(topology, port=80))
    api.member(pool_id, **subnet_member(topology, port=81))
    assert_elb_error(create(api, pool_id, **subnet_member(topology, port=82)), 409, "ELB.8905")
    assert len(members_of(api, pool_id)) == 2
    other = api.pool(loadbalancer_id=topology.lb["id"])
    api.member(other["id"], **subnet_member(topology, port=82))


def test_project_member_quota_counts_every_pool(world: World) -> None:
    api = world.project(member=2)
    topology = build_topology(api)
    other = api.pool(loadbalancer_id=topology.lb["id"])
    api.member(topology.pool["id"], **subnet_member(topology))
    api.member(other["id"], **subnet_member(topology))
    assert_elb_error(create(api, other["id"], **subnet_member(topology, port=81)), 409, "ELB.8905")
    assert len(members_of(api, other["id"])) == 1


def test_a_duplicate_is_reported_as_a_conflict_even_at_the_quota(world: World) -> None:
    api = world.project(members_per_pool=1)
    topology = build_topology(api)
    api.member(topology.pool["id"], **subnet_member(topology))
    assert_elb_error(create(api, topology.pool["id"], **subnet_member(topology)), 409, "ELB.8907")
