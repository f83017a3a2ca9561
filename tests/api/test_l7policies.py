"""/v3/{project_id}/elb/l7policies: each action, the enhance_l7policy_enable gate, priorities and their
batch update, pools and listeners a policy names, provisioning_status ERROR, filters and paging, and
every refusal with its reason (nothing stored)."""

from typing import Any

import pytest

from elbd.store.dataplane import StoredFixedResponse, StoredRedirectUrl, stored_l7_policies
from tests.api.l7_helpers import Site, assert_refused, assert_sdk_shaped, conditions, create, new_site, rows, rule, to_pool
from tests.api.world import assert_elb_error, ids, quota
from tests.conftest import Api


@pytest.fixture(scope="module")
def site(alpha: Api) -> Site:
    return new_site(alpha)


# create, show, list


def test_a_policy_to_a_pool_with_its_rules(alpha: Api, site: Site) -> None:
    listener, pool = site.listener(), site.pool()
    body = to_pool(listener, pool, rule("HOST_NAME", "www.example.com", "EQUAL_TO"), rule("PATH", "/api"), name="api", description="to the api")
    made = create(alpha, body)
    assert_sdk_shaped(made)
    assert (made["name"], made["description"], made["action"], made["listener_id"]) == ("api", "to the api", "REDIRECT_TO_POOL", listener["id"])
    assert (made["redirect_pool_id"], made["redirect_pools_config"]) == (pool["id"], [{"pool_id": pool["id"], "weight": 1}])
    assert (made["priority"], made["provisioning_status"], made["admin_state_up"], made["redirect_listener_id"]) == (1, "ACTIVE", True, None)
    assert (made["redirect_url_config"], made["fixed_response_config"], made["enterprise_project_id"]) == (None, None, "0")
    assert len(made["rules"]) == 2 and all(set(shown) == {"id"} for shown in made["rules"])
    assert alpha.ok("GET", f"l7policies/{made['id']}")["l7policy"] == made
    whole = alpha.ok("GET", f"l7policies?id={made['id']}&display_all_rules=true")["l7policies"][0]["rules"]
    assert sorted((shown["type"], shown["value"]) for shown in whole) == [("HOST_NAME", "www.example.com"), ("PATH", "/api")]


def test_policies_sit_on_http_and_https_listeners_only(alpha: Api, site: Site) -> None:
    tcp = site.listener("TCP")
    assert_refused(alpha, "POST", "l7policies", to_pool(tcp, site.pool("TCP")), "HTTP and HTTPS listeners")
    https = site.listener("HTTPS")
    assert create(alpha, to_pool(https, site.pool("HTTP")))["listener_id"] == https["id"]


def test_another_projects_or_a_missing_listener_is_404(alpha: Api, beta: Api, site: Site) -> None:
    theirs = new_site(beta).listener()
    assert_refused(alpha, "POST", "l7policies", to_pool(theirs, site.pool()), status=404)


def test_filters_and_paging(alpha: Api) -> None:
    own = new_site(alpha)
    listener = own.enhanced()
    made = [create(alpha, to_pool(listener, own.pool(), rule("PATH", f"/p{index}"), name=f"n{index}")) for index in range(3)]
    by_listener = alpha.ok("GET", f"l7policies?listener_id={listener['id']}")["l7policies"]
    assert ids(by_listener) == ids(made)
    assert ids(alpha.ok("GET", f"l7policies?listener_id={listener['id']}&name=n1&name=n2")["l7policies"]) == ids(made[1:])
    assert ids(alpha.ok("GET", f"l7policies?listener_id={listener['id']}&priority=2")["l7policies"]) == [made[1]["id"]]
    assert alpha.ok("GET", f"l7policies?listener_id={listener['id']}&action=FIXED_RESPONSE")["l7policies"] == []
    assert alpha.ok("GET", f"l7policies?listener_id={listener['id']}&redirect_url=http://x")["l7policies"] == []
    assert alpha.ok("GET", f"l7policies?listener_id={listener['id']}&enterprise_project_id=other")["l7policies"] == []
    assert len(alpha.ok("GET", f"l7policies?listener_id={listener['id']}&provisioning_status=ACTIVE")["l7policies"]) == 3
    first = alpha.ok("GET", f"l7policies?listener_id={listener['id']}&limit=2")
    assert ids(first["l7policies"]) == ids(made[:2]) and first["page_info"]["next_marker"] == made[1]["id"]
    rest = alpha.ok("GET", f"l7policies?listener_id={listener['id']}&limit=2&marker={made[1]['id']}")
    assert ids(rest["l7policies"]) == [made[2]["id"]] and "next_marker" not in rest["page_info"]
    assert_elb_error(alpha.call("GET", "l7policies?colour=red"), 400, "ELB.8902")


# enhance_l7policy_enable on the listener


