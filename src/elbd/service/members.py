"""Backend servers (members): every rule of the "Adding a Backend Server" page lives in this module.

- (address, protocol_port) is unique in a pool (also a database constraint, so races cannot break it).
- No subnet_cidr_id means "IP as a backend": an IPv4 address only, the load balancer must have
  ip_target_enable (ELB.8939), and the pool protocol must allow IP members (ELB.8938).
- With a subnet: it exists in the project, lies in the load balancer's VPC (a pool on no load balancer
  takes the VPC of its first such member) and the address is one of its host addresses (not its network
  or broadcast address).
- Never an address that would make the load balancer a relay (addresses.never_a_backend: unspecified,
  broadcast, multicast, link-local, reserved, IPv6 forms of those), nor any load balancer's VIP, nor an
  address outside the host's address plan (address_ranges: the served ranges, never the host's own
  127.0.0.0/16), nor elbd's own API endpoint. Another project's VIP is refused without naming it.
- IPv6 addresses only in dual-stack pools (ELB.8933).
- weight 0-100, default 1; name default ""; ip_version from the address; member_type ip or instance;
  instance_id and admin_state_up from the instance registry.
- protocol_port is required unless the pool forwards all ports (any_port_enable), where it is 0.
- Members of a pool with member_deletion_protection_enable cannot be removed.

A create may run beside other creates on PostgreSQL (store/group_commit.py), never beside any other
write; create_locks names what it must hold against them.
"""

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, exists, false, func, literal, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elbd.clock import utcnow
from elbd.errors import ElbError, conflict, invalid, not_found
from elbd.ids import new_id
from elbd.schemas.members import BatchMemberCreate, BatchMemberDelete, BatchMemberUpdate, MemberCreate, MemberUpdate
from elbd.service import lookups, master_slave_rules, member_status, quotas, vpcs
from elbd.service.instances import OWNER, Owner
from elbd.service.address_ranges import Host, plan_refusal
from elbd.service.addresses import VIP_HOLDER, IPAddress, never_a_backend, parse_address, unavailable, usable_host
from elbd.service.member_status import HealthFacts, PoolFacts
from elbd.service.paging import Page, PageRequest, apply_filters, paginate
from elbd.service.protocols import IP_MEMBER_POOL_PROTOCOLS
from elbd.store.db import lock_key, mark_members_changed, transaction_memo
from elbd.store.hot_statements import HotStatement
from elbd.store.models import HealthMonitor, InstanceNic, Listener, LoadBalancer, Member, Pool

FILTER_COLUMNS = {
    "id": Member.id,
    "name": Member.name,
    "weight": Member.weight,
    "address": Member.address,
    "protocol_port": Member.protocol_port,
    "subnet_cidr_id": Member.subnet_cidr_id,
    "ip_version": Member.ip_version,
    "member_type": Member.member_type,
    "instance_id": Member.instance_id,
    "availability_zone": Member.availability_zone,
    "pool_id": Member.pool_id,
}
ALL_PROJECTS = ("0", "all_granted_eps")
MEMBER_QUOTAS = ("member", "members_per_pool")  # the project's and the pool's

