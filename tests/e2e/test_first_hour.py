"""The first hour of a new operator: `elbd serve` on an empty data directory says how to begin, and a
project from `elbd project create` comes with a default VPC, subnet and availability zone, so a load
balancer needs nothing but its subnet; the next steps go to stderr, stdout stays one JSON object."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LiveServer, free_port
from tests.e2e.test_cli import CREDENTIAL_KEYS, call, elbd, token


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("first-hour") / "elbd-data", free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _serve_log(server: LiveServer) -> str:
    return (server.data_dir.parent / "elbd-serve.log").read_text()


def test_serve_on_an_empty_data_directory_names_the_command_that_creates_a_project(fresh_server: LiveServer) -> None:
    log = _serve_log(fresh_server)
    assert f"the API is at http://127.0.0.1:{fresh_server.port} (interactive docs: http://127.0.0.1:{fresh_server.port}/docs" in log
    assert "no project yet. Create one" in log and f"-m elbd project create NAME --data-dir {fresh_server.data_dir}" in log
    assert "/v3/auth/tokens" in log


def test_project_create_prints_credentials_on_stdout_and_next_steps_on_stderr(fresh_server: LiveServer) -> None:
    created = elbd(fresh_server.data_dir, "project", "create", "first", "--api-url", fresh_server.url)
    assert created.returncode == 0, created.stderr
    [line] = created.stdout.strip().splitlines()
    credentials = json.loads(line)
    assert set(credentials) == CREDENTIAL_KEYS
    auth = token(fresh_server, credentials)
    project = credentials["project_id"]

    [vpc] = call(fresh_server, auth, "GET", f"/v1/{project}/vpcs")["vpcs"]
    [subnet] = call(fresh_server, auth, "GET", f"/v1/{project}/subnets")["subnets"]
    assert (vpc["name"], vpc["cidr"]) == ("default", "127.0.0.0/8")
    assert (subnet["name"], subnet["cidr"], subnet["vpc_id"], subnet["availability_zone"]) == ("default", "127.200.0.0/16", vpc["id"], "local-1a")
    assert f"neutron_subnet_id {subnet['neutron_subnet_id']}" in created.stderr
    assert f"{fresh_server.url}/v3/{project}/elb/loadbalancers" in created.stderr and credentials["password"] not in created.stderr

    body = {"loadbalancer": {"name": "first", "vip_subnet_cidr_id": subnet["neutron_subnet_id"]}}
    lb = call(fresh_server, auth, "POST", f"/v3/{project}/elb/loadbalancers", body, status=201)["loadbalancer"]
    assert lb["availability_zone_list"] == ["local-1a"] and lb["vip_address"].startswith("127.200.0.")


def test_two_projects_default_subnets_overlap_but_their_vips_do_not(fresh_server: LiveServer) -> None:
    vips = []
    for name in ("second", "third"):
        credentials = json.loads(elbd(fresh_server.data_dir, "project", "create", name).stdout)
        auth, project = token(fresh_server, credentials), credentials["project_id"]
        [subnet] = call(fresh_server, auth, "GET", f"/v1/{project}/subnets")["subnets"]
        body = {"loadbalancer": {"vip_subnet_cidr_id": subnet["neutron_subnet_id"]}}
        vips.append(call(fresh_server, auth, "POST", f"/v3/{project}/elb/loadbalancers", body, status=201)["loadbalancer"]["vip_address"])
    assert len(set(vips)) == 2


def test_serve_with_a_project_does_not_ask_for_one(tmp_path: Path) -> None:
    data_dir = tmp_path / "elbd-data"
    assert elbd(data_dir, "project", "create", "ready").returncode == 0
    server = LiveServer(data_dir, free_port())
    server.start()
    try:
        log = _serve_log(server)
    finally:
        server.stop()
    assert "the API is at" in log and "no project yet" not in log


def test_serve_refuses_a_metrics_port_it_cannot_bind(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "elbd", "serve", "--port", str(free_port()), "--metrics-port", str(port), "--data-dir", str(tmp_path / "d")],
            capture_output=True, text=True, timeout=60, env={**os.environ, "ELBD_DATAPLANE": "none"},
        )
    assert done.returncode == 1 and f"the metrics endpoint cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
