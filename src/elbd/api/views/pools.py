from elbd.api.shapes.pools import Pool
from elbd.clock import format_time
from elbd.service.pools import Related
from elbd.store.models import Pool as PoolRow


def pool_view(pool: PoolRow, related: Related) -> Pool:
    return {
        "id": pool.id,
        "name": pool.name,
        "description": pool.description,
        "project_id": pool.project_id,
        "enterprise_project_id": "0",
        "admin_state_up": pool.admin_state_up,
        "protocol": pool.protocol,
        "lb_algorithm": pool.lb_algorithm,
        "ip_version": pool.ip_version,
        "type": pool.type,
        "vpc_id": pool.vpc_id,
        "healthmonitor_id": related.monitors.get(pool.id, ""),
        "listeners": [{"id": listener_id} for listener_id in related.listeners.get(pool.id, [])],
        "loadbalancers": [{"id": pool.loadbalancer_id}] if pool.loadbalancer_id else [],
        "members": [{"id": member_id} for member_id in related.members.get(pool.id, [])],
        "session_persistence": pool.session_persistence,
        "slow_start": pool.slow_start,
        "member_deletion_protection_enable": pool.member_deletion_protection_enable,
        "any_port_enable": pool.any_port_enable,
        "elbd_connection_reuse": pool.elbd_connection_reuse,
        "connection_drain": pool.connection_drain,
        "pool_health": pool.pool_health,
        "protection_status": pool.protection_status,
        "protection_reason": pool.protection_reason,
        "public_border_group": "center",
        "quic_cid_hash_strategy": pool.quic_cid_hash_strategy,
        "az_affinity": None,
        "created_at": format_time(pool.created_at),
        "updated_at": format_time(pool.updated_at),
    }
