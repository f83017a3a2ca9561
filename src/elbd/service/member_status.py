"""A member's operating_status, derived the way the "Adding a Backend Server" page describes it.

- UNKNOWN: the pool is on no load balancer.
- OFFLINE: the instance that owned the address is stopped or deleted (drained by the data plane).
- NO_MONITOR: the pool has no health monitor, or its monitor is administratively down.
- INITIAL: monitored, but no health-check result yet.
- ONLINE / OFFLINE (with `reason`): the last result the data plane's health checks reported.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from elbd.store.models import HealthMonitor, Instance, Listener, Member, Pool

UNKNOWN, OFFLINE, ONLINE, NO_MONITOR, INITIAL = "UNKNOWN", "OFFLINE", "ONLINE", "NO_MONITOR", "INITIAL"


@dataclass(frozen=True)
class PoolFacts:
    load_balancer_id: str | None
    monitored: bool
    listener_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class HealthFacts:
    """What a member's status depends on beyond its own row."""

    pools: dict[str, PoolFacts]
    instance_status: dict[str, str]


def gather(
    session: Session, project_id: str, pool_ids: Iterable[str] | None = None, members: Iterable[Member] | None = None
) -> HealthFacts:
    """The facts for `members` (or any member) of `pool_ids` (or every pool of the project)."""
    if pool_ids is None:
        wanted = set(session.scalars(select(Pool.id).where(Pool.project_id == project_id)))
    else:
        wanted = set(pool_ids)
    pools = {
        pool_id: PoolFacts(load_balancer_id, False)
        for pool_id, load_balancer_id in session.execute(select(Pool.id, Pool.loadbalancer_id).where(Pool.id.in_(wanted)))
    }
    monitored = set(
        session.scalars(select(HealthMonitor.pool_id).where(HealthMonitor.pool_id.in_(wanted), HealthMonitor.admin_state_up.is_(True)))
    )
    listeners: dict[str | None, list[str]] = {}  # keyed by a nullable column, though only pools in `wanted` come back
    for pool_id, listener_id in session.execute(
        select(Listener.default_pool_id, Listener.id).where(Listener.default_pool_id.in_(wanted)).order_by(Listener.created_at, Listener.id)
    ):
        listeners.setdefault(pool_id, []).append(listener_id)
    facts = {
        pool_id: PoolFacts(pool.load_balancer_id, pool_id in monitored, listeners.get(pool_id, []))
        for pool_id, pool in pools.items()
    }
    instances = select(Instance.id, Instance.status).where(Instance.project_id == project_id)
    if members is not None:
        instances = instances.where(Instance.id.in_({member.instance_id for member in members if member.instance_id}))
    statuses = dict(session.execute(instances).all())
    return HealthFacts(facts, statuses)


def instance_exists(member: Member, facts: HealthFacts) -> bool:
    return bool(member.instance_id) and member.instance_id in facts.instance_status


def operating_status(member: Member, facts: HealthFacts) -> str:
    pool = facts.pools[member.pool_id]
    if pool.load_balancer_id is None:
        return UNKNOWN
    if member.instance_id and facts.instance_status.get(member.instance_id) != "ACTIVE":
        return OFFLINE
    if not pool.monitored:
        return NO_MONITOR
    return member.health_status or INITIAL

