"""Every member write tells the data plane which members of which load balancer changed, and only those:
a member change it is not told of never reaches HAProxy (until some rebuild), one it is told of
wrongly costs a runtime round."""

from collections.abc import Iterator
from typing import Any

import pytest

from elbd.changes import Changes
from tests.api.member_helpers import members_url
from tests.api.test_members_rules import subnet_member
from tests.conftest import Api, Topology


@pytest.fixture
def told(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Changes]]:
    heard: list[Changes] = []
    monkeypatch.setattr(api.client.app.state.db, "on_change", heard.append)
    yield heard


def members_told(told: list[Changes], lb_id: str) -> list[frozenset[str]]:
    return [changes.members.get(lb_id, frozenset()) for changes in told if changes]


@pytest.fixture
def two(api: Api, topology: Topology) -> list[dict[str, Any]]:
    pool_id = topology.pool["id"]
    return [api.member(pool_id, **subnet_member(topology, port=port))["member"] for port in (80, 81)]


def test_an_update_tells_its_member(api: Api, topology: Topology, two: list[dict[str, Any]], told: list[Changes]) -> None:
    api.ok("PUT", f"{members_url(topology.pool['id'])}/{two[0]['id']}", {"member": {"weight": 0}})
    assert members_told(told, topology.lb["id"]) == [frozenset({two[0]["id"]})]


def test_a_batch_update_tells_its_members(api: Api, topology: Topology, two: list[dict[str, Any]], told: list[Changes]) -> None:
    body = {"members": [{"id": one["id"], "weight": 5} for one in two]}
    api.ok("POST", f"{members_url(topology.pool['id'])}/batch-update", body, status=200)
    assert members_told(told, topology.lb["id"]) == [frozenset(one["id"] for one in two)]


def test_a_delete_tells_its_member(api: Api, topology: Topology, two: list[dict[str, Any]], told: list[Changes]) -> None:
    assert api.call("DELETE", f"{members_url(topology.pool['id'])}/{two[1]['id']}").status_code == 204
    assert members_told(told, topology.lb["id"]) == [frozenset({two[1]["id"]})]


def test_a_batch_delete_tells_the_members_it_deleted_only(api: Api, topology: Topology, two: list[dict[str, Any]], told: list[Changes]) -> None:
    body = {"members": [{"id": two[0]["id"]}, {"address": "127.10.0.99", "protocol_port": 80}]}
    results = api.ok("POST", f"{members_url(topology.pool['id'])}/batch-delete", body, status=200)
    assert results and members_told(told, topology.lb["id"]) == [frozenset({two[0]["id"]})]


def test_a_create_and_a_batch_add_tell_the_new_members(api: Api, topology: Topology, told: list[Changes]) -> None:
    pool_id = topology.pool["id"]
    created = api.member(pool_id, **subnet_member(topology, port=90))["member"]
    added = api.ok("POST", f"{members_url(pool_id)}/batch-add", {"members": [subnet_member(topology, port=port) for port in (91, 92)]}, status=200)
    added_ids = frozenset(one["id"] for one in added["members"])
    assert members_told(told, topology.lb["id"]) == [frozenset({created["id"]}), added_ids]
