"""/v3/{project_id}/elb/pools: protocol, algorithm, persistence, type and VPC, attachment, deletion."""

from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.world import Net, assert_elb_error, ids, net, quota, used
from tests.conftest import Api


@dataclass
class Site:
    """A VPC with a subnet and a load balancer (IP targets on) in it."""

    net: Net
    lb: dict[str, Any]

    @property
    def vpc_id(self) -> str:
        return self.net.vpc["id"]


def _site(api: Api) -> Site:
    lan = net(api)
    return Site(lan, api.load_balancer(lan.subnet, ip_target_enable=True))


def _body(protocol: str = "HTTP", algorithm: str = "ROUND_ROBIN", **fields: Any) -> dict[str, Any]:
    return {"pool": {"protocol": protocol, "lb_algorithm": algorithm, **fields}}


def _pool_ids(api: Api) -> list[str]:
    return ids(api.ok("GET", "pools")["pools"])


def _assert_create_refused(api: Api, body: dict[str, Any], status: int, code: str) -> dict[str, Any]:
    before = used(api, "pool")
    error = assert_elb_error(api.call("POST", "pools", body), status, code)
    assert used(api, "pool") == before
    return error


def _show(api: Api, pool_id: str) -> dict[str, Any]:
    return api.ok("GET", f"pools/{pool_id}")["pool"]


def _member(api: Api, site: Site, pool_id: str, address: str = "127.10.0.50") -> dict[str, Any]:
    return api.member(pool_id, address=address, protocol_port=80, subnet_cidr_id=site.net.subnet_id)["member"]


def test_create_answers_201_with_the_pool(alpha: Api) -> None:
    site = _site(alpha)
    response = alpha.call("POST", "pools", _body(loadbalancer_id=site.lb["id"], name="web"))
    assert response.status_code == 201, response.text
    pool = response.json()["pool"]
    assert pool["name"] == "web" and pool["protocol"] == "HTTP" and pool["lb_algorithm"] == "ROUND_ROBIN"
    assert pool["loadbalancers"] == [{"id": site.lb["id"]}] and pool["listeners"] == [] and pool["members"] == []
    assert pool["healthmonitor_id"] == "" and pool["vpc_id"] == site.vpc_id and pool["type"] == ""
    assert pool["admin_state_up"] is True and pool["session_persistence"] is None and pool["any_port_enable"] is False
    assert _show(alpha, pool["id"]) == pool


@pytest.mark.parametrize("missing", ["protocol", "lb_algorithm"])
def test_protocol_and_algorithm_are_required(alpha: Api, missing: str) -> None:
    body = _body(loadbalancer_id=_site(alpha).lb["id"])
    del body["pool"][missing]
    error = _assert_create_refused(alpha, body, 400, "ELB.8902")
    assert missing in error["error_msg"]


def test_unknown_protocol_or_algorithm_is_refused(alpha: Api) -> None:
    lb_id = _site(alpha).lb["id"]
    _assert_create_refused(alpha, _body("SCTP", loadbalancer_id=lb_id), 400, "ELB.8902")
    _assert_create_refused(alpha, _body("HTTP", "RANDOM", loadbalancer_id=lb_id), 400, "ELB.8902")


def test_listener_loadbalancer_or_type_is_required(alpha: Api) -> None:
    _assert_create_refused(alpha, _body(), 400, "ELB.8902")
    _assert_create_refused(alpha, _body(type=""), 400, "ELB.8902")


def test_type_instance_needs_a_vpc(alpha: Api) -> None:
    _assert_create_refused(alpha, _body(type="instance"), 400, "ELB.8902")
    vpc = alpha.vpc()
    pool = alpha.ok("POST", "pools", _body(type="instance", vpc_id=vpc["id"]))["pool"]
    assert pool["type"] == "instance" and pool["vpc_id"] == vpc["id"] and pool["loadbalancers"] == []


def test_a_given_vpc_needs_type_instance(alpha: Api) -> None:
    site = _site(alpha)
    _assert_create_refused(alpha, _body(loadbalancer_id=site.lb["id"], vpc_id=site.vpc_id), 400, "ELB.8902")
    pool = alpha.ok("POST", "pools", _body(loadbalancer_id=site.lb["id"], vpc_id=site.vpc_id, type="instance"))["pool"]
    assert pool["vpc_id"] == site.vpc_id and pool["loadbalancers"] == [{"id": site.lb["id"]}]


