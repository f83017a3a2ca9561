"""Load balancers: where the VIP comes from, which VPC they serve, and when they may go."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elbd import flavors
from elbd.canonical_ip import IPAddress
from elbd.clock import utcnow
from elbd.errors import conflict, invalid
from elbd.ids import new_id
from elbd.schemas import unserved
from elbd.schemas.loadbalancers import LoadBalancerBatchCreate, LoadBalancerCreate, LoadBalancerUpdate
from elbd.service import logtanks, lookups, quotas, recycle_bin, vpcs
from elbd.service.address_ranges import ApiEndpoint, Host, plan_refusal
from elbd.service.addresses import (
    ipv4_network,
    ipv6_network,
    lowest_free_for_vip,
    parse_address,
    require_free_for_vip,
    unavailable,
    usable_host,
)
from elbd.service.child_ids import child_ids
from elbd.service.host_addresses import unservable_vip
from elbd.service.paging import Page, PageRequest, apply_filters, paginate
from elbd.service.tags import checked as checked_tags
from elbd.store.db import mark_changed
from elbd.store.models import Listener, LoadBalancer, Pool, Subnet

# Request attributes beyond these columns are not kept: unserved.LOAD_BALANCERS refuses every value of them
# that asks for something.
STORED = frozenset(LoadBalancer.__table__.columns.keys())
FILTER_COLUMNS = {
    "id": LoadBalancer.id,
    "name": LoadBalancer.name,
    "description": LoadBalancer.description,
    "vpc_id": LoadBalancer.vpc_id,
    "vip_address": LoadBalancer.vip_address,
    "vip_port_id": LoadBalancer.vip_port_id,
    "vip_subnet_cidr_id": LoadBalancer.vip_subnet_cidr_id,
    "ipv6_vip_address": LoadBalancer.ipv6_vip_address,
    "ipv6_vip_port_id": LoadBalancer.ipv6_vip_port_id,
    "ipv6_vip_virsubnet_id": LoadBalancer.ipv6_vip_virsubnet_id,
    "provisioning_status": LoadBalancer.provisioning_status,
    "operating_status": LoadBalancer.operating_status,
    "admin_state_up": LoadBalancer.admin_state_up,
    "deletion_protection_enable": LoadBalancer.deletion_protection_enable,
    "l4_flavor_id": LoadBalancer.l4_flavor_id,
    "l7_flavor_id": LoadBalancer.l7_flavor_id,
    "protection_status": LoadBalancer.protection_status,
    "enterprise_project_id": LoadBalancer.enterprise_project_id,
}


def _check_protection(status: str | None, reason: str | None) -> None:
    if reason and status != "consoleProtection":
        raise invalid("Invalid input for 'protection_reason': it is only valid with protection_status consoleProtection.")


def _check_zones(zones: list[str], known: tuple[str, ...]) -> None:
    if not zones:
        raise invalid("Invalid input for 'availability_zone_list': name at least one availability zone.")
    if len(set(zones)) != len(zones):
        raise invalid("Invalid input for 'availability_zone_list': a zone is named twice.")
    for zone in zones:
        if zone not in known:
            raise invalid(f"Invalid input for 'availability_zone_list': {zone} is not an availability zone.")


def _backend_subnets(session: Session, project_id: str, vpc_id: str, subnet_ids: list[str]) -> list[str]:
    for subnet_id in subnet_ids:
        if lookups.subnet(session, project_id, subnet_id).vpc_id != vpc_id:
            raise invalid(f"Invalid input for 'elb_virsubnet_ids': subnet {subnet_id} is not in the load balancer's VPC.")
    return list(dict.fromkeys(subnet_ids))


def _ipv4_vip(session: Session, subnet: Subnet, requested: str | None, host: Host) -> str:
    if requested is None:
        return _servable(lowest_free_for_vip(session, subnet, host.api), host, "vip_subnet_cidr_id")
    address = parse_address(requested, "vip_address")
    if address.version != 4 or not usable_host(ipv4_network(subnet), address):
        raise invalid(f"Invalid input for 'vip_address': {requested} is not a host address of subnet {subnet.cidr}.")
    _refuse_outside_plan(address, host.api, "vip_address")
    require_free_for_vip(session, subnet, str(address))
    return _servable(str(address), host, "vip_address")


def _servable(vip: str, host: Host, field: str) -> str:
    """The VIP, if the host's data plane could serve it: never a load balancer ACTIVE on a VIP nothing binds."""
    refused = unservable_vip(parse_address(vip)) if host.binds_vips else None
    if refused:
        raise invalid(f"Invalid input for '{field}': VIP {refused}.")
    return vip


