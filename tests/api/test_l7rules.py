"""Forwarding rules: /v3/{project_id}/elb/l7policies/{id}/rules and every rule of the project at
/l7policies/rules; what each type matches and how, the enhance_l7policy_enable gate, a policy's limits,
and hostile values, each refused (nothing stored) or, where the reference allows it, kept verbatim."""

from typing import Any

import pytest

from elbd.store.dataplane import stored_l7_policies
from tests.api.l7_helpers import Site, assert_refused, conditions, create, new_site, rule, to_pool
from tests.api.world import assert_elb_error, ids
from tests.conftest import Api


@pytest.fixture(scope="module")
def site(alpha: Api) -> Site:
    return new_site(alpha)


@pytest.fixture(scope="module")
def plain(alpha: Api, site: Site) -> dict[str, Any]:
    """A policy on a listener without enhance_l7policy_enable, with no rule."""
    return create(alpha, to_pool(site.listener(), site.pool()))


@pytest.fixture(scope="module")
def enhanced(alpha: Api, site: Site) -> dict[str, Any]:
    """A policy on a listener with enhance_l7policy_enable, with no rule."""
    return create(alpha, to_pool(site.enhanced(), site.pool()))


def rules_path(policy: dict[str, Any]) -> str:
    return f"l7policies/{policy['id']}/rules"