def test_type_ip_takes_no_vpc(alpha: Api) -> None:
    vpc = alpha.vpc()
    _assert_create_refused(alpha, _body(type="ip", vpc_id=vpc["id"]), 400, "ELB.8902")
    pool = alpha.ok("POST", "pools", _body(type="ip"))["pool"]
    assert pool["type"] == "ip" and pool["vpc_id"] == ""


def test_unknown_vpc_listener_or_load_balancer_is_not_found(alpha: Api) -> None:
    missing = "0" * 36
    _assert_create_refused(alpha, _body(type="instance", vpc_id=missing), 404, "ELB.8904")
    _assert_create_refused(alpha, _body(listener_id=missing), 404, "ELB.8904")
    _assert_create_refused(alpha, _body(loadbalancer_id=missing), 404, "ELB.8904")


def test_pool_on_a_listener_becomes_its_default_pool(alpha: Api) -> None:
    site = _site(alpha)
    listener = alpha.listener(site.lb["id"])
    pool = alpha.pool(listener_id=listener["id"])
    assert pool["listeners"] == [{"id": listener["id"]}] and pool["loadbalancers"] == [{"id": site.lb["id"]}]
    assert alpha.ok("GET", f"listeners/{listener['id']}")["listener"]["default_pool_id"] == pool["id"]


def test_listener_that_already_has_a_pool_conflicts(alpha: Api) -> None:
    site = _site(alpha)
    listener = alpha.listener(site.lb["id"])
    first = alpha.pool(listener_id=listener["id"])
    _assert_create_refused(alpha, _body(listener_id=listener["id"]), 409, "ELB.8907")
    assert alpha.ok("GET", f"listeners/{listener['id']}")["listener"]["default_pool_id"] == first["id"]


def test_listener_of_another_load_balancer_is_refused(alpha: Api) -> None:
    one, two = _site(alpha), _site(alpha)
    listener = alpha.listener(one.lb["id"])
    _assert_create_refused(alpha, _body(listener_id=listener["id"], loadbalancer_id=two.lb["id"]), 400, "ELB.8902")


def test_listener_protocol_must_take_the_pool_protocol(alpha: Api) -> None:
    listener = alpha.listener(_site(alpha).lb["id"], "TCP", 80)
    _assert_create_refused(alpha, _body("HTTP", listener_id=listener["id"]), 400, "ELB.8902")
    assert alpha.ok("GET", f"listeners/{listener['id']}")["listener"]["default_pool_id"] is None


def test_pool_in_another_vpc_cannot_join_a_load_balancer(alpha: Api) -> None:
    site = _site(alpha)
    _assert_create_refused(alpha, _body(loadbalancer_id=site.lb["id"], type="instance", vpc_id=alpha.vpc()["id"]), 400, "ELB.8902")


@pytest.mark.parametrize("protocol", ["TCP", "UDP", "HTTP", "HTTPS", "TLS", "GRPC"])
def test_quic_cid_only_for_quic_pools(alpha: Api, protocol: str) -> None:
    _assert_create_refused(alpha, _body(protocol, "QUIC_CID", type="ip"), 400, "ELB.8902")


def test_quic_pool_needs_source_ip_persistence(alpha: Api) -> None:
    _assert_create_refused(alpha, _body("QUIC", type="ip"), 400, "ELB.8902")
    _assert_create_refused(alpha, _body("QUIC", type="ip", session_persistence={"type": "HTTP_COOKIE"}), 400, "ELB.8902")


@pytest.mark.parametrize("protocol", ["TCP", "UDP", "TLS"])
@pytest.mark.parametrize("kind", ["HTTP_COOKIE", "APP_COOKIE"])
def test_l4_pools_take_source_ip_persistence_only(alpha: Api, protocol: str, kind: str) -> None:
    persistence = {"type": kind, **({"cookie_name": "sid"} if kind == "APP_COOKIE" else {})}
    _assert_create_refused(alpha, _body(protocol, type="ip", session_persistence=persistence), 400, "ELB.8902")


