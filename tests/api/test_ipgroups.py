"""/v3/{project_id}/elb/ipgroups and listeners' `ipgroup`: the SDK's shapes, entries in canonical form,
refusals (a 400 that says why and stores nothing), replace / add-or-update / delete of entries,
filters and paging, quotas, deletion while in use, related listeners, and what the data plane is
given for a listener. Traffic: tests/dataplane/test_ip_groups.py."""

from typing import Any

import pytest
from huaweicloudsdkelb.v3.model.ip_group import IpGroup as SdkIpGroup

from elbd.dataplane.desired import desired_config
from elbd.store.dataplane import stored_load_balancer
from tests.api.world import World, alpha, assert_elb_error, beta, ids, net, world  # noqa: F401
from tests.conftest import Api

MISSING = "0" * 36


def create(api: Api, ips: list[str], **fields: Any) -> dict[str, Any]:
    return api.ok("POST", "ipgroups", {"ipgroup": {"ip_list": [{"ip": ip} for ip in ips], **fields}})["ipgroup"]


def entries(group: dict[str, Any]) -> list[str]:
    return [entry["ip"] for entry in group["ip_list"]]


@pytest.fixture(scope="module")
def lb(alpha: Api) -> dict[str, Any]:
    return alpha.load_balancer(net(alpha, "127.60.0.0/24").subnet)


_ports = iter(range(20000, 21000))


def listener(api: Api, lb_id: str, protocol: str = "HTTP", **fields: Any) -> dict[str, Any]:
    return api.listener(lb_id, protocol=protocol, port=next(_ports), **fields)


def test_create_answers_201_with_the_sdks_ip_group_in_canonical_form(alpha: Api) -> None:
    response = alpha.call("POST", "ipgroups", {"ipgroup": {"name": "office", "description": "d", "ip_list": [
        {"ip": "2001:0DB8:02de::0e12-2001:0DB8:02de::0e13", "description": "range"}, {"ip": "10.0.0.0/8"}, {"ip": "192.168.1.7/32"}]}})
    assert response.status_code == 201, response.text
    group = response.json()["ipgroup"]
    assert set(group) == set(SdkIpGroup.attribute_map.values())
    assert entries(group) == ["2001:db8:2de::e12-2001:db8:2de::e13", "10.0.0.0/8", "192.168.1.7"]
    assert group["ip_list"][0]["description"] == "range" and group["ip_list"][1]["description"] == ""
    assert (group["name"], group["description"], group["listeners"], group["enterprise_project_id"]) == ("office", "d", [], "0")
    assert alpha.ok("GET", f"ipgroups/{group['id']}")["ipgroup"] == group


@pytest.mark.parametrize(("ip", "says"), [
    ("10.0.0.1/24", "host bits set"),
    ("10.0.0.9-10.0.0.1", "greater than its start"),
    ("10.0.0.1-10.0.0.1", "greater than its start"),
    ("10.0.0.1-::1", "one family"),
    ("fe80::1%eth0", "not an IP address"),
    ("10.0.0.1\nadd acl x", "not an IP address"),
    ("10.0.0.1 -f /etc/passwd", "not an IP address"),
    ("", "not an IP address"),
    ("300.1.1.1", "not an IP address"),
    ("10.0.0.0/33", "not an IP address"),
])
def test_an_entry_that_is_no_address_cidr_or_range_is_a_400_that_stores_nothing(alpha: Api, ip: str, says: str) -> None:
    before = alpha.ok("GET", "ipgroups")["page_info"]["current_count"]
    body = assert_elb_error(alpha.call("POST", "ipgroups", {"ipgroup": {"ip_list": [{"ip": ip}]}}), 400)
    assert says in body["error_msg"] and alpha.ok("GET", "ipgroups")["page_info"]["current_count"] == before


def test_an_entry_given_twice_in_any_spelling_is_refused(alpha: Api) -> None:
    body = assert_elb_error(alpha.call("POST", "ipgroups", {"ipgroup": {"ip_list": [{"ip": "fd00::5"}, {"ip": "FD00:0::5"}]}}), 400)
    assert "more than once" in body["error_msg"]


