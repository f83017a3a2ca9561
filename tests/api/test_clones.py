"""Clones of a load balancer (with everything under it, on a new VIP) and of a listener (onto another
port or load balancer, its backend server groups copied or reused)."""

from typing import Any

import pytest

from tests.api.world import Net, World, assert_elb_error, net
from tests.certificates import issue, server_body
from tests.conftest import Api


@pytest.fixture
def api(world: World) -> Api:
    return world.project()


def _source(api: Api, lan: Net) -> dict[str, Any]:
    lb = api.load_balancer(lan.subnet, name="web", tags=[{"key": "env", "value": "test"}])
    listener = api.listener(lb["id"], port=80, name="front")
    pool = api.pool(listener_id=listener["id"], name="backends")
    side = api.pool(loadbalancer_id=lb["id"], name="api")
    member = api.member(pool["id"], address="127.10.0.50", protocol_port=8080, subnet_cidr_id=lan.subnet_id)["member"]
    api.monitor(pool["id"])
    rule = {"type": "PATH", "compare_type": "STARTS_WITH", "value": "/api"}
    policy = api.ok("POST", "l7policies", {"l7policy": {"listener_id": listener["id"], "action": "REDIRECT_TO_POOL", "redirect_pool_id": side["id"], "rules": [rule]}})["l7policy"]
    return {"lb": lb, "listener": listener, "pool": pool, "side": side, "member": member, "policy": policy}


def _tree(api: Api, lb_id: str) -> dict[str, Any]:
    lb = api.ok("GET", f"loadbalancers/{lb_id}")["loadbalancer"]
    [listener] = [api.ok("GET", f"listeners/{one['id']}")["listener"] for one in lb["listeners"]]
    pools = {pool["name"]: pool for pool in (api.ok("GET", f"pools/{one['id']}")["pool"] for one in lb["pools"])}
    return {"lb": lb, "listener": listener, "pools": pools}


def test_a_clone_has_its_own_vip_and_a_copy_of_everything_under_the_source(api: Api) -> None:
    lan = net(api)
    source = _source(api, lan)
    answer = api.ok("POST", f"loadbalancers/{source['lb']['id']}/clone", {"count": 1}, status=201)
    [made] = answer["loadbalancer_list"]
    assert api.ok("GET", f"jobs/{answer['job_id']}")["job"]["job_type"] == "cloneLoadbalancer"
    copy = _tree(api, made["id"])
    assert copy["lb"]["name"] == "web-copy-1" and copy["lb"]["vip_address"] != source["lb"]["vip_address"]
    assert copy["lb"]["vpc_id"] == source["lb"]["vpc_id"] and copy["lb"]["tags"] == [{"key": "env", "value": "test"}]
    assert copy["listener"]["id"] != source["listener"]["id"] and copy["listener"]["protocol_port"] == 80
    assert set(copy["pools"]) == {"backends", "api"}
    assert copy["listener"]["default_pool_id"] == copy["pools"]["backends"]["id"] != source["pool"]["id"]
    [member] = api.ok("GET", f"pools/{copy['pools']['backends']['id']}/members")["members"]
    assert (member["address"], member["protocol_port"]) == ("127.10.0.50", 8080) and member["id"] != source["member"]["id"]
    assert copy["pools"]["backends"]["healthmonitor_id"]
    [policy] = api.ok("GET", "l7policies", params={"listener_id": copy["listener"]["id"]})["l7policies"]
    assert policy["redirect_pool_id"] == copy["pools"]["api"]["id"] and policy["rules"]
    # the source is untouched
    assert _tree(api, source["lb"]["id"])["listener"]["default_pool_id"] == source["pool"]["id"]


def test_several_clones_each_take_a_vip_and_a_named_vip_is_for_one(api: Api) -> None:
    lan = net(api, "127.10.1.0/24")
    lb = api.load_balancer(lan.subnet, name="many")
    made = api.ok("POST", f"loadbalancers/{lb['id']}/clone", {"count": 3, "target_loadbalancer_param": {}}, status=201)["loadbalancer_list"]
    names_and_vips = [(one["name"], one["vip_address"]) for one in (api.ok("GET", f"loadbalancers/{m['id']}")["loadbalancer"] for m in made)]
    assert [name for name, _ in names_and_vips] == ["many-copy-1", "many-copy-2", "many-copy-3"]
    assert len({vip for _, vip in names_and_vips} | {lb["vip_address"]}) == 4
    named = api.ok("POST", f"loadbalancers/{lb['id']}/clone", {"target_loadbalancer_param": {"name": "named", "vip_address": "127.10.1.99"}}, status=201)
    assert api.ok("GET", f"loadbalancers/{named['loadbalancer_list'][0]['id']}")["loadbalancer"]["vip_address"] == "127.10.1.99"


