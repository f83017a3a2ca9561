"""The recycle bin: a project's setting and policy, the load balancers its deletes keep, their restore
and their purge. The rules are in recycle_policy.py; this module reads and writes the store.

A kept load balancer leaves the live tables whole (its delete runs as ever, so the data plane stops
serving it) and its rows wait here as JSON; its VIPs stay held (service/addresses.py) until it is
restored or purged. Purging is done on access: every operation of the bin first removes what is past
its time, and the address rules count an entry past its time as gone already."""

from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elbd import clock
from elbd.errors import conflict, invalid, not_found
from elbd.recycle_policy import DEFAULT_POLICY, Policy, auto_terminate_at, changed_policy, expired, kept_on_delete
from elbd.service import lookups
from elbd.service.addresses import unavailable, vip_holder
from elbd.service.bindings import attach_pool_to_load_balancer
from elbd.service.lb_rows import load_balancer_rows, pools_named, require_room, without_health
from elbd.service.paging import Page, PageRequest, apply_filters, paginate
from elbd.store.db import mark_changed
from elbd.store.models import Listener, LoadBalancer, Member, Pool, RecycleBinSettings, RecycledLoadBalancer
from elbd.store.row_snapshots import dump, load, model_named, outside_references

FILTER_COLUMNS = {
    "id": RecycledLoadBalancer.id,
    "name": RecycledLoadBalancer.name,
    "vpc_id": RecycledLoadBalancer.vpc_id,
    "vip_address": RecycledLoadBalancer.vip_address,
    "vip_subnet_cidr_id": RecycledLoadBalancer.vip_subnet_cidr_id,
    "ipv6_vip_address": RecycledLoadBalancer.ipv6_vip_address,
    "ipv6_vip_virsubnet_id": RecycledLoadBalancer.ipv6_vip_virsubnet_id,
}

_KINDS = {"certificates": "certificate", "security_policies": "security policy", "ip_groups": "IP address group", "listeners": "listener"}


def settings(session: Session, project_id: str) -> tuple[bool, Policy]:
    row = session.get(RecycleBinSettings, project_id)
    return (False, DEFAULT_POLICY) if row is None else (row.enable, Policy(row.retention_hour, row.recycle_threshold_hour))


def change_settings(
    session: Session, *, project_id: str, enable: bool | None = None, retention_hour: int | None = None, recycle_threshold_hour: int | None = None
) -> tuple[bool, Policy]:
    enabled, policy = settings(session, project_id)
    policy = changed_policy(policy, retention_hour, recycle_threshold_hour)
    enabled = enabled if enable is None else enable
    now = clock.utcnow()
    row = session.get(RecycleBinSettings, project_id)
    if row is None:
        row = RecycleBinSettings(project_id=project_id, created_at=now)
        session.add(row)
    row.enable, row.retention_hour, row.recycle_threshold_hour, row.updated_at = enabled, policy.retention_hour, policy.recycle_threshold_hour, now
    return enabled, policy


def keep_if_on(session: Session, lb: LoadBalancer, *, with_pools: bool) -> None:
    """Before a delete removes `lb`: its rows into the bin, if the project's bin is on and the load
    balancer is old enough. Called again for the same load balancer within a delete, it does nothing."""
    if session.get(RecycledLoadBalancer, lb.id) is not None:
        return
    enabled, policy = settings(session, lb.project_id)
    now = clock.utcnow()
    if not kept_on_delete(enabled, policy, lb.created_at, now):
        return
    purge_expired(session, now)
    session.add(
        RecycledLoadBalancer(
            id=lb.id,
            project_id=lb.project_id,
            name=lb.name,
            vpc_id=lb.vpc_id,
            vip_subnet_cidr_id=lb.vip_subnet_cidr_id,
            vip_address=lb.vip_address,
            ipv6_vip_virsubnet_id=lb.ipv6_vip_virsubnet_id,
            ipv6_vip_address=lb.ipv6_vip_address,
            rows={"rows": without_health(dump(load_balancer_rows(session, lb, with_pools=with_pools)))},
            created_at=lb.created_at,
            recycled_at=now,
            auto_terminate_at=auto_terminate_at(now, policy),
        )
    )


