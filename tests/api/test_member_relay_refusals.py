"""Addresses that would make a load balancer a relay to a place it must not reach are never members:
refused with 400 ELB.8902 and the reason, by single create and batch-add alike, nothing stored.

The address plan no longer lets such a subnet be created (test_address_plan.py); each subnet case here
stores one as a database written before the plan would hold it, so only the relay rule can refuse."""

import ipaddress
from typing import Any

import pytest

from tests.api.member_helpers import Site, create, members_of, members_url
from tests.api.world import assert_elb_error, legacy_subnet
from tests.conftest import Api


def add(api: Api, pool_id: str, how: str, **fields: Any) -> Any:
    if how == "single":
        return create(api, pool_id, **fields)
    return api.call("POST", f"{members_url(pool_id)}/batch-add", {"members": [fields]})


def assert_refused(response: Any, address: str, reason: str) -> None:
    """Refused, naming the address (as elbd spells it: ::ffff:a9fe:a9fe for ::ffff:169.254.169.254) and why."""
    body = assert_elb_error(response, 400, "ELB.8902")
    spelled = str(ipaddress.ip_address(address))
    assert spelled in body["error_msg"] and reason in body["error_msg"], body["error_msg"]
    assert "can never be a backend" in body["error_msg"], body["error_msg"]


def subnet_pool(api: Api, vpc_cidr: str, subnet_cidr: str, cidr_v6: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """An instance pool on no load balancer (dual-stack when `cidr_v6`) and a subnet of its own VPC,
    stored directly, as an older elbd may have stored it."""
    vpc, subnet = legacy_subnet(api, vpc_cidr, subnet_cidr, cidr_v6)
    pool = api.pool("TCP", type="instance", vpc_id=vpc["id"], **({"ip_version": "dualstack"} if cidr_v6 else {}))
    return pool, subnet


HOW = pytest.mark.parametrize("how", ["single", "batch"])
OCTET = {"single": 1, "batch": 2}


# IP-as-a-backend members (no subnet)


@HOW
@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("0.0.0.0", "the unspecified address"),
        ("0.1.2.3", "0.0.0.0/8"),
        ("255.255.255.255", "the broadcast address"),
        ("224.0.0.1", "a multicast address"),
        ("169.254.169.254", "a link-local address"),
        ("240.0.0.1", "a reserved address"),
        ("::ffff:a9fe:a9fe", "link-local"),
        ("::ffff:7f00:1", "IPv4-mapped"),
        ("127.0.0.5", "127.0.0.0/16, which belongs to the host's own services"),
        ("127.0.255.254", "127.0.0.0/16, which belongs to the host's own services"),
        ("8.8.8.8", "outside the ranges elbd serves"),
        ("100.128.0.1", "outside the ranges elbd serves"),
        ("198.20.0.1", "outside the ranges elbd serves"),
    ],
)
def test_ip_member_never_takes_a_relay_address(alpha: Api, site: Site, how: str, address: str, reason: str) -> None:
    pool = alpha.pool("TCP", loadbalancer_id=site.lb["id"])
    assert_refused(add(alpha, pool["id"], how, address=address, protocol_port=80), address, reason)
    assert members_of(alpha, pool["id"]) == []


# subnet (instance) members, IPv4


@HOW
@pytest.mark.parametrize(
    ("vpc_cidr", "subnet_cidr", "address", "reason"),
    [
        ("0.0.0.0/8", "0.0.0.0/24", "0.0.0.7", "0.0.0.0/8"),
        ("240.0.0.0/8", "240.0.0.0/24", "240.0.0.7", "a reserved address"),
        ("169.254.0.0/16", "169.254.169.0/24", "169.254.169.254", "a link-local address"),
        ("224.0.0.0/8", "224.0.0.0/24", "224.0.0.10", "a multicast address"),
    ],
)
def test_subnet_member_never_takes_a_relay_address(
    alpha: Api, how: str, vpc_cidr: str, subnet_cidr: str, address: str, reason: str
) -> None:
    pool, subnet = subnet_pool(alpha, vpc_cidr, subnet_cidr)
    response = add(alpha, pool["id"], how, address=address, protocol_port=80, subnet_cidr_id=subnet["neutron_subnet_id"])
    assert_refused(response, address, reason)
    assert members_of(alpha, pool["id"]) == []


