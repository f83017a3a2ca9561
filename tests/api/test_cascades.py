"""Deletes that take what is under a resource with them: a load balancer's cascade and force delete,
a listener's force delete, a backend server group's cascade. All or nothing: a refusal deletes none."""

from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.world import World, assert_elb_error, net
from tests.certificates import issue, server_body
from tests.conftest import Api


@pytest.fixture
def api(world: World) -> Api:
    return world.project()


@dataclass
class Built:
    lb: dict[str, Any]
    http: dict[str, Any]
    tcp: dict[str, Any]
    pools: list[dict[str, Any]]  # the HTTP listener's, the TCP listener's, a policy's, one no listener uses
    members: list[dict[str, Any]]
    monitor: dict[str, Any]
    policy: dict[str, Any]
    ipgroup: dict[str, Any]


def _build(api: Api, **lb_extra: Any) -> Built:
    lan = net(api)
    lb = api.load_balancer(lan.subnet, **lb_extra)
    ipgroup = api.ok("POST", "ipgroups", {"ipgroup": {"ip_list": [{"ip": "127.40.0.0/24"}]}})["ipgroup"]
    http = api.listener(lb["id"], port=80, ipgroup={"ipgroup_id": ipgroup["id"]})
    tcp = api.listener(lb["id"], protocol="TCP", port=81)
    pools = [
        api.pool(listener_id=http["id"]),
        api.pool(protocol="TCP", listener_id=tcp["id"]),
        api.pool(loadbalancer_id=lb["id"]),
        api.pool(loadbalancer_id=lb["id"]),
    ]
    members = [api.member(pool["id"], address=f"127.10.0.{20 + n}", protocol_port=8080, subnet_cidr_id=lan.subnet_id)["member"] for n, pool in enumerate(pools)]
    monitor = api.monitor(pools[0]["id"])
    rule = {"type": "PATH", "compare_type": "STARTS_WITH", "value": "/api"}
    policy = api.ok("POST", "l7policies", {"l7policy": {"listener_id": http["id"], "action": "REDIRECT_TO_POOL", "redirect_pool_id": pools[2]["id"], "rules": [rule]}})["l7policy"]
    return Built(lb, http, tcp, pools, members, monitor, policy, ipgroup)


def _gone(api: Api, *paths: str) -> None:
    for path in paths:
        assert_elb_error(api.call("GET", path), 404, "ELB.8904")


def _there(api: Api, *paths: str) -> None:
    for path in paths:
        assert api.call("GET", path).status_code == 200, path


def _everything(built: Built) -> list[str]:
    return [
        f"loadbalancers/{built.lb['id']}",
        f"listeners/{built.http['id']}",
        f"listeners/{built.tcp['id']}",
        *(f"pools/{pool['id']}" for pool in built.pools),
        *(f"pools/{pool['id']}/members/{member['id']}" for pool, member in zip(built.pools, built.members)),
        f"healthmonitors/{built.monitor['id']}",
        f"l7policies/{built.policy['id']}",
    ]


def test_cascade_deletes_the_load_balancer_and_everything_under_it(api: Api) -> None:
    built = _build(api)
    api.ok("POST", f"loadbalancers/{built.lb['id']}/delete-cascade", {"loadbalancer": {"unbounded_pool": True, "public_ip": False}}, status=204)
    _gone(api, *_everything(built))
    assert api.ok("GET", f"ipgroups/{built.ipgroup['id']}/related-listeners")["listeners"] == []
    api.ok("DELETE", f"ipgroups/{built.ipgroup['id']}")


def test_cascade_without_a_body_deletes_the_pools_too(api: Api) -> None:
    built = _build(api)
    api.ok("POST", f"loadbalancers/{built.lb['id']}/delete-cascade", status=204)
    _gone(api, *_everything(built))


def test_force_delete_deletes_everything_under_the_load_balancer(api: Api) -> None:
    built = _build(api)
    api.ok("DELETE", f"loadbalancers/{built.lb['id']}/force-elb")
    _gone(api, *_everything(built))


