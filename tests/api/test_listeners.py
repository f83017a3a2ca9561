"""/v3/{project_id}/elb/listeners: protocols, ports, timeouts, HTTP/2 and the default pool."""

import itertools
from typing import Any

import pytest

from tests.api.world import assert_elb_error, ids, net, quota, used
from tests.certificates import issue, server_body
from tests.conftest import Api

CERT = {"default_tls_container_ref": "0123456789abcdef0123456789abcdef"}
NEEDS_CERT = ("HTTPS", "TLS", "QUIC")
HTTP_TIMEOUTS = ("client_timeout", "member_timeout")


def _lb(api: Api) -> dict[str, Any]:
    return api.load_balancer(net(api).subnet)


def _body(lb_id: str, protocol: str, port: int, **fields: Any) -> dict[str, Any]:
    certificate = CERT if protocol in NEEDS_CERT + ("TERMINATED_HTTPS",) else {}
    return {"listener": {"loadbalancer_id": lb_id, "protocol": protocol, "protocol_port": port, **certificate, **fields}}


def _create(api: Api, lb_id: str, protocol: str = "HTTP", port: int = 80, **fields: Any) -> dict[str, Any]:
    return api.ok("POST", "listeners", _body(lb_id, protocol, port, **fields))["listener"]


def _listeners_of(api: Api, lb_id: str) -> list[dict[str, Any]]:
    return api.ok("GET", f"listeners?loadbalancer_id={lb_id}")["listeners"]


def _assert_create_refused(api: Api, body: dict[str, Any], status: int, code: str) -> dict[str, Any]:
    lb_id = body["listener"]["loadbalancer_id"]
    before = ids(_listeners_of(api, lb_id))
    error = assert_elb_error(api.call("POST", "listeners", body), status, code)
    assert ids(_listeners_of(api, lb_id)) == before
    return error


@pytest.fixture(scope="module")
def bare_lb(alpha: Api) -> str:
    """A load balancer for requests that must be refused: it keeps no listener."""
    return _lb(alpha)["id"]


def _assert_refused_on_bare(api: Api, bare_lb: str, protocol: Any, port: Any, **fields: Any) -> None:
    assert_elb_error(api.call("POST", "listeners", _body(bare_lb, protocol, port, **fields)), 400, "ELB.8902")
    assert _listeners_of(api, bare_lb) == [], (protocol, port, fields)


def _pool(api: Api, lb_id: str, protocol: str, **fields: Any) -> dict[str, Any]:
    return api.pool(protocol, loadbalancer_id=lb_id, **fields)


@pytest.mark.parametrize("protocol", ["TCP", "HTTP"])
def test_each_served_protocol_makes_a_listener(alpha: Api, protocol: str) -> None:
    lb = _lb(alpha)
    response = alpha.call("POST", "listeners", _body(lb["id"], protocol, 443))
    assert response.status_code == 201, response.text
    listener = response.json()["listener"]
    assert listener["protocol"] == protocol and listener["protocol_port"] == 443
    assert listener["loadbalancers"] == [{"id": lb["id"]}] and listener["default_pool_id"] is None
    assert alpha.ok("GET", f"listeners/{listener['id']}")["listener"] == listener
    assert alpha.ok("GET", f"loadbalancers/{lb['id']}")["loadbalancer"]["listeners"] == [{"id": listener["id"]}]


@pytest.mark.parametrize("protocol", NEEDS_CERT)
def test_certificate_protocols_need_a_server_certificate(alpha: Api, bare_lb: str, protocol: str) -> None:
    """The API's rule still answers first, though elbd serves none of these yet (test_unserved.py)."""
    _assert_refused_on_bare(alpha, bare_lb, protocol, 443, default_tls_container_ref=None)
    body = _body(bare_lb, protocol, 443)
    del body["listener"]["default_tls_container_ref"]
    error = assert_elb_error(alpha.call("POST", "listeners", body), 400, "ELB.8902")
    assert "'default_tls_container_ref'" in error["error_msg"]
    assert _listeners_of(alpha, bare_lb) == []


