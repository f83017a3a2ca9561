"""What the recycle bin and clones read of a snapshot's rows, without a store: the groups its listeners
and policies send to, a copy's references to the copies (a policy's weighed pools included), and the
health a copy does not carry."""

from typing import Any

from elbd.service.lb_rows import HEALTH_COLUMNS, copied, pools_named, without_health


def _listener(listener_id: str, default_pool_id: str | None) -> dict[str, Any]:
    return {"table": "listeners", "values": {"id": listener_id, "loadbalancer_id": "lb", "default_pool_id": default_pool_id, "security_policy_id": None}}


def _policy(policy_id: str, pool_id: str | None, weighed: list[str]) -> dict[str, Any]:
    return {
        "table": "l7policies",
        "values": {
            "id": policy_id,
            "listener_id": "listener-1",
            "redirect_pool_id": pool_id,
            "redirect_listener_id": None,
            "redirect_pools_config": [{"pool_id": one, "weight": 1} for one in weighed],
        },
    }


def test_the_groups_named_are_the_listeners_defaults_and_the_policies_targets() -> None:
    snapshot = [_listener("listener-1", "pool-a"), _listener("listener-2", None), _policy("policy-1", "pool-b", ["pool-b", "pool-c"])]
    assert pools_named(snapshot) == {"pool-a", "pool-b", "pool-c"}


def test_a_copy_refers_to_the_copies_even_inside_a_policys_weighed_pools() -> None:
    snapshot = [_policy("policy-1", "pool-b", ["pool-b", "pool-kept"])]
    [copy] = copied(snapshot, {"policy-1": "policy-2", "pool-b": "pool-b2", "listener-1": "listener-2"})
    assert copy["values"]["id"] == "policy-2" and copy["values"]["listener_id"] == "listener-2"
    assert copy["values"]["redirect_pool_id"] == "pool-b2"
    assert copy["values"]["redirect_pools_config"] == [{"pool_id": "pool-b2", "weight": 1}, {"pool_id": "pool-kept", "weight": 1}]
    assert snapshot[0]["values"]["redirect_pools_config"][0]["pool_id"] == "pool-b"


def test_a_members_reported_health_is_not_carried_and_nothing_else_changes() -> None:
    member = {"table": "members", "values": {"id": "m", "address": "127.10.0.5", "health_status": "ONLINE", "reason_code": None, "health_changed_at": "2026-01-01T00:00:00"}}
    listener = _listener("listener-1", None)
    kept_member, kept_listener = without_health([member, listener])
    assert all(kept_member["values"][column] is None for column in HEALTH_COLUMNS)
    assert kept_member["values"]["address"] == "127.10.0.5" and kept_listener == listener