@pytest.mark.parametrize(
    "body",
    [
        {"count": 0},
        {"count": 11},
        {"count": 2, "target_loadbalancer_param": {"vip_address": "127.10.2.99"}},
        {"target_loadbalancer_param": {"reuse_pool": True}},
        {"target_loadbalancer_param": {"guaranteed": False}},
        {"target_loadbalancer_param": {"unknown": 1}},
    ],
)
def test_a_clone_elbd_cannot_make_is_refused_and_makes_nothing(api: Api, body: dict[str, Any]) -> None:
    lb = api.load_balancer(net(api, "127.10.2.0/24").subnet)
    before = len(api.ok("GET", "loadbalancers")["loadbalancers"])
    assert_elb_error(api.call("POST", f"loadbalancers/{lb['id']}/clone", body), 400)
    assert len(api.ok("GET", "loadbalancers")["loadbalancers"]) == before


def test_a_clone_past_the_quota_is_refused_whole(world: World) -> None:
    api = world.project(loadbalancer=2)
    lb = api.load_balancer(net(api, "127.10.3.0/24").subnet)
    assert_elb_error(api.call("POST", f"loadbalancers/{lb['id']}/clone", {"count": 2}), (403, 409), "ELB.8905")
    assert len(api.ok("GET", "loadbalancers")["loadbalancers"]) == 1


def test_another_projects_load_balancer_and_listener_are_not_found(api: Api, world: World) -> None:
    source = _source(api, net(api, "127.10.0.0/24"))
    other = world.other_api
    assert_elb_error(other.call("POST", f"loadbalancers/{source['lb']['id']}/clone", {}), 404, "ELB.8904")
    body = {"target_listener_params": [{"protocol_port": 81}]}
    assert_elb_error(other.call("POST", f"listeners/{source['listener']['id']}/clone", body), 404, "ELB.8904")


def test_a_listener_clone_on_another_port_copies_its_pools_or_reuses_them(api: Api) -> None:
    source = _source(api, net(api))
    body = {"target_listener_params": [{"protocol_port": 81}, {"protocol_port": 82, "reuse_pool": True, "name": "shared"}]}
    answer = api.ok("POST", f"listeners/{source['listener']['id']}/clone", body, status=201)
    copied, shared = answer["listener_list"]
    assert (copied["loadbalancer_id"], copied["protocol_port"], copied["port_ranges"]) == (source["lb"]["id"], 81, [])
    copied_listener = api.ok("GET", f"listeners/{copied['id']}")["listener"]
    assert copied_listener["name"] == "front-copy" and copied_listener["default_pool_id"] not in (None, source["pool"]["id"])
    [member] = api.ok("GET", f"pools/{copied_listener['default_pool_id']}/members")["members"]
    assert member["address"] == "127.10.0.50"
    [policy] = api.ok("GET", "l7policies", params={"listener_id": copied["id"]})["l7policies"]
    assert policy["redirect_pool_id"] not in (None, source["side"]["id"])
    shared_listener = api.ok("GET", f"listeners/{shared['id']}")["listener"]
    assert (shared_listener["name"], shared_listener["default_pool_id"]) == ("shared", source["pool"]["id"])
    [shared_policy] = api.ok("GET", "l7policies", params={"listener_id": shared["id"]})["l7policies"]
    assert shared_policy["redirect_pool_id"] == source["side"]["id"]


def test_a_listener_clone_onto_another_load_balancer(api: Api) -> None:
    lan = net(api)
    source = _source(api, lan)
    target = api.load_balancer(lan.subnet)
    answer = api.ok("POST", f"listeners/{source['listener']['id']}/clone", {"target_listener_params": [{"protocol_port": 80, "loadbalancer_id": target["id"]}]}, status=201)
    [made] = answer["listener_list"]
    listener = api.ok("GET", f"listeners/{made['id']}")["listener"]
    assert listener["loadbalancers"] == [{"id": target["id"]}]
    assert api.ok("GET", f"pools/{listener['default_pool_id']}")["pool"]["loadbalancers"] == [{"id": target["id"]}]