@pytest.mark.parametrize("address", ["127.30.0.0", "127.30.0.255"])
def test_batch_add_refuses_the_subnets_network_and_broadcast_addresses(alpha: Api, address: str) -> None:
    pool, subnet = subnet_pool(alpha, "127.0.0.0/8", "127.30.0.0/24")
    good = {"address": "127.30.0.9", "protocol_port": 80, "subnet_cidr_id": subnet["neutron_subnet_id"]}
    bad = {**good, "address": address}
    response = alpha.call("POST", f"{members_url(pool['id'])}/batch-add", {"members": [good, bad]})
    body = assert_elb_error(response, 400, "ELB.8902")
    assert body["error_msg"].startswith("members[1]:") and "not a host address" in body["error_msg"]
    assert members_of(alpha, pool["id"]) == []


# subnet (instance) members, IPv6 forms that reach an IPv4 address or nowhere


@HOW
@pytest.mark.parametrize(
    ("cidr_v6", "address", "reason"),
    [
        ("::ffff:0:0/96", "::ffff:a9fe:a9fe", "an IPv4-mapped address of 169.254.169.254 (a link-local address)"),
        ("::ffff:0:0/96", "::ffff:0:0", "an IPv4-mapped address of 0.0.0.0 (the unspecified address)"),
        ("::ffff:0:0/96", "::ffff:a00:1", "it reaches 10.0.0.1 over IPv4"),
        ("::/96", "::a9fe:a9fe", "an IPv4-compatible address of 169.254.169.254"),
        ("::/96", "::a00:1", "an IPv4-compatible address (deprecated"),
        ("::/96", "::1", "the IPv6 loopback address"),
        ("64:ff9b::/96", "64:ff9b::a9fe:a9fe", "a NAT64 address of 169.254.169.254 (a link-local address)"),
        ("64:ff9b::/96", "64:ff9b::7f00:1", "a NAT64 address of 127.0.0.1 (a loopback address)"),
        ("2002::/16", "2002:a9fe:a9fe::1", "a 6to4 address of 169.254.169.254"),
        ("2002::/16", "2002:e000:1::1", "a 6to4 address of 224.0.0.1 (a multicast address)"),
        ("2001::/32", "2001:0:a9fe:a9fe::1", "a Teredo address of 169.254.169.254 (a link-local address)"),
        ("fe80::/64", "fe80::1", "a link-local address"),
        ("ff00::/8", "ff02::1", "a multicast address"),
    ],
)
def test_ipv6_member_never_takes_a_relay_address(alpha: Api, how: str, cidr_v6: str, address: str, reason: str) -> None:
    pool, subnet = subnet_pool(alpha, "10.0.0.0/8", "10.40.0.0/24", cidr_v6)
    assert_refused(add(alpha, pool["id"], how, address=address, protocol_port=80, subnet_cidr_id=subnet["id"]), address, reason)
    assert members_of(alpha, pool["id"]) == []


@HOW
@pytest.mark.parametrize(("cidr_v6", "address"), [("64:ff9b::/96", "64:ff9b::a00:1"), ("2002::/16", "2002:a00:1::1")])
def test_a_translated_address_of_an_ordinary_ipv4_host_is_outside_the_address_plan(alpha: Api, how: str, cidr_v6: str, address: str) -> None:
    pool, subnet = subnet_pool(alpha, "10.0.0.0/8", "10.40.0.0/24", cidr_v6)
    assert_refused(add(alpha, pool["id"], how, address=address, protocol_port=80, subnet_cidr_id=subnet["id"]), address, "outside the ranges elbd serves")
    assert members_of(alpha, pool["id"]) == []


@HOW
def test_a_public_address_of_an_older_subnet_is_never_a_member(alpha: Api, how: str) -> None:
    pool, subnet = subnet_pool(alpha, "8.8.0.0/16", "8.8.8.0/24")
    response = add(alpha, pool["id"], how, address="8.8.8.8", protocol_port=80, subnet_cidr_id=subnet["neutron_subnet_id"])
    assert_refused(response, "8.8.8.8", "outside the ranges elbd serves")
    assert members_of(alpha, pool["id"]) == []


