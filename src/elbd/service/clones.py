"""Clones: a load balancer copied with everything under it onto a new VIP, a listener copied (with its
backend server groups, or sending to the same ones) onto a port of a load balancer. Copies are new
resources: new ids, new creation times, no health reported yet; certificates, security policies and
IP address groups are shared, not copied."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elbd.clock import utcnow
from elbd.errors import invalid
from elbd.ids import new_id
from elbd.schemas.clones import TargetListener, TargetLoadBalancer
from elbd.schemas.loadbalancers import LoadBalancerCreate
from elbd.service import listeners, loadbalancers, lookups, quotas
from elbd.service.address_ranges import Host
from elbd.service.lb_rows import copied, listener_rows, load_balancer_rows, pool_rows, pools_of_listener, require_room, without_health
from elbd.store.db import mark_changed
from elbd.store.models import Base, L7Policy, Listener, LoadBalancer
from elbd.store.row_snapshots import Snapshot, dump, load, primary_ids

NAME_LENGTH = 255


def clone_load_balancer(
    session: Session, *, project_id: str, load_balancer_id: str, count: int, target: TargetLoadBalancer, host: Host
) -> list[LoadBalancer]:
    source = lookups.load_balancer(session, project_id, load_balancer_id)
    if target.reuse_pool:
        raise invalid("Invalid input for 'reuse_pool': only false; a backend server group belongs to one load balancer in elbd, so a clone copies them.")
    if not target.guaranteed:
        raise invalid("Invalid input for 'guaranteed': only true; every elbd load balancer is dedicated.")
    if count > 1 and (target.vip_address or target.ipv6_vip_address):
        raise invalid("Invalid input for 'vip_address': several copies cannot share one VIP; leave it out to have one allocated to each.")
    under = dump(load_balancer_rows(session, source, with_pools=True)[1:])
    made = []
    for number in range(1, count + 1):
        require_room(session, project_id, under)
        lb = loadbalancers.create_load_balancer(session, project_id=project_id, option=_copy_option(source, target, number), host=host)
        if lb.vpc_id != source.vpc_id:
            raise invalid(f"The subnets of a clone must be in the source's VPC {source.vpc_id}.")
        _insert(session, under, {source.id: lb.id})
        mark_changed(session, lb.id)
        made.append(lb)
    return made


def _copy_option(source: LoadBalancer, target: TargetLoadBalancer, number: int) -> LoadBalancerCreate:
    asked = target.model_dump(exclude_unset=True, exclude={"reuse_pool", "guaranteed"})
    option = {
        "name": copy_name(source.name, f"-copy-{number}"),
        "description": source.description,
        "availability_zone_list": list(source.availability_zone_list),
        "vip_subnet_cidr_id": source.vip_subnet_cidr_id,
        "ipv6_vip_virsubnet_id": source.ipv6_vip_virsubnet_id,
        "elb_virsubnet_ids": list(source.elb_virsubnet_ids),
        "ip_target_enable": source.ip_target_enable,
        "deletion_protection_enable": source.deletion_protection_enable,
        "l4_flavor_id": source.l4_flavor_id,
        "l7_flavor_id": source.l7_flavor_id,
        "enterprise_project_id": source.enterprise_project_id,
        "tags": list(source.tags),
        "protection_status": source.protection_status,
        "protection_reason": source.protection_reason,
        **{name: value for name, value in asked.items() if value is not None},
    }
    return LoadBalancerCreate.model_validate({name: value for name, value in option.items() if value is not None})


def clone_listener(session: Session, *, project_id: str, listener_id: str, targets: list[TargetListener], host: Host) -> list[Listener]:
    source = lookups.listener(session, project_id, listener_id)
    source_lb = lookups.load_balancer(session, project_id, source.loadbalancer_id)
    made = []
    for target in targets:
        if target.port_ranges:
            raise invalid("Invalid input for 'port_ranges': an elbd listener listens on one port; give protocol_port.")
        if target.subnet_mapping_list:
            raise invalid("Invalid input for 'subnet_mapping_list': a copy stays in the source's VPC in elbd.")
        if not target.protocol_port:
            raise invalid("Invalid input for 'protocol_port': the copy needs a port from 1 to 65535.")
        lb = lookups.load_balancer(session, project_id, target.loadbalancer_id or source.loadbalancer_id)
        if lb.vpc_id != source_lb.vpc_id:
            raise invalid(f"Invalid input for 'loadbalancer_id': load balancer {lb.id} is not in the source's VPC {source_lb.vpc_id}.")
        if target.reuse_pool and lb.id != source_lb.id:
            raise invalid("Invalid input for 'reuse_pool': a backend server group belongs to one load balancer; reuse it only on the source's.")
        if lb.ip_target_enable is False and source_lb.ip_target_enable:
            raise invalid(f"Invalid input for 'loadbalancer_id': load balancer {lb.id} needs ip_target_enable true, as the source's has.", code="ELB.8939")
        on_lb = session.scalar(select(func.count()).select_from(Listener).where(Listener.loadbalancer_id == lb.id)) or 0
        quotas.require_room(session, project_id, "listeners_per_loadbalancer", used_now=on_lb)
        listeners.require_port(session, host, lb, source.protocol, target.protocol_port)
        rows: list[Base] = [*([] if target.reuse_pool else pool_rows(session, pools_of_listener(session, source))), *listener_rows(session, [source])]
        if lb.id != source_lb.id and any(isinstance(row, L7Policy) and row.redirect_listener_id for row in rows):
            raise invalid(
                "Invalid input for 'loadbalancer_id': the listener redirects to another listener of its load balancer "
                "(REDIRECT_TO_LISTENER), which a copy on another load balancer could not reach; copy it onto its own."
            )
        snapshot = dump(rows)
        require_room(session, project_id, snapshot)
        [listener_entry] = [entry for entry in snapshot if entry["table"] == Listener.__tablename__]
        listener_entry["values"].update(protocol_port=target.protocol_port, name=target.name if target.name else copy_name(source.name, "-copy"))
        renamed = _insert(session, snapshot, {source_lb.id: lb.id})
        made.append(lookups.listener(session, project_id, renamed[source.id]))
        mark_changed(session, lb.id)
    return made


def copy_name(name: str, suffix: str) -> str:
    """The source's name with `suffix`, within the 255 characters a name may have."""
    return name[: NAME_LENGTH - len(suffix)] + suffix


def _insert(session: Session, snapshot: Snapshot, moved: dict[str, str]) -> dict[str, str]:
    """The rows of `snapshot` added under new ids (and `moved`: the load balancer they go to), as new
    resources; answers the new id of each old one."""
    new_ids = {old: new_id() for old in primary_ids(snapshot)} | moved
    now = utcnow()
    for row in load(without_health(copied(snapshot, new_ids))):
        if hasattr(row, "created_at"):
            row.created_at = row.updated_at = now  # type: ignore[attr-defined]
        session.add(row)
        session.flush()
    return new_ids
