"""The routes of the real application, what the isolation matrix leaves out and why, and how to turn
a route into a request: its path filled from a project's resources, a body that passes validation,
and credentials of each kind (none, a token, an AK/SK signature)."""

import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from elbd.api.app import create_app
from elbd.api.unserved_operations import LOOKUPS
from elbd.auth import sdk_hmac
from elbd.config import load_settings
from elbd.flavors import CATALOGUE
from elbd.schemas.unserved_operations import OPERATIONS as UNSERVED_OPERATIONS
from tests.api.isolation_world import Resources
from tests.certificates import client_body, issue

ELB = "/v3/{project_id}/elb"

# Paths outside the matrix: they hold no project's data and take no project in their path.
EXCLUDED = {
    "/openapi.json": "public API description, no project data",
    "/docs": "public API documentation page",
    "/console": "the web console's page: static, no project data (it calls the API with the user's token)",
    "/console/{name}": "the web console's script and style: static, no project data",
    "/versions": "the public list of API versions, no project data",
    "/v3/auth/tokens": "identity: POST is how credentials are obtained; DELETE revokes the token it is "
    "handed and is covered by tests/api/test_identity.py (no credentials: 401)",
}

# Routes that name no resource, neither in the path nor in the body, so another project's id has no
# place to go: the collections (their isolation is the listing check), quotas, zones, a new VPC.
NAMES_NO_RESOURCE = {
    "GET /v1/{project_id}/vpcs",
    "POST /v1/{project_id}/vpcs",
    "GET /v1/{project_id}/subnets",
    "GET /v1/{project_id}/cloudservers/detail",
    f"GET {ELB}/availability-zones",
    f"GET {ELB}/quotas",
    f"GET {ELB}/quotas/details",
    f"GET {ELB}/loadbalancers",
    f"GET {ELB}/listeners",
    f"GET {ELB}/pools",
    f"GET {ELB}/healthmonitors",
    f"GET {ELB}/members",
    f"GET {ELB}/security-policies",
    f"POST {ELB}/security-policies",
    f"GET {ELB}/system-security-policies",
    f"GET {ELB}/certificates",
    f"POST {ELB}/certificates",
    f"GET {ELB}/certificates/settings/private-key-echo",
    f"GET {ELB}/l7policies",
    f"GET {ELB}/l7policies/rules",
    f"POST {ELB}/certificates/settings/private-key-echo",
    f"GET {ELB}/ipgroups",
    f"POST {ELB}/ipgroups",
    f"GET {ELB}/jobs",
    f"GET {ELB}/master-slave-pools",
    f"GET {ELB}/flavors",
    # the flavor catalogue is the host's, every project's alike: a flavor id is no project's resource
    f"GET {ELB}/flavors/{{flavor_id}}",
    f"GET {ELB}/recycle-bin",
    f"PUT {ELB}/recycle-bin",
    f"PUT {ELB}/recycle-bin/policy",
    f"GET {ELB}/recycle-bin/loadbalancers",
    f"GET {ELB}/feature/configs",
    f"GET {ELB}/logtanks",
    "GET /v3/{project_id}/loadbalancers/tags",
    "GET /v3/{project_id}/listeners/tags",
}

# Operations elbd refuses whole (schemas/unserved_operations.py): they read and change nothing, so no
# read shows anything. Those whose path names a load balancer, listener or pool look it up first
# (another project's is 404); the others refuse every caller alike, whatever their path or body names.
REFUSED = {f"{operation.method} {operation.path}" for operation in UNSERVED_OPERATIONS}
REFUSED_NAMING_NOTHING = {key for key in REFUSED if not any(f"{{{name}}}" in key for name in LOOKUPS)}
UNSERVED_ID = "00000000-0000-4000-8000-000000000000"