def test_enhance_is_settable_shown_and_never_turned_off(alpha: Api, site: Site) -> None:
    listener = site.listener()
    assert listener["enhance_l7policy_enable"] is False
    turned = alpha.ok("PUT", f"listeners/{listener['id']}", {"listener": {"enhance_l7policy_enable": True}})["listener"]
    assert turned["enhance_l7policy_enable"] is True and alpha.ok("GET", f"listeners/{listener['id']}")["listener"] == turned
    refusal = assert_elb_error(alpha.call("PUT", f"listeners/{listener['id']}", {"listener": {"enhance_l7policy_enable": False}}), 400, "ELB.8902")
    assert "cannot be turned off" in refusal["error_msg"]
    assert listener["id"] in ids(alpha.ok("GET", "listeners?enhance_l7policy_enable=true")["listeners"])


def test_enhance_is_for_http_and_https_listeners(alpha: Api, site: Site) -> None:
    body = {"listener": {"loadbalancer_id": site.lb["id"], "protocol": "TCP", "protocol_port": 10999, "enhance_l7policy_enable": True}}
    assert "HTTP and HTTPS" in assert_elb_error(alpha.call("POST", "listeners", body), 400, "ELB.8902")["error_msg"]
    assert site.enhanced("HTTPS")["enhance_l7policy_enable"] is True


def test_turning_enhance_on_numbers_policies_in_their_automatic_order(alpha: Api, site: Site) -> None:
    listener = site.listener()
    prefix = create(alpha, to_pool(listener, site.pool(), rule("PATH", "/a")))
    exact = create(alpha, to_pool(listener, site.pool(), rule("PATH", "/a", "EQUAL_TO")))
    host = create(alpha, to_pool(listener, site.pool(), rule("HOST_NAME", "a.example.com", "EQUAL_TO")))
    assert {prefix["priority"], exact["priority"], host["priority"]} == {1}
    alpha.ok("PUT", f"listeners/{listener['id']}", {"listener": {"enhance_l7policy_enable": True}})
    shown = {policy["id"]: policy["priority"] for policy in alpha.ok("GET", f"l7policies?listener_id={listener['id']}")["l7policies"]}
    assert shown == {host["id"]: 1, exact["id"]: 2, prefix["id"]: 3}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"priority": 3}, "priority"),
        ({"redirect_pools_config": [{"pool_id": "{pool}", "weight": "2"}]}, "redirect_pools_config"),
    ],
)
def test_without_enhance_no_priority_nor_weighted_pools(alpha: Api, site: Site, extra: dict[str, Any], field: str) -> None:
    pool = site.pool()
    extra = {name: [{**item, "pool_id": pool["id"]} for item in value] if isinstance(value, list) else value for name, value in extra.items()}
    message = assert_refused(alpha, "POST", "l7policies", to_pool(site.listener(), pool, **extra), "enhance_l7policy_enable")
    assert message.startswith(f"Invalid input for '{field}'")


@pytest.mark.parametrize("action", ["REDIRECT_TO_URL", "FIXED_RESPONSE"])
def test_without_enhance_no_url_redirect_nor_fixed_response(alpha: Api, site: Site, action: str) -> None:
    body = {"l7policy": {"listener_id": site.listener()["id"], "action": action}}
    assert_refused(alpha, "POST", "l7policies", body, "enhance_l7policy_enable")


# priorities


def test_priorities_default_to_the_highest_plus_one_and_are_unique(alpha: Api, site: Site) -> None:
    listener = site.enhanced()
    first = create(alpha, to_pool(listener, site.pool(), rule("PATH", "/1")))
    tenth = create(alpha, to_pool(listener, site.pool(), rule("PATH", "/10"), priority=10))
    after = create(alpha, to_pool(listener, site.pool(), rule("PATH", "/11")))
    assert (first["priority"], tenth["priority"], after["priority"]) == (1, 10, 11)
    assert_refused(alpha, "POST", "l7policies", to_pool(listener, site.pool(), rule("PATH", "/x"), priority=10), "priority 10")
    assert_refused(alpha, "PUT", f"l7policies/{first['id']}", {"l7policy": {"priority": 11}}, "priority 11")
    assert alpha.ok("PUT", f"l7policies/{first['id']}", {"l7policy": {"priority": 5}})["l7policy"]["priority"] == 5


def test_the_highest_priority_leaves_no_default(alpha: Api, site: Site) -> None:
    listener = site.enhanced()
    create(alpha, to_pool(listener, site.pool(), rule("PATH", "/top"), priority=10000))
    assert_refused(alpha, "POST", "l7policies", to_pool(listener, site.pool(), rule("PATH", "/next")), "1 to 10000")


@pytest.mark.parametrize("priority", [0, 10001, -1])
def test_priority_out_of_range(alpha: Api, site: Site, priority: int) -> None:
    assert_refused(alpha, "POST", "l7policies", to_pool(site.enhanced(), site.pool(), rule(), priority=priority), "priority")