@pytest.mark.parametrize("protocol", ["TCP", "UDP", "HTTP"])
def test_plain_protocols_take_no_certificate(alpha: Api, bare_lb: str, protocol: str) -> None:
    _assert_refused_on_bare(alpha, bare_lb, protocol, 80, **CERT)


def test_unknown_protocol_is_refused(alpha: Api, bare_lb: str) -> None:
    _assert_refused_on_bare(alpha, bare_lb, "SCTP", 80)


@pytest.mark.parametrize("port", [0, 65536, -1])
def test_port_must_be_1_to_65535(alpha: Api, bare_lb: str, port: int) -> None:
    _assert_refused_on_bare(alpha, bare_lb, "TCP", port)


def test_port_is_a_json_integer(alpha: Api, bare_lb: str) -> None:
    _assert_refused_on_bare(alpha, bare_lb, "TCP", "80")


def test_port_0_with_port_ranges_is_refused(alpha: Api, bare_lb: str) -> None:
    _assert_refused_on_bare(alpha, bare_lb, "TCP", 0, port_ranges=[{"start_port": 1000, "end_port": 2000}])


def test_unknown_load_balancer_is_not_found(alpha: Api) -> None:
    assert_elb_error(alpha.call("POST", "listeners", _body("0" * 36, "TCP", 80)), 404, "ELB.8904")


def test_tcp_based_listeners_share_no_port(alpha: Api) -> None:
    lb = _lb(alpha)
    pairs = list(itertools.product(("TCP", "HTTP"), repeat=2))
    for port, (first, second) in enumerate(pairs, start=1000):
        _create(alpha, lb["id"], first, port)
        error = assert_elb_error(alpha.call("POST", "listeners", _body(lb["id"], second, port)), 409, "ELB.8907")
        assert "already has a listener" in error["error_msg"], (first, second)
    assert len(_listeners_of(alpha, lb["id"])) == len(pairs)


def test_same_port_on_another_load_balancer_is_fine(alpha: Api) -> None:
    one, two = _lb(alpha), _lb(alpha)
    _create(alpha, one["id"], "TCP", 80)
    assert _create(alpha, two["id"], "TCP", 80)["protocol_port"] == 80


def test_deleting_a_listener_frees_its_port(alpha: Api) -> None:
    lb = _lb(alpha)
    listener = _create(alpha, lb["id"], "TCP", 80)
    alpha.ok("DELETE", f"listeners/{listener['id']}")
    assert_elb_error(alpha.call("GET", f"listeners/{listener['id']}", None), 404, "ELB.8904")
    assert _create(alpha, lb["id"], "HTTP", 80)["protocol_port"] == 80


@pytest.mark.parametrize(("protocol", "default"), [("TCP", 300), ("HTTP", 60)])
def test_keepalive_timeout_default(alpha: Api, protocol: str, default: int) -> None:
    assert _create(alpha, _lb(alpha)["id"], protocol, 80)["keepalive_timeout"] == default


KEEPALIVE_CASES = [
    ("TCP", 10, True), ("TCP", 4000, True), ("TCP", 9, False), ("TCP", 0, False), ("TCP", 4001, False),
    ("HTTP", 0, True), ("HTTP", 4000, True), ("HTTP", 4001, False), ("HTTP", -1, False),
]


def test_keepalive_timeout_range_per_protocol(alpha: Api) -> None:
    lb = _lb(alpha)
    for port, (protocol, value, accepted) in enumerate(KEEPALIVE_CASES, start=1000):
        body = _body(lb["id"], protocol, port, keepalive_timeout=value)
        if accepted:
            assert alpha.ok("POST", "listeners", body)["listener"]["keepalive_timeout"] == value
        else:
            assert_elb_error(alpha.call("POST", "listeners", body), 400, "ELB.8902")
    assert len(_listeners_of(alpha, lb["id"])) == sum(accepted for _, _, accepted in KEEPALIVE_CASES)


def test_keepalive_timeout_range_holds_on_update(alpha: Api) -> None:
    listener = _create(alpha, _lb(alpha)["id"], "TCP", 80)
    assert_elb_error(alpha.call("PUT", f"listeners/{listener['id']}", {"listener": {"keepalive_timeout": 5}}), 400, "ELB.8902")
    assert alpha.ok("GET", f"listeners/{listener['id']}")["listener"]["keepalive_timeout"] == 300
    body = alpha.ok("PUT", f"listeners/{listener['id']}", {"listener": {"keepalive_timeout": 20}})
    assert body["listener"]["keepalive_timeout"] == 20


