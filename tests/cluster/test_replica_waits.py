"""An API replica's answers that wait for the data plane wait for the node that serves the load
balancer (cluster/replica_waits.py): after a member's DELETE through a `--no-agent` replica returns,
no new request reaches that member, as on a single `elbd serve`."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from elbd.dataplane.driver import haproxy_binary
from tests import postgres
from tests.cluster.harness import Cluster, cluster_on_postgres, tenant_with_load_balancer, wait_until
from tests.dataplane.conftest import fetch
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on

pytestmark = [
    pytest.mark.skipif(haproxy_binary() is None, reason="agents need HAProxy"),
    pytest.mark.skipif(postgres.unanswered() is not None, reason=f"THE CLUSTER TESTS ARE SKIPPED: {postgres.unanswered()}"),
]

SUBNET = "127.33.0.0/24"
BACKENDS = ("127.33.0.200", "127.33.0.201")
ROUNDS = 5
REQUESTS_AFTER = 20


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: Any) -> Iterator[Cluster]:
    with cluster_on_postgres(tmp_path, monkeypatch) as made:
        made.add_replica()
        made.add_agent("node-1")
        yield made


@pytest.fixture
def backends() -> Iterator[list[FakeBackend]]:
    started = [FakeBackend(f"backend-{index}", address, free_port_on(address)).start() for index, address in enumerate(BACKENDS)]
    yield started
    for backend in started:
        backend.stop()


def test_a_member_deleted_through_a_replica_takes_no_request_after_the_answer(cluster: Cluster, backends: list[FakeBackend]) -> None:
    with tenant_with_load_balancer(cluster, "waits", cluster.replicas[0], SUBNET) as tenant:
        api, subnet, lb, port = tenant.api, tenant.subnet, tenant.lb, tenant.port
        pool = api.pool(listener_id=api.listener(lb["id"], port=port)["id"])
        api.member(pool["id"], address=BACKENDS[0], protocol_port=backends[0].port, subnet_cidr_id=subnet["neutron_subnet_id"])
        assert wait_until(lambda: answered_by(lb["vip_address"], port) == {"backend-0"}, 60), "the node never served the load balancer"
        for _ in range(ROUNDS):
            member = api.member(pool["id"], address=BACKENDS[1], protocol_port=backends[1].port, subnet_cidr_id=subnet["neutron_subnet_id"])
            assert wait_until(lambda: "backend-1" in answered_by(lb["vip_address"], port), 10), "the new member took no request"
            api.ok("DELETE", f"pools/{pool['id']}/members/{member['member']['id']}", status=204)
            served = [answered_by(lb["vip_address"], port, 1) for _ in range(REQUESTS_AFTER)]
            assert set().union(*served) == {"backend-0"}, "a request reached the member after its DELETE was answered"


def answered_by(vip: str, port: int, requests: int = 4) -> set[str]:
    """The backends that answered `requests` requests on new connections."""
    names = set()
    for _ in range(requests):
        try:
            status, body = fetch(port, vip, timeout_s=2.0)
        except OSError:
            continue
        if status == 200:
            names.add(body)
    return names
