"""Listeners' access control by IP address groups, on real traffic: a whitelist admits only its entries
(addresses, CIDRs, ranges), a blacklist refuses them; a change of a group's entries reaches new
connections with no reload (the master and its reload count stay), as soon as the API answers;
enable_ipgroup false stops enforcing; TCP, HTTPS and TLS listeners refuse too (before a TLS handshake);
and a restarted elbd adopts the process without a reload.

Clients bind their own 127.0.0.0/8 source address. One elbd serve and one load balancer for the module."""

import http.client
import socket
import ssl
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from elbd.dataplane.haproxy import HaproxyProcess
from elbd.dataplane.haproxy_answers import parse_map_files, parse_map_keys
from elbd.dataplane.haproxy_engine import process_for
from elbd.dataplane.runtime_commands import ShowMap
from tests.conftest import LiveServer
from tests.dataplane.conftest import (
    SUBNET,
    VIP,
    SharedLoadBalancer,
    Site,
    fetch,
    listener_site,
    project_api,
    running_elbd,
    settled_master,
    wait_for,
)
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on
from tests.dataplane.test_tls_listeners import client_context, server_certificate

ALLOWED = ["127.30.0.5", "127.30.1.0/24", "127.30.2.10-127.30.2.20"]


class Shared:
    def __init__(self, server: LiveServer, lb: SharedLoadBalancer) -> None:
        self.server, self.lb = server, lb

    @property
    def process(self) -> HaproxyProcess:
        return process_for(self.server.data_dir, self.lb.lb["id"])


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    with running_elbd(tmp_path_factory.mktemp("ipgroups") / "data") as server, project_api(server) as api:
        subnet = api.subnet(api.vpc()["id"], SUBNET)
        yield Shared(server, SharedLoadBalancer(api, subnet, api.load_balancer(subnet, vip_address=VIP)))