@pytest.mark.parametrize("field", HTTP_TIMEOUTS)
def test_http_timeouts_default_to_60(alpha: Api, field: str) -> None:
    lb = _lb(alpha)
    assert _create(alpha, lb["id"], "HTTP", 80)[field] == 60
    assert _create(alpha, lb["id"], "TCP", 81)[field] is None


def test_http_timeouts_only_on_http_listeners(alpha: Api, bare_lb: str) -> None:
    for field, protocol in itertools.product(HTTP_TIMEOUTS, ("TCP", "UDP", "TLS", "QUIC")):
        _assert_refused_on_bare(alpha, bare_lb, protocol, 80, **{field: 30})


@pytest.mark.parametrize("field", HTTP_TIMEOUTS)
def test_http_timeouts_only_on_http_listeners_on_update(alpha: Api, field: str) -> None:
    listener = _create(alpha, _lb(alpha)["id"], "TCP", 80)
    assert_elb_error(alpha.call("PUT", f"listeners/{listener['id']}", {"listener": {field: 30}}), 400, "ELB.8902")
    assert alpha.ok("GET", f"listeners/{listener['id']}")["listener"][field] is None


def test_http_timeouts_range_1_to_300(alpha: Api) -> None:
    lb = _lb(alpha)
    cases = list(itertools.product(HTTP_TIMEOUTS, ((1, True), (300, True), (0, False), (301, False))))
    for port, (field, (value, accepted)) in enumerate(cases, start=1000):
        body = _body(lb["id"], "HTTP", port, **{field: value})
        if accepted:
            assert alpha.ok("POST", "listeners", body)["listener"][field] == value
        else:
            assert_elb_error(alpha.call("POST", "listeners", body), 400, "ELB.8902")
    assert len(_listeners_of(alpha, lb["id"])) == sum(accepted for _, (_, accepted) in cases)


def test_http2_enable_only_on_https(alpha: Api, bare_lb: str) -> None:
    for protocol in ("HTTP", "TCP", "TLS", "UDP"):
        _assert_refused_on_bare(alpha, bare_lb, protocol, 80, http2_enable=True)


def test_http2_enable_only_on_https_on_update(alpha: Api) -> None:
    listener = _create(alpha, _lb(alpha)["id"], "HTTP", 80)
    assert_elb_error(alpha.call("PUT", f"listeners/{listener['id']}", {"listener": {"http2_enable": True}}), 400, "ELB.8902")
    assert alpha.ok("GET", f"listeners/{listener['id']}")["listener"]["http2_enable"] is False


# The listener-to-pool table of the API reference (section 1) for the listeners and pools elbd serves,
# written out independently of the code; tests/unit/test_protocol_rules.py checks the whole table.
POOLS_FOR_LISTENER = {"TCP": {"TCP"}, "HTTP": {"HTTP"}}
POOL_PROTOCOLS = ("TCP", "HTTP")


@pytest.mark.parametrize("listener_protocol", sorted(POOLS_FOR_LISTENER))
def test_default_pool_protocol_matrix(alpha: Api, listener_protocol: str) -> None:
    lb = _lb(alpha)
    for port, pool_protocol in enumerate(POOL_PROTOCOLS, start=1000):
        pool = _pool(alpha, lb["id"], pool_protocol, ip_version="v4")
        body = _body(lb["id"], listener_protocol, port, default_pool_id=pool["id"])
        if pool_protocol in POOLS_FOR_LISTENER[listener_protocol]:
            listener = alpha.ok("POST", "listeners", body)["listener"]
            assert listener["default_pool_id"] == pool["id"], pool_protocol
            assert alpha.ok("GET", f"pools/{pool['id']}")["pool"]["listeners"] == [{"id": listener["id"]}]
        else:
            assert_elb_error(alpha.call("POST", "listeners", body), 400, "ELB.8902")
            assert alpha.ok("GET", f"pools/{pool['id']}")["pool"]["listeners"] == [], pool_protocol
    assert len(_listeners_of(alpha, lb["id"])) == len(POOLS_FOR_LISTENER[listener_protocol])


