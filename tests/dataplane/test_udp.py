"""UDP listeners on real traffic through nginx's stream module: weights, SOURCE_IP, UDP_CONNECT checks
taking a closed port out and putting it back, a whitelist, member changes, a killed engine.

One elbd serve and one load balancer for the module; backends are UDP echo servers on loopback."""

import os
import signal
import socket
import stat
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from elbd.dataplane.nginx import NginxProcess
from elbd.dataplane.process_identity import ProcessIdentity
from elbd.udp_engine import nginx_binary, udp_engine_missing
from tests.dataplane.conftest import SUBNET, VIP, SharedLoadBalancer, project_api, running_elbd, wait_for
from tests.ports import free_port_on
from tests.dataplane.udp_backend import UdpEcho, ask, udp_echoes

pytestmark = pytest.mark.skipif(udp_engine_missing() is not None, reason="needs nginx and its stream module (make bench-tools)")


class Shared:
    def __init__(self, server: Any, lb: SharedLoadBalancer) -> None:
        self.server, self.lb = server, lb

    @property
    def api(self) -> Any:
        return self.lb.api

    def process(self) -> NginxProcess:
        return NginxProcess(self.server.data_dir / "nginx" / self.lb.lb["id"], nginx_binary() or "nginx")

    def listener(self, algorithm: str = "ROUND_ROBIN", **pool: Any) -> tuple[dict[str, Any], dict[str, Any], int]:
        port = free_port_on(VIP)
        listener = self.api.listener(self.lb.lb["id"], protocol="UDP", port=port)
        made = self.api.pool(protocol="UDP", algorithm=algorithm, listener_id=listener["id"], **pool)
        return listener, made, port

    def add(self, pool: dict[str, Any], echo: UdpEcho, weight: int = 1) -> dict[str, Any]:
        body = {"address": echo.address, "protocol_port": echo.port, "weight": weight, "subnet_cidr_id": self.lb.subnet["neutron_subnet_id"]}
        return self.api.member(pool["id"], **body)["member"]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    with running_elbd(tmp_path_factory.mktemp("udp") / "data") as server, project_api(server) as api:
        subnet = api.subnet(api.vpc()["id"], SUBNET)
        yield Shared(server, SharedLoadBalancer(api, subnet, api.load_balancer(subnet, vip_address=VIP)))


def answers(port: int, count: int, source: str | None = None) -> Counter[str | None]:
    return Counter(ask(VIP, port, source) for _ in range(count))


def test_datagrams_reach_members_by_weight(shared: Shared) -> None:
    _listener, pool, port = shared.listener()
    with udp_echoes(("light", "127.20.0.40"), ("heavy", "127.20.0.41")) as (light, heavy):
        shared.add(pool, light, weight=1)
        shared.add(pool, heavy, weight=3)
        wait_for(lambda: ask(VIP, port) is not None)
        seen = answers(port, 200)
    assert seen[None] == 0
    assert seen["light"] > 20 and seen["heavy"] > 2 * seen["light"], seen


def test_source_ip_keeps_a_client_on_one_member(shared: Shared) -> None:
    _listener, pool, port = shared.listener(algorithm="SOURCE_IP")
    with udp_echoes(("a", "127.20.0.42"), ("b", "127.20.0.43"), ("c", "127.20.0.44")) as echoes:
        for echo in echoes:
            shared.add(pool, echo)
        wait_for(lambda: ask(VIP, port) is not None)
        chosen = {source: answers(port, 10, source=source) for source in ("127.31.0.1", "127.31.0.2", "127.31.0.3", "127.31.0.4")}
    assert all(len(seen) == 1 and None not in seen for seen in chosen.values()), chosen


