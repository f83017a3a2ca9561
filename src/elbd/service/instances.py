"""The instance registry (ECS shapes): which instance owns which address, and whether it runs.

Stopping or deleting an instance changes the members it backs, so their load balancers converge.
"""

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import bindparam, delete, or_, select
from sqlalchemy.orm import Session

from elbd.clock import utcnow
from elbd.errors import invalid
from elbd.ids import new_id
from elbd.schemas.instances import ServerCreate
from elbd.service import lookups
from elbd.service.addresses import ipv4_network, lowest_free, parse_address, require_free, usable_host
from elbd.store.db import mark_members_changed
from elbd.store.models import Instance, InstanceNic, Member, Pool, Subnet

ACTIVE = "ACTIVE"
SHUTOFF = "SHUTOFF"


def create_instance(session: Session, *, project_id: str, option: ServerCreate) -> Instance:
    now = utcnow()
    instance = Instance(id=new_id(), project_id=project_id, name=option.name, status=ACTIVE, created_at=now, updated_at=now)
    session.add(instance)
    session.flush()
    for nic in option.nics:
        subnet = lookups.subnet(session, project_id, nic.subnet_id)
        if nic.ip_address is None:
            address = lowest_free(session, subnet)
        else:
            parsed = parse_address(nic.ip_address, "ip_address")
            if not usable_host(ipv4_network(subnet), parsed):
                raise invalid(f"Invalid input for 'ip_address': {nic.ip_address} is not a host address of {subnet.cidr}.")
            address = str(parsed)
            require_free(session, subnet, address)
        session.add(InstanceNic(id=new_id(), instance_id=instance.id, subnet_id=subnet.id, ip_address=address))
        session.flush()
        _bind_members(session, project_id, instance.id, subnet, address)
    return instance


def _bind_members(session: Session, project_id: str, instance_id: str, subnet: Subnet, address: str) -> None:
    """Members already at this address now belong to this instance: those in its subnet, and IP members.
    A member keeps a deleted instance's id (and stays OFFLINE) until another instance takes the address."""
    live_owner = select(Instance.id).where(Instance.id == Member.instance_id)
    members = session.scalars(
        select(Member).where(
            Member.project_id == project_id,
            Member.address == address,
            or_(Member.subnet_cidr_id.in_([subnet.neutron_subnet_id, subnet.id]), Member.member_type == "ip"),
            or_(Member.instance_id == "", ~live_owner.exists()),
        )
    )
    for member in members:
        member.instance_id = instance_id
    _mark_backed_load_balancers(session, [instance_id])


def list_instances(session: Session, project_id: str) -> list[Instance]:
    return list(session.scalars(select(Instance).where(Instance.project_id == project_id).order_by(Instance.created_at, Instance.id)))


def nics_of(session: Session, instance_ids: Iterable[str]) -> dict[str, list[tuple[InstanceNic, str]]]:
    """Each instance's NICs in id order, each with the id of its subnet's VPC."""
    found: dict[str, list[tuple[InstanceNic, str]]] = {}
    query = (
        select(InstanceNic, Subnet.vpc_id)
        .outerjoin(Subnet, Subnet.id == InstanceNic.subnet_id)
        .where(InstanceNic.instance_id.in_(list(instance_ids)))
        .order_by(InstanceNic.id)
    )
    for nic, vpc_id in session.execute(query):
        found.setdefault(nic.instance_id, []).append((nic, vpc_id or ""))
    return found


def set_running(session: Session, *, project_id: str, instance_ids: list[str], running: bool) -> None:
    instances = [lookups.instance(session, project_id, instance_id) for instance_id in instance_ids]
    for instance in instances:
        instance.status = ACTIVE if running else SHUTOFF
        instance.updated_at = utcnow()
    _mark_backed_load_balancers(session, [instance.id for instance in instances])


def delete_instances(session: Session, *, project_id: str, instance_ids: list[str]) -> None:
    instances = [lookups.instance(session, project_id, instance_id) for instance_id in instance_ids]
    _mark_backed_load_balancers(session, [instance.id for instance in instances])
    # NICs go first, in one statement: the ORM knows no relationship between the two tables, so deleting
    # both through the unit of work may delete the instance first and find its NICs already cascaded away.
    session.execute(delete(InstanceNic).where(InstanceNic.instance_id.in_([instance.id for instance in instances])))
    for instance in instances:
        session.delete(instance)


# The instance that holds an address, its id and status (service/members.py asks for it with a new member's
# other address facts). Parameters: project_id, address.
OWNER = (
    select(Instance.id, Instance.status)
    .join(InstanceNic, InstanceNic.instance_id == Instance.id)
    .where(Instance.project_id == bindparam("project_id"), InstanceNic.ip_address == bindparam("address"))
    .limit(1)
)


class Owner(NamedTuple):
    """The registered instance that holds a member's address."""

    id: str
    status: str


def _mark_backed_load_balancers(session: Session, instance_ids: list[str]) -> None:
    query = select(Pool.loadbalancer_id, Member.id).join(Member, Member.pool_id == Pool.id).where(Member.instance_id.in_(instance_ids))
    for load_balancer_id, member_id in session.execute(query):
        mark_members_changed(session, load_balancer_id, [member_id])
