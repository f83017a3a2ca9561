"""Malformed input never reaches the store and never breaks the server: every bad request is a 4xx
with the ELB error body, and the resource lists look exactly as before.

One app and one topology serve the whole module; each case compares the state before and after."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.world import World, assert_elb_error
from tests.conftest import Api

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
MISSING = object()


@dataclass
class Setup:
    api: Api
    subnet: dict[str, Any]
    lb: dict[str, Any]
    listener: dict[str, Any]
    pool: dict[str, Any]
    member: dict[str, Any]


@pytest.fixture(scope="module")
def setup(world: World) -> Setup:
    api = world.api
    subnet = api.subnet(api.vpc()["id"])
    lb = api.load_balancer(subnet, ip_target_enable=True)
    listener = api.listener(lb["id"])
    pool = api.pool(listener_id=listener["id"])
    member = api.member(pool["id"], address="127.10.0.20", protocol_port=8080, subnet_cidr_id=subnet["neutron_subnet_id"])["member"]
    return Setup(api, subnet, lb, listener, pool, member)


@dataclass(frozen=True)
class Endpoint:
    """A write call: where it goes, a valid body's inner object, and what it must leave untouched."""

    method: str
    path: Callable[[Setup], str]
    wrapper: str
    valid: Callable[[Setup], dict[str, Any]]
    state: Callable[[Setup], Any]
    created: str | None = None  # the list key of what a valid call creates, to clean it up again


def listed_ids(setup: Setup, path: str, key: str) -> list[str]:
    return sorted(item["id"] for item in setup.api.ok("GET", path)[key])


