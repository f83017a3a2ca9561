"""Backend server groups: protocol, algorithm, persistence, and where they attach."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from elbd.clock import utcnow
from elbd.errors import conflict, invalid
from elbd.ids import new_id
from elbd.schemas import unserved
from elbd.schemas.pools import (
    ConnectionDrain,
    PoolCreate,
    PoolUpdate,
    QuicCidHashStrategy,
    SessionPersistence,
    SlowStart,
    _PoolSettings,
)
from elbd.service import l7policies, lookups, master_slave_rules, quotas
from elbd.service.bindings import attach_pool_to_load_balancer, bind_pool_to_listener
from elbd.service.child_ids import child_ids
from elbd.service.paging import Page, PageRequest, apply_filters, paginate
from elbd.service.protocols import ANY_PORT_POOLS, CONNECTION_REUSE_POOLS, L4_POOLS
from elbd.store.db import mark_changed
from elbd.store.models import HealthMonitor, Listener, Member, Pool

TUPLE_HASHES = ("2_TUPLE_HASH", "3_TUPLE_HASH", "5_TUPLE_HASH")
DUALSTACK_BY_DEFAULT = ("TCP", "UDP", "QUIC", "IP")
FILTER_COLUMNS = {
    "id": Pool.id,
    "name": Pool.name,
    "description": Pool.description,
    "loadbalancer_id": Pool.loadbalancer_id,
    "protocol": Pool.protocol,
    "lb_algorithm": Pool.lb_algorithm,
    "ip_version": Pool.ip_version,
    "vpc_id": Pool.vpc_id,
    "type": Pool.type,
    "protection_status": Pool.protection_status,
    "admin_state_up": Pool.admin_state_up,
    "member_deletion_protection_enable": Pool.member_deletion_protection_enable,
    "any_port_enable": Pool.any_port_enable,
}
RELATED_FILTERS = {
    "healthmonitor_id": (HealthMonitor.pool_id, HealthMonitor.id),
    "listener_id": (Listener.default_pool_id, Listener.id),
    "member_address": (Member.pool_id, Member.address),
    "member_instance_id": (Member.pool_id, Member.instance_id),
}


def _check_algorithm(protocol: str, algorithm: str) -> None:
    if protocol == "IP" and algorithm not in TUPLE_HASHES:
        raise invalid(f"Invalid input for 'lb_algorithm': an IP backend server group takes {', '.join(TUPLE_HASHES)}.")
    if protocol != "IP" and algorithm in TUPLE_HASHES:
        raise invalid(f"Invalid input for 'lb_algorithm': {algorithm} is only for IP backend server groups.")
    if algorithm == "QUIC_CID" and protocol != "QUIC":
        raise invalid("Invalid input for 'lb_algorithm': QUIC_CID is only for QUIC backend server groups.")


def _persistence(protocol: str, option: SessionPersistence | None) -> dict | None:
    if option is None:
        if protocol == "QUIC":
            raise invalid("Invalid input for 'session_persistence': a QUIC backend server group needs SOURCE_IP persistence.")
        return None
    if protocol in L4_POOLS:
        if option.type != "SOURCE_IP":
            raise invalid(f"Invalid input for 'session_persistence.type': a {protocol} backend server group takes SOURCE_IP.")
        timeout, high = option.persistence_timeout or 1, 60
    else:
        if option.type == "SOURCE_IP":
            raise invalid(f"Invalid input for 'session_persistence.type': a {protocol} backend server group takes HTTP_COOKIE or APP_COOKIE.")
        timeout, high = option.persistence_timeout or 1440, 1440
    if timeout > high:
        raise invalid(f"Invalid input for 'session_persistence.persistence_timeout': {protocol} takes 1 to {high} minutes.")
    if option.type == "APP_COOKIE" and not option.cookie_name:
        raise invalid("Invalid input for 'session_persistence.cookie_name': APP_COOKIE needs it.")
    if option.type != "APP_COOKIE" and option.cookie_name:
        raise invalid("Invalid input for 'session_persistence.cookie_name': it is only valid with APP_COOKIE.")
    return {"type": option.type, "cookie_name": option.cookie_name, "persistence_timeout": timeout}


def _check_settings(protocol: str, settings: _PoolSettings, protection_status: str | None) -> None:
    """The API's rules; what it allows and elbd does not serve is unserved.POOLS'."""
    if settings.admin_state_up is False:
        raise invalid("Invalid input for 'admin_state_up': only true is allowed.")
    if settings.any_port_enable and protocol not in ANY_PORT_POOLS:
        raise invalid(f"Invalid input for 'any_port_enable': only {', '.join(ANY_PORT_POOLS)} backend server groups forward all ports.")
    if settings.slow_start and settings.slow_start.enable and protocol not in ("HTTP", "HTTPS"):
        raise invalid("Invalid input for 'slow_start': only HTTP and HTTPS backend server groups have slow start.")
    if settings.quic_cid_hash_strategy is not None and protocol != "QUIC":
        raise invalid("Invalid input for 'quic_cid_hash_strategy': only QUIC backend server groups have it.")
    if settings.elbd_connection_reuse is not None and protocol not in CONNECTION_REUSE_POOLS:
        raise invalid(f"Invalid input for 'elbd_connection_reuse': only {', '.join(CONNECTION_REUSE_POOLS)} backend server groups reuse connections.")
    if settings.protection_reason and protection_status != "consoleProtection":
        raise invalid("Invalid input for 'protection_reason': it is only valid with protection_status consoleProtection.")


def _check_slow_start(slow_start: dict | None, algorithm: str) -> None:
    """Slow start ramps a weight: only weighted round robin has weights that ramp (the console's rule)."""
    if slow_start and slow_start.get("enable") and algorithm != "ROUND_ROBIN":
        raise invalid(
            f"Invalid input for 'slow_start': slow start needs lb_algorithm ROUND_ROBIN (weighted round robin), not {algorithm}."
        )


def _check_type(pool_type: str, vpc_id: str | None) -> None:
    if pool_type == "instance" and not vpc_id:
        raise invalid("Invalid input for 'vpc_id': a backend server group of type instance needs it.")
    if pool_type == "ip" and vpc_id:
        raise invalid("Invalid input for 'vpc_id': a backend server group of type ip takes none.")
    if vpc_id and pool_type != "instance":
        raise invalid("Invalid input for 'type': a backend server group given a vpc_id must be of type instance.")


def create_pool(session: Session, *, project_id: str, option: PoolCreate) -> Pool:
    protocol = option.protocol
    _check_algorithm(protocol, option.lb_algorithm)
    _check_settings(protocol, option, option.protection_status)
    pool_type = option.type or ""
    if not (option.listener_id or option.loadbalancer_id or pool_type):
        raise invalid("Name at least one of listener_id, loadbalancer_id and type.")
    _check_type(pool_type, option.vpc_id)
    persistence = _persistence(protocol, option.session_persistence)
    _check_slow_start(option.slow_start.model_dump() if option.slow_start else None, option.lb_algorithm)
    unserved.refuse(unserved.POOLS, option.model_dump(exclude_unset=True))
    if protocol == "UDP":
        unserved.refuse(unserved.UDP_POOLS, option.model_dump(exclude_unset=True))
    vpc_id = lookups.vpc(session, project_id, option.vpc_id).id if option.vpc_id else ""
    listener = lookups.listener(session, project_id, option.listener_id) if option.listener_id else None
    lb = lookups.load_balancer(session, project_id, option.loadbalancer_id) if option.loadbalancer_id else None
    if listener is not None:
        if lb is not None and listener.loadbalancer_id != lb.id:
            raise invalid(f"Listener {listener.id} is not on load balancer {lb.id}.")
        if listener.default_pool_id:
            raise conflict(f"Listener {listener.id} already has backend server group {listener.default_pool_id}.")
    quotas.require_room(session, project_id, "pool")
    now = utcnow()
    pool = Pool(
        id=new_id(),
        project_id=project_id,
        loadbalancer_id=None,
        name=option.name or "",
        description=option.description or "",
        protocol=protocol,
        lb_algorithm=option.lb_algorithm,
        ip_version=option.ip_version or ("dualstack" if protocol in DUALSTACK_BY_DEFAULT else "v4"),
        type=pool_type,
        vpc_id=vpc_id,
        admin_state_up=True,
        member_deletion_protection_enable=bool(option.member_deletion_protection_enable),
        any_port_enable=bool(option.any_port_enable),
        elbd_connection_reuse=option.elbd_connection_reuse is not False,
        session_persistence=persistence,
        slow_start=(option.slow_start or SlowStart()).model_dump(),
        connection_drain=(option.connection_drain or ConnectionDrain()).model_dump(),
        pool_health=(option.pool_health.model_dump() if option.pool_health else {"minimum_healthy_member_count": 0}),
        quic_cid_hash_strategy=(option.quic_cid_hash_strategy or QuicCidHashStrategy()).model_dump() if protocol == "QUIC" else None,
        protection_status=option.protection_status or "nonProtection",
        protection_reason=option.protection_reason,
        created_at=now,
        updated_at=now,
    )
    session.add(pool)
    if listener is not None:
        bind_pool_to_listener(session, pool, listener)
    elif lb is not None:
        attach_pool_to_load_balancer(session, pool, lb)
    session.flush()
    return pool


def list_pools(
    session: Session, *, project_id: str, filters: dict, page: PageRequest, master_slave: bool | None = None, keep: Callable[[Pool], bool] | None = None
) -> Page[Pool]:
    """With `master_slave`, only the active/standby groups (True) or only the others (False)."""
    query: Select = select(Pool).where(Pool.project_id == project_id)
    if master_slave is not None:
        query = query.where(Pool.master_slave.is_(master_slave))
    for name, (pool_column, column) in RELATED_FILTERS.items():
        if filters.get(name):
            query = query.where(Pool.id.in_(select(pool_column).where(column.in_(filters[name]))))
    return paginate(session, apply_filters(query, FILTER_COLUMNS, filters), Pool, page, keep)


def update_pool(session: Session, *, project_id: str, pool_id: str, option: PoolUpdate) -> Pool:
    pool = lookups.pool(session, project_id, pool_id)
    master_slave_rules.refuse_change(pool.id, pool.master_slave, "settings")
    changes = option.model_dump(exclude_unset=True)
    _check_settings(pool.protocol, option, changes.get("protection_status", pool.protection_status))
    if option.lb_algorithm is not None:
        _check_algorithm(pool.protocol, option.lb_algorithm)
    persistence = _persistence(pool.protocol, option.session_persistence) if "session_persistence" in changes else None
    _check_slow_start(changes["slow_start"] if changes.get("slow_start") is not None else pool.slow_start, option.lb_algorithm or pool.lb_algorithm)
    unserved.refuse(unserved.POOLS, changes, stored=pool)
    if pool.protocol == "UDP":
        unserved.refuse(unserved.UDP_POOLS, changes, stored=pool)
    if "session_persistence" in changes:
        pool.session_persistence = persistence
    if option.vpc_id is not None and option.vpc_id != pool.vpc_id:
        if pool.vpc_id:
            raise invalid("Invalid input for 'vpc_id': it can only be set while empty.")
        if pool.type == "ip":
            raise invalid("Invalid input for 'vpc_id': a backend server group of type ip takes none.")
        pool.vpc_id = lookups.vpc(session, project_id, option.vpc_id).id
    if "type" in changes and (option.type or "") != pool.type:
        if pool.type:
            raise invalid("Invalid input for 'type': it can only be set while empty.")
        # The pool's vpc_id here came from its load balancer, not from the caller: it does not stop
        # type ip, but backends bound to a subnet (instance members) do.
        if option.type == "instance" and not pool.vpc_id:
            raise invalid("Invalid input for 'vpc_id': a backend server group of type instance needs it.")
        instance_members = select(Member.id).where(Member.pool_id == pool.id, Member.member_type == "instance")
        if option.type == "ip" and session.scalars(instance_members).first():
            raise invalid("Invalid input for 'type': the group has backend servers bound to a subnet; type ip takes only IP backends.")
        pool.type = option.type or ""
    if option.any_port_enable is not None and option.any_port_enable != pool.any_port_enable:
        if session.scalars(select(Member.id).where(Member.pool_id == pool.id)).first():
            raise invalid("Invalid input for 'any_port_enable': it can only change while the group has no members.")
        portless_monitor = select(HealthMonitor.id).where(HealthMonitor.pool_id == pool.id, HealthMonitor.monitor_port.is_(None))
        if option.any_port_enable and session.scalars(portless_monitor).first():
            raise invalid("Invalid input for 'any_port_enable': the group's health check needs a monitor_port first.")
        pool.any_port_enable = option.any_port_enable
    for name in ("name", "description", "lb_algorithm", "member_deletion_protection_enable", "protection_status", "elbd_connection_reuse"):
        if changes.get(name) is not None:
            setattr(pool, name, changes[name])
    if "protection_reason" in changes:
        pool.protection_reason = option.protection_reason
    for name in ("slow_start", "connection_drain", "pool_health", "quic_cid_hash_strategy"):
        value = getattr(option, name)
        if value is not None:
            setattr(pool, name, value.model_dump())
    pool.updated_at = utcnow()
    mark_changed(session, pool.loadbalancer_id)
    return pool


def delete_pool(session: Session, *, project_id: str, pool_id: str) -> None:
    pool = lookups.pool(session, project_id, pool_id)
    if session.scalars(select(Member.id).where(Member.pool_id == pool.id)).first():
        raise conflict(f"Backend server group {pool.id} still has backend servers; remove them first.")
    if session.scalars(select(HealthMonitor.id).where(HealthMonitor.pool_id == pool.id)).first():
        raise conflict(f"Backend server group {pool.id} still has a health check; delete it first.")
    l7policies.refuse_deleting_pool_in_use(session, project_id, pool.id)
    for listener in session.scalars(select(Listener).where(Listener.default_pool_id == pool.id)):
        listener.default_pool_id = None
    session.flush()
    session.delete(pool)
    mark_changed(session, pool.loadbalancer_id)


@dataclass(frozen=True)
class Related:
    """What some pools' answers name beyond their own rows, by pool id: the ids of their listeners and
    members (in creation order), and of their health monitor."""

    listeners: dict[str, list[str]]
    members: dict[str, list[str]]
    monitors: dict[str, str]


def related(session: Session, pool_ids: Iterable[str]) -> Related:
    wanted = list(pool_ids)
    monitors = select(HealthMonitor.pool_id, HealthMonitor.id).where(HealthMonitor.pool_id.in_(wanted))
    return Related(
        child_ids(session, Listener.default_pool_id, Listener.id, wanted),
        child_ids(session, Member.pool_id, Member.id, wanted),
        {pool_id: monitor_id for pool_id, monitor_id in session.execute(monitors)},
    )