def looked_up(process: HaproxyProcess, path: str, source: str) -> str:
    """HAProxy's own lookup of `source` in a running map (`get map`, which elbd itself never sends)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(10)
        connection.connect(str(process.stats_socket))
        connection.sendall(f"get map {path} {source}\n".encode())
        return connection.makefile("rb").read().decode()


def admitted(site: Site, source: str) -> bool:
    """Whether a request from `source` on a new connection gets its answer (a refused one is closed at once)."""
    try:
        return fetch(site.port, source=source)[0] == 200
    except (ConnectionError, http.client.RemoteDisconnected, OSError):
        return False


def group(shared: Shared, ips: list[str]) -> dict[str, Any]:
    return shared.lb.api.ok("POST", "ipgroups", {"ipgroup": {"ip_list": [{"ip": ip} for ip in ips]}})["ipgroup"]


def guarded(shared: Shared, backends: Callable[..., FakeBackend], ipgroup: dict[str, Any], admits: str, protocol: str = "HTTP") -> Site:
    """A listener with this access control and a member, once a request from `admits` gets through."""
    site = listener_site(shared.lb, protocol=protocol, ipgroup=ipgroup)
    site.add(backends("a"))
    wait_for(lambda: admitted(site, admits))
    return site


def test_a_whitelist_admits_only_its_addresses_cidrs_and_ranges(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    site = guarded(shared, backends, {"ipgroup_id": group(shared, ALLOWED)["id"]}, "127.30.0.5")
    for source in ("127.30.0.5", "127.30.1.1", "127.30.1.254", "127.30.2.10", "127.30.2.15", "127.30.2.20"):
        assert admitted(site, source), source
    for source in ("127.30.0.6", "127.30.2.9", "127.30.2.21", "127.30.3.1", "127.0.0.1"):
        assert not admitted(site, source), source


def test_a_blacklist_refuses_its_addresses_and_admits_the_others(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    site = guarded(shared, backends, {"ipgroup_id": group(shared, ALLOWED)["id"], "type": "black"}, "127.0.0.1")
    for source in ("127.30.0.5", "127.30.1.77", "127.30.2.12"):
        assert not admitted(site, source), source
    for source in ("127.30.0.6", "127.30.2.21", "127.0.0.1"):
        assert admitted(site, source), source


def test_several_groups_are_merged_and_ipv6_entries_reach_the_list(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    first, second = group(shared, ["127.31.0.1"]), group(shared, ["127.31.0.2", "::1", "fd00::/8"])
    site = guarded(shared, backends, {"ipgroup_id": f"{first['id']},{second['id']}"}, "127.31.0.1")
    assert admitted(site, "127.31.0.1") and admitted(site, "127.31.0.2") and not admitted(site, "127.31.0.3")
    path = str(shared.process.run_dir / "access" / f"{site.listener['id']}.map")
    assert path in parse_map_files(shared.process.runtime(ShowMap()))  # how a restarted elbd finds the lists
    assert set(parse_map_keys(shared.process.runtime(ShowMap(path)))) == {"127.31.0.1/32", "127.31.0.2/32", "::1/128", "fd00::/8"}
    # IPv6 clients cannot be tested on traffic here (no IPv6 VIP is in the tests' address plan), so HAProxy
    # is asked to look addresses up in the running list, with the lookup the listener's rule uses
    for source, listed in (("::1", True), ("fd00::5", True), ("fdff::5", True), ("fc00::5", False), ("::2", False), ("127.31.0.3", False)):
        assert ("found=yes" in looked_up(shared.process, path, source)) is listed, source
    shown = shared.lb.api.ok("GET", f"listeners/{site.listener['id']}")["listener"]["ipgroup"]
    assert shown == {"ipgroup_id": f"{first['id']},{second['id']}", "enable_ipgroup": True, "type": "white"}


def test_an_empty_whitelist_admits_no_one_and_an_empty_blacklist_everyone(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    made = group(shared, ["127.36.0.1"])
    white = guarded(shared, backends, {"ipgroup_id": made["id"]}, "127.36.0.1")
    black = guarded(shared, backends, {"ipgroup_id": made["id"], "type": "black"}, "127.36.0.2")
    assert not admitted(black, "127.36.0.1")
    shared.lb.api.ok("PUT", f"ipgroups/{made['id']}", {"ipgroup": {"ip_list": []}})
    assert not admitted(white, "127.36.0.1") and not admitted(white, "127.0.0.1")
    assert admitted(black, "127.36.0.1") and admitted(black, "127.0.0.1")


def test_a_change_of_entries_reaches_new_connections_without_a_reload(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    api = shared.lb.api
    made = group(shared, ["127.32.0.1"])
    site = guarded(shared, backends, {"ipgroup_id": made["id"]}, "127.32.0.1")
    before = settled_master(shared.process)
    api.ok("POST", f"ipgroups/{made['id']}/iplist/create-or-update", {"ipgroup": {"ip_list": [{"ip": "127.32.0.2"}]}}, status=200)
    assert admitted(site, "127.32.0.2") and admitted(site, "127.32.0.1")  # the answer waited for the data plane
    api.ok("POST", f"ipgroups/{made['id']}/iplist/batch-delete", {"ipgroup": {"ip_list": [{"ip": "127.32.0.1"}]}}, status=200)
    assert not admitted(site, "127.32.0.1") and admitted(site, "127.32.0.2")
    api.ok("PUT", f"ipgroups/{made['id']}", {"ipgroup": {"ip_list": [{"ip": "127.32.1.0-127.32.1.3"}]}})
    assert admitted(site, "127.32.1.3") and not admitted(site, "127.32.0.2")
    assert settled_master(shared.process) == before  # same master, no reload
    written = (shared.process.run_dir / "access" / f"{site.listener['id']}.map").read_text()
    assert written == "127.32.1.0/30 1\n"  # a later start or reload loads the same list


def test_a_list_longer_than_one_payload_arrives_whole(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    """1,200 entries (past the group quota, lifted here): about 18 kB of payload, more than HAProxy's
    buffer holds, which would have added nothing without a word; they go in payloads that fit. The
    address that admits the client is the last, and HAProxy's count says nothing was dropped."""
    shared.server.elbd("quota", "set", shared.lb.api.project_id, "ipgroup_max_length", "-1")
    made = group(shared, ["127.38.0.1"])
    site = guarded(shared, backends, {"ipgroup_id": made["id"]}, "127.38.0.1")
    entries = [f"10.{38 + index // 200}.{index % 200}.1" for index in range(1199)] + ["127.38.0.2"]  # none adjacent: 1,200 networks
    shared.lb.api.ok("PUT", f"ipgroups/{made['id']}", {"ipgroup": {"ip_list": [{"ip": ip} for ip in entries]}})
    assert admitted(site, "127.38.0.2") and not admitted(site, "127.38.0.1")
    path = str(shared.process.run_dir / "access" / f"{site.listener['id']}.map")
    assert len(parse_map_keys(shared.process.runtime(ShowMap(path)))) == 1200


