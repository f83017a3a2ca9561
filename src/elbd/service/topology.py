"""A load balancer's topology: its listeners and backend server groups as nodes, and edges from the
load balancer to each listener, from a listener to its default pool, and from a listener to each pool
a forwarding policy of it sends to (labelled with the policy). Filters narrow the nodes; an edge is
shown when both its ends are."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elbd.service import lookups
from elbd.service.l7rules import rules_by_policy
from elbd.store.models import L7Policy, L7Rule, Listener, LoadBalancer, Pool


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    source_type: str
    target_type: str
    label: str | None = None
    label_id: str | None = None


@dataclass(frozen=True)
class Topology:
    load_balancer: LoadBalancer
    listeners: Sequence[Listener]
    pools: Sequence[Pool]
    edges: Sequence[Edge]
    policies: Sequence[tuple[L7Policy, list[L7Rule]]]


def _ordered(model: Any) -> tuple[Any, Any]:
    return model.created_at, model.id


def topology(session: Session, *, project_id: str, load_balancer_id: str, filters: dict[str, Any]) -> Topology:
    lb = lookups.load_balancer(session, project_id, load_balancer_id)
    listener_query = select(Listener).where(Listener.loadbalancer_id == lb.id).order_by(*_ordered(Listener))
    for name, column in (("listener_id", Listener.id), ("listener_name", Listener.name), ("listener_protocol", Listener.protocol), ("listener_protocol_port", Listener.protocol_port)):
        if filters.get(name) is not None:
            listener_query = listener_query.where(column == filters[name])
    pool_query = select(Pool).where(Pool.loadbalancer_id == lb.id).order_by(*_ordered(Pool))
    for name, column in (("pool_id", Pool.id), ("pool_name", Pool.name)):
        if filters.get(name) is not None:
            pool_query = pool_query.where(column == filters[name])
    listeners = list(session.scalars(listener_query))
    pools = list(session.scalars(pool_query))
    shown_pools = {pool.id for pool in pools}
    edges = [Edge(lb.id, listener.id, "loadbalancer", "listener") for listener in listeners]
    edges += [
        Edge(listener.id, listener.default_pool_id, "listener", "pool")
        for listener in listeners
        if listener.default_pool_id in shown_pools
    ]
    policy_query = select(L7Policy).where(L7Policy.listener_id.in_([listener.id for listener in listeners]), L7Policy.action == "REDIRECT_TO_POOL")
    labelled: list[L7Policy] = []
    for policy in session.scalars(policy_query.order_by(*_ordered(L7Policy))):
        targets = [entry["pool_id"] for entry in policy.redirect_pools_config if entry["pool_id"] in shown_pools]
        edges += [Edge(policy.listener_id, pool_id, "listener", "pool", "l7policy", policy.id) for pool_id in targets]
        if targets:
            labelled.append(policy)
    rules = rules_by_policy(session, [policy.id for policy in labelled])
    return Topology(lb, listeners, pools, edges, [(policy, rules[policy.id]) for policy in labelled])