@pytest.mark.parametrize("protocol", ["HTTP", "HTTPS", "GRPC"])
def test_l7_pools_refuse_source_ip_persistence(alpha: Api, protocol: str) -> None:
    _assert_create_refused(alpha, _body(protocol, type="ip", session_persistence={"type": "SOURCE_IP"}), 400, "ELB.8902")


def test_cookie_name_only_with_app_cookie(alpha: Api) -> None:
    body = _body(type="ip", session_persistence={"type": "HTTP_COOKIE", "cookie_name": "sid"})
    error = _assert_create_refused(alpha, body, 400, "ELB.8902")
    assert "'session_persistence.cookie_name'" in error["error_msg"]
    made = alpha.ok("POST", "pools", _body(type="ip", session_persistence={"type": "APP_COOKIE", "cookie_name": "sid"}))["pool"]
    assert made["session_persistence"] == {"type": "APP_COOKIE", "cookie_name": "sid", "persistence_timeout": 1440}


@pytest.mark.parametrize("name", ["a b", "sid;x", "sid=1", "s\nid", "'sid'", "s,id", "sid\"", "#sid", "sid$"])
def test_app_cookie_name_is_a_token(alpha: Api, name: str) -> None:
    """The name goes into the configuration and into Set-Cookie headers: letters, digits, `_`, `.`, `-`."""
    _assert_create_refused(alpha, _body(type="ip", session_persistence={"type": "APP_COOKIE", "cookie_name": name}), 400, "ELB.8902")


def test_app_cookie_needs_a_cookie_name(alpha: Api) -> None:
    _assert_create_refused(alpha, _body(type="ip", session_persistence={"type": "APP_COOKIE"}), 400, "ELB.8902")


def test_session_persistence_needs_a_type(alpha: Api) -> None:
    _assert_create_refused(alpha, _body(type="ip", session_persistence={"persistence_timeout": 5}), 400, "ELB.8902")


@pytest.mark.parametrize(
    ("protocol", "persistence", "timeout", "valid"),
    [
        ("TCP", "SOURCE_IP", 60, True), ("TCP", "SOURCE_IP", 61, False), ("UDP", "SOURCE_IP", 61, False),
        ("TCP", "SOURCE_IP", 0, False), ("HTTP", "HTTP_COOKIE", 1440, True), ("HTTP", "HTTP_COOKIE", 1441, False),
        ("HTTP", "HTTP_COOKIE", 0, False),
    ],
)
def test_persistence_timeout_range(alpha: Api, protocol: str, persistence: str, timeout: int, valid: bool) -> None:
    body = _body(protocol, type="ip", session_persistence={"type": persistence, "persistence_timeout": timeout})
    if valid:
        assert alpha.ok("POST", "pools", body)["pool"]["session_persistence"]["persistence_timeout"] == timeout
        return
    message = _assert_create_refused(alpha, body, 400, "ELB.8902")["error_msg"]
    assert "session_persistence.persistence_timeout'" in message, message


def test_any_port_enable_on_tcp(alpha: Api) -> None:
    assert alpha.ok("POST", "pools", _body("TCP", type="ip", any_port_enable=True))["pool"]["any_port_enable"] is True


@pytest.mark.parametrize("protocol", ["HTTP", "HTTPS", "TLS", "GRPC"])
def test_any_port_enable_refused_elsewhere(alpha: Api, protocol: str) -> None:
    _assert_create_refused(alpha, _body(protocol, type="ip", any_port_enable=True), 400, "ELB.8902")


@pytest.mark.parametrize(("protocol", "ip_version"), [("TCP", "dualstack"), ("HTTP", "v4")])
def test_ip_version_default(alpha: Api, protocol: str, ip_version: str) -> None:
    assert alpha.ok("POST", "pools", _body(protocol, type="ip"))["pool"]["ip_version"] == ip_version


def test_ip_version_can_be_chosen(alpha: Api) -> None:
    assert alpha.ok("POST", "pools", _body("TCP", type="ip", ip_version="v4"))["pool"]["ip_version"] == "v4"
    _assert_create_refused(alpha, _body("TCP", type="ip", ip_version="v6"), 400, "ELB.8902")