def test_http2_enable_false_is_accepted_anywhere(alpha: Api) -> None:
    assert _create(alpha, _lb(alpha)["id"], "TCP", 80, http2_enable=False)["http2_enable"] is False


def test_unknown_default_pool_is_not_found(alpha: Api) -> None:
    lb = _lb(alpha)
    _assert_create_refused(alpha, _body(lb["id"], "HTTP", 80, default_pool_id="0" * 36), 404, "ELB.8904")


def test_default_pool_of_another_load_balancer_is_refused(alpha: Api) -> None:
    lan = net(alpha)
    owner, lb = alpha.load_balancer(lan.subnet), alpha.load_balancer(lan.subnet)
    pool = _pool(alpha, owner["id"], "HTTP")
    _assert_create_refused(alpha, _body(lb["id"], "HTTP", 80, default_pool_id=pool["id"]), 400, "ELB.8902")
    assert alpha.ok("GET", f"pools/{pool['id']}")["pool"]["loadbalancers"] == [{"id": owner["id"]}]


def test_default_pool_of_another_vpc_is_refused(alpha: Api) -> None:
    pool = alpha.pool("HTTP", type="instance", vpc_id=alpha.vpc()["id"])
    _assert_create_refused(alpha, _body(_lb(alpha)["id"], "HTTP", 80, default_pool_id=pool["id"]), 400, "ELB.8902")
    assert alpha.ok("GET", f"pools/{pool['id']}")["pool"]["loadbalancers"] == []


def test_default_pool_without_a_load_balancer_joins_the_listeners(alpha: Api) -> None:
    lb = _lb(alpha)
    pool = alpha.pool("HTTP", type="ip")
    listener = _create(alpha, lb["id"], "HTTP", 80, default_pool_id=pool["id"])
    shown = alpha.ok("GET", f"pools/{pool['id']}")["pool"]
    assert shown["loadbalancers"] == [{"id": lb["id"]}] and shown["listeners"] == [{"id": listener["id"]}]


def test_update_sets_and_clears_the_default_pool(alpha: Api) -> None:
    lb = _lb(alpha)
    first, second = _pool(alpha, lb["id"], "HTTP"), _pool(alpha, lb["id"], "HTTP")
    listener = _create(alpha, lb["id"], "HTTP", 80, default_pool_id=first["id"])
    path = f"listeners/{listener['id']}"
    assert alpha.ok("PUT", path, {"listener": {"default_pool_id": second["id"]}})["listener"]["default_pool_id"] == second["id"]
    assert alpha.ok("GET", f"pools/{first['id']}")["pool"]["listeners"] == []
    assert alpha.ok("GET", f"pools/{second['id']}")["pool"]["listeners"] == [{"id": listener["id"]}]
    assert alpha.ok("PUT", path, {"listener": {"default_pool_id": None}})["listener"]["default_pool_id"] is None
    assert alpha.ok("GET", path)["listener"]["default_pool_id"] is None
    assert alpha.ok("GET", f"pools/{second['id']}")["pool"]["listeners"] == []


def test_update_to_a_mismatched_pool_is_refused(alpha: Api) -> None:
    lb = _lb(alpha)
    pool = _pool(alpha, lb["id"], "HTTP")
    listener = _create(alpha, lb["id"], "TCP", 80)
    assert_elb_error(alpha.call("PUT", f"listeners/{listener['id']}", {"listener": {"default_pool_id": pool["id"]}}), 400, "ELB.8902")
    assert alpha.ok("GET", f"listeners/{listener['id']}")["listener"]["default_pool_id"] is None


def test_protocol_and_port_are_not_updatable(alpha: Api) -> None:
    listener = _create(alpha, _lb(alpha)["id"], "HTTP", 80)
    assert_elb_error(alpha.call("PUT", f"listeners/{listener['id']}", {"listener": {"protocol_port": 81}}), 400, "ELB.8902")
    assert_elb_error(alpha.call("PUT", f"listeners/{listener['id']}", {"listener": {"protocol": "TCP"}}), 400, "ELB.8902")
    shown = alpha.ok("GET", f"listeners/{listener['id']}")["listener"]
    assert (shown["protocol"], shown["protocol_port"]) == ("HTTP", 80)


