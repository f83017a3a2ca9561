"""Minimal VPC v1: /v1/{project_id}/vpcs and /v1/{project_id}/subnets in the Huawei shapes."""

import ipaddress

from tests.api.world import assert_elb_error, ids, net
from tests.conftest import Api


def _subnet_body(vpc_id: str, cidr: str, **extra: object) -> dict[str, object]:
    return {"subnet": {"name": "subnet", "cidr": cidr, "vpc_id": vpc_id, **extra}}


def _subnets_of(api: Api, vpc_id: str) -> list[dict]:
    return api.ok("GET", f"subnets?vpc_id={vpc_id}")["subnets"]


def test_create_vpc_answers_200_with_the_vpc(alpha: Api) -> None:
    body = alpha.ok("POST", "vpcs", {"vpc": {"name": "web", "cidr": "10.0.0.0/16"}}, status=200)
    vpc = body["vpc"]
    assert vpc["name"] == "web" and vpc["cidr"] == "10.0.0.0/16" and vpc["status"] == "OK"
    assert alpha.ok("GET", f"vpcs/{vpc['id']}")["vpc"]["id"] == vpc["id"]
    assert vpc["id"] in ids(alpha.ok("GET", "vpcs")["vpcs"])


def test_vpc_cidr_must_be_an_ipv4_network(alpha: Api) -> None:
    before = ids(alpha.ok("GET", "vpcs")["vpcs"])
    assert_elb_error(alpha.call("POST", "vpcs", {"vpc": {"name": "v", "cidr": "10.0.0.1/16"}}), 400, "ELB.8902")
    assert_elb_error(alpha.call("POST", "vpcs", {"vpc": {"name": "v", "cidr": "fd00::/48"}}), 400, "ELB.8902")
    assert ids(alpha.ok("GET", "vpcs")["vpcs"]) == before


def test_subnet_has_the_huawei_shape(alpha: Api) -> None:
    subnet = net(alpha, "127.20.0.0/24").subnet
    assert subnet["id"] == subnet["neutron_network_id"]
    assert subnet["neutron_subnet_id"] and subnet["neutron_subnet_id"] != subnet["id"]
    assert subnet["cidr"] == "127.20.0.0/24" and subnet["gateway_ip"] == "127.20.0.1"
    assert subnet["ipv6_enable"] is False and subnet["status"] == "ACTIVE"
    assert alpha.ok("GET", f"subnets/{subnet['id']}")["subnet"] == subnet


def test_a_subnet_of_any_served_range_is_made_loopback_included(alpha: Api) -> None:
    cases = (("127.0.0.0/8", "127.1.0.0/16"), ("10.0.0.0/8", "10.1.2.0/28"), ("198.18.0.0/15", "198.19.0.0/24"), ("100.64.0.0/10", "100.127.0.0/24"))
    for vpc_cidr, cidr in cases:
        assert net(alpha, cidr, vpc_cidr).subnet["cidr"] == cidr


def test_subnet_outside_the_vpc_cidr_is_refused(alpha: Api) -> None:
    vpc = alpha.vpc("10.0.0.0/16")
    assert_elb_error(alpha.call("POST", "subnets", _subnet_body(vpc["id"], "10.1.0.0/24")), 400, "ELB.8902")
    assert _subnets_of(alpha, vpc["id"]) == []


def test_overlapping_subnets_conflict(alpha: Api) -> None:
    first = net(alpha, "127.30.0.0/24")
    assert_elb_error(alpha.call("POST", "subnets", _subnet_body(first.vpc["id"], "127.30.0.128/25")), 409, "ELB.8907")
    assert_elb_error(alpha.call("POST", "subnets", _subnet_body(first.vpc["id"], "127.30.0.0/16")), 409, "ELB.8907")
    assert ids(_subnets_of(alpha, first.vpc["id"])) == [first.subnet["id"]]


