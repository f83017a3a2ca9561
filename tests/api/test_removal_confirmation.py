"""A member DELETE (and batch-delete) answers 204/200 only once the data plane confirmed the member
takes no more requests; one it cannot confirm is a 503 that says so, never a plain success."""

import pytest

from tests.api.member_helpers import members_of, members_url
from tests.api.world import assert_elb_error
from tests.conftest import Api, Topology


@pytest.fixture
def unconfirmed(api: Api, monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The data plane answers every wait with False (a failed apply, or time out): the waits asked."""
    asked: list[set[str]] = []

    def never(load_balancer_ids: set[str], _timeout_s: float) -> bool:
        asked.append(load_balancer_ids)
        return False

    monkeypatch.setattr(api.client.app.state.dataplane, "wait_until_applied", never)
    return asked


def test_an_unconfirmed_delete_is_a_503_that_says_so(api: Api, topology: Topology, unconfirmed: list[set[str]]) -> None:
    member = api.member(topology.pool["id"], address="127.10.0.31", protocol_port=80, subnet_cidr_id=topology.subnet["neutron_subnet_id"])["member"]
    body = assert_elb_error(api.call("DELETE", f"{members_url(topology.pool['id'])}/{member['id']}"), 503, "ELB.8906")
    assert f"Backend server {member['id']} was deleted" in body["error_msg"] and topology.lb["id"] in body["error_msg"]
    assert unconfirmed == [{topology.lb["id"]}]
    assert members_of(api, topology.pool["id"]) == []


def test_an_unconfirmed_batch_delete_is_a_503_too(api: Api, topology: Topology, unconfirmed: list[set[str]]) -> None:
    api.member(topology.pool["id"], address="127.10.0.32", protocol_port=80, subnet_cidr_id=topology.subnet["neutron_subnet_id"])
    batch = {"members": [{"address": "127.10.0.32", "protocol_port": 80}]}
    body = assert_elb_error(api.call("POST", f"{members_url(topology.pool['id'])}/batch-delete", batch), 503, "ELB.8906")
    assert "The backend servers were deleted" in body["error_msg"]


def test_a_confirmed_delete_is_a_204(api: Api, topology: Topology) -> None:
    member = api.member(topology.pool["id"], address="127.10.0.33", protocol_port=80, subnet_cidr_id=topology.subnet["neutron_subnet_id"])["member"]
    assert api.call("DELETE", f"{members_url(topology.pool['id'])}/{member['id']}").status_code == 204
