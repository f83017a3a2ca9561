from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elbd.clock import format_time
from elbd.store.models import Listener, LoadBalancer, Pool


def _children(session: Session, model: Any, lb_ids: list[str]) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {}
    query = select(model.loadbalancer_id, model.id).where(model.loadbalancer_id.in_(lb_ids)).order_by(model.created_at, model.id)
    for lb_id, child_id in session.execute(query):
        found.setdefault(lb_id, []).append({"id": child_id})
    return found


def load_balancer_views(session: Session, lbs: list[LoadBalancer]) -> list[dict[str, Any]]:
    ids = [lb.id for lb in lbs]
    listeners, pools = _children(session, Listener, ids), _children(session, Pool, ids)
    return [_view(lb, listeners.get(lb.id, []), pools.get(lb.id, [])) for lb in lbs]


def _view(lb: LoadBalancer, listeners: list[dict[str, str]], pools: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "id": lb.id,
        "name": lb.name,
        "description": lb.description,
        "project_id": lb.project_id,
        "provisioning_status": lb.provisioning_status,
        "operating_status": lb.operating_status,
        "admin_state_up": lb.admin_state_up,
        "provider": "vlb",
        "pools": pools,
        "listeners": listeners,
        "vpc_id": lb.vpc_id,
        "vip_subnet_cidr_id": lb.vip_subnet_cidr_id,
        "vip_address": lb.vip_address,
        "vip_port_id": lb.vip_port_id,
        "ipv6_vip_virsubnet_id": lb.ipv6_vip_virsubnet_id,
        "ipv6_vip_address": lb.ipv6_vip_address,
        "ipv6_vip_port_id": lb.ipv6_vip_port_id,
        "elb_virsubnet_ids": lb.elb_virsubnet_ids,
        "elb_virsubnet_type": "dualstack" if lb.ipv6_vip_virsubnet_id else "ipv4",
        "availability_zone_list": lb.availability_zone_list,
        "ip_target_enable": lb.ip_target_enable,
        "deletion_protection_enable": lb.deletion_protection_enable,
        "guaranteed": True,
        "eips": [],
        "publicips": [],
        "global_eips": [],
        "tags": lb.tags,
        "l4_flavor_id": lb.l4_flavor_id or "",
        "l4_scale_flavor_id": "",
        "l7_flavor_id": lb.l7_flavor_id or "",
        "l7_scale_flavor_id": "",
        "billing_info": "",
        "frozen_scene": "",
        "enterprise_project_id": lb.enterprise_project_id,
        "protection_status": lb.protection_status,
        "protection_reason": lb.protection_reason,
        "charge_mode": "flavor",
        "created_at": format_time(lb.created_at),
        "updated_at": format_time(lb.updated_at),
    }