def test_put_replaces_the_entries_and_create_or_update_adds_or_redescribes(alpha: Api) -> None:
    group = create(alpha, ["127.0.0.1", "127.0.0.2"])
    replaced = alpha.ok("PUT", f"ipgroups/{group['id']}", {"ipgroup": {"ip_list": [{"ip": "127.0.0.3"}], "name": "n"}})["ipgroup"]
    assert entries(replaced) == ["127.0.0.3"] and replaced["name"] == "n"
    body = {"ipgroup": {"ip_list": [{"ip": "127.0.0.3", "description": "again"}, {"ip": "127.0.0.4"}]}}
    merged = alpha.ok("POST", f"ipgroups/{group['id']}/iplist/create-or-update", body, status=200)["ipgroup"]
    assert entries(merged) == ["127.0.0.3", "127.0.0.4"] and merged["ip_list"][0]["description"] == "again"
    left = alpha.ok("POST", f"ipgroups/{group['id']}/iplist/batch-delete", {"ipgroup": {"ip_list": [{"ip": "127.0.0.3"}]}}, status=200)["ipgroup"]
    assert entries(left) == ["127.0.0.4"]
    missing = alpha.call("POST", f"ipgroups/{group['id']}/iplist/batch-delete", {"ipgroup": {"ip_list": [{"ip": "127.0.0.9"}]}})
    assert "holds no entry 127.0.0.9" in assert_elb_error(missing, 400)["error_msg"]


def test_lists_filter_by_name_and_by_a_whole_entry(alpha: Api) -> None:
    one, two = create(alpha, ["127.1.0.0/16"], name="filter-a"), create(alpha, ["127.2.0.1-127.2.0.5"], name="filter-b")
    assert ids(alpha.ok("GET", "ipgroups?name=filter-a")["ipgroups"]) == [one["id"]]
    assert ids(alpha.ok("GET", "ipgroups?ip_list=127.2.0.1-127.2.0.5")["ipgroups"]) == [two["id"]]
    assert alpha.ok("GET", "ipgroups?ip_list=127.2.0.1")["ipgroups"] == []
    page = alpha.ok("GET", "ipgroups?limit=1")
    assert len(page["ipgroups"]) == 1 and page["page_info"]["next_marker"]


def test_the_entries_per_group_and_the_group_quotas_hold(world: World) -> None:
    api = world.project(ipgroup=1, ipgroup_max_length=2)
    refused = api.call("POST", "ipgroups", {"ipgroup": {"ip_list": [{"ip": f"127.0.0.{n}"} for n in (1, 2, 3)]}})
    assert "at most 2 entries" in assert_elb_error(refused, 400)["error_msg"]
    group = create(api, ["127.0.0.1"])
    assert_elb_error(api.call("POST", "ipgroups", {"ipgroup": {}}), 409, "ELB.8905")
    added = api.call("POST", f"ipgroups/{group['id']}/iplist/create-or-update", {"ipgroup": {"ip_list": [{"ip": "127.0.0.2"}, {"ip": "127.0.0.3"}]}})
    assert_elb_error(added, 400)
    assert entries(api.ok("GET", f"ipgroups/{group['id']}")["ipgroup"]) == ["127.0.0.1"]