def test_same_cidr_in_another_vpc_is_fine(alpha: Api) -> None:
    one, two = net(alpha, "127.31.0.0/24"), net(alpha, "127.31.0.0/24")
    assert one.vpc["id"] != two.vpc["id"] and one.subnet["id"] != two.subnet["id"]
    for made in (one, two):
        assert [(subnet["id"], subnet["cidr"]) for subnet in _subnets_of(alpha, made.vpc["id"])] == [(made.subnet["id"], "127.31.0.0/24")]


def test_ipv6_enable_without_cidr_v6_picks_a_64(alpha: Api) -> None:
    subnet = net(alpha, "127.32.0.0/24", ipv6_enable=True).subnet
    network = ipaddress.IPv6Network(subnet["cidr_v6"])
    assert subnet["ipv6_enable"] is True and network.prefixlen == 64
    assert ipaddress.IPv6Address(subnet["gateway_ip_v6"]) in network
    assert subnet["neutron_subnet_id_v6"] not in ("", subnet["id"], subnet["neutron_subnet_id"])


def test_ipv6_enable_with_cidr_v6_uses_it(alpha: Api) -> None:
    subnet = net(alpha, "127.33.0.0/24", ipv6_enable=True, cidr_v6="fd00:33::/64").subnet
    assert subnet["cidr_v6"] == "fd00:33::/64" and subnet["gateway_ip_v6"] == "fd00:33::1"


def test_overlapping_ipv6_subnets_conflict(alpha: Api) -> None:
    first = net(alpha, "127.46.0.0/24", ipv6_enable=True, cidr_v6="fd00:46::/64")
    body = _subnet_body(first.vpc["id"], "127.47.0.0/24", ipv6_enable=True, cidr_v6="fd00:46::/120")
    assert_elb_error(alpha.call("POST", "subnets", body), 409, "ELB.8907")
    assert ids(_subnets_of(alpha, first.vpc["id"])) == [first.subnet["id"]]
    other = alpha.subnet(first.vpc["id"], "127.47.0.0/24", ipv6_enable=True, cidr_v6="fd00:47::/64")
    assert other["cidr_v6"] == "fd00:47::/64"


def test_cidr_v6_without_ipv6_enable_is_refused(alpha: Api) -> None:
    vpc = alpha.vpc()
    assert_elb_error(alpha.call("POST", "subnets", _subnet_body(vpc["id"], "127.34.0.0/24", cidr_v6="fd00:34::/64")), 400, "ELB.8902")
    assert _subnets_of(alpha, vpc["id"]) == []


def test_gateway_must_be_a_host_of_the_subnet(alpha: Api) -> None:
    vpc = alpha.vpc()
    assert_elb_error(alpha.call("POST", "subnets", _subnet_body(vpc["id"], "127.35.0.0/24", gateway_ip="127.36.0.1")), 400, "ELB.8902")
    assert _subnets_of(alpha, vpc["id"]) == []


def test_list_subnets_filters_by_vpc(alpha: Api) -> None:
    one, two = net(alpha, "127.37.0.0/24"), net(alpha, "127.37.0.0/24")
    second = alpha.subnet(one.vpc["id"], "127.38.0.0/24")
    assert ids(_subnets_of(alpha, one.vpc["id"])) == [one.subnet["id"], second["id"]]
    assert ids(_subnets_of(alpha, two.vpc["id"])) == [two.subnet["id"]]
    assert {one.subnet["id"], second["id"], two.subnet["id"]} <= set(ids(alpha.ok("GET", "subnets")["subnets"]))


def test_delete_subnet_in_use_by_a_vip_conflicts(alpha: Api) -> None:
    used = net(alpha, "127.39.0.0/24")
    lb = alpha.load_balancer(used.subnet)
    assert_elb_error(alpha.call("DELETE", f"vpcs/{used.vpc['id']}/subnets/{used.subnet['id']}", None), 409, "ELB.8907")
    assert alpha.ok("GET", f"subnets/{used.subnet['id']}")["subnet"]["id"] == used.subnet["id"]
    alpha.ok("DELETE", f"loadbalancers/{lb['id']}")
    alpha.ok("DELETE", f"vpcs/{used.vpc['id']}/subnets/{used.subnet['id']}")
    assert_elb_error(alpha.call("GET", f"subnets/{used.subnet['id']}", None), 404, "ELB.8904")


