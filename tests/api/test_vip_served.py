"""A VIP the host cannot serve is refused at create (400, nothing stored), never ACTIVE while unserved.

The rule asks the kernel (service/host_addresses.py); the application here is told a data plane binds
VIPs, as `elbd serve` with HAProxy is (the suite's default is the API only, which binds none)."""

from dataclasses import replace
from typing import Any

import pytest

from tests.api.world import Api, alpha, assert_elb_error, net, world  # noqa: F401


@pytest.fixture(scope="module", autouse=True)
def binding_host(alpha: Api) -> None:  # noqa: F811
    state = alpha.client.app.state  # type: ignore[attr-defined]
    state.host = replace(state.host, binds_vips=True)


def _create(api: Api, **loadbalancer: Any) -> Any:
    return api.call("POST", "loadbalancers", {"loadbalancer": {"availability_zone_list": ["local-1a"], **loadbalancer}})


def _stored(api: Api, vpc_id: str) -> list[dict[str, Any]]:
    return api.ok("GET", f"loadbalancers?vpc_id={vpc_id}")["loadbalancers"]


def test_a_vip_chosen_in_a_vpc_created_without_a_cidr_is_refused(alpha: Api) -> None:  # noqa: F811
    vpc = alpha.ok("POST", "vpcs", {"vpc": {"name": "no-cidr"}}, status=200)["vpc"]  # 192.168.0.0/16, as the cloud
    subnet = alpha.subnet(vpc["id"], "192.168.0.0/24")
    error = assert_elb_error(_create(alpha, vip_subnet_cidr_id=subnet["neutron_subnet_id"]), 400, "ELB.8902")
    assert "'vip_subnet_cidr_id'" in error["error_msg"] and "192.168.0.2 is no address of this host" in error["error_msg"]
    assert "127.0.0.0/8" in error["error_msg"]
    assert _stored(alpha, vpc["id"]) == []


def test_a_named_vip_the_host_does_not_have_is_refused(alpha: Api) -> None:
    lan = net(alpha, "10.4.0.0/24", vpc_cidr="10.0.0.0/8")
    error = assert_elb_error(_create(alpha, vip_subnet_cidr_id=lan.subnet_id, vip_address="10.4.0.9"), 400, "ELB.8902")
    assert "'vip_address'" in error["error_msg"] and "10.4.0.9 is no address of this host" in error["error_msg"]
    assert _stored(alpha, lan.vpc["id"]) == []


def test_an_ipv6_vip_the_host_does_not_have_is_refused(alpha: Api) -> None:
    lan = net(alpha, "127.84.0.0/24", ipv6_enable=True, cidr_v6="fd00:84::/64")
    error = assert_elb_error(_create(alpha, ipv6_vip_virsubnet_id=lan.subnet["id"]), 400, "ELB.8902")
    assert "'ipv6_vip_virsubnet_id'" in error["error_msg"] and "fd00:84::2 is no address of this host" in error["error_msg"]
    assert _stored(alpha, lan.vpc["id"]) == []


def test_a_loopback_vip_is_served(alpha: Api) -> None:
    lan = net(alpha, "127.85.0.0/24")
    created = _create(alpha, vip_subnet_cidr_id=lan.subnet_id)
    assert created.status_code == 201, created.text
    assert created.json()["loadbalancer"]["vip_address"] == "127.85.0.2"
