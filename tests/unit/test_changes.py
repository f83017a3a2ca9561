"""The one change type: its rule (a load balancer rebuilt whole carries no member list) holds however
changes are built and merged."""

from elbd.changes import Changes


def test_members_of_a_load_balancer_rebuilt_whole_are_dropped() -> None:
    assert Changes.of({"lb1"}, {"lb1": {"m1"}, "lb2": {"m2"}}) == Changes(frozenset({"lb1"}), {"lb2": frozenset({"m2"})})


def test_empty_member_lists_are_dropped() -> None:
    assert Changes.of(members={"lb1": set()}) == Changes()
    assert not Changes.of(members={"lb1": set()})


def test_merging_keeps_the_rule_both_ways() -> None:
    members = Changes.of(members={"lb1": {"m1"}})
    assert members.merged(Changes.rebuild("lb1")) == Changes.rebuild("lb1")
    assert Changes.rebuild("lb1").merged(members) == Changes.rebuild("lb1")
    assert members.merged(Changes.of(members={"lb1": {"m2"}})) == Changes.of(members={"lb1": {"m1", "m2"}})


def test_one_load_balancers_part() -> None:
    changes = Changes.of({"lb1"}, {"lb2": {"m2"}})
    assert changes.of_load_balancer("lb1") == Changes.rebuild("lb1")
    assert changes.of_load_balancer("lb2") == Changes.of(members={"lb2": {"m2"}})
    assert changes.of_load_balancer("lb3") == Changes()
    assert changes.touched == {"lb1", "lb2"}


def test_access_lists_follow_the_same_rule() -> None:
    access = Changes.of(access={"lb1": {"l1"}, "lb2": {"l2"}})
    assert Changes.of({"lb1"}, access={"lb1": {"l1"}, "lb2": {"l2"}}) == Changes(frozenset({"lb1"}), access={"lb2": frozenset({"l2"})})
    assert access.merged(Changes.rebuild("lb1")) == Changes.of({"lb1"}, access={"lb2": {"l2"}})
    assert access.merged(Changes.of(access={"lb1": {"l3"}})) == Changes.of(access={"lb1": {"l1", "l3"}, "lb2": {"l2"}})
    assert not Changes.of(access={"lb1": set()})
    assert access.touched == {"lb1", "lb2"}


def test_one_load_balancers_members_and_access_lists() -> None:
    changes = Changes.of(members={"lb1": {"m1"}}, access={"lb1": {"l1"}, "lb2": {"l2"}})
    assert changes.of_load_balancer("lb1") == Changes.of(members={"lb1": {"m1"}}, access={"lb1": {"l1"}})
    assert changes.of_load_balancer("lb2") == Changes.of(access={"lb2": {"l2"}})