def test_admin_state_up_false_is_refused(alpha: Api) -> None:
    _assert_create_refused(alpha, _body(type="ip", admin_state_up=False), 400, "ELB.8902")
    assert alpha.ok("POST", "pools", _body(type="ip", admin_state_up=True))["pool"]["admin_state_up"] is True
    pool = alpha.pool(type="ip")
    assert_elb_error(alpha.call("PUT", f"pools/{pool['id']}", {"pool": {"admin_state_up": False}}), 400, "ELB.8902")
    assert _show(alpha, pool["id"])["admin_state_up"] is True


def test_update_changes_algorithm_and_name(alpha: Api) -> None:
    pool = alpha.pool(type="ip")
    body = alpha.ok("PUT", f"pools/{pool['id']}", {"pool": {"lb_algorithm": "LEAST_CONNECTIONS", "name": "renamed"}})
    assert body["pool"]["lb_algorithm"] == "LEAST_CONNECTIONS" and body["pool"]["name"] == "renamed"
    assert _show(alpha, pool["id"])["lb_algorithm"] == "LEAST_CONNECTIONS"
    assert_elb_error(alpha.call("PUT", f"pools/{pool['id']}", {"pool": {"lb_algorithm": "QUIC_CID"}}), 400, "ELB.8902")


def test_update_session_persistence_follows_the_rules(alpha: Api) -> None:
    pool = alpha.pool("TCP", type="ip")
    path = f"pools/{pool['id']}"
    error = assert_elb_error(alpha.call("PUT", path, {"pool": {"session_persistence": {"type": "HTTP_COOKIE"}}}), 400, "ELB.8902")
    assert "'session_persistence.type'" in error["error_msg"]
    assert _show(alpha, pool["id"])["session_persistence"] is None
    changed = alpha.ok("PUT", path, {"pool": {"session_persistence": {"type": "SOURCE_IP"}}})["pool"]
    assert changed["session_persistence"] == {"type": "SOURCE_IP", "cookie_name": None, "persistence_timeout": 1}
    assert alpha.ok("PUT", path, {"pool": {"session_persistence": None}})["pool"]["session_persistence"] is None


@pytest.mark.parametrize("algorithm", ["LEAST_CONNECTIONS", "SOURCE_IP"])
def test_slow_start_needs_weighted_round_robin(alpha: Api, algorithm: str) -> None:
    slow = {"enable": True, "duration": 60}
    error = _assert_create_refused(alpha, _body("HTTP", algorithm, type="ip", slow_start=slow), 400, "ELB.8902")
    assert "ROUND_ROBIN" in error["error_msg"]
    pool = alpha.ok("POST", "pools", _body(type="ip", slow_start=slow))["pool"]
    assert pool["slow_start"] == slow
    path = f"pools/{pool['id']}"
    assert "ROUND_ROBIN" in assert_elb_error(alpha.call("PUT", path, {"pool": {"lb_algorithm": algorithm}}), 400, "ELB.8902")["error_msg"]
    assert _show(alpha, pool["id"])["lb_algorithm"] == "ROUND_ROBIN"
    changed = alpha.ok("PUT", path, {"pool": {"lb_algorithm": algorithm, "slow_start": {"enable": False, "duration": 60}}})["pool"]
    assert changed["lb_algorithm"] == algorithm and changed["slow_start"]["enable"] is False


@pytest.mark.parametrize("protocol", ["TCP", "TLS"])
def test_slow_start_only_for_http_pools(alpha: Api, protocol: str) -> None:
    _assert_create_refused(alpha, _body(protocol, type="ip", slow_start={"enable": True, "duration": 60}), 400, "ELB.8902")


@pytest.mark.parametrize(("timeout", "valid"), [(9, False), (10, True), (4000, True), (4001, False)])
def test_connection_drain_timeout_range(alpha: Api, timeout: int, valid: bool) -> None:
    body = _body("TCP", type="ip", connection_drain={"enable": True, "timeout": timeout})
    if valid:
        assert alpha.ok("POST", "pools", body)["pool"]["connection_drain"] == {"enable": True, "timeout": timeout}
    else:
        _assert_create_refused(alpha, body, 400, "ELB.8902")


def test_update_type_to_ip_on_a_load_balancer(alpha: Api) -> None:
    pool = alpha.pool(loadbalancer_id=_site(alpha).lb["id"])
    assert alpha.ok("PUT", f"pools/{pool['id']}", {"pool": {"type": "ip"}})["pool"]["type"] == "ip"