# the VIPs themselves


@HOW
def test_ip_member_at_its_own_load_balancers_vip_is_refused(alpha: Api, site: Site, how: str) -> None:
    pool = alpha.pool("TCP", loadbalancer_id=site.lb["id"])
    vip = site.lb["vip_address"]
    assert_refused(add(alpha, pool["id"], how, address=vip, protocol_port=80), vip, f"the VIP of load balancer {site.lb['id']}")
    assert members_of(alpha, pool["id"]) == []


@HOW
def test_ip_member_at_the_vip_of_a_load_balancer_in_another_vpc_is_refused(alpha: Api, site: Site, how: str) -> None:
    vip = f"127.31.{OCTET[how]}.77"
    elsewhere = alpha.load_balancer(alpha.subnet(alpha.vpc()["id"], f"127.31.{OCTET[how]}.0/24"), vip_address=vip)
    pool = alpha.pool("TCP", loadbalancer_id=site.lb["id"])
    assert_refused(add(alpha, pool["id"], how, address=vip, protocol_port=80), vip, f"the VIP of load balancer {elsewhere['id']}")
    assert members_of(alpha, pool["id"]) == []


@HOW
def test_another_projects_vip_is_refused_without_saying_what_holds_it(alpha: Api, beta: Api, site: Site, how: str) -> None:
    vip = f"127.32.{OCTET[how]}.66"
    beta.load_balancer(beta.subnet(beta.vpc()["id"], f"127.32.{OCTET[how]}.0/24"), vip_address=vip)
    pool = alpha.pool("TCP", loadbalancer_id=site.lb["id"])
    body = assert_elb_error(add(alpha, pool["id"], how, address=vip, protocol_port=80), 400, "ELB.8902")
    assert body["error_msg"].endswith(f"Invalid input for 'address': IP address {vip} is not available.")
    assert members_of(alpha, pool["id"]) == []


@HOW
def test_subnet_member_at_an_ipv6_vip_is_refused(alpha: Api, how: str) -> None:
    vpc = alpha.vpc()
    subnet = alpha.subnet(vpc["id"], "127.33.0.0/24", ipv6_enable=True, cidr_v6=f"fd00:33:{OCTET[how]}::/64")
    lb = alpha.load_balancer(subnet, ipv6_vip_virsubnet_id=subnet["id"])
    pool = alpha.pool("TCP", loadbalancer_id=lb["id"], ip_version="dualstack")
    vip = lb["ipv6_vip_address"]
    response = add(alpha, pool["id"], how, address=vip, protocol_port=80, subnet_cidr_id=subnet["id"])
    assert_refused(response, vip, f"the VIP of load balancer {lb['id']}")
    assert members_of(alpha, pool["id"]) == []


def test_one_vip_in_a_batch_fails_the_whole_batch(alpha: Api, site: Site) -> None:
    pool = alpha.pool("TCP", loadbalancer_id=site.lb["id"])
    items = [{"address": "127.34.0.5", "protocol_port": 80}, {"address": site.lb["vip_address"], "protocol_port": 80}]
    body = assert_elb_error(alpha.call("POST", f"{members_url(pool['id'])}/batch-add", {"members": items}), 400, "ELB.8902")
    assert body["error_msg"].startswith("members[1]:")
    assert members_of(alpha, pool["id"]) == []


# updates never move a member to another address


def test_update_and_batch_update_cannot_change_the_address(alpha: Api, site: Site) -> None:
    pool = alpha.pool("TCP", loadbalancer_id=site.lb["id"])
    member = alpha.member(pool["id"], address="127.35.0.5", protocol_port=80)["member"]
    url = f"{members_url(pool['id'])}/{member['id']}"
    assert_elb_error(alpha.call("PUT", url, {"member": {"address": "169.254.169.254"}}), 400, "ELB.8902")
    batch = {"members": [{"id": member["id"], "address": site.lb["vip_address"]}]}
    assert_elb_error(alpha.call("POST", f"{members_url(pool['id'])}/batch-update", batch), 400, "ELB.8902")
    assert [m["address"] for m in members_of(alpha, pool["id"])] == ["127.35.0.5"]
