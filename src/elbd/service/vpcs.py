"""The minimal VPC: networks and subnets, so load balancers and members have somewhere to live."""

import ipaddress
import uuid
from collections.abc import Callable
from typing import NamedTuple

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from elbd.clock import utcnow
from elbd.errors import ElbError, conflict, invalid, not_found
from elbd.ids import new_id
from elbd.schemas.vpcs import SubnetCreate, VpcCreate
from elbd.canonical_ip import IPNetwork
from elbd.service import lookups
from elbd.service.address_ranges import subnet_refusal, vpc_refusal
from elbd.service.addresses import held_in_bin, parse_address, parse_network, usable_host
from elbd.store.models import InstanceNic, LoadBalancer, Member, RecycledLoadBalancer, Subnet, Vpc


def create_vpc(session: Session, *, project_id: str, option: VpcCreate) -> Vpc:
    _refuse_outside_plan(parse_network(option.cidr, "cidr", 4), "cidr", vpc_refusal)
    vpc = Vpc(
        id=new_id(),
        project_id=project_id,
        name=option.name,
        description=option.description,
        cidr=option.cidr,
        created_at=utcnow(),
    )
    session.add(vpc)
    return vpc


def _refuse_outside_plan(network: IPNetwork, field: str, refusal: Callable[[IPNetwork], str | None]) -> None:
    refused = refusal(network)
    if refused:
        raise invalid(f"Invalid input for '{field}': {refused}.")


def list_vpcs(session: Session, project_id: str) -> list[Vpc]:
    return list(session.scalars(select(Vpc).where(Vpc.project_id == project_id).order_by(Vpc.created_at, Vpc.id)))


def delete_vpc(session: Session, *, project_id: str, vpc_id: str) -> None:
    vpc = lookups.vpc(session, project_id, vpc_id)
    if session.scalars(select(Subnet.id).where(Subnet.vpc_id == vpc.id)).first():
        raise conflict(f"VPC {vpc_id} still has subnets.")
    if session.scalars(select(LoadBalancer.id).where(LoadBalancer.vpc_id == vpc.id)).first():
        raise conflict(f"VPC {vpc_id} still has load balancers.")
    session.delete(vpc)


def _default_ipv6_cidr(subnet_id: str) -> str:
    """A unique-local /64 derived from the subnet id, as the cloud picks one when IPv6 is enabled."""
    digest = uuid.UUID(subnet_id).bytes
    return str(ipaddress.IPv6Network((b"\xfd" + digest[:7] + bytes(8), 64)))


def create_subnet(session: Session, *, project_id: str, option: SubnetCreate) -> Subnet:
    vpc = lookups.vpc(session, project_id, option.vpc_id)
    network = parse_network(option.cidr, "cidr", 4)
    _refuse_outside_plan(network, "cidr", subnet_refusal)
    if not network.subnet_of(ipaddress.IPv4Network(vpc.cidr)):
        raise invalid(f"Invalid input for 'cidr': {option.cidr} is not inside the VPC's CIDR {vpc.cidr}.")
    for other in session.scalars(select(Subnet).where(Subnet.vpc_id == vpc.id)):
        if network.overlaps(ipaddress.IPv4Network(other.cidr)):
            raise conflict(f"CIDR {option.cidr} overlaps subnet {other.id} ({other.cidr}).")
    gateway = option.gateway_ip if option.gateway_ip is not None else str(next(network.hosts()))
    if not usable_host(network, parse_address(gateway, "gateway_ip")):
        raise invalid(f"Invalid input for 'gateway_ip': {gateway} is not a host address of {option.cidr}.")
    if option.cidr_v6 is not None and not option.ipv6_enable:
        raise invalid("Invalid input for 'cidr_v6': it needs ipv6_enable true.")
    subnet_id = new_id()
    cidr_v6 = gateway_v6 = None
    if option.ipv6_enable:
        network_v6 = parse_network(option.cidr_v6 or _default_ipv6_cidr(subnet_id), "cidr_v6", 6)
        _refuse_outside_plan(network_v6, "cidr_v6", subnet_refusal)
        for other in session.scalars(select(Subnet).where(Subnet.vpc_id == vpc.id, Subnet.cidr_v6.is_not(None))):
            if network_v6.overlaps(ipaddress.IPv6Network(other.cidr_v6)):
                raise conflict(f"CIDR {network_v6} overlaps subnet {other.id} ({other.cidr_v6}).")
        cidr_v6, gateway_v6 = str(network_v6), str(network_v6.network_address + 1)
    subnet = Subnet(
        id=subnet_id,
        project_id=project_id,
        vpc_id=vpc.id,
        name=option.name,
        description=option.description,
        cidr=str(network),
        gateway_ip=str(ipaddress.ip_address(gateway)),
        neutron_subnet_id=new_id(),
        cidr_v6=cidr_v6,
        gateway_ip_v6=gateway_v6,
        neutron_subnet_id_v6=new_id() if cidr_v6 else None,
        availability_zone=option.availability_zone or "",
        created_at=utcnow(),
    )
    session.add(subnet)
    return subnet