def test_update_type_to_ip_refused_with_instance_members(alpha: Api) -> None:
    site = _site(alpha)
    pool = alpha.pool(loadbalancer_id=site.lb["id"])
    _member(alpha, site, pool["id"])
    assert_elb_error(alpha.call("PUT", f"pools/{pool['id']}", {"pool": {"type": "ip"}}), 400, "ELB.8902")
    assert _show(alpha, pool["id"])["type"] == ""


def test_update_type_only_while_empty(alpha: Api) -> None:
    site = _site(alpha)
    pool = alpha.pool(loadbalancer_id=site.lb["id"])
    assert alpha.ok("PUT", f"pools/{pool['id']}", {"pool": {"type": "instance"}})["pool"]["type"] == "instance"
    assert_elb_error(alpha.call("PUT", f"pools/{pool['id']}", {"pool": {"type": "ip"}}), 400, "ELB.8902")
    assert_elb_error(alpha.call("PUT", f"pools/{pool['id']}", {"pool": {"type": ""}}), 400, "ELB.8902")
    assert _show(alpha, pool["id"])["type"] == "instance"


def test_update_vpc_only_while_empty(alpha: Api) -> None:
    site = _site(alpha)
    pool = alpha.pool(loadbalancer_id=site.lb["id"])
    assert_elb_error(alpha.call("PUT", f"pools/{pool['id']}", {"pool": {"vpc_id": alpha.vpc()["id"]}}), 400, "ELB.8902")
    assert _show(alpha, pool["id"])["vpc_id"] == site.vpc_id
    assert alpha.ok("PUT", f"pools/{pool['id']}", {"pool": {"vpc_id": site.vpc_id}})["pool"]["vpc_id"] == site.vpc_id


def test_update_vpc_of_an_ip_pool_is_refused(alpha: Api) -> None:
    pool = alpha.pool(type="ip")
    assert_elb_error(alpha.call("PUT", f"pools/{pool['id']}", {"pool": {"vpc_id": alpha.vpc()["id"]}}), 400, "ELB.8902")
    assert _show(alpha, pool["id"])["vpc_id"] == ""


@pytest.mark.parametrize("field", [{"protocol": "TCP"}, {"listener_id": "0" * 36}, {"loadbalancer_id": "0" * 36}, {"ip_version": "v4"}])
def test_create_only_attributes_are_not_updatable(alpha: Api, field: dict[str, Any]) -> None:
    pool = alpha.pool(type="ip")
    error = assert_elb_error(alpha.call("PUT", f"pools/{pool['id']}", {"pool": field}), 400, "ELB.8902")
    assert "Unrecognized attribute" in error["error_msg"]
    assert _show(alpha, pool["id"]) == pool


def test_update_any_port_enable_only_on_fitting_protocols(alpha: Api) -> None:
    pool = alpha.pool("HTTP", type="ip")
    assert_elb_error(alpha.call("PUT", f"pools/{pool['id']}", {"pool": {"any_port_enable": True}}), 400, "ELB.8902")
    assert _show(alpha, pool["id"])["any_port_enable"] is False


def test_update_any_port_enable_needs_a_monitor_port(alpha: Api) -> None:
    pool = alpha.pool("TCP", type="ip")
    monitor = alpha.monitor(pool["id"], "TCP")
    assert_elb_error(alpha.call("PUT", f"pools/{pool['id']}", {"pool": {"any_port_enable": True}}), 400, "ELB.8902")
    assert _show(alpha, pool["id"])["any_port_enable"] is False
    alpha.ok("PUT", f"healthmonitors/{monitor['id']}", {"healthmonitor": {"monitor_port": 8080}})
    assert alpha.ok("PUT", f"pools/{pool['id']}", {"pool": {"any_port_enable": True}})["pool"]["any_port_enable"] is True


def test_response_lists_listeners_load_balancers_members_and_monitor(alpha: Api) -> None:
    site = _site(alpha)
    listener = alpha.listener(site.lb["id"])
    pool = alpha.pool(listener_id=listener["id"])
    member = _member(alpha, site, pool["id"])
    monitor = alpha.monitor(pool["id"])
    shown = _show(alpha, pool["id"])
    assert shown["listeners"] == [{"id": listener["id"]}] and shown["loadbalancers"] == [{"id": site.lb["id"]}]
    assert shown["members"] == [{"id": member["id"]}] and shown["healthmonitor_id"] == monitor["id"]
    assert alpha.ok("GET", f"loadbalancers/{site.lb['id']}")["loadbalancer"]["pools"] == [{"id": pool["id"]}]