def test_a_closed_member_goes_offline_stops_receiving_and_comes_back(shared: Shared) -> None:
    _listener, pool, port = shared.listener()
    shared.api.monitor(pool["id"], "UDP_CONNECT", delay=1, timeout=1, max_retries=1, max_retries_down=1)
    with udp_echoes(("steady", "127.20.0.45")) as (steady,):
        flaky = UdpEcho("flaky", "127.20.0.46")
        shared.add(pool, steady)
        member = shared.add(pool, flaky)
        path = f"pools/{pool['id']}/members/{member['id']}"
        wait_for(lambda: shared.api.ok("GET", path)["member"]["operating_status"] == "ONLINE", timeout_s=15)
        flaky_port = flaky.port
        flaky.stop()
        offline = wait_for(lambda: (m := shared.api.ok("GET", path)["member"])["operating_status"] == "OFFLINE" and m, timeout_s=15)
        assert offline["reason"]["reason_code"] == "CONNECT_REFUSED"
        assert offline["status"][0]["operating_status"] == "OFFLINE"
        wait_for(lambda: answers(port, 10) == Counter({"steady": 10}), timeout_s=10)
        back = UdpEcho("flaky", "127.20.0.46", flaky_port)
        try:
            wait_for(lambda: shared.api.ok("GET", path)["member"]["operating_status"] == "ONLINE", timeout_s=15)
            wait_for(lambda: "flaky" in answers(port, 20), timeout_s=10)
        finally:
            back.stop()


def test_a_whitelist_drops_datagrams_from_other_sources(shared: Shared) -> None:
    listener, pool, port = shared.listener()
    group = shared.api.ok("POST", "ipgroups", {"ipgroup": {"ip_list": [{"ip": "127.32.0.5"}]}})["ipgroup"]
    with udp_echoes(("only", "127.20.0.47")) as (only,):
        shared.add(pool, only)
        wait_for(lambda: ask(VIP, port, source="127.32.0.6") == "only")
        shared.api.ok("PUT", f"listeners/{listener['id']}", {"listener": {"ipgroup": {"ipgroup_id": group["id"], "type": "white"}}}, status=200)
        wait_for(lambda: ask(VIP, port, source="127.32.0.6", timeout_s=0.3) is None)
        assert ask(VIP, port, source="127.32.0.5") == "only"
        assert ask(VIP, port, source="127.32.0.6", timeout_s=0.5) is None
        # new entries: nginx's allow list is not an HAProxy access list, so the load balancer is rebuilt whole
        shared.api.ok("PUT", f"ipgroups/{group['id']}", {"ipgroup": {"ip_list": [{"ip": "127.32.0.6"}]}})
        wait_for(lambda: ask(VIP, port, source="127.32.0.6", timeout_s=0.3) == "only")
        assert ask(VIP, port, source="127.32.0.5", timeout_s=0.5) is None


def test_a_member_change_reaches_traffic(shared: Shared) -> None:
    _listener, pool, port = shared.listener()
    with udp_echoes(("first", "127.20.0.48"), ("second", "127.20.0.49")) as (first, second):
        shared.add(pool, first)
        wait_for(lambda: ask(VIP, port) == "first")
        added = shared.add(pool, second)
        wait_for(lambda: "second" in answers(port, 10))
        path = f"pools/{pool['id']}/members/{added['id']}"
        shared.api.ok("PUT", path, {"member": {"weight": 0}})
        wait_for(lambda: answers(port, 10) == Counter({"first": 10}))
        shared.api.ok("PUT", path, {"member": {"weight": 1}})
        wait_for(lambda: "second" in answers(port, 10))
        shared.api.ok("DELETE", path, status=204)
        assert answers(port, 20) == Counter({"first": 20})  # the DELETE answered once nginx stopped sending to it