@pytest.mark.parametrize(
    "target",
    [
        {"protocol_port": 80},  # the source's own port
        {},
        {"protocol_port": 0, "port_ranges": [{"start_port": 1, "end_port": 5}]},
        {"protocol_port": 81, "subnet_mapping_list": [{"subnet_cidr_id": "a", "dst_subnet_cidr_id": "b"}]},
        {"protocol_port": 81, "loadbalancer_id": "other-lb"},
    ],
)
def test_a_listener_clone_elbd_cannot_make_is_refused_and_makes_nothing(api: Api, target: dict[str, Any]) -> None:
    lan = net(api)
    source = _source(api, lan)
    if target.get("loadbalancer_id") == "other-lb":
        target = {**target, "loadbalancer_id": api.load_balancer(lan.subnet)["id"], "reuse_pool": True}
    before = len(api.ok("GET", "listeners")["listeners"])
    response = api.call("POST", f"listeners/{source['listener']['id']}/clone", {"target_listener_params": [target]})
    assert_elb_error(response, (400, 409))
    assert len(api.ok("GET", "listeners")["listeners"]) == before


def test_a_copy_of_a_long_name_keeps_to_a_names_length(api: Api) -> None:
    lan = net(api, "127.10.4.0/24")
    lb = api.load_balancer(lan.subnet, name="n" * 255)
    listener = api.listener(lb["id"], port=80, name="l" * 255)
    [made] = api.ok("POST", f"loadbalancers/{lb['id']}/clone", {}, status=201)["loadbalancer_list"]
    assert api.ok("GET", f"loadbalancers/{made['id']}")["loadbalancer"]["name"] == "n" * 248 + "-copy-1"
    [copied] = api.ok("POST", f"listeners/{listener['id']}/clone", {"target_listener_params": [{"protocol_port": 81}]}, status=201)["listener_list"]
    assert api.ok("GET", f"listeners/{copied['id']}")["listener"]["name"] == "l" * 250 + "-copy"


def test_a_listener_redirecting_to_another_is_copied_only_onto_its_own_load_balancer(api: Api) -> None:
    lan = net(api, "127.10.5.0/24")
    lb, elsewhere = api.load_balancer(lan.subnet), api.load_balancer(lan.subnet)
    certificate = api.ok("POST", "certificates", server_body(issue("clone.example.com")))["certificate"]
    http = api.listener(lb["id"], port=80)
    https = api.listener(lb["id"], protocol="HTTPS", port=443, default_tls_container_ref=certificate["id"])
    api.ok("POST", "l7policies", {"l7policy": {"listener_id": http["id"], "action": "REDIRECT_TO_LISTENER", "redirect_listener_id": https["id"]}})
    body = {"target_listener_params": [{"protocol_port": 8080, "loadbalancer_id": elsewhere["id"]}]}
    assert "REDIRECT_TO_LISTENER" in assert_elb_error(api.call("POST", f"listeners/{http['id']}/clone", body), 400)["error_msg"]
    [made] = api.ok("POST", f"listeners/{http['id']}/clone", {"target_listener_params": [{"protocol_port": 8080}]}, status=201)["listener_list"]
    [policy] = api.ok("GET", "l7policies", params={"listener_id": made["id"]})["l7policies"]
    assert policy["redirect_listener_id"] == https["id"]
    [copied_lb] = api.ok("POST", f"loadbalancers/{lb['id']}/clone", {}, status=201)["loadbalancer_list"]
    copied_listeners = api.ok("GET", "listeners", params={"loadbalancer_id": copied_lb["id"]})["listeners"]
    copied_https = next(one for one in copied_listeners if one["protocol"] == "HTTPS")
    copied_http = [one for one in copied_listeners if one["protocol"] == "HTTP"]
    redirects = {p["redirect_listener_id"] for one in copied_http for p in api.ok("GET", "l7policies", params={"listener_id": one["id"]})["l7policies"]}
    assert redirects == {copied_https["id"]}  # the copy redirects to its own copy of the HTTPS listener
