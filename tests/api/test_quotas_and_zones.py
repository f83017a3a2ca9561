"""GET /v3/{project_id}/elb/quotas, /quotas/details and /availability-zones, and quota enforcement."""

from typing import Any

import pytest

from elbd.errors import ElbError
from tests.api.world import Net, World, assert_elb_error, ids, net, set_quota
from tests.conftest import Api

DEFAULTS = {
    "loadbalancer": 50,
    "listener": 100,
    "pool": 500,
    "healthmonitor": -1,
    "member": 500,
    "members_per_pool": 500,
    "l7policy": 500,
    "certificate": 120,
    "ipgroup": 50,
    "security_policy": 500,
}


@pytest.fixture
def api(world: World) -> Api:
    """A project of its own for each test: quotas and usage are per project."""
    return world.project()


def _details(api: Api, query: str = "") -> dict[str, dict[str, Any]]:
    return {item["quota_key"]: item for item in api.ok("GET", f"quotas/details{query}")["quotas"]}


def _everything(api: Api) -> tuple[Net, dict[str, Any]]:
    """One of each counted resource: a load balancer, listener, pool, monitor and member."""
    lan = net(api)
    lb = api.load_balancer(lan.subnet)
    listener = api.listener(lb["id"])
    pool = api.pool(listener_id=listener["id"])
    api.monitor(pool["id"])
    api.member(pool["id"], address="127.10.0.40", protocol_port=80, subnet_cidr_id=lan.subnet_id)
    return lan, pool


def test_quotas_show_the_defaults(api: Api) -> None:
    body = api.ok("GET", "quotas")
    quota = body["quota"]
    assert quota["project_id"] == api.project_id and body["request_id"]
    assert {name: quota[name] for name in DEFAULTS} == DEFAULTS


def test_quotas_show_overrides(api: Api) -> None:
    set_quota(api, "loadbalancer", 3)
    set_quota(api, "healthmonitor", 10)
    quota = api.ok("GET", "quotas")["quota"]
    assert quota["loadbalancer"] == 3 and quota["healthmonitor"] == 10 and quota["listener"] == 100


def test_quotas_show_the_limits_elbd_fixes_and_mirror_free_instances(api: Api) -> None:
    """Every key of the SDK's Quota model: what elbd's rules fix, -1 where it sets none, and the
    free-instance limits as the limits every elbd load balancer has."""
    set_quota(api, "members_per_pool", 7)
    quota = api.ok("GET", "quotas")["quota"]
    assert (quota["condition_per_policy"], quota["pools_per_l7policy"]) == (10, 5)
    assert (quota["listeners_per_pool"], quota["ipgroups_per_listener"], quota["l7policies_per_listener"]) == (-1, -1, -1)
    assert (quota["ipgroup_max_length"], quota["ipgroup_bindings"]) == (300, 50)
    assert (quota["free_instance_members_per_pool"], quota["free_instance_listeners_per_loadbalancer"]) == (7, 50)


def test_a_limit_elbd_fixes_is_not_set_per_project(api: Api) -> None:
    with pytest.raises(ElbError, match="fix"):
        set_quota(api, "condition_per_policy", 20)
    assert api.ok("GET", "quotas")["quota"]["condition_per_policy"] == 10


def test_overrides_are_per_project(api: Api, world: World) -> None:
    set_quota(api, "loadbalancer", 3)
    assert world.project().ok("GET", "quotas")["quota"]["loadbalancer"] == 50


def test_quota_details_start_unused(api: Api) -> None:
    details = _details(api)
    assert {"loadbalancer", "listener", "pool", "healthmonitor", "member"} <= set(details)
    for key, item in details.items():
        assert item == {"quota_key": key, "quota_limit": DEFAULTS[key], "used": 0, "unit": "count"}


def test_quota_details_count_what_is_used(api: Api) -> None:
    _everything(api)
    api.load_balancer(net(api).subnet)
    used = {key: item["used"] for key, item in _details(api).items()}
    assert used["loadbalancer"] == 2
    assert used["listener"] == used["pool"] == used["healthmonitor"] == used["member"] == 1


def test_quota_details_filter_by_key(api: Api) -> None:
    set_quota(api, "pool", 7)
    assert list(_details(api, "?quota_key=pool")) == ["pool"]
    assert _details(api, "?quota_key=pool")["pool"]["quota_limit"] == 7
    assert sorted(_details(api, "?quota_key=pool&quota_key=member")) == ["member", "pool"]