def live_only(filters: dict[str, Any]) -> dict[str, Any]:
    """A listing's filters without `include_recycle_bin`: false is what every listing does; true is
    refused, since the bin has its own listing (GET .../recycle-bin/loadbalancers)."""
    rest = dict(filters)
    if rest.pop("include_recycle_bin", False):
        raise invalid("Invalid input for 'include_recycle_bin': only false; list the recycle bin with GET /v3/{project_id}/elb/recycle-bin/loadbalancers.")
    return rest


def purge_expired(session: Session, now: datetime) -> None:
    session.execute(delete(RecycledLoadBalancer).where(RecycledLoadBalancer.auto_terminate_at <= now).execution_options(synchronize_session="fetch"))


def list_recycled(session: Session, *, project_id: str, filters: dict, page: PageRequest) -> Page[RecycledLoadBalancer]:
    purge_expired(session, clock.utcnow())
    query: Select = select(RecycledLoadBalancer).where(RecycledLoadBalancer.project_id == project_id)
    return paginate(session, apply_filters(query, FILTER_COLUMNS, filters), RecycledLoadBalancer, page)


def _recycled(session: Session, project_id: str, load_balancer_id: str) -> RecycledLoadBalancer:
    found = session.get(RecycledLoadBalancer, load_balancer_id)
    if found is None or found.project_id != project_id or expired(found.auto_terminate_at, clock.utcnow()):
        raise not_found("loadbalancer", load_balancer_id)
    return found


def delete_recycled(session: Session, *, project_id: str, load_balancer_id: str) -> None:
    """Deleted for good: its VIPs are free again."""
    session.delete(_recycled(session, project_id, load_balancer_id))


def restore(session: Session, *, project_id: str, load_balancer_id: str) -> LoadBalancer:
    """The load balancer back as it was deleted, with what its delete removed (its health reports
    excepted); the data plane serves it again. Refused (409, nothing changed) when something it
    names is gone, when a quota has no room left, or when a member's address became a VIP meanwhile;
    400 when a group its delete left behind is on another load balancer now."""
    recycled = _recycled(session, project_id, load_balancer_id)
    snapshot = recycled.rows["rows"]
    rows = load(snapshot)
    require_room(session, project_id, snapshot)
    for row in rows:
        if isinstance(row, Member) and vip_holder(session, row.address) is not None:
            raise conflict(f"Load balancer {load_balancer_id} cannot be restored: its backend server {row.id}'s address {row.address} is a VIP now.")
    left_behind = pools_named(snapshot) - {entry["values"]["id"] for entry in snapshot if entry["table"] == Pool.__tablename__}
    for table, row_id in outside_references(snapshot):
        if table == Pool.__tablename__:
            continue
        if session.get(model_named(table), row_id) is None:
            raise conflict(f"Load balancer {load_balancer_id} cannot be restored: {_KINDS.get(table, table)} {row_id} it used was deleted.")
    left_pools: list[Pool] = []
    for pool_id in sorted(left_behind):
        pool = session.get(Pool, pool_id)
        if pool is None or pool.project_id != project_id:
            raise conflict(f"Load balancer {load_balancer_id} cannot be restored: backend server group {pool_id} it used was deleted.")
        left_pools.append(pool)
    session.delete(recycled)
    session.flush()
    for row in rows:
        session.add(row)
        try:
            session.flush()
        except IntegrityError:  # a VIP taken in the meantime by a concurrent transaction (PostgreSQL)
            raise conflict(unavailable(recycled.vip_address or recycled.ipv6_vip_address or "")) from None
    lb = lookups.load_balancer(session, project_id, load_balancer_id)
    for pool in left_pools:  # the groups its cascade left on no load balancer (unbounded_pool false) rejoin it
        attach_pool_to_load_balancer(session, pool, lb)
    mark_changed(session, load_balancer_id)
    return lb


def children_of(recycled: RecycledLoadBalancer) -> dict[str, list[str]]:
    """The ids of the listeners and pools the entry holds (for its view)."""
    snapshot = recycled.rows["rows"]
    return {
        "listeners": [entry["values"]["id"] for entry in snapshot if entry["table"] == Listener.__tablename__],
        "pools": [entry["values"]["id"] for entry in snapshot if entry["table"] == Pool.__tablename__],
    }


def load_balancer_row(recycled: RecycledLoadBalancer) -> LoadBalancer:
    """The load balancer as it was deleted (a transient row, for its view)."""
    first = load(recycled.rows["rows"][:1])[0]
    assert isinstance(first, LoadBalancer)
    return first