def test_batch_update_priority(alpha: Api, site: Site) -> None:
    listener = site.enhanced()
    one, two = (create(alpha, to_pool(listener, site.pool(), rule("PATH", f"/{name}"))) for name in ("one", "two"))
    swap = {"l7policies": [{"id": one["id"], "priority": 2}, {"id": two["id"], "priority": 1}]}
    assert set(alpha.ok("POST", "l7policies/batch-update-priority", swap, status=200)) == {"request_id"}
    assert [alpha.ok("GET", f"l7policies/{policy['id']}")["l7policy"]["priority"] for policy in (one, two)] == [2, 1]
    with alpha.client.app.state.db.read() as session:
        assert ids([{"id": policy.id} for policy in stored_l7_policies(session, [site.lb["id"]])[listener["id"]]]) == [two["id"], one["id"]]


def test_batch_update_priority_refusals_change_nothing(alpha: Api, site: Site) -> None:
    listener = site.enhanced()
    one, two = (create(alpha, to_pool(listener, site.pool(), rule("PATH", f"/b{name}"))) for name in ("one", "two"))
    path = "l7policies/batch-update-priority"
    assert_refused(alpha, "POST", path, {"l7policies": [{"id": one["id"], "priority": 2}]}, "share a priority")
    assert_refused(alpha, "POST", path, {"l7policies": [{"id": one["id"], "priority": 5}, {"id": two["id"], "priority": 5}]}, "share a priority")
    assert_refused(alpha, "POST", path, {"l7policies": [{"id": one["id"], "priority": 5}, {"id": one["id"], "priority": 6}]}, "twice")
    assert_refused(alpha, "POST", path, {"l7policies": [{"id": one["id"], "priority": 0}]}, "1 to 10000")
    assert_refused(alpha, "POST", path, {"l7policies": [{"id": one["id"], "priority": 7}, {"id": "missing", "priority": 8}]}, status=404)
    plain = create(alpha, to_pool(site.listener(), site.pool(), rule()))
    assert_refused(alpha, "POST", path, {"l7policies": [{"id": plain["id"], "priority": 9}]}, "ordered automatically")


# REDIRECT_TO_POOL


def test_weighted_pools_and_sticky_sessions(alpha: Api, site: Site) -> None:
    listener = site.enhanced()
    pools = [site.pool() for _ in range(3)]
    config = [{"pool_id": pools[0]["id"], "weight": "3"}, {"pool_id": pools[1]["id"], "weight": 0}, {"pool_id": pools[2]["id"]}]
    body = {"l7policy": {"listener_id": listener["id"], "action": "REDIRECT_TO_POOL", "redirect_pools_config": config,
                         "redirect_pools_sticky_session_config": {"enable": True, "timeout": 30}, "rules": [rule()]}}
    made = create(alpha, body)
    assert made["redirect_pools_config"] == [{"pool_id": pools[0]["id"], "weight": 3}, {"pool_id": pools[1]["id"], "weight": 0}, {"pool_id": pools[2]["id"], "weight": 1}]
    assert made["redirect_pool_id"] == pools[0]["id"] and made["redirect_pools_sticky_session_config"] == {"enable": True, "timeout": 30}
    with alpha.client.app.state.db.read() as session:
        [stored] = stored_l7_policies(session, [site.lb["id"]])[listener["id"]]
    assert stored.redirect_pools == ((pools[0]["id"], 3), (pools[1]["id"], 0), (pools[2]["id"], 1)) and stored.sticky_session_timeout_min == 30


def pool_refusals(site: Site) -> list[tuple[str, dict[str, Any], str]]:
    other_lb = new_site(site.api)
    return [
        ("no pool", {"redirect_pool_id": None}, "needs redirect_pool_id or redirect_pools_config"),
        ("another load balancer's pool", {"redirect_pool_id": other_lb.pool()["id"]}, "another load balancer"),
        ("a TCP pool", {"redirect_pool_id": site.pool("TCP")["id"]}, "cannot serve a HTTP listener"),
        ("six pools", {"redirect_pools_config": [{"pool_id": site.pool()["id"]} for _ in range(6)]}, "redirect_pools_config"),
        ("weight 101", {"redirect_pools_config": [{"pool_id": site.pool()["id"], "weight": 101}]}, "0 to 100"),
        ("weight as text", {"redirect_pools_config": [{"pool_id": site.pool()["id"], "weight": "1e2"}]}, "weight"),
        ("a pool twice", {"redirect_pools_config": [{"pool_id": (twice := site.pool())["id"]}, {"pool_id": twice["id"]}]}, "twice"),
        ("pool id beside the config", {"redirect_pool_id": site.pool()["id"], "redirect_pools_config": [{"pool_id": site.pool()["id"]}]}, "not among"),
        ("sticky timeout -1", {"redirect_pools_sticky_session_config": {"enable": True, "timeout": -1}}, "timeout"),
        ("sticky timeout 1441", {"redirect_pools_sticky_session_config": {"enable": True, "timeout": 1441}}, "timeout"),
        ("a listener target", {"redirect_listener_id": site.listener()["id"]}, "only REDIRECT_TO_LISTENER"),
        ("a url config", {"redirect_url_config": {"status_code": "301"}}, "only REDIRECT_TO_URL"),
    ]


