"""The host's address plan: every load balancer binds in the host's one network namespace, so VPCs,
subnets, VIPs and members stay in the served ranges, out of the host's own 127.0.0.0/16 and off elbd's
API endpoint; a VIP is one load balancer's on the whole host, whatever project or VPC asks; and a
refusal never says what another project holds. Refused requests store nothing."""

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from elbd.api.app import create_app
from elbd.config import load_settings
from tests.api.world import UNLIMITED, _project, alpha, assert_elb_error, beta, net, world  # noqa: F401
from tests import postgres
from tests.conftest import Api


def vpcs_of(api: Api) -> list[str]:
    return [vpc["cidr"] for vpc in api.ok("GET", "vpcs")["vpcs"]]


@pytest.mark.parametrize(
    "cidr",
    ["0.0.0.0/0", "0.0.0.0/8", "8.8.0.0/16", "169.254.0.0/16", "224.0.0.0/8", "240.0.0.0/8", "172.32.0.0/16", "198.20.0.0/16", "100.0.0.0/9", "126.0.0.0/7",
     "9.255.255.255/32", "11.0.0.0/32", "172.15.255.255/32", "172.32.0.0/32", "192.167.255.255/32", "192.169.0.0/32", "100.63.255.255/32",
     "100.128.0.0/32", "126.255.255.255/32", "128.0.0.0/32", "198.17.255.255/32", "198.20.0.0/32"],
)
def test_a_vpc_outside_the_served_ranges_is_refused(alpha: Api, cidr: str) -> None:
    before = vpcs_of(alpha)
    body = assert_elb_error(alpha.call("POST", "vpcs", {"vpc": {"name": "v", "cidr": cidr}}), 400, "ELB.8902")
    assert f"{cidr} is not inside the ranges elbd serves" in body["error_msg"]
    assert vpcs_of(alpha) == before


@pytest.mark.parametrize("cidr", ["127.0.0.0/8", "127.0.0.0/16", "127.0.0.0/24", "127.0.255.0/24", "127.0.0.0/15"])
def test_a_subnet_over_the_hosts_own_loopback_range_is_refused(alpha: Api, cidr: str) -> None:
    vpc = alpha.vpc("127.0.0.0/8")
    body = assert_elb_error(alpha.call("POST", "subnets", {"subnet": {"name": "s", "cidr": cidr, "vpc_id": vpc["id"]}}), 400, "ELB.8902")
    assert "overlaps 127.0.0.0/16, which belongs to the host's own services" in body["error_msg"]
    assert alpha.ok("GET", f"subnets?vpc_id={vpc['id']}")["subnets"] == []


def test_the_loopback_range_next_to_the_hosts_own_is_served(alpha: Api) -> None:
    assert net(alpha, "127.1.0.0/24").subnet["cidr"] == "127.1.0.0/24"


@pytest.mark.parametrize("cidr_v6", ["2001:4860:4860::/64", "fe80::/64", "::/64", "fe00::/64", "fbff:ffff:ffff:ffff::/64"])
def test_an_ipv6_subnet_outside_unique_local_addresses_is_refused(alpha: Api, cidr_v6: str) -> None:
    vpc = alpha.vpc("10.0.0.0/8")
    body = {"subnet": {"name": "s", "cidr": "10.3.0.0/24", "vpc_id": vpc["id"], "ipv6_enable": True, "cidr_v6": cidr_v6}}
    assert f"{cidr_v6} is not inside the ranges elbd serves" in assert_elb_error(alpha.call("POST", "subnets", body), 400, "ELB.8902")["error_msg"]
    assert alpha.ok("GET", f"subnets?vpc_id={vpc['id']}")["subnets"] == []


@pytest.mark.parametrize("cidr_v6", ["fc00::/64", "fdff:ffff:ffff:ffff::/64"])
def test_an_ipv6_subnet_at_either_end_of_unique_local_addresses_is_made(alpha: Api, cidr_v6: str) -> None:
    assert net(alpha, "10.3.0.0/24", "10.0.0.0/8", ipv6_enable=True, cidr_v6=cidr_v6).subnet["cidr_v6"] == cidr_v6


