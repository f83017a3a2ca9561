"""The members a data-plane apply loads come oldest first, so a burst reaches HAProxy in the order it
was created (the last member present means every earlier one is too)."""

import random

import pytest

from elbd.dataplane.desired import placed_servers
from elbd.store import dataplane
from tests.conftest import Api, Topology


def test_placed_members_come_in_the_order_they_were_created(api: Api, topology: Topology, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dataplane, "IDS_PER_QUERY", 7)  # a burst of more members than one query takes
    body = {"members": [
        {"address": f"127.10.0.{host}", "protocol_port": 80, "subnet_cidr_id": topology.subnet["neutron_subnet_id"]}
        for host in range(10, 40)
    ]}
    created = [member["id"] for member in api.ok("POST", f"pools/{topology.pool['id']}/members/batch-add", body, status=200)["members"]]
    asked = random.Random(7).sample(created, len(created))
    with api.client.app.state.db.read() as session:
        placed = placed_servers(dataplane.stored_members(session, topology.lb["id"], asked))
    assert list(placed) == created
    assert {one.backend for one in placed.values()} == {topology.pool["id"]}