def test_a_listener_binds_groups_shows_them_and_a_group_in_use_cannot_go(alpha: Api, lb: dict[str, Any]) -> None:
    first, second = create(alpha, ["127.0.0.1"]), create(alpha, ["127.0.0.2"])
    made = listener(alpha, lb["id"], ipgroup={"ipgroup_id": f"{first['id']}, {second['id']}", "type": "black"})
    assert made["ipgroup"] == {"ipgroup_id": f"{first['id']},{second['id']}", "enable_ipgroup": True, "type": "black"}
    assert alpha.ok("GET", f"ipgroups/{first['id']}")["ipgroup"]["listeners"] == [{"id": made["id"]}]
    assert alpha.ok("GET", f"ipgroups/{second['id']}/related-listeners")["listeners"] == [{"id": made["id"]}]
    assert "in use by listener" in assert_elb_error(alpha.call("DELETE", f"ipgroups/{first['id']}"), 409, "ELB.8907")["error_msg"]
    updated = alpha.ok("PUT", f"listeners/{made['id']}", {"listener": {"ipgroup": {"ipgroup_id": second["id"], "enable_ipgroup": False}}})
    assert updated["listener"]["ipgroup"] == {"ipgroup_id": second["id"], "enable_ipgroup": False, "type": "black"}
    alpha.ok("DELETE", f"ipgroups/{first['id']}")
    cleared = alpha.ok("PUT", f"listeners/{made['id']}", {"listener": {"ipgroup": None}})
    assert cleared["listener"]["ipgroup"] is None
    alpha.ok("DELETE", f"ipgroups/{second['id']}")


@pytest.mark.parametrize(("ipgroup", "says"), [
    ({"ipgroup_id": MISSING}, "could not be found"),
    ({"ipgroup_id": "a,,b"}, "empty id"),
    ({"ipgroup_id": None}, "ipgroup_id"),
    ({"enable_ipgroup": True}, "ipgroup_id"),
    ({"ipgroup_id": "x", "type": "grey"}, "type"),
])
def test_a_binding_that_names_no_group_of_the_project_is_refused(alpha: Api, lb: dict[str, Any], ipgroup: dict[str, Any], says: str) -> None:
    made = listener(alpha, lb["id"])
    response = alpha.call("PUT", f"listeners/{made['id']}", {"listener": {"ipgroup": ipgroup}})
    assert says in assert_elb_error(response, (400, 404))["error_msg"]
    assert alpha.ok("GET", f"listeners/{made['id']}")["listener"]["ipgroup"] is None


def test_another_projects_group_is_not_found(alpha: Api, beta: Api, lb: dict[str, Any]) -> None:
    theirs = create(beta, ["127.0.0.1"])
    response = alpha.call("POST", "listeners", {"listener": {"loadbalancer_id": lb["id"], "protocol": "TCP", "protocol_port": next(_ports),
                                                             "ipgroup": {"ipgroup_id": theirs["id"]}}})
    assert_elb_error(response, 404, "ELB.8904")


def test_the_data_plane_gets_the_merged_networks_of_an_enforced_binding(world: World, alpha: Api, lb: dict[str, Any]) -> None:
    first, second = create(alpha, ["127.50.0.0-127.50.0.3", "::1"]), create(alpha, ["127.50.0.2/31", "127.50.0.4"])
    made = listener(alpha, lb["id"], ipgroup={"ipgroup_id": f"{first['id']},{second['id']}"})
    with world.client.app.state.db.read() as session:
        stored = stored_load_balancer(session, lb["id"])
    assert stored is not None
    [frontend] = [one for one in desired_config(stored, 1000).frontends if one.name == made["id"]]
    assert frontend.access is not None and frontend.access.kind == "white"
    assert [str(one) for one in frontend.access.networks] == ["127.50.0.0/30", "127.50.0.4/32", "::1/128"]


def test_a_group_serves_at_most_ipgroup_bindings_listeners(world: World) -> None:
    api = world.project(ipgroup_bindings=1)
    own_lb = api.load_balancer(net(api, "127.61.0.0/24").subnet)
    made = create(api, ["127.0.0.1"])
    first = listener(api, own_lb["id"], ipgroup={"ipgroup_id": made["id"]})
    body = {"listener": {"loadbalancer_id": own_lb["id"], "protocol": "HTTP", "protocol_port": next(_ports), "ipgroup": {"ipgroup_id": made["id"]}}}
    assert "already used by 1 listeners" in assert_elb_error(api.call("POST", "listeners", body), 409)["error_msg"]
    again = api.ok("PUT", f"listeners/{first['id']}", {"listener": {"ipgroup": {"ipgroup_id": made["id"], "type": "black"}}})
    assert again["listener"]["ipgroup"]["type"] == "black"  # its own binding does not count against it
