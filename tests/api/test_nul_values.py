"""A NUL character (U+0000) in any value a client sends is refused as invalid input on both stores (api/nul_values.py):
PostgreSQL cannot store one, and a path, filter or body value holding it answered 500 there."""

from typing import Any

import httpx

from tests.api.member_helpers import members_of
from tests.api.world import alpha, assert_elb_error, world  # noqa: F401
from tests.conftest import Api

SAYS = "a value holds a NUL character"


def _refused(response: httpx.Response) -> None:
    assert SAYS in assert_elb_error(response, 400, "ELB.8902")["error_msg"]


def _pool_in_subnet(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    vpc = api.vpc()
    return api.pool(vpc_id=vpc["id"], type="instance"), api.subnet(vpc["id"], "127.34.0.0/24")


def test_a_nul_in_a_body_string_is_refused_and_nothing_is_stored(alpha: Api) -> None:
    pool, subnet = _pool_in_subnet(alpha)
    member = {"address": "127.34.0.9", "protocol_port": 80, "subnet_cidr_id": subnet["neutron_subnet_id"]}
    _refused(alpha.call("POST", f"pools/{pool['id']}/members", {"member": {**member, "name": "a\x00b"}}))
    _refused(alpha.call("POST", f"pools/{pool['id']}/members", {"member": {**member, "subnet_cidr_id": "a\x00b"}}))
    assert members_of(alpha, pool["id"]) == []
    groups = alpha.ok("GET", "ipgroups")["ipgroups"]
    _refused(alpha.call("POST", "ipgroups", {"ipgroup": {"name": "g", "ip_list": [{"ip": "127.0.0.1", "description": "\x00"}]}}))
    assert alpha.ok("GET", "ipgroups")["ipgroups"] == groups


def test_a_nul_in_the_path_or_the_query_string_is_refused(alpha: Api) -> None:
    _refused(alpha.call("GET", "pools/a%00b"))
    _refused(alpha.call("GET", "loadbalancers?name=a%00b"))


def test_an_escaped_backslash_before_u0000_is_no_nul(alpha: Api) -> None:
    pool, subnet = _pool_in_subnet(alpha)
    name = "a\\u0000b"  # a backslash, then the six characters u0000: no NUL
    member = alpha.member(pool["id"], name=name, address="127.34.0.10", protocol_port=80, subnet_cidr_id=subnet["neutron_subnet_id"])["member"]
    assert member["name"] == name


def test_credentials_are_judged_before_a_nul(alpha: Api) -> None:
    response = alpha.call("POST", "loadbalancers", {"loadbalancer": {"name": "a\x00b"}}, headers={"X-Auth-Token": "not-a-token"})
    assert response.status_code == 401, response.text
