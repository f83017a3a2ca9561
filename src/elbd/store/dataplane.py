"""What the data plane reads from the store and writes back, as plain records: a load balancer's stored
state, the members a change names, the members' health, and how the last apply went.

The data plane knows no table, session or ORM object: it asks these functions, and gets frozen rows
it can turn into its own model (dataplane/desired.py) without the database.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from elbd.clock import utcnow
from elbd.store.models import (
    Certificate,
    DataplaneStatus,
    HealthMonitor,
    Instance,
    Listener,
    ListenerCertificate,
    LoadBalancer,
    Member,
    Pool,
    SecurityPolicy,
)


IDS_PER_QUERY = 500


class StoredListener(NamedTuple):
    id: str
    protocol: str
    protocol_port: int
    admin_state_up: bool
    default_pool_id: str | None
    keepalive_timeout: int
    client_timeout: int | None
    member_timeout: int | None
    http2_enable: bool
    default_tls_container_ref: str | None
    client_ca_tls_container_ref: str | None
    sni_container_refs: list[str]
    tls_ciphers_policy: str | None
    security_policy_id: str | None


class StoredCertificateNames(NamedTuple):
    """What a certificate says of the names it answers for (store/certificates.py reads its content)."""

    id: str
    domain: str | None
    subject_alternative_names: list[str]
    common_name: str


class StoredSecurityPolicy(NamedTuple):
    id: str
    protocols: list[str]
    ciphers: list[str]


class StoredPool(NamedTuple):
    id: str
    protocol: str
    lb_algorithm: str
    elbd_connection_reuse: bool


class StoredMonitor(NamedTuple):
    pool_id: str
    type: str
    delay: int
    timeout: int
    max_retries: int
    max_retries_down: int
    monitor_port: int | None
    http_method: str
    url_path: str
    domain_name: str | None
    expected_codes: str
    admin_state_up: bool


class StoredMember(NamedTuple):
    """A member as the data plane needs it; `drained` when a registered instance owns its address and
    does not run (stopped or deleted)."""

    id: str
    pool_id: str
    address: str
    protocol_port: int
    weight: int
    drained: bool
    created_at: datetime


@dataclass(frozen=True)
class StoredLoadBalancer:
    """One load balancer and everything under it, members in creation order."""

    id: str
    vip_address: str | None
    ipv6_vip_address: str | None
    listeners: tuple[StoredListener, ...]
    pools: tuple[StoredPool, ...]
    monitors: Mapping[str, StoredMonitor]  # by pool id
    members: tuple[StoredMember, ...]
    certificates: Mapping[str, StoredCertificateNames] = field(default_factory=dict)  # those its listeners use, by id
    security_policies: Mapping[str, StoredSecurityPolicy] = field(default_factory=dict)  # custom ones its listeners use


class MemberHealth(NamedTuple):
    """What the health checks last said of a member: `status` ONLINE or OFFLINE, None while no check
    has a result (INITIAL), and for OFFLINE the reason."""

    status: str | None
    reason_code: str | None = None
    expected_response: str | None = None
    healthcheck_response: str | None = None


NO_RESULT = MemberHealth(None)

_LISTENERS = (
    select(*(getattr(Listener, column) for column in StoredListener._fields))
    .where(Listener.loadbalancer_id == bindparam("lb"))
    .order_by(Listener.created_at, Listener.id)
)
_POOLS = select(*(getattr(Pool, column) for column in StoredPool._fields)).where(Pool.loadbalancer_id == bindparam("lb")).order_by(Pool.created_at, Pool.id)
_MONITORS = (
    select(*(getattr(HealthMonitor, column) for column in StoredMonitor._fields))
    .join(Pool, Pool.id == HealthMonitor.pool_id)
    .where(Pool.loadbalancer_id == bindparam("lb"))
)
_MEMBER_COLUMNS = (
    Member.id,
    Member.pool_id,
    Member.address,
    Member.protocol_port,
    Member.weight,
    # drained: a registered instance owns the address and does not run (a deleted one left its id)
    ((Member.instance_id != "") & ((Instance.status.is_(None)) | (Instance.status != "ACTIVE"))).label("drained"),
    Member.created_at,
)
_MEMBERS = (
    select(*_MEMBER_COLUMNS)
    .join(Pool, Pool.id == Member.pool_id)
    .outerjoin(Instance, Instance.id == Member.instance_id)
    .where(Pool.loadbalancer_id == bindparam("lb"))
)
_CERTIFICATES = (
    select(*(getattr(Certificate, column) for column in StoredCertificateNames._fields))
    .where(Certificate.id.in_(select(ListenerCertificate.certificate_id).join(Listener).where(Listener.loadbalancer_id == bindparam("lb"))))
)
_SECURITY_POLICIES = (
    select(*(getattr(SecurityPolicy, column) for column in StoredSecurityPolicy._fields))
    .where(SecurityPolicy.id.in_(select(Listener.security_policy_id).where(Listener.loadbalancer_id == bindparam("lb"))))
)
_ALL_MEMBERS = _MEMBERS.order_by(Member.created_at, Member.id)
_NAMED_MEMBERS = _MEMBERS.where(Member.id.in_(bindparam("ids", expanding=True)))


def load_balancer_ids(session: Session) -> set[str]:
    return set(session.scalars(select(LoadBalancer.id)))


def stored_load_balancer(session: Session, load_balancer_id: str) -> StoredLoadBalancer | None:
    """None when the load balancer no longer exists."""
    lb = session.execute(select(LoadBalancer.id, LoadBalancer.vip_address, LoadBalancer.ipv6_vip_address).where(LoadBalancer.id == load_balancer_id)).first()
    if lb is None:
        return None
    connection = session.connection()
    parameters = {"lb": load_balancer_id}
    return StoredLoadBalancer(
        id=lb.id,
        vip_address=lb.vip_address,
        ipv6_vip_address=lb.ipv6_vip_address,
        listeners=tuple(StoredListener(*row) for row in connection.execute(_LISTENERS, parameters)),
        pools=tuple(StoredPool(*row) for row in connection.execute(_POOLS, parameters)),
        monitors={row.pool_id: StoredMonitor(*row) for row in connection.execute(_MONITORS, parameters)},
        members=tuple(StoredMember(*row) for row in connection.execute(_ALL_MEMBERS, parameters)),
        certificates={row.id: StoredCertificateNames(*row) for row in connection.execute(_CERTIFICATES, parameters)},
        security_policies={row.id: StoredSecurityPolicy(*row) for row in connection.execute(_SECURITY_POLICIES, parameters)},
    )


_BY_LB: Any = bindparam("lbs", expanding=True)
_MANY_LOAD_BALANCERS = select(LoadBalancer.id, LoadBalancer.vip_address, LoadBalancer.ipv6_vip_address).where(LoadBalancer.id.in_(_BY_LB))
_MANY_LISTENERS = (
    select(Listener.loadbalancer_id, *(getattr(Listener, column) for column in StoredListener._fields))
    .where(Listener.loadbalancer_id.in_(_BY_LB))
    .order_by(Listener.created_at, Listener.id)
)
_MANY_POOLS = (
    select(Pool.loadbalancer_id, *(getattr(Pool, column) for column in StoredPool._fields))
    .where(Pool.loadbalancer_id.in_(_BY_LB))
    .order_by(Pool.created_at, Pool.id)
)
_MANY_MONITORS = (
    select(Pool.loadbalancer_id, *(getattr(HealthMonitor, column) for column in StoredMonitor._fields))
    .join(Pool, Pool.id == HealthMonitor.pool_id)
    .where(Pool.loadbalancer_id.in_(_BY_LB))
)
_MANY_MEMBERS = (
    select(Pool.loadbalancer_id, *_MEMBER_COLUMNS)
    .join(Pool, Pool.id == Member.pool_id)
    .outerjoin(Instance, Instance.id == Member.instance_id)
    .where(Pool.loadbalancer_id.in_(_BY_LB))
    .order_by(Member.created_at, Member.id)
)
_MANY_CERTIFICATES = (
    select(Listener.loadbalancer_id, *(getattr(Certificate, column) for column in StoredCertificateNames._fields))
    .join(ListenerCertificate, ListenerCertificate.certificate_id == Certificate.id)
    .join(Listener, Listener.id == ListenerCertificate.listener_id)
    .where(Listener.loadbalancer_id.in_(_BY_LB))
    .distinct()
)
_MANY_SECURITY_POLICIES = (
    select(Listener.loadbalancer_id, *(getattr(SecurityPolicy, column) for column in StoredSecurityPolicy._fields))
    .join(Listener, Listener.security_policy_id == SecurityPolicy.id)
    .where(Listener.loadbalancer_id.in_(_BY_LB))
    .distinct()
)
_MANY_HEALTH = (
    select(Pool.loadbalancer_id, Member.id, Member.health_status, Member.reason_code, Member.expected_response, Member.healthcheck_response)
    .join(Pool, Pool.id == Member.pool_id)
    .where(Pool.loadbalancer_id.in_(_BY_LB))
)
_MANY_STATUSES = select(DataplaneStatus.loadbalancer_id, DataplaneStatus.state, DataplaneStatus.message, DataplaneStatus.listeners).where(
    DataplaneStatus.loadbalancer_id.in_(_BY_LB)
)


def _rows_by_load_balancer(session: Session, statement: Any, load_balancer_ids: list[str]) -> dict[str, list[Any]]:
    """The statement's rows (its first column the load balancer's id) grouped by load balancer, in the
    statement's order within each; IDS_PER_QUERY ids per query."""
    connection = session.connection()
    grouped: dict[str, list[Any]] = {}
    for start in range(0, len(load_balancer_ids), IDS_PER_QUERY):
        for row in connection.execute(statement, {"lbs": load_balancer_ids[start : start + IDS_PER_QUERY]}):
            grouped.setdefault(row[0], []).append(row[1:])
    return grouped


