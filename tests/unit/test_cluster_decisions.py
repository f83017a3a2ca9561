"""The decisions of a node, apart from the database: placement, failover, the mass-failure threshold,
moves, fencing, and the timing they rest on."""

from elbd.cluster import timing
from elbd.cluster.decisions import ClusterSeen, PlacementSeen, PlacementVersions, arrivals, claims, fenced, mass_failure, unconfirmed, version_changed


def seen(live: set[str], *placements: PlacementSeen) -> ClusterSeen:
    return ClusterSeen(frozenset(live), placements)


def test_new_load_balancers_go_to_the_least_loaded_live_nodes_and_each_to_exactly_one() -> None:
    cluster = seen({"a", "b", "c"}, PlacementSeen("held-1", "a"), PlacementSeen("held-2", "a"), *(PlacementSeen(f"new-{n}", None) for n in range(4)))
    taken = {node: claims(node, cluster) for node in ("a", "b", "c")}
    assert sorted(sum(taken.values(), [])) == [f"new-{n}" for n in range(4)]  # each claimed by one node
    assert len(taken["b"]) == len(taken["c"]) == 2 and taken["a"] == []  # a already carries two


def test_a_lease_that_ran_out_goes_to_a_live_node_and_a_running_one_is_never_taken() -> None:
    cluster = seen({"b", "c"}, PlacementSeen("lb-1", "a", expired=True), PlacementSeen("lb-2", "b"), PlacementSeen("lb-3", "c"))
    assert sorted(claims("b", cluster) + claims("c", cluster)) == ["lb-1"]
    assert claims("a", cluster) == []  # a is not live


def test_a_node_coming_back_takes_nothing_back() -> None:
    cluster = seen({"a", "b"}, PlacementSeen("lb-1", "b"), PlacementSeen("lb-2", "b"))
    assert claims("a", cluster) == []


def test_a_mass_expiry_stops_failover_but_new_load_balancers_are_still_placed() -> None:
    cluster = seen(
        {"c"},
        PlacementSeen("lb-1", "a", expired=True), PlacementSeen("lb-2", "b", expired=True), PlacementSeen("lb-3", "c"),
        PlacementSeen("lb-new", None),
    )
    assert mass_failure(cluster)
    assert claims("c", cluster) == ["lb-new"]


def test_a_mass_failure_ends_when_enough_lost_nodes_are_back() -> None:
    back = seen({"a", "c"}, PlacementSeen("lb-1", "a", expired=True), PlacementSeen("lb-2", "b", expired=True), PlacementSeen("lb-3", "c"))
    assert not mass_failure(back)
    assert sorted(claims("a", back) + claims("c", back)) == ["lb-1", "lb-2"]


def test_one_lost_node_of_two_or_three_is_not_a_mass_failure() -> None:
    assert not mass_failure(seen({"b"}, PlacementSeen("lb-1", "a", expired=True), PlacementSeen("lb-2", "b")))
    assert not mass_failure(seen({"b", "c"}, PlacementSeen("lb-1", "a", expired=True), PlacementSeen("lb-2", "b"), PlacementSeen("lb-3", "c")))


def test_no_live_node_claims_nothing() -> None:
    assert claims("a", seen(set(), PlacementSeen("lb-1", None))) == []


def test_a_move_is_taken_by_its_target_only() -> None:
    cluster = seen({"a", "b"}, PlacementSeen("lb-1", "a", moving_to="b"))
    assert arrivals("b", cluster) == ["lb-1"] and arrivals("a", cluster) == []


def test_a_node_is_fenced_from_the_fence_deadline_on() -> None:
    assert fenced(100.0, None)
    assert not fenced(100.0 + timing.FENCE_AFTER_S - 0.01, 100.0)
    assert fenced(100.0 + timing.FENCE_AFTER_S, 100.0)


def test_the_fence_comes_before_the_lease_can_be_taken_and_renewals_may_be_missed() -> None:
    assert timing.FENCE_AFTER_S + 0.5 <= timing.LEASE_S  # time to stop the engines before another node may claim
    assert 2 * timing.RENEW_EVERY_S < timing.FENCE_AFTER_S  # a renewal or two late does not fence
    assert timing.LEASE_S + timing.RENEW_EVERY_S < timing.FAILOVER_BOUND_S


def test_a_version_that_moved_or_a_load_balancer_newly_held_is_reconciled_again() -> None:
    assert version_changed({"lb-1": (1, 3), "lb-2": (1, 1)}, {"lb-1": (1, 4), "lb-2": (1, 1), "lb-3": (1, 0)}) == {"lb-1", "lb-3"}
    assert version_changed({"lb-1": (1, 3)}, {"lb-1": (2, 3)}) == {"lb-1"}  # taken again after its lease ran out


def test_a_gratuitous_arp_says_the_vip_is_at_this_mac_address() -> None:
    from elbd.cluster.garp import announcement

    frame = announcement(bytes.fromhex("020000000001"), "198.18.0.50")
    assert frame[:6] == b"\xff" * 6 and frame[6:12] == bytes.fromhex("020000000001") and frame[12:14] == b"\x08\x06"
    arp = frame[14:]
    assert arp[:8] == bytes.fromhex("0001080006040001")  # Ethernet, IPv4, 6 and 4 bytes, a request
    assert arp[8:14] == bytes.fromhex("020000000001") and arp[14:18] == bytes([198, 18, 0, 50])  # sender: the VIP at this MAC
    assert arp[18:24] == b"\x00" * 6 and arp[24:28] == bytes([198, 18, 0, 50])  # target: the VIP itself
    assert len(frame) == 42


def test_a_replica_waits_for_the_version_it_read_after_its_write_and_not_for_later_ones() -> None:
    wanted = {"lb-1": 7, "lb-2": 3, "unplaced": 1}
    assert unconfirmed(wanted, {"lb-1": PlacementVersions(7, 6), "lb-2": PlacementVersions(3, 3)}) == {"lb-1"}
    # later writes raised lb-1's version again: what this answer waits for is applied, it waits no more
    assert unconfirmed(wanted, {"lb-1": PlacementVersions(9, 7), "lb-2": PlacementVersions(4, 3)}) == set()
    # a load balancer no node holds right now is served by none: nothing to wait for
    assert unconfirmed(wanted, {}) == set()
