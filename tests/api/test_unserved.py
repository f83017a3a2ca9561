"""What elbd does not serve yet (schemas/unserved.py) is refused with 400 ELB.8902 naming the attribute,
on create and on update, and nothing of it is stored: no new row is listed, and a refused update leaves
the resource as it was. Values that ask for nothing (null, {}, false, 0), as the official SDK and
Terraform send them, stay accepted. A resource an earlier elbd stored with such a value cannot be
changed until the request sets it right, and can be deleted."""

from typing import Any

import httpx
import pytest

from elbd import udp_engine

from elbd.store.models import HealthMonitor, Listener, Pool
from tests.api.world import Net, assert_elb_error, ids, net, stored_earlier
from tests.conftest import Api

CERT = {"default_tls_container_ref": "0123456789abcdef0123456789abcdef"}
MISSING = "0" * 36


def assert_refused(response: httpx.Response, field: str, *words: str) -> None:
    message = assert_elb_error(response, 400, "ELB.8902")["error_msg"]
    assert message.startswith(f"Invalid input for '{field}': elbd "), message
    for word in words:
        assert word in message, message


def assert_update_refused(api: Api, path: str, wrapper: str, field: str, value: Any) -> None:
    before = api.ok("GET", path)[wrapper]
    assert_refused(api.call("PUT", path, {wrapper: {field: value}}), field)
    assert api.ok("GET", path)[wrapper] == before


# listeners


@pytest.fixture(scope="module")
def lb(alpha: Api) -> dict[str, Any]:
    return alpha.load_balancer(net(alpha).subnet)


@pytest.fixture(scope="module")
def listener(alpha: Api, lb: dict[str, Any]) -> dict[str, Any]:
    return alpha.listener(lb["id"], "HTTP", 80)


def _listener_ids(api: Api, lb_id: str) -> list[str]:
    return ids(api.ok("GET", f"listeners?loadbalancer_id={lb_id}")["listeners"])


def _assert_listener_create_refused(api: Api, lb_id: str, field: str, fields: dict[str, Any], *words: str) -> None:
    before = _listener_ids(api, lb_id)
    body = {"listener": {"loadbalancer_id": lb_id, "protocol": "HTTP", "protocol_port": 8080, **fields}}
    assert_refused(api.call("POST", "listeners", body), field, *words)
    assert _listener_ids(api, lb_id) == before


@pytest.mark.parametrize(
    ("protocol", "comes_with"),
    [
        ("QUIC", "built without QUIC"), ("IP", "gateway load balancer"),
    ],
)
def test_listener_protocols_elbd_does_not_serve(alpha: Api, lb: dict[str, Any], protocol: str, comes_with: str) -> None:
    fields = {"protocol": protocol, **(CERT if protocol == "QUIC" else {})}
    words = (f"{protocol} listeners", comes_with)
    _assert_listener_create_refused(alpha, lb["id"], "protocol", fields, *words)


LISTENER_SETTINGS = [
    ("insert_headers", {"X-Forwarded-TLS-Certificate-ID": True}),
    ("insert_headers", {"X-Real-IP": True, "X-Forwarded-Clientcert-enable": True}),
    ("insert_headers", {"X-Forwarded-Tls-Ja3-enable": True}),
    ("insert_headers", {"X-Forwarded-TLS-Protocol": False, "X-Forwarded-TLS-Protocol-alias": "X-Proto"}),  # an alias
    ("quic_config", {"quic_listener_id": MISSING}),
    ("transparent_client_ip_enable", True),
    ("proxy_protocol_enable", True),
    ("gzip_enable", True),
    ("ssl_early_data_enable", True),
    ("nat64_enable", True),
]


@pytest.mark.parametrize(("field", "value"), LISTENER_SETTINGS)
def test_listener_settings_elbd_does_not_serve_on_create(alpha: Api, lb: dict[str, Any], field: str, value: Any) -> None:
    _assert_listener_create_refused(alpha, lb["id"], field, {field: value})


@pytest.mark.parametrize(("field", "value"), LISTENER_SETTINGS)
def test_listener_settings_elbd_does_not_serve_on_update(alpha: Api, listener: dict[str, Any], field: str, value: Any) -> None:
    assert_update_refused(alpha, f"listeners/{listener['id']}", "listener", field, value)


def test_listener_port_ranges_are_refused(alpha: Api, lb: dict[str, Any]) -> None:
    ranges = [{"start_port": 1000, "end_port": 2000}]
    _assert_listener_create_refused(alpha, lb["id"], "port_ranges", {"protocol": "TCP", "port_ranges": ranges}, "protocol_port")


