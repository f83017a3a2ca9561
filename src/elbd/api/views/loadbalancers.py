from elbd.api.shapes.loadbalancers import LoadBalancer
from elbd.clock import format_time
from elbd.service.loadbalancers import Children
from elbd.store.models import LoadBalancer as LoadBalancerRow


def load_balancer_view(lb: LoadBalancerRow, children: Children) -> LoadBalancer:
    return {
        "id": lb.id,
        "name": lb.name,
        "description": lb.description,
        "project_id": lb.project_id,
        "provisioning_status": lb.provisioning_status,
        "operating_status": lb.operating_status,
        "admin_state_up": lb.admin_state_up,
        "provider": "vlb",
        "pools": [{"id": pool_id} for pool_id in children.pools.get(lb.id, [])],
        "listeners": [{"id": listener_id} for listener_id in children.listeners.get(lb.id, [])],
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
