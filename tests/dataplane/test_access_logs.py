"""Access logs against one real `elbd serve` with HAProxy and real backends: a log tank turns a load
balancer's HAProxy access log on (lines read back from its file, fields right, hostile requests unable
to forge a line; a TCP listener's connections too), deleting it turns it off, the file rotates within
its bound; and the API's own line per request (`--access-log-json`)."""

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from elbd.dataplane.access_log_receiver import access_log_path
from elbd.dataplane.haproxy_engine import stop_all
from tests.conftest import Api, LiveServer, free_port
from tests.dataplane.conftest import SUBNET, VIP, SharedLoadBalancer, Site, listener_site, project_api, wait_for
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on

MAX_BYTES = 16_000
KEEP = 2
GROUP, TOPIC = "group-1", "topic-1"


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedLoadBalancer]:
    """Its own server: small log files (to see them rotate) and the API's JSON access log."""
    limits = {"ELBD_ACCESS_LOG_MAX_BYTES": str(MAX_BYTES), "ELBD_ACCESS_LOG_KEEP": str(KEEP)}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in limits.items():
            patch.setenv(key, value)
        server = LiveServer(tmp_path_factory.mktemp("access-logs") / "data", free_port(), dataplane="haproxy", serve_args=("--access-log-json",))
        server.start()
    try:
        with project_api(server) as api:
            subnet = api.subnet(api.vpc()["id"], SUBNET)
            yield SharedLoadBalancer(api, subnet, api.load_balancer(subnet, vip_address=VIP), server)
    finally:
        server.stop()
        stop_all(server.data_dir)


@pytest.fixture(scope="module")
def site(shared: SharedLoadBalancer) -> Iterator[Site]:
    made = listener_site(shared)
    backend = FakeBackend("logged", "127.20.0.10", free_port_on("127.20.0.10")).start()
    try:
        made.add(backend)
        wait_for(lambda: answers(made.port), timeout_s=30)
        yield made
    finally:
        backend.stop()


def raw_request(port: int, target: bytes, user_agent: bytes = b"probe") -> bytes:
    """One request on its own connection, written byte for byte (no client library tidies it up)."""
    with socket.create_connection((VIP, port), timeout=10) as connection:
        connection.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: logged.example\r\nUser-Agent: " + user_agent + b"\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


def answers(port: int) -> bool:
    try:
        return raw_request(port, b"/", b"warm-up").startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def log_file(shared: SharedLoadBalancer) -> Path:
    assert shared.server is not None
    return access_log_path(shared.server.data_dir, shared.lb["id"])


def records(shared: SharedLoadBalancer) -> list[dict[str, Any]]:
    """Every line of the load balancer's log files, oldest first, each parsed as the one JSON object it must be."""
    current = log_file(shared)
    files = [current.with_name(f"{current.name}.{number}") for number in range(KEEP, 0, -1)] + [current]
    lines = [line for path in files if path.exists() for line in path.read_text().splitlines()]
    return [json.loads(line) for line in lines]


def with_agent(shared: SharedLoadBalancer, user_agent: str) -> Callable[[], list[dict[str, Any]]]:
    return lambda: [record for record in records(shared) if record.get("user_agent") == user_agent]


def logtank(api: Api, lb_id: str) -> dict[str, Any]:
    return api.ok("POST", "logtanks", {"logtank": {"loadbalancer_id": lb_id, "log_group_id": GROUP, "log_topic_id": TOPIC}})["logtank"]


def test_a_logtank_logs_each_request_with_its_fields(shared: SharedLoadBalancer, site: Site) -> None:
    made = logtank(shared.api, shared.lb["id"])
    try:
        answer = raw_request(site.port, b"/hello?x=1", b"field-check")
        assert answer.startswith(b"HTTP/1.1 200"), answer
        (record,) = wait_for(with_agent(shared, "field-check"), timeout_s=20)
        assert record["loadbalancer_id"] == shared.lb["id"] and record["listener_id"] == site.listener["id"]
        assert record["pool_id"] == site.pool["id"] and record["member_id"] != "<NOSRV>"
        assert (record["method"], record["uri"], record["http_version"], record["host"]) == ("GET", "/hello?x=1", "HTTP/1.1", "logged.example")
        assert record["status"] == 200 and record["client_ip"] == "127.0.0.1" and record["bytes_sent"] > 0
        assert record["total_ms"] >= 0 and record["termination"] == "----"
    finally:
        shared.api.ok("DELETE", f"logtanks/{made['id']}")


