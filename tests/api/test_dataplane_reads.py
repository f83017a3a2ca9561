"""What the data plane makes of what the API stored, on both of its paths, without HAProxy: the whole
rebuild (stored_load_balancer -> desired_config) and a member change (stored_members -> placed_servers).
A weight of 0, a stopped instance's member and a monitor's two retry counts must arrive as they were
written, whichever path carries them."""

from typing import Any

from elbd.dataplane.desired import desired_config, placed_servers
from elbd.dataplane.model import Backend, Server
from elbd.store import dataplane as store
from tests.api.member_helpers import members_url
from tests.api.test_members_rules import instance_action, register_instance, subnet_member
from tests.conftest import Api, Topology


def rebuilt(api: Api, topology: Topology) -> Backend:
    """The topology's pool as a whole rebuild makes it."""
    with api.client.app.state.db.read() as session:
        stored = store.stored_load_balancer(session, topology.lb["id"])
    assert stored is not None
    backend = desired_config(stored, 4_000).backend(topology.pool["id"])
    assert backend is not None
    return backend


def changed(api: Api, topology: Topology, member: dict[str, Any]) -> Server:
    """The member as a member change hands it to the planner."""
    with api.client.app.state.db.read() as session:
        placed = placed_servers(store.stored_members(session, topology.lb["id"], [member["id"]]))
    assert placed[member["id"]].backend == topology.pool["id"]
    return placed[member["id"]].server


def test_a_weight_updated_to_zero_stays_zero_on_both_paths(api: Api, topology: Topology) -> None:
    member = api.member(topology.pool["id"], **subnet_member(topology, weight=3))["member"]
    api.ok("PUT", f"{members_url(topology.pool['id'])}/{member['id']}", {"member": {"weight": 0}})
    assert changed(api, topology, member).weight == 0
    assert [server.weight for server in rebuilt(api, topology).servers] == [0]


def test_a_member_created_with_weight_zero_stays_zero_on_both_paths(api: Api, topology: Topology) -> None:
    member = api.member(topology.pool["id"], **subnet_member(topology, weight=0))["member"]
    assert changed(api, topology, member).weight == 0
    assert [server.weight for server in rebuilt(api, topology).servers] == [0]


def test_a_stopped_instances_member_is_held_on_both_paths_until_it_starts(api: Api, topology: Topology) -> None:
    server_id = register_instance(api, topology.subnet["id"], "127.10.0.40")
    member = api.member(topology.pool["id"], **subnet_member(topology, "127.10.0.40"))["member"]
    other = api.member(topology.pool["id"], **subnet_member(topology, "127.10.0.41"))["member"]
    assert not changed(api, topology, member).held
    instance_action(api, "os-stop", server_id)
    assert changed(api, topology, member).held and not changed(api, topology, other).held
    assert [(server.name, server.held) for server in rebuilt(api, topology).servers] == [(member["id"], True), (other["id"], False)]
    instance_action(api, "os-start", server_id)
    assert not changed(api, topology, member).held
    assert [server.held for server in rebuilt(api, topology).servers] == [False, False]


def test_a_deleted_instances_member_stays_held(api: Api, topology: Topology) -> None:
    server_id = register_instance(api, topology.subnet["id"], "127.10.0.42")
    member = api.member(topology.pool["id"], **subnet_member(topology, "127.10.0.42"))["member"]
    api.ok("DELETE", f"cloudservers/{server_id}")
    assert changed(api, topology, member).held
    assert [server.held for server in rebuilt(api, topology).servers] == [True]


def test_rise_is_max_retries_and_fall_is_max_retries_down(api: Api, topology: Topology) -> None:
    monitor = api.monitor(topology.pool["id"], max_retries=2, max_retries_down=7)
    check = rebuilt(api, topology).check
    assert check is not None and (check.rise, check.fall) == (2, 7)
    api.ok("PUT", f"healthmonitors/{monitor['id']}", {"healthmonitor": {"max_retries": 9, "max_retries_down": 4}})
    check = rebuilt(api, topology).check
    assert check is not None and (check.rise, check.fall) == (9, 4)