def test_redirect_to_pool_refusals(alpha: Api, site: Site) -> None:
    listener = site.enhanced()
    for label, extra, says in pool_refusals(site):
        body = to_pool(listener, site.pool(), rule())
        body["l7policy"].update(extra)
        if body["l7policy"].get("redirect_pool_id") is None:
            body["l7policy"].pop("redirect_pool_id")
        assert_refused(alpha, "POST", "l7policies", body, says), label


def test_a_default_pool_or_another_listeners_policy_pool_is_refused(alpha: Api, site: Site) -> None:
    default = site.pool()
    listener = site.listener(default_pool_id=default["id"])
    assert_refused(alpha, "POST", "l7policies", to_pool(listener, default, rule()), "default pool")
    shared = site.pool()
    create(alpha, to_pool(listener, shared, rule("PATH", "/shared")))
    assert_refused(alpha, "POST", "l7policies", to_pool(site.listener(), shared, rule()), "another listener")
    assert create(alpha, to_pool(listener, shared, rule("PATH", "/again")))["redirect_pool_id"] == shared["id"]
    assert_refused(alpha, "PUT", f"listeners/{site.listener()['id']}", {"listener": {"default_pool_id": shared["id"]}}, "used by forwarding policies")


def test_a_pool_or_listener_a_policy_names_is_not_deleted(alpha: Api, site: Site) -> None:
    listener, pool = site.listener(), site.pool()
    made = create(alpha, to_pool(listener, pool, rule()))
    assert_refused(alpha, "DELETE", f"pools/{pool['id']}", None, made["id"], status=409)
    assert_refused(alpha, "DELETE", f"listeners/{listener['id']}", None, made["id"], status=409)
    alpha.ok("DELETE", f"l7policies/{made['id']}")
    assert_elb_error(alpha.call("GET", f"l7policies/{made['id']}"), 404, "ELB.8904")
    assert_elb_error(alpha.call("GET", f"l7policies/{made['id']}/rules/{made['rules'][0]['id']}"), 404, "ELB.8904")
    alpha.ok("DELETE", f"pools/{pool['id']}")
    alpha.ok("DELETE", f"listeners/{listener['id']}")


def test_a_policys_pool_changes(alpha: Api, site: Site) -> None:
    listener = site.enhanced()
    made = create(alpha, to_pool(listener, site.pool(), rule()))
    other = site.pool()
    changed = alpha.ok("PUT", f"l7policies/{made['id']}", {"l7policy": {"redirect_pool_id": other["id"], "name": "moved"}})["l7policy"]
    assert (changed["redirect_pool_id"], changed["redirect_pools_config"], changed["name"]) == (other["id"], [{"pool_id": other["id"], "weight": 1}], "moved")


# REDIRECT_TO_LISTENER


def test_redirect_to_an_https_listener_of_the_same_load_balancer(alpha: Api, site: Site) -> None:
    http, https = site.listener(), site.listener("HTTPS")
    made = create(alpha, {"l7policy": {"listener_id": http["id"], "action": "REDIRECT_TO_LISTENER", "redirect_listener_id": https["id"]}})
    assert (made["redirect_listener_id"], made["redirect_pool_id"], made["rules"], made["priority"]) == (https["id"], None, [], 0)
    assert_refused(alpha, "POST", f"l7policies/{made['id']}/rules", {"rule": rule()}, "no rules")
    assert_refused(alpha, "DELETE", f"listeners/{https['id']}", None, made["id"], status=409)