def test_listeners_per_load_balancer_quota(alpha: Api) -> None:
    lb, other = _lb(alpha), _lb(alpha)
    with quota(alpha, "listeners_per_loadbalancer", 1):
        _create(alpha, lb["id"], "TCP", 80)
        error = _assert_create_refused(alpha, _body(lb["id"], "TCP", 81), 409, "ELB.8905")
        assert "Quota exceeded" in error["error_msg"]
        assert _create(alpha, other["id"], "TCP", 81)["protocol_port"] == 81


def test_listener_quota_per_project(alpha: Api) -> None:
    one, two = _lb(alpha), _lb(alpha)
    with quota(alpha, "listener", used(alpha, "listener") + 1):
        _create(alpha, one["id"], "TCP", 80)
        _assert_create_refused(alpha, _body(two["id"], "TCP", 80), 409, "ELB.8905")


def test_list_filters(alpha: Api) -> None:
    lb = _lb(alpha)
    tcp, http = _create(alpha, lb["id"], "TCP", 80), _create(alpha, lb["id"], "HTTP", 81)
    base = f"listeners?loadbalancer_id={lb['id']}"
    assert ids(alpha.ok("GET", f"{base}&protocol=HTTP")["listeners"]) == [http["id"]]
    assert ids(alpha.ok("GET", f"{base}&protocol_port=80")["listeners"]) == [tcp["id"]]
    assert ids(alpha.ok("GET", f"{base}&protocol=HTTP&protocol=TCP")["listeners"]) == [tcp["id"], http["id"]]
    assert_elb_error(alpha.call("GET", f"{base}&colour=blue", None), 400, "ELB.8902")


def test_another_projects_listener_is_not_found(alpha: Api, beta: Api) -> None:
    their_lb = _lb(beta)
    theirs = _create(beta, their_lb["id"], "TCP", 80)
    assert_elb_error(alpha.call("GET", f"listeners/{theirs['id']}", None), 404, "ELB.8904")
    assert_elb_error(alpha.call("PUT", f"listeners/{theirs['id']}", {"listener": {"name": "x"}}), 404, "ELB.8904")
    assert_elb_error(alpha.call("DELETE", f"listeners/{theirs['id']}", None), 404, "ELB.8904")
    assert_elb_error(alpha.call("POST", "listeners", _body(their_lb["id"], "TCP", 81)), 404, "ELB.8904")
    assert ids(_listeners_of(beta, their_lb["id"])) == [theirs["id"]]


def test_another_projects_pool_is_not_a_default_pool(alpha: Api, beta: Api) -> None:
    their_pool = _pool(beta, _lb(beta)["id"], "HTTP")
    lb = _lb(alpha)
    _assert_create_refused(alpha, _body(lb["id"], "HTTP", 80, default_pool_id=their_pool["id"]), 404, "ELB.8904")
    listener = _create(alpha, lb["id"], "HTTP", 80)
    assert_elb_error(alpha.call("PUT", f"listeners/{listener['id']}", {"listener": {"default_pool_id": their_pool["id"]}}), 404, "ELB.8904")


def test_lists_never_show_another_projects_listeners(alpha: Api, beta: Api) -> None:
    their_lb = _lb(beta)
    theirs = _create(beta, their_lb["id"], "TCP", 80)
    assert theirs["id"] not in ids(alpha.ok("GET", "listeners")["listeners"])
    assert _listeners_of(alpha, their_lb["id"]) == []


# insert_headers and enable_member_retry (the data plane's side: tests/dataplane/test_listener_headers.py)

def _server_certificate(api: Api) -> str:
    return api.ok("POST", "certificates", server_body(issue("www.example.com", names=["www.example.com"])))["certificate"]["id"]


SERVED_ON = {
    "X-Forwarded-ELB-IP": True, "X-Forwarded-Port": True, "X-Forwarded-For-Port": True, "X-Forwarded-Host": False,
    "X-Forwarded-Proto": True, "X-Real-IP": True, "X-Forwarded-ELB-ID": True, "X-Forwarded-For-Processing-Mode": "remove",
}


