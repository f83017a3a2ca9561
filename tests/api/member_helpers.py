"""Helpers for the member tests: calls on a pool's members, and the topologies they need.

The member test modules run on the shared application of tests/api/world.py (`world`, `api`,
`other_api`). Tests stay independent by building their own listener and pool on a load balancer the
module shares (the `site` and `topology` fixtures here), or a whole topology of their own where they
register instances; a test that needs a clean project (quotas, project-wide lists) asks `World.project`.
Import the fixtures with the world's: `from tests.api.member_helpers import site, topology  # noqa: F401`.
"""

import itertools
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.api.world import World
from tests.conftest import Api, Topology

_listener_ports = itertools.count(20000)


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


def topology_on(api: Api, site: Site, port: int | None = None) -> Topology:
    """A new HTTP listener on the site's load balancer, on a port of its own unless `port`, and its new pool."""
    listener = api.listener(site.lb["id"], port=next(_listener_ports) if port is None else port)
    return Topology(site.vpc, site.subnet, site.lb, listener, api.pool(listener_id=listener["id"]))


def build_topology(api: Api) -> Topology:
    """What the conftest `topology` fixture builds, for a project made inside a test."""
    return topology_on(api, build_site(api), port=80)


@pytest.fixture(scope="module")
def site(world: World) -> Site:
    return build_site(world.api)


@pytest.fixture
def topology(api: Api, site: Site) -> Topology:
    """Replaces conftest's `topology` (an application of its own) where imported."""
    return topology_on(api, site)