def test_delete_with_members_conflicts(alpha: Api) -> None:
    site = _site(alpha)
    pool = alpha.pool(loadbalancer_id=site.lb["id"])
    member = _member(alpha, site, pool["id"])
    assert_elb_error(alpha.call("DELETE", f"pools/{pool['id']}", None), 409, "ELB.8907")
    assert _show(alpha, pool["id"])["members"] == [{"id": member["id"]}]
    alpha.ok("DELETE", f"pools/{pool['id']}/members/{member['id']}")
    alpha.ok("DELETE", f"pools/{pool['id']}")


def test_delete_with_a_monitor_conflicts(alpha: Api) -> None:
    pool = alpha.pool(loadbalancer_id=_site(alpha).lb["id"])
    monitor = alpha.monitor(pool["id"])
    assert_elb_error(alpha.call("DELETE", f"pools/{pool['id']}", None), 409, "ELB.8907")
    assert _show(alpha, pool["id"])["healthmonitor_id"] == monitor["id"]
    alpha.ok("DELETE", f"healthmonitors/{monitor['id']}")
    alpha.ok("DELETE", f"pools/{pool['id']}")
    assert_elb_error(alpha.call("GET", f"pools/{pool['id']}", None), 404, "ELB.8904")


def test_delete_clears_the_listeners_default_pool(alpha: Api) -> None:
    site = _site(alpha)
    listener = alpha.listener(site.lb["id"])
    pool = alpha.pool(listener_id=listener["id"])
    alpha.ok("DELETE", f"pools/{pool['id']}")
    assert alpha.ok("GET", f"listeners/{listener['id']}")["listener"]["default_pool_id"] is None
    assert alpha.ok("GET", f"loadbalancers/{site.lb['id']}")["loadbalancer"]["pools"] == []
    assert alpha.pool(listener_id=listener["id"])["listeners"] == [{"id": listener["id"]}]


def test_list_filters_by_listener_and_monitor(alpha: Api) -> None:
    site = _site(alpha)
    listener = alpha.listener(site.lb["id"])
    on_listener = alpha.pool(listener_id=listener["id"])
    monitored = alpha.pool(loadbalancer_id=site.lb["id"])
    monitor = alpha.monitor(monitored["id"])
    assert ids(alpha.ok("GET", f"pools?listener_id={listener['id']}")["pools"]) == [on_listener["id"]]
    assert ids(alpha.ok("GET", f"pools?healthmonitor_id={monitor['id']}")["pools"]) == [monitored["id"]]
    assert ids(alpha.ok("GET", f"pools?loadbalancer_id={site.lb['id']}")["pools"]) == [on_listener["id"], monitored["id"]]
    by_lb_and_protocol = f"pools?loadbalancer_id={site.lb['id']}&protocol=TCP"
    assert alpha.ok("GET", by_lb_and_protocol)["pools"] == []


def test_list_filters_by_member_address(alpha: Api) -> None:
    site = _site(alpha)
    pool = alpha.pool(loadbalancer_id=site.lb["id"])
    _member(alpha, site, pool["id"], "127.10.0.77")
    found = alpha.ok("GET", f"pools?member_address=127.10.0.77&loadbalancer_id={site.lb['id']}")["pools"]
    assert ids(found) == [pool["id"]]


def test_list_unknown_filter_is_refused(alpha: Api) -> None:
    assert_elb_error(alpha.call("GET", "pools?colour=blue", None), 400, "ELB.8902")


def test_pool_quota(alpha: Api) -> None:
    with quota(alpha, "pool", used(alpha, "pool") + 1):
        alpha.pool(type="ip")
        error = _assert_create_refused(alpha, _body(type="ip"), 409, "ELB.8905")
        assert "Quota exceeded" in error["error_msg"]