def test_redirect_to_listener_refusals(alpha: Api, site: Site) -> None:
    http, https, tcp = site.listener(), site.listener("HTTPS"), site.listener("TCP")
    elsewhere = new_site(alpha).listener("HTTPS")

    def body(listener: dict[str, Any], target: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
        made = {"listener_id": listener["id"], "action": "REDIRECT_TO_LISTENER", **extra}
        if target is not None:
            made["redirect_listener_id"] = target["id"]
        return {"l7policy": made}

    assert_refused(alpha, "POST", "l7policies", body(https, site.listener("HTTPS")), "sits on an HTTP listener")
    assert_refused(alpha, "POST", "l7policies", body(http, None), "needs it")
    assert_refused(alpha, "POST", "l7policies", body(http, tcp), "HTTPS listener of the same load balancer")
    assert_refused(alpha, "POST", "l7policies", body(http, elsewhere), "HTTPS listener of the same load balancer")
    assert_refused(alpha, "POST", "l7policies", body(http, https, rules=[rule()]), "has no rules")
    assert_refused(alpha, "POST", "l7policies", body(http, https, redirect_pool_id=site.pool()["id"]), "only REDIRECT_TO_POOL")


def test_redirect_to_listener_priority_may_be_0(alpha: Api, site: Site) -> None:
    listener = site.enhanced()
    target = site.listener("HTTPS")
    made = create(alpha, {"l7policy": {"listener_id": listener["id"], "action": "REDIRECT_TO_LISTENER", "redirect_listener_id": target["id"]}})
    assert made["priority"] == 0
    assert create(alpha, to_pool(listener, site.pool(), rule()))["priority"] == 1


# REDIRECT_TO_URL and FIXED_RESPONSE


def url_policy(listener: dict[str, Any], config: dict[str, Any], *rules: dict[str, Any]) -> dict[str, Any]:
    return {"l7policy": {"listener_id": listener["id"], "action": "REDIRECT_TO_URL", "redirect_url_config": config, "rules": list(rules)}}


def fixed_policy(listener: dict[str, Any], config: dict[str, Any], *rules: dict[str, Any]) -> dict[str, Any]:
    return {"l7policy": {"listener_id": listener["id"], "action": "FIXED_RESPONSE", "fixed_response_config": config, "rules": list(rules)}}


def test_a_url_redirect_keeps_the_request_parts_it_does_not_set(alpha: Api, site: Site) -> None:
    listener = site.enhanced()
    made = create(alpha, url_policy(listener, {"protocol": "HTTPS", "port": "8443", "status_code": "301"}, rule()))
    assert made["redirect_url_config"] == {
        "protocol": "HTTPS", "host": "${host}", "port": "8443", "path": "${path}", "query": "${query}", "status_code": "301",
        "insert_headers_config": None, "remove_headers_config": None,
    }
    changed = alpha.ok("PUT", f"l7policies/{made['id']}", {"l7policy": {"redirect_url_config": {"path": "/new/page", "query": "${query}&a=b"}}})
    config = changed["l7policy"]["redirect_url_config"]
    assert (config["protocol"], config["path"], config["query"], config["status_code"]) == ("HTTPS", "/new/page", "${query}&a=b", "301")
    with alpha.client.app.state.db.read() as session:
        [stored] = stored_l7_policies(session, [site.lb["id"]])[listener["id"]]
    assert stored.redirect_url == StoredRedirectUrl("HTTPS", "${host}", "8443", "/new/page", "${query}&a=b", 301)


def test_what_terraform_sends_for_parts_left_unset(alpha: Api, site: Site) -> None:
    """huaweicloud_elb_l7policy sends "" for every unset part of a config and 0 for an unset timeout."""
    listener = site.enhanced()
    unset = {"protocol": "", "host": "", "port": "", "path": "", "query": "", "status_code": "302"}
    config = create(alpha, url_policy(listener, unset, rule()))["redirect_url_config"]
    assert (config["protocol"], config["host"], config["port"], config["path"], config["query"]) == ("${protocol}", "${host}", "${port}", "${path}", "${query}")
    fixed = create(alpha, fixed_policy(listener, {"status_code": "200", "content_type": "", "message_body": ""}, rule("PATH", "/f")))
    assert (fixed["fixed_response_config"]["content_type"], fixed["fixed_response_config"]["message_body"]) == ("text/plain", "")
    body = to_pool(listener, site.pool(), rule("PATH", "/s"), redirect_pools_sticky_session_config={"enable": False, "timeout": 0})
    assert create(alpha, body)["redirect_pools_sticky_session_config"] == {"enable": False, "timeout": 1440}
    assert_refused(alpha, "POST", "l7policies", url_policy(listener, {**unset, "status_code": ""}, rule("PATH", "/t")), "status_code")


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ({}, "status_code"),
        ({"status_code": "300"}, "301, 302, 303, 307, 308"),
        ({"status_code": "301", "protocol": "FTP"}, "protocol"),
        ({"status_code": "301", "host": "-bad"}, "host"),
        ({"status_code": "301", "port": "70000"}, "port"),
        ({"status_code": "301", "path": "no-slash"}, "path"),
        ({"status_code": "301", "path": "/a b"}, "path"),
        ({"status_code": "301", "query": "a\nb"}, "query"),
        ({"status_code": "301", "insert_headers_config": {"configs": [{"key": "X A", "value_type": "USER_DEFINED", "value": "1"}]}}, "header name"),
        ({"status_code": "301", "insert_headers_config": {"configs": [{"key": "Content-Length", "value_type": "USER_DEFINED", "value": "1"}]}},
         "load balancer's to set"),
        ({"status_code": "301", "insert_headers_config": {"configs": [{"key": "X-A", "value_type": "USER_DEFINED", "value": "a\r\nSet-Cookie: x"}]}},
         "printable ASCII"),
        ({"status_code": "301", "insert_headers_config": {"configs": [{"key": "X-A", "value_type": "USER_DEFINED", "value": " padded"}]}}, "space"),
        ({"status_code": "301", "insert_headers_config": {"configs": [{"key": "X-A", "value_type": "SYSTEM_DEFINED", "value": "ELB-EIP"}]}}, "no EIPs"),
        ({"status_code": "301", "insert_headers_config": {"configs": [{"key": "X-A", "value_type": "REFERENCE_HEADER", "value": "a,b"}]}}, "header name"),
        ({"status_code": "301", "insert_headers_config": {"configs": [{"key": "X-A", "value_type": "OTHER", "value": "1"}]}}, "value_type"),
        ({"status_code": "301", "remove_headers_config": {"configs": [{"key": "Transfer-Encoding"}]}}, "load balancer's to set"),
    ],
)
def test_url_redirect_refusals(alpha: Api, site: Site, config: dict[str, Any], says: str) -> None:
    assert_refused(alpha, "POST", "l7policies", url_policy(site.enhanced(), config, rule()), says)


