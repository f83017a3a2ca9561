"""`elbd serve` in its two roles on one machine's defaults: `--no-agent` serves the API alone (an API
replica starts no data plane), and a SQLite database takes one server, which says where replicas go."""

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx

from elbd.dataplane.haproxy_engine import stop_all
from elbd.service.identity import ProjectCredentials
from tests import postgres
from tests.conftest import Api, LiveServer, free_port, token_for


@postgres.sqlite_only("a second server on one SQLite file is refused; on PostgreSQL replicas are the point (tests/e2e/test_replicas_on_postgres.py)")
def test_a_second_server_on_the_same_sqlite_database_is_refused_and_the_first_keeps_serving(live_server: LiveServer) -> None:
    second = subprocess.run(
        [sys.executable, "-m", "elbd", "serve", "--port", str(free_port()), "--data-dir", str(live_server.data_dir)],
        capture_output=True, text=True, timeout=60,
    )
    assert second.returncode == 1
    assert "SQLite takes one server" in second.stderr and "PostgreSQL" in second.stderr
    assert httpx.get(live_server.url + "/versions", timeout=10).status_code == 200


def test_no_agent_serves_the_api_and_starts_no_data_plane(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "data", free_port(), dataplane="haproxy", serve_args=("--no-agent",))
    server.start()
    try:
        credentials = ProjectCredentials(**json.loads(server.elbd("project", "create", "replica")))
        with httpx.Client(base_url=server.url, timeout=30) as client:
            api = Api(client, credentials, token_for(client, credentials))  # type: ignore[arg-type]
            lb = api.load_balancer(api.subnet(api.vpc()["id"], "127.20.0.0/24"), vip_address="127.20.0.2")
            api.listener(lb["id"], protocol="HTTP", port=free_port())
            time.sleep(1.0)  # an agent would have started the load balancer's HAProxy by now
        assert not (server.data_dir / "haproxy").exists()
    finally:
        server.stop()
        stop_all(server.data_dir)  # whatever an agent would have started, were the test to fail
