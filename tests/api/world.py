"""What the API test modules share: one elbd application per test module with two projects in it,
`alpha` and `beta`, so a test pays for a few HTTP calls rather than an application (a fresh one
migrates a new database) and projects of its own; and the check of an ELB error body.

Tests share those projects, so each builds its own VPC (VPCs never collide: overlap is checked
inside one VPC only) and identifies its rows by id. `alpha` and `beta` run with unlimited load
balancer, listener, pool, member and certificate quotas so the shared projects never hit a default; a test
about quotas, or one that needs a project-wide view of its own, asks `World.project` for a new
project with default quotas. Passwords are hashed cheaply: `new_project` in tests/conftest.py
does that.

Use the fixtures by importing them into a test module, always with `world`:
`from tests.api.world import alpha, beta, world  # noqa: F401`. `api` and `other_api` are
`alpha` and `beta` again.
"""

import ipaddress
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from elbd.api.app import create_app
from elbd.config import load_settings
from elbd.service import quotas
from elbd.store.models import Base, Subnet, Vpc
from tests.conftest import Api, new_project, token_for

UNLIMITED = ("loadbalancer", "listener", "pool", "member", "members_per_pool", "listeners_per_loadbalancer", "certificate")
_names = itertools.count()


@dataclass
class World:
    """One application on `data_dir` and its two shared projects, `api` ("alpha") and `other_api` ("beta")."""

    client: TestClient
    data_dir: Path
    api: Api
    other_api: Api

    def project(self, **limits: int) -> Api:
        """A new project in this application with its own credentials: default quotas but for `limits`."""
        return _project(self.client, f"project-{next(_names)}", limits)


@contextmanager
def open_world(data_dir: Path) -> Iterator[World]:
    with TestClient(create_app(load_settings(data_dir)), raise_server_exceptions=False) as client:
        unlimited = dict.fromkeys(UNLIMITED, -1)
        yield World(client, data_dir, _project(client, "alpha", unlimited), _project(client, "beta", unlimited))


def _project(client: TestClient, name: str, limits: dict[str, int]) -> Api:
    credentials = new_project(client, name)
    api = Api(client, credentials, token_for(client, credentials))
    for resource, limit in limits.items():
        set_quota(api, resource, limit)
    return api


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with open_world(tmp_path_factory.mktemp("world") / "elbd-data") as opened:
        yield opened


def _first(world: World) -> Api:
    return world.api


def _second(world: World) -> Api:
    return world.other_api


# The shared projects by the names the control-plane modules use, and by the names tests/conftest.py
# gives a project of a test's own (importing those replaces conftest's in a module).
alpha = pytest.fixture(_first, scope="module", name="alpha")
beta = pytest.fixture(_second, scope="module", name="beta")
api = pytest.fixture(_first, scope="module", name="api")
other_api = pytest.fixture(_second, scope="module", name="other_api")


# quotas


def set_quota(api: Api, resource: str, limit: int) -> None:
    """Override the project's limit for `resource`; -1 is unlimited."""
    with api.client.app.state.db.write() as session:
        quotas.set_override(session, project_id=api.project_id, resource=resource, limit=limit)


def used(api: Api, resource: str) -> int:
    [detail] = api.ok("GET", f"quotas/details?quota_key={resource}")["quotas"]
    return detail["used"]


@contextmanager
def quota(api: Api, resource: str, limit: int) -> Iterator[None]:
    """`resource` limited to `limit` for the duration, then back to unlimited (as `alpha` and `beta` run)."""
    set_quota(api, resource, limit)
    try:
        yield
    finally:
        set_quota(api, resource, -1)


# rows as an earlier elbd stored them


def stored_earlier(api: Api, model: type[Base], row_id: str, **values: Any) -> None:
    """Give a stored row values an earlier elbd accepted and this one refuses (schemas/unserved.py)."""
    with api.client.app.state.db.write() as session:
        session.execute(update(model).where(model.id == row_id).values(**values))  # type: ignore[attr-defined]


# errors


def assert_elb_error(response: httpx.Response, status: int | tuple[int, ...], code: str | None = None) -> dict[str, Any]:
    """An ELB error body {"error_code", "error_msg", "request_id"} with this status (one of these) and
    error code, whose request_id is the X-Request-Id header; the body is returned."""
    statuses = (status,) if isinstance(status, int) else status
    request = response.request
    assert response.status_code in statuses, f"{request.method} {request.url}: {response.status_code} {response.text}"
    body = response.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("error_code"), str) and body["error_code"], body
    assert isinstance(body.get("error_msg"), str) and body["error_msg"], body
    assert body.get("request_id") and body["request_id"] == response.headers["X-Request-Id"], body
    if code is not None:
        assert body["error_code"] == code, body
    return body


# networks


@dataclass
class Net:
    """A VPC and one subnet in it."""

    vpc: dict[str, Any]
    subnet: dict[str, Any]

    @property
    def subnet_id(self) -> str:
        """The IPv4 neutron_subnet_id, what vip_subnet_cidr_id names."""
        return self.subnet["neutron_subnet_id"]


def net(api: Api, cidr: str = "127.10.0.0/24", vpc_cidr: str = "127.0.0.0/8", **subnet_extra: Any) -> Net:
    vpc = api.vpc(vpc_cidr)
    return Net(vpc, api.subnet(vpc["id"], cidr, **subnet_extra))


def legacy_subnet(api: Api, vpc_cidr: str, subnet_cidr: str, cidr_v6: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """A VPC and a subnet with CIDRs the address plan refuses today, as a database written by an elbd
    before the plan may hold them: made in the plan, then rewritten in the store. Answers both as the
    API shows them."""
    vpc = api.vpc("10.0.0.0/8")
    subnet = api.subnet(vpc["id"], "10.99.0.0/24", **({"ipv6_enable": True} if cidr_v6 else {}))
    with api.client.app.state.db.write() as session:
        session.execute(update(Vpc).where(Vpc.id == vpc["id"]).values(cidr=vpc_cidr))
        network = ipaddress.ip_network(subnet_cidr)
        v6 = ipaddress.ip_network(cidr_v6) if cidr_v6 else None
        session.execute(
            update(Subnet)
            .where(Subnet.id == subnet["id"])
            .values(
                cidr=subnet_cidr,
                gateway_ip=str(network.network_address + 1),
                cidr_v6=cidr_v6,
                gateway_ip_v6=str(v6.network_address + 1) if v6 else None,
            )
        )
    return {**vpc, "cidr": vpc_cidr}, {**subnet, "cidr": subnet_cidr, "cidr_v6": cidr_v6}


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]
