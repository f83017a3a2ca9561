"""The operator contract of the `elbd` command: project credentials as one JSON object, clean
refusals, and state (tokens included) that survives a restart of `elbd serve`."""

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import postgres
from tests.conftest import LiveServer

CREDENTIAL_KEYS = {"project_id", "domain_name", "user_name", "password", "access_key", "secret_key"}


def elbd(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "elbd", *args, "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=60,
        env=postgres.environment_for(data_dir),
    )


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("cli") / "elbd-data"


@pytest.fixture(scope="module")
def created(state: Path) -> subprocess.CompletedProcess[str]:
    return elbd(state, "project", "create", "team-a")


def test_project_create_prints_one_json_object_of_credentials(created: subprocess.CompletedProcess[str]) -> None:
    assert created.returncode == 0, created.stderr
    lines = created.stdout.strip().splitlines()
    assert len(lines) == 1
    credentials = json.loads(lines[0])
    assert set(credentials) == CREDENTIAL_KEYS
    assert all(isinstance(value, str) and value for value in credentials.values())
    assert credentials["domain_name"] == "team-a" and credentials["user_name"] == "team-a"


def test_project_create_with_a_taken_name_fails_cleanly(state: Path, created: subprocess.CompletedProcess[str]) -> None:
    assert created.returncode == 0, created.stderr
    again = elbd(state, "project", "create", "team-a")
    assert again.returncode == 1
    assert "already exists" in again.stderr and "team-a" in again.stderr
    assert "Traceback" not in again.stderr + again.stdout
    assert again.stdout == ""


def test_quota_set_takes_minus_one_for_unlimited(state: Path, created: subprocess.CompletedProcess[str]) -> None:
    project_id = json.loads(created.stdout)["project_id"]
    done = elbd(state, "quota", "set", project_id, "members_per_pool", "-1")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"project_id": project_id, "members_per_pool": -1}


def token(server: LiveServer, credentials: dict[str, str]) -> str:
    user = {"name": credentials["user_name"], "password": credentials["password"], "domain": {"name": credentials["domain_name"]}}
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": user}}, "scope": {"project": {"name": credentials["domain_name"]}}}}
    response = httpx.post(f"{server.url}/v3/auth/tokens", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


def call(server: LiveServer, auth: str, method: str, path: str, body: Any = None, status: int = 200) -> dict[str, Any]:
    response = httpx.request(method, server.url + path, json=body, headers={"X-Auth-Token": auth}, timeout=10)
    assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


def test_state_and_tokens_survive_a_restart(live_server: LiveServer) -> None:
    credentials = json.loads(live_server.elbd("project", "create", "durable"))
    auth = token(live_server, credentials)
    project = credentials["project_id"]
    vpc = call(live_server, auth, "POST", f"/v1/{project}/vpcs", {"vpc": {"name": "v", "cidr": "127.0.0.0/8"}})["vpc"]
    subnet_body = {"subnet": {"name": "s", "cidr": "127.11.0.0/24", "vpc_id": vpc["id"]}}
    subnet = call(live_server, auth, "POST", f"/v1/{project}/subnets", subnet_body)["subnet"]
    lb_body = {"loadbalancer": {"name": "kept", "availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": subnet["neutron_subnet_id"]}}
    lb = call(live_server, auth, "POST", f"/v3/{project}/elb/loadbalancers", lb_body, status=201)["loadbalancer"]

    live_server.stop()
    live_server.start()

    listed = call(live_server, auth, "GET", f"/v3/{project}/elb/loadbalancers")["loadbalancers"]
    assert [(item["id"], item["name"], item["vip_address"]) for item in listed] == [(lb["id"], "kept", lb["vip_address"])]
