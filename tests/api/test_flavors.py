"""/v3/{project_id}/elb/flavors (the fixed catalogue, filtered and paged) and the load balancers that
name a flavor: l4_flavor_id and l7_flavor_id checked against the catalogue and its kinds."""

from typing import Any

import pytest

from elbd.flavors import CATALOGUE
from tests.api.world import Net, api, assert_elb_error, ids, net, world  # noqa: F401
from tests.conftest import Api

L4_SMALL, L4_MEDIUM = (flavor.id for flavor in CATALOGUE if flavor.type == "L4" and flavor.name.endswith(("small", "medium")))
L7_SMALL = next(flavor.id for flavor in CATALOGUE if flavor.name == "L7_flavor.elb.s1.small")


@pytest.fixture(scope="module")
def lan(api: Api) -> Net:
    return net(api)


def test_the_catalogue_lists_l4_and_l7_flavors_with_what_they_limit(api: Api) -> None:
    listed = api.ok("GET", "flavors")["flavors"]
    assert ids(listed) == [flavor.id for flavor in CATALOGUE]
    small = next(flavor for flavor in listed if flavor["id"] == L7_SMALL)
    assert small == {
        "id": L7_SMALL, "name": "L7_flavor.elb.s1.small", "type": "L7", "info": {"connection": 200, "cps": 50, "qps": 100},
        "shared": True, "project_id": api.project_id, "flavor_sold_out": False, "public_border_group": "center", "category": 0,
    }
    assert all("bandwidth" not in flavor["info"] for flavor in listed)  # elbd does not shape bandwidth
    assert all("qps" not in flavor["info"] for flavor in listed if flavor["type"] == "L4")
    assert api.ok("GET", f"flavors/{L4_SMALL}")["flavor"]["name"] == "L4_flavor.elb.s1.small"
    assert_elb_error(api.call("GET", "flavors/00000000-0000-0000-0000-000000000000"), 404, "ELB.8904")


def test_filters_and_pages(api: Api) -> None:
    l4 = [flavor.id for flavor in CATALOGUE if flavor.type == "L4"]
    assert ids(api.ok("GET", "flavors?type=L4")["flavors"]) == l4
    assert ids(api.ok("GET", "flavors?name=L7_flavor.elb.s1.small&name=L4_flavor.elb.s1.small")["flavors"]) == [L4_SMALL, L7_SMALL]
    assert ids(api.ok("GET", f"flavors?id={L4_MEDIUM}")["flavors"]) == [L4_MEDIUM]
    assert api.ok("GET", "flavors?shared=false")["flavors"] == []
    assert api.ok("GET", "flavors?flavor_sold_out=true")["flavors"] == []
    assert len(api.ok("GET", "flavors?public_border_group=center&category=0&list_all=true")["flavors"]) == len(CATALOGUE)
    first = api.ok("GET", "flavors?type=L4&limit=2")
    assert ids(first["flavors"]) == l4[:2] and first["page_info"]["next_marker"] == l4[1]
    assert ids(api.ok("GET", f"flavors?type=L4&limit=2&marker={l4[1]}")["flavors"]) == l4[2:]
    assert ids(api.ok("GET", f"flavors?type=L4&limit=1&marker={l4[1]}&page_reverse=true")["flavors"]) == l4[:1]
    assert_elb_error(api.call("GET", "flavors?limit=2&marker=nope"), 400, "ELB.8902")
    assert_elb_error(api.call("GET", "flavors?qps=1"), 400, "ELB.8902")


def test_a_load_balancer_names_flavors_of_the_catalogue_and_their_kind(api: Api, lan: Net) -> None:
    lb = api.load_balancer(lan.subnet, l4_flavor_id=L4_SMALL, l7_flavor_id=L7_SMALL)
    assert (lb["l4_flavor_id"], lb["l7_flavor_id"]) == (L4_SMALL, L7_SMALL)
    changed = api.ok("PUT", f"loadbalancers/{lb['id']}", {"loadbalancer": {"l4_flavor_id": L4_MEDIUM}})["loadbalancer"]
    assert (changed["l4_flavor_id"], changed["l7_flavor_id"]) == (L4_MEDIUM, L7_SMALL)
    assert ids(api.ok("GET", f"loadbalancers?l4_flavor_id={L4_MEDIUM}")["loadbalancers"]) == [lb["id"]]
    cleared = api.ok("PUT", f"loadbalancers/{lb['id']}", {"loadbalancer": {"l7_flavor_id": None}})["loadbalancer"]
    assert cleared["l7_flavor_id"] == ""
    plain = api.load_balancer(lan.subnet)
    assert (plain["l4_flavor_id"], plain["l7_flavor_id"]) == ("", "")


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("l4_flavor_id", "00000000-0000-0000-0000-000000000000", "is not a flavor"),
        ("l7_flavor_id", "unknown", "is not a flavor"),
        ("l4_flavor_id", L7_SMALL, "is an L7 flavor; l4_flavor_id takes an L4 one"),
        ("l7_flavor_id", L4_SMALL, "is an L4 flavor; l7_flavor_id takes an L7 one"),
    ],
)
def test_unknown_flavors_and_flavors_of_the_other_kind_are_refused(api: Api, lan: Net, field: str, value: str, says: str) -> None:
    before = ids(api.ok("GET", "loadbalancers")["loadbalancers"])
    body = {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": lan.subnet_id, field: value}}
    assert says in assert_elb_error(api.call("POST", "loadbalancers", body), 400, "ELB.8902")["error_msg"]
    assert ids(api.ok("GET", "loadbalancers")["loadbalancers"]) == before
    lb = api.load_balancer(lan.subnet)
    assert says in assert_elb_error(api.call("PUT", f"loadbalancers/{lb['id']}", {"loadbalancer": {field: value}}), 400)["error_msg"]
    assert api.ok("GET", f"loadbalancers/{lb['id']}")["loadbalancer"][field] == ""


def test_an_l4_flavor_and_udp_listeners_never_meet(api: Api, lan: Net) -> None:
    """elbd cannot limit UDP listeners (nginx's stream side), so the flavor would be accepted and not held."""
    flavored = api.load_balancer(lan.subnet, l4_flavor_id=L4_SMALL)
    body: dict[str, Any] = {"listener": {"loadbalancer_id": flavored["id"], "protocol": "UDP", "protocol_port": 5353}}
    assert "UDP listeners" in assert_elb_error(api.call("POST", "listeners", body), 400, "ELB.8902")["error_msg"]
    with_udp = api.load_balancer(lan.subnet)
    api.listener(with_udp["id"], protocol="UDP", port=5353)
    response = api.call("PUT", f"loadbalancers/{with_udp['id']}", {"loadbalancer": {"l4_flavor_id": L4_SMALL}})
    assert "UDP listeners" in assert_elb_error(response, 400, "ELB.8902")["error_msg"]
    api.ok("PUT", f"loadbalancers/{with_udp['id']}", {"loadbalancer": {"l7_flavor_id": L7_SMALL}})  # an L7 flavor limits no UDP listener
