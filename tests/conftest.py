"""Shared fixtures: an elbd application on a fresh data directory, projects with credentials, and a
small builder for the resources a member needs (VPC, subnet, load balancer, listener, pool)."""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from elbd.api.app import create_app
from elbd.config import load_settings
from elbd.service import identity
from elbd.service.identity import ProjectCredentials
from tests import postgres
from tests.ports import free_port_on

os.environ.setdefault("ELBD_DATAPLANE", "none")


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """On PostgreSQL (tests/postgres.py): a database at the newest schema that no test uses, to clone."""
    if not postgres.ON_POSTGRES:
        yield None
        return
    if (why := postgres.unanswered()) is not None:
        pytest.skip(f"THE POSTGRESQL RUN IS SKIPPED: {why}")
    with postgres.migrated_database() as url:
        postgres.TEMPLATE.append(url)
        yield url
        postgres.TEMPLATE.remove(url)


@pytest.fixture(scope="session")
def postgres_database(postgres_template: str | None) -> Iterator[str | None]:
    if postgres_template is None:
        yield None
        return
    with postgres.cloned_database(postgres_template) as url:
        yield url


@pytest.fixture(scope="module", autouse=True)
def database_of_the_module(postgres_template: str | None) -> Iterator[None]:
    """On PostgreSQL: a database of the module's own, named by ELBD_DATABASE_URL while the module's
    shared fixtures start (they start before any test's own fixtures), so that an application shared
    by the module's tests runs on PostgreSQL too, and the emptying before each test leaves it alone."""
    with postgres.database_of_its_own():
        yield


@pytest.fixture(autouse=True)
def database_of_the_test(postgres_database: str | None) -> Iterator[None]:
    """On PostgreSQL (tests/postgres.py): the session's database, emptied, through ELBD_DATABASE_URL.
    Set by a MonkeyPatch of its own, not by the `monkeypatch` fixture: taken by an autouse fixture, that
    one would be set up before every test's own fixtures and undo the test's patches only after their
    teardown, which tests patching a teardown's path rely on not happening."""
    if postgres_database is None:
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ELBD_DATABASE_URL", postgres.emptied(postgres_database))
        yield


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "elbd-data"


@pytest.fixture
def client(data_dir: Path) -> Iterator[TestClient]:
    app = create_app(load_settings(data_dir))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


# Tests hash passwords at argon2's lowest cost: the default costs a few hundred ms per project and token.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def new_project(client: TestClient, name: str) -> ProjectCredentials:
    with client.app.state.db.write() as session:
        return identity.create_project(session, name=name, secret_box=client.app.state.secret_box, hasher=CHEAP_HASHER)


def token_for(client: TestClient, credentials: ProjectCredentials) -> str:
    response = client.post("/v3/auth/tokens", json=token_request(credentials))
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


def token_request(credentials: ProjectCredentials) -> dict[str, Any]:
    """A Keystone password body scoped to the project."""
    return {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": credentials.user_name, "password": credentials.password, "domain": {"name": credentials.domain_name}}
                },
            },
            "scope": {"project": {"id": credentials.project_id}},
        }
    }


