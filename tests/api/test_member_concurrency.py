"""Concurrent member creates against a real `elbd serve`: uniqueness holds, and no write fails with a 500."""

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer

CLIENTS = 50
TIMEOUT = httpx.Timeout(30.0, connect=5.0)


@dataclass
class LiveProject:
    http: httpx.Client
    project_id: str

    def ok(self, method: str, path: str, body: Any, status: int) -> dict[str, Any]:
        response = self.http.request(method, path, json=body)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    def elb(self, path: str) -> str:
        return f"/v3/{self.project_id}/elb/{path}"


@pytest.fixture
def live_project(live_server: LiveServer) -> Iterator[LiveProject]:
    credentials = json.loads(live_server.elbd("project", "create", "racers"))
    auth = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": credentials["user_name"], "password": credentials["password"], "domain": {"name": credentials["domain_name"]}}
                },
            },
            "scope": {"project": {"id": credentials["project_id"]}},
        }
    }
    limits = httpx.Limits(max_connections=2 * CLIENTS, max_keepalive_connections=2 * CLIENTS)
    with httpx.Client(base_url=live_server.url, timeout=TIMEOUT, limits=limits) as http:
        response = http.post("/v3/auth/tokens", json=auth)
        assert response.status_code == 201, response.text
        http.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
        yield LiveProject(http, credentials["project_id"])


def pool_with_subnet(project: LiveProject) -> tuple[str, str]:
    """A pool on a load balancer; answers (pool id, IPv4 subnet id for its members)."""
    vpc = project.ok("POST", f"/v1/{project.project_id}/vpcs", {"vpc": {"name": "vpc", "cidr": "127.0.0.0/8"}}, 200)["vpc"]
    subnet_body = {"subnet": {"name": "subnet", "cidr": "127.10.0.0/24", "vpc_id": vpc["id"]}}
    subnet = project.ok("POST", f"/v1/{project.project_id}/subnets", subnet_body, 200)["subnet"]
    lb_body = {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": subnet["neutron_subnet_id"]}}
    lb = project.ok("POST", project.elb("loadbalancers"), lb_body, 201)["loadbalancer"]
    pool_body = {"pool": {"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "loadbalancer_id": lb["id"]}}
    pool = project.ok("POST", project.elb("pools"), pool_body, 201)["pool"]
    return pool["id"], subnet["neutron_subnet_id"]


def all_at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Runs every call on its own thread, released together."""
    start = threading.Barrier(len(calls), timeout=30)

    def run(call: Callable[[], httpx.Response]) -> httpx.Response:
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls, timeout=120))


def test_concurrent_creates_store_each_address_and_port_once(live_project: LiveProject) -> None:
    """CLIENTS identical creates race CLIENTS creates of distinct ports, all released together."""
    pool_id, subnet_id = pool_with_subnet(live_project)
    url = live_project.elb(f"pools/{pool_id}/members")

    def create(port: int) -> Callable[[], httpx.Response]:
        body = {"member": {"address": "127.10.0.20", "protocol_port": port, "subnet_cidr_id": subnet_id}}
        return lambda: live_project.http.post(url, json=body)

    distinct_ports = [9000 + n for n in range(CLIENTS)]
    responses = all_at_once([create(8080) for _ in range(CLIENTS)] + [create(port) for port in distinct_ports])
    identical, distinct = responses[:CLIENTS], responses[CLIENTS:]
    unexpected = [r.text for r in responses if r.status_code not in (201, 409)]
    assert sorted(r.status_code for r in identical) == [201] + [409] * (CLIENTS - 1), unexpected
    assert {r.json()["error_code"] for r in identical if r.status_code == 409} == {"ELB.8907"}
    assert [r.status_code for r in distinct] == [201] * CLIENTS, unexpected
    assert not any("locked" in r.text for r in responses)
    winner = next(r.json()["member"]["id"] for r in identical if r.status_code == 201)
    listed = live_project.ok("GET", url, None, 200)["members"]
    assert [m["id"] for m in listed if m["protocol_port"] == 8080] == [winner]
    assert sorted(m["protocol_port"] for m in listed) == [8080] + distinct_ports