def test_another_projects_pool_is_not_found(alpha: Api, beta: Api) -> None:
    theirs = beta.pool(type="ip")
    assert_elb_error(alpha.call("GET", f"pools/{theirs['id']}", None), 404, "ELB.8904")
    assert_elb_error(alpha.call("PUT", f"pools/{theirs['id']}", {"pool": {"name": "x"}}), 404, "ELB.8904")
    assert_elb_error(alpha.call("DELETE", f"pools/{theirs['id']}", None), 404, "ELB.8904")
    assert _show(beta, theirs["id"]) == theirs


def test_another_projects_listener_lb_or_vpc_is_not_found(alpha: Api, beta: Api) -> None:
    site = _site(beta)
    listener = beta.listener(site.lb["id"])
    _assert_create_refused(alpha, _body(listener_id=listener["id"]), 404, "ELB.8904")
    _assert_create_refused(alpha, _body(loadbalancer_id=site.lb["id"]), 404, "ELB.8904")
    _assert_create_refused(alpha, _body(type="instance", vpc_id=site.vpc_id), 404, "ELB.8904")
    assert beta.ok("GET", f"listeners/{listener['id']}")["listener"]["default_pool_id"] is None


def test_lists_never_show_another_projects_pools(alpha: Api, beta: Api) -> None:
    site = _site(beta)
    listener = beta.listener(site.lb["id"])
    theirs = beta.pool(listener_id=listener["id"])
    assert theirs["id"] not in _pool_ids(alpha)
    assert alpha.ok("GET", f"pools?listener_id={listener['id']}")["pools"] == []
    assert alpha.ok("GET", f"pools?loadbalancer_id={site.lb['id']}")["pools"] == []
    assert alpha.ok("GET", f"pools?id={theirs['id']}")["pools"] == []


# the elbd extension elbd_connection_reuse


def test_an_http_pool_shares_backend_connections_by_default_and_may_keep_them_private(alpha: Api) -> None:
    assert alpha.pool("HTTP", type="ip")["elbd_connection_reuse"] is True
    private = alpha.pool("HTTP", type="ip", elbd_connection_reuse=False)
    assert private["elbd_connection_reuse"] is False
    shared = alpha.ok("PUT", f"pools/{private['id']}", {"pool": {"elbd_connection_reuse": True}})["pool"]
    assert shared["elbd_connection_reuse"] is True
    assert alpha.ok("GET", f"pools/{private['id']}")["pool"]["elbd_connection_reuse"] is True


@pytest.mark.parametrize("value", [False, True])
def test_a_tcp_pool_has_no_connection_reuse_to_set(alpha: Api, value: bool) -> None:
    body = {"pool": {"protocol": "TCP", "lb_algorithm": "ROUND_ROBIN", "type": "ip", "elbd_connection_reuse": value}}
    error = assert_elb_error(alpha.call("POST", "pools", body), 400, "ELB.8902")
    assert error["error_msg"] == "Invalid input for 'elbd_connection_reuse': only HTTP, HTTPS, GRPC backend server groups reuse connections."
    tcp = alpha.pool("TCP", type="ip")
    assert tcp["elbd_connection_reuse"] is True
    assert_elb_error(alpha.call("PUT", f"pools/{tcp['id']}", {"pool": {"elbd_connection_reuse": value}}), 400, "ELB.8902")


def test_connection_reuse_is_a_boolean(alpha: Api) -> None:
    body = {"pool": {"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "type": "ip", "elbd_connection_reuse": "false"}}
    assert_elb_error(alpha.call("POST", "pools", body), 400, "ELB.8902")


@pytest.mark.parametrize("field, value", [("any_port_enable", True), ("connection_drain", {"enable": True, "timeout": 30})])
def test_a_udp_pool_takes_nothing_its_engine_would_not_serve(api: Api, field: str, value: Any) -> None:
    site = _site(api)
    error = _assert_create_refused(api, _body("UDP", loadbalancer_id=site.lb["id"], **{field: value}), 400, "ELB.8902")
    assert "UDP" in error["error_msg"]
    pool = api.ok("POST", "pools", _body("UDP", loadbalancer_id=site.lb["id"]))["pool"]
    assert_elb_error(api.call("PUT", f"pools/{pool['id']}", {"pool": {field: value}}), 400, "ELB.8902")
    assert _show(api, pool["id"])[field] in (False, {"enable": False, "timeout": 300})
