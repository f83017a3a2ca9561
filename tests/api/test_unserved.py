"""What elbd does not serve yet (service/unserved.py) is refused with 400 ELB.8902 naming the attribute,
on create and on update, and nothing of it is stored: no new row is listed, and a refused update leaves
the resource as it was. Values that ask for nothing (null, {}, false, 0), as the official SDK and
Terraform send them, stay accepted. A resource an earlier elbd stored with such a value cannot be
changed until the request sets it right, and can be deleted."""

from typing import Any

import httpx
import pytest
from sqlalchemy import update

from elbd.store.models import Base, Listener
from tests.api.world import assert_elb_error, ids, net
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


def stored_earlier(api: Api, model: type[Base], row_id: str, **values: Any) -> None:
    """Give a stored row values an earlier elbd accepted and this one refuses."""
    with api.client.app.state.db.write() as session:
        session.execute(update(model).where(model.id == row_id).values(**values))  # type: ignore[attr-defined]


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
        ("HTTPS", "certificate store"), ("TERMINATED_HTTPS", "certificate store"), ("TLS", "certificate store"),
        ("UDP", "UDP engine"), ("QUIC", "UDP engine"), ("IP", "gateway load balancer"),
    ],
)
def test_listener_protocols_elbd_does_not_serve(alpha: Api, lb: dict[str, Any], protocol: str, comes_with: str) -> None:
    fields = {"protocol": protocol, **(CERT if protocol in ("HTTPS", "TERMINATED_HTTPS", "TLS", "QUIC") else {})}
    _assert_listener_create_refused(alpha, lb["id"], "protocol", fields, f"{protocol} listeners", "serves TCP and HTTP listeners now", comes_with)


LISTENER_SETTINGS = [
    ("insert_headers", {"X-Forwarded-Host": True}),  # what Terraform sends unless forward_host = false
    ("insert_headers", {"X-Forwarded-ELB-IP": False, "X-Real-IP": True}),
    ("insert_headers", {"X-Forwarded-Port": "true"}),
    ("enable_member_retry", False),  # what Terraform sends for an HTTP listener unless told otherwise
    ("sni_match_algo", "longest_suffix"),
    ("security_policy_id", MISSING),
    ("ipgroup", {"ipgroup_id": MISSING}),
    ("quic_config", {"quic_listener_id": MISSING}),
    ("transparent_client_ip_enable", True),
    ("proxy_protocol_enable", True),
    ("enhance_l7policy_enable", True),
    ("gzip_enable", True),
    ("ssl_early_data_enable", True),
    ("nat64_enable", True),
    ("cps", 100),
    ("connection", 1000),
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
    stored_earlier(alpha, Listener, made["id"], protocol="HTTPS")
    path = f"listeners/{made['id']}"
    before = alpha.ok("GET", path)["listener"]
    assert_refused(alpha.call("PUT", path, {"listener": {"name": "renamed"}}), "protocol", "HTTPS listeners")
    assert alpha.ok("GET", path)["listener"] == before
    alpha.ok("DELETE", path)
    assert made["id"] not in _listener_ids(alpha, lb["id"])


def test_a_listener_an_earlier_elbd_stored_with_refused_headers_changes_once_they_are_cleared(alpha: Api, lb: dict[str, Any]) -> None:
    made = alpha.listener(lb["id"], "HTTP", 8083)
    stored_earlier(alpha, Listener, made["id"], insert_headers={"X-Real-IP": True})
    path = f"listeners/{made['id']}"
    assert_refused(alpha.call("PUT", path, {"listener": {"name": "renamed"}}), "insert_headers")
    assert alpha.ok("GET", path)["listener"]["name"] == ""
    changed = alpha.ok("PUT", path, {"listener": {"name": "renamed", "insert_headers": {}}})["listener"]
    assert changed["name"] == "renamed" and changed["insert_headers"] == {}
