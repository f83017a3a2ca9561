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


def test_the_batched_reads_answer_what_the_per_load_balancer_reads_do(api: Api, topology: Topology) -> None:
    """A restarted agent reads every load balancer at once: the same records as one by one, for load
    balancers with listeners, pools, monitors, members, certificates and a custom policy, or nothing."""
    from tests.certificates import issue, server_body

    api.member(topology.pool["id"], **subnet_member(topology, "127.10.0.50"))
    api.member(topology.pool["id"], **subnet_member(topology, "127.10.0.51", weight=0))
    api.monitor(topology.pool["id"])
    certificate = api.ok("POST", "certificates", server_body(issue("batch.example.com")))["certificate"]["id"]
    policy = api.ok("POST", "security-policies", {"security_policy": {"protocols": ["TLSv1.2"], "ciphers": ["ECDHE-RSA-AES128-GCM-SHA256"]}})
    second = api.load_balancer(topology.subnet)
    for port in (443, 8443):  # two listeners with the same certificate and policy: each appears once
        api.listener(second["id"], "HTTPS", port, default_tls_container_ref=certificate, security_policy_id=policy["security_policy"]["id"])
    pool = api.pool(loadbalancer_id=second["id"])
    api.member(pool["id"], **subnet_member(topology, "127.10.0.52"))
    routed = api.listener(second["id"], "HTTP", 80)
    api.ok("POST", "l7policies", {"l7policy": {"listener_id": routed["id"], "action": "REDIRECT_TO_POOL", "redirect_pool_id": pool["id"],
                                               "rules": [{"type": "PATH", "compare_type": "STARTS_WITH", "value": "/api"}]}})
    empty = api.load_balancer(topology.subnet)
    ids = [topology.lb["id"], second["id"], empty["id"], "0" * 36]
    db = api.client.app.state.db
    with db.write() as session:
        store.record_status(session, second["id"], "ACTIVE", "", {"a": "OPEN"})
    with db.read() as session:
        one_by_one = {one: stored for one in ids if (stored := store.stored_load_balancer(session, one)) is not None}
        assert store.stored_load_balancers(session, ids) == one_by_one
        assert set(one_by_one) == set(ids[:3])
        assert list(one_by_one[second["id"]].certificates) == [certificate]
        assert list(one_by_one[second["id"]].security_policies) == [policy["security_policy"]["id"]]
        assert list(one_by_one[second["id"]].l7_policies) == [routed["id"]]
        assert len(one_by_one[topology.lb["id"]].members) >= 2 and one_by_one[topology.lb["id"]].monitors
        assert store.stored_member_health(session, ids) == {one: store.member_health(session, one) for one in ids}
        assert store.recorded_statuses(session, ids) == {second["id"]: ("ACTIVE", "", {"a": "OPEN"})}
    with db.read() as session:
        original = store.IDS_PER_QUERY
        store.IDS_PER_QUERY = 1  # one query per load balancer: grouping across queries changes nothing
        try:
            assert store.stored_load_balancers(session, ids) == one_by_one
        finally:
            store.IDS_PER_QUERY = original
