"""Helpers shared by the member tests.

Each member test module runs on one application (`open_world`) instead of one per test: a fresh
application migrates a new database (~0.25 s) and a fresh project hashes its password with argon2's
default cost (~0.3 s, again for its token), which would make these few hundred small tests take minutes.
Tests stay independent by building their own listener and pool on a load balancer the module shares
(`Site`, `topology_on`), or a whole topology of their own where they register instances; a test that
needs a clean project (quotas, project-wide lists) asks `World.project`.
"""

import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from elbd.api.app import create_app
from elbd.config import load_settings
from elbd.service import identity, quotas
from tests.conftest import Api, Topology, new_project, token_for

UNLIMITED = ("loadbalancer", "listener", "pool", "member", "members_per_pool", "listeners_per_loadbalancer")
_listener_ports = itertools.count(20000)


@dataclass
class World:
    client: TestClient
    api: Api
    other_api: Api

    def project(self, **limits: int) -> Api:
        """A new project in this application; `limits` are quota overrides."""
        project = _project(self.client, f"p-{uuid.uuid4().hex[:12]}")
        for resource, limit in limits.items():
            set_quota(project, resource, limit)
        return project


@contextmanager
def open_world(data_dir: Path) -> Iterator[World]:
    with TestClient(create_app(load_settings(data_dir)), raise_server_exceptions=False) as client:
        world = World(client, *(_unlimited_project(client, name) for name in ("alpha", "beta")))
        yield world


def _project(client: TestClient, name: str) -> Api:
    """A project whose password is hashed with argon2's cheapest parameters (verification reads them from the hash)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(identity, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        credentials = new_project(client, name)
    return Api(client, credentials, token_for(client, credentials))


def _unlimited_project(client: TestClient, name: str) -> Api:
    project = _project(client, name)
    for resource in UNLIMITED:
        set_quota(project, resource, -1)
    return project


def set_quota(api: Api, resource: str, limit: int) -> None:
    with api.client.app.state.db.write() as session:
        quotas.set_override(session, project_id=api.project_id, resource=resource, limit=limit)


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == code, body
    assert body["request_id"] == response.headers["X-Request-Id"]
    return body


def members_url(pool_id: str) -> str:
    return f"pools/{pool_id}/members"


def create(api: Api, pool_id: str, **fields: Any) -> httpx.Response:
    return api.call("POST", members_url(pool_id), {"member": fields})


def members_of(api: Api, pool_id: str) -> list[dict[str, Any]]:
    return api.ok("GET", members_url(pool_id))["members"]


def show(api: Api, pool_id: str, member_id: str) -> dict[str, Any]:
    return api.ok("GET", f"{members_url(pool_id)}/{member_id}")["member"]


def tcp_pool(api: Api, lb_id: str, **extra: Any) -> dict[str, Any]:
    return api.pool("TCP", loadbalancer_id=lb_id, **extra)


def build_topology(api: Api) -> Topology:
    """What the conftest `topology` fixture builds, for a project made inside a test."""
    vpc = api.vpc()
    subnet = api.subnet(vpc["id"])
    lb = api.load_balancer(subnet, ip_target_enable=True)
    listener = api.listener(lb["id"])
    return Topology(vpc, subnet, lb, listener, api.pool(listener_id=listener["id"]))


@dataclass
class Site:
    """A VPC, a 127.10.0.0/24 subnet and a load balancer with ip_target_enable, shared by a module."""

    vpc: dict[str, Any]
    subnet: dict[str, Any]
    lb: dict[str, Any]


def build_site(api: Api) -> Site:
    vpc = api.vpc()
    subnet = api.subnet(vpc["id"])
    return Site(vpc, subnet, api.load_balancer(subnet, ip_target_enable=True))


def topology_on(api: Api, site: Site) -> Topology:
    """A new HTTP listener on the site's load balancer and its new pool."""
    listener = api.listener(site.lb["id"], port=next(_listener_ports))
    return Topology(site.vpc, site.subnet, site.lb, listener, api.pool(listener_id=listener["id"]))