@pytest.mark.parametrize("protocol", ["HTTP", "HTTPS"])
def test_served_headers_are_stored_and_echoed_as_sent(alpha: Api, protocol: str) -> None:
    lb = _lb(alpha)
    certificate = {"default_tls_container_ref": _server_certificate(alpha)} if protocol == "HTTPS" else {}
    made = _create(alpha, lb["id"], protocol, 80, insert_headers=SERVED_ON, enable_member_retry=False, **certificate)
    assert made["insert_headers"] == SERVED_ON and made["enable_member_retry"] is False
    assert alpha.ok("GET", f"listeners/{made['id']}")["listener"]["insert_headers"] == SERVED_ON
    changed = alpha.ok("PUT", f"listeners/{made['id']}", {"listener": {"insert_headers": {"X-Real-IP": True}, "enable_member_retry": True}})
    assert changed["listener"]["insert_headers"] == {"X-Real-IP": True} and changed["listener"]["enable_member_retry"] is True


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        ({"X-Forwarded-For": True}, "'X-Forwarded-For' is not a header option"),  # always inserted; the mode says how
        ({"x-real-ip": True}, "'x-real-ip' is not a header option"),  # the SDK's keys, as spelt
        ({"X-Forwarded-Port": "true"}, "X-Forwarded-Port takes true or false"),
        ({"X-Forwarded-For-Processing-Mode": "replace"}, "append, remove, preserve"),
        ({"X-Forwarded-For-Processing-Mode": True}, "append, remove, preserve"),
        ({"X-Forwarded-TLS-Cipher-alias": "X Cipher"}, "1 to 40 letters"),
        ({"X-Forwarded-TLS-Cipher-alias": "a" * 41}, "1 to 40 letters"),
        ({"X-Forwarded-TLS-Cipher-alias": "X-C%{[dst]}"}, "1 to 40 letters"),
    ],
)
def test_insert_headers_of_another_shape_are_refused(alpha: Api, bare_lb: str, headers: dict[str, Any], words: str) -> None:
    error = _assert_create_refused(alpha, _body(bare_lb, "HTTP", 80, insert_headers=headers), 400, "ELB.8902")
    assert error["error_msg"].startswith("Invalid input for 'insert_headers': ") and words in error["error_msg"], error


def test_insert_headers_of_another_shape_are_refused_on_update(alpha: Api) -> None:
    made = _create(alpha, _lb(alpha)["id"], "HTTP", 80, insert_headers={"X-Real-IP": True})
    response = alpha.call("PUT", f"listeners/{made['id']}", {"listener": {"insert_headers": {"X-Real-IP": True, "X-Bogus": True}}})
    assert_elb_error(response, 400, "ELB.8902")
    assert alpha.ok("GET", f"listeners/{made['id']}")["listener"]["insert_headers"] == {"X-Real-IP": True}


@pytest.mark.parametrize("switch", ["X-Forwarded-TLS-Protocol", "X-Forwarded-TLS-Cipher", "X-Forwarded-Tls-Sni-enable",
                                    "X-Forwarded-Tls-Alpn-Protocol-enable"])
def test_only_https_listeners_tell_of_the_clients_tls_session(alpha: Api, bare_lb: str, switch: str) -> None:
    error = _assert_create_refused(alpha, _body(bare_lb, "HTTP", 80, insert_headers={switch: True}), 400, "ELB.8902")
    assert "only HTTPS listeners" in error["error_msg"], error
    assert _create(alpha, _lb(alpha)["id"], "HTTP", 80, insert_headers={switch: False})["insert_headers"] == {switch: False}
    https = _create(alpha, _lb(alpha)["id"], "HTTPS", 443, insert_headers={switch: True}, default_tls_container_ref=_server_certificate(alpha))
    assert https["insert_headers"] == {switch: True}


