"""The rows under a load balancer or a listener, as the recycle bin keeps them and a clone copies them:
parents before children, so they can be put back in order."""

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from elbd.service import ipgroups, quotas
from elbd.store.models import (
    Base,
    HealthMonitor,
    L7Policy,
    L7Rule,
    Listener,
    ListenerCertificate,
    ListenerIpGroup,
    LoadBalancer,
    Member,
    Pool,
)
from elbd.store.row_snapshots import Snapshot, renamed

# A member's last reported health: not carried over, since nothing checked it while it was not served.
HEALTH_COLUMNS = ("health_status", "reason_code", "expected_response", "healthcheck_response", "health_changed_at")


def load_balancer_rows(session: Session, lb: LoadBalancer, *, with_pools: bool) -> list[Base]:
    """The load balancer, its listeners with their policies, rules and bindings, and (`with_pools`) its
    backend server groups with their health checks and members."""
    pools = list(session.scalars(select(Pool).where(Pool.loadbalancer_id == lb.id).order_by(Pool.created_at, Pool.id))) if with_pools else []
    listeners = list(session.scalars(select(Listener).where(Listener.loadbalancer_id == lb.id).order_by(Listener.created_at, Listener.id)))
    return [lb, *pool_rows(session, pools), *listener_rows(session, listeners)]


def pool_rows(session: Session, pools: Sequence[Pool]) -> list[Base]:
    ids = [pool.id for pool in pools]
    monitors = session.scalars(select(HealthMonitor).where(HealthMonitor.pool_id.in_(ids)).order_by(HealthMonitor.created_at, HealthMonitor.id))
    members = session.scalars(select(Member).where(Member.pool_id.in_(ids)).order_by(Member.created_at, Member.id))
    return [*pools, *monitors, *members]


def listener_rows(session: Session, listeners: Sequence[Listener]) -> list[Base]:
    """The listeners, their forwarding policies and rules, and their certificate and IP group bindings."""
    ids = [listener.id for listener in listeners]
    policies = list(session.scalars(select(L7Policy).where(L7Policy.listener_id.in_(ids)).order_by(L7Policy.created_at, L7Policy.id)))
    rules = session.scalars(select(L7Rule).where(L7Rule.l7policy_id.in_([policy.id for policy in policies])).order_by(L7Rule.created_at, L7Rule.id))
    certificates = session.scalars(select(ListenerCertificate).where(ListenerCertificate.listener_id.in_(ids)))
    groups = session.scalars(select(ListenerIpGroup).where(ListenerIpGroup.listener_id.in_(ids)))
    return [*listeners, *policies, *rules, *certificates, *groups]


def pools_of_listener(session: Session, listener: Listener) -> list[Pool]:
    """The backend server groups a listener sends to: its default one and its policies' targets."""
    policy_pools = select(L7Policy.redirect_pool_id).where(L7Policy.listener_id == listener.id)
    query = select(Pool).where(or_(Pool.id == listener.default_pool_id, Pool.id.in_(policy_pools))).order_by(Pool.created_at, Pool.id)
    found = list(session.scalars(query))
    redirect_pools = {entry["pool_id"] for policy in session.scalars(select(L7Policy).where(L7Policy.listener_id == listener.id)) for entry in (policy.redirect_pools_config or [])}
    missing = redirect_pools - {pool.id for pool in found}
    return found + list(session.scalars(select(Pool).where(Pool.id.in_(missing)).order_by(Pool.created_at, Pool.id)))


def without_health(snapshot: Snapshot) -> Snapshot:
    return [
        {"table": entry["table"], "values": {**entry["values"], **dict.fromkeys(HEALTH_COLUMNS)}} if entry["table"] == Member.__tablename__ else entry
        for entry in snapshot
    ]


def pools_named(snapshot: Snapshot) -> set[str]:
    """Every backend server group the snapshot's listeners and policies send to."""
    named: set[str] = set()
    for entry in snapshot:
        values = entry["values"]
        if entry["table"] == Listener.__tablename__ and values["default_pool_id"]:
            named.add(values["default_pool_id"])
        if entry["table"] == L7Policy.__tablename__:
            named.update(one["pool_id"] for one in values["redirect_pools_config"] or [])
            if values["redirect_pool_id"]:
                named.add(values["redirect_pool_id"])
    return named


def copied(snapshot: Snapshot, new_ids: dict[str, str]) -> Snapshot:
    """The snapshot under new ids (row_snapshots.renamed), the pools a policy weighs among included."""
    result = renamed(snapshot, new_ids)
    for entry in result:
        if entry["table"] == L7Policy.__tablename__ and entry["values"]["redirect_pools_config"]:
            entry["values"]["redirect_pools_config"] = [
                {**one, "pool_id": new_ids.get(one["pool_id"], one["pool_id"])} for one in entry["values"]["redirect_pools_config"]
            ]
    return result


def require_room(session: Session, project_id: str, snapshot: Snapshot) -> None:
    """Room in the project's quotas for the snapshot's listeners, pools and members, and in each IP
    address group for the listeners it binds (409 ELB.8905 or the group's refusal, otherwise)."""
    for model, resource in ((LoadBalancer, "loadbalancer"), (Listener, "listener"), (Pool, "pool"), (Member, "member")):
        adding = sum(1 for entry in snapshot if entry["table"] == model.__tablename__)
        if adding:
            quotas.require_room(session, project_id, resource, adding=adding)
    bindings = Counter(entry["values"]["ipgroup_id"] for entry in snapshot if entry["table"] == ListenerIpGroup.__tablename__)
    for group_id, adding in sorted(bindings.items()):
        ipgroups.require_binding_room(session, project_id, group_id, adding)
