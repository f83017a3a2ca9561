"""Traffic outlives the control plane; member changes, a killed HAProxy and a failed reload cost no request."""

import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from elbd.dataplane.haproxy_engine import process_for
from tests.conftest import LiveServer
from tests.dataplane.conftest import VIP, Site, fetch, settled_master, wait_for
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on

LOAD_LIMIT_S = 60.0


@dataclass
class Load:
    """Requests sent back to back through the VIP until stopped (or LOAD_LIMIT_S passed)."""

    ok: int = 0
    failures: list[str] = field(default_factory=list)


@contextmanager
def steady_load(port: int) -> Iterator[Load]:
    load = Load()
    stop = threading.Event()

    def run() -> None:
        deadline = time.monotonic() + LOAD_LIMIT_S
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                status, _ = fetch(port)
                if status == 200:
                    load.ok += 1
                else:
                    load.failures.append(f"HTTP {status}")
            except OSError as error:
                load.failures.append(repr(error))

    worker = threading.Thread(target=run)
    worker.start()
    try:
        yield load
    finally:
        stop.set()
        worker.join(timeout=LOAD_LIMIT_S)


def _serving(site: Site, names: set[str]) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return {fetch(site.port)[1] for _ in range(8)} == names
        except OSError:
            return False

    return check


def _masters(server: LiveServer, load_balancer_id: str) -> list[int]:
    config = str(process_for(server.data_dir, load_balancer_id).config)
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                arguments = cmdline.read().split(b"\0")
            with open(f"/proc/{pid}/stat") as stat:
                zombie = stat.read().split(")")[-1].split()[0] == "Z"
        except OSError:
            continue
        if not zombie and config.encode() in arguments and b"-sf" not in arguments:
            found.append(int(pid))
    return found


def test_traffic_survives_killing_and_restarting_elbd(site: Site, backends: Callable[..., FakeBackend], elbd_haproxy: LiveServer) -> None:
    site.add(backends("a"))
    site.add(backends("b"))
    wait_for(_serving(site, {"a", "b"}))
    process = process_for(elbd_haproxy.data_dir, site.lb["id"])
    before = settled_master(process)
    with steady_load(site.port) as load:
        time.sleep(0.5)
        elbd_haproxy.kill()
        time.sleep(1.0)
        elbd_haproxy.start()
        time.sleep(1.5)
    assert load.failures == [] and load.ok > 0
    after = settled_master(process)
    assert (after.pid, after.reloads) == (before.pid, before.reloads), "adopting the running HAProxy must not reload it"
    assert _masters(elbd_haproxy, site.lb["id"]) == [before.pid]


def test_member_changes_under_load_fail_no_request(site: Site, backends: Callable[..., FakeBackend]) -> None:
    a, b = backends("a"), backends("b")
    first = site.add(a)
    wait_for(_serving(site, {"a"}))
    with steady_load(site.port) as load:
        second = site.add(b, weight=3)
        wait_for(lambda: b.served > 0)
        site.api.ok("PUT", f"pools/{site.pool['id']}/members/{second['id']}", {"member": {"weight": 0}})
        time.sleep(0.3)  # requests sent before the change may still be running on b
        served_before = {"a": a.served, "b": b.served}
        time.sleep(0.5)
        served_during = {"a": a.served - served_before["a"], "b": b.served - served_before["b"]}
        assert served_during["a"] > 0 and served_during["b"] == 0, f"requests per member while b had weight 0: {served_during}"
        site.api.ok("PUT", f"pools/{site.pool['id']}/members/{second['id']}", {"member": {"weight": 5}})
        wait_for(lambda: b.served > served_before["b"])
        site.api.ok("DELETE", f"pools/{site.pool['id']}/members/{first['id']}")
        time.sleep(0.3)
        site.add(backends("c"))
        time.sleep(0.3)
    assert load.failures == [] and load.ok > 20
    wait_for(_serving(site, {"b", "c"}))


def test_a_killed_haproxy_is_back_within_two_seconds(site: Site, backends: Callable[..., FakeBackend], elbd_haproxy: LiveServer) -> None:
    site.add(backends("a"))
    wait_for(_serving(site, {"a"}))
    process = process_for(elbd_haproxy.data_dir, site.lb["id"])
    settled_master(process)
    config = str(process.config).encode()
    victims = [int(pid) for pid in filter(str.isdigit, os.listdir("/proc")) if _cmdline_has(pid, config)]
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    wait_for(_serving(site, {"a"}), timeout_s=5, interval_s=0.02)
    assert time.monotonic() - killed < 2.0