@pytest.mark.parametrize("protocol", ["TCP", "TLS"])
def test_only_http_listeners_insert_headers_or_turn_retries_off(alpha: Api, bare_lb: str, protocol: str) -> None:
    for fields in ({"insert_headers": {"X-Real-IP": True}}, {"insert_headers": {"X-Forwarded-For-Processing-Mode": "remove"}},
                   {"enable_member_retry": False}):
        error = _assert_create_refused(alpha, _body(bare_lb, protocol, 80, **fields), 400, "ELB.8902")
        assert "only HTTP and HTTPS listeners" in error["error_msg"], error
    neutral = {"X-Real-IP": False, "X-Forwarded-For-Processing-Mode": "append"}
    certificate = {"default_tls_container_ref": _server_certificate(alpha)} if protocol == "TLS" else {}
    made = _create(alpha, _lb(alpha)["id"], protocol, 80, insert_headers=neutral, enable_member_retry=True, **certificate)
    assert made["insert_headers"] == neutral


def test_the_listeners_of_one_pool_retry_alike(alpha: Api) -> None:
    """HAProxy retries per backend: a pool's listeners must agree on enable_member_retry, whichever way
    they come to share it."""
    lb = _lb(alpha)
    pool = _pool(alpha, lb["id"], "HTTP")
    first = _create(alpha, lb["id"], "HTTP", 80, default_pool_id=pool["id"], enable_member_retry=False)
    error = _assert_create_refused(alpha, _body(lb["id"], "HTTP", 81, default_pool_id=pool["id"]), 400, "ELB.8902")
    assert error["error_msg"].startswith("Invalid input for 'enable_member_retry': ") and first["id"] in error["error_msg"]
    second = _create(alpha, lb["id"], "HTTP", 81, default_pool_id=pool["id"], enable_member_retry=False)
    refused = alpha.call("PUT", f"listeners/{second['id']}", {"listener": {"enable_member_retry": True}})
    assert_elb_error(refused, 400, "ELB.8902")
    assert alpha.ok("GET", f"listeners/{second['id']}")["listener"]["enable_member_retry"] is False
    third = _create(alpha, lb["id"], "HTTP", 82)
    assert_elb_error(alpha.call("PUT", f"listeners/{third['id']}", {"listener": {"default_pool_id": pool["id"]}}), 400, "ELB.8902")
    alpha.ok("PUT", f"listeners/{second['id']}", {"listener": {"default_pool_id": None}})
    alpha.ok("PUT", f"listeners/{first['id']}", {"listener": {"enable_member_retry": True}})  # alone on its pool now


def test_connection_limits_are_stored_shown_and_changed(alpha: Api) -> None:
    lb = _lb(alpha)
    made = _create(alpha, lb["id"], "TCP", 7001, cps=200, connection=1000)
    assert (made["cps"], made["connection"]) == (200, 1000)
    path = f"listeners/{made['id']}"
    assert alpha.ok("GET", path)["listener"]["cps"] == 200
    changed = alpha.ok("PUT", path, {"listener": {"connection": 0}})["listener"]
    assert (changed["cps"], changed["connection"]) == (200, 0)
    assert alpha.ok("PUT", path, {"listener": {"name": "kept", "cps": None}})["listener"]["cps"] == 200
    assert _create(alpha, lb["id"], "HTTP", 7002)["cps"] == 0


@pytest.mark.parametrize("value", [-1, 1_000_001, "100", True, 1.5])
@pytest.mark.parametrize("field", ["cps", "connection"])
def test_connection_limits_are_whole_numbers_up_to_a_million(alpha: Api, bare_lb: str, field: str, value: Any) -> None:
    _assert_refused_on_bare(alpha, bare_lb, "TCP", 7003, **{field: value})


@pytest.mark.parametrize("field", ["connection", "cps"])
def test_a_udp_listener_takes_no_connection_limit_it_would_not_enforce(alpha: Api, bare_lb: str, field: str) -> None:
    _assert_refused_on_bare(alpha, bare_lb, "UDP", 53, **{field: 100})
    listener = _create(alpha, _lb(alpha)["id"], "UDP", 53, **{field: 0})
    error = assert_elb_error(alpha.call("PUT", f"listeners/{listener['id']}", {"listener": {field: 100}}), 400, "ELB.8902")
    assert "UDP" in error["error_msg"]
    assert alpha.ok("GET", f"listeners/{listener['id']}")["listener"][field] == 0