def _ipv6_vip(session: Session, subnet: Subnet, requested: str | None, host: Host) -> str:
    network = ipv6_network(subnet)
    if network is None:
        raise invalid(f"Invalid input for 'ipv6_vip_virsubnet_id': subnet {subnet.id} has no IPv6 CIDR.", code="ELB.8931")
    if requested is None:
        return _servable(lowest_free_for_vip(session, subnet, host.api, version=6), host, "ipv6_vip_virsubnet_id")
    address = parse_address(requested, "ipv6_vip_address")
    if address.version != 6 or not usable_host(network, address):
        raise invalid(f"Invalid input for 'ipv6_vip_address': {requested} is not a host address of {network}.")
    _refuse_outside_plan(address, host.api, "ipv6_vip_address")
    require_free_for_vip(session, subnet, str(address))
    return _servable(str(address), host, "ipv6_vip_address")


def _refuse_outside_plan(address: IPAddress, api: ApiEndpoint, field: str) -> None:
    """A subnet made before the address plan may hold addresses the plan refuses; the API's is the host's."""
    refused = plan_refusal(address) or ("elbd's own API address" if address == api.address else None)
    if refused:
        raise invalid(f"Invalid input for '{field}': {address} is {refused} and can never be a VIP.")


def create_load_balancer(
    session: Session, *, project_id: str, option: LoadBalancerCreate, host: Host
) -> LoadBalancer:
    # Omitted, the host's first zone, as a cloud account has a default; named, every zone must exist.
    zones = option.availability_zone_list if "availability_zone_list" in option.model_fields_set else list(host.zones[:1])
    _check_zones(zones, host.zones)
    _check_protection(option.protection_status, option.protection_reason)
    if not option.guaranteed:
        raise invalid("Invalid input for 'guaranteed': only dedicated (guaranteed) load balancers exist.")
    if not option.admin_state_up:
        raise invalid("Invalid input for 'admin_state_up': only true is allowed.")
    if not (option.vpc_id or option.vip_subnet_cidr_id or option.ipv6_vip_virsubnet_id):
        raise invalid("Name at least one of vpc_id, vip_subnet_cidr_id and ipv6_vip_virsubnet_id.")
    if option.vip_address is not None and option.vip_subnet_cidr_id is None:
        raise invalid("Invalid input for 'vip_address': it needs vip_subnet_cidr_id.")
    if option.ipv6_vip_address is not None and option.ipv6_vip_virsubnet_id is None:
        raise invalid("Invalid input for 'ipv6_vip_address': it needs ipv6_vip_virsubnet_id.")
    unserved.refuse(unserved.LOAD_BALANCERS, option.model_dump(exclude_unset=True))
    quotas.require_room(session, project_id, "loadbalancer")

    vpc_id = lookups.vpc(session, project_id, option.vpc_id).id if option.vpc_id else None
    subnet_v4 = vpcs.subnet_by_ipv4_id(session, project_id, option.vip_subnet_cidr_id) if option.vip_subnet_cidr_id else None
    subnet_v6 = (
        vpcs.subnet_by_network_id(session, project_id, option.ipv6_vip_virsubnet_id, "ipv6_vip_virsubnet_id")
        if option.ipv6_vip_virsubnet_id
        else None
    )
    for subnet in (subnet_v4, subnet_v6):
        if subnet is None:
            continue
        if vpc_id is not None and subnet.vpc_id != vpc_id:
            raise invalid(f"Subnet {subnet.id} is not in VPC {vpc_id}: the VIP subnets and vpc_id must be of one VPC.")
        vpc_id = subnet.vpc_id
    assert vpc_id is not None

    default_backend_subnets = [s.id for s in (subnet_v6, subnet_v4) if s is not None][:1]
    now = utcnow()
    lb = LoadBalancer(
        id=new_id(),
        project_id=project_id,
        name=option.name,
        description=option.description,
        vpc_id=vpc_id,
        vip_subnet_cidr_id=subnet_v4.neutron_subnet_id if subnet_v4 else None,
        vip_address=_ipv4_vip(session, subnet_v4, option.vip_address, host) if subnet_v4 else None,
        vip_port_id=new_id() if subnet_v4 else None,
        ipv6_vip_virsubnet_id=subnet_v6.id if subnet_v6 else None,
        ipv6_vip_address=_ipv6_vip(session, subnet_v6, option.ipv6_vip_address, host) if subnet_v6 else None,
        ipv6_vip_port_id=new_id() if subnet_v6 else None,
        elb_virsubnet_ids=_backend_subnets(session, project_id, vpc_id, option.elb_virsubnet_ids or default_backend_subnets),
        availability_zone_list=zones,
        ip_target_enable=option.ip_target_enable,
        admin_state_up=True,
        deletion_protection_enable=option.deletion_protection_enable,
        provisioning_status="ACTIVE",
        operating_status="ONLINE",
        l4_flavor_id=flavors.checked("l4_flavor_id", option.l4_flavor_id),
        l7_flavor_id=flavors.checked("l7_flavor_id", option.l7_flavor_id),
        tags=checked_tags(option.tags),
        protection_status=option.protection_status,
        protection_reason=option.protection_reason,
        enterprise_project_id=option.enterprise_project_id or "0",
        created_at=now,
        updated_at=now,
    )
    session.add(lb)
    try:
        session.flush()
    except IntegrityError:  # another transaction took the VIP meanwhile (PostgreSQL; SQLite has one writer)
        raise conflict(unavailable(" or ".join(vip for vip in (lb.vip_address, lb.ipv6_vip_address) if vip))) from None
    mark_changed(session, lb.id)
    return lb


