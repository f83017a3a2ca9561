"""L7 policies on traffic: real HAProxy, real backends on loopback, requests through the VIP.

Each rule type routes to the pool its policy names; weighted pools split within a stated tolerance;
redirects answer their code and a Location filled from the request; a fixed response answers its
status, type and body; the API's precedence decides between overlapping policies, a redirect included;
a policy is ACTIVE once the data plane serves it."""

import http.client
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import Api
from tests.dataplane.conftest import VIP, SharedLoadBalancer, shared_load_balancer, wait_for
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    headers: dict[str, str]


def send(port: int, path: str = "/", method: str = "GET", host: str = "www.example.com", headers: dict[str, str] | None = None,
         source: str | None = None) -> Answer:
    """One request through the VIP on a new connection."""
    connection = http.client.HTTPConnection(VIP, port, timeout=5, source_address=(source, 0) if source else None)
    try:
        connection.request(method, path, headers={"Host": host, "Connection": "close", **(headers or {})})
        response = connection.getresponse()
        return Answer(response.status, response.read().decode(), {name.lower(): value for name, value in response.getheaders()})
    finally:
        connection.close()


@dataclass
class L7Site:
    """A load balancer with one HTTP listener (advanced forwarding on) whose default pool answers
    `default`, and a pool per name asked for, each with one backend answering its name."""

    api: Api
    lb: dict[str, Any]
    listener: dict[str, Any]
    port: int
    subnet: dict[str, Any]
    backends: Callable[..., FakeBackend]
    pools: dict[str, str] = field(default_factory=dict)  # backend name -> pool id

    def pool(self, name: str) -> str:
        if name not in self.pools:
            pool = self.api.pool(loadbalancer_id=self.lb["id"])
            backend = self.backends(name)
            self.api.member(pool["id"], address=backend.address, protocol_port=backend.port, subnet_cidr_id=self.subnet["neutron_subnet_id"])
            self.pools[name] = pool["id"]
        return self.pools[name]

    def policy(self, listener_id: str | None = None, **fields: Any) -> dict[str, Any]:
        body = {"l7policy": {"listener_id": listener_id or self.listener["id"], **fields}}
        return self.api.ok("POST", "l7policies", body)["l7policy"]

    def to_pool(self, name: str, *rules: dict[str, Any], **fields: Any) -> dict[str, Any]:
        return self.policy(action="REDIRECT_TO_POOL", redirect_pool_id=self.pool(name), rules=list(rules), **fields)


def rule(kind: str, value: str | None = None, compare: str = "EQUAL_TO", conditions: list[dict[str, str]] | None = None) -> dict[str, Any]:
    made: dict[str, Any] = {"type": kind, "compare_type": compare}
    if conditions is not None:
        made["conditions"] = conditions
    else:
        made["value"] = value
    return made


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedLoadBalancer]:
    with shared_load_balancer(tmp_path_factory.mktemp("l7") / "data") as one:
        yield one


def new_site(shared: SharedLoadBalancer, backends: Callable[..., FakeBackend], **listener: Any) -> L7Site:
    """A listener of its own on the shared load balancer, its default pool answering `default`."""
    port = free_port_on(VIP)
    made = shared.api.listener(shared.lb["id"], port=port, **listener)
    site = L7Site(shared.api, shared.lb, made, port, shared.subnet, backends)
    shared.api.ok("PUT", f"listeners/{made['id']}", {"listener": {"default_pool_id": site.pool("default")}})
    wait_for(lambda: _answer_or_none(port) == "default", timeout_s=15)
    return site


@pytest.fixture
def l7_site(shared: SharedLoadBalancer, backends: Callable[..., FakeBackend]) -> L7Site:
    return new_site(shared, backends, enhance_l7policy_enable=True)


def _answer_or_none(port: int, **request: Any) -> str | None:
    try:
        return send(port, **request).body
    except OSError:
        return None