def test_a_hostile_request_cannot_forge_a_line(shared: SharedLoadBalancer, site: Site) -> None:
    made = logtank(shared.api, shared.lb["id"])
    forged = '{"loadbalancer_id":"' + shared.lb["id"] + '","user_agent":"forged","status":200}'
    hostile_agent = b'x" 200 ' + forged.encode() + b' \x1b[31m \x0b \\ \x7f \xff end'
    hostile_path = b"/a\\b]%22%0A{\"status\":200}?q=" + forged.replace(" ", "").replace('"', "%22").encode()
    try:
        before = len(records(shared))
        raw_request(site.port, hostile_path, hostile_agent)
        raw_request(site.port, b"/after", b"after-hostile")
        wait_for(with_agent(shared, "after-hostile"), timeout_s=20)
        logged = records(shared)[before:]
        assert len(logged) == 2  # one line per request, each a whole JSON object (records() parsed them)
        hostile = logged[0]
        assert hostile["user_agent"] == hostile_agent.decode("utf-8", "ignore") and hostile["uri"] == hostile_path.decode()
        assert hostile["loadbalancer_id"] == shared.lb["id"] and hostile["status"] == 200
        assert with_agent(shared, "forged")() == []
    finally:
        shared.api.ok("DELETE", f"logtanks/{made['id']}")


def test_deleting_the_logtank_stops_logging(shared: SharedLoadBalancer, site: Site) -> None:
    made = logtank(shared.api, shared.lb["id"])
    raw_request(site.port, b"/", b"while-logging")
    wait_for(with_agent(shared, "while-logging"), timeout_s=20)
    shared.api.ok("DELETE", f"logtanks/{made['id']}")  # answers once HAProxy no longer logs
    for _ in range(5):
        assert raw_request(site.port, b"/", b"after-delete").startswith(b"HTTP/1.1 200")
    again = logtank(shared.api, shared.lb["id"])
    try:
        raw_request(site.port, b"/", b"logging-again")
        wait_for(with_agent(shared, "logging-again"), timeout_s=20)  # lines arrive in order: any after-delete one is in by now
        assert with_agent(shared, "after-delete")() == []
    finally:
        shared.api.ok("DELETE", f"logtanks/{again['id']}")


def test_the_log_rotates_within_its_bound(shared: SharedLoadBalancer, site: Site) -> None:
    made = logtank(shared.api, shared.lb["id"])
    try:
        count = 3 * MAX_BYTES // 400  # lines are some 500 bytes: enough to fill every kept file and more
        for number in range(count):
            raw_request(site.port, b"/", f"rotation-{number}".encode())
        wait_for(with_agent(shared, f"rotation-{count - 1}"), timeout_s=30)
        current = log_file(shared)
        files = sorted(current.parent.iterdir())
        assert [path.name for path in files] == ["access.log", "access.log.1", "access.log.2"]
        assert all(path.stat().st_size <= MAX_BYTES for path in files)
        kept = [int(record["user_agent"].split("-")[1]) for record in records(shared) if record["user_agent"].startswith("rotation-")]
        assert kept == list(range(count - len(kept), count)) and len(kept) < count  # the newest, in order; the oldest rotated away
    finally:
        shared.api.ok("DELETE", f"logtanks/{made['id']}")


def test_a_tcp_listener_logs_each_connection(shared: SharedLoadBalancer, site: Site) -> None:
    tcp = listener_site(shared, protocol="TCP")
    backend = FakeBackend("tcp-logged", "127.20.0.11", free_port_on("127.20.0.11")).start()
    try:
        tcp.add(backend)
        made = logtank(shared.api, shared.lb["id"])
        try:
            wait_for(lambda: answers(tcp.port), timeout_s=30)
            record = wait_for(lambda: [record for record in records(shared) if record["listener_id"] == tcp.listener["id"]], timeout_s=20)[-1]
            assert (record["loadbalancer_id"], record["pool_id"], record["client_ip"]) == (shared.lb["id"], tcp.pool["id"], "127.0.0.1")
            assert record["bytes_received"] > 0 and record["bytes_sent"] > 0 and "user_agent" not in record
        finally:
            shared.api.ok("DELETE", f"logtanks/{made['id']}")
    finally:
        backend.stop()


def test_the_api_logs_a_json_line_per_request(shared: SharedLoadBalancer) -> None:
    assert shared.server is not None
    api = shared.api
    listed = api.call("GET", "logtanks")
    missing = api.call("GET", "logtanks/does-not-exist")
    hostile = api.client.get("/v3/x%0A%7B%22status%22%3A200%7D/elb/nothing")
    log_file = shared.server.data_dir.parent / "elbd-serve.log"
    wait_for(lambda: all(answer.headers["X-Request-Id"] in log_file.read_text() for answer in (listed, missing, hostile)))
    log = log_file.read_text()

    def line_of(request_id: str) -> dict[str, Any]:
        (line,) = [json.loads(line) for line in log.splitlines() if request_id in line]
        return line

    first = line_of(listed.headers["X-Request-Id"])
    assert {key: first[key] for key in ("method", "route", "status", "project_id")} == {
        "method": "GET", "route": "/v3/{project_id}/elb/logtanks", "status": 200, "project_id": api.project_id,
    }
    assert first["duration_ms"] >= 0
    assert (line_of(missing.headers["X-Request-Id"])["route"], line_of(missing.headers["X-Request-Id"])["status"]) == ("/v3/{project_id}/elb/logtanks/{logtank_id}", 404)
    unmatched = line_of(hostile.headers["X-Request-Id"])
    assert (unmatched["route"], unmatched["project_id"], unmatched["status"]) == ("unmatched", None, 404)