def subnet_by_ipv4_id(session: Session, project_id: str, neutron_subnet_id: str, field: str = "vip_subnet_cidr_id") -> Subnet:
    subnet = session.scalars(select(Subnet).where(Subnet.neutron_subnet_id == neutron_subnet_id)).first()
    if subnet is None or subnet.project_id != project_id:
        by_id = session.get(Subnet, neutron_subnet_id)
        if by_id is not None and by_id.project_id == project_id:
            raise invalid(wrong_subnet_id(field, by_id))
        raise not_found("subnet", neutron_subnet_id)
    return subnet


def subnet_by_network_id(session: Session, project_id: str, subnet_id: str, field: str) -> Subnet:
    """A subnet by its `id` (neutron_network_id), where its IPv4 neutron_subnet_id given instead is named."""
    subnet = session.get(Subnet, subnet_id)
    if subnet is not None and subnet.project_id == project_id:
        return subnet
    by_ipv4_id = session.scalars(select(Subnet).where(Subnet.neutron_subnet_id == subnet_id)).first()
    if by_ipv4_id is not None and by_ipv4_id.project_id == project_id:
        raise invalid(
            f"Invalid input for '{field}': {subnet_id} is the IPv4 neutron_subnet_id of subnet {by_ipv4_id.name!r}; "
            f"'{field}' takes its id (neutron_network_id), {by_ipv4_id.id}."
        )
    raise not_found("subnet", subnet_id)


def wrong_subnet_id(field: str, subnet: Subnet) -> str:
    """The refusal of a subnet's `id` (its neutron_network_id) where its IPv4 neutron_subnet_id is wanted:
    the two look alike and the VPC API answers both."""
    return (
        f"Invalid input for '{field}': {subnet.id} is the id (neutron_network_id) of subnet {subnet.name!r}; "
        f"'{field}' takes its IPv4 neutron_subnet_id, {subnet.neutron_subnet_id}."
    )


# The subnet a member's subnet_cidr_id names (service/members.py asks for it with the member's other
# address facts). Parameter: subnet_cidr_id.
MEMBER_SUBNET = (
    select(*(getattr(Subnet, name) for name in ("id", "project_id", "vpc_id", "neutron_subnet_id", "cidr", "cidr_v6")))
    .where(or_(Subnet.neutron_subnet_id == bindparam("subnet_cidr_id"), Subnet.id == bindparam("subnet_cidr_id")))
    .limit(1)
)


class MemberSubnet(NamedTuple):
    """A member's subnet: a row of MEMBER_SUBNET."""

    id: str
    project_id: str
    vpc_id: str
    neutron_subnet_id: str
    cidr: str
    cidr_v6: str | None


def member_subnet(subnet: MemberSubnet | None, project_id: str, subnet_cidr_id: str) -> tuple[MemberSubnet, int]:
    """A member's subnet_cidr_id (an IPv4 neutron_subnet_id, or for IPv6 the neutron_network_id), given the
    subnet it names (None: none): that subnet, of the project, and the IP version it stands for."""
    if subnet is None or subnet.project_id != project_id:
        raise not_found("subnet", subnet_cidr_id)
    if subnet.neutron_subnet_id == subnet_cidr_id:
        return subnet, 4
    if subnet.cidr_v6 is None:
        raise invalid(
            f"Invalid input for 'subnet_cidr_id': a subnet's id (neutron_network_id) stands for its IPv6 CIDR, and "
            f"subnet {subnet_cidr_id} has no IPv6 CIDR; an IPv4 member names the subnet's neutron_subnet_id, {subnet.neutron_subnet_id}."
        )
    return subnet, 6


def list_subnets(session: Session, project_id: str, vpc_id: str | None) -> list[Subnet]:
    query = select(Subnet).where(Subnet.project_id == project_id)
    if vpc_id:
        query = query.where(Subnet.vpc_id == vpc_id)
    return list(session.scalars(query.order_by(Subnet.created_at, Subnet.id)))


def delete_subnet(session: Session, *, project_id: str, vpc_id: str, subnet_id: str) -> None:
    subnet = lookups.subnet(session, project_id, subnet_id)
    if subnet.vpc_id != vpc_id:
        raise not_found("subnet", subnet_id)
    users = [
        select(LoadBalancer.id).where(
            or_(LoadBalancer.vip_subnet_cidr_id == subnet.neutron_subnet_id, LoadBalancer.ipv6_vip_virsubnet_id == subnet.id)
        ),
        select(RecycledLoadBalancer.id).where(
            or_(RecycledLoadBalancer.vip_subnet_cidr_id == subnet.neutron_subnet_id, RecycledLoadBalancer.ipv6_vip_virsubnet_id == subnet.id),
            held_in_bin(),
        ),
        select(InstanceNic.id).where(InstanceNic.subnet_id == subnet.id),
        select(Member.id).where(Member.subnet_cidr_id.in_([subnet.neutron_subnet_id, subnet.id])),
    ]
    if any(session.scalars(query).first() for query in users):
        raise ElbError(409, "ELB.8907", f"Subnet {subnet_id} is still in use.")
    session.delete(subnet)