def test_deleting_the_load_balancer_stops_its_haproxy(site: Site, backends: Callable[..., FakeBackend], elbd_haproxy: LiveServer) -> None:
    member = site.add(backends("a"))
    wait_for(_serving(site, {"a"}))
    process = process_for(elbd_haproxy.data_dir, site.lb["id"])
    pool = site.pool["id"]
    site.api.ok("DELETE", f"pools/{pool}/members/{member['id']}")
    site.api.ok("DELETE", f"listeners/{site.listener['id']}")
    site.api.ok("DELETE", f"pools/{pool}")
    site.api.ok("DELETE", f"loadbalancers/{site.lb['id']}")
    wait_for(lambda: not process.run_dir.exists() and not process.socket_dir.exists())
    assert _masters(elbd_haproxy, site.lb["id"]) == []


def test_cascade_delete_of_the_load_balancer_leaves_no_haproxy_or_file(site: Site, backends: Callable[..., FakeBackend], elbd_haproxy: LiveServer) -> None:
    """One request deletes the members, the monitor, the policy, the listeners, the pools and the load
    balancer: its HAProxy stops, its files and sockets go, and the VIP's ports answer no more."""
    site.add(backends("a"))
    site.api.monitor(site.pool["id"], "TCP")
    second = site.api.listener(site.lb["id"], protocol="TCP", port=free_port_on(VIP))
    site.api.pool(protocol="TCP", listener_id=second["id"])
    policy_pool = site.api.pool(loadbalancer_id=site.lb["id"])
    rule = {"type": "PATH", "compare_type": "STARTS_WITH", "value": "/api"}
    site.api.ok("POST", "l7policies", {"l7policy": {"listener_id": site.listener["id"], "action": "REDIRECT_TO_POOL", "redirect_pool_id": policy_pool["id"], "rules": [rule]}})
    wait_for(_serving(site, {"a"}))
    process = process_for(elbd_haproxy.data_dir, site.lb["id"])
    site.api.ok("POST", f"loadbalancers/{site.lb['id']}/delete-cascade", status=204)
    for port in (site.port, second["protocol_port"]):  # the answer waits until the data plane let go
        with socket.socket() as probe:
            probe.settimeout(2)
            assert probe.connect_ex((VIP, port)) != 0
    wait_for(lambda: not process.run_dir.exists() and not process.socket_dir.exists())
    assert _masters(elbd_haproxy, site.lb["id"]) == []


def test_force_deleting_a_listener_closes_its_port_and_keeps_the_others(site: Site, backends: Callable[..., FakeBackend]) -> None:
    site.add(backends("a"))
    other = site.api.listener(site.lb["id"], protocol="TCP", port=free_port_on(VIP))
    pool = site.api.pool(protocol="TCP", listener_id=other["id"])
    second = backends("b")
    site.api.member(pool["id"], address=second.address, protocol_port=second.port, subnet_cidr_id=site.subnet["neutron_subnet_id"])
    wait_for(_serving(site, {"a"}))
    wait_for(_serving(Site(site.api, site.subnet, site.lb, other, pool, other["protocol_port"]), {"b"}))
    site.api.ok("DELETE", f"listeners/{other['id']}/force")
    with socket.socket() as probe:  # the answer waits until the data plane let go
        probe.settimeout(2)
        assert probe.connect_ex((VIP, other["protocol_port"])) != 0
    assert _serving(site, {"a"})()


def test_a_listener_on_a_taken_port_is_left_out_reported_and_served_once_free(site: Site, backends: Callable[..., FakeBackend]) -> None:
    site.add(backends("a"))
    wait_for(_serving(site, {"a"}))
    taken_port = free_port_on(VIP)
    with socket.socket() as squatter:
        squatter.bind((VIP, taken_port))
        squatter.listen()
        listener = site.api.listener(site.lb["id"], protocol="TCP", port=taken_port)
        tree = wait_for(lambda: _failed_status(site))
        assert tree["dataplane"]["message"] == (
            f"listener {listener['id']} cannot bind {VIP}:{taken_port}: Address already in use; the other listeners are served"
        )
        assert _serving(site, {"a"})()
    site.api.ok("PUT", f"listeners/{listener['id']}", {"listener": {"name": "retry"}})
    wait_for(lambda: _status_tree(site)["provisioning_status"] == "ACTIVE")


