"""Deletes that take what is under a resource with them, each in the caller's one transaction (all or
nothing): a backend server group with its members and health check, a listener with its forwarding
policies, a load balancer with its listeners, policies and backend server groups. Each step is the
resource's own delete, so its rules hold (protections, policies of other listeners naming it); the
data plane follows the store, as after any delete."""

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from elbd.errors import conflict
from elbd.service import l7policies, listeners, loadbalancers, lookups, pools, recycle_bin
from elbd.store.db import mark_changed
from elbd.store.models import HealthMonitor, L7Policy, Listener, Member, Pool


def delete_pool_cascade(session: Session, *, project_id: str, pool_id: str) -> None:
    """The pool, its members and its health check. A pool with member deletion protection, or one a
    forwarding policy uses, is not deleted (409)."""
    pool = lookups.pool(session, project_id, pool_id)
    has_members = session.scalars(select(Member.id).where(Member.pool_id == pool.id)).first() is not None
    if has_members and pool.member_deletion_protection_enable:
        raise conflict(f"Backend server group {pool.id} has member deletion protection enabled.")
    l7policies.refuse_deleting_pool_in_use(session, project_id, pool.id)
    session.execute(delete(Member).where(Member.pool_id == pool.id).execution_options(synchronize_session="fetch"))
    session.execute(delete(HealthMonitor).where(HealthMonitor.pool_id == pool.id).execution_options(synchronize_session="fetch"))
    session.flush()
    pools.delete_pool(session, project_id=project_id, pool_id=pool.id)


def delete_listener_force(session: Session, *, project_id: str, listener_id: str) -> None:
    """The listener and its forwarding policies; its pools stay, no longer bound to it. A policy of
    another listener that redirects to it keeps it (409)."""
    listener = lookups.listener(session, project_id, listener_id)
    _delete_policies_on(session, project_id, [listener.id])
    listeners.delete_listener(session, project_id=project_id, listener_id=listener.id)


def delete_load_balancer_cascade(session: Session, *, project_id: str, load_balancer_id: str, delete_pools: bool) -> None:
    """The load balancer, its listeners with their policies, and its backend server groups with their
    members and health checks (with `delete_pools` false, the groups stay, on no load balancer).
    Deletion protection keeps it (409). With the project's recycle bin on, what it deletes goes there."""
    lb = lookups.load_balancer(session, project_id, load_balancer_id)
    if lb.deletion_protection_enable:
        raise conflict(f"Load balancer {lb.id} has deletion protection enabled.")
    recycle_bin.keep_if_on(session, lb, with_pools=delete_pools)
    listener_ids = list(session.scalars(select(Listener.id).where(Listener.loadbalancer_id == lb.id)))
    _delete_policies_on(session, project_id, listener_ids)
    for listener_id in listener_ids:
        listeners.delete_listener(session, project_id=project_id, listener_id=listener_id)
    for pool in list(session.scalars(select(Pool).where(Pool.loadbalancer_id == lb.id))):
        if delete_pools:
            delete_pool_cascade(session, project_id=project_id, pool_id=pool.id)
        else:
            pool.loadbalancer_id = None
    session.flush()
    loadbalancers.delete_load_balancer(session, project_id=project_id, load_balancer_id=lb.id)
    mark_changed(session, lb.id)


def _delete_policies_on(session: Session, project_id: str, listener_ids: Sequence[str]) -> None:
    query = select(L7Policy.id).where(L7Policy.listener_id.in_(listener_ids)).order_by(L7Policy.created_at, L7Policy.id)
    for policy_id in list(session.scalars(query)):
        l7policies.delete_policy(session, project_id=project_id, policy_id=policy_id)