def test_enable_ipgroup_false_stops_enforcing_and_keeps_the_binding(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    made = group(shared, ["127.33.0.1"])
    site = guarded(shared, backends, {"ipgroup_id": made["id"]}, "127.33.0.1")
    assert not admitted(site, "127.33.0.2")
    answer = shared.lb.api.ok("PUT", f"listeners/{site.listener['id']}", {"listener": {"ipgroup": {"ipgroup_id": made["id"], "enable_ipgroup": False}}})
    assert answer["listener"]["ipgroup"] == {"ipgroup_id": made["id"], "enable_ipgroup": False, "type": "white"}
    assert admitted(site, "127.33.0.2")
    shared.lb.api.ok("PUT", f"ipgroups/{made['id']}", {"ipgroup": {"ip_list": [{"ip": "127.33.0.3"}]}})  # no list runs to replace
    assert admitted(site, "127.33.0.2")
    shared.lb.api.ok("PUT", f"listeners/{site.listener['id']}", {"listener": {"ipgroup": {"ipgroup_id": made["id"], "enable_ipgroup": True}}})
    assert not admitted(site, "127.33.0.2") and not admitted(site, "127.33.0.1") and admitted(site, "127.33.0.3")


def test_tcp_listeners_enforce_it_too(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    site = guarded(shared, backends, {"ipgroup_id": group(shared, ["127.34.0.1"])["id"]}, "127.34.0.1", protocol="TCP")
    assert admitted(site, "127.34.0.1") and not admitted(site, "127.34.0.2")


def admitted_over_tls(site: Site, source: str) -> bool:
    """Whether a TLS handshake and a request from `source` on a new connection get their answer."""
    try:
        with socket.create_connection((VIP, site.port), timeout=5, source_address=(source, 0)) as raw, client_context().wrap_socket(raw) as tls:
            tls.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return tls.recv(4096).startswith(b"HTTP/1.1 200")
    except (OSError, ssl.SSLError):
        return False


@pytest.mark.parametrize(("protocol", "pool"), [("HTTPS", {"protocol": "HTTP"}), ("TLS", {"protocol": "TCP", "ip_version": "v4"})])
def test_tls_listeners_refuse_before_the_handshake(shared: Shared, backends: Callable[..., FakeBackend], protocol: str, pool: dict[str, str]) -> None:
    api = shared.lb.api
    certificate = server_certificate(api, "guarded.example.com")["id"]
    made = group(shared, ["127.37.0.1"])
    port = free_port_on(VIP)
    listener = api.listener(shared.lb.lb["id"], protocol=protocol, port=port, default_tls_container_ref=certificate, ipgroup={"ipgroup_id": made["id"]})
    site = Site(api, shared.lb.subnet, shared.lb.lb, listener, api.pool(listener_id=listener["id"], **pool), port)
    site.add(backends("a"))
    wait_for(lambda: admitted_over_tls(site, "127.37.0.1"), timeout_s=15)
    assert not admitted_over_tls(site, "127.37.0.2")


def test_a_restarted_elbd_adopts_the_process_without_a_reload(shared: Shared, backends: Callable[..., FakeBackend]) -> None:
    made = group(shared, ["127.35.0.1"])
    site = guarded(shared, backends, {"ipgroup_id": made["id"]}, "127.35.0.1")
    before = settled_master(shared.process)
    shared.server.stop()
    shared.server.start()  # on the same port: the project's client keeps working
    assert admitted(site, "127.35.0.1") and not admitted(site, "127.35.0.2")
    # a change waits for the data plane, whose first round after the restart adopted the process
    shared.lb.api.ok("POST", f"ipgroups/{made['id']}/iplist/create-or-update", {"ipgroup": {"ip_list": [{"ip": "127.35.0.2"}]}}, status=200)
    assert admitted(site, "127.35.0.2")
    assert settled_master(shared.process) == before