def test_delete_subnet_in_use_by_an_instance_conflicts(alpha: Api) -> None:
    used = net(alpha, "127.40.0.0/24")
    alpha.ok("POST", "cloudservers", {"server": {"name": "vm", "nics": [{"subnet_id": used.subnet["id"]}]}}, status=200)
    assert_elb_error(alpha.call("DELETE", f"vpcs/{used.vpc['id']}/subnets/{used.subnet['id']}", None), 409, "ELB.8907")


def test_delete_subnet_in_use_by_a_member_conflicts(alpha: Api) -> None:
    lan = net(alpha, "127.48.0.0/24")
    backends = alpha.subnet(lan.vpc["id"], "127.49.0.0/24")
    pool = alpha.pool(loadbalancer_id=alpha.load_balancer(lan.subnet)["id"])
    alpha.member(pool["id"], address="127.49.0.10", protocol_port=80, subnet_cidr_id=backends["neutron_subnet_id"])
    assert_elb_error(alpha.call("DELETE", f"vpcs/{lan.vpc['id']}/subnets/{backends['id']}", None), 409, "ELB.8907")
    assert alpha.ok("GET", f"subnets/{backends['id']}")["subnet"]["id"] == backends["id"]


def test_delete_vpc_with_subnets_conflicts(alpha: Api) -> None:
    busy = net(alpha, "127.41.0.0/24")
    assert_elb_error(alpha.call("DELETE", f"vpcs/{busy.vpc['id']}", None), 409, "ELB.8907")
    assert alpha.ok("GET", f"vpcs/{busy.vpc['id']}")["vpc"]["id"] == busy.vpc["id"]
    alpha.ok("DELETE", f"vpcs/{busy.vpc['id']}/subnets/{busy.subnet['id']}")
    alpha.ok("DELETE", f"vpcs/{busy.vpc['id']}")
    assert_elb_error(alpha.call("GET", f"vpcs/{busy.vpc['id']}", None), 404, "ELB.8904")


def test_delete_subnet_under_the_wrong_vpc_is_not_found(alpha: Api) -> None:
    one, two = net(alpha, "127.42.0.0/24"), net(alpha, "127.42.0.0/24")
    assert_elb_error(alpha.call("DELETE", f"vpcs/{two.vpc['id']}/subnets/{one.subnet['id']}", None), 404, "ELB.8904")
    assert alpha.ok("GET", f"subnets/{one.subnet['id']}")["subnet"]["id"] == one.subnet["id"]


def test_another_projects_vpc_and_subnet_are_not_found(alpha: Api, beta: Api) -> None:
    theirs = net(beta, "127.43.0.0/24")
    assert_elb_error(alpha.call("GET", f"vpcs/{theirs.vpc['id']}", None), 404, "ELB.8904")
    assert_elb_error(alpha.call("GET", f"subnets/{theirs.subnet['id']}", None), 404, "ELB.8904")
    assert_elb_error(alpha.call("DELETE", f"vpcs/{theirs.vpc['id']}/subnets/{theirs.subnet['id']}", None), 404, "ELB.8904")
    assert_elb_error(alpha.call("DELETE", f"vpcs/{theirs.vpc['id']}", None), 404, "ELB.8904")
    assert_elb_error(alpha.call("POST", "subnets", _subnet_body(theirs.vpc["id"], "127.44.0.0/24")), 404, "ELB.8904")
    assert beta.ok("GET", f"subnets/{theirs.subnet['id']}")["subnet"]["id"] == theirs.subnet["id"]


def test_lists_never_show_another_projects_rows(alpha: Api, beta: Api) -> None:
    theirs = net(beta, "127.45.0.0/24")
    assert theirs.vpc["id"] not in ids(alpha.ok("GET", "vpcs")["vpcs"])
    assert theirs.subnet["id"] not in ids(alpha.ok("GET", "subnets")["subnets"])
    assert _subnets_of(alpha, theirs.vpc["id"]) == []