def test_an_answers_header_changes_are_kept_shown_and_read_by_the_data_plane(alpha: Api, site: Site) -> None:
    listener = site.enhanced()
    inserted = {"configs": [{"key": "X-Note", "value_type": "USER_DEFINED", "value": "moved 100% #1"},
                            {"key": "X-Trace", "value_type": "REFERENCE_HEADER", "value": "X-Request-Id"},
                            {"key": "X-Client", "value_type": "SYSTEM_DEFINED", "value": "CLIENT-IP"}]}
    removed = {"configs": [{"key": "Server"}]}
    made = create(alpha, fixed_policy(listener, {"status_code": "503", "insert_headers_config": inserted, "remove_headers_config": removed}, rule()))
    assert (made["fixed_response_config"]["insert_headers_config"], made["fixed_response_config"]["remove_headers_config"]) == (inserted, removed)
    changed = alpha.ok("PUT", f"l7policies/{made['id']}", {"l7policy": {"fixed_response_config": {"message_body": "later"}}})["l7policy"]
    assert changed["fixed_response_config"]["insert_headers_config"] == inserted  # kept when an update leaves them out
    with alpha.client.app.state.db.read() as session:
        [stored] = stored_l7_policies(session, [site.lb["id"]])[listener["id"]]
    assert stored.fixed_response == StoredFixedResponse(
        503, "text/plain", "later",
        (("X-Note", "USER_DEFINED", "moved 100% #1"), ("X-Trace", "REFERENCE_HEADER", "X-Request-Id"), ("X-Client", "SYSTEM_DEFINED", "CLIENT-IP")),
        ("Server",),
    )
    cleared = alpha.ok("PUT", f"l7policies/{made['id']}", {"l7policy": {"fixed_response_config": {"insert_headers_config": {"configs": []}}}})
    assert cleared["l7policy"]["fixed_response_config"]["insert_headers_config"] == {"configs": []}


def test_a_fixed_response(alpha: Api, site: Site) -> None:
    listener = site.enhanced()
    made = create(alpha, fixed_policy(listener, {"status_code": "503", "message_body": "down for maintenance"}, rule()))
    assert made["fixed_response_config"] == {
        "status_code": "503", "content_type": "text/plain", "message_body": "down for maintenance",
        "insert_headers_config": None, "remove_headers_config": None, "traffic_limit_config": None,
    }
    with alpha.client.app.state.db.read() as session:
        [stored] = stored_l7_policies(session, [site.lb["id"]])[listener["id"]]
    assert stored.fixed_response == StoredFixedResponse(503, "text/plain", "down for maintenance")
    assert_refused(alpha, "POST", "l7policies", {"l7policy": {"listener_id": listener["id"], "action": "FIXED_RESPONSE"}}, "needs it")


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ({}, "status_code"),
        ({"status_code": "302"}, "200-299"),
        ({"status_code": 200}, "fixed_response_config.status_code"),
        ({"status_code": "200", "content_type": "text/xml"}, "content_type"),
        ({"status_code": "200", "message_body": "x" * 1025}, "message_body"),
        ({"status_code": "200", "message_body": "two\nlines"}, "printable ASCII"),
        ({"status_code": "200", "message_body": "caf\u00e9"}, "printable ASCII"),
        ({"status_code": "200", "traffic_limit_config": {"qps": 10}}, "limit"),
    ],
)
def test_fixed_response_refusals(alpha: Api, site: Site, config: dict[str, Any], says: str) -> None:
    assert_refused(alpha, "POST", "l7policies", fixed_policy(site.enhanced(), config, rule()), says)


