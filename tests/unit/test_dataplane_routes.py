"""Stored L7 policies -> a frontend's routes, as a pure function: each rule type's match, each action,
the `${...}` placeholders, and a policy left out whole when any part of it cannot be served."""

import logging
from dataclasses import replace

import pytest

from elbd.dataplane.desired import desired_config
from elbd.dataplane.model import FixedResponse, Match, Redirect, Route, ToBackends
from elbd.dataplane.routes import routes
from elbd.store.dataplane import StoredFixedResponse, StoredL7Policy, StoredL7Rule, StoredListener, StoredLoadBalancer, StoredPool, StoredRedirectUrl

HTTPS = StoredListener("l-https", "HTTPS", 8443, True, None, 60, None, None, False, "c-1", None, [], None, None)
LISTENERS = {"l-https": HTTPS}
BACKENDS = {"p-1", "p-2"}


ANY_PATH = (StoredL7Rule("r-any", "PATH", "STARTS_WITH", None, ("/",)),)


def policy(action: str = "REDIRECT_TO_POOL", rules: tuple[StoredL7Rule, ...] = ANY_PATH, **fields: object) -> StoredL7Policy:
    base: dict[str, object] = {"redirect_pools": (("p-1", 1),)} if action == "REDIRECT_TO_POOL" else {}
    given: dict[str, object] = {"provisioning_status": "ACTIVE", **base, **fields}
    return StoredL7Policy(id="pol-1", listener_id="l-1", action=action, priority=1, created_at="2026-12-05T00:00:00", rules=rules,
                          **given)  # type: ignore[arg-type]


def rule(kind: str, compare: str, *values: str, key: str | None = None) -> StoredL7Rule:
    return StoredL7Rule(id=f"r-{kind}", type=kind, compare_type=compare, key=key, values=values)


@pytest.mark.parametrize(("stored", "served"), [
    (rule("HOST_NAME", "EQUAL_TO", "a.example.com", "*.b.example.com"), Match("host", "exact", ("a.example.com", "*.b.example.com"))),
    (rule("PATH", "EQUAL_TO", "/a"), Match("path", "exact", ("/a",))),
    (rule("PATH", "STARTS_WITH", "/a/"), Match("path", "prefix", ("/a/",))),
    (rule("PATH", "REGEX", "^/a$"), Match("path", "regex", ("^/a$",))),
    (rule("METHOD", "EQUAL_TO", "GET", "HEAD"), Match("method", "exact", ("GET", "HEAD"))),
    (rule("HEADER", "EQUAL_TO", "v*", key="X-Env"), Match("header", "glob", ("v*",), "X-Env")),
    (rule("QUERY_STRING", "EQUAL_TO", "on", key="beta"), Match("query", "glob", ("on",), "beta")),
    (rule("COOKIE", "EQUAL_TO", "gold", key="tier"), Match("cookie", "exact", ("gold",), "tier")),
    (rule("SOURCE_IP", "EQUAL_TO", "10.0.0.0/8"), Match("source", "network", ("10.0.0.0/8",))),
])
def test_each_rule_type_becomes_its_match(stored: StoredL7Rule, served: Match) -> None:
    assert routes((policy(rules=(stored,)),), LISTENERS, BACKENDS) == (Route("pol-1", (served,), ToBackends((("p-1", 1),))),)


def test_weighted_pools_keep_their_weights() -> None:
    (route,) = routes((policy(redirect_pools=(("p-1", 1), ("p-2", 3))),), LISTENERS, BACKENDS)
    assert route.action == ToBackends((("p-1", 1), ("p-2", 3)))
    (route,) = routes((policy(redirect_pools=(("p-1", 1), ("p-2", 3)), sticky_session_timeout_min=30),), LISTENERS, BACKENDS)
    assert route.action == ToBackends((("p-1", 1), ("p-2", 3)), sticky_s=1800)


def test_a_redirect_to_a_listener_goes_to_its_port_over_https_keeping_the_rest() -> None:
    (route,) = routes((policy("REDIRECT_TO_LISTENER", redirect_listener_id="l-https"),), LISTENERS, BACKENDS)
    assert route.action == Redirect(301, "https", None, 8443, None, None)


