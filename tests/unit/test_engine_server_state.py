"""The HAProxy engine hands every start and reload the server-state file of server_state.py before the
process reads its configuration: a checked member that has not passed is DOWN from the process's first
instant (a `health down` sent after the start comes too late). Played on a stand-in process that
records what the engine does to it, in order: no HAProxy runs."""

from ipaddress import ip_address
from pathlib import Path

import pytest

from elbd.dataplane import haproxy_engine
from elbd.dataplane.haproxy_engine import HaproxyEngine
from elbd.dataplane.model import Backend, HealthCheck, LoadBalancerConfig, Server
from elbd.dataplane.plan import Reload, Start
from elbd.dataplane.server_state import state_file

CHECK = HealthCheck("HTTP", 2, 1, rise=2, fall=3)
CONFIG = LoadBalancerConfig(
    "lb-1",
    4000,
    backends=(
        Backend(
            "p-1",
            "http",
            "roundrobin",
            check=CHECK,
            servers=(Server("passed", ip_address("127.20.0.10"), 80, 1), Server("new", ip_address("127.20.0.11"), 80, 1)),
        ),
        Backend("p-2", "tcp", "roundrobin", servers=(Server("unchecked", ip_address("127.20.0.12"), 80, 1),)),
    ),
)
LIVE = "1\n# header\n3 p-1 1 passed 127.20.0.10 2 0 1 1 12 15 3 4 6 0 0 0 - 80 - 0 0 - - 0\n"


class RecordingProcess:
    """Stands in for HaproxyProcess: accepts every configuration and records the engine's calls."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.socket_dir = run_dir / "sockets"
        self.config = run_dir / "haproxy.cfg"
        self.calls: list[tuple[str, str]] = []

    def validate(self, text: str) -> str | None:
        return None

    def write_config(self, text: str) -> None:
        self.calls.append(("write_config", ""))

    def write_server_state(self, text: str) -> None:
        self.calls.append(("write_server_state", text))

    def start(self) -> None:
        self.calls.append(("start", ""))

    def stop_others(self) -> int:
        return 0

    def live_server_state(self, backends: set[str] | None = None) -> str:
        assert backends == {"p-1"}  # only checked backends carry health over
        return LIVE

    def reload(self, server_state: str) -> None:
        self.calls.append(("reload", server_state))


@pytest.fixture
def process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RecordingProcess:
    recording = RecordingProcess(tmp_path)
    monkeypatch.setattr(haproxy_engine, "process_for", lambda *_args, **_kwargs: recording)
    return recording


def test_a_start_writes_the_server_state_before_the_process_starts(tmp_path: Path, process: RecordingProcess) -> None:
    HaproxyEngine(tmp_path).carry_out("lb-1", Start(CONFIG), {"passed": True}, {})
    assert [name for name, _ in process.calls] == ["write_config", "write_server_state", "start"]
    written = process.calls[1][1]
    assert written == state_file(CONFIG, {"passed": True})
    rows = {row.split()[3]: row.split() for row in written.splitlines()[2:]}
    assert rows["new"][5] == "0" and rows["passed"][5] == "2"  # srv_op_state: STOPPED until it passes
    assert "unchecked" not in rows


def test_a_start_with_nothing_passed_holds_every_checked_server_down(tmp_path: Path, process: RecordingProcess) -> None:
    HaproxyEngine(tmp_path).carry_out("lb-1", Start(CONFIG), {}, {})
    written = next(text for name, text in process.calls if name == "write_server_state")
    assert [row.split()[5] for row in written.splitlines()[2:]] == ["0", "0"]


def test_a_reload_carries_live_health_over_and_holds_a_new_server_down(tmp_path: Path, process: RecordingProcess) -> None:
    HaproxyEngine(tmp_path).carry_out("lb-1", Reload(CONFIG), {}, {})
    assert process.calls[-1] == ("reload", state_file(CONFIG, {}, LIVE))
    rows = {row.split()[3]: row.split() for row in process.calls[-1][1].splitlines()[2:]}
    assert rows["passed"][5] == "2" and rows["new"][5] == "0"
