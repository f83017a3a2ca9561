"""The isolation matrix: every route of the application, enumerated from the app itself, against two
projects, alpha and beta, each holding one of every resource.

- no credentials, a forged token or a wrong signature on alpha's path: 401 APIGW.0301;
- beta's valid token or signature on alpha's path: 403 APIGW.0302;
- alpha's token on alpha's path naming beta's resources (in the path or the body): 404 ELB.8904;
- nothing alpha reads shows any of beta's ids.

A refused write leaves every row of the database as it was. Routes outside the matrix are listed with
their reason in tests/api/route_matrix.py; a route the matrix cannot fill fails, it is never skipped.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

from tests.api.isolation_world import Resources, database_rows, furnish
from tests.api.route_matrix import (
    ANSWERS_EACH_ID,
    EXCLUDED,
    NAMES_NO_RESOURCE,
    REFUSED,
    REFUSED_NAMING_NOTHING,
    Credentials,
    Route,
    anonymous,
    application_routes,
    body_for,
    fill,
    matrix_routes,
    send,
    signature,
    token,
)
from tests.api.world import assert_elb_error, net
from tests.conftest import Api

ROUTES = application_routes()
MATRIX = matrix_routes(ROUTES)
NAMING_A_RESOURCE = [route for route in MATRIX if route.key not in NAMES_NO_RESOURCE | set(ANSWERS_EACH_ID) | REFUSED_NAMING_NOTHING]
READS = [route for route in MATRIX if route.method == "GET" and route.key not in REFUSED]


def by_key(routes: list[Route]) -> Any:
    return pytest.mark.parametrize("route", routes, ids=[route.key for route in routes])


@pytest.fixture(scope="module")
def alpha_resources(alpha: Api) -> Resources:
    return furnish(alpha)


@pytest.fixture(scope="module")
def beta_resources(beta: Api) -> Resources:
    return furnish(beta)


UNAUTHENTICATED: dict[str, Callable[[Api], Credentials]] = {
    "no credentials": lambda owner: anonymous,
    "forged token": lambda owner: token("forged-token"),
    "wrong secret key": lambda owner: signature(owner.credentials.access_key, owner.credentials.secret_key + "x"),
}

OTHER_PROJECT: dict[str, Callable[[Api], Credentials]] = {
    "token": lambda other: token(other.token),
    "signature": lambda other: signature(other.credentials.access_key, other.credentials.secret_key),
}


def test_the_matrix_covers_the_application() -> None:
    served = {route.path for route in ROUTES}
    assert set(EXCLUDED) <= served, f"stale exclusions: {set(EXCLUDED) - served}"
    assert NAMES_NO_RESOURCE <= {route.key for route in MATRIX}, f"stale entries: {NAMES_NO_RESOURCE - {route.key for route in MATRIX}}"
    assert set(ANSWERS_EACH_ID) <= {route.key for route in MATRIX}, f"stale entries: {set(ANSWERS_EACH_ID) - {route.key for route in MATRIX}}"
    assert REFUSED <= {route.key for route in MATRIX}, f"refusals without a route: {REFUSED - {route.key for route in MATRIX}}"
    outside_projects = [route.key for route in MATRIX if not route.path.startswith(("/v1/{project_id}/", "/v3/{project_id}/"))]
    assert not outside_projects, "a route outside any project's path: exclude it with the reason, or give it a project"


@by_key(MATRIX)
@pytest.mark.parametrize("kind", list(UNAUTHENTICATED))
def test_without_valid_credentials_is_401(route: Route, kind: str, alpha: Api, alpha_resources: Resources) -> None:
    before = database_rows(alpha.client) if route.mutates else None
    path = fill(route, alpha.project_id, alpha_resources)
    response = send(alpha.client, route.method, path, body_for(route, alpha_resources), UNAUTHENTICATED[kind](alpha))
    assert_elb_error(response, 401, "APIGW.0301")
    if before is not None:
        assert database_rows(alpha.client) == before


@by_key(MATRIX)
@pytest.mark.parametrize("kind", list(OTHER_PROJECT))
def test_another_projects_credentials_are_403(route: Route, kind: str, alpha: Api, beta: Api, alpha_resources: Resources) -> None:
    before = database_rows(alpha.client) if route.mutates else None
    path = fill(route, alpha.project_id, alpha_resources)
    response = send(alpha.client, route.method, path, body_for(route, alpha_resources), OTHER_PROJECT[kind](beta))
    assert_elb_error(response, 403, "APIGW.0302")
    if before is not None:
        assert database_rows(alpha.client) == before


@by_key(NAMING_A_RESOURCE)
def test_another_projects_resource_is_404(
    route: Route, alpha: Api, beta: Api, alpha_resources: Resources, beta_resources: Resources
) -> None:
    """Alpha's project path, every other id in the path and the body beta's."""
    before = database_rows(alpha.client)
    path = fill(route, alpha.project_id, beta_resources)
    body = body_for(route, beta_resources)
    named = beta_resources.ids() - {beta.project_id}
    if not any(resource_id in path or resource_id in repr(body) for resource_id in named):
        pytest.fail(f"{route.key} names none of beta's resources; if it names none at all, list it in NAMES_NO_RESOURCE")
    assert_elb_error(send(alpha.client, route.method, path, body, token(alpha.token)), 404, "ELB.8904")
    assert database_rows(alpha.client) == before


@by_key(READS)
def test_reads_show_none_of_another_projects_ids(
    route: Route, alpha: Api, beta: Api, alpha_resources: Resources, beta_resources: Resources
) -> None:
    """What beta sees of its own on this route, alpha sees of its own, and nothing of beta's."""
    theirs = send(beta.client, "GET", fill(route, beta.project_id, beta_resources), None, token(beta.token))
    ours = send(alpha.client, "GET", fill(route, alpha.project_id, alpha_resources), None, token(alpha.token))
    assert theirs.status_code == 200 and ours.status_code == 200, (theirs.text, ours.text)
    leaked = {name for name, resource_id in beta_resources.named().items() if resource_id in ours.text}
    assert not leaked, f"alpha's {route.key} shows beta's {sorted(leaked)}"
    shown = {name for name, resource_id in beta_resources.named().items() if resource_id in theirs.text}
    assert shown == {name for name, resource_id in alpha_resources.named().items() if resource_id in ours.text}