def add(api: Api, policy: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    return api.ok("POST", rules_path(policy), {"rule": body})["rule"]


# create, show, list, update, delete


def test_a_rules_life(alpha: Api, site: Site) -> None:
    policy = create(alpha, to_pool(site.listener(), site.pool()))
    made = add(alpha, policy, rule("PATH", "/shop", "EQUAL_TO"))
    assert (made["type"], made["compare_type"], made["value"], made["key"], made["conditions"]) == ("PATH", "EQUAL_TO", "/shop", None, [])
    assert (made["invert"], made["admin_state_up"], made["provisioning_status"], made["project_id"]) == (False, True, "ACTIVE", alpha.project_id)
    path = f"{rules_path(policy)}/{made['id']}"
    assert alpha.ok("GET", path)["rule"] == made
    assert ids(alpha.ok("GET", rules_path(policy))["rules"]) == [made["id"]]
    assert alpha.ok("GET", f"l7policies/{policy['id']}")["l7policy"]["rules"] == [{"id": made["id"]}]
    changed = alpha.ok("PUT", path, {"rule": {"compare_type": "STARTS_WITH", "value": "/store"}})["rule"]
    assert (changed["compare_type"], changed["value"], changed["created_at"]) == ("STARTS_WITH", "/store", made["created_at"])
    alpha.ok("DELETE", path)
    assert_elb_error(alpha.call("GET", path), 404, "ELB.8904")
    assert alpha.ok("GET", rules_path(policy))["rules"] == []


def test_every_rule_of_the_project_with_filters(alpha: Api, site: Site) -> None:
    first = create(alpha, to_pool(site.listener(), site.pool(), rule("PATH", "/all-1"), rule("HOST_NAME", "all.example.com", "EQUAL_TO")))
    second = create(alpha, to_pool(site.listener(), site.pool(), rule("PATH", "/all-2")))
    rule_ids = ids(first["rules"]) + ids(second["rules"])
    listed = alpha.ok("GET", f"l7policies/rules?l7policy_id={first['id']}&l7policy_id={second['id']}")["rules"]
    assert sorted(ids(listed)) == sorted(rule_ids)
    hosts = alpha.ok("GET", f"l7policies/rules?l7policy_id={first['id']}&type=HOST_NAME")["rules"]
    assert [shown["value"] for shown in hosts] == ["all.example.com"]
    assert ids(alpha.ok("GET", f"l7policies/rules?value=/all-2")["rules"]) == ids(second["rules"])
    assert alpha.ok("GET", f"l7policies/rules?l7policy_id={first['id']}&invert=true")["rules"] == []
    assert alpha.ok("GET", f"l7policies/rules?l7policy_id={first['id']}&provisioning_status=ERROR")["rules"] == []
    assert len(alpha.ok("GET", f"{rules_path(first)}?compare_type=STARTS_WITH&admin_state_up=true")["rules"]) == 1
    page = alpha.ok("GET", f"{rules_path(first)}?limit=1")
    assert len(page["rules"]) == 1 and page["page_info"]["next_marker"] == page["rules"][0]["id"]
    assert_elb_error(alpha.call("GET", f"{rules_path(first)}?l7policy_id={second['id']}"), 400, "ELB.8902")


def test_another_policys_rule_is_not_found_here(alpha: Api, site: Site) -> None:
    one = create(alpha, to_pool(site.listener(), site.pool(), rule("PATH", "/one")))
    other = create(alpha, to_pool(site.listener(), site.pool()))
    assert_refused(alpha, "GET", f"{rules_path(other)}/{one['rules'][0]['id']}", None, status=404)
    assert_refused(alpha, "DELETE", f"{rules_path(other)}/{one['rules'][0]['id']}", None, status=404)


# what each type takes


def test_every_type_on_an_enhanced_listener(alpha: Api, site: Site) -> None:
    policy = create(alpha, to_pool(site.enhanced(), site.pool()))
    made = [
        add(alpha, policy, rule("HOST_NAME", "*.example.com", "EQUAL_TO")),
        add(alpha, policy, rule("PATH", "^/v[0-9]+/items$", "REGEX")),
        add(alpha, policy, conditions("METHOD", "", "GET", "HEAD")),
        add(alpha, policy, conditions("SOURCE_IP", "", "10.0.0.0/8", "fd00::/64")),
        add(alpha, policy, conditions("HEADER", "X-Env", "prod*")),
        add(alpha, policy, conditions("QUERY_STRING", "lang", "en?")),
        add(alpha, policy, conditions("COOKIE", "session", "abc")),
    ]
    assert made[4]["conditions"] == [{"key": "X-Env", "value": "prod*"}] and made[4]["value"] == ""
    assert sum(max(1, len(shown["conditions"])) for shown in made) == 9
    assert_refused(alpha, "POST", rules_path(policy), {"rule": conditions("HEADER", "X-Other", "a", "b")}, "at most 10")
    assert add(alpha, policy, conditions("HEADER", "X-Other", "a"))["conditions"][0]["key"] == "X-Other"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (conditions("METHOD", "", "GET"), "enhance_l7policy_enable"),
        (conditions("HEADER", "X-A", "b"), "enhance_l7policy_enable"),
        (rule("HOST_NAME", "*.example.com", "EQUAL_TO"), "enhance_l7policy_enable"),
        ({**rule("PATH", None), "conditions": [{"key": "", "value": "/a"}]}, "enhance_l7policy_enable"),
    ],
)
def test_without_enhance_only_host_and_path_values(alpha: Api, plain: dict[str, Any], body: dict[str, Any], says: str) -> None:
    assert_refused(alpha, "POST", rules_path(plain), {"rule": body}, says)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (rule("HOST_NAME", "a.example.com", "STARTS_WITH"), "takes EQUAL_TO"),
        (rule("HOST_NAME", "a.example.com", "REGEX"), "takes EQUAL_TO"),
        ({**conditions("METHOD", "", "GET"), "compare_type": "REGEX"}, "takes EQUAL_TO"),
        (rule("PATH", "api", "EQUAL_TO"), "starts with '/'"),
        (rule("PATH", None), "needs its value"),
        (rule("PATH", ""), "needs its value"),
        (rule("METHOD", "GET", "EQUAL_TO"), "matches by conditions"),
        ({**conditions("METHOD", "", "GET"), "value": "GET"}, "leave value out"),
        (conditions("METHOD", "", "get"), "GET, PUT"),
        (conditions("METHOD", "x", "GET"), "key is \"\""),
        (conditions("SOURCE_IP", "", "10.0.0.1/8"), "write it as 10.0.0.0/8"),
        (conditions("SOURCE_IP", "", "10.0.0.1"), "CIDR"),
        (conditions("HEADER", "X A", "b"), "header name"),
        (conditions("HEADER", "X-" + "a" * 40, "b"), "header name"),
        (conditions("HEADER", "", "b"), "header name"),
        (conditions("HEADER", "X-A", "b", "b"), "twice"),
        ({"type": "HEADER", "compare_type": "EQUAL_TO", "conditions": [{"key": "X-A", "value": "1"}, {"key": "X-B", "value": "2"}]}, "same key"),
        (conditions("QUERY_STRING", "a&b", "c"), "query-string name"),
        (conditions("QUERY_STRING", "a", "c#d"), "query-string value"),
        (conditions("COOKIE", "a=b", "c"), "cookie name"),
        ({**rule(), "invert": True}, "inverted"),
        ({**rule(), "key": "X-A"}, "deprecated"),
        ({**rule(), "admin_state_up": False}, "always up"),
        ({**conditions("HEADER", "X-A", *[f"v{index}" for index in range(11)])}, "conditions"),
    ],
)
def test_rule_refusals(alpha: Api, enhanced: dict[str, Any], body: dict[str, Any], says: str) -> None:
    assert_refused(alpha, "POST", rules_path(enhanced), {"rule": body}, says)


