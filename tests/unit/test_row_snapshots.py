"""Rows as JSON and back, and a copy under new ids, without a store."""

from datetime import datetime

from elbd.store.models import L7Policy, ListenerIpGroup, Pool
from elbd.store.row_snapshots import dump, load, outside_references, primary_ids, renamed

NOW = datetime(2026, 2, 3, 4, 5, 6)


def _pool() -> Pool:
    return Pool(
        id="pool-1", project_id="p", loadbalancer_id="lb-1", name="web", description="", protocol="HTTP", lb_algorithm="ROUND_ROBIN",
        ip_version="v4", type="instance", vpc_id="vpc", admin_state_up=True, member_deletion_protection_enable=False, any_port_enable=False,
        elbd_connection_reuse=True, session_persistence=None, slow_start={"enable": False, "duration": 30}, connection_drain={"enable": False, "timeout": 300},
        pool_health={"minimum_healthy_member_count": 0}, quic_cid_hash_strategy=None, protection_status="nonProtection", protection_reason=None,
        created_at=NOW, updated_at=NOW,
    )


def test_a_row_comes_back_as_it_was_taken() -> None:
    [back] = load(dump([_pool()]))
    assert isinstance(back, Pool)
    assert (back.id, back.slow_start, back.created_at, back.session_persistence) == ("pool-1", {"enable": False, "duration": 30}, NOW, None)


def test_a_copy_renames_keys_and_what_refers_to_them_and_nothing_else() -> None:
    snapshot = dump([_pool(), ListenerIpGroup(listener_id="listener-1", ipgroup_id="group-1")])
    copy = renamed(snapshot, {"pool-1": "pool-2", "lb-1": "lb-2", "listener-1": "listener-2", "web": "renamed"})
    assert copy[0]["values"]["id"] == "pool-2" and copy[0]["values"]["loadbalancer_id"] == "lb-2"
    assert copy[0]["values"]["name"] == "web"  # not a key: never renamed, whatever it says
    assert (copy[1]["values"]["listener_id"], copy[1]["values"]["ipgroup_id"]) == ("listener-2", "group-1")
    assert snapshot[0]["values"]["id"] == "pool-1"  # the original is untouched


def test_outside_references_name_what_the_snapshot_does_not_hold() -> None:
    policy = L7Policy(id="policy-1", listener_id="listener-1", redirect_pool_id="pool-1", redirect_listener_id=None)
    snapshot = dump([_pool(), policy, ListenerIpGroup(listener_id="listener-1", ipgroup_id="group-1")])
    assert set(outside_references(snapshot)) == {("loadbalancers", "lb-1"), ("listeners", "listener-1"), ("ip_groups", "group-1")}
    assert primary_ids(snapshot) == ["pool-1", "policy-1"]  # a binding's two-column key is no id of its own
