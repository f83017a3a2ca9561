"""What an agent serves and writes for: what it holds, only until its fence deadline; a move's target
serves before it holds, and writes nothing until it does."""

import time

from elbd.cluster.node_agent import LeasedScope
from elbd.cluster.timing import FENCE_AFTER_S


def test_a_node_serves_what_it_holds_until_its_fence_deadline() -> None:
    scope = LeasedScope("node-1")
    assert not scope.holds("lb-1")  # never renewed: fenced
    assert scope.renewed({"lb-1": 3}, time.monotonic()) is True  # it was fenced before this renewal
    assert scope.holds("lb-1") and not scope.holds("lb-2")
    assert scope.renewed({"lb-1": 3}, time.monotonic()) is False
    scope.renewed({"lb-1": 3}, time.monotonic() - FENCE_AFTER_S)  # the last renewal began a fence period ago
    assert not scope.holds("lb-1")
    assert scope.allowed(None, ["lb-1"]) == set()  # type: ignore[arg-type]  # fenced: refused before the database is asked


def test_a_load_balancer_moved_here_is_served_before_it_is_held() -> None:
    scope = LeasedScope("node-2")
    scope.renewed({}, time.monotonic())
    scope.arriving("lb-1", True)
    assert scope.holds("lb-1")
    assert scope.allowed(None, ["lb-1"]) == set()  # type: ignore[arg-type]  # nothing held: no write, no question
    scope.renewed({"lb-1": 2}, time.monotonic())
    scope.arriving("lb-1", False)
    assert scope.holds("lb-1")