def test_a_fixed_response_body_keeps_what_haproxy_must_not_interpret(alpha: Api, site: Site) -> None:
    body = "{\"a\": \"%[src]\", 'b': \"\\\\\"} # not a comment"
    made = create(alpha, fixed_policy(site.enhanced(), {"status_code": "200", "content_type": "application/json", "message_body": body}, rule()))
    assert made["fixed_response_config"]["message_body"] == body


# what elbd does not serve


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"admin_state_up": False}, "admin_state_up"),
        ({"position": 1}, "position"),
        ({"redirect_url": "http://example.com"}, "redirect_url"),
        ({"redirect_pools_extend_config": {"rewrite_url_enable": True}}, "redirect_pools_extend_config"),
    ],
)
def test_unserved_attributes_are_refused(alpha: Api, site: Site, extra: dict[str, Any], field: str) -> None:
    message = assert_refused(alpha, "POST", "l7policies", to_pool(site.listener(), site.pool(), rule(), **extra))
    assert message.startswith(f"Invalid input for '{field}'"), message


def test_values_that_ask_for_nothing_are_accepted(alpha: Api, site: Site) -> None:
    body = to_pool(site.listener(), site.pool(), rule(), admin_state_up=True, redirect_pools_extend_config={"rewrite_url_enable": False})
    assert create(alpha, body)["admin_state_up"] is True


def test_the_l7policy_quota(alpha: Api, site: Site) -> None:
    project = site.api
    listener = site.listener()
    before = rows(project)
    used_now = project.ok("GET", "quotas/details?quota_key=l7policy")["quotas"][0]["used"]
    with quota(project, "l7policy", used_now):
        assert_elb_error(project.call("POST", "l7policies", to_pool(listener, site.pool(), rule())), 409, "ELB.8905")
    assert rows(project) == before


# provisioning_status


def test_a_policy_with_the_same_rules_as_an_older_one_is_error_until_that_one_goes(alpha: Api, site: Site) -> None:
    listener = site.enhanced()
    same = [rule("HOST_NAME", "a.example.com", "EQUAL_TO"), conditions("METHOD", "", "GET", "POST")]
    older = create(alpha, to_pool(listener, site.pool(), *same))
    newer = create(alpha, to_pool(listener, site.pool(), same[1] | {"conditions": same[1]["conditions"][::-1]}, same[0]))
    assert (older["provisioning_status"], newer["provisioning_status"]) == ("ACTIVE", "ERROR")
    assert ids(alpha.ok("GET", f"l7policies?listener_id={listener['id']}&provisioning_status=ERROR")["l7policies"]) == [newer["id"]]
    elsewhere = create(alpha, to_pool(site.enhanced(), site.pool(), *same))
    assert elsewhere["provisioning_status"] == "ACTIVE"
    alpha.ok("PUT", f"l7policies/{newer['id']}", {"l7policy": {"rules": [rule("HOST_NAME", "b.example.com", "EQUAL_TO")]}})
    assert alpha.ok("GET", f"l7policies/{newer['id']}")["l7policy"]["provisioning_status"] == "ACTIVE"
    alpha.ok("PUT", f"l7policies/{newer['id']}", {"l7policy": {"rules": same}})
    assert alpha.ok("GET", f"l7policies/{newer['id']}")["l7policy"]["provisioning_status"] == "ERROR"
    alpha.ok("DELETE", f"l7policies/{older['id']}")
    assert alpha.ok("GET", f"l7policies/{newer['id']}")["l7policy"]["provisioning_status"] == "ACTIVE"


def test_policies_without_rules_duplicate_nothing(alpha: Api, site: Site) -> None:
    listener = site.listener()
    assert [create(alpha, to_pool(listener, site.pool()))["provisioning_status"] for _ in range(2)] == ["ACTIVE", "ACTIVE"]


# update


def test_rules_given_to_an_update_replace_every_rule(alpha: Api, site: Site) -> None:
    made = create(alpha, to_pool(site.listener(), site.pool(), rule("PATH", "/old"), rule("HOST_NAME", "old.example.com", "EQUAL_TO")))
    changed = alpha.ok("PUT", f"l7policies/{made['id']}", {"l7policy": {"rules": [rule("PATH", "/new", "EQUAL_TO")], "description": "d"}})["l7policy"]
    assert len(changed["rules"]) == 1 and changed["description"] == "d"
    [shown] = alpha.ok("GET", f"l7policies/{made['id']}/rules")["rules"]
    assert (shown["value"], shown["compare_type"]) == ("/new", "EQUAL_TO")
    assert_refused(alpha, "PUT", f"l7policies/{made['id']}", {"l7policy": {"rules": [rule("METHOD", None, conditions=[{"key": "", "value": "GET"}])]}}, "enhance")