def test_placeholders_and_parts_left_out_keep_the_requests_own() -> None:
    url = StoredRedirectUrl(protocol="${protocol}", host="${host}", port="${port}", path="${path}", query="${query}", status_code=307)
    (route,) = routes((policy("REDIRECT_TO_URL", redirect_url=url),), LISTENERS, BACKENDS)
    assert route.action == Redirect(307, None, None, None, None, None)
    url = StoredRedirectUrl(protocol="HTTPS", host="x.example.com", port="444", path="/p", query="", status_code=301,
                            inserted=(("X-A", "SYSTEM_DEFINED", "CLIENT-IP"),), removed=("Server",))
    (route,) = routes((policy("REDIRECT_TO_URL", redirect_url=url),), LISTENERS, BACKENDS)
    assert route.action == Redirect(301, "https", "x.example.com", 444, "/p", "", (("X-A", "SYSTEM_DEFINED", "CLIENT-IP"),), ("Server",))
    url = StoredRedirectUrl(protocol=None, host=None, port=None, path=None, query=None, status_code=302)
    (route,) = routes((policy("REDIRECT_TO_URL", redirect_url=url),), LISTENERS, BACKENDS)
    assert route.action == Redirect(302, None, None, None, None, None)


def test_a_policy_without_rules_matches_nothing_but_a_redirect_to_a_listener_takes_everything() -> None:
    no_rules = (policy(rules=()), policy("FIXED_RESPONSE", rules=(), fixed_response=StoredFixedResponse(503, "text/plain", "x")))
    assert routes(no_rules, LISTENERS, BACKENDS) == ()
    (route,) = routes((policy("REDIRECT_TO_LISTENER", rules=(), redirect_listener_id="l-https"),), LISTENERS, BACKENDS)
    assert route.matches == ()


def test_a_fixed_response_keeps_status_type_body_and_header_changes() -> None:
    stored = StoredFixedResponse(503, "text/html", "<p>down</p>", (("X-A", "USER_DEFINED", "1"),), ("Server",))
    (route,) = routes((policy("FIXED_RESPONSE", fixed_response=stored),), LISTENERS, BACKENDS)
    assert route.action == FixedResponse(503, "text/html", "<p>down</p>", (("X-A", "USER_DEFINED", "1"),), ("Server",))


def test_order_is_kept() -> None:
    first = policy()
    second = replace(first, id="pol-2")
    assert [route.name for route in routes((second, first), LISTENERS, BACKENDS)] == ["pol-2", "pol-1"]


@pytest.mark.parametrize("unserved", [
    policy(provisioning_status="ERROR"),
    policy(redirect_pools=(("p-1", 1), ("p-gone", 1))),
    policy("REDIRECT_TO_LISTENER", redirect_listener_id="l-gone"),
    policy(rules=(rule("PATH", "SUFFIX", "/a"),)),
    policy(rules=(rule("HEADER", "EQUAL_TO", "v"),)),
])
def test_a_policy_that_cannot_be_served_whole_is_left_out(unserved: StoredL7Policy, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    assert routes((unserved,), LISTENERS, BACKENDS) == ()
    assert unserved.provisioning_status == "ERROR" or "left out" in caplog.text


def test_a_pool_reached_only_through_a_listeners_policies_takes_that_listeners_timeout_and_retry() -> None:
    """HAProxy sets the server timeout and retries per backend: a policy's pool is that listener's too."""
    listener = StoredListener("l-1", "HTTP", 80, True, "p-1", 60, None, 90, False, None, None, [], None, None, {}, False)
    stored = StoredLoadBalancer(
        id="lb-1", vip_address="127.20.0.2", ipv6_vip_address=None, listeners=(listener,),
        pools=(StoredPool("p-1", "HTTP", "ROUND_ROBIN", True), StoredPool("p-2", "HTTP", "ROUND_ROBIN", True)),
        monitors={}, members=(), l7_policies={"l-1": (replace(policy(), redirect_pools=(("p-2", 1),)),)},
    )
    routed = desired_config(stored, maxconn=4_000).backend("p-2")
    assert routed is not None and (routed.server_timeout_s, routed.retry_members) == (90, False)