def test_one_host_path_method_and_source_ip_rule_per_policy(alpha: Api, site: Site) -> None:
    policy = create(alpha, to_pool(site.enhanced(), site.pool(), rule("HOST_NAME", "one.example.com", "EQUAL_TO"), rule("PATH", "/one")))
    add(alpha, policy, conditions("METHOD", "", "GET"))
    add(alpha, policy, conditions("SOURCE_IP", "", "10.1.0.0/16"))
    for body in (rule("HOST_NAME", "two.example.com", "EQUAL_TO"), rule("PATH", "/two"), conditions("METHOD", "", "PUT"), conditions("SOURCE_IP", "", "10.2.0.0/16")):
        assert_refused(alpha, "POST", rules_path(policy), {"rule": body}, "at most one")
    add(alpha, policy, conditions("HEADER", "X-A", "1"))
    add(alpha, policy, conditions("HEADER", "X-A", "2"))
    add(alpha, policy, conditions("QUERY_STRING", "q", "1"))
    add(alpha, policy, conditions("QUERY_STRING", "q", "2"))


def test_inline_rules_are_held_to_the_same_limits(alpha: Api, site: Site) -> None:
    listener = site.enhanced()
    two_hosts = to_pool(listener, site.pool(), rule("HOST_NAME", "a.example.com", "EQUAL_TO"), rule("HOST_NAME", "b.example.com", "EQUAL_TO"))
    assert_refused(alpha, "POST", "l7policies", two_hosts, "at most one HOST_NAME")
    eleven = to_pool(listener, site.pool(), conditions("HEADER", "X-A", *[f"v{index}" for index in range(6)]), conditions("HEADER", "X-B", *[f"w{index}" for index in range(5)]))
    assert_refused(alpha, "POST", "l7policies", eleven, "at most 10")
    message = assert_refused(alpha, "POST", "l7policies", to_pool(listener, site.pool(), rule(), rule("PATH", "nope", "EQUAL_TO")))
    assert message.startswith("Invalid input for 'rules.1.value'"), message


def test_a_rule_update_keeps_the_type_and_checks_the_whole_policy(alpha: Api, site: Site) -> None:
    policy = create(alpha, to_pool(site.enhanced(), site.pool(), conditions("HEADER", "X-A", "1"), rule("PATH", "/u")))
    header, path = policy["rules"]
    header_path = f"{rules_path(policy)}/{header['id']}"
    assert_refused(alpha, "PUT", header_path, {"rule": {"conditions": [{"key": "X-A", "value": str(index)} for index in range(10)]}}, "at most 10")
    changed = alpha.ok("PUT", header_path, {"rule": {"conditions": [{"key": "X-B", "value": "2"}, {"key": "X-B", "value": "3"}]}})["rule"]
    assert (changed["type"], changed["conditions"]) == ("HEADER", [{"key": "X-B", "value": "2"}, {"key": "X-B", "value": "3"}])
    kept = alpha.ok("PUT", header_path, {"rule": {"compare_type": "EQUAL_TO"}})["rule"]
    assert kept["conditions"] == changed["conditions"]
    path_path = f"{rules_path(policy)}/{path['id']}"
    regex = alpha.ok("PUT", path_path, {"rule": {"compare_type": "REGEX", "value": "^/u(/.*)?$"}})["rule"]
    assert (regex["compare_type"], regex["value"]) == ("REGEX", "^/u(/.*)?$")
    assert_refused(alpha, "PUT", path_path, {"rule": {"compare_type": "EQUAL_TO"}}, "starts with '/'")
    assert_refused(alpha, "PUT", path_path, {"rule": {"type": "HOST_NAME"}}, "type")


# hostile values: refused at the API, or kept verbatim where the reference allows them