def served_by(site: L7Site, **request: Any) -> str:
    return send(site.port, **request).body


def active(site: L7Site, policy: dict[str, Any]) -> dict[str, Any]:
    """The policy once its provisioning status is ACTIVE, as Terraform polls it."""
    def read() -> dict[str, Any] | None:
        shown = site.api.ok("GET", f"l7policies/{policy['id']}")["l7policy"]
        return shown if shown["provisioning_status"] == "ACTIVE" else None

    return wait_for(read, timeout_s=15)


def test_every_rule_type_routes_to_its_pool(l7_site: L7Site) -> None:
    site = l7_site
    policies = [
        site.to_pool("host", rule("HOST_NAME", "api.example.com")),
        site.to_pool("wildcard", rule("HOST_NAME", "*.img.example.com")),
        site.to_pool("exact-path", rule("PATH", "/exact")),
        site.to_pool("prefix-path", rule("PATH", "/static/", "STARTS_WITH")),
        site.to_pool("regex-path", rule("PATH", "^/v[0-9]+/items$", "REGEX")),
        site.to_pool("method", rule("METHOD", conditions=[{"key": "", "value": "DELETE"}, {"key": "", "value": "PATCH"}])),
        site.to_pool("header", rule("HEADER", conditions=[{"key": "X-Env", "value": "canary-*"}])),
        site.to_pool("query", rule("QUERY_STRING", conditions=[{"key": "beta", "value": "on"}])),
        site.to_pool("source", rule("SOURCE_IP", conditions=[{"key": "", "value": "127.20.0.200/32"}])),
        site.to_pool("cookie", rule("COOKIE", conditions=[{"key": "tier", "value": "gold"}])),
    ]
    for policy in policies:
        assert active(site, policy)["provisioning_status"] == "ACTIVE"
    assert served_by(site, host="api.example.com") == "host"
    assert served_by(site, host="api.example.com:8080") == "host"  # the port of a Host header is not the host
    assert served_by(site, host="API.Example.COM") == "host"  # host names compare without case
    assert served_by(site, host="a.img.example.com") == "wildcard"
    assert served_by(site, host="img.example.com") == "default"  # `*.` needs a label before it
    assert served_by(site, path="/exact") == "exact-path"
    assert served_by(site, path="/exact/more") == "default"
    assert served_by(site, path="/static/app.js") == "prefix-path"
    assert served_by(site, path="/v2/items") == "regex-path"
    assert served_by(site, path="/v2/items/1") == "default"
    assert served_by(site, method="DELETE", path="/x") == "method"
    assert served_by(site, method="PATCH", path="/x") == "method"
    assert served_by(site, method="GET", path="/x") == "default"
    assert served_by(site, headers={"X-Env": "canary-7"}) == "header"
    assert served_by(site, headers={"X-Env": "prod"}) == "default"
    assert served_by(site, path="/?beta=on") == "query"
    assert served_by(site, path="/?beta=off") == "default"
    assert served_by(site, source="127.20.0.200") == "source"
    assert served_by(site, source="127.20.0.201") == "default"
    assert served_by(site, headers={"Cookie": "a=b; tier=gold"}) == "cookie"
    assert served_by(site, headers={"Cookie": "tier=silver"}) == "default"


def test_rules_of_one_policy_must_all_hold(l7_site: L7Site) -> None:
    site = l7_site
    active(site, site.to_pool("both", rule("HOST_NAME", "api.example.com"), rule("PATH", "/v1/", "STARTS_WITH")))
    assert served_by(site, host="api.example.com", path="/v1/users") == "both"
    assert served_by(site, host="api.example.com", path="/v2/users") == "default"
    assert served_by(site, host="www.example.com", path="/v1/users") == "default"


