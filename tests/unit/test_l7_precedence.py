"""The evaluation order of a listener's forwarding policies, each rule of l7_precedence.py on its own."""

from dataclasses import dataclass, field

from elbd.l7_precedence import ordered


@dataclass(frozen=True)
class Rule:
    type: str
    compare_type: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    id: str
    action: str = "REDIRECT_TO_POOL"
    priority: int = 1
    created_at: str = "2026-01-01T00:00:00.000000Z"
    rules: tuple[Rule, ...] = field(default=())


def host(name: str) -> Rule:
    return Rule("HOST_NAME", "EQUAL_TO", (name,))


def path(value: str, compare_type: str = "STARTS_WITH") -> Rule:
    return Rule("PATH", compare_type, (value,))


def order(policies: list[Policy], enhanced: bool = False) -> list[str]:
    return [policy.id for policy in ordered(policies, enhanced)]


def test_redirect_to_listener_comes_first_in_either_mode() -> None:
    policies = [Policy("pool", priority=1, rules=(host("a.com"),)), Policy("redirect", action="REDIRECT_TO_LISTENER", priority=5)]
    assert order(policies, enhanced=True) == ["redirect", "pool"]
    assert order(policies, enhanced=False) == ["redirect", "pool"]


def test_enhanced_orders_by_priority_lowest_first() -> None:
    policies = [Policy("c", priority=30), Policy("a", priority=10), Policy("b", priority=20, rules=(host("x.com"),))]
    assert order(policies, enhanced=True) == ["a", "b", "c"]


def test_a_host_policy_comes_before_a_hostless_one() -> None:
    policies = [Policy("hostless", rules=(path("/very/long/path", "EQUAL_TO"),)), Policy("host", rules=(host("a.com"), path("/", "REGEX")))]
    assert order(policies) == ["host", "hostless"]


def test_equal_to_before_starts_with_before_regex() -> None:
    policies = [Policy("regex", rules=(path("^/a", "REGEX"),)), Policy("prefix", rules=(path("/a"),)), Policy("exact", rules=(path("/a", "EQUAL_TO"),))]
    assert order(policies) == ["exact", "prefix", "regex"]


def test_the_longer_path_first() -> None:
    policies = [Policy("short", rules=(path("/a"),)), Policy("long", rules=(path("/a/b/c"),)), Policy("mid", rules=(path("/a/b"),))]
    assert order(policies) == ["long", "mid", "short"]


def test_a_host_only_policy_counts_as_prefix_root() -> None:
    policies = [Policy("host-only", rules=(host("a.com"),)), Policy("host-prefix", rules=(host("b.com"), path("/x"))), Policy("host-regex", rules=(host("c.com"), path("/", "REGEX")))]
    assert order(policies) == ["host-prefix", "host-only", "host-regex"]


def test_ties_go_to_the_older_then_the_lower_id() -> None:
    older = "2026-01-01T00:00:00.000001Z"
    newer = "2026-01-01T00:00:00.000002Z"
    policies = [Policy("b", created_at=newer), Policy("z", created_at=older), Policy("a", created_at=newer)]
    assert order(policies) == ["z", "a", "b"]
    assert order(policies, enhanced=True) == ["z", "a", "b"]


def test_the_input_is_left_as_it_was() -> None:
    policies = [Policy("b", priority=2), Policy("a", priority=1)]
    assert order(policies, enhanced=True) == ["a", "b"]
    assert [policy.id for policy in policies] == ["b", "a"]
