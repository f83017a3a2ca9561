"""Everything under one load balancer, read in four queries: what the status tree and the data plane see."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from elbd.store.models import HealthMonitor, Listener, LoadBalancer, Member, Pool


@dataclass(frozen=True)
class LoadBalancerTree:
    load_balancer: LoadBalancer
    listeners: list[Listener]
    pools: list[Pool]
    monitors: dict[str, HealthMonitor]  # by pool id
    members: dict[str, list[Member]]  # by pool id, in creation order

    @property
    def all_members(self) -> list[Member]:
        return [member for found in self.members.values() for member in found]


def load_balancer_tree(session: Session, lb: LoadBalancer) -> LoadBalancerTree:
    listeners = list(session.scalars(select(Listener).where(Listener.loadbalancer_id == lb.id).order_by(Listener.created_at, Listener.id)))
    pools = list(session.scalars(select(Pool).where(Pool.loadbalancer_id == lb.id).order_by(Pool.created_at, Pool.id)))
    pool_ids = [pool.id for pool in pools]
    monitors = {m.pool_id: m for m in session.scalars(select(HealthMonitor).where(HealthMonitor.pool_id.in_(pool_ids)))}
    members: dict[str, list[Member]] = {}
    for member in session.scalars(select(Member).where(Member.pool_id.in_(pool_ids)).order_by(Member.created_at, Member.id)):
        members.setdefault(member.pool_id, []).append(member)
    return LoadBalancerTree(lb, listeners, pools, monitors, members)