def stored_load_balancers(session: Session, load_balancer_ids: Iterable[str]) -> dict[str, StoredLoadBalancer]:
    """What stored_load_balancer answers for each of these load balancers, in a few queries for them all
    (a restarted agent adopting a thousand load balancers asks once, not seven times each). A load
    balancer no longer stored is missing from the answer."""
    ids = sorted(set(load_balancer_ids))
    found = [row for start in range(0, len(ids), IDS_PER_QUERY) for row in session.execute(_MANY_LOAD_BALANCERS, {"lbs": ids[start : start + IDS_PER_QUERY]})]
    listeners = _rows_by_load_balancer(session, _MANY_LISTENERS, ids)
    pools = _rows_by_load_balancer(session, _MANY_POOLS, ids)
    monitors = _rows_by_load_balancer(session, _MANY_MONITORS, ids)
    members = _rows_by_load_balancer(session, _MANY_MEMBERS, ids)
    certificates = _rows_by_load_balancer(session, _MANY_CERTIFICATES, ids)
    policies = _rows_by_load_balancer(session, _MANY_SECURITY_POLICIES, ids)
    return {
        lb.id: StoredLoadBalancer(
            id=lb.id,
            vip_address=lb.vip_address,
            ipv6_vip_address=lb.ipv6_vip_address,
            listeners=tuple(StoredListener(*row) for row in listeners.get(lb.id, ())),
            pools=tuple(StoredPool(*row) for row in pools.get(lb.id, ())),
            monitors={row[0]: StoredMonitor(*row) for row in monitors.get(lb.id, ())},
            members=tuple(StoredMember(*row) for row in members.get(lb.id, ())),
            certificates={row[0]: StoredCertificateNames(*row) for row in certificates.get(lb.id, ())},
            security_policies={row[0]: StoredSecurityPolicy(*row) for row in policies.get(lb.id, ())},
        )
        for lb in found
    }


