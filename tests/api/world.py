"""Module-scoped fixtures for the control-plane tests: one elbd application per test module and two
projects in it, `alpha` and `beta`, so a test pays for a few HTTP calls rather than an application
and two password hashes.

Tests share those projects, so each builds its own VPC (VPCs never collide: overlap is checked
inside one VPC only) and identifies its rows by id. `alpha` and `beta` run with unlimited load
balancer, listener and pool quotas so the shared projects never hit a default; a test about quotas
uses `fresh_api` for a project of its own.

Use them by importing the fixtures into a test module:
`from tests.api.world import alpha, beta, world_client  # noqa: F401`.
"""

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from elbd.api.app import create_app
from elbd.config import load_settings
from elbd.service import identity, quotas
from tests.conftest import Api, new_project, token_for

_names = itertools.count()
UNLIMITED = ("loadbalancer", "listener", "pool", "listeners_per_loadbalancer")


@pytest.fixture(scope="module")
def world_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data_dir: Path = tmp_path_factory.mktemp("world") / "elbd-data"
    with TestClient(create_app(load_settings(data_dir)), raise_server_exceptions=False) as client:
        yield client


def fresh_api(client: TestClient, *, unlimited: bool = False) -> Api:
    """A new project with its own credentials; default quotas unless `unlimited`.

    Its password is hashed with argon2's cheapest parameters: the default ones cost a few hundred
    milliseconds per hash and per token, which is the price of a whole test here. Verification
    reads the parameters from the hash, so the token call is as cheap.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(identity, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        credentials = new_project(client, f"project-{next(_names)}")
    api = Api(client, credentials, token_for(client, credentials))
    if unlimited:
        for resource in UNLIMITED:
            set_quota(api, resource, -1)
    return api


def set_quota(api: Api, resource: str, limit: int) -> None:
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


@pytest.fixture(scope="module")
def alpha(world_client: TestClient) -> Api:
    return fresh_api(world_client, unlimited=True)


@pytest.fixture(scope="module")
def beta(world_client: TestClient) -> Api:
    return fresh_api(world_client, unlimited=True)


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


def refused(api: Api, method: str, path: str, body: Any, status: int, code: str) -> dict[str, Any]:
    """The call fails with exactly this status and ELB error code; the error body is returned."""
    response = api.call(method, path, body)
    assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
    error = response.json()
    assert error["error_code"] == code, error
    assert error["request_id"] == response.headers["X-Request-Id"]
    return error


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]