def test_usage_is_per_project(api: Api, world: World) -> None:
    _everything(api)
    other = world.project()
    assert all(item["used"] == 0 for item in _details(other).values())


def test_another_projects_quotas_are_forbidden(api: Api, world: World) -> None:
    other = world.project()
    for path in ("quotas", "quotas/details", "availability-zones"):
        response = api.call("GET", f"/v3/{other.project_id}/elb/{path}")
        assert response.status_code == 403 and response.json()["error_code"] == "APIGW.0302"


def test_load_balancer_quota(api: Api) -> None:
    set_quota(api, "loadbalancer", 1)
    lan = net(api)
    first = api.load_balancer(lan.subnet)
    body = {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": lan.subnet_id}}
    error = assert_elb_error(api.call("POST", "loadbalancers", body), 409, "ELB.8905")
    assert "loadbalancer" in error["error_msg"]
    assert ids(api.ok("GET", "loadbalancers")["loadbalancers"]) == [first["id"]]
    assert _details(api)["loadbalancer"]["used"] == 1


def test_load_balancer_quota_zero_refuses_the_first(api: Api) -> None:
    set_quota(api, "loadbalancer", 0)
    lan = net(api)
    body = {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": lan.subnet_id}}
    assert_elb_error(api.call("POST", "loadbalancers", body), 409, "ELB.8905")
    assert api.ok("GET", "loadbalancers")["loadbalancers"] == []


def test_deleting_gives_quota_back(api: Api) -> None:
    set_quota(api, "loadbalancer", 1)
    lan = net(api, "127.121.0.0/24")
    api.ok("DELETE", f"loadbalancers/{api.load_balancer(lan.subnet)['id']}")
    assert api.load_balancer(lan.subnet)["vip_address"] == "127.121.0.2"


def test_health_monitor_quota(api: Api) -> None:
    set_quota(api, "healthmonitor", 1)
    first, second = api.pool(type="ip"), api.pool(type="ip")
    api.monitor(first["id"])
    body = {"healthmonitor": {"pool_id": second["id"], "type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 3}}
    assert_elb_error(api.call("POST", "healthmonitors", body), 409, "ELB.8905")
    assert api.ok("GET", f"pools/{second['id']}")["pool"]["healthmonitor_id"] == ""


def test_member_quota(api: Api) -> None:
    lan, pool = _everything(api)
    set_quota(api, "member", 1)
    body = {"member": {"address": "127.10.0.41", "protocol_port": 80, "subnet_cidr_id": lan.subnet_id}}
    assert_elb_error(api.call("POST", f"pools/{pool['id']}/members", body), 409, "ELB.8905")
    assert len(api.ok("GET", f"pools/{pool['id']}/members")["members"]) == 1


def test_members_per_pool_quota(api: Api) -> None:
    lan, pool = _everything(api)
    set_quota(api, "members_per_pool", 1)
    body = {"member": {"address": "127.10.0.41", "protocol_port": 80, "subnet_cidr_id": lan.subnet_id}}
    assert_elb_error(api.call("POST", f"pools/{pool['id']}/members", body), 409, "ELB.8905")
    other = api.pool(loadbalancer_id=api.ok("GET", f"pools/{pool['id']}")["pool"]["loadbalancers"][0]["id"])
    assert api.member(other["id"], **body["member"])["member"]["address"] == "127.10.0.41"


def test_availability_zones_are_listed(api: Api) -> None:
    body = api.ok("GET", "availability-zones")
    [group] = body["availability_zones"]
    assert [zone["code"] for zone in group] == ["local-1a", "local-1b"]
    assert all(zone["state"] == "ACTIVE" and zone["protocol"] == ["L4", "L7"] for zone in group)


def test_availability_zones_filter_by_border_group(api: Api) -> None:
    assert [zone["code"] for zone in api.ok("GET", "availability-zones?public_border_group=center")["availability_zones"][0]] == [
        "local-1a",
        "local-1b",
    ]
    assert api.ok("GET", "availability-zones?public_border_group=elsewhere")["availability_zones"] == [[]]


def test_availability_zones_need_credentials(api: Api) -> None:
    response = api.client.get(f"/v3/{api.project_id}/elb/availability-zones")
    assert response.status_code == 401 and response.json()["error_code"] == "APIGW.0301"
