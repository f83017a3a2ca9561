"""The recycle bin: its setting and policy, what a delete puts in it, restore with everything under the
load balancer, deletion for good, the VIP held meanwhile, and the purge when its time has passed."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from elbd import clock
from tests.api.world import Net, World, assert_elb_error, net
from tests.conftest import Api

BIN = "recycle-bin"


@pytest.fixture
def api(world: World) -> Api:
    return world.project()


@dataclass
class Built:
    lb: dict[str, Any]
    listener: dict[str, Any]
    pool: dict[str, Any]
    member: dict[str, Any]
    monitor: dict[str, Any]
    policy: dict[str, Any]
    lan: Net


def _build(api: Api, cidr: str = "127.10.0.0/24", **lb_extra: Any) -> Built:
    lan = net(api, cidr)
    lb = api.load_balancer(lan.subnet, **lb_extra)
    listener = api.listener(lb["id"], port=80)
    pool = api.pool(listener_id=listener["id"])
    side = api.pool(loadbalancer_id=lb["id"])
    member = api.member(pool["id"], address=cidr.replace("0/24", "50"), protocol_port=8080, subnet_cidr_id=lan.subnet_id)["member"]
    monitor = api.monitor(pool["id"])
    rule = {"type": "PATH", "compare_type": "STARTS_WITH", "value": "/api"}
    policy = api.ok("POST", "l7policies", {"l7policy": {"listener_id": listener["id"], "action": "REDIRECT_TO_POOL", "redirect_pool_id": side["id"], "rules": [rule]}})["l7policy"]
    return Built(lb, listener, pool, member, monitor, policy, lan)


def _paths(built: Built) -> list[str]:
    return [
        f"loadbalancers/{built.lb['id']}",
        f"listeners/{built.listener['id']}",
        f"pools/{built.pool['id']}",
        f"pools/{built.pool['id']}/members/{built.member['id']}",
        f"healthmonitors/{built.monitor['id']}",
        f"l7policies/{built.policy['id']}",
    ]


def _enable(api: Api, **policy: int) -> None:
    api.ok("PUT", BIN, {"recycle_bin": {"enable": True}})
    if policy:
        api.ok("PUT", f"{BIN}/policy", {"recycle_bin": {"policy": policy}})


def _force_delete(api: Api, lb_id: str) -> None:
    api.ok("DELETE", f"loadbalancers/{lb_id}/force-elb", status=204)


def _in_bin(api: Api) -> list[dict[str, Any]]:
    return api.ok("GET", f"{BIN}/loadbalancers")["loadbalancers"]


def test_the_bin_is_off_with_a_policy_by_default_and_keeps_what_it_is_told(api: Api) -> None:
    shown = api.ok("GET", BIN)["recycle_bin"]
    assert shown == {"project_id": api.project_id, "enable": False, "policy": {"retention_hour": 168, "recycle_threshold_hour": 0}}
    assert api.ok("PUT", BIN, {"recycle_bin": {"enable": True}})["recycle_bin"]["enable"] is True
    changed = api.ok("PUT", f"{BIN}/policy", {"recycle_bin": {"policy": {"retention_hour": 24}}})["recycle_bin"]
    assert changed == {"project_id": api.project_id, "enable": True, "policy": {"retention_hour": 24, "recycle_threshold_hour": 0}}
    assert api.ok("GET", BIN)["recycle_bin"] == changed


@pytest.mark.parametrize(
    "body",
    [
        {"recycle_bin": {"policy": {"retention_hour": 0}}},
        {"recycle_bin": {"policy": {"retention_hour": 721}}},
        {"recycle_bin": {"policy": {"recycle_threshold_hour": -1}}},
        {"recycle_bin": {"policy": {"retention_hour": "24"}}},
        {"recycle_bin": {"policy": {"retention_hour": 24, "other": 1}}},
    ],
)
def test_a_bad_policy_is_refused_and_changes_nothing(api: Api, body: dict[str, Any]) -> None:
    assert api.call("PUT", f"{BIN}/policy", body).status_code == 400
    assert api.ok("GET", BIN)["recycle_bin"]["policy"] == {"retention_hour": 168, "recycle_threshold_hour": 0}


def test_with_the_bin_off_a_delete_is_for_good(api: Api) -> None:
    built = _build(api)
    _force_delete(api, built.lb["id"])
    assert _in_bin(api) == []
    assert_elb_error(api.call("PUT", f"{BIN}/loadbalancers/{built.lb['id']}/recover"), 404, "ELB.8904")


def test_a_deleted_load_balancer_waits_in_the_bin_and_comes_back_with_everything_under_it(api: Api) -> None:
    _enable(api)
    built = _build(api)
    _force_delete(api, built.lb["id"])
    for path in _paths(built):
        assert_elb_error(api.call("GET", path), 404, "ELB.8904")
    [kept] = _in_bin(api)
    assert (kept["id"], kept["provisioning_status"], kept["vip_address"]) == (built.lb["id"], "RECYCLING", built.lb["vip_address"])
    assert {one["id"] for one in kept["listeners"]} == {built.listener["id"]} and built.pool["id"] in {one["id"] for one in kept["pools"]}
    assert kept["auto_terminate_time"] > kept["created_at"]
    answer = api.ok("PUT", f"{BIN}/loadbalancers/{built.lb['id']}/recover")
    assert answer["type"] == "v3" and api.ok("GET", f"jobs/{answer['job_id']}")["job"]["job_type"] == "restoreLoadbalancer"
    for path in _paths(built):
        assert api.call("GET", path).status_code == 200, path
    assert api.ok("GET", f"l7policies/{built.policy['id']}")["l7policy"]["rules"]
    assert _in_bin(api) == []
    assert api.ok("GET", f"pools/{built.pool['id']}/members/{built.member['id']}")["member"]["address"] == built.member["address"]


def test_the_vip_is_held_until_the_load_balancer_is_deleted_for_good(api: Api, world: World) -> None:
    _enable(api)
    built = _build(api, "127.10.3.0/24")
    vip = built.lb["vip_address"]
    _force_delete(api, built.lb["id"])
    lan = net(api, "127.10.3.0/24")
    taken = api.call("POST", "loadbalancers", {"loadbalancer": {"vip_subnet_cidr_id": lan.subnet_id, "vip_address": vip}})
    assert_elb_error(taken, 409)
    assert api.load_balancer(lan.subnet)["vip_address"] != vip  # the lowest free address skips it
    pool = api.pool(loadbalancer_id=api.load_balancer(lan.subnet)["id"])
    assert_elb_error(api.call("POST", f"pools/{pool['id']}/members", {"member": {"address": vip, "protocol_port": 80}}), 400)
    other = world.other_api
    other_pool = other.pool(loadbalancer_id=other.load_balancer(net(other, "127.10.4.0/24").subnet)["id"])
    refused = assert_elb_error(other.call("POST", f"pools/{other_pool['id']}/members", {"member": {"address": vip, "protocol_port": 80}}), 400)
    assert built.lb["id"] not in refused["error_msg"]  # another project's is never named
    subnet = f"vpcs/{built.lan.vpc['id']}/subnets/{built.lan.subnet['id']}"
    assert_elb_error(api.call("DELETE", subnet), 409, "ELB.8907")  # the restore would need it
    api.ok("DELETE", f"{BIN}/loadbalancers/{built.lb['id']}", status=204)
    assert _in_bin(api) == []
    api.ok("DELETE", subnet, status=204)
    assert api.load_balancer(lan.subnet, vip_address=vip)["vip_address"] == vip


def test_a_load_balancer_in_the_bin_is_purged_when_its_time_has_passed(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    _enable(api, retention_hour=1)
    built = _build(api, "127.10.5.0/24")
    _force_delete(api, built.lb["id"])
    assert [one["id"] for one in _in_bin(api)] == [built.lb["id"]]
    later = clock.utcnow() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    lan = net(api, "127.10.5.0/24")
    assert api.load_balancer(lan.subnet, vip_address=built.lb["vip_address"])["vip_address"] == built.lb["vip_address"]
    assert_elb_error(api.call("PUT", f"{BIN}/loadbalancers/{built.lb['id']}/recover"), 404, "ELB.8904")
    assert _in_bin(api) == []


def test_a_load_balancer_younger_than_the_threshold_is_deleted_for_good(api: Api) -> None:
    _enable(api, recycle_threshold_hour=1)
    built = _build(api, "127.10.6.0/24")
    _force_delete(api, built.lb["id"])
    assert _in_bin(api) == []


def test_deletion_protection_keeps_a_load_balancer_out_of_the_bin(api: Api) -> None:
    _enable(api)
    built = _build(api, "127.10.7.0/24", deletion_protection_enable=True)
    assert_elb_error(api.call("DELETE", f"loadbalancers/{built.lb['id']}/force-elb"), 409)
    assert _in_bin(api) == []
    assert api.call("GET", f"loadbalancers/{built.lb['id']}").status_code == 200


def test_a_plain_delete_and_a_batch_delete_go_to_the_bin_too(api: Api) -> None:
    _enable(api)
    lan = net(api, "127.10.8.0/24")
    plain, batched = api.load_balancer(lan.subnet), api.load_balancer(lan.subnet)
    api.ok("DELETE", f"loadbalancers/{plain['id']}", status=204)
    api.ok("POST", "loadbalancers/batch-delete", {"loadbalancer_ids": [batched["id"]]}, status=200)
    assert {one["id"] for one in _in_bin(api)} == {plain["id"], batched["id"]}
    assert [one["id"] for one in api.ok("GET", f"{BIN}/loadbalancers", params={"id": plain["id"]})["loadbalancers"]] == [plain["id"]]


def test_restore_is_refused_when_what_it_used_is_gone(api: Api) -> None:
    _enable(api)
    lan = net(api, "127.10.9.0/24")
    lb = api.load_balancer(lan.subnet)
    group = api.ok("POST", "ipgroups", {"ipgroup": {"ip_list": [{"ip": "127.40.0.0/24"}]}})["ipgroup"]
    listener = api.listener(lb["id"], port=80, ipgroup={"ipgroup_id": group["id"]})
    _force_delete(api, lb["id"])
    api.ok("DELETE", f"ipgroups/{group['id']}", status=204)
    refused = assert_elb_error(api.call("PUT", f"{BIN}/loadbalancers/{lb['id']}/recover"), 409)
    assert group["id"] in refused["error_msg"]
    assert [one["id"] for one in _in_bin(api)] == [lb["id"]]
    assert_elb_error(api.call("GET", f"listeners/{listener['id']}"), 404)


def test_another_projects_bin_is_not_seen(api: Api, world: World) -> None:
    _enable(api)
    built = _build(api, "127.10.10.0/24")
    _force_delete(api, built.lb["id"])
    other = world.project()
    assert other.ok("GET", f"{BIN}/loadbalancers")["loadbalancers"] == []
    assert_elb_error(other.call("PUT", f"{BIN}/loadbalancers/{built.lb['id']}/recover"), 404, "ELB.8904")
    assert_elb_error(other.call("DELETE", f"{BIN}/loadbalancers/{built.lb['id']}"), 404, "ELB.8904")
    assert [one["id"] for one in _in_bin(api)] == [built.lb["id"]]


def test_groups_a_cascade_left_behind_rejoin_the_load_balancer_on_restore(api: Api) -> None:
    _enable(api)
    built = _build(api, "127.10.11.0/24")
    api.ok("POST", f"loadbalancers/{built.lb['id']}/delete-cascade", {"loadbalancer": {"unbounded_pool": False}}, status=204)
    assert api.ok("GET", f"pools/{built.pool['id']}")["pool"]["loadbalancers"] == []  # left behind, on no load balancer
    api.ok("PUT", f"{BIN}/loadbalancers/{built.lb['id']}/recover")
    assert api.ok("GET", f"listeners/{built.listener['id']}")["listener"]["default_pool_id"] == built.pool["id"]
    assert api.ok("GET", f"pools/{built.pool['id']}")["pool"]["loadbalancers"] == [{"id": built.lb["id"]}]


def test_a_group_left_behind_and_deleted_meanwhile_keeps_the_restore_out(api: Api) -> None:
    _enable(api)
    built = _build(api, "127.10.12.0/24")
    api.ok("POST", f"loadbalancers/{built.lb['id']}/delete-cascade", {"loadbalancer": {"unbounded_pool": False}}, status=204)
    api.ok("DELETE", f"pools/{built.pool['id']}/delete-cascade", status=204)
    refused = assert_elb_error(api.call("PUT", f"{BIN}/loadbalancers/{built.lb['id']}/recover"), 409)
    assert built.pool["id"] in refused["error_msg"]
    assert [one["id"] for one in _in_bin(api)] == [built.lb["id"]]


@pytest.mark.parametrize("collection", ["loadbalancers", "listeners"])
def test_listings_take_include_recycle_bin_false_and_point_true_at_the_bin(api: Api, collection: str) -> None:
    _enable(api)
    built = _build(api, "127.10.13.0/24")
    _force_delete(api, built.lb["id"])
    listed = api.ok("GET", collection, params={"include_recycle_bin": "false"})[collection]
    assert built.lb["id"] not in str(listed)
    refused = assert_elb_error(api.call("GET", collection, params={"include_recycle_bin": "true"}), 400, "ELB.8902")
    assert "recycle-bin/loadbalancers" in refused["error_msg"]
