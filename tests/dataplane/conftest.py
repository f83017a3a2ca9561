"""Data-plane fixtures: `elbd serve` with the HAProxy driver, a project's API over HTTP, real backends
on loopback, and clients that send requests through a VIP. Every HAProxy started is stopped after."""

import http.client
import json
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from elbd.dataplane.haproxy import HaproxyProcess, MasterState
from elbd.dataplane import nginx_engine
from elbd.dataplane.haproxy_engine import stop_all
from elbd.dataplane.runtime_commands import ShowServersState
from elbd.service.identity import ProjectCredentials
from tests.conftest import Api, LiveServer, free_port, token_for
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on

SUBNET = "127.20.0.0/24"
VIP = "127.20.0.2"


@pytest.fixture
def elbd_haproxy(tmp_path: Path) -> Iterator[LiveServer]:
    with running_elbd(tmp_path / "data") as server:
        yield server


@pytest.fixture
def cloud(elbd_haproxy: LiveServer) -> Iterator[Api]:
    with project_api(elbd_haproxy) as api:
        yield api


@contextmanager
def project_api(server: LiveServer, name: str = "dp") -> Iterator[Api]:
    """A new project's API on `server`, over HTTP."""
    credentials = ProjectCredentials(**json.loads(server.elbd("project", "create", name)))
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield Api(client, credentials, token_for(client, credentials))  # type: ignore[arg-type]


@contextmanager
def running_elbd(data_dir: Path) -> Iterator[LiveServer]:
    """`elbd serve` with the HAProxy driver; every HAProxy it started is stopped after."""
    server = LiveServer(data_dir, free_port(), dataplane="haproxy")
    server.start()
    try:
        yield server
    finally:
        server.stop()
        stop_all(server.data_dir)
        nginx_engine.stop_all(server.data_dir)


@dataclass
class Site:
    """A load balancer on VIP 127.20.0.2 with one HTTP listener and its pool."""

    api: Api
    subnet: dict[str, Any]
    lb: dict[str, Any]
    listener: dict[str, Any]
    pool: dict[str, Any]
    port: int

    def add(self, backend: FakeBackend, weight: int = 1) -> dict[str, Any]:
        body = {"address": backend.address, "protocol_port": backend.port, "weight": weight,
                "subnet_cidr_id": self.subnet["neutron_subnet_id"]}
        return self.api.member(self.pool["id"], **body)["member"]

    def member(self, member_id: str) -> dict[str, Any]:
        return self.api.ok("GET", f"pools/{self.pool['id']}/members/{member_id}")["member"]


def make_site(api: Api, protocol: str = "HTTP", algorithm: str = "ROUND_ROBIN", vip: str = VIP, subnet: str = SUBNET) -> Site:
    vpc = api.vpc()
    made = api.subnet(vpc["id"], subnet)
    lb = api.load_balancer(made, vip_address=vip)
    port = free_port_on(vip)
    listener = api.listener(lb["id"], protocol=protocol, port=port)
    pool = api.pool(protocol=protocol, algorithm=algorithm, listener_id=listener["id"])
    return Site(api, made, lb, listener, pool, port)


@pytest.fixture
def site(cloud: Api) -> Site:
    return make_site(cloud)


@dataclass(frozen=True)
class SharedLoadBalancer:
    """One `elbd serve` and one load balancer on VIP for a whole module: each test adds listeners and
    pools of its own to it (a server's start is most of a data-plane test's time)."""

    api: Api
    subnet: dict[str, Any]
    lb: dict[str, Any]
    server: LiveServer | None = None


@contextmanager
def shared_load_balancer(data_dir: Path) -> Iterator[SharedLoadBalancer]:
    with running_elbd(data_dir) as server, project_api(server) as api:
        subnet = api.subnet(api.vpc()["id"], SUBNET)
        yield SharedLoadBalancer(api, subnet, api.load_balancer(subnet, vip_address=VIP), server)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[SharedLoadBalancer]:
    """The module's one server and load balancer (a module that needs more defines its own `shared`)."""
    with shared_load_balancer(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]) / "data") as made:
        yield made


def listener_site(shared: SharedLoadBalancer, protocol: str = "HTTP", algorithm: str = "ROUND_ROBIN", **listener: Any) -> Site:
    """A listener of its own on the shared load balancer, with its pool."""
    port = free_port_on(VIP)
    made = shared.api.listener(shared.lb["id"], protocol=protocol, port=port, **listener)
    pool = shared.api.pool(protocol=protocol, algorithm=algorithm, listener_id=made["id"])
    return Site(shared.api, shared.subnet, shared.lb, made, pool, port)


@pytest.fixture
def backends() -> Iterator[Callable[..., FakeBackend]]:
    with started_backends() as start:
        yield start


@contextmanager
def started_backends(network: str = "127.20.0") -> Iterator[Callable[..., FakeBackend]]:
    """start(name, host, tls, **behaviour): a backend on {network}.{host + how many were started}; all
    are stopped after."""
    started: list[FakeBackend] = []

    def start(name: str, host: int = 10, tls: ssl.SSLContext | None = None, **behaviour: Any) -> FakeBackend:
        address = f"{network}.{host + len(started)}"
        backend = FakeBackend(name, address, free_port_on(address), tls=tls)
        for key, value in behaviour.items():
            setattr(backend.behaviour, key, value)
        started.append(backend.start())
        return backend

    try:
        yield start
    finally:
        for backend in started:
            backend.stop()


def fetch(port: int, address: str = VIP, source: str | None = None, timeout_s: float = 5.0, silent_s: float = 0.0) -> tuple[int, str]:
    """One request through the VIP on a new connection, sent `silent_s` after the connection opened:
    (status, body)."""
    connection = http.client.HTTPConnection(address, port, timeout=timeout_s, source_address=(source, 0) if source else None)
    try:
        if silent_s:
            connection.connect()
            time.sleep(silent_s)
        connection.request("GET", "/", headers={"Connection": "close"})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def wait_for(condition: Callable[[], Any], timeout_s: float = 10.0, interval_s: float = 0.05) -> Any:
    """Poll `condition` until it is truthy; fail the test after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        time.sleep(interval_s)


def server_line(process: HaproxyProcess, pool_id: str, member_id: str) -> list[str] | None:
    """The member's line of `show servers state` (split: [5] its operational state, [6] its admin state),
    or None while the process lacks it (or is not up yet)."""
    try:
        text = process.runtime(ShowServersState(pool_id))
    except OSError:
        return None
    return next((fields for line in text.splitlines() if len(fields := line.split()) > 6 and fields[3] == member_id), None)


def settled_master(process: HaproxyProcess) -> MasterState:
    """The master's state once no reload is under way: two reads a moment apart agree."""

    def read() -> MasterState | None:
        try:
            first = process.master_state()
            time.sleep(0.3)
            return first if first == process.master_state() else None
        except OSError:
            return None

    return wait_for(read)