ENDPOINTS: dict[str, Endpoint] = {
    "member-create": Endpoint(
        "POST",
        lambda s: f"pools/{s.pool['id']}/members",
        "member",
        lambda s: {"address": "127.10.0.30", "protocol_port": 8080, "subnet_cidr_id": s.subnet["neutron_subnet_id"], "weight": 2},
        lambda s: (listed_ids(s, f"pools/{s.pool['id']}/members", "members"), listed_ids(s, "members", "members")),
        created="member",
    ),
    "pool-create": Endpoint(
        "POST",
        lambda s: "pools",
        "pool",
        lambda s: {"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "loadbalancer_id": s.lb["id"], "name": "p"},
        lambda s: listed_ids(s, "pools", "pools"),
        created="pool",
    ),
    "listener-create": Endpoint(
        "POST",
        lambda s: "listeners",
        "listener",
        lambda s: {"loadbalancer_id": s.lb["id"], "protocol": "HTTP", "protocol_port": 8081, "name": "l"},
        lambda s: listed_ids(s, "listeners", "listeners"),
        created="listener",
    ),
    "lb-create": Endpoint(
        "POST",
        lambda s: "loadbalancers",
        "loadbalancer",
        lambda s: {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": s.subnet["neutron_subnet_id"], "name": "lb"},
        lambda s: listed_ids(s, "loadbalancers", "loadbalancers"),
        created="loadbalancer",
    ),
    "member-update": Endpoint(
        "PUT",
        lambda s: f"pools/{s.pool['id']}/members/{s.member['id']}",
        "member",
        lambda s: {"weight": 5, "name": "renamed"},
        lambda s: s.api.ok("GET", f"pools/{s.pool['id']}/members/{s.member['id']}")["member"],
    ),
}


@dataclass(frozen=True)
class Case:
    """A bad request: raw bytes, or the valid inner object with `changes` (MISSING drops a field),
    or a whole replacement body built from the valid inner object."""

    id: str
    raw: bytes | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    whole: Callable[[str, dict[str, Any]], Any] | None = None
    path: Callable[[Setup], str] | None = None
    status: int | tuple[int, ...] = 400
    code: str | None = "ELB.8902"

    def body(self, wrapper: str, valid: dict[str, Any]) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.whole is not None:
            return json.dumps(self.whole(wrapper, valid)).encode()
        inner = {**valid, **self.changes}
        inner = {key: value for key, value in inner.items() if value is not MISSING}
        return json.dumps({wrapper: inner}).encode()


GENERIC = [
    Case("non-json", raw=b"{member: not json"),
    Case("empty-body", raw=b""),
    Case("json-null", raw=b"null"),
    Case("json-string", raw=b'"member"'),
    Case("json-array", whole=lambda w, v: [{w: v}]),
    Case("empty-object", whole=lambda w, v: {}),
    Case("wrong-wrapper", whole=lambda w, v: {"thing": v}),
    Case("two-wrappers", whole=lambda w, v: {w: v, "extra": {}}),
    Case("wrapper-is-a-list", whole=lambda w, v: {w: [v]}),
    Case("wrapper-is-null", whole=lambda w, v: {w: None}),
    Case("unknown-attribute", changes={"bogus_attribute": 1}),
    Case("name-256-chars", changes={"name": "n" * 256}),
    Case("name-is-a-number", changes={"name": 7}),
    Case("deeply-nested", raw=b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    Case("not-utf8", raw=b'{"x": "\xff\xfe"}'),
    Case("number-overflow", whole=lambda w, v: {w: {**v, "name": 1e400}}),
    Case("name-lone-surrogate", raw=None, whole=lambda w, v: {w: {**v, "name": "\udcff"}}),
]

SPECIFIC: dict[str, list[Case]] = {
    "member-create": [
        Case("weight-boolean", changes={"weight": True}),
        Case("weight-float", changes={"weight": 1.5}),
        Case("weight-string", changes={"weight": "1"}),
        Case("weight-101", changes={"weight": 101}),
        Case("weight-negative", changes={"weight": -1}),
        Case("weight-huge", changes={"weight": 2**70}),
        Case("port-string", changes={"protocol_port": "80"}),
        Case("port-boolean", changes={"protocol_port": True}),
        Case("port-65536", changes={"protocol_port": 65536}),
        Case("port-negative", changes={"protocol_port": -1}),
        Case("address-null", changes={"address": None}),
        Case("address-missing", changes={"address": MISSING}),
        Case("address-empty", changes={"address": ""}),
        Case("address-number", changes={"address": 127}),
        Case("address-three-octets", changes={"address": "1.2.3"}),
        Case("address-bad-ipv6", changes={"address": "::gg"}),
        Case("address-with-prefix", changes={"address": "127.0.0.1/24"}),
        Case("address-hostname", changes={"address": "localhost"}),
        Case("address-long", changes={"address": "1" * 300}),
        Case("address-outside-subnet", changes={"address": "127.99.0.1"}),
        Case("address-trailing-space", changes={"address": "127.10.0.30 "}),
        Case("address-leading-zero", changes={"address": "127.010.0.30"}),
        Case("address-ipv6-in-ipv4-subnet", changes={"address": "fd00::1"}, code="ELB.8933"),
        Case("ip-member-unspecified", changes={"address": "0.0.0.0", "subnet_cidr_id": MISSING}),
        Case("ip-member-broadcast", changes={"address": "255.255.255.255", "subnet_cidr_id": MISSING}),
        Case("ip-member-multicast", changes={"address": "224.0.0.1", "subnet_cidr_id": MISSING}),
        Case("ip-member-link-local", changes={"address": "169.254.0.1", "subnet_cidr_id": MISSING}),
        Case("ip-member-public", changes={"address": "8.8.8.8", "subnet_cidr_id": MISSING}),
        Case("ip-member-ipv6", changes={"address": "fd00::1", "subnet_cidr_id": MISSING}),
        Case("admin-state-string", changes={"admin_state_up": "true"}),
        Case("subnet-number", changes={"subnet_cidr_id": 5}),
        Case("unknown-subnet", changes={"subnet_cidr_id": UNKNOWN_ID}, status=404, code="ELB.8904"),
        Case("unknown-pool", path=lambda s: f"pools/{UNKNOWN_ID}/members", status=404, code="ELB.8904"),
    ],
    "pool-create": [
        Case("protocol-null", changes={"protocol": None}),
        Case("protocol-missing", changes={"protocol": MISSING}),
        Case("protocol-unknown", changes={"protocol": "FTP"}),
        Case("protocol-number", changes={"protocol": 1}),
        Case("algorithm-unknown", changes={"lb_algorithm": "RANDOM"}),
        Case("admin-state-string", changes={"admin_state_up": "true"}),
        Case("admin-state-int", changes={"admin_state_up": 1}),
        Case("slow-start-duration-boolean", changes={"slow_start": {"enable": True, "duration": True}}),
        Case("slow-start-duration-out-of-range", changes={"slow_start": {"enable": True, "duration": 5000}}),
        Case("persistence-timeout-zero", changes={"session_persistence": {"type": "SOURCE_IP", "persistence_timeout": 0}}),
        Case("persistence-unknown-key", changes={"session_persistence": {"type": "SOURCE_IP", "bogus": 1}}),
        Case("unknown-loadbalancer", changes={"loadbalancer_id": UNKNOWN_ID}, status=404, code="ELB.8904"),
        Case("unknown-listener", changes={"loadbalancer_id": MISSING, "listener_id": UNKNOWN_ID}, status=404, code="ELB.8904"),
        Case("id-too-long", changes={"loadbalancer_id": "x" * 37}),
    ],
    "listener-create": [
        Case("port-string", changes={"protocol_port": "80"}),
        Case("port-boolean", changes={"protocol_port": True}),
        Case("port-float", changes={"protocol_port": 80.5}),
        Case("port-65536", changes={"protocol_port": 65536}),
        Case("port-negative", changes={"protocol_port": -1}),
        Case("protocol-unknown", changes={"protocol": "FTP"}),
        Case("protocol-null", changes={"protocol": None}),
        Case("loadbalancer-null", changes={"loadbalancer_id": None}),
        Case("loadbalancer-missing", changes={"loadbalancer_id": MISSING}),
        Case("client-timeout-zero", changes={"client_timeout": 0}),
        Case("client-timeout-301", changes={"client_timeout": 301}),
        Case("keepalive-string", changes={"keepalive_timeout": "60"}),
        Case("tags-not-a-list", changes={"tags": {"key": "a"}}),
        Case("unknown-loadbalancer", changes={"loadbalancer_id": UNKNOWN_ID}, status=404, code="ELB.8904"),
        Case("unknown-default-pool", changes={"default_pool_id": UNKNOWN_ID}, status=404, code="ELB.8904"),
    ],
    "lb-create": [
        Case("zones-a-string", changes={"availability_zone_list": "local-1a"}),
        Case("zones-null", changes={"availability_zone_list": None}),
        Case("zones-empty", changes={"availability_zone_list": []}),
        Case("zone-unknown", changes={"availability_zone_list": ["nowhere-9z"]}),
        Case("ip-target-string", changes={"ip_target_enable": "true"}),
        Case("ip-target-int", changes={"ip_target_enable": 1}),
        Case("vip-three-octets", changes={"vip_address": "1.2.3"}),
        Case("vip-bad-ipv6", changes={"vip_address": "::gg"}),
        Case("vip-with-prefix", changes={"vip_address": "127.0.0.1/24"}),
        Case("vip-outside-subnet", changes={"vip_address": "127.99.0.1"}),
        Case("vip-number", changes={"vip_address": 2130706433}),
        Case("provider-unknown", changes={"provider": "octavia"}),
        Case("tags-bad", changes={"tags": [{"key": ""}]}),
        Case("unknown-subnet", changes={"vip_subnet_cidr_id": UNKNOWN_ID}, status=404, code="ELB.8904"),
        Case("unknown-vpc", changes={"vip_subnet_cidr_id": MISSING, "vpc_id": UNKNOWN_ID}, status=(400, 404), code=None),
    ],
    "member-update": [
        Case("weight-boolean", changes={"weight": True}),
        Case("weight-float", changes={"weight": 1.5}),
        Case("weight-string", changes={"weight": "5"}),
        Case("weight-101", changes={"weight": 101}),
        Case("weight-negative", changes={"weight": -1}),
        Case("port-string", changes={"protocol_port": "80"}),
        Case("port-65536", changes={"protocol_port": 65536}),
        Case("address-not-updatable", changes={"address": "127.10.0.99"}),
        Case("subnet-not-updatable", changes={"subnet_cidr_id": UNKNOWN_ID}),
        Case("admin-state-string", changes={"admin_state_up": "false"}),
        Case("unknown-member", path=lambda s: f"pools/{s.pool['id']}/members/{UNKNOWN_ID}", status=404, code="ELB.8904"),
        Case("unknown-pool", path=lambda s: f"pools/{UNKNOWN_ID}/members/{s.member['id']}", status=404, code="ELB.8904"),
    ],
}

CASES = [
    pytest.param(name, case, id=f"{name}:{case.id}")
    for name in ENDPOINTS
    for case in [*GENERIC, *SPECIFIC[name]]
]


def send(setup: Setup, method: str, path: str, body: bytes) -> httpx.Response:
    headers = {"X-Auth-Token": setup.api.token, "Content-Type": "application/json"}
    return setup.api.client.request(method, setup.api.url(path), content=body, headers=headers)


@pytest.mark.parametrize(("endpoint_name", "case"), CASES)
def test_bad_write_is_a_4xx_elb_error_and_stores_nothing(setup: Setup, endpoint_name: str, case: Case) -> None:
    endpoint = ENDPOINTS[endpoint_name]
    before = endpoint.state(setup)
    path = (case.path or endpoint.path)(setup)
    response = send(setup, endpoint.method, path, case.body(endpoint.wrapper, endpoint.valid(setup)))
    assert 400 <= response.status_code < 500, response.text
    assert_elb_error(response, case.status, case.code)
    assert endpoint.state(setup) == before


@pytest.mark.parametrize("endpoint_name", ENDPOINTS)
def test_the_valid_body_each_case_starts_from_is_accepted(setup: Setup, endpoint_name: str) -> None:
    """Guards the cases above: each is one defect away from a body elbd accepts."""
    endpoint = ENDPOINTS[endpoint_name]
    path = endpoint.path(setup)
    response = send(setup, endpoint.method, path, json.dumps({endpoint.wrapper: endpoint.valid(setup)}).encode())
    assert response.status_code in (200, 201), response.text
    if endpoint.created:
        created = response.json()[endpoint.created]["id"]
        assert setup.api.call("DELETE", f"{path}/{created}").status_code == 204


@pytest.mark.parametrize("path", ["loadbalancers", "listeners", "pools", "members", "pool-members"])
@pytest.mark.parametrize(
    "query",
    ["limit=abc", "limit=-1", "limit=2001", "limit=1.5", "page_reverse=maybe", f"limit=1&marker={UNKNOWN_ID}", "limit=1&marker=", "bogus_filter=1"],
)
def test_bad_list_query_is_400(setup: Setup, path: str, query: str) -> None:
    if path == "pool-members":
        path = f"pools/{setup.pool['id']}/members"
    response = setup.api.call("GET", f"{path}?{query}")
    assert_elb_error(response, 400, "ELB.8902")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v3/{project}/elb/no-such-thing"),
        ("GET", "/v3/{project}/elb/pools/{pool}/nothing"),
        ("POST", "/v3/{project}/elb/pools/{pool}/members/x/deeper"),
        ("GET", "/nowhere"),
        ("GET", "/v4/{project}/elb/pools"),
    ],
)
def test_unknown_route_is_404_apigw_0101(setup: Setup, method: str, path: str) -> None:
    url = path.format(project=setup.api.project_id, pool=setup.pool["id"])
    response = setup.api.client.request(method, url, headers={"X-Auth-Token": setup.api.token})
    assert_elb_error(response, 404, "APIGW.0101")


def test_unknown_route_without_credentials_is_still_404(setup: Setup) -> None:
    assert_elb_error(setup.api.client.get("/v3/x/elb/no-such-thing"), 404, "APIGW.0101")


def test_unsupported_method_on_a_known_route_is_an_apigw_error(setup: Setup) -> None:
    response = setup.api.call("PATCH", f"pools/{setup.pool['id']}")
    assert_elb_error(response, (404, 405), "APIGW.0101")


def test_an_unexpected_failure_is_an_elb_500_with_the_request_id_header(client: TestClient) -> None:
    def explode() -> None:
        raise RuntimeError("boom")

    client.app.add_api_route("/test-only/explode", explode)
    response = client.get("/test-only/explode")
    assert_elb_error(response, 500, "ELB.8906")
    assert "boom" not in response.text


def test_a_trailing_slash_is_not_redirected_before_authentication(api: Api) -> None:
    """A redirect would answer before the credentials are judged, to whatever Host the client sent."""
    for headers in ({}, {"X-Auth-Token": api.token}):
        response = api.client.get(f"/v3/{api.project_id}/elb/loadbalancers/", headers={"Host": "evil.example", **headers}, follow_redirects=False)
        assert response.status_code == 404 and "location" not in response.headers
        assert response.json()["error_code"] == "APIGW.0101" and response.json()["request_id"] == response.headers["X-Request-Id"]