def test_listener_values_that_ask_for_nothing_are_accepted(alpha: Api, lb: dict[str, Any]) -> None:
    headers = dict.fromkeys(("X-Forwarded-ELB-IP", "X-Forwarded-Port", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP"), False)
    headers |= {"X-Forwarded-TLS-Cipher": False, "X-Forwarded-Clientcert-enable": False, "X-Forwarded-TLS-Protocol-alias": ""}
    neutral = {
        "insert_headers": headers, "enable_member_retry": True, "sni_match_algo": "wildcard", "port_ranges": [],
        "http2_enable": False, "enhance_l7policy_enable": False, "gzip_enable": False, "cps": 0, "connection": 0,
        "security_policy_id": None, "ipgroup": None,
    }
    made = alpha.listener(lb["id"], "HTTP", 8081, **neutral)
    assert made["insert_headers"] == headers and made["enable_member_retry"] is True
    path = f"listeners/{made['id']}"
    changed = alpha.ok("PUT", path, {"listener": {"insert_headers": {}, "cps": 0, "gzip_enable": False, "sni_match_algo": "wildcard"}})
    assert changed["listener"]["insert_headers"] == {} and alpha.ok("GET", path)["listener"] == changed["listener"]


def test_a_listener_an_earlier_elbd_stored_with_a_refused_protocol_can_only_go(alpha: Api, lb: dict[str, Any]) -> None:
    made = alpha.listener(lb["id"], "HTTP", 8082)
    stored_earlier(alpha, Listener, made["id"], protocol="IP")
    path = f"listeners/{made['id']}"
    before = alpha.ok("GET", path)["listener"]
    assert_refused(alpha.call("PUT", path, {"listener": {"name": "renamed"}}), "protocol", "IP listeners")
    assert alpha.ok("GET", path)["listener"] == before
    alpha.ok("DELETE", path)
    assert made["id"] not in _listener_ids(alpha, lb["id"])


def test_a_listener_an_earlier_elbd_stored_with_refused_headers_changes_once_they_are_cleared(alpha: Api, lb: dict[str, Any]) -> None:
    made = alpha.listener(lb["id"], "HTTP", 8083)
    stored_earlier(alpha, Listener, made["id"], insert_headers={"X-Forwarded-Clientcert-subjectdn-enable": True})
    path = f"listeners/{made['id']}"
    assert_refused(alpha.call("PUT", path, {"listener": {"name": "renamed"}}), "insert_headers")
    assert alpha.ok("GET", path)["listener"]["name"] == ""
    changed = alpha.ok("PUT", path, {"listener": {"name": "renamed", "insert_headers": {}}})["listener"]
    assert changed["name"] == "renamed" and changed["insert_headers"] == {}


# backend server groups (pools)


def _pool_ids(api: Api) -> list[str]:
    return ids(api.ok("GET", "pools")["pools"])


def _assert_pool_create_refused(api: Api, field: str, fields: dict[str, Any], *words: str) -> None:
    before = _pool_ids(api)
    body = {"pool": {"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "type": "ip", **fields}}
    assert_refused(api.call("POST", "pools", body), field, *words)
    assert _pool_ids(api) == before


@pytest.mark.parametrize(
    ("fields", "comes_with"),
    [
        ({"protocol": "QUIC", "lb_algorithm": "QUIC_CID", "session_persistence": {"type": "SOURCE_IP"}}, "built without QUIC"),
        ({"protocol": "GRPC"}, "HTTP/2 to the backend servers"),
        ({"protocol": "IP", "lb_algorithm": "5_TUPLE_HASH"}, "gateway load balancer"),
    ],
)
def test_pool_protocols_elbd_does_not_serve(alpha: Api, fields: dict[str, Any], comes_with: str) -> None:
    words = (f"{fields['protocol']} backend server groups", comes_with)
    _assert_pool_create_refused(alpha, "protocol", fields, *words)


POOL_SETTINGS = [
    ("TCP", "pool_health", {"minimum_healthy_member_count": 1}),
    ("HTTP", "az_affinity", {"enable": True}),
]


@pytest.mark.parametrize(("protocol", "field", "value"), POOL_SETTINGS)
def test_pool_settings_elbd_does_not_serve_on_create(alpha: Api, protocol: str, field: str, value: Any) -> None:
    _assert_pool_create_refused(alpha, field, {"protocol": protocol, field: value})


@pytest.fixture(scope="module")
def pools(alpha: Api) -> dict[str, dict[str, Any]]:
    """One served pool of each protocol, kept as it is by the refused updates."""
    return {protocol: alpha.pool(protocol, type="ip") for protocol in ("TCP", "HTTP")}


@pytest.mark.parametrize(("protocol", "field", "value"), POOL_SETTINGS)
def test_pool_settings_elbd_does_not_serve_on_update(
    alpha: Api, pools: dict[str, dict[str, Any]], protocol: str, field: str, value: Any
) -> None:
    assert_update_refused(alpha, f"pools/{pools[protocol]['id']}", "pool", field, value)


NEUTRAL_POOL = {
    "session_persistence": None,
    "slow_start": {"enable": False, "duration": 30},
    "connection_drain": {"enable": False, "timeout": 300},
    "pool_health": {"minimum_healthy_member_count": 0},
    "az_affinity": None,
}


@pytest.mark.parametrize("protocol", ["TCP", "HTTP"])
def test_pool_values_that_ask_for_nothing_are_accepted(alpha: Api, protocol: str) -> None:
    made = alpha.pool(protocol, type="ip", **NEUTRAL_POOL)
    shown = {field: made[field] for field in NEUTRAL_POOL}
    assert shown == NEUTRAL_POOL
    path = f"pools/{made['id']}"
    changed = alpha.ok("PUT", path, {"pool": {**NEUTRAL_POOL, "slow_start": {"enable": False, "duration": 60}}})["pool"]
    assert changed["slow_start"] == {"enable": False, "duration": 60} and alpha.ok("GET", path)["pool"] == changed


def test_a_pool_an_earlier_elbd_stored_with_a_refused_protocol_can_only_go(alpha: Api) -> None:
    made = alpha.pool("TCP", type="ip")
    stored_earlier(alpha, Pool, made["id"], protocol="GRPC")
    path = f"pools/{made['id']}"
    before = alpha.ok("GET", path)["pool"]
    assert_refused(alpha.call("PUT", path, {"pool": {"name": "renamed"}}), "protocol", "GRPC backend server groups")
    assert alpha.ok("GET", path)["pool"] == before
    alpha.ok("DELETE", path)
    assert made["id"] not in _pool_ids(alpha)


def test_a_pool_an_earlier_elbd_stored_with_pool_health_changes_once_it_is_cleared(alpha: Api) -> None:
    made = alpha.pool("TCP", type="ip")
    stored_earlier(alpha, Pool, made["id"], pool_health={"minimum_healthy_member_count": 1})
    path = f"pools/{made['id']}"
    assert_refused(alpha.call("PUT", path, {"pool": {"name": "renamed"}}), "pool_health")
    assert alpha.ok("GET", path)["pool"]["name"] == ""
    changed = alpha.ok("PUT", path, {"pool": {"name": "renamed", "pool_health": {"minimum_healthy_member_count": 0}}})["pool"]
    assert changed["name"] == "renamed" and changed["pool_health"] == {"minimum_healthy_member_count": 0}


# health monitors

CHECK = {"delay": 5, "timeout": 3, "max_retries": 3}


def _monitor_ids(api: Api) -> list[str]:
    return ids(api.ok("GET", "healthmonitors")["healthmonitors"])


def _assert_monitor_create_refused(api: Api, pool_id: str, monitor_type: str, *words: str) -> None:
    before = _monitor_ids(api)
    body = {"healthmonitor": {"pool_id": pool_id, "type": monitor_type, **CHECK}}
    words = (f"{monitor_type} health checks", "runs TCP, UDP_CONNECT, HTTP, HTTPS and TLS checks now", *words)
    assert_refused(api.call("POST", "healthmonitors", body), "type", *words)
    assert _monitor_ids(api) == before
    assert api.ok("GET", f"pools/{pool_id}")["pool"]["healthmonitor_id"] == ""


def test_grpc_checks_are_refused(alpha: Api) -> None:
    _assert_monitor_create_refused(alpha, alpha.pool("HTTP", type="ip")["id"], "GRPC", "GRPC backend server groups")


def test_udp_listeners_pools_and_checks_are_refused_without_the_udp_engine(alpha: Api, lb: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """A host without nginx's stream module answers 400 (saying how to install it), never a 201 that carries nothing."""
    monkeypatch.setattr(udp_engine, "STREAM_MODULE", udp_engine.STREAM_MODULE.with_name("absent.so"))
    _assert_listener_create_refused(alpha, lb["id"], "protocol", {"protocol": "UDP"}, "no UDP engine", "libnginx-mod-stream")
    _assert_pool_create_refused(alpha, "protocol", {"protocol": "UDP"}, "no UDP engine", "libnginx-mod-stream")
    pool = alpha.pool("TCP", type="ip")
    stored_earlier(alpha, Pool, pool["id"], protocol="UDP")
    before = _monitor_ids(alpha)
    body = {"healthmonitor": {"pool_id": pool["id"], "type": "UDP_CONNECT", **CHECK}}
    assert_refused(alpha.call("POST", "healthmonitors", body), "type", "no UDP engine", "libnginx-mod-stream")
    assert _monitor_ids(alpha) == before


def test_a_check_cannot_become_grpc(alpha: Api) -> None:
    monitor = alpha.monitor(alpha.pool("HTTP", type="ip")["id"], "HTTP")
    path = f"healthmonitors/{monitor['id']}"
    assert_refused(alpha.call("PUT", path, {"healthmonitor": {"type": "GRPC", "expected_codes": "0"}}), "type", "GRPC health checks")
    assert alpha.ok("GET", path)["healthmonitor"] == monitor


def test_a_check_an_earlier_elbd_stored_as_grpc_changes_once_its_type_is_served(alpha: Api) -> None:
    monitor = alpha.monitor(alpha.pool("HTTP", type="ip")["id"], "HTTP")
    stored_earlier(alpha, HealthMonitor, monitor["id"], type="GRPC", expected_codes="0")
    path = f"healthmonitors/{monitor['id']}"
    assert_refused(alpha.call("PUT", path, {"healthmonitor": {"delay": 9}}), "type", "GRPC health checks")
    assert alpha.ok("GET", path)["healthmonitor"]["delay"] == 5
    changed = alpha.ok("PUT", path, {"healthmonitor": {"delay": 9, "type": "HTTP", "expected_codes": "200"}})["healthmonitor"]
    assert (changed["delay"], changed["type"], changed["expected_codes"]) == (9, "HTTP", "200")


# load balancers


@pytest.fixture(scope="module")
def lan(alpha: Api) -> Net:
    return net(alpha, "127.11.0.0/24")


def _lb_ids(api: Api) -> list[str]:
    return ids(api.ok("GET", "loadbalancers")["loadbalancers"])


LOAD_BALANCER_SETTINGS = [
    ("waf_failure_action", "forward"),
    ("waf_failure_action", "discard"),
    ("charge_mode", "lcu"),
    ("ipv6_bandwidth", {"id": MISSING}),
    ("prepaid_options", {"period_num": 1}),
    ("autoscaling", {"enable": True}),
]


@pytest.mark.parametrize(
    ("field", "value"),
    [*LOAD_BALANCER_SETTINGS, ("publicip_ids", [MISSING]), ("publicip", {"ip_version": 4}), ("billing_info", "x")],
)
def test_load_balancer_settings_elbd_does_not_serve_on_create(alpha: Api, lan: Net, field: str, value: Any) -> None:
    before = _lb_ids(alpha)
    body = {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": lan.subnet_id, field: value}}
    assert_refused(alpha.call("POST", "loadbalancers", body), field)
    assert _lb_ids(alpha) == before


@pytest.fixture(scope="module")
def load_balancer(alpha: Api, lan: Net) -> dict[str, Any]:
    return alpha.load_balancer(lan.subnet)


@pytest.mark.parametrize(
    ("field", "value"),
    [*LOAD_BALANCER_SETTINGS, ("vip_address", "127.11.0.99"), ("vip_subnet_cidr_id", MISSING), ("ipv6_vip_address", "fd00::9")],
)
def test_load_balancer_settings_elbd_does_not_serve_on_update(
    alpha: Api, load_balancer: dict[str, Any], field: str, value: Any
) -> None:
    assert_update_refused(alpha, f"loadbalancers/{load_balancer['id']}", "loadbalancer", field, value)


def test_load_balancer_values_that_ask_for_nothing_are_accepted(alpha: Api, lan: Net) -> None:
    neutral = {"charge_mode": "flavor", "l4_flavor_id": None, "l7_flavor_id": None, "waf_failure_action": None}
    made = alpha.load_balancer(lan.subnet, **neutral)
    assert (made["charge_mode"], made["l4_flavor_id"], made["l7_flavor_id"]) == ("flavor", "", "")
    path = f"loadbalancers/{made['id']}"
    changed = alpha.ok("PUT", path, {"loadbalancer": {**neutral, "name": "renamed"}})["loadbalancer"]
    assert changed["name"] == "renamed" and alpha.ok("GET", path)["loadbalancer"] == changed