# The create path runs these on every member create: built and compiled once, and run on the driver's
# cursor where they can be (store/hot_statements.py), since rows of columns are all the rules need.
_PLACEMENT = HotStatement(
    select(
        Pool.id,
        Pool.project_id,
        Pool.loadbalancer_id,
        Pool.protocol,
        Pool.type,
        Pool.ip_version,
        Pool.vpc_id,
        Pool.any_port_enable,
        Pool.master_slave,
        LoadBalancer.ip_target_enable,
        LoadBalancer.vpc_id.label("load_balancer_vpc_id"),
        exists().where(HealthMonitor.pool_id == Pool.id, HealthMonitor.admin_state_up.is_(True)).label("monitored"),
        *(quotas.override_column(resource, Pool.project_id).label(f"{resource}_override") for resource in MEMBER_QUOTAS),
    )
    .outerjoin(LoadBalancer, LoadBalancer.id == Pool.loadbalancer_id)
    .where(Pool.id == bindparam("pool_id"))
)
_SET_POOL_VPC = update(Pool).where(Pool.id == bindparam("pool_id")).values(vpc_id=bindparam("vpc_id"))
_POOL_LISTENERS = HotStatement(
    select(Listener.id).where(Listener.default_pool_id == bindparam("pool_id")).order_by(Listener.created_at, Listener.id)
)
_EXISTING = select(Member).where(
    Member.pool_id == bindparam("pool_id"), Member.address == bindparam("address"), Member.protocol_port == bindparam("port")
)
_MEMBER_COUNTS = HotStatement(
    select(
        select(func.count()).where(Member.project_id == bindparam("project_id")).scalar_subquery(),
        select(func.count()).where(Member.pool_id == bindparam("pool_id")).scalar_subquery(),
    )
)
_INSERT = Member.metadata.tables[Member.__tablename__].insert()
_COLUMNS = tuple(column.key for column in Member.__table__.columns)
_INSERT_UNLESS_TAKEN = {  # rowcount 0: refused
    name: HotStatement(dialect.insert(Member.__table__).on_conflict_do_nothing()) for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def _address_facts_query(in_subnet: bool) -> Select[Any]:
    """What a new member's address rules read, in one statement (one round trip, one snapshot): the load
    balancer whose VIP the address is, the subnet named (when one is), the registered instance that holds
    the address (in that subnet). Each part is a row at most, joined to one row whether found or not."""
    vip = VIP_HOLDER.subquery("vip")
    columns = [vip.c.id.label("vip_load_balancer_id"), vip.c.project_id.label("vip_project_id")]
    joined = select(literal(1).label("one")).subquery("one").outerjoin(vip, true())
    owner_query = OWNER
    if in_subnet:
        subnet = vpcs.MEMBER_SUBNET.subquery("subnet")
        columns += [subnet.c[name].label(f"subnet_{name}") for name in vpcs.MemberSubnet._fields]
        joined = joined.outerjoin(subnet, true())
        owner_query = OWNER.where(InstanceNic.subnet_id.in_(select(subnet.c.id)))
    owner = owner_query.subquery("owner")
    columns += [owner.c.id.label("owner_id"), owner.c.status.label("owner_status")]
    return select(*columns).select_from(joined.outerjoin(owner, true()))


_ADDRESS_FACTS = {in_subnet: HotStatement(_address_facts_query(in_subnet)) for in_subnet in (False, True)}


@dataclass(frozen=True)
class AddressFacts:
    """A new member's address as the store knows it (a row of _address_facts_query)."""

    vip_holder: tuple[str, str] | None  # (load balancer id, project id)
    subnet: vpcs.MemberSubnet | None
    owner: Owner | None


def address_facts(session: Session, project_id: str, address: IPAddress, subnet_cidr_id: str | None) -> AddressFacts:
    parameters = {"address": str(address), "now": utcnow(), "project_id": project_id, "subnet_cidr_id": subnet_cidr_id}
    row = _ADDRESS_FACTS[subnet_cidr_id is not None].run(session, parameters).one()
    holder = (row.vip_load_balancer_id, row.vip_project_id) if row.vip_load_balancer_id is not None else None
    subnet = None
    if subnet_cidr_id is not None and row.subnet_id is not None:
        subnet = vpcs.MemberSubnet(*(getattr(row, f"subnet_{name}") for name in vpcs.MemberSubnet._fields))
    owner = Owner(row.owner_id, row.owner_status) if row.owner_id is not None else None
    return AddressFacts(holder, subnet, owner)


@dataclass
class Placement:
    """Where new members go: their pool (a row of `_PLACEMENT`, with its load balancer's settings and its
    project's member quotas), the VPC their subnets must be in, and what the operating status of a member
    of that pool depends on."""

    pool: Any  # a row of _PLACEMENT: its columns by name
    vpc_id: str | None
    host: Host
    facts: PoolFacts
    vpc_unstored: bool = False  # vpc_id is taken from a new member's subnet, and the pool's row does not have it yet

    def member_limits(self) -> tuple[int, int]:
        """The project's member quota and its members_per_pool quota (-1: unlimited)."""
        member, per_pool = (quotas.limit_given(resource, getattr(self.pool, f"{resource}_override")) for resource in MEMBER_QUOTAS)
        return member, per_pool

    def counts_members(self) -> bool:
        return any(limit >= 0 for limit in self.member_limits())


def placement(session: Session, project_id: str, pool_id: str, host: Host) -> Placement:
    pool = _PLACEMENT.run(session, {"pool_id": pool_id}).first()
    if pool is None or pool.project_id != project_id:
        raise not_found("pool", pool_id)
    master_slave_rules.refuse_change(pool_id, pool.master_slave, "members")
    on_load_balancer = pool.loadbalancer_id is not None
    listener_ids = _POOL_LISTENERS.run(session, {"pool_id": pool_id}).scalars() if on_load_balancer else []
    vpc_id = pool.load_balancer_vpc_id if on_load_balancer else pool.vpc_id
    return Placement(pool, vpc_id, host, PoolFacts(pool.loadbalancer_id, pool.monitored, listener_ids))


def _port(place: Placement, port: int | None) -> int:
    if place.pool.any_port_enable:
        return 0
    if place.pool.protocol == "IP":
        if port:
            raise invalid("Invalid input for 'protocol_port': members of an IP backend server group take 0.")
        return 0
    if not port:
        raise invalid("Invalid input for 'protocol_port': it is required, from 1 to 65535.")
    return port


def _check_ip_member(place: Placement, address: IPAddress, availability_zone: str | None) -> None:
    """The rules for a member without a subnet ("IP as a backend")."""
    if address.version != 4:
        raise invalid("Invalid input for 'address': an IP-as-a-backend member (no subnet_cidr_id) takes an IPv4 address.")
    if place.pool.protocol not in IP_MEMBER_POOL_PROTOCOLS:
        raise invalid(
            f"The IP member is supported only when the pool protocol is {', '.join(IP_MEMBER_POOL_PROTOCOLS)}.", code="ELB.8938"
        )
    if place.pool.loadbalancer_id is not None and not place.pool.ip_target_enable:
        raise invalid("The loadbalancer's ip_target_enable must be true when add ip member.", code="ELB.8939")
    if availability_zone and availability_zone not in place.host.zones:
        raise invalid(f"Invalid input for 'availability_zone': {availability_zone} is not an availability zone.")


def _check_instance_member(
    project_id: str, place: Placement, address: IPAddress, subnet_cidr_id: str, named: vpcs.MemberSubnet | None,
    availability_zone: str | None,
) -> None:
    """The rules for a member in a subnet (`named`: the one `subnet_cidr_id` names, if any). A pool of no
    VPC yet takes the subnet's (stored after the member: _store_pool_vpc)."""
    if place.pool.type == "ip":
        raise invalid("Invalid input for 'subnet_cidr_id': a backend server group of type ip takes IP members only.")
    if availability_zone:
        raise invalid("Invalid input for 'availability_zone': only IP-as-a-backend members have one.")
    subnet, version = vpcs.member_subnet(named, project_id, subnet_cidr_id)
    if place.vpc_id and subnet.vpc_id != place.vpc_id:
        raise invalid(
            f"Invalid input for 'subnet_cidr_id': subnet {subnet_cidr_id} is not in VPC {place.vpc_id} of the load balancer."
        )
    if address.version == 6 and place.pool.ip_version != "dualstack":
        raise invalid("The backend server group is not dual-stack: it cannot take an IPv6 member.", code="ELB.8933")
    network = subnet.cidr if version == 4 else subnet.cidr_v6
    if address.version != version or network is None or not usable_host(ipaddress.ip_network(network), address):
        raise invalid(f"Invalid input for 'address': {address} is not a host address of subnet {subnet_cidr_id} ({network}).")
    if not place.vpc_id:
        place.vpc_id, place.vpc_unstored = subnet.vpc_id, True


def new_member(
    session: Session,
    project_id: str,
    place: Placement,
    spec: MemberCreate | BatchMemberCreate,
    role: str | None = None,
) -> tuple[Member, Owner | None]:
    """A checked, not yet stored member, and the registered instance that owns its address; `role` is
    its role in an active/standby pool (service/master_slave_pools.py)."""
    address = parse_address(spec.address)
    refused = never_a_backend(address)
    if refused:
        raise invalid(f"Invalid input for 'address': {address} is {refused} and can never be a backend.")
    known = address_facts(session, project_id, address, spec.subnet_cidr_id)
    _refuse_relay(project_id, address, known.vip_holder)
    port = _port(place, spec.protocol_port)
    _refuse_api_endpoint(place.host, address, port)
    if spec.subnet_cidr_id is None:
        _check_ip_member(place, address, spec.availability_zone)
        member_type = "ip"
    else:
        _check_instance_member(project_id, place, address, spec.subnet_cidr_id, known.subnet, spec.availability_zone)
        member_type = "instance"
    owner = known.owner
    now = utcnow()
    member = Member(
        id=new_id(),
        project_id=project_id,
        pool_id=place.pool.id,
        name=spec.name,
        address=str(address),
        protocol_port=port,
        subnet_cidr_id=spec.subnet_cidr_id,
        ip_version=f"v{address.version}",
        member_type=member_type,
        instance_id=owner.id if owner else "",
        availability_zone=spec.availability_zone or "",
        weight=spec.weight,
        role=role,
        created_at=now,
        updated_at=now,
    )
    return member, owner


def _refuse_relay(project_id: str, address: IPAddress, vip_holder: tuple[str, str] | None) -> None:
    """Addresses no member may have, whatever its pool, beside those never_a_backend names: a VIP
    (`vip_holder`: its load balancer and project), one outside the host's address plan."""
    if vip_holder is not None:
        load_balancer_id, holder_project = vip_holder
        if holder_project != project_id:
            raise invalid(f"Invalid input for 'address': {unavailable(address)}")
        raise invalid(f"Invalid input for 'address': {address} is the VIP of load balancer {load_balancer_id} and can never be a backend.")
    outside = plan_refusal(address)
    if outside:
        raise invalid(f"Invalid input for 'address': {address} is {outside} and can never be a backend.")


def _refuse_api_endpoint(host: Host, address: IPAddress, port: int) -> None:
    if host.api.taken_by_backend(address, port):
        raise invalid(f"Invalid input for 'address': {address}:{port} is elbd's own API endpoint and can never be a backend.")


def _existing(session: Session, pool_id: str, address: str, port: int) -> Member | None:
    return session.scalars(_EXISTING, {"pool_id": pool_id, "address": address, "port": port}).first()


def _duplicate(member: Member) -> ElbError:
    return conflict(
        f"Another member on this pool is already using ip {member.address} on protocol_port {member.protocol_port}."
    )


def _require_room(session: Session, project_id: str, place: Placement, adding: int) -> None:
    """The project's and the pool's member quotas; counted only when limited."""
    if not place.counts_members():
        return
    in_project, in_pool = _MEMBER_COUNTS.run(session, {"project_id": project_id, "pool_id": place.pool.id}).one()
    for limit, used_now, resource in zip(place.member_limits(), (in_project, in_pool), MEMBER_QUOTAS):
        quotas.require_within(limit, used_now, adding, resource)


def _store(session: Session, place: Placement, members: list[Member]) -> None:
    """One INSERT for all of them, without the unit of work: these rows are new and nothing else refers to
    them yet; then the pool's VPC if they gave it one."""
    try:
        session.connection().execute(_INSERT, [{key: getattr(member, key) for key in _COLUMNS} for member in members])
    except IntegrityError:
        if len(members) == 1:
            raise _duplicate(members[0]) from None
        raise conflict("Another member on this pool is already using this ip and protocol_port.") from None
    _store_pool_vpc(session, place)


def _store_one(session: Session, place: Placement, member: Member) -> None:
    """The member's row, or its conflict if the pool has one of its address and port: refused without
    failing the statement (ON CONFLICT DO NOTHING), so that the transaction goes on for the creates
    beside it (GroupCommit.run's writes_last); then the pool's VPC if the member gave it one."""
    insert = _INSERT_UNLESS_TAKEN[session.get_bind().dialect.name]
    if insert.run(session, {key: getattr(member, key) for key in _COLUMNS}).rowcount == 0:
        raise _duplicate(member)
    _store_pool_vpc(session, place)


def _store_pool_vpc(session: Session, place: Placement) -> None:
    if place.vpc_unstored:
        session.connection().execute(_SET_POOL_VPC, {"pool_id": place.pool.id, "vpc_id": place.vpc_id})
        place.vpc_unstored = False


def _facts(place: Placement, owners: Iterable[Owner | None]) -> HealthFacts:
    """What the statuses of new members of `place` depend on, known without asking the store again."""
    return HealthFacts({place.pool.id: place.facts}, {owner.id: owner.status for owner in owners if owner is not None})


def _placement_once(session: Session, project_id: str, pool_id: str, host: Host) -> Placement:
    memo = transaction_memo(session)
    place = memo.get(("placement", project_id, pool_id))
    if place is None:
        place = memo[("placement", project_id, pool_id)] = placement(session, project_id, pool_id, host)
    return place


def create_locks(session: Session, *, project_id: str, pool_id: str, option: MemberCreate, host: Host) -> list[int]:
    """What create_member must hold beside other creates: the pool's address (no two creates of one
    member wait on each other's uncommitted row, the unique index still refuses the second), the project
    when its member quotas are limited (counted), the load balancer (its configuration version, raised at
    commit) and a pool of no VPC yet (its first member's subnet sets it). Every other rule reads what
    only writes that run alone may change (VIPs, subnets, instances, the pool's settings)."""
    place = _placement_once(session, project_id, pool_id, host)
    keys = [lock_key("member", pool_id, str(parse_address(option.address)))]
    if place.counts_members():
        keys.append(lock_key("project", project_id))
    if place.pool.loadbalancer_id is not None:
        keys.append(lock_key("loadbalancer", place.pool.loadbalancer_id))
    if not place.vpc_id:
        keys.append(lock_key("pool", pool_id))
        del transaction_memo(session)[("placement", project_id, pool_id)]  # read again once the lock is held
    return keys


def create_member(
    session: Session, *, project_id: str, pool_id: str, option: MemberCreate, host: Host, role: str | None = None
) -> tuple[Member, HealthFacts]:
    """The stored member, and the facts its operating status is derived from.

    A duplicate (address, protocol_port) is caught by the unique index at INSERT rather than by a query
    first; only a create refused by the quota looks for one, so that a duplicate is still a conflict.
    It changes the store only once nothing can refuse it (GroupCommit.run's writes_last)."""
    place = _placement_once(session, project_id, pool_id, host)
    member, owner = new_member(session, project_id, place, option, role)
    try:
        _require_room(session, project_id, place, 1)
    except ElbError:
        if _existing(session, pool_id, member.address, member.protocol_port):
            raise _duplicate(member) from None
        raise
    _store_one(session, place, member)
    mark_members_changed(session, place.pool.loadbalancer_id, [member.id])
    return member, _facts(place, [owner])


def batch_create_members(
    session: Session, *, project_id: str, pool_id: str, options: list[BatchMemberCreate], host: Host
) -> tuple[list[tuple[Member, str]], HealthFacts]:
    """All or nothing: one invalid item fails the whole batch; an existing member is reported `existed`."""
    place = placement(session, project_id, pool_id, host)
    results: list[tuple[Member, str]] = []
    created: dict[tuple[str, int], Member] = {}
    owners: list[Owner | None] = []
    for index, option in enumerate(options):
        try:
            member, owner = new_member(session, project_id, place, option)
        except ElbError as error:
            raise ElbError(error.status, error.code, f"members[{index}]: {error.message}") from None
        key = (member.address, member.protocol_port)
        existing = created.get(key) or _existing(session, pool_id, *key)
        if existing is not None:
            results.append((existing, "existed"))
            continue
        created[key] = member
        owners.append(owner)
        results.append((member, "successful"))
    if created:
        _require_room(session, project_id, place, len(created))
        _store(session, place, list(created.values()))
        mark_members_changed(session, place.pool.loadbalancer_id, [member.id for member in created.values()])
    if len(created) < len(results):
        return results, member_status.gather(session, project_id, [pool_id], [member for member, _ in results])
    return results, _facts(place, owners)


def update_member(session: Session, *, project_id: str, pool_id: str, member_id: str, option: MemberUpdate, host: Host) -> Member:
    member = lookups.member(session, project_id, pool_id, member_id)
    pool = lookups.pool(session, project_id, pool_id)
    master_slave_rules.refuse_change(pool.id, pool.master_slave, "members")
    _apply_update(session, pool, member, option, host)
    session.flush()
    mark_members_changed(session, pool.loadbalancer_id, [member.id])
    return member


def _apply_update(session: Session, pool: Pool, member: Member, option: MemberUpdate, host: Host) -> None:
    if option.protocol_port is not None and option.protocol_port != member.protocol_port:
        if pool.any_port_enable:
            raise invalid("Invalid input for 'protocol_port': members of a pool forwarding all ports have none.")
        if pool.protocol == "IP" or option.protocol_port == 0:
            raise invalid("Invalid input for 'protocol_port': give a port from 1 to 65535.")
        _refuse_api_endpoint(host, parse_address(member.address), option.protocol_port)
        if _existing(session, pool.id, member.address, option.protocol_port):
            raise conflict(f"Another member on this pool is already using ip {member.address} on protocol_port {option.protocol_port}.")
        member.protocol_port = option.protocol_port
    if option.availability_zone is not None:
        if member.member_type != "ip":
            raise invalid("Invalid input for 'availability_zone': only IP-as-a-backend members have one.")
        if option.availability_zone and option.availability_zone not in host.zones:
            raise invalid(f"Invalid input for 'availability_zone': {option.availability_zone} is not an availability zone.")
        member.availability_zone = option.availability_zone
    if option.name is not None:
        member.name = option.name
    if option.weight is not None:
        member.weight = option.weight
    member.updated_at = utcnow()


def batch_update_members(
    session: Session, *, project_id: str, pool_id: str, options: list[BatchMemberUpdate], host: Host
) -> list[Member]:
    pool = lookups.pool(session, project_id, pool_id)
    master_slave_rules.refuse_change(pool.id, pool.master_slave, "members")
    if len({option.id for option in options}) != len(options):
        raise invalid("Invalid input for 'members': a member is named twice.")
    updated = []
    for index, option in enumerate(options):
        try:
            member = lookups.member(session, project_id, pool_id, option.id)
            _apply_update(session, pool, member, option, host)
            session.flush()
        except ElbError as error:
            raise ElbError(error.status, error.code, f"members[{index}]: {error.message}") from None
        updated.append(member)
    mark_members_changed(session, pool.loadbalancer_id, [member.id for member in updated])
    return updated


def _require_deletable(pool: Pool) -> None:
    master_slave_rules.refuse_change(pool.id, pool.master_slave, "members")
    if pool.member_deletion_protection_enable:
        raise conflict(f"Backend server group {pool.id} has member deletion protection enabled.")


def delete_member(session: Session, *, project_id: str, pool_id: str, member_id: str) -> None:
    member = lookups.member(session, project_id, pool_id, member_id)
    pool = lookups.pool(session, project_id, pool_id)
    _require_deletable(pool)
    session.delete(member)
    mark_members_changed(session, pool.loadbalancer_id, [member.id])


def batch_delete_members(
    session: Session, *, project_id: str, pool_id: str, options: list[BatchMemberDelete]
) -> list[tuple[str, str]]:
    """Each item is an id, or an address with a port; answers (id, "successful" | "not found")."""
    pool = lookups.pool(session, project_id, pool_id)
    _require_deletable(pool)
    results: list[tuple[str, str]] = []
    for index, option in enumerate(options):
        if option.id is not None:
            if option.address is not None or option.protocol_port is not None:
                raise invalid(f"members[{index}]: give either id, or address with protocol_port, not both.")
            member = session.get(Member, option.id)
            found = member if member is not None and member.pool_id == pool.id else None
            label = option.id
        else:
            if option.address is None or option.protocol_port is None:
                raise invalid(f"members[{index}]: address and protocol_port go together.")
            address = str(parse_address(option.address))
            found = _existing(session, pool.id, address, option.protocol_port)
            label = found.id if found else f"{address}:{option.protocol_port}"
        if found is None:
            results.append((label, "not found"))
            continue
        session.delete(found)
        session.flush()
        results.append((found.id, "successful"))
    mark_members_changed(session, pool.loadbalancer_id, [member_id for member_id, outcome in results if outcome == "successful"])
    return results


def list_members(
    session: Session, *, project_id: str, pool_id: str | None, filters: dict[str, Any], page: PageRequest
) -> tuple[Page[Member], member_status.HealthFacts]:
    """Members of one pool, or of the whole project when `pool_id` is None (then filterable by pool and LB)."""
    if pool_id is not None:
        lookups.pool(session, project_id, pool_id)
    query: Select = select(Member).where(Member.project_id == project_id)
    if pool_id is not None:
        query = query.where(Member.pool_id == pool_id)
    if filters.get("loadbalancer_id"):
        query = query.where(Member.pool_id.in_(select(Pool.id).where(Pool.loadbalancer_id.in_(filters["loadbalancer_id"]))))
    if not _in_default_enterprise_project(filters.get("enterprise_project_id")):
        query = query.where(false())
    if filters.get("address"):
        filters = {**filters, "address": [_canonical_address(value) for value in filters["address"]]}
    facts = member_status.gather(session, project_id, [pool_id] if pool_id else None)
    keep = _derived_filter(filters, facts)
    return paginate(session, apply_filters(query, FILTER_COLUMNS, filters), Member, page, keep), facts


def _canonical_address(value: str) -> str:
    """Addresses are stored in their canonical spelling; a filter may spell an IPv6 address any way."""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value


def _in_default_enterprise_project(wanted: Iterable[str] | None) -> bool:
    """Every resource is in the default enterprise project "0"."""
    return wanted is None or any(value in ALL_PROJECTS for value in wanted)


def _derived_filter(filters: dict[str, Any], facts: member_status.HealthFacts) -> Any:
    statuses, admin = filters.get("operating_status"), filters.get("admin_state_up")
    if statuses is None and admin is None:
        return None

    def keep(member: Member) -> bool:
        if statuses is not None and member_status.operating_status(member, facts) not in statuses:
            return False
        return admin is None or member_status.instance_exists(member, facts) == admin

    return keep
