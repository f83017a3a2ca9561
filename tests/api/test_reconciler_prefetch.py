"""A starting reconciler reads every load balancer's records at once and hands each first round its
own; a change told for a load balancer drops them, so the round that carries it reads the store anew.
Played against the store with an engine that records what it is asked to start (no HAProxy)."""

import os
from collections.abc import Mapping

from elbd.changes import Changes
from elbd.dataplane.engine import TlsMaterial
from elbd.dataplane.model import LoadBalancerConfig
from elbd.dataplane.plan import Live, LoadBalancerAction, Start
from elbd.dataplane.reconciler import Reconciler
from elbd.store import dataplane as store
from tests.api.test_members_rules import subnet_member
from tests.conftest import Api, Topology


class StartsRecorded:
    def __init__(self) -> None:
        self.started: dict[str, LoadBalancerConfig] = {}

    def prepare(self, load_balancer_id: str) -> None:
        pass

    def unbindable(self, config: LoadBalancerConfig) -> dict[str, str]:
        return {}

    def observe(self, load_balancer_id: str) -> Live:
        return Live(running=False)

    def skeleton(self, load_balancer_id: str, config: LoadBalancerConfig) -> str:
        return ""

    def carry_out(self, load_balancer_id: str, action: LoadBalancerAction, passed: Mapping[str, bool], tls: Mapping[str, TlsMaterial]) -> frozenset[str]:
        assert isinstance(action, Start)
        self.started[load_balancer_id] = action.config
        return frozenset()

    def watched_pid(self, load_balancer_id: str) -> int | None:
        return os.getpid()

    def listener_states(self, load_balancer_id: str) -> dict[str, str]:
        return {}


def servers(engine: StartsRecorded, topology: Topology) -> list[str]:
    backend = engine.started[topology.lb["id"]].backend(topology.pool["id"])
    assert backend is not None
    return [server.name for server in backend.servers]


def reconciler(api: Api) -> tuple[Reconciler, StartsRecorded]:
    engine = StartsRecorded()
    return Reconciler(api.client.app.state.db, engine), engine  # type: ignore[arg-type]


def test_the_first_round_takes_the_records_read_at_the_start(api: Api, topology: Topology) -> None:
    first = api.member(topology.pool["id"], **subnet_member(topology, "127.10.0.60"))["member"]
    started, engine = reconciler(api)
    assert topology.lb["id"] in started.prefetch()
    api.member(topology.pool["id"], **subnet_member(topology, "127.10.0.61"))  # committed, but never told to this reconciler
    assert started.reconcile(topology.lb["id"])
    assert servers(engine, topology) == [first["id"]]  # no query of its own: the records of the start


def test_a_change_told_after_the_start_is_read_from_the_store(api: Api, topology: Topology) -> None:
    first = api.member(topology.pool["id"], **subnet_member(topology, "127.10.0.62"))["member"]
    started, engine = reconciler(api)
    started.prefetch()
    second = api.member(topology.pool["id"], **subnet_member(topology, "127.10.0.63"))["member"]
    started.changed(Changes.of(members={topology.lb["id"]: {second["id"]}}))
    assert started.reconcile(topology.lb["id"])
    assert servers(engine, topology) == [first["id"], second["id"]]


def test_records_are_taken_once(api: Api, topology: Topology) -> None:
    started, engine = reconciler(api)
    started.prefetch()
    assert started.reconcile(topology.lb["id"])
    member = api.member(topology.pool["id"], **subnet_member(topology, "127.10.0.64"))["member"]
    engine.started.clear()
    assert started.reconcile(topology.lb["id"])  # a later rebuild (a retry, the poller's) reads the store
    assert member["id"] in servers(engine, topology)


def test_a_status_recorded_as_it_stands_is_not_written_again(api: Api, topology: Topology) -> None:
    db = api.client.app.state.db
    with db.write() as session:
        store.record_status(session, topology.lb["id"], "ACTIVE", "", {})
    with db.read() as session:
        before = session.get(store.DataplaneStatus, topology.lb["id"]).updated_at  # type: ignore[union-attr]
    started, _ = reconciler(api)
    started.prefetch()
    writes: list[str] = []
    original = store.record_status
    store.record_status = lambda session, one, *rest: writes.append(one) or original(session, one, *rest)  # type: ignore[assignment]
    try:
        assert started.reconcile(topology.lb["id"])
    finally:
        store.record_status = original  # type: ignore[assignment]
    assert writes == []
    with db.read() as session:
        assert session.get(store.DataplaneStatus, topology.lb["id"]).updated_at == before  # type: ignore[union-attr]