def test_weighted_pools_split_requests_by_weight(l7_site: L7Site) -> None:
    site = l7_site
    active(site, site.policy(action="REDIRECT_TO_POOL", rules=[rule("PATH", "/split", "STARTS_WITH")],
                             redirect_pools_config=[{"pool_id": site.pool("light"), "weight": 1}, {"pool_id": site.pool("heavy"), "weight": 3},
                                                    {"pool_id": site.pool("never"), "weight": 0}]))
    counts = Counter(served_by(site, path="/split") for _ in range(400))
    assert set(counts) <= {"light", "heavy"}
    assert 0.15 <= counts["light"] / 400 <= 0.35, counts  # 25% expected; 400 draws put 0.15-0.35 beyond five standard deviations


def test_sticky_weighted_pools_keep_a_client_on_the_pool_of_its_first_request(l7_site: L7Site) -> None:
    site = l7_site
    active(site, site.policy(action="REDIRECT_TO_POOL", rules=[rule("PATH", "/cart", "STARTS_WITH")],
                             redirect_pools_config=[{"pool_id": site.pool("one"), "weight": 1}, {"pool_id": site.pool("two"), "weight": 1}],
                             redirect_pools_sticky_session_config={"enable": True, "timeout": 10}))
    first = send(site.port, path="/cart")
    cookie = first.headers["set-cookie"]
    assert "Max-Age=600" in cookie
    followed = {send(site.port, path="/cart", headers={"Cookie": cookie.split(";")[0]}).body for _ in range(30)}
    assert followed == {first.body}
    assert {send(site.port, path="/cart").body for _ in range(60)} == {"one", "two"}  # without the cookie, both by weight


def test_a_redirect_to_url_fills_its_placeholders_from_the_request(l7_site: L7Site) -> None:
    site = l7_site
    active(site, site.policy(action="REDIRECT_TO_URL", rules=[rule("PATH", "/old/", "STARTS_WITH")],
                             redirect_url_config={"protocol": "HTTPS", "host": "${host}", "port": "8443", "path": "${path}", "query": "${query}",
                                                  "status_code": "308"}))
    answer = send(site.port, path="/old/page?a=1&b=2", host="shop.example.com:80")
    assert (answer.status, answer.headers["location"]) == (308, "https://shop.example.com:8443/old/page?a=1&b=2")
    answer = send(site.port, path="/old/page", host="shop.example.com")
    assert answer.headers["location"] == "https://shop.example.com:8443/old/page"  # no query string, no `?`
    active(site, site.policy(action="REDIRECT_TO_URL", rules=[rule("PATH", "/moved")],
                             redirect_url_config={"host": "new.example.com", "path": "/landing", "query": "from=old", "status_code": "302"}))
    answer = send(site.port, path="/moved?x=1")
    assert (answer.status, answer.headers["location"]) == (302, f"http://new.example.com:{site.port}/landing?from=old")


def test_a_fixed_response_answers_its_status_type_and_body(l7_site: L7Site) -> None:
    site = l7_site
    body = '{"state": "maintenance", "note": "back at 10:00 #soon"}'
    active(site, site.policy(action="FIXED_RESPONSE", rules=[rule("PATH", "/maintenance")],
                             fixed_response_config={"status_code": "503", "content_type": "application/json", "message_body": body}))
    answer = send(site.port, path="/maintenance")
    assert (answer.status, answer.headers["content-type"], answer.body) == (503, "application/json", body)