@pytest.mark.parametrize(
    "cidr",
    ["10.0.0.0/32", "10.255.255.255/32", "172.16.0.0/32", "172.31.255.255/32", "192.168.0.0/32", "192.168.255.255/32", "100.64.0.0/32",
     "100.127.255.255/32", "127.0.0.0/32", "127.255.255.255/32", "198.18.0.0/32", "198.19.255.255/32"],
)
def test_a_vpc_at_either_end_of_a_served_range_is_made(alpha: Api, cidr: str) -> None:
    assert alpha.vpc(cidr)["cidr"] == cidr


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("cidr", "10.0.0.0/255.0.0.0", "write it as 10.0.0.0/8"),
        ("cidr", "10.0.0.0/8%x", "zone (scope id)"),
        ("cidr_v6", "FD00:1::/64", "write it as fd00:1::/64"),
        ("cidr_v6", "fd00:1::%eth0/64", "zone (scope id)"),
        ("gateway_ip", "10.4.0.1%x", "zone (scope id)"),
    ],
)
def test_networks_and_gateways_are_taken_only_as_canonical_values(alpha: Api, field: str, value: str, says: str) -> None:
    vpc = alpha.vpc("10.0.0.0/8")
    subnet = {"name": "s", "cidr": "10.4.0.0/24", "vpc_id": vpc["id"], "ipv6_enable": True, field: value}
    path, body = ("vpcs", {"vpc": {"name": "v", "cidr": value}}) if field == "cidr" and "/255" in value else ("subnets", {"subnet": subnet})
    assert says in assert_elb_error(alpha.call("POST", path, body), 400, "ELB.8902")["error_msg"]
    assert alpha.ok("GET", f"subnets?vpc_id={vpc['id']}")["subnets"] == []


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("vip_address", "127.31.7.9%x", "zone (scope id)"),
        ("ipv6_vip_address", "fd00:31:7::9%x]:1 init-addr none\nserver e 127.0.0.1:9876 #", "zone (scope id)"),
        ("ipv6_vip_address", "FD00:31:7::9", "write it as fd00:31:7::9"),
    ],
)
def test_a_vip_is_taken_only_as_a_canonical_value(alpha: Api, field: str, value: str, says: str) -> None:
    lan = net(alpha, "127.31.7.0/24", ipv6_enable=True, cidr_v6="fd00:31:7::/64")
    body = {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": lan.subnet_id, "ipv6_vip_virsubnet_id": lan.subnet["id"], field: value}}
    assert says in assert_elb_error(alpha.call("POST", "loadbalancers", body), 400, "ELB.8902")["error_msg"]
    assert alpha.ok("GET", f"loadbalancers?vpc_id={lan.vpc['id']}")["loadbalancers"] == []


def test_a_vip_another_project_holds_is_not_available_and_not_named(alpha: Api, beta: Api) -> None:
    """Two projects, each with its own VPC and subnet 127.31.120.0/24, both ask for 127.31.120.2: one
    load balancer gets it; the other is told only that it is not available."""
    ours, theirs = net(alpha, "127.31.120.0/24"), net(beta, "127.31.120.0/24")
    held = alpha.load_balancer(ours.subnet, vip_address="127.31.120.2")
    body = {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": theirs.subnet_id, "vip_address": "127.31.120.2"}}
    error = assert_elb_error(beta.call("POST", "loadbalancers", body), 409, "ELB.8907")
    assert error["error_msg"] == "IP address 127.31.120.2 is not available."
    assert held["id"] not in error["error_msg"]
    assert beta.ok("GET", f"loadbalancers?vpc_id={theirs.vpc['id']}")["loadbalancers"] == []
    assert beta.load_balancer(theirs.subnet)["vip_address"] == "127.31.120.3"


def test_a_vip_of_the_same_project_in_another_vpc_is_named(alpha: Api) -> None:
    one, two = net(alpha, "127.31.121.0/24"), net(alpha, "127.31.121.0/24")
    held = alpha.load_balancer(one.subnet, vip_address="127.31.121.9")
    body = {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": two.subnet_id, "vip_address": "127.31.121.9"}}
    error = assert_elb_error(alpha.call("POST", "loadbalancers", body), 409, "ELB.8907")
    assert error["error_msg"] == f"IP address 127.31.121.9 is already in use by load balancer {held['id']}."


def test_an_ipv6_vip_another_project_holds_is_not_available(alpha: Api, beta: Api) -> None:
    ours = net(alpha, "127.31.122.0/24", ipv6_enable=True, cidr_v6="fd00:31:122::/64")
    theirs = net(beta, "127.31.122.0/24", ipv6_enable=True, cidr_v6="fd00:31:122::/64")
    alpha.load_balancer(ours.subnet, ipv6_vip_virsubnet_id=ours.subnet["id"], ipv6_vip_address="fd00:31:122::7")
    body = {"loadbalancer": {"availability_zone_list": ["local-1a"], "ipv6_vip_virsubnet_id": theirs.subnet["id"], "ipv6_vip_address": "fd00:31:122::7"}}
    assert assert_elb_error(beta.call("POST", "loadbalancers", body), 409, "ELB.8907")["error_msg"] == "IP address fd00:31:122::7 is not available."


# elbd's own API endpoint


@pytest.fixture(scope="module")
def on_every_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """An elbd whose API listens on 0.0.0.0:9876, as `elbd serve --host 0.0.0.0` would."""
    yield from _serving(tmp_path_factory.mktemp("all") / "data", "0.0.0.0", 9876)


@pytest.fixture(scope="module")
def on_one_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """An elbd whose API listens on 10.7.0.5:9876, an address inside a tenant's served range."""
    yield from _serving(tmp_path_factory.mktemp("one") / "data", "10.7.0.5", 9876)


def _serving(data_dir: Path, host: str, port: int) -> Iterator[Api]:
    with postgres.database_of_its_own():  # beside the module's world
        settings = replace(load_settings(data_dir), api_host=host, api_port=port)
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            yield _project(client, "gamma", dict.fromkeys(UNLIMITED, -1))


def _listener(api: Api, lb: dict[str, Any], port: int) -> Any:
    return api.call("POST", "listeners", {"listener": {"loadbalancer_id": lb["id"], "protocol": "TCP", "protocol_port": port}})


def test_no_listener_takes_the_api_port_when_the_api_listens_on_every_address(on_every_address: Api) -> None:
    lb = on_every_address.load_balancer(net(on_every_address, "127.40.0.0/24").subnet)
    error = assert_elb_error(_listener(on_every_address, lb, 9876), 409, "ELB.8907")
    assert "9876 is elbd's own API port" in error["error_msg"]
    assert on_every_address.ok("GET", f"listeners?loadbalancer_id={lb['id']}")["listeners"] == []
    assert _listener(on_every_address, lb, 9877).status_code == 201


def test_no_loopback_member_takes_the_api_port_when_the_api_listens_on_every_address(on_every_address: Api) -> None:
    lb = on_every_address.load_balancer(net(on_every_address, "127.41.0.0/24").subnet, ip_target_enable=True)
    pool = on_every_address.pool("TCP", loadbalancer_id=lb["id"])
    error = assert_elb_error(on_every_address.call("POST", f"pools/{pool['id']}/members", {"member": {"address": "127.41.0.9", "protocol_port": 9876}}), 400, "ELB.8902")
    assert "127.41.0.9:9876 is elbd's own API endpoint" in error["error_msg"]
    assert on_every_address.member(pool["id"], address="10.41.0.9", protocol_port=9876)["member"]["protocol_port"] == 9876


def test_the_api_address_is_no_vip_and_its_endpoint_no_member(on_one_address: Api) -> None:
    lan = net(on_one_address, "10.7.0.0/24", vpc_cidr="10.0.0.0/8")
    body = {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": lan.subnet_id, "vip_address": "10.7.0.5"}}
    assert "10.7.0.5 is elbd's own API address" in assert_elb_error(on_one_address.call("POST", "loadbalancers", body), 400, "ELB.8902")["error_msg"]
    allocated = [on_one_address.load_balancer(lan.subnet)["vip_address"] for _ in range(4)]
    assert allocated == ["10.7.0.2", "10.7.0.3", "10.7.0.4", "10.7.0.6"]
    pool = on_one_address.pool("TCP", type="instance", vpc_id=lan.vpc["id"])
    member = {"address": "10.7.0.5", "protocol_port": 9876, "subnet_cidr_id": lan.subnet_id}
    assert "elbd's own API endpoint" in assert_elb_error(on_one_address.call("POST", f"pools/{pool['id']}/members", {"member": member}), 400, "ELB.8902")["error_msg"]
    created = on_one_address.member(pool["id"], **{**member, "protocol_port": 80})["member"]
    assert created["address"] == "10.7.0.5"
    moved = on_one_address.call("PUT", f"pools/{pool['id']}/members/{created['id']}", {"member": {"protocol_port": 9876}})
    assert assert_elb_error(moved, 400, "ELB.8902")["error_msg"] == "Invalid input for 'address': 10.7.0.5:9876 is elbd's own API endpoint and can never be a backend."
    assert on_one_address.ok("GET", f"pools/{pool['id']}/members/{created['id']}")["member"]["protocol_port"] == 80
