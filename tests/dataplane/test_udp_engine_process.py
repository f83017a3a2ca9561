"""The UDP engine against a real nginx, without elbd serve: a configuration nginx refuses leaves the
previous one serving and its file in place; retiring stops the process and its workers."""

from collections.abc import Iterator
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest

from elbd.dataplane import nginx_engine
from elbd.dataplane.engine import EngineError
from elbd.dataplane.nginx_engine import NginxEngine
from elbd.dataplane.process_identity import ProcessIdentity
from elbd.dataplane.udp_model import UdpConfig, UdpListener, UdpMember, UdpPool
from elbd.udp_engine import nginx_binary, udp_engine_missing
from tests.dataplane.conftest import wait_for
from tests.ports import free_port_on
from tests.dataplane.udp_backend import ask, udp_echoes

pytestmark = pytest.mark.skipif(udp_engine_missing() is not None, reason="needs nginx and its stream module (make bench-tools)")
VIP = "127.23.0.2"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[NginxEngine]:
    made = NginxEngine(tmp_path / "data", nginx_binary())
    yield made
    nginx_engine.stop_all(tmp_path / "data")


def config(port: int, address: str, member_port: int) -> UdpConfig:
    member = UdpMember("m-1", ip_address(address), member_port, 1)
    return UdpConfig((UdpListener("l-1", (ip_address(VIP),), port, "p-1"),), (UdpPool("p-1", "round_robin", (member,)),))


def test_a_refused_configuration_leaves_the_previous_one_serving(engine: NginxEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port_on(VIP)
    with udp_echoes(("first", "127.23.0.10")) as (first,):
        engine.converge("lb-1", config(port, first.address, first.port), {})
        wait_for(lambda: ask(VIP, port) == "first")
        process = engine.process("lb-1")
        working, master = process.applied(), process.master_pid()
        rendered = nginx_engine.render

        def broken(*args: Any) -> str:
            return rendered(*args) + "this-is-no-directive;\n"

        monkeypatch.setattr(nginx_engine, "render", broken)
        with pytest.raises(EngineError, match="this-is-no-directive"):
            engine.converge("lb-1", config(port + 1, first.address, first.port), {})
        assert process.applied() == working and process.master_pid() == master
        assert ask(VIP, port) == "first"


def test_retiring_stops_the_master_and_its_workers(engine: NginxEngine) -> None:
    port = free_port_on(VIP)
    with udp_echoes(("only", "127.23.0.11")) as (only,):
        engine.converge("lb-2", config(port, only.address, only.port), {})
        process = engine.process("lb-2")
        master = process.master_pid()
        assert master is not None
        workers = process.workers(master)
        engine.retire("lb-2")
        assert not any(ProcessIdentity.of(pid) for pid in (master, *workers))
        assert not process.run_dir.exists()
        assert ask(VIP, port, timeout_s=0.3) is None