def test_a_fixed_response_and_a_redirect_answer_with_their_header_changes(l7_site: L7Site) -> None:
    site = l7_site
    inserted = {"configs": [{"key": "X-Note", "value_type": "USER_DEFINED", "value": "down 100% #1"},
                            {"key": "X-Trace", "value_type": "REFERENCE_HEADER", "value": "X-Request-Id"},
                            {"key": "X-Client", "value_type": "SYSTEM_DEFINED", "value": "CLIENT-IP"},
                            {"key": "X-Via", "value_type": "SYSTEM_DEFINED", "value": "ELB-PORT"}]}
    active(site, site.policy(action="FIXED_RESPONSE", rules=[rule("PATH", "/down")],
                             fixed_response_config={"status_code": "503", "message_body": "down", "insert_headers_config": inserted}))
    answer = send(site.port, path="/down", headers={"X-Request-Id": "req-42"}, source="127.20.0.77")
    assert answer.status == 503
    assert (answer.headers["x-note"], answer.headers["x-trace"], answer.headers["x-client"], answer.headers["x-via"]) == (
        "down 100% #1", "req-42", "127.20.0.77", str(site.port))
    assert "x-trace" not in send(site.port, path="/down").headers  # a request without the header copies nothing
    active(site, site.policy(action="REDIRECT_TO_URL", rules=[rule("PATH", "/go")],
                             redirect_url_config={"host": "b.example.com", "status_code": "302",
                                                  "insert_headers_config": {"configs": [{"key": "Cache-Control", "value_type": "USER_DEFINED", "value": "no-store"}]},
                                                  "remove_headers_config": {"configs": [{"key": "Location"}]}}))
    answer = send(site.port, path="/go")
    assert answer.status == 302 and answer.headers["cache-control"] == "no-store" and "location" not in answer.headers


def test_priority_decides_and_a_redirect_loses_to_a_pool_of_higher_priority(l7_site: L7Site) -> None:
    """HAProxy would run the redirect first whatever the file's order: the API's order wins."""
    site = l7_site
    redirect = site.policy(action="REDIRECT_TO_URL", priority=20, rules=[rule("PATH", "/", "STARTS_WITH")],
                           redirect_url_config={"host": "elsewhere.example.com", "status_code": "301"})
    pool = site.to_pool("api", rule("PATH", "/api/", "STARTS_WITH"), priority=10)
    active(site, redirect)
    active(site, pool)
    assert served_by(site, path="/api/x") == "api"
    assert send(site.port, path="/other").status == 301
    site.api.ok("POST", "l7policies/batch-update-priority", {"l7policies": [{"id": pool["id"], "priority": 30}]}, status=200)
    assert wait_for(lambda: send(site.port, path="/api/x").status == 301, timeout_s=15)  # now the redirect comes first


def test_without_advanced_forwarding_the_automatic_order_puts_exact_paths_first(shared: SharedLoadBalancer, backends: Callable[..., FakeBackend]) -> None:
    site = new_site(shared, backends)
    prefix = site.to_pool("prefix", rule("PATH", "/a", "STARTS_WITH"))
    exact = site.to_pool("exact", rule("PATH", "/a/b"))
    longer = site.to_pool("longer", rule("PATH", "/a/b/", "STARTS_WITH"))
    for policy in (prefix, exact, longer):
        active(site, policy)
    assert served_by(site, path="/a/b") == "exact"
    assert served_by(site, path="/a/b/c") == "longer"
    assert served_by(site, path="/a/c") == "prefix"


def test_a_redirect_to_an_https_listener_keeps_host_path_and_query(l7_site: L7Site) -> None:
    from tests.dataplane.test_tls_listeners import server_certificate

    site = l7_site
    https_port = free_port_on(VIP)
    https = site.api.listener(site.lb["id"], protocol="HTTPS", port=https_port,
                              default_tls_container_ref=server_certificate(site.api, "www.example.com")["id"])
    active(site, site.policy(action="REDIRECT_TO_LISTENER", redirect_listener_id=https["id"]))
    answer = send(site.port, path="/cart?id=7", host="www.example.com")
    assert answer.status in (301, 302, 307, 308)
    assert answer.headers["location"] == f"https://www.example.com:{https_port}/cart?id=7"


def test_a_deleted_policy_stops_routing(l7_site: L7Site) -> None:
    site = l7_site
    policy = active(site, site.to_pool("gone", rule("PATH", "/gone")))
    assert served_by(site, path="/gone") == "gone"
    site.api.ok("DELETE", f"l7policies/{policy['id']}")
    assert wait_for(lambda: served_by(site, path="/gone") == "default", timeout_s=15)