@dataclass
class Api:
    """A project's view of elbd: authenticated calls on its own paths."""

    client: TestClient
    credentials: ProjectCredentials
    token: str

    @property
    def project_id(self) -> str:
        return self.credentials.project_id

    def url(self, path: str) -> str:
        if path.startswith("/v"):
            return path
        return f"/v3/{self.project_id}/elb/{path}" if not path.startswith(("vpcs", "subnets", "cloudservers")) else f"/v1/{self.project_id}/{path}"

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        headers = {"X-Auth-Token": self.token, **kwargs.pop("headers", {})}
        return self.client.request(method, self.url(path), json=body, headers=headers, **kwargs)

    def ok(self, method: str, path: str, body: Any = None, status: int | None = None, **kwargs: Any) -> dict[str, Any]:
        response = self.call(method, path, body, **kwargs)
        expected = status or {"POST": 201, "DELETE": 204}.get(method, 200)
        assert response.status_code == expected, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else {}

    # builders for the resources a member needs
    def vpc(self, cidr: str = "127.0.0.0/8") -> dict[str, Any]:
        return self.ok("POST", "vpcs", {"vpc": {"name": "vpc", "cidr": cidr}}, status=200)["vpc"]

    def subnet(self, vpc_id: str, cidr: str = "127.10.0.0/24", **extra: Any) -> dict[str, Any]:
        body = {"subnet": {"name": "subnet", "cidr": cidr, "vpc_id": vpc_id, **extra}}
        return self.ok("POST", "subnets", body, status=200)["subnet"]

    def load_balancer(self, subnet: dict[str, Any], **extra: Any) -> dict[str, Any]:
        body = {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": subnet["neutron_subnet_id"], **extra}}
        return self.ok("POST", "loadbalancers", body)["loadbalancer"]

    def listener(self, lb_id: str, protocol: str = "HTTP", port: int = 80, **extra: Any) -> dict[str, Any]:
        body = {"listener": {"loadbalancer_id": lb_id, "protocol": protocol, "protocol_port": port, **extra}}
        return self.ok("POST", "listeners", body)["listener"]

    def pool(self, protocol: str = "HTTP", algorithm: str = "ROUND_ROBIN", **extra: Any) -> dict[str, Any]:
        body = {"pool": {"protocol": protocol, "lb_algorithm": algorithm, **extra}}
        return self.ok("POST", "pools", body)["pool"]

    def monitor(self, pool_id: str, monitor_type: str = "HTTP", **extra: Any) -> dict[str, Any]:
        body = {"healthmonitor": {"pool_id": pool_id, "type": monitor_type, "delay": 5, "timeout": 3, "max_retries": 3, **extra}}
        return self.ok("POST", "healthmonitors", body)["healthmonitor"]

    def member(self, pool_id: str, status: int = 201, **fields: Any) -> dict[str, Any]:
        return self.ok("POST", f"pools/{pool_id}/members", {"member": fields}, status=status)


@pytest.fixture
def api(client: TestClient) -> Api:
    credentials = new_project(client, "alpha")
    return Api(client, credentials, token_for(client, credentials))


@pytest.fixture
def other_api(client: TestClient) -> Api:
    credentials = new_project(client, "beta")
    return Api(client, credentials, token_for(client, credentials))


@dataclass
class Topology:
    """A VPC with a subnet, a load balancer in it, an HTTP listener and its pool."""

    vpc: dict[str, Any]
    subnet: dict[str, Any]
    lb: dict[str, Any]
    listener: dict[str, Any]
    pool: dict[str, Any]


@pytest.fixture
def topology(api: Api) -> Topology:
    vpc = api.vpc()
    subnet = api.subnet(vpc["id"])
    lb = api.load_balancer(subnet, ip_target_enable=True)
    listener = api.listener(lb["id"])
    pool = api.pool(listener_id=listener["id"])
    return Topology(vpc, subnet, lb, listener, pool)


def free_port() -> int:
    """A free port on 127.0.0.1 (tests/ports.py)."""
    return free_port_on("127.0.0.1")


@dataclass
class LiveServer:
    """`elbd serve` as a real process on a loopback port, as users run it."""

    data_dir: Path
    port: int
    dataplane: str = "none"
    process: Any = None
    serve_args: tuple[str, ...] = ()
    verify: Any = True  # what httpx checks an https server's certificate against

    @property
    def url(self) -> str:
        scheme = "https" if "--ssl-certfile" in self.serve_args else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def elbd(self, *args: str) -> str:
        import subprocess
        import sys

        done = subprocess.run(
            [sys.executable, "-m", "elbd", *args, "--data-dir", str(self.data_dir)],
            capture_output=True, text=True, timeout=60, check=True, env=postgres.environment_for(self.data_dir),
        )
        return done.stdout

    def start(self) -> None:
        import subprocess
        import sys
        import time

        log = self.data_dir.parent / "elbd-serve.log"
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "elbd", "serve", "--port", str(self.port), "--data-dir", str(self.data_dir), *self.serve_args],
                stdout=output, stderr=output, env={**postgres.environment_for(self.data_dir), "ELBD_DATAPLANE": self.dataplane},
            )
        # Bounded generously: on a machine whose cores other work keeps busy, starting takes several times
        # its usual second or two (a stability run saw more than 30 s). Any answer will do: the probe asks
        # for nothing that costs the server work (the OpenAPI document took seconds to build under load).
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"elbd serve exited: {log.read_text()[-3000:]}")
            try:
                httpx.get(self.url + "/v3/auth/tokens", timeout=5, verify=self.verify)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()  # the fixture that called start() never reaches its teardown: stop what was started here
        raise RuntimeError("elbd serve did not answer within 90 s")

    def kill(self) -> None:
        """SIGKILL, as a crash would end it."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except Exception:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "live-data", free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
