"""Tags of load balancers and listeners: given at create, changed by the tag actions, shown per
resource and listed for the project; the rules of keys and values."""

from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.world import World, assert_elb_error, net
from tests.conftest import Api


@pytest.fixture
def api(world: World) -> Api:
    """A project of its own for each test: the project's tags are listed whole."""
    return world.project()


@dataclass
class Tagged:
    lb: dict[str, Any]
    listener: dict[str, Any]


@pytest.fixture
def topology(api: Api) -> Tagged:
    lb = api.load_balancer(net(api).subnet)
    return Tagged(lb, api.listener(lb["id"]))


def _action(api: Api, path: str, action: str, *tags: dict[str, str], status: int = 204) -> Any:
    return api.ok("POST", path, {"action": action, "tags": list(tags)}, status=status)


def _tags(api: Api, path: str) -> list[dict[str, str]]:
    return api.ok("GET", path)["tags"]


@pytest.mark.parametrize("kind", ["loadbalancers", "listeners"])
def test_create_sets_a_value_and_delete_removes_it(api: Api, topology: Tagged, kind: str) -> None:
    resource_id = topology.lb["id"] if kind == "loadbalancers" else topology.listener["id"]
    base = f"/v3/{api.project_id}/{kind}/{resource_id}/tags"
    _action(api, f"{base}/action", "create", {"key": "env", "value": "test"}, {"key": "team", "value": ""})
    _action(api, f"{base}/action", "create", {"key": "env", "value": "prod"})
    assert _tags(api, base) == [{"key": "env", "value": "prod"}, {"key": "team", "value": ""}]
    shown = api.ok("GET", f"{kind}/{resource_id}")[kind[:-1]]["tags"]
    assert shown == [{"key": "env", "value": "prod"}, {"key": "team", "value": ""}]
    _action(api, f"{base}/action", "delete", {"key": "env", "value": "test"})  # another value: stays
    assert [tag["key"] for tag in _tags(api, base)] == ["env", "team"]
    _action(api, f"{base}/action", "delete", {"key": "env", "value": "prod"}, {"key": "team", "value": ""}, {"key": "absent"})
    assert _tags(api, base) == []


def test_tags_given_at_create_are_stored_shown_and_listed(api: Api) -> None:
    lan = net(api, "127.12.0.0/24")
    first = api.load_balancer(lan.subnet, tags=[{"key": "env", "value": "a"}, {"key": "tier", "value": "web"}])
    api.load_balancer(lan.subnet, tags=[{"key": "env", "value": "b"}, {"key": "env2", "value": "a"}])
    listener = api.listener(first["id"], tags=[{"key": "svc", "value": "api"}])
    assert first["tags"] == [{"key": "env", "value": "a"}, {"key": "tier", "value": "web"}]
    assert _tags(api, f"/v3/{api.project_id}/listeners/{listener['id']}/tags") == [{"key": "svc", "value": "api"}]
    assert _tags(api, f"/v3/{api.project_id}/loadbalancers/tags") == [
        {"key": "env", "values": ["a", "b"]},
        {"key": "tier", "values": ["web"]},
        {"key": "env2", "values": ["a"]},
    ]
    assert _tags(api, f"/v3/{api.project_id}/listeners/tags") == [{"key": "svc", "values": ["api"]}]


def test_the_project_lists_none_of_another_projects_tags(api: Api, other_api: Api) -> None:
    other_api.load_balancer(net(other_api).subnet, tags=[{"key": "secret", "value": "x"}])
    assert _tags(api, f"/v3/{api.project_id}/loadbalancers/tags") == []


@pytest.mark.parametrize(
    "tags",
    [
        [{"key": "a=b", "value": ""}],
        [{"key": "", "value": ""}],
        [{"key": "k", "value": "x/y"}],
        [{"key": "k\n", "value": ""}],
        [{"key": "k" * 37, "value": ""}],
        [{"key": "k", "value": "v" * 256}],
        [{"key": "k", "value": "1"}, {"key": "k", "value": "2"}],
        [],
    ],
)
def test_bad_tags_are_400_and_change_nothing(api: Api, topology: Tagged, tags: list[dict[str, str]]) -> None:
    base = f"/v3/{api.project_id}/loadbalancers/{topology.lb['id']}/tags"
    assert_elb_error(api.call("POST", f"{base}/action", {"action": "create", "tags": tags}), 400, "ELB.8902")
    assert _tags(api, base) == []


def test_an_unknown_action_is_400(api: Api, topology: Tagged) -> None:
    base = f"/v3/{api.project_id}/listeners/{topology.listener['id']}/tags"
    assert_elb_error(api.call("POST", f"{base}/action", {"action": "update", "tags": [{"key": "k"}]}), 400, "ELB.8902")


def test_at_most_20_tags(api: Api, topology: Tagged) -> None:
    base = f"/v3/{api.project_id}/loadbalancers/{topology.lb['id']}/tags"
    _action(api, f"{base}/action", "create", *({"key": f"k{n}", "value": ""} for n in range(20)))
    refused = api.call("POST", f"{base}/action", {"action": "create", "tags": [{"key": "one-more"}]})
    assert "at most 20" in assert_elb_error(refused, 400, "ELB.8902")["error_msg"]
    assert len(_tags(api, base)) == 20
    lan = net(api, "127.11.0.0/24")
    body = {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": lan.subnet_id, "tags": [{"key": "k"}, {"key": "k"}]}}
    assert_elb_error(api.call("POST", "loadbalancers", body), 400, "ELB.8902")


def test_another_projects_resource_is_404(api: Api, other_api: Api, topology: Tagged) -> None:
    base = f"/v3/{other_api.project_id}/loadbalancers/{topology.lb['id']}/tags"
    assert_elb_error(other_api.call("GET", base), 404, "ELB.8904")
    assert_elb_error(other_api.call("POST", f"{base}/action", {"action": "create", "tags": [{"key": "k"}]}), 404, "ELB.8904")
    assert api.ok("GET", f"/v3/{api.project_id}/loadbalancers/{topology.lb['id']}/tags")["tags"] == []