HOSTILE_REFUSED = [
    ("newline in a host", rule("HOST_NAME", "a.example.com\nbackend evil", "EQUAL_TO")),
    ("CR in a path", rule("PATH", "/a\r\nX-Injected: 1")),
    ("NUL in a path", rule("PATH", "/a\x00b")),
    ("tab in a path", rule("PATH", "/a\tb")),
    ("space in a path", rule("PATH", "/a b")),
    ("double quote in a path", rule("PATH", '/a"b')),
    ("a path of 129 characters", rule("PATH", "/" + "a" * 128)),
    ("non-ASCII in a path", rule("PATH", "/caf\u00e9")),
    ("non-ASCII host", rule("HOST_NAME", "b\u00fccher.example", "EQUAL_TO")),
    ("quote in a host", rule("HOST_NAME", "a'b.example.com", "EQUAL_TO")),
    ("hash in a host", rule("HOST_NAME", "a#b.example.com", "EQUAL_TO")),
    ("newline in a header value", conditions("HEADER", "X-A", "a\nb")),
    ("newline in a header name", conditions("HEADER", "X-A\n", "b")),
    ("quote in a header value", conditions("HEADER", "X-A", 'a"b')),
    ("space in a header value", conditions("HEADER", "X-A", "a b")),
    ("percent in a query value", conditions("QUERY_STRING", "q", "%[src]")),
    ("backslash in a query value", conditions("QUERY_STRING", "q", "a\\b")),
    ("parenthesis in a query name", conditions("QUERY_STRING", "q)", "1")),
    ("semicolon in a cookie value", conditions("COOKIE", "c", "a;b")),
    ("newline in a regex", rule("PATH", "^/a\n$", "REGEX")),
    ("space in a regex", rule("PATH", "^/a b$", "REGEX")),
    ("nested repetition", rule("PATH", "^/(a+)+$", "REGEX")),
    ("nested star", rule("PATH", "(a*)*", "REGEX")),
    ("alternation repeated", rule("PATH", "^/(a|a)*$", "REGEX")),
    ("a (* verb", rule("PATH", "(*LIMIT_MATCH=100000000)^/a", "REGEX")),
    ("unbalanced regex", rule("PATH", "^/(a", "REGEX")),
    ("a bad class", rule("PATH", "^/[z-a]", "REGEX")),
    ("a dangling quantifier", rule("PATH", "*a", "REGEX")),
]


@pytest.mark.parametrize(("label", "body"), HOSTILE_REFUSED, ids=[label for label, _ in HOSTILE_REFUSED])
def test_hostile_values_are_refused(alpha: Api, enhanced: dict[str, Any], label: str, body: dict[str, Any]) -> None:
    assert_refused(alpha, "POST", rules_path(enhanced), {"rule": body})
    assert_refused(alpha, "POST", "l7policies", to_pool({"id": enhanced["listener_id"]}, {"id": enhanced["redirect_pool_id"]}, body))


def test_an_invalid_regex_is_refused_with_pcre2s_words(alpha: Api, enhanced: dict[str, Any]) -> None:
    message = assert_refused(alpha, "POST", rules_path(enhanced), {"rule": rule("PATH", "^/(a", "REGEX")}, "does not compile in PCRE2")
    assert "missing closing parenthesis" in message


def test_a_value_of_more_than_128_characters_is_refused_before_it_is_read(alpha: Api, enhanced: dict[str, Any]) -> None:
    assert_refused(alpha, "POST", rules_path(enhanced), {"rule": rule("PATH", "/" + "a" * 5000)}, "128")


HOSTILE_KEPT = [
    rule("PATH", "/a#b"),
    rule("PATH", "/%[src]"),
    rule("PATH", "/a\\b"),
    rule("PATH", "/it's"),
    rule("PATH", "/{x}[y](z)|$&;@^~!,=:+*?"),
    conditions("HEADER", "X-A", "a'b#c%[d]\\e"),
    conditions("QUERY_STRING", "q", "a'b(c),$"),
    rule("PATH", "^/a\\d+#%[x]'$", "REGEX"),
]


@pytest.mark.parametrize("body", HOSTILE_KEPT, ids=[str(body.get("value") or body["conditions"][0]["value"]) for body in HOSTILE_KEPT])
def test_characters_the_reference_allows_are_kept_verbatim(alpha: Api, site: Site, body: dict[str, Any]) -> None:
    policy = create(alpha, to_pool(site.enhanced(), site.pool(), body))
    [shown] = alpha.ok("GET", rules_path(policy))["rules"]
    expected = body.get("value") or body["conditions"][0]["value"]
    assert (shown["value"] or shown["conditions"][0]["value"]) == expected
    with alpha.client.app.state.db.read() as session:
        [stored] = stored_l7_policies(session, [site.lb["id"]])[policy["listener_id"]]
    assert stored.rules[0].values == (expected,)