def batch_create_load_balancers(session: Session, *, project_id: str, option: LoadBalancerBatchCreate, host: Host) -> list[LoadBalancer]:
    """`number` load balancers, each as a create of the same option: all or none."""
    if option.number > 1 and (option.vip_address is not None or option.ipv6_vip_address is not None):
        raise invalid("Invalid input for 'vip_address': several load balancers cannot share one VIP; leave it out to have one allocated to each.")
    unserved.refuse(unserved.LOAD_BALANCERS, option.model_dump(exclude_unset=True, include={"bandwidth"}))
    single = LoadBalancerCreate.model_validate(option.model_dump(exclude_unset=True, exclude={"number", "bandwidth"}))
    return [create_load_balancer(session, project_id=project_id, option=single, host=host) for _ in range(option.number)]


def list_load_balancers(session: Session, *, project_id: str, filters: dict, page: PageRequest) -> Page[LoadBalancer]:
    query: Select = select(LoadBalancer).where(LoadBalancer.project_id == project_id)
    return paginate(session, apply_filters(query, FILTER_COLUMNS, filters), LoadBalancer, page)


def update_load_balancer(
    session: Session, *, project_id: str, load_balancer_id: str, option: LoadBalancerUpdate
) -> LoadBalancer:
    lb = lookups.load_balancer(session, project_id, load_balancer_id)
    changes = option.model_dump(exclude_unset=True)
    if changes.get("admin_state_up") is False:
        raise invalid("Invalid input for 'admin_state_up': only true is allowed.")
    if "ip_target_enable" in changes:
        if lb.ip_target_enable and changes["ip_target_enable"] is False:
            raise invalid("Invalid input for 'ip_target_enable': once enabled it cannot be disabled.")
    _check_protection(changes.get("protection_status", lb.protection_status), changes.get("protection_reason", lb.protection_reason))
    unserved.refuse(unserved.LOAD_BALANCER_CHANGES, changes)
    unserved.refuse(unserved.LOAD_BALANCERS, changes, stored=lb)
    for field in ("l4_flavor_id", "l7_flavor_id"):
        if field in changes:
            changes[field] = flavors.checked(field, changes[field])
    if "l4_flavor_id" in changes:
        protocols = set(session.scalars(select(Listener.protocol).where(Listener.loadbalancer_id == lb.id)))
        flavors.refuse_unlimited_listeners(changes["l4_flavor_id"], protocols)
    if option.elb_virsubnet_ids is not None:
        changes["elb_virsubnet_ids"] = _backend_subnets(session, project_id, lb.vpc_id, option.elb_virsubnet_ids)
    for name, value in changes.items():
        if name in STORED and (value is not None or name in ("protection_reason", "l4_flavor_id", "l7_flavor_id")):
            setattr(lb, name, value)
    lb.updated_at = utcnow()
    mark_changed(session, lb.id)
    return lb


