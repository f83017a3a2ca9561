from elbd.api.shapes.master_slave_pools import MasterSlaveMember, MasterSlavePool
from elbd.api.views.healthmonitors import monitor_settings_view
from elbd.api.views.members import member_view
from elbd.clock import format_time
from elbd.service.master_slave_pools import DEFAULT_ENTERPRISE_PROJECT, PUBLIC_BORDER_GROUP, Parts
from elbd.service.member_status import HealthFacts
from elbd.store.models import Member as MemberRow
from elbd.store.models import Pool as PoolRow


def master_slave_member_view(member: MemberRow, facts: HealthFacts) -> MasterSlaveMember:
    shown = member_view(member, facts)
    return {
        "id": shown["id"],
        "name": shown["name"],
        "admin_state_up": shown["admin_state_up"],
        "subnet_cidr_id": shown["subnet_cidr_id"],
        "protocol_port": shown["protocol_port"],
        "address": shown["address"],
        "ip_version": shown["ip_version"],
        "device_owner": "",
        "device_id": member.instance_id,
        "operating_status": shown["operating_status"],
        "reason": shown["reason"],
        "member_type": shown["member_type"],
        "instance_id": shown["instance_id"],
        "role": member.role or "",
        "status": shown["status"],
    }


def master_slave_pool_view(pool: PoolRow, parts: Parts) -> MasterSlavePool:
    monitor = parts.monitors.get(pool.id)
    return {
        "id": pool.id,
        "name": pool.name,
        "description": pool.description,
        "project_id": pool.project_id,
        "enterprise_project_id": DEFAULT_ENTERPRISE_PROJECT,
        "protocol": pool.protocol,
        "lb_algorithm": pool.lb_algorithm,
        "ip_version": pool.ip_version,
        "type": pool.type,
        "vpc_id": pool.vpc_id,
        "listeners": [{"id": listener_id} for listener_id in parts.related.listeners.get(pool.id, [])],
        "loadbalancers": [{"id": pool.loadbalancer_id}] if pool.loadbalancer_id else [],
        "members": [master_slave_member_view(member, parts.facts) for member in parts.members.get(pool.id, [])],
        "healthmonitor": monitor_settings_view(monitor) if monitor is not None else None,
        "session_persistence": pool.session_persistence,
        "any_port_enable": pool.any_port_enable,
        "connection_drain": pool.connection_drain,
        "quic_cid_hash_strategy": pool.quic_cid_hash_strategy,
        "public_border_group": PUBLIC_BORDER_GROUP,
        "created_at": format_time(pool.created_at),
        "updated_at": format_time(pool.updated_at),
    }
