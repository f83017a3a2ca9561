"""/v3/{project_id}/elb/security-policies and /system-security-policies: the SDK's shapes, the rules on
protocols and ciphers (every refusal a 400 that says why and stores nothing), updates, deletion,
filters, paging, quota and isolation. Policies on listeners: test_security_policy_listeners.py."""

from typing import Any

import pytest
from huaweicloudsdkelb.v3.model.security_policy import SecurityPolicy as SdkSecurityPolicy
from huaweicloudsdkelb.v3.model.system_security_policy import SystemSecurityPolicy as SdkSystemSecurityPolicy

from tests.api.world import World, alpha, assert_elb_error, beta, ids, quota, used, world  # noqa: F401
from tests.conftest import Api

MODERN = {"protocols": ["TLSv1.2", "TLSv1.3"], "ciphers": ["ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"]}
# The API reference's update example: protocols and ciphers keep the order given.
DOCUMENTED = {
    "name": "update_securitypolicy",
    "protocols": ["TLSv1.2", "TLSv1.1", "TLSv1.3"],
    "ciphers": ["CAMELLIA128-SHA", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"],
}


def create(api: Api, **fields: Any) -> dict[str, Any]:
    return api.ok("POST", "security-policies", {"security_policy": {**MODERN, **fields}})["security_policy"]


def show(api: Api, policy_id: str) -> dict[str, Any]:
    return api.ok("GET", f"security-policies/{policy_id}")["security_policy"]


def listed(api: Api, query: str = "") -> list[str]:
    return ids(api.ok("GET", f"security-policies{query}")["security_policies"])


def test_create_answers_201_with_the_sdks_security_policy(alpha: Api) -> None:
    response = alpha.call("POST", "security-policies", {"security_policy": {**DOCUMENTED, "description": "test1"}})
    assert response.status_code == 201, response.text
    body = response.json()
    policy = body["security_policy"]
    assert set(body) == {"security_policy", "request_id"} and body["request_id"] == response.headers["X-Request-Id"]
    assert set(policy) == set(SdkSecurityPolicy.attribute_map.values())
    assert policy["protocols"] == DOCUMENTED["protocols"] and policy["ciphers"] == DOCUMENTED["ciphers"]
    assert (policy["name"], policy["description"], policy["listeners"]) == ("update_securitypolicy", "test1", [])
    assert policy["project_id"] == alpha.project_id and policy["enterprise_project_id"] == "0"
    assert policy["created_at"] == policy["updated_at"] and policy["created_at"].endswith("Z")
    assert show(alpha, policy["id"]) == policy


def test_name_and_description_default_to_empty(alpha: Api) -> None:
    policy = create(alpha)
    assert (policy["name"], policy["description"]) == ("", "")


def test_the_default_enterprise_project_is_accepted(alpha: Api) -> None:
    assert create(alpha, enterprise_project_id="0")["enterprise_project_id"] == "0"


REFUSALS = [
    ({"protocols": []}, "protocols", "at least 1"),
    ({"ciphers": []}, "ciphers", "at least 1"),
    ({"protocols": ["TLSv1.4"]}, "protocols.0", "TLSv1.3"),
    ({"protocols": ["SSLv3"]}, "protocols.0", "TLSv1.3"),
    ({"protocols": "TLSv1.2"}, "protocols", "valid list"),
    ({"ciphers": ["RC4-SHA"]}, "ciphers.0", "ECDHE-RSA-AES256-GCM-SHA384"),
    ({"ciphers": ["ECDHE-RSA-AES128-GCM-SHA256"] * 31}, "ciphers", "at most 30"),
    ({"protocols": ["TLSv1.2", "TLSv1.3", "TLSv1.2"]}, "protocols", "TLSv1.2 is named more than once"),
    ({"ciphers": ["AES128-SHA", "AES256-SHA", "AES128-SHA"]}, "ciphers", "AES128-SHA is named more than once"),
    ({"protocols": ["TLSv1", "TLSv1.2"], "ciphers": ["AES128-SHA"]}, "protocols", "TLSv1.1 is missing between TLSv1 and TLSv1.2"),
    ({"protocols": ["TLSv1.3", "TLSv1.1"], "ciphers": ["AES128-SHA"]}, "protocols", "TLSv1.2 is missing between TLSv1.1 and TLSv1.3"),
    ({"protocols": ["TLSv1.3"], "ciphers": ["AES128-SHA", "ECDHE-RSA-AES128-GCM-SHA256"]}, "ciphers", "none of them serves TLSv1.3"),
    ({"protocols": ["TLSv1.2"], "ciphers": ["TLS_AES_128_GCM_SHA256"]}, "ciphers", "none of them serves TLSv1.2"),
    ({"protocols": ["TLSv1", "TLSv1.1"], "ciphers": ["AES128-GCM-SHA256"]}, "ciphers", "none of them serves TLSv1, TLSv1.1"),
    ({"protocols": ["TLSv1.2"], "ciphers": ["DES-CBC3-SHA", "AES128-SHA"]}, "ciphers", "elbd does not serve DES-CBC3-SHA"),
    ({"name": "n" * 256}, "name", "at most 255"),
    ({"description": "d" * 256}, "description", "at most 255"),
    ({"enterprise_project_id": "ep-1"}, "enterprise_project_id", 'one enterprise project, "0"'),
    ({"enterprise_project_id": ""}, "enterprise_project_id", "does not exist"),
    ({"listeners": []}, "listeners", "Unrecognized"),
]


@pytest.mark.parametrize(("fields", "field", "why"), REFUSALS, ids=[f"{field}: {why}" for _, field, why in REFUSALS])
def test_create_refusals_say_why_and_store_nothing(world: World, fields: dict[str, Any], field: str, why: str) -> None:
    api = world.project()
    response = api.call("POST", "security-policies", {"security_policy": {**MODERN, **fields}})
    message = assert_elb_error(response, 400, "ELB.8902")["error_msg"]
    assert f"{field}'" in message and why in message, message
    assert listed(api) == [] and used(api, "security_policy") == 0


def test_protocols_and_ciphers_are_required(alpha: Api) -> None:
    for missing in ("protocols", "ciphers"):
        body = {"security_policy": {name: value for name, value in MODERN.items() if name != missing}}
        message = assert_elb_error(alpha.call("POST", "security-policies", body), 400, "ELB.8902")["error_msg"]
        assert message == f"Invalid input for 'security_policy.{missing}': it is required."


def test_update_changes_what_it_names_and_keeps_the_rest(alpha: Api) -> None:
    policy = create(alpha, name="before", description="kept")
    path = f"security-policies/{policy['id']}"
    changed = alpha.ok("PUT", path, {"security_policy": {"name": "after", "protocols": ["TLSv1.3"], "ciphers": ["TLS_AES_256_GCM_SHA384"]}})
    updated = changed["security_policy"]
    assert (updated["name"], updated["description"]) == ("after", "kept")
    assert (updated["protocols"], updated["ciphers"]) == (["TLSv1.3"], ["TLS_AES_256_GCM_SHA384"])
    assert updated["created_at"] == policy["created_at"] and show(alpha, policy["id"]) == updated
    nothing = alpha.ok("PUT", path, {"security_policy": {"name": None, "protocols": None, "ciphers": None}})["security_policy"]
    assert {key: nothing[key] for key in ("name", "protocols", "ciphers")} == {key: updated[key] for key in ("name", "protocols", "ciphers")}


@pytest.mark.parametrize(
    ("change", "field", "why"),
    [
        ({"protocols": ["TLSv1.3"]}, "ciphers", "none of them serves TLSv1.3"),  # the stored ciphers serve TLS 1.2 and 1.3 only with both
        ({"ciphers": ["AES128-SHA"], "protocols": ["TLSv1", "TLSv1.3"]}, "protocols", "TLSv1.1, TLSv1.2 is missing"),
        ({"ciphers": ["DES-CBC3-SHA"]}, "ciphers", "elbd does not serve DES-CBC3-SHA"),
        ({"protocols": []}, "protocols", "at least 1"),
        ({"name": "n" * 256}, "name", "at most 255"),
        ({"enterprise_project_id": "0"}, "enterprise_project_id", "Unrecognized"),
    ],
)
def test_a_refused_update_changes_nothing(alpha: Api, change: dict[str, Any], field: str, why: str) -> None:
    policy = create(alpha, ciphers=["ECDHE-RSA-AES128-GCM-SHA256"])
    path = f"security-policies/{policy['id']}"
    message = assert_elb_error(alpha.call("PUT", path, {"security_policy": change}), 400, "ELB.8902")["error_msg"]
    assert f"{field}'" in message and why in message, message
    assert show(alpha, policy["id"]) == policy


def test_delete_answers_204_and_the_policy_is_gone(alpha: Api) -> None:
    policy = create(alpha)
    alpha.ok("DELETE", f"security-policies/{policy['id']}")
    assert_elb_error(alpha.call("GET", f"security-policies/{policy['id']}"), 404, "ELB.8904")
    assert_elb_error(alpha.call("DELETE", f"security-policies/{policy['id']}"), 404, "ELB.8904")
    assert policy["id"] not in listed(alpha)


def test_another_projects_policy_is_as_absent_as_a_missing_one(alpha: Api, beta: Api) -> None:
    theirs = create(beta)
    for method, body in (("GET", None), ("PUT", {"security_policy": {"name": "taken"}}), ("DELETE", None)):
        error = assert_elb_error(alpha.call(method, f"security-policies/{theirs['id']}", body), 404, "ELB.8904")
        assert error["error_msg"] == f"security_policy {theirs['id']} could not be found."
    assert show(beta, theirs["id"]) == theirs
    assert theirs["id"] not in listed(alpha) and listed(alpha, f"?id={theirs['id']}") == []
    assert_elb_error(alpha.call("GET", f"security-policies?limit=5&marker={theirs['id']}"), 400, "ELB.8902")


def test_filters(world: World) -> None:
    api = world.project()
    legacy = create(api, name="legacy", description="old clients", protocols=["TLSv1", "TLSv1.1", "TLSv1.2"], ciphers=["AES128-SHA", "AES256-SHA"])
    modern = create(api, name="modern")
    only_13 = create(api, name="tls13", protocols=["TLSv1.3"], ciphers=["TLS_AES_128_GCM_SHA256"])
    assert listed(api, "?name=modern&name=tls13") == [modern["id"], only_13["id"]]
    assert listed(api, "?description=old%20clients") == [legacy["id"]]
    assert listed(api, f"?id={legacy['id']}&id={only_13['id']}") == [legacy["id"], only_13["id"]]
    # one value is one policy's protocols (separated by spaces) or ciphers (by colons), in any order
    assert listed(api, "?protocols=TLSv1.3%20TLSv1.2") == listed(api, "?protocols=TLSv1.2+TLSv1.3") == [modern["id"]]
    assert listed(api, "?protocols=TLSv1.3&protocols=TLSv1.2%20TLSv1.1%20TLSv1") == [legacy["id"], only_13["id"]]
    assert listed(api, "?protocols=TLSv1.2") == listed(api, "?protocols=TLSv1.2&protocols=TLSv1.1") == []
    assert listed(api, "?ciphers=AES256-SHA:AES128-SHA") == [legacy["id"]]
    assert listed(api, "?ciphers=TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256&name=modern") == [modern["id"]]
    assert_elb_error(api.call("GET", "security-policies?type=custom"), 400, "ELB.8902")


def test_paging_in_creation_order(world: World) -> None:
    api = world.project()
    made = [create(api, name=f"p{index}")["id"] for index in range(5)]
    first = api.ok("GET", "security-policies?limit=2")
    assert ids(first["security_policies"]) == made[:2] and first["page_info"] == {"current_count": 2, "previous_marker": made[0], "next_marker": made[1]}
    second = api.ok("GET", f"security-policies?limit=2&marker={made[1]}")
    assert ids(second["security_policies"]) == made[2:4]
    last = api.ok("GET", f"security-policies?limit=2&marker={made[3]}")
    assert ids(last["security_policies"]) == made[4:] and "next_marker" not in last["page_info"]
    back = api.ok("GET", f"security-policies?limit=2&marker={made[2]}&page_reverse=true")
    assert ids(back["security_policies"]) == made[:2]
    assert ids(api.ok("GET", "security-policies?limit=2&name=p3&name=p4&name=p0")["security_policies"]) == [made[0], made[3]]


def test_the_quota_counts_a_projects_policies(alpha: Api) -> None:
    before = used(alpha, "security_policy")
    with quota(alpha, "security_policy", before + 1):
        create(alpha)
        error = assert_elb_error(alpha.call("POST", "security-policies", {"security_policy": MODERN}), 409, "ELB.8905")
        assert "security_policy" in error["error_msg"]
    assert used(alpha, "security_policy") == before + 1


def test_system_policies_as_the_sdk_describes_them(alpha: Api) -> None:
    response = alpha.call("GET", "system-security-policies")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"system_security_policies", "request_id"}
    policies = {policy["name"]: policy for policy in body["system_security_policies"]}
    assert list(policies) == [
        "tls-1-0", "tls-1-0-inherit", "tls-1-1", "tls-1-2", "tls-1-2-strict", "tls-1-2-fs",
        "tls-1-0-with-1-3", "tls-1-2-fs-with-1-3", "hybrid-policy-1-0", "tls-1-2-strict-no-cbc",
    ]
    assert all(set(policy) == set(SdkSystemSecurityPolicy.attribute_map.values()) for policy in policies.values())
    assert all(policy["project_id"] == alpha.project_id for policy in policies.values())
    assert policies["tls-1-0-with-1-3"]["protocols"] == "TLSv1.3 TLSv1.2 TLSv1.1 TLSv1"
    assert policies["tls-1-2-strict-no-cbc"] == {
        "name": "tls-1-2-strict-no-cbc",
        "protocols": "TLSv1.2",
        "ciphers": "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256",
        "project_id": alpha.project_id,
    }