class Crossing(NamedTuple):
    """A request on alpha's own path (`a`) with one id, in the body or the path, of beta's (`b`)."""

    label: str
    method: str
    path: str
    body: Callable[[Resources, Resources], Any]


def _pair(subnet_id: str) -> dict[str, Any]:
    """An active/standby pool's body but where it goes: its members in `subnet_id`."""
    members = [{"address": f"127.10.0.{host}", "protocol_port": 9191, "role": role, "subnet_cidr_id": subnet_id} for host, role in ((244, "master"), (245, "slave"))]
    return {"protocol": "TCP", "lb_algorithm": "ROUND_ROBIN", "members": members, "healthmonitor": {"type": "TCP", "delay": 5, "timeout": 3, "max_retries": 3}}


CROSSINGS = [
    Crossing("listener default pool", "PUT", "listeners/{a.listener_id}", lambda a, b: {"listener": {"default_pool_id": b.pool_id}}),
    Crossing(
        "new listener's default pool",
        "POST",
        "listeners",
        lambda a, b: {"listener": {"loadbalancer_id": a.loadbalancer_id, "protocol": "TCP", "protocol_port": 9090, "default_pool_id": b.pool_id}},
    ),
    Crossing("pool vpc", "POST", "pools", lambda a, b: {"pool": {"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "type": "instance", "vpc_id": b.vpc_id}}),
    Crossing("pool listener", "POST", "pools", lambda a, b: {"pool": {"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "listener_id": b.listener_id}}),
    Crossing(
        "load balancer vpc",
        "POST",
        "loadbalancers",
        lambda a, b: {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": a.neutron_subnet_id, "vpc_id": b.vpc_id}},
    ),
    Crossing("load balancer backend subnets", "PUT", "loadbalancers/{a.loadbalancer_id}", lambda a, b: {"loadbalancer": {"elb_virsubnet_ids": [b.subnet_id]}}),
    Crossing(
        "member subnet",
        "POST",
        "pools/{a.pool_id}/members",
        lambda a, b: {"member": {"address": "127.10.0.210", "protocol_port": 8080, "subnet_cidr_id": b.neutron_subnet_id}},
    ),
    Crossing(
        "batch member subnet",
        "POST",
        "pools/{a.pool_id}/members/batch-add",
        lambda a, b: {"members": [{"address": "127.10.0.211", "protocol_port": 8080, "subnet_cidr_id": b.neutron_subnet_id}]},
    ),
    Crossing("show member of another pool", "GET", "pools/{a.pool_id}/members/{b.member_id}", lambda a, b: None),
    Crossing("update member of another pool", "PUT", "pools/{a.pool_id}/members/{b.member_id}", lambda a, b: {"member": {"weight": 7}}),
    Crossing("delete member of another pool", "DELETE", "pools/{a.pool_id}/members/{b.member_id}", lambda a, b: None),
    Crossing(
        "batch update member of another pool",
        "POST",
        "pools/{a.pool_id}/members/batch-update",
        lambda a, b: {"members": [{"id": b.member_id, "weight": 7}]},
    ),
    Crossing(
        "policy to another project's pool",
        "POST",
        "l7policies",
        lambda a, b: {"l7policy": {"listener_id": a.listener_id, "action": "REDIRECT_TO_POOL", "redirect_pool_id": b.pool_id}},
    ),
    Crossing(
        "policy redirecting to another project's listener",
        "POST",
        "l7policies",
        lambda a, b: {"l7policy": {"listener_id": a.listener_id, "action": "REDIRECT_TO_LISTENER", "redirect_listener_id": b.listener_id}},
    ),
    Crossing("policy's pool set to another project's", "PUT", "l7policies/{a.l7policy_id}", lambda a, b: {"l7policy": {"redirect_pool_id": b.pool_id}}),
    Crossing("show another policy's rule", "GET", "l7policies/{a.l7policy_id}/rules/{b.l7rule_id}", lambda a, b: None),
    Crossing("update another policy's rule", "PUT", "l7policies/{a.l7policy_id}/rules/{b.l7rule_id}", lambda a, b: {"rule": {"value": "/x"}}),
    Crossing("delete another policy's rule", "DELETE", "l7policies/{a.l7policy_id}/rules/{b.l7rule_id}", lambda a, b: None),
    Crossing(
        "reorder another project's policy",
        "POST",
        "l7policies/batch-update-priority",
        lambda a, b: {"l7policies": [{"id": a.l7policy_id, "priority": 3}, {"id": b.l7policy_id, "priority": 4}]},
    ),
    Crossing(
        "active/standby pool on another project's listener",
        "POST",
        "master-slave-pools",
        lambda a, b: {"pool": {**_pair(a.neutron_subnet_id), "listener_id": b.listener_id}},
    ),
    Crossing(
        "active/standby member in another project's subnet",
        "POST",
        "master-slave-pools",
        lambda a, b: {"pool": {**_pair(b.neutron_subnet_id), "loadbalancer_id": a.loadbalancer_id}},
    ),
    Crossing("delete subnet of another vpc", "DELETE", "/v1/{a.project_id}/vpcs/{a.vpc_id}/subnets/{b.subnet_id}", lambda a, b: None),
    Crossing(
        "stop an own and a foreign instance",
        "POST",
        "/v1/{a.project_id}/cloudservers/action",
        lambda a, b: {"os-stop": {"servers": [{"id": a.server_id}, {"id": b.server_id}]}},
    ),
]


@pytest.mark.parametrize("crossing", CROSSINGS, ids=[crossing.label for crossing in CROSSINGS])
def test_alphas_path_naming_betas_resource_is_404(
    crossing: Crossing, alpha: Api, alpha_resources: Resources, beta_resources: Resources
) -> None:
    before = database_rows(alpha.client)
    path = crossing.path.format(a=alpha_resources, b=beta_resources)
    response = alpha.call(crossing.method, path, crossing.body(alpha_resources, beta_resources))
    assert_elb_error(response, 404, "ELB.8904")
    assert database_rows(alpha.client) == before


def test_batch_delete_of_another_pools_member_deletes_nothing(alpha: Api, alpha_resources: Resources, beta_resources: Resources) -> None:
    before = database_rows(alpha.client)
    body = {"members": [{"id": beta_resources.member_id}]}
    result = alpha.ok("POST", f"pools/{alpha_resources.pool_id}/members/batch-delete", body, status=200)
    assert [item["ret_status"] for item in result["members"]] == ["not found"]
    assert database_rows(alpha.client) == before


def test_batch_delete_of_another_projects_pool_deletes_nothing(alpha: Api, beta_resources: Resources) -> None:
    before = database_rows(alpha.client)
    result = alpha.ok("POST", "pools/batch-delete", {"pools": [beta_resources.pool_id]}, status=200)
    assert result["pools"] == [{"id": beta_resources.pool_id, "ret_status": "not found"}]
    assert database_rows(alpha.client) == before


def test_batch_delete_of_another_projects_certificate_deletes_nothing(alpha: Api, beta_resources: Resources) -> None:
    before = database_rows(alpha.client)
    result = alpha.ok("POST", "certificates/batch-delete", {"certificates": [beta_resources.certificate_id]}, status=200)
    assert [item["ret_status"] for item in result["certificates"]] == ["not found"]
    assert database_rows(alpha.client) == before


@pytest.mark.parametrize(
    "query",
    [
        "members?pool_id={pool_id}",
        "members?loadbalancer_id={loadbalancer_id}",
        "subnets?vpc_id={vpc_id}",
        "pools?loadbalancer_id={loadbalancer_id}",
        "certificates?id={certificate_id}",
        "l7policies?listener_id={listener_id}",
        "l7policies?id={l7policy_id}",
        "l7policies/rules?l7policy_id={l7policy_id}",
    ],
)
def test_filtering_by_another_projects_id_lists_nothing(query: str, alpha: Api, beta_resources: Resources) -> None:
    listed = alpha.ok("GET", query.format(**beta_resources.named()))
    [rows] = [value for value in listed.values() if isinstance(value, list)]
    assert rows == []


@pytest.mark.parametrize(
    "collection", ["loadbalancers", "listeners", "pools", "healthmonitors", "members", "jobs", "pools/{pool_id}/members", "security-policies", "certificates", "l7policies", "l7policies/rules", "l7policies/{l7policy_id}/rules"]
)
def test_another_projects_id_is_no_paging_marker(collection: str, alpha: Api, alpha_resources: Resources, beta_resources: Resources) -> None:
    path = collection.format(pool_id=alpha_resources.pool_id, l7policy_id=alpha_resources.l7policy_id)
    for marker in beta_resources.ids():
        response = alpha.call("GET", f"{path}?limit=10&marker={marker}")
        assert_elb_error(response, 400, "ELB.8902")


def test_refusing_a_member_at_another_projects_vip_does_not_name_that_load_balancer(
    alpha: Api, beta: Api, alpha_resources: Resources
) -> None:
    theirs = beta.load_balancer(net(beta, "127.31.0.0/24").subnet)
    body = {"member": {"address": theirs["vip_address"], "protocol_port": 8080}}
    refusal = assert_elb_error(alpha.call("POST", f"pools/{alpha_resources.pool_id}/members", body), 400, "ELB.8902")
    assert theirs["id"] not in refusal["error_msg"]
