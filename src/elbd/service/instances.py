"""The instance registry (ECS shapes): which instance owns which address, and whether it runs.

Stopping or deleting an instance changes the members it backs, so their load balancers converge.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, bindparam, delete, or_, select
from sqlalchemy.orm import Session

from elbd.clock import utcnow
from elbd.errors import invalid, not_found
from elbd.ids import new_id
from elbd.schemas.vpcs import ServerCreate
from elbd.service import vpcs
from elbd.service.addresses import ipv4_network, lowest_free, parse_address, require_free, usable_host
from elbd.store.db import mark_members_changed
from elbd.store.models import Member, Pool, Server, ServerNic, Subnet

ACTIVE = "ACTIVE"
SHUTOFF = "SHUTOFF"


def create_server(session: Session, *, project_id: str, option: ServerCreate) -> Server:
    now = utcnow()
    server = Server(id=new_id(), project_id=project_id, name=option.name, status=ACTIVE, created_at=now, updated_at=now)
    session.add(server)
    session.flush()
    for nic in option.nics:
        subnet = vpcs.get_subnet(session, project_id, nic.subnet_id)
        if nic.ip_address is None:
            address = lowest_free(session, subnet)
        else:
            parsed = parse_address(nic.ip_address, "ip_address")
            if not usable_host(ipv4_network(subnet), parsed):
                raise invalid(f"Invalid input for 'ip_address': {nic.ip_address} is not a host address of {subnet.cidr}.")
            address = str(parsed)
            require_free(session, subnet, address)
        session.add(ServerNic(id=new_id(), server_id=server.id, subnet_id=subnet.id, ip_address=address))
        session.flush()
        _bind_members(session, project_id, server.id, subnet, address)
    return server


def _bind_members(session: Session, project_id: str, server_id: str, subnet: Subnet, address: str) -> None:
    """Members already at this address now belong to this instance: those in its subnet, and IP members.
    A member keeps a deleted instance's id (and stays OFFLINE) until another instance takes the address."""
    live_owner = select(Server.id).where(Server.id == Member.instance_id)
    members = session.scalars(
        select(Member).where(
            Member.project_id == project_id,
            Member.address == address,
            or_(Member.subnet_cidr_id.in_([subnet.neutron_subnet_id, subnet.id]), Member.member_type == "ip"),
            or_(Member.instance_id == "", ~live_owner.exists()),
        )
    )
    for member in members:
        member.instance_id = server_id
    _mark_backed_load_balancers(session, [server_id])


def get_server(session: Session, project_id: str, server_id: str) -> Server:
    server = session.get(Server, server_id)
    if server is None or server.project_id != project_id:
        raise not_found("server", server_id)
    return server


def list_servers(session: Session, project_id: str) -> list[Server]:
    return list(session.scalars(select(Server).where(Server.project_id == project_id).order_by(Server.created_at, Server.id)))


def nics_of(session: Session, server_ids: Iterable[str]) -> dict[str, list[ServerNic]]:
    found: dict[str, list[ServerNic]] = {}
    for nic in session.scalars(select(ServerNic).where(ServerNic.server_id.in_(list(server_ids))).order_by(ServerNic.id)):
        found.setdefault(nic.server_id, []).append(nic)
    return found


def set_running(session: Session, *, project_id: str, server_ids: list[str], running: bool) -> None:
    servers = [get_server(session, project_id, server_id) for server_id in server_ids]
    for server in servers:
        server.status = ACTIVE if running else SHUTOFF
        server.updated_at = utcnow()
    _mark_backed_load_balancers(session, [server.id for server in servers])


def delete_servers(session: Session, *, project_id: str, server_ids: list[str]) -> None:
    servers = [get_server(session, project_id, server_id) for server_id in server_ids]
    _mark_backed_load_balancers(session, [server.id for server in servers])
    # NICs go first, in one statement: the ORM knows no relationship between the two tables, so deleting
    # both through the unit of work may delete the server first and find its NICs already cascaded away.
    session.execute(delete(ServerNic).where(ServerNic.server_id.in_([server.id for server in servers])))
    for server in servers:
        session.delete(server)


_OWNER = (
    select(Server.id, Server.status)
    .join(ServerNic, ServerNic.server_id == Server.id)
    .where(Server.project_id == bindparam("project_id"), ServerNic.ip_address == bindparam("address"))
    .limit(1)
)
_OWNER_IN_SUBNET = _OWNER.where(ServerNic.subnet_id == bindparam("subnet_id"))


def owner_of(session: Session, project_id: str, address: str, subnet_id: str | None) -> Row[Any] | None:
    """The id and status of the instance that holds `address` (in `subnet_id` when given), if one is registered."""
    if subnet_id is None:
        return session.connection().execute(_OWNER, {"project_id": project_id, "address": address}).first()
    parameters = {"project_id": project_id, "address": address, "subnet_id": subnet_id}
    return session.connection().execute(_OWNER_IN_SUBNET, parameters).first()


def _mark_backed_load_balancers(session: Session, server_ids: list[str]) -> None:
    query = select(Pool.loadbalancer_id, Member.id).join(Member, Member.pool_id == Pool.id).where(Member.instance_id.in_(server_ids))
    for load_balancer_id, member_id in session.execute(query):
        mark_members_changed(session, load_balancer_id, [member_id])