def stored_member_health(session: Session, load_balancer_ids: Iterable[str]) -> dict[str, dict[str, MemberHealth]]:
    """member_health of each of these load balancers (one without members: an empty mapping), in a few queries."""
    ids = sorted(set(load_balancer_ids))
    grouped = _rows_by_load_balancer(session, _MANY_HEALTH, ids)
    return {one: {row[0]: MemberHealth(*row[1:]) for row in grouped.get(one, ())} for one in ids}


def recorded_statuses(session: Session, load_balancer_ids: Iterable[str]) -> dict[str, tuple[str, str, dict[str, str]]]:
    """(state, message, listeners) as record_status last wrote them, of those of these load balancers that have one."""
    grouped = _rows_by_load_balancer(session, _MANY_STATUSES, sorted(set(load_balancer_ids)))
    return {one: (rows[0][0], rows[0][1], dict(rows[0][2])) for one, rows in grouped.items()}


def stored_members(session: Session, load_balancer_id: str, member_ids: Iterable[str]) -> tuple[StoredMember, ...]:
    """Just these members of the load balancer, oldest first; a member not among them is gone (or moved)."""
    ids = list(member_ids)
    connection = session.connection()
    found: list[Any] = []
    for start in range(0, len(ids), IDS_PER_QUERY):
        found += connection.execute(_NAMED_MEMBERS, {"ids": ids[start : start + IDS_PER_QUERY], "lb": load_balancer_id})
    return tuple(sorted((StoredMember(*row) for row in found), key=lambda member: (member.created_at, member.id)))


def member_health(session: Session, load_balancer_id: str) -> dict[str, MemberHealth]:
    query = (
        select(Member.id, Member.health_status, Member.reason_code, Member.expected_response, Member.healthcheck_response)
        .join(Pool, Pool.id == Member.pool_id)
        .where(Pool.loadbalancer_id == load_balancer_id)
    )
    return {row[0]: MemberHealth(*row[1:]) for row in session.execute(query)}


def save_member_health(session: Session, changes: Mapping[str, MemberHealth]) -> None:
    now = utcnow()
    for member_id, health in changes.items():
        session.execute(
            update(Member)
            .where(Member.id == member_id)
            .values(
                health_status=health.status,
                reason_code=health.reason_code,
                expected_response=health.expected_response,
                healthcheck_response=health.healthcheck_response,
                health_changed_at=now,
            )
        )


def record_status(session: Session, load_balancer_id: str, state: str, message: str, listeners: Mapping[str, str]) -> None:
    """How the last apply went (ACTIVE or ERROR, and why) and each listener's frontend as it runs."""
    status = session.get(DataplaneStatus, load_balancer_id)
    if status is None:
        session.add(DataplaneStatus(loadbalancer_id=load_balancer_id, state=state, message=message, listeners=dict(listeners), updated_at=utcnow()))
    elif (status.state, status.message, status.listeners) != (state, message, listeners):
        status.state, status.message, status.listeners, status.updated_at = state, message, dict(listeners), utcnow()


def forget_status(session: Session, load_balancer_id: str) -> None:
    session.execute(delete(DataplaneStatus).where(DataplaneStatus.loadbalancer_id == load_balancer_id))
