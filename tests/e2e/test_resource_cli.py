"""The resource CLI (`elbd lb ...`) against a live `elbd serve`, run as a user runs it: credentials from
a config file (AK/SK, signed) or the environment (a token), tables and --json, exit codes on refusals,
`lb status` as a tree, and `member import` of 250 rows failing in the middle and resumed without
duplicates."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from elbd.cli_resources import exit_codes
from tests.conftest import LiveServer, free_port
from tests.e2e.test_cli import token

ROWS = 250


@dataclass(frozen=True)
class Cli:
    server: LiveServer
    credentials: dict[str, str]
    config: Path
    subnet_id: str  # the default subnet's neutron_subnet_id

    def run(self, *args: str, env: dict[str, str] | None = None, config: bool = True) -> subprocess.CompletedProcess[str]:
        clean = {key: value for key, value in os.environ.items() if not key.startswith("ELBD_")}
        command = [sys.executable, "-m", "elbd", *args, *(("--config", str(self.config)) if config else ())]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, env={**clean, "HOME": str(self.config.parent), **(env or {})})

    def ok(self, *args: str) -> Any:
        """A --json command that succeeds: its JSON."""
        done = self.run(*args, "--json")
        assert done.returncode == 0, f"{args}: {done.returncode} {done.stderr}"
        return json.loads(done.stdout)


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    home = tmp_path_factory.mktemp("resource-cli")
    server = LiveServer(home / "data", free_port())
    server.start()
    try:
        credentials = json.loads(server.elbd("project", "create", "cli"))
        config = home / "credentials.json"
        config.write_text(json.dumps({**credentials, "url": server.url}))
        subnets = httpx.get(f"{server.url}/v1/{credentials['project_id']}/subnets", headers={"X-Auth-Token": token(server, credentials)}, timeout=10)
        yield Cli(server, credentials, config, subnets.json()["subnets"][0]["neutron_subnet_id"])
    finally:
        server.stop()


def test_create_list_show_update_delete_with_aksk_from_the_config_file(cli: Cli) -> None:
    made = cli.ok("lb", "create", "name=cli-web", f"vip_subnet_cidr_id={cli.subnet_id}", 'availability_zone_list=["local-1a"]')
    assert made["name"] == "cli-web" and made["provisioning_status"] == "ACTIVE"
    assert made["id"] in [lb["id"] for lb in cli.ok("lb", "list")]
    assert [lb["id"] for lb in cli.ok("lb", "list", "--filter", "name=cli-web")] == [made["id"]]
    assert cli.ok("lb", "show", made["id"]) == made
    table = cli.run("lb", "list")
    assert table.returncode == 0 and table.stdout.splitlines()[0].split() == ["ID", "NAME", "VIP_ADDRESS", "PROVISIONING_STATUS", "OPERATING_STATUS"]
    assert any(line.split()[:2] == [made["id"], "cli-web"] for line in table.stdout.splitlines()[1:])
    updated = cli.ok("lb", "update", made["id"], "description=from the CLI", "name=cli-web-2")
    assert (updated["name"], updated["description"]) == ("cli-web-2", "from the CLI")
    assert cli.ok("lb", "delete", made["id"]) == {"id": made["id"], "deleted": True}
    assert cli.run("lb", "show", made["id"]).returncode == exit_codes.NOT_FOUND


def test_a_token_and_the_project_from_the_environment(cli: Cli) -> None:
    env = {"ELBD_URL": cli.server.url, "ELBD_PROJECT_ID": cli.credentials["project_id"], "ELBD_TOKEN": token(cli.server, cli.credentials)}
    done = cli.run("ipgroup", "create", "name=by-token", 'ip_list=[{"ip": "127.0.0.1"}]', "--json", env=env, config=False)
    assert done.returncode == 0, done.stderr
    group = json.loads(done.stdout)
    assert group["name"] == "by-token" and group["ip_list"][0]["ip"] == "127.0.0.1"
    wrong = cli.run("pool", "list", env={**env, "ELBD_TOKEN": "not-a-token"}, config=False)
    assert wrong.returncode == exit_codes.UNAUTHORIZED and wrong.stderr.startswith("elbd: 401")
    nothing = cli.run("pool", "list", env={"ELBD_URL": cli.server.url}, config=False)
    assert nothing.returncode == exit_codes.FAILED and "no project" in nothing.stderr


def test_exit_codes_a_script_can_test(cli: Cli) -> None:
    missing = cli.run("listener", "show", "00000000-0000-0000-0000-000000000000")
    assert missing.returncode == exit_codes.NOT_FOUND and "could not be found" in missing.stderr and missing.stdout == ""
    refused = cli.run("listener", "create", "protocol=HTTP", "protocol_port=99999", "loadbalancer_id=x")
    assert refused.returncode == exit_codes.REFUSED and refused.stderr.startswith("elbd: 400 ELB.")
    assert "Traceback" not in refused.stderr
    assert cli.run("lb", "create", "name").returncode == exit_codes.USAGE  # not FIELD=VALUE
    assert cli.run("member", "list").returncode == exit_codes.USAGE  # no --pool
    unreachable = cli.run("lb", "list", env={"ELBD_URL": f"http://127.0.0.1:{free_port()}"})
    assert unreachable.returncode == exit_codes.UNAVAILABLE and "cannot be reached" in unreachable.stderr


def _site(cli: Cli) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    lb = cli.ok("lb", "create", "name=tree", f"vip_subnet_cidr_id={cli.subnet_id}")
    listener = cli.ok("listener", "create", f"loadbalancer_id={lb['id']}", "protocol=HTTP", "protocol_port=8080", "name=front")
    pool = cli.ok("pool", "create", f"listener_id={listener['id']}", "protocol=HTTP", "lb_algorithm=ROUND_ROBIN", "name=web")
    return lb, listener, pool


def test_lb_status_is_a_tree(cli: Cli) -> None:
    lb, listener, pool = _site(cli)
    monitor = cli.ok("healthmonitor", "create", f"pool_id={pool['id']}", "type=TCP", "delay=5", "timeout=3", "max_retries=3")
    member = cli.ok("member", "create", "--pool", pool["id"], "address=127.200.0.50", "protocol_port=8000", f"subnet_cidr_id={cli.subnet_id}")
    done = cli.run("lb", "status", lb["id"])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"loadbalancer tree ({lb['id']}) ACTIVE/")
    assert lines[1].startswith(f"└── listener front ({listener['id']}) ")
    assert lines[2].startswith(f"    └── pool web ({pool['id']}) ")
    assert lines[3].startswith(f"        ├── healthmonitor TCP ({monitor['id']})")
    assert lines[4].startswith(f"        └── member 127.200.0.50:8000 ({member['id']}) ")
    statuses = cli.ok("lb", "status", lb["id"])
    assert statuses["loadbalancer"]["listeners"][0]["pools"][0]["members"][0]["id"] == member["id"]


def _members(cli: Cli, pool_id: str) -> list[dict[str, Any]]:
    return cli.ok("member", "list", "--pool", pool_id)


def test_member_import_fails_in_the_middle_and_resumes_without_duplicates(cli: Cli, tmp_path: Path) -> None:
    _, _, pool = _site(cli)
    rows = [f"127.200.{1 + number // 200}.{1 + number % 200},8000,{1 + number % 5},m{number},{cli.subnet_id}" for number in range(ROWS)]
    broken = list(rows)
    broken[120] = f"not-an-address,8000,1,bad,{cli.subnet_id}"  # file line 122, in the third chunk of 50
    members_file = tmp_path / "members.csv"
    members_file.write_text("address,protocol_port,weight,name,subnet_cidr_id\n" + "\n".join(broken) + "\n")
    failed = cli.run("member", "import", str(members_file), "--pool", pool["id"])
    assert failed.returncode == exit_codes.PARTIAL, failed.stderr
    assert "rows 102-151 not added" in failed.stderr and "row 122" in failed.stderr and "run the same import again" in failed.stderr
    assert "[" in failed.stderr and "100/250" in failed.stderr  # the progress bar, on stderr
    assert len(_members(cli, pool["id"])) == 100
    members_file.write_text("address,protocol_port,weight,name,subnet_cidr_id\n" + "\n".join(rows) + "\n")
    resumed = cli.run("member", "import", str(members_file), "--pool", pool["id"], "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout) == {"added": 150, "skipped": 100, "failed": None}
    members = _members(cli, pool["id"])
    assert len(members) == ROWS and len({(member["address"], member["protocol_port"]) for member in members}) == ROWS
    again = cli.run("member", "import", str(members_file), "--pool", pool["id"], "--json")
    assert json.loads(again.stdout) == {"added": 0, "skipped": ROWS, "failed": None}


def test_member_import_from_json(cli: Cli, tmp_path: Path) -> None:
    _, _, pool = _site(cli)
    members_file = tmp_path / "members.json"
    members_file.write_text(json.dumps([{"address": f"127.200.9.{host}", "protocol_port": 80, "subnet_cidr_id": cli.subnet_id} for host in range(1, 6)]))
    done = cli.run("member", "import", str(members_file), "--pool", pool["id"], "--chunk-size", "2", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["added"] == 5 and sorted(member["address"] for member in _members(cli, pool["id"])) == [f"127.200.9.{host}" for host in range(1, 6)]
    members_file.write_text(json.dumps([{"address": "127.200.9.7", "port": 80}]))
    assert cli.run("member", "import", str(members_file), "--pool", pool["id"]).returncode == exit_codes.USAGE
