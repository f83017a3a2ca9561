"""What the data plane reads from the store and writes back, as plain records: a load balancer's stored
state, its listeners' forwarding policies, the members a change names, the members' health, and how
the last apply went.

The data plane knows no table, session or ORM object: it asks these functions, and gets frozen rows
it can turn into its own model (dataplane/desired.py) without the database.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Text, bindparam, cast, delete, select, update
from sqlalchemy.orm import Session

from elbd.clock import utcnow
from elbd.l7_precedence import ordered
from elbd.store import health_timeline
from elbd.store.models import (
    Certificate,
    DataplaneStatus,
    HealthMonitor,
    Instance,
    IpGroup,
    L7Policy,
    L7Rule,
    Listener,
    ListenerCertificate,
    ListenerIpGroup,
    LoadBalancer,
    Logtank,
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
    insert_headers: Mapping[str, Any] = {}  # a default never changed in place
    enable_member_retry: bool = True
    cps: int = 0  # new connections per second; 0 is unlimited
    connection: int = 0  # concurrent connections; 0 is unlimited
    ipgroup_enable: bool | None = None  # access control by IP address groups (StoredLoadBalancer.ip_entries)
    ipgroup_type: str | None = None


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
    session_persistence: dict | None = None
    slow_start: dict | None = None
    connection_drain: dict | None = None


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
    role: str | None = None  # master or slave in an active/standby pool (the slave is a backup server)


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
    l7_policies: "Mapping[str, tuple[StoredL7Policy, ...]]" = field(default_factory=dict)  # by listener id, each in precedence order
    ip_entries: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # by listener id: every entry of the groups it names
    l4_flavor_id: str | None = None  # its flavors (elbd/flavors.py), whose limits its listeners share
    l7_flavor_id: str | None = None
    access_log: bool = False  # it has a log tank: HAProxy logs its listeners' traffic


@dataclass(frozen=True)
class StoredL7Rule:
    """One rule of a policy; a policy's rules are AND-ed, a rule's values OR-ed.

    Values are checked at the API (l7_values.py): printable ASCII, no control characters, 1-128
    characters; HOST_NAME values are [A-Za-z0-9.-] with an optional leading "*."; PATH EQUAL_TO and
    STARTS_WITH values start with "/"; a PATH REGEX compiles in PCRE2 and has no nested or alternating
    repetition; METHOD values are GET PUT POST DELETE PATCH HEAD OPTIONS; SOURCE_IP values are canonical
    CIDRs; HEADER and QUERY_STRING values may hold the wildcards * and ?."""

    id: str
    type: str  # HOST_NAME PATH METHOD HEADER QUERY_STRING SOURCE_IP COOKIE
    compare_type: str  # EQUAL_TO STARTS_WITH REGEX
    key: str | None  # header / query-string / cookie name (from the rule's conditions' key); None otherwise
    values: tuple[str, ...]  # the rule's value, or its conditions' values (OR-ed); never empty


@dataclass(frozen=True)
class StoredRedirectUrl:
    """Each part as stored: "${protocol}", "${host}", "${port}", "${path}", "${query}" mean the request's
    own, and are kept literally; a query may hold them among other text. None never occurs today (every
    part has its default) but a renderer must not assume more than the type says."""

    protocol: str | None
    host: str | None
    port: str | None
    path: str | None
    query: str | None
    status_code: int
    inserted: tuple[tuple[str, str, str], ...] = ()  # the answer's headers: (name, value_type, value)
    removed: tuple[str, ...] = ()  # header names taken off the answer


@dataclass(frozen=True)
class StoredFixedResponse:
    status_code: int
    content_type: str
    body: str  # printable ASCII (no line breaks), at most 1024 characters
    inserted: tuple[tuple[str, str, str], ...] = ()  # the answer's headers: (name, value_type, value)
    removed: tuple[str, ...] = ()  # header names taken off the answer


@dataclass(frozen=True)
class StoredL7Policy:
    """A forwarding policy of a listener. A policy without rules matches no request, except a
    REDIRECT_TO_LISTENER policy, which has none and takes every request."""

    id: str
    listener_id: str
    action: str  # REDIRECT_TO_POOL REDIRECT_TO_LISTENER REDIRECT_TO_URL FIXED_RESPONSE
    priority: int  # as stored (meaningful on an enhanced listener; 1, or 0 for REDIRECT_TO_LISTENER, otherwise)
    created_at: str  # UTC, microseconds, fixed width: sorts as it reads
    provisioning_status: str  # ACTIVE or ERROR; the data plane serves only ACTIVE
    rules: tuple[StoredL7Rule, ...]
    redirect_pools: tuple[tuple[str, int], ...] = ()  # (pool_id, weight 0-100)
    sticky_session_timeout_min: int | None = None  # redirect_pools_sticky_session_config when enabled
    redirect_listener_id: str | None = None
    redirect_url: StoredRedirectUrl | None = None
    fixed_response: StoredFixedResponse | None = None


class MemberHealth(NamedTuple):
    """What the health checks last said of a member: `status` ONLINE or OFFLINE, None while no check
    has a result (INITIAL), and for OFFLINE the reason."""

    status: str | None
    reason_code: str | None = None
    expected_response: str | None = None
    healthcheck_response: str | None = None


NO_RESULT = MemberHealth(None)
_LOAD_BALANCER_COLUMNS = (LoadBalancer.id, LoadBalancer.vip_address, LoadBalancer.ipv6_vip_address, LoadBalancer.l4_flavor_id, LoadBalancer.l7_flavor_id)

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
    Member.role,
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
_IP_ENTRIES = (
    select(ListenerIpGroup.listener_id, cast(IpGroup.ip_list, Text))  # as text: decoded once per distinct text
    .join(Listener, Listener.id == ListenerIpGroup.listener_id)
    .join(IpGroup, IpGroup.id == ListenerIpGroup.ipgroup_id)
    .where(Listener.loadbalancer_id == bindparam("lb"))
    .order_by(ListenerIpGroup.listener_id, ListenerIpGroup.position)
)
_ALL_MEMBERS = _MEMBERS.order_by(Member.created_at, Member.id)
_NAMED_MEMBERS = _MEMBERS.where(Member.id.in_(bindparam("ids", expanding=True)))


def load_balancer_ids(session: Session) -> set[str]:
    return set(session.scalars(select(LoadBalancer.id)))


def stored_load_balancer(session: Session, load_balancer_id: str) -> StoredLoadBalancer | None:
    """None when the load balancer no longer exists."""
    lb = session.execute(select(*_LOAD_BALANCER_COLUMNS).where(LoadBalancer.id == load_balancer_id)).first()
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
        l7_policies=stored_l7_policies(session, [lb.id]),
        ip_entries=_ip_entries(connection.execute(_IP_ENTRIES, parameters)),
        l4_flavor_id=lb.l4_flavor_id,
        l7_flavor_id=lb.l7_flavor_id,
        access_log=session.scalars(select(Logtank.id).where(Logtank.loadbalancer_id == lb.id)).first() is not None,
    )


class StoredAccess(NamedTuple):
    """A listener's access control as stored: the switch, the kind and every entry of its groups."""

    ipgroup_enable: bool | None
    ipgroup_type: str | None
    entries: tuple[str, ...]


