"""What a node decides from one look at the cluster, without the database: which load balancers it
claims, whether a mass failure stops failover, whether it must fence itself.

Every live node computes the same answer from the same look (least loaded node first, ties broken by a
hash of node and load balancer, as MetalLB does), and claims only what falls to it; the claim itself is
a conditional write, so two nodes that looked at different moments never both win.
"""

import hashlib
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from elbd.cluster.timing import FENCE_AFTER_S

# Octavia's failover threshold: when more than this share of the nodes serving load balancers lost their
# leases at once (and at least MASS_FAILURE_MIN_NODES of them), the cause is more likely the network or
# the database than the nodes, and moving everything at once would only pile the load on the survivors.
MASS_FAILURE_SHARE = 0.5
MASS_FAILURE_MIN_NODES = 2


@dataclass(frozen=True)
class PlacementSeen:
    """A load balancer as one look at the cluster saw it: its node (None: never placed), whether that
    node's lease has run out, and the node an operator moves it to."""

    load_balancer_id: str
    node: str | None
    expired: bool = False
    moving_to: str | None = None


@dataclass(frozen=True)
class ClusterSeen:
    live_nodes: frozenset[str]
    placements: tuple[PlacementSeen, ...]


def mass_failure(seen: ClusterSeen) -> bool:
    """Whether so many serving nodes lost their leases at once, and are not back, that failover stops
    (new load balancers are still placed). A node back beats its heartbeat again: it no longer counts."""
    owners = {one.node for one in seen.placements if one.node is not None}
    lost = {one.node for one in seen.placements if one.node is not None and one.expired and one.node not in seen.live_nodes}
    return len(lost) >= MASS_FAILURE_MIN_NODES and len(lost) > MASS_FAILURE_SHARE * len(owners)


def _tie_break(node: str, load_balancer_id: str) -> str:
    return hashlib.sha256(f"{node}#{load_balancer_id}".encode()).hexdigest()


def claims(me: str, seen: ClusterSeen) -> list[str]:
    """The load balancers `me` claims now: those never placed and those whose lease ran out (unless a
    mass failure stops failover), each given to the least loaded live node; a lease that still runs is
    never taken, so a node coming back takes nothing back."""
    if not seen.live_nodes:
        return []
    loads = Counter({node: 0 for node in seen.live_nodes})
    loads.update(one.node for one in seen.placements if one.node in seen.live_nodes and not one.expired)
    stopped = mass_failure(seen)
    wanted = sorted(one.load_balancer_id for one in seen.placements if one.node is None or (one.expired and not stopped))
    mine = []
    for load_balancer_id in wanted:
        target = min(seen.live_nodes, key=lambda node: (loads[node], _tie_break(node, load_balancer_id)))
        loads[target] += 1
        if target == me:
            mine.append(load_balancer_id)
    return mine


def arrivals(me: str, seen: ClusterSeen) -> list[str]:
    """The load balancers an operator moves to `me` from another node."""
    return sorted(one.load_balancer_id for one in seen.placements if one.moving_to == me and one.node != me)


def fenced(now: float, last_renewal_started: float | None) -> bool:
    """Whether a node whose last successful renewal began at `last_renewal_started` (monotonic clock;
    None: never) must serve nothing now."""
    return last_renewal_started is None or now >= last_renewal_started + FENCE_AFTER_S


def version_changed(before: Mapping[str, Hashable], now: Mapping[str, Hashable]) -> set[str]:
    """The held load balancers whose version (epoch and configuration version) moved since the last
    look (a change whose notification was lost is found here), and those newly held."""
    return {one for one, version in now.items() if before.get(one) != version}


@dataclass(frozen=True)
class PlacementVersions:
    """A served load balancer's configuration version (raised by every write) and the last version its
    node has applied."""

    config: int
    applied: int


def unconfirmed(wanted: Mapping[str, int], now: Mapping[str, PlacementVersions]) -> set[str]:
    """The load balancers whose node has not yet applied the version an answer waits for (`wanted`, read
    right after the answer's write committed). One not in `now` is served by no node: no node serves its
    older configuration either (a node whose lease ran out has fenced itself), and the node that claims
    it builds it from the store as it is then."""
    return {one for one, version in wanted.items() if one in now and now[one].applied < version}
