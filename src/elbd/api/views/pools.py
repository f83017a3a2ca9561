from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elbd.clock import format_time
from elbd.store.models import HealthMonitor, Listener, Member, Pool


def _ids_by(session: Session, owner: Any, child: Any, owner_ids: list[str]) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {}
    query = select(owner, child).where(owner.in_(owner_ids)).order_by(child.class_.created_at, child)
    for owner_id, child_id in session.execute(query):
        found.setdefault(owner_id, []).append({"id": child_id})
    return found


def pool_views(session: Session, pools: list[Pool]) -> list[dict[str, Any]]:
    ids = [pool.id for pool in pools]
    listeners = _ids_by(session, Listener.default_pool_id, Listener.id, ids)
    members = _ids_by(session, Member.pool_id, Member.id, ids)
    monitors = dict(session.execute(select(HealthMonitor.pool_id, HealthMonitor.id).where(HealthMonitor.pool_id.in_(ids))).all())
    return [_view(pool, listeners.get(pool.id, []), members.get(pool.id, []), monitors.get(pool.id)) for pool in pools]


def _view(pool: Pool, listeners: list[dict[str, str]], members: list[dict[str, str]], monitor_id: str | None) -> dict[str, Any]:
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
        "healthmonitor_id": monitor_id or "",
        "listeners": listeners,
        "loadbalancers": [{"id": pool.loadbalancer_id}] if pool.loadbalancer_id else [],
        "members": members,
        "session_persistence": pool.session_persistence,
        "slow_start": pool.slow_start,
        "member_deletion_protection_enable": pool.member_deletion_protection_enable,
        "any_port_enable": pool.any_port_enable,
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
