"""A load balancer's features and the project's feature configurations: what elbd does, read from the
load balancer, the quotas and the recycle bin."""

import pytest

from tests.api.world import World, assert_elb_error, net
from tests.conftest import Api


@pytest.fixture
def api(world: World) -> Api:
    return world.project(listeners_per_loadbalancer=7)


def test_a_load_balancers_features_are_its_own_and_its_projects_limits(api: Api, world: World) -> None:
    lb = api.load_balancer(net(api).subnet, deletion_protection_enable=True)
    features = {one["feature"]: (one["type"], one["value"]) for one in api.ok("GET", f"loadbalancers/{lb['id']}/features")["features"]}
    assert features["deletion_protection_enable"] == ("BOOL", "true")
    assert features["ip_target_enable"] == ("BOOL", "false")
    assert features["listeners_per_loadbalancer"] == ("INT", "7")
    assert features["update_elastic_flavor"] == ("BOOL", "false")
    assert_elb_error(world.other_api.call("GET", f"loadbalancers/{lb['id']}/features"), 404, "ELB.8904")
    assert_elb_error(api.call("GET", f"loadbalancers/{lb['id']}/features", params={"feature": "x"}), 400)


def test_feature_configs_follow_the_recycle_bin(api: Api) -> None:
    before = {one["feature"]: one for one in api.ok("GET", "feature/configs")["configs"]}
    assert before["recycle_bin"]["value"] == "false" and before["recycle_bin"]["tenant_id"] == api.project_id
    api.ok("PUT", "recycle-bin", {"recycle_bin": {"enable": True}})
    api.ok("PUT", "recycle-bin/policy", {"recycle_bin": {"policy": {"retention_hour": 12}}})
    after = api.ok("GET", "feature/configs", params={"feature": "recycle_bin_retention_hour"})
    assert [(one["feature"], one["type"], one["value"]) for one in after["configs"]] == [("recycle_bin_retention_hour", "INT", "12")]
    assert after["configs"][0]["id"] == before["recycle_bin_retention_hour"]["id"]
    assert api.ok("GET", "feature/configs", params={"feature": "recycle_bin"})["configs"][0]["value"] == "true"
    assert api.ok("GET", "feature/configs", params={"feature": "none-such"})["configs"] == []
    assert_elb_error(api.call("GET", "feature/configs", params={"limit": "1"}), 400)