def test_a_listener_whose_port_is_taken_shows_in_statuses_and_the_others_keep_serving(shared: Shared) -> None:
    """A new listener's port held by another program: it is left out (nginx would refuse the whole
    reload), the listeners served keep serving, the load balancer's status says why (without paths), and
    once the port is free it is served."""
    served, pool, port = shared.listener()
    with udp_echoes(("before", "127.20.0.52")) as (before,):
        shared.add(pool, before)
        wait_for(lambda: ask(VIP, port) == "before")
        taken = free_port_on(VIP)
        holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        holder.bind((VIP, taken))
        try:
            blocked = shared.api.listener(shared.lb.lb["id"], protocol="UDP", port=taken)
            path = f"loadbalancers/{shared.lb.lb['id']}/statuses"
            status = wait_for(lambda: (d := shared.api.ok("GET", path)["statuses"]["loadbalancer"]["dataplane"] or {}).get("state") == "ERROR" and d)
            assert f"cannot bind {VIP}:{taken}" in status["message"] and "/tmp" not in status["message"]
            assert ask(VIP, port) == "before"
            listeners = {one["id"]: one["operating_status"] for one in shared.api.ok("GET", path)["statuses"]["loadbalancer"]["listeners"]}
            assert listeners[blocked["id"]] == "OFFLINE" and listeners[served["id"]] == "ONLINE"
        finally:
            holder.close()
        wait_for(lambda: (shared.api.ok("GET", path)["statuses"]["loadbalancer"]["dataplane"] or {}).get("state") == "ACTIVE", timeout_s=20)
        shared.api.ok("DELETE", f"listeners/{blocked['id']}")
        assert ask(VIP, port) == "before"


def test_a_killed_engine_comes_back_without_its_orphaned_workers(shared: Shared) -> None:
    """Its master killed, nginx's worker keeps its sockets: it is stopped before a new master starts."""
    _listener, pool, port = shared.listener()
    with udp_echoes(("survivor", "127.20.0.50")) as (survivor,):
        shared.add(pool, survivor)
        wait_for(lambda: ask(VIP, port) == "survivor")
        process = shared.process()
        master = process.master_pid()
        assert master is not None
        orphans = process.workers(master)
        os.kill(master, signal.SIGKILL)
        wait_for(lambda: process.master_pid() not in (None, master), timeout_s=15)
        wait_for(lambda: not any(ProcessIdentity.of(pid) for pid in orphans), timeout_s=5)
        wait_for(lambda: ask(VIP, port) == "survivor", timeout_s=10)


def test_a_restarted_elbd_adopts_the_engine_without_a_reload(tmp_path: Path) -> None:
    with udp_echoes(("kept", "127.21.0.51")) as (kept,):
        with running_elbd(tmp_path / "data") as server:
            with project_api(server) as api:
                subnet = api.subnet(api.vpc()["id"], "127.21.0.0/24")
                lb = api.load_balancer(subnet, vip_address="127.21.0.2")
                port = free_port_on("127.21.0.2")
                listener = api.listener(lb["id"], protocol="UDP", port=port)
                pool = api.pool(protocol="UDP", listener_id=listener["id"])
                api.member(pool["id"], address=kept.address, protocol_port=kept.port, subnet_cidr_id=subnet["neutron_subnet_id"])
                wait_for(lambda: ask("127.21.0.2", port) == "kept")
                process = NginxProcess(server.data_dir / "nginx" / lb["id"], nginx_binary() or "nginx")
                modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in (process.run_dir, *process.run_dir.iterdir())}
                assert all(mode & 0o077 == 0 for mode in modes.values()), modes  # the owner's only, as HAProxy's files
                master = process.master_pid()
                workers = process.workers(master)
                server.stop()
                assert ask("127.21.0.2", port) == "kept"  # it outlives elbd
                server.start()
                statuses = wait_for(lambda: api.ok("GET", f"loadbalancers/{lb['id']}/statuses")["statuses"]["loadbalancer"]["listeners"])
                assert statuses[0]["operating_status"] == "ONLINE"
                wait_for(lambda: ask("127.21.0.2", port) == "kept")
                assert process.master_pid() == master and process.workers(master) == workers  # no reload