# Routes that name resources in the body and answer each one's fate, as the SDK's models say: another
# project's id is answered exactly as a missing one ("not found"), never with a 404 for the whole request.
# test_isolation_matrix.py checks that they change nothing of the other project's.
ANSWERS_EACH_ID = {
    f"POST {ELB}/certificates/batch-delete": "BatchDeleteCertificatesResp: ret_status 'not found' per id",
    f"POST {ELB}/pools/batch-delete": "BatchDeletePoolsResp: ret_status 'not found' per id",
}

Body = Callable[[Resources], Any]
PROBE_CA = issue("Isolation Probe CA", ca=True)

# A minimal valid body for each route that takes one, naming the resources of the project it is built from.
BODIES: dict[str, Body] = {
    "POST /v1/{project_id}/vpcs": lambda r: {"vpc": {"name": "probe", "cidr": "10.0.0.0/8"}},
    "POST /v1/{project_id}/subnets": lambda r: {"subnet": {"name": "probe", "cidr": "127.99.0.0/24", "vpc_id": r.vpc_id}},
    "POST /v1/{project_id}/cloudservers": lambda r: {"server": {"name": "probe", "nics": [{"subnet_id": r.subnet_id}]}},
    "POST /v1/{project_id}/cloudservers/action": lambda r: {"os-stop": {"servers": [{"id": r.server_id}]}},
    "POST /v1/{project_id}/cloudservers/delete": lambda r: {"servers": [{"id": r.server_id}]},
    f"POST {ELB}/loadbalancers": lambda r: {
        "loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": r.neutron_subnet_id}
    },
    f"PUT {ELB}/loadbalancers/{{loadbalancer_id}}": lambda r: {"loadbalancer": {"name": "probe"}},
    f"POST {ELB}/listeners": lambda r: {"listener": {"loadbalancer_id": r.loadbalancer_id, "protocol": "HTTP", "protocol_port": 8080}},
    f"PUT {ELB}/listeners/{{listener_id}}": lambda r: {"listener": {"name": "probe"}},
    f"POST {ELB}/pools": lambda r: {"pool": {"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "loadbalancer_id": r.loadbalancer_id}},
    f"PUT {ELB}/pools/{{pool_id}}": lambda r: {"pool": {"name": "probe"}},
    f"POST {ELB}/healthmonitors": lambda r: {
        "healthmonitor": {"pool_id": r.pool_id, "type": "TCP", "delay": 5, "timeout": 3, "max_retries": 3}
    },
    f"PUT {ELB}/healthmonitors/{{healthmonitor_id}}": lambda r: {"healthmonitor": {"name": "probe"}},
    f"POST {ELB}/pools/{{pool_id}}/members": lambda r: {
        "member": {"address": "127.10.0.200", "protocol_port": 8080, "subnet_cidr_id": r.neutron_subnet_id}
    },
    f"PUT {ELB}/pools/{{pool_id}}/members/{{member_id}}": lambda r: {"member": {"weight": 5}},
    f"POST {ELB}/security-policies": lambda r: {"security_policy": {"protocols": ["TLSv1.2"], "ciphers": ["AES128-GCM-SHA256"]}},
    f"PUT {ELB}/security-policies/{{security_policy_id}}": lambda r: {"security_policy": {"name": "probe"}},
    f"POST {ELB}/pools/{{pool_id}}/members/batch-add": lambda r: {
        "members": [{"address": "127.10.0.201", "protocol_port": 8080, "subnet_cidr_id": r.neutron_subnet_id}]
    },
    f"POST {ELB}/pools/{{pool_id}}/members/batch-update": lambda r: {"members": [{"id": r.member_id, "weight": 5}]},
    f"POST {ELB}/pools/{{pool_id}}/members/batch-delete": lambda r: {"members": [{"id": r.member_id}]},
    f"POST {ELB}/members/{{member_id}}/health-check": lambda r: {"member_check": {"listener_id": r.listener_id, "subject": "config"}},
    f"POST {ELB}/certificates": lambda r: client_body(PROBE_CA),
    f"PUT {ELB}/certificates/{{certificate_id}}": lambda r: {"certificate": {"name": "probe"}},
    f"POST {ELB}/certificates/batch-delete": lambda r: {"certificates": [r.certificate_id]},
    f"POST {ELB}/certificates/settings/private-key-echo": lambda r: {"private_key_echo": True},
    f"POST {ELB}/l7policies": lambda r: {
        "l7policy": {"listener_id": r.listener_id, "action": "REDIRECT_TO_POOL", "redirect_pool_id": r.pool_id}
    },
    f"PUT {ELB}/l7policies/{{l7policy_id}}": lambda r: {"l7policy": {"name": "probe"}},
    f"POST {ELB}/l7policies/batch-update-priority": lambda r: {"l7policies": [{"id": r.l7policy_id, "priority": 5}]},
    f"POST {ELB}/l7policies/{{l7policy_id}}/rules": lambda r: {"rule": {"type": "HOST_NAME", "compare_type": "EQUAL_TO", "value": "probe.example.com"}},
    f"PUT {ELB}/l7policies/{{l7policy_id}}/rules/{{l7rule_id}}": lambda r: {"rule": {"value": "/probe"}},
    f"POST {ELB}/ipgroups": lambda r: {"ipgroup": {"ip_list": [{"ip": "127.0.0.1"}]}},
    f"PUT {ELB}/ipgroups/{{ipgroup_id}}": lambda r: {"ipgroup": {"name": "probe"}},
    f"POST {ELB}/ipgroups/{{ipgroup_id}}/iplist/create-or-update": lambda r: {"ipgroup": {"ip_list": [{"ip": "127.0.0.2"}]}},
    f"POST {ELB}/ipgroups/{{ipgroup_id}}/iplist/batch-delete": lambda r: {"ipgroup": {"ip_list": [{"ip": "127.0.0.1"}]}},
    f"POST {ELB}/logtanks": lambda r: {"logtank": {"loadbalancer_id": r.loadbalancer_id, "log_group_id": "probe", "log_topic_id": "probe"}},
    f"PUT {ELB}/logtanks/{{logtank_id}}": lambda r: {"logtank": {"log_group_id": "probe"}},
    f"POST {ELB}/loadbalancers/{{loadbalancer_id}}/availability-zone/batch-add": lambda r: {"availability_zone_list": ["local-1b"]},
    f"POST {ELB}/loadbalancers/{{loadbalancer_id}}/availability-zone/batch-remove": lambda r: {"availability_zone_list": ["local-1a"]},
    f"POST {ELB}/loadbalancers/batch-create": lambda r: {
        "loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": r.neutron_subnet_id, "number": 2}
    },
    f"POST {ELB}/loadbalancers/batch-delete": lambda r: {"loadbalancer_ids": [r.loadbalancer_id]},
    f"POST {ELB}/listeners/batch-delete": lambda r: {"listener_ids": [r.listener_id]},
    f"POST {ELB}/pools/batch-delete": lambda r: {"pools": [r.pool_id]},
    f"POST {ELB}/loadbalancers/{{loadbalancer_id}}/delete-cascade": lambda r: {"loadbalancer": {"unbounded_pool": True}},
    f"POST {ELB}/master-slave-pools": lambda r: {
        "pool": {
            "protocol": "TCP", "lb_algorithm": "ROUND_ROBIN", "loadbalancer_id": r.loadbalancer_id,
            "healthmonitor": {"type": "TCP", "delay": 5, "timeout": 3, "max_retries": 3},
            "members": [{"address": f"127.10.0.{host}", "protocol_port": 9090, "role": role, "subnet_cidr_id": r.neutron_subnet_id}
                        for host, role in ((242, "master"), (243, "slave"))],
        }
    },
    f"PUT {ELB}/recycle-bin": lambda r: {"recycle_bin": {"enable": True}},
    f"PUT {ELB}/recycle-bin/policy": lambda r: {"recycle_bin": {"policy": {"retention_hour": 24}}},
    f"POST {ELB}/loadbalancers/{{loadbalancer_id}}/clone": lambda r: {"count": 1},
    f"POST {ELB}/listeners/{{listener_id}}/clone": lambda r: {"target_listener_params": [{"protocol_port": 8081, "loadbalancer_id": r.loadbalancer_id}]},
    "POST /v3/{project_id}/loadbalancers/{loadbalancer_id}/tags/action": lambda r: {"action": "create", "tags": [{"key": "probe"}]},
    "POST /v3/{project_id}/listeners/{listener_id}/tags/action": lambda r: {"action": "create", "tags": [{"key": "probe"}]},
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    takes_body: bool

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def mutates(self) -> bool:
        return self.method != "GET"


def application_routes() -> list[Route]:
    """Every (method, path) the application created by `create_app` serves, HEAD left out."""
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(load_settings(Path(data_dir) / "elbd-data"))
        try:
            return [
                Route(method, context.path, isinstance(context.original_route, APIRoute) and context.original_route.body_field is not None)
                for context in iter_route_contexts(app.routes)
                for method in sorted(context.methods or ())
                if method != "HEAD"
            ]
        finally:
            app.state.db.dispose()


def matrix_routes(routes: list[Route]) -> list[Route]:
    return [route for route in routes if route.path not in EXCLUDED]


def fill(route: Route, project_id: str, resources: Resources) -> str:
    """The route's path on `project_id` with every other parameter taken from `resources`; a parameter
    no resource answers to fails the test, so a new route cannot slip past the matrix."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "project_id":
            return project_id
        # {job_id} names a member check's job under members/check/jobs, a batch delete's under jobs
        # and {pool_id} under master-slave-pools an active/standby pool; {flavor_id} one of the host's catalogue
        if name == "job_id" and route.path.startswith(f"{ELB}/jobs/"):
            found: str | None = resources.batch_job_id
        elif name == "pool_id" and route.path.startswith(f"{ELB}/master-slave-pools/"):
            found = resources.master_slave_pool_id
        elif name == "flavor_id":
            found = CATALOGUE[0].id
        else:
            found = resources.path_value(name)
        if found is None and route.key in REFUSED_NAMING_NOTHING:
            return UNSERVED_ID
        if found is None:
            pytest.fail(f"{route.key}: the isolation matrix cannot fill {{{name}}}; teach Resources (tests/api/isolation_world.py) about it")
        return found

    return re.sub(r"\{(\w+)\}", value, route.path)


def body_for(route: Route, resources: Resources) -> Any:
    if not route.takes_body:
        return None
    if route.key not in BODIES:
        pytest.fail(f"{route.key} takes a body and has none in BODIES (tests/api/route_matrix.py): add a minimal valid one")
    return BODIES[route.key](resources)


# credentials: each turns (method, path, body bytes) into request headers

Credentials = Callable[[str, str, bytes], dict[str, str]]


def anonymous(method: str, path: str, body: bytes) -> dict[str, str]:
    return {}


def token(value: str) -> Credentials:
    return lambda method, path, body: {"X-Auth-Token": value}


def signature(access_key: str, secret_key: str) -> Credentials:
    """An SDK-HMAC-SHA256 signature over the headers the official SDK signs."""

    def headers(method: str, path: str, body: bytes) -> dict[str, str]:
        signed = {
            "content-type": "application/json",
            "host": "testserver",
            "x-project-id": path.split("/")[2],
            "x-sdk-date": datetime.now(UTC).strftime(sdk_hmac.DATE_FORMAT),
        }
        names = tuple(sorted(signed))
        canonical = sdk_hmac.canonical_request(method, path, "", signed, names, body)
        proof = sdk_hmac.sign(secret_key, canonical, signed["x-sdk-date"])
        return {**signed, "authorization": f"SDK-HMAC-SHA256 Access={access_key}, SignedHeaders={';'.join(names)}, Signature={proof}"}

    return headers


def send(client: TestClient, method: str, path: str, body: Any, credentials: Credentials) -> httpx.Response:
    content = json.dumps(body).encode() if body is not None else b""
    headers = {"content-type": "application/json", **credentials(method, path, content)}
    return client.request(method, path, content=content or None, headers=headers)
