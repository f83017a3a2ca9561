"""GET .../loadbalancers/{id}/topology: listeners and pools as nodes, edges from the load balancer to
each listener and from a listener to the pools it sends to (its default pool, its policies' pools)."""

from typing import Any

import pytest

from tests.api.world import World, assert_elb_error, net
from tests.conftest import Api


@pytest.fixture
def api(world: World) -> Api:
    return world.project()


def _edges(topology: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {(edge["source"], edge["target"], edge["source_type"], edge["target_type"], edge["label"], edge["label_id"]) for edge in topology["edges"]}


def test_topology_shows_what_sends_to_what(api: Api) -> None:
    lb = api.load_balancer(net(api).subnet, name="shop")
    web = api.listener(lb["id"], port=80, name="web")
    tcp = api.listener(lb["id"], protocol="TCP", port=81, name="raw")
    default = api.pool(listener_id=web["id"], name="default")
    images = api.pool(loadbalancer_id=lb["id"], name="images")
    api.pool(protocol="TCP", loadbalancer_id=lb["id"], name="idle")
    rule = {"type": "PATH", "compare_type": "STARTS_WITH", "value": "/img"}
    body = {"l7policy": {"listener_id": web["id"], "action": "REDIRECT_TO_POOL", "redirect_pool_id": images["id"], "name": "to-images", "rules": [rule]}}
    policy = api.ok("POST", "l7policies", body)["l7policy"]
    topology = api.ok("GET", f"loadbalancers/{lb['id']}/topology")["topology"]
    assert [node["id"] for node in topology["nodes"]["loadbalancers"]] == [lb["id"]] and topology["nodes"]["eips"] == []
    assert topology["nodes"]["loadbalancers"][0]["vip_address"] == lb["vip_address"]
    assert [(node["name"], node["protocol"], node["protocol_port"]) for node in topology["nodes"]["listeners"]] == [("web", "HTTP", 80), ("raw", "TCP", 81)]
    assert [node["name"] for node in topology["nodes"]["pools"]] == ["default", "images", "idle"]
    assert _edges(topology) == {
        (lb["id"], web["id"], "loadbalancer", "listener", None, None),
        (lb["id"], tcp["id"], "loadbalancer", "listener", None, None),
        (web["id"], default["id"], "listener", "pool", None, None),
        (web["id"], images["id"], "listener", "pool", "l7policy", policy["id"]),
    }
    [label] = topology["labels"]["l7policies"]
    assert (label["id"], label["name"], label["action"]) == (policy["id"], "to-images", "REDIRECT_TO_POOL")
    assert [(one["type"], one["value"]) for one in label["rules"]] == [("PATH", "/img")]

    narrowed = api.ok("GET", f"loadbalancers/{lb['id']}/topology?listener_protocol=HTTP&pool_name=default")["topology"]
    assert [node["id"] for node in narrowed["nodes"]["listeners"]] == [web["id"]]
    assert _edges(narrowed) == {(lb["id"], web["id"], "loadbalancer", "listener", None, None), (web["id"], default["id"], "listener", "pool", None, None)}
    assert narrowed["labels"]["l7policies"] == []
    assert api.ok("GET", f"loadbalancers/{lb['id']}/topology?listener_protocol_port=81")["topology"]["nodes"]["listeners"] == [
        {"id": tcp["id"], "name": "raw", "protocol": "TCP", "protocol_port": 81}
    ]


def test_topology_refuses_an_unknown_filter_and_another_projects_load_balancer(api: Api, other_api: Api) -> None:
    lb = api.load_balancer(net(api).subnet)
    assert_elb_error(api.call("GET", f"loadbalancers/{lb['id']}/topology?member_id=x"), 400, "ELB.8902")
    assert_elb_error(api.call("GET", f"loadbalancers/{lb['id']}/topology?listener_protocol_port=http"), 400, "ELB.8902")
    assert_elb_error(other_api.call("GET", f"/v3/{other_api.project_id}/elb/loadbalancers/{lb['id']}/topology"), 404, "ELB.8904")
