"""The cluster of the issue's "Done when", on one machine: network namespaces as hosts (three nodes, a
client and a backend on a bridge, addresses in 198.18.0.0/15 inside them only), PostgreSQL (reached by
the agents through its Unix socket, which needs no route), two API replicas and three agents started
with `ip netns exec`, each putting the VIPs it serves on its eth0 and announcing them with gratuitous
ARPs. The client keeps sending requests to the VIP; its node is killed, or frozen and resumed: the VIP
and its traffic move to another node within the bound, and the frozen node is found fenced (no VIP,
no HAProxy) and takes nothing back."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import make_url

from elbd.cluster.timing import FAILOVER_BOUND_S
from elbd.dataplane.driver import haproxy_binary
from elbd.service.identity import ProjectCredentials
from tests import postgres
from tests.cluster.harness import Cluster, cluster_on_postgres, wait_until
from tests.cluster.traffic import failed_after, served_again_after
from tests.cluster.namespaces import Network, netns_permitted, network
from tests.conftest import Api, token_for

POSTGRES_SOCKET_DIR = Path(os.environ.get("ELBD_TEST_POSTGRES_SOCKET", "/var/run/postgresql"))
pytestmark = [
    pytest.mark.skipif(haproxy_binary() is None, reason="agents need HAProxy"),
    pytest.mark.skipif(postgres.unanswered() is not None, reason=f"THE CLUSTER TESTS ARE SKIPPED: {postgres.unanswered()}"),
    pytest.mark.skipif(not (POSTGRES_SOCKET_DIR / ".s.PGSQL.5432").exists(), reason=f"THE NAMESPACE CLUSTER TEST IS SKIPPED: no PostgreSQL socket in {POSTGRES_SOCKET_DIR}"),
]

NODES = {"node-1": "198.18.0.11", "node-2": "198.18.0.12", "node-3": "198.18.0.13"}
CLIENT, BACKEND, VIP = "198.18.0.100", "198.18.0.200", "198.18.0.50"
LISTENER_PORT, BACKEND_PORT = 8080, 8081
CLIENT_SECONDS = 120


def through_socket(url: str) -> str:
    """The database's URL through PostgreSQL's Unix socket: a namespace has no route to 127.0.0.1 of the machine."""
    parsed = make_url(url)
    return parsed.set(host=None, port=None, query={"host": str(POSTGRES_SOCKET_DIR)}).render_as_string(hide_password=False)


@pytest.fixture
def hosts(tmp_path: Path, monkeypatch: Any) -> Iterator[tuple[Cluster, Network]]:
    why = netns_permitted()
    if why is not None:
        pytest.skip(f"THE NAMESPACE CLUSTER TEST IS SKIPPED: {why}")
    with cluster_on_postgres(tmp_path, monkeypatch) as cluster, network(f"elbd{os.getpid() % 100000}") as net:
        cluster.add_replica()
        cluster.add_replica()
        for node, address in NODES.items():
            prefix = net.host(node, address)
            cluster.add_agent(node, prefix, ("--vip-interface", "eth0"), {"ELBD_DATABASE_URL": through_socket(cluster.database_url)})
        net.host("client", CLIENT)
        (tmp_path / "site").mkdir()
        (tmp_path / "site" / "index.html").write_text("backend\n")
        backend = net.host("backend", BACKEND)
        subprocess.Popen(
            [*backend, sys.executable, "-m", "http.server", str(BACKEND_PORT), "--bind", BACKEND,
             "--directory", str(tmp_path / "site")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # ended with its namespace
        yield cluster, net


def served_load_balancer(cluster: Cluster) -> str:
    credentials = ProjectCredentials(**json.loads(cluster.replicas[0].elbd("project", "create", "namespaces")))
    with httpx.Client(base_url=cluster.replicas[1].url, timeout=30) as client:
        api = Api(client, credentials, token_for(client, credentials))  # type: ignore[arg-type]
        subnet = api.subnet(api.vpc(cidr="198.18.0.0/16")["id"], cidr="198.18.0.0/24")
        lb = api.load_balancer(subnet, vip_address=VIP)
        listener = api.listener(lb["id"], port=LISTENER_PORT)
        pool = api.pool(listener_id=listener["id"])
        api.member(pool["id"], address=BACKEND, protocol_port=BACKEND_PORT, subnet_cidr_id=subnet["neutron_subnet_id"])
    return lb["id"]


def results(path: Path) -> list[tuple[float, bool]]:
    lines = [line.split() for line in path.read_text().splitlines()]
    return [(float(words[0]), words[1] == "1") for words in lines if len(words) == 2]


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGSTOP], ids=["killed", "frozen"])
def test_the_vip_moves_to_another_node_when_its_node_is_lost(hosts: tuple[Cluster, Network], tmp_path: Path, how: int) -> None:
    cluster, net = hosts
    lb_id = served_load_balancer(cluster)
    log = tmp_path / "client.log"
    with log.open("w") as output:
        client = subprocess.Popen([*net.run_in("client"), sys.executable, str(Path(__file__).parent / "vip_client.py"), VIP, str(LISTENER_PORT),
                                   str(CLIENT_SECONDS)], stdout=output, stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: sum(ok for _, ok in results(log)[-10:]) == 10, 90), "the client never reached the VIP"
        before = cluster.placement(lb_id)
        assert before is not None and f"{VIP}/32" in net.addresses(before.node)
        owner = cluster.agent(before.node)
        owner.signal(how)
        stopped = time.monotonic()
        last_renewal = stopped - cluster.placement(lb_id).age_s  # type: ignore[union-attr]
        moved = wait_until(lambda: (p := cluster.placement(lb_id)) is not None and p.node != before.node and p, 30)
        assert moved, "no other node took the load balancer"
        wait_until(lambda: (again := served_again_after(results(log), stopped)) is not None and time.monotonic() - again > 1.5, 30)
    finally:
        client.terminate()
        client.wait(10)
    seen = results(log)
    again = served_again_after(seen, stopped)
    assert again is not None, "the VIP never answered again"
    failover_s = again - last_renewal
    print(f"\nnamespaces, failover ({signal.Signals(how).name}): {failover_s:.2f} s from the last renewal to the VIP answering on "
          f"{moved.node}; {failed_after(seen, stopped)} of {sum(1 for when, _ in seen if when >= stopped)} requests failed")
    assert f"{VIP}/32" in net.addresses(moved.node)
    assert f"{VIP}/32" not in net.addresses(before.node), "the old node kept the VIP"
    assert not owner.haproxies(), "the old node's HAProxy still runs"
    if how == signal.SIGSTOP:
        owner.signal(signal.SIGCONT)
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:  # several renewals of the resumed node: it stays fenced and takes nothing back
            now = cluster.placement(lb_id)
            assert now is not None and (now.node, now.epoch) == (moved.node, moved.epoch)
            assert f"{VIP}/32" not in net.addresses(before.node) and not owner.haproxies()
            time.sleep(0.2)
    assert failover_s <= FAILOVER_BOUND_S