def _status_tree(site: Site) -> dict:
    return site.api.ok("GET", f"loadbalancers/{site.lb['id']}/statuses")["statuses"]["loadbalancer"]


def _failed_status(site: Site) -> dict | None:
    tree = _status_tree(site)
    return tree if tree["provisioning_status"] == "ERROR" else None


def _cmdline_has(pid: str, needle: bytes) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return needle in cmdline.read()
    except OSError:
        return False


def test_elbd_dataplane_stop_stops_what_serve_left_running(site: Site, backends: Callable[..., FakeBackend], elbd_haproxy: LiveServer) -> None:
    site.add(backends("a"))
    wait_for(_serving(site, {"a"}))
    with pytest.raises(subprocess.CalledProcessError) as refused:
        elbd_haproxy.elbd("dataplane", "stop")  # serve would start it again within seconds
    assert "stop elbd serve first" in refused.value.stderr and refused.value.stdout == ""
    assert _serving(site, {"a"})(), "a refused stop stops nothing"
    elbd_haproxy.stop()
    assert _serving(site, {"a"})(), "HAProxy outlives elbd serve"
    assert json.loads(elbd_haproxy.elbd("dataplane", "stop")) == {"stopped": 1, "stopped_udp": 0}
    assert _masters(elbd_haproxy, site.lb["id"]) == []


def test_a_burst_of_member_adds_reaches_the_config_file_and_survives_a_killed_haproxy(
    site: Site, backends: Callable[..., FakeBackend], elbd_haproxy: LiveServer
) -> None:
    site.add(backends("first"))
    wait_for(_serving(site, {"first"}))
    names = [f"b{number}" for number in range(6)]
    started = [backends(name) for name in names]
    with ThreadPoolExecutor(max_workers=len(started)) as pool:
        added = list(pool.map(site.add, started))
    wait_for(_serving(site, {"first", *names}))
    process = process_for(elbd_haproxy.data_dir, site.lb["id"])
    wait_for(lambda: all(member["id"] in process.config.read_text() for member in added), timeout_s=5)
    before = settled_master(process)
    config = str(process.config).encode()
    running = [int(pid) for pid in filter(str.isdigit, os.listdir("/proc")) if _cmdline_has(pid, config)]
    assert before.pid in running
    for pid in running:
        os.kill(pid, signal.SIGKILL)
    restarted = wait_for(lambda: (pid := process.master_pid()) is not None and pid != before.pid and pid, timeout_s=10)
    wait_for(_serving(site, {"first", *names}), timeout_s=10, interval_s=0.05)
    assert process.master_pid() == restarted, "the HAProxy serving them is the restarted one, built from the config file"


def _agent_of(server: LiveServer) -> int | None:
    """The data-plane agent: the child process `elbd serve` spawned (not multiprocessing's resource tracker)."""
    assert server.process is not None
    pid = server.process.pid
    for children in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{children}/children") as listed:
            for child in listed.read().split():
                if _cmdline_has(child, b"--multiprocessing-fork") and _alive(int(child)):
                    return int(child)
    return None


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_the_agent_process_does_not_outlive_a_killed_elbd_serve(site: Site, elbd_haproxy: LiveServer) -> None:
    agent = wait_for(lambda: _agent_of(elbd_haproxy))
    elbd_haproxy.kill()
    wait_for(lambda: not _alive(agent), timeout_s=5)


def test_a_killed_agent_process_is_started_again_and_applies_what_it_missed(
    site: Site, backends: Callable[..., FakeBackend], elbd_haproxy: LiveServer
) -> None:
    site.add(backends("a"))
    wait_for(_serving(site, {"a"}))
    killed = wait_for(lambda: _agent_of(elbd_haproxy))
    os.kill(killed, signal.SIGKILL)
    site.add(backends("b"))  # told while no agent runs: the next one finds it when it reconciles
    wait_for(lambda: _agent_of(elbd_haproxy) not in (None, killed))
    wait_for(_serving(site, {"a", "b"}))