def test_an_update_refuses_another_actions_attributes(alpha: Api, site: Site) -> None:
    made = create(alpha, to_pool(site.listener(), site.pool(), rule()))
    assert_refused(alpha, "PUT", f"l7policies/{made['id']}", {"l7policy": {"fixed_response_config": {"status_code": "200"}}}, "only FIXED_RESPONSE")


# what the data plane reads


def test_the_data_plane_reads_each_listeners_policies_in_evaluation_order(alpha: Api) -> None:
    own = new_site(alpha)
    plain, enhanced = own.listener(), own.enhanced()
    prefix = create(alpha, to_pool(plain, own.pool(), rule("PATH", "/a")))
    host = create(alpha, to_pool(plain, own.pool(), rule("HOST_NAME", "h.example.com", "EQUAL_TO")))
    late = create(alpha, to_pool(enhanced, own.pool(), conditions("HEADER", "X-Env", "prod", "stage"), priority=20))
    early = create(alpha, to_pool(enhanced, own.pool(), conditions("SOURCE_IP", "", "10.0.0.0/8"), priority=10))
    with alpha.client.app.state.db.read() as session:
        read = stored_l7_policies(session, [own.lb["id"]])
    assert [policy.id for policy in read[plain["id"]]] == [host["id"], prefix["id"]]
    assert [policy.id for policy in read[enhanced["id"]]] == [early["id"], late["id"]]
    [header] = read[enhanced["id"]][1].rules
    assert (header.type, header.compare_type, header.key, header.values) == ("HEADER", "EQUAL_TO", "X-Env", ("prod", "stage"))
    [source] = read[enhanced["id"]][0].rules
    assert (source.key, source.values) == (None, ("10.0.0.0/8",))
    assert read[plain["id"]][1].rules[0].values == ("/a",) and read[plain["id"]][1].priority == 1


def test_every_policy_write_rebuilds_its_load_balancer(alpha: Api, site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    heard: list[Any] = []
    monkeypatch.setattr(alpha.client.app.state.db, "on_change", heard.append)
    listener, pool = site.enhanced(), site.pool()
    heard.clear()
    made = create(alpha, to_pool(listener, pool, rule()))
    alpha.ok("PUT", f"l7policies/{made['id']}", {"l7policy": {"name": "n"}})
    made_rule = alpha.ok("POST", f"l7policies/{made['id']}/rules", {"rule": rule("HOST_NAME", "x.example.com", "EQUAL_TO")})["rule"]
    alpha.ok("PUT", f"l7policies/{made['id']}/rules/{made_rule['id']}", {"rule": {"value": "y.example.com"}})
    alpha.ok("DELETE", f"l7policies/{made['id']}/rules/{made_rule['id']}")
    alpha.ok("POST", "l7policies/batch-update-priority", {"l7policies": [{"id": made["id"], "priority": 9}]}, status=200)
    alpha.ok("DELETE", f"l7policies/{made['id']}")
    rebuilt = [changes for changes in heard if site.lb["id"] in changes.load_balancers]
    assert len(rebuilt) == 7, heard


def test_every_change_answers_once_the_data_plane_serves_it_or_says_it_could_not(alpha: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """ACTIVE in an answer means the policy routes (Terraform polls for it); unconfirmed is a 503, the policy kept."""
    own = new_site(alpha)
    listener = own.enhanced()
    asked: list[set[str]] = []
    confirmed = [True]

    def wait(load_balancer_ids: set[str], _timeout_s: float) -> bool:
        asked.append(load_balancer_ids)
        return confirmed[0]

    monkeypatch.setattr(alpha.client.app.state.dataplane, "wait_until_applied", wait)
    made = create(alpha, to_pool(listener, own.pool(), rule("PATH", "/a")))
    alpha.ok("PUT", f"l7policies/{made['id']}", {"l7policy": {"name": "renamed"}})
    made_rule = alpha.ok("POST", f"l7policies/{made['id']}/rules", {"rule": {"type": "HOST_NAME", "compare_type": "EQUAL_TO", "value": "a.example.com"}})
    alpha.ok("DELETE", f"l7policies/{made['id']}/rules/{made_rule['rule']['id']}")
    alpha.ok("POST", "l7policies/batch-update-priority", {"l7policies": [{"id": made["id"], "priority": 7}]}, status=200)
    assert asked == [{own.lb["id"]}] * 5
    confirmed[0] = False
    body = assert_elb_error(alpha.call("POST", "l7policies", to_pool(listener, own.pool(), rule("PATH", "/b"))), 503, "ELB.8906")
    assert "saved, but the data plane" in body["error_msg"] and own.lb["id"] in body["error_msg"]
    assert len(alpha.ok("GET", f"l7policies?listener_id={listener['id']}")["l7policies"]) == 2
    assert_elb_error(alpha.call("DELETE", f"l7policies/{made['id']}"), 503, "ELB.8906")