def change_zones(session: Session, *, project_id: str, load_balancer_id: str, zones: list[str], add: bool, host: Host) -> LoadBalancer:
    """Adds zones to, or removes them from, the load balancer's availability_zone_list (placement only:
    every zone elbd offers is the one host, so traffic does not change). At least one zone stays."""
    lb = lookups.load_balancer(session, project_id, load_balancer_id)
    _check_zones(zones, host.zones)
    current = list(lb.availability_zone_list)
    if add:
        already = [zone for zone in zones if zone in current]
        if already:
            raise invalid(f"Invalid input for 'availability_zone_list': the load balancer is already in {already[0]}.")
        updated = current + zones
    else:
        absent = [zone for zone in zones if zone not in current]
        if absent:
            raise invalid(f"Invalid input for 'availability_zone_list': the load balancer is not in {absent[0]}.")
        updated = [zone for zone in current if zone not in zones]
        if not updated:
            raise invalid("Invalid input for 'availability_zone_list': a load balancer stays in at least one availability zone.")
    lb.availability_zone_list = updated
    lb.updated_at = utcnow()
    return lb


def delete_load_balancer(session: Session, *, project_id: str, load_balancer_id: str) -> None:
    lb = lookups.load_balancer(session, project_id, load_balancer_id)
    if lb.deletion_protection_enable:
        raise conflict(f"Load balancer {lb.id} has deletion protection enabled.")
    if session.scalars(select(Listener.id).where(Listener.loadbalancer_id == lb.id)).first():
        raise conflict(f"Load balancer {lb.id} still has listeners; delete them first.")
    if session.scalars(select(Pool.id).where(Pool.loadbalancer_id == lb.id)).first():
        raise conflict(f"Load balancer {lb.id} still has backend server groups; delete them first.")
    recycle_bin.keep_if_on(session, lb, with_pools=True)
    logtanks.delete_load_balancers_logtank(session, lb.id)
    session.delete(lb)
    mark_changed(session, lb.id)


@dataclass(frozen=True)
class Children:
    """The ids of some load balancers' listeners and pools, by load balancer id, in creation order."""

    listeners: dict[str, list[str]]
    pools: dict[str, list[str]]


def children(session: Session, load_balancer_ids: Iterable[str]) -> Children:
    wanted = list(load_balancer_ids)
    return Children(
        child_ids(session, Listener.loadbalancer_id, Listener.id, wanted), child_ids(session, Pool.loadbalancer_id, Pool.id, wanted)
    )