def test_cascade_keeping_the_pools_leaves_them_on_no_load_balancer(api: Api) -> None:
    built = _build(api)
    api.ok("POST", f"loadbalancers/{built.lb['id']}/delete-cascade", {"loadbalancer": {"unbounded_pool": False}}, status=204)
    _gone(api, f"loadbalancers/{built.lb['id']}", f"listeners/{built.http['id']}", f"l7policies/{built.policy['id']}")
    for pool, member in zip(built.pools, built.members):
        kept = api.ok("GET", f"pools/{pool['id']}")["pool"]
        assert kept["loadbalancers"] == [] and kept["listeners"] == [] and kept["members"] == [{"id": member["id"]}]
    _there(api, f"healthmonitors/{built.monitor['id']}")


@pytest.mark.parametrize("protection", ["load balancer", "members"])
def test_a_protection_keeps_everything(api: Api, protection: str) -> None:
    built = _build(api, deletion_protection_enable=protection == "load balancer")
    if protection == "members":
        api.ok("PUT", f"pools/{built.pools[1]['id']}", {"pool": {"member_deletion_protection_enable": True}})
    for method, path in (("POST", "delete-cascade"), ("DELETE", "force-elb")):
        assert_elb_error(api.call(method, f"loadbalancers/{built.lb['id']}/{path}"), 409, "ELB.8907")
    _there(api, *_everything(built))


def test_pool_cascade_deletes_its_members_and_check_and_unbinds_its_listener(api: Api) -> None:
    built = _build(api)
    pool = built.pools[0]
    api.ok("DELETE", f"pools/{pool['id']}/delete-cascade")
    _gone(api, f"pools/{pool['id']}", f"healthmonitors/{built.monitor['id']}")
    assert api.ok("GET", f"members?pool_id={pool['id']}")["members"] == []
    assert api.ok("GET", f"listeners/{built.http['id']}")["listener"]["default_pool_id"] is None
    _there(api, f"pools/{built.pools[1]['id']}/members/{built.members[1]['id']}")


def test_pool_cascade_keeps_a_pool_a_policy_uses_or_one_protecting_its_members(api: Api) -> None:
    built = _build(api)
    assert_elb_error(api.call("DELETE", f"pools/{built.pools[2]['id']}/delete-cascade"), 409, "ELB.8907")
    api.ok("PUT", f"pools/{built.pools[3]['id']}", {"pool": {"member_deletion_protection_enable": True}})
    assert_elb_error(api.call("DELETE", f"pools/{built.pools[3]['id']}/delete-cascade"), 409, "ELB.8907")
    _there(api, *_everything(built))


def test_listener_force_delete_takes_its_policies_and_leaves_its_pool(api: Api) -> None:
    built = _build(api)
    api.ok("DELETE", f"listeners/{built.http['id']}/force")
    _gone(api, f"listeners/{built.http['id']}", f"l7policies/{built.policy['id']}")
    kept = api.ok("GET", f"pools/{built.pools[0]['id']}")["pool"]
    assert kept["listeners"] == [] and kept["members"] == [{"id": built.members[0]["id"]}]
    _there(api, f"pools/{built.pools[2]['id']}")


def test_listener_force_delete_keeps_a_listener_another_listeners_policy_redirects_to(api: Api) -> None:
    built = _build(api)
    certificate = api.ok("POST", "certificates", server_body(issue("cascade.example.com")))["certificate"]
    https = api.listener(built.lb["id"], protocol="HTTPS", port=443, default_tls_container_ref=certificate["id"])
    body = {"l7policy": {"listener_id": built.http["id"], "action": "REDIRECT_TO_LISTENER", "redirect_listener_id": https["id"]}}
    redirect = api.ok("POST", "l7policies", body)["l7policy"]
    assert_elb_error(api.call("DELETE", f"listeners/{https['id']}/force"), 409, "ELB.8907")
    _there(api, f"listeners/{https['id']}", f"l7policies/{redirect['id']}")
    api.ok("POST", f"loadbalancers/{built.lb['id']}/delete-cascade", status=204)  # both policies are of its listeners
    _gone(api, f"listeners/{https['id']}", f"l7policies/{redirect['id']}", *_everything(built))
    _there(api, f"certificates/{certificate['id']}")