_ACCESS_OF = (
    select(Listener.id, Listener.ipgroup_enable, Listener.ipgroup_type)
    .where(Listener.loadbalancer_id == bindparam("lb"), Listener.id.in_(bindparam("ids", expanding=True)))
)
_IP_ENTRIES_OF = _IP_ENTRIES.where(Listener.id.in_(bindparam("ids", expanding=True)))


def stored_access(session: Session, load_balancer_id: str, listener_ids: Iterable[str]) -> dict[str, StoredAccess]:
    """The access control of these listeners of the load balancer, by listener id (one no longer
    there, or now another load balancer's, is absent): what a change of a group's entries needs,
    without the rest of the load balancer."""
    parameters = {"lb": load_balancer_id, "ids": list(listener_ids)}
    connection = session.connection()
    listeners = list(connection.execute(_ACCESS_OF, parameters))
    entries = _ip_entries(connection.execute(_IP_ENTRIES_OF, parameters))
    return {row.id: StoredAccess(row.ipgroup_enable, row.ipgroup_type, entries.get(row.id, ())) for row in listeners}


def _ip_entries(rows: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    """(listener id, a group's ip_list as JSON text) rows -> every entry's ip by listener id, groups in
    the order the listener names them."""
    found: dict[str, list[str]] = {}
    for listener_id, ip_list in rows:
        found.setdefault(listener_id, []).extend(_ips(ip_list))
    return {listener_id: tuple(entries) for listener_id, entries in found.items()}


@lru_cache(maxsize=256)
def _ips(ip_list: str) -> tuple[str, ...]:
    """The ips of an ip_list, remembered by its text: every round of a load balancer reads its groups,
    and decoding 10,000 entries takes longer than the rest of a round."""
    return tuple(entry["ip"] for entry in json.loads(ip_list))


def _l7_rule(rule: L7Rule) -> StoredL7Rule:
    if rule.conditions:
        key = rule.conditions[0]["key"] or None
        return StoredL7Rule(rule.id, rule.type, rule.compare_type, key, tuple(item["value"] for item in rule.conditions))
    return StoredL7Rule(rule.id, rule.type, rule.compare_type, None, (rule.value,))


def _header_changes(config: Mapping[str, Any]) -> tuple[tuple[tuple[str, str, str], ...], tuple[str, ...]]:
    inserted = (config.get("insert_headers_config") or {}).get("configs", [])
    removed = (config.get("remove_headers_config") or {}).get("configs", [])
    return tuple((one["key"], one["value_type"], one["value"]) for one in inserted), tuple(one["key"] for one in removed)


def _l7_policy(policy: L7Policy, rules: tuple[StoredL7Rule, ...]) -> StoredL7Policy:
    sticky = policy.redirect_pools_sticky_session_config
    url = policy.redirect_url_config
    fixed = policy.fixed_response_config
    return StoredL7Policy(
        id=policy.id,
        listener_id=policy.listener_id,
        action=policy.action,
        priority=policy.priority,
        created_at=policy.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        provisioning_status=policy.provisioning_status,
        rules=rules,
        redirect_pools=tuple((entry["pool_id"], int(entry["weight"])) for entry in policy.redirect_pools_config),
        sticky_session_timeout_min=int(sticky["timeout"]) if sticky and sticky.get("enable") else None,
        redirect_listener_id=policy.redirect_listener_id,
        redirect_url=StoredRedirectUrl(
            url.get("protocol"), url.get("host"), url.get("port"), url.get("path"), url.get("query"), int(url["status_code"]), *_header_changes(url)
        )
        if url
        else None,
        fixed_response=StoredFixedResponse(int(fixed["status_code"]), fixed["content_type"], fixed["message_body"], *_header_changes(fixed))
        if fixed
        else None,
    )


def l7_policy_records(session: Session, listener_ids: Iterable[str]) -> dict[str, list[StoredL7Policy]]:
    """The listeners' policies as records, by listener id, in no particular order."""
    ids = list(listener_ids)
    policies: list[L7Policy] = []
    for start in range(0, len(ids), IDS_PER_QUERY):
        policies += session.scalars(select(L7Policy).where(L7Policy.listener_id.in_(ids[start : start + IDS_PER_QUERY])))
    rules: dict[str, list[StoredL7Rule]] = {policy.id: [] for policy in policies}
    policy_ids = list(rules)
    for start in range(0, len(policy_ids), IDS_PER_QUERY):
        query = select(L7Rule).where(L7Rule.l7policy_id.in_(policy_ids[start : start + IDS_PER_QUERY])).order_by(L7Rule.created_at, L7Rule.id)
        for rule in session.scalars(query):
            rules[rule.l7policy_id].append(_l7_rule(rule))
    found: dict[str, list[StoredL7Policy]] = {}
    for policy in policies:
        found.setdefault(policy.listener_id, []).append(_l7_policy(policy, tuple(rules[policy.id])))
    return found


def stored_l7_policies(session: Session, load_balancer_ids: Iterable[str]) -> dict[str, tuple[StoredL7Policy, ...]]:
    """The forwarding policies of the load balancers' listeners, by listener id, each listener's in
    evaluation order (l7_precedence.ordered: by priority on an enhanced listener, automatic otherwise).
    A listener without policies is absent. ERROR policies are included; the data plane skips them."""
    lb_ids = list(load_balancer_ids)
    enhanced: dict[str, bool] = {}
    for start in range(0, len(lb_ids), IDS_PER_QUERY):
        query = select(Listener.id, Listener.enhance_l7policy_enable).where(Listener.loadbalancer_id.in_(lb_ids[start : start + IDS_PER_QUERY]))
        enhanced.update((row[0], bool(row[1])) for row in session.execute(query))
    records = l7_policy_records(session, enhanced)
    return {listener_id: tuple(ordered(policies, enhanced[listener_id])) for listener_id, policies in records.items()}


_BY_LB: Any = bindparam("lbs", expanding=True)
_MANY_LOAD_BALANCERS = select(*_LOAD_BALANCER_COLUMNS).where(LoadBalancer.id.in_(_BY_LB))
_MANY_LOGTANKS = select(Logtank.loadbalancer_id, Logtank.id).where(Logtank.loadbalancer_id.in_(_BY_LB))
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
)  # no DISTINCT: PostgreSQL has no equality for json columns; a certificate on two listeners comes twice, kept once by id
_MANY_SECURITY_POLICIES = (
    select(Listener.loadbalancer_id, *(getattr(SecurityPolicy, column) for column in StoredSecurityPolicy._fields))
    .join(Listener, Listener.security_policy_id == SecurityPolicy.id)
    .where(Listener.loadbalancer_id.in_(_BY_LB))
)  # as above: kept once by id
_MANY_IP_ENTRIES = (
    select(Listener.loadbalancer_id, ListenerIpGroup.listener_id, cast(IpGroup.ip_list, Text))
    .join(Listener, Listener.id == ListenerIpGroup.listener_id)
    .join(IpGroup, IpGroup.id == ListenerIpGroup.ipgroup_id)
    .where(Listener.loadbalancer_id.in_(_BY_LB))
    .order_by(ListenerIpGroup.listener_id, ListenerIpGroup.position)
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
    forwarding = stored_l7_policies(session, ids)
    access = _rows_by_load_balancer(session, _MANY_IP_ENTRIES, ids)
    logged = _rows_by_load_balancer(session, _MANY_LOGTANKS, ids)
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
            l7_policies={row[0]: forwarding[row[0]] for row in listeners.get(lb.id, ()) if row[0] in forwarding},
            ip_entries=_ip_entries(access.get(lb.id, ())),
            l4_flavor_id=lb.l4_flavor_id,
            l7_flavor_id=lb.l7_flavor_id,
            access_log=lb.id in logged,
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
    before = health_timeline.current_statuses(session, list(changes))
    health_timeline.record(session, before, changes, now)
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
