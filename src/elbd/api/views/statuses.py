"""The status tree of a load balancer (GET .../loadbalancers/{id}/statuses)."""

from typing import Any

from sqlalchemy.orm import Session

from elbd.api.views.members import member_view
from elbd.service import member_status
from elbd.store.models import DataplaneStatus, HealthMonitor, Listener, LoadBalancer, Member, Pool
from elbd.store.trees import load_balancer_tree


def status_tree(session: Session, lb: LoadBalancer) -> dict[str, Any]:
    tree = load_balancer_tree(session, lb)
    listeners, pools, monitors, members = tree.listeners, tree.pools, tree.monitors, tree.members
    facts = member_status.gather(session, lb.project_id, [pool.id for pool in pools], tree.all_members)
    pool_views = {pool.id: _pool(pool, monitors.get(pool.id), members.get(pool.id, []), facts) for pool in pools}
    dataplane = session.get(DataplaneStatus, lb.id)
    failed = dataplane is not None and dataplane.state == "ERROR"
    return {
        "loadbalancer": {
            "id": lb.id,
            "name": lb.name,
            "provisioning_status": "ERROR" if failed else lb.provisioning_status,
            "operating_status": "DEGRADED" if failed else lb.operating_status,
            "dataplane": {"state": dataplane.state, "message": dataplane.message} if dataplane else None,
            "listeners": [
                {
                    "id": listener.id,
                    "name": listener.name,
                    "provisioning_status": "ACTIVE",
                    "operating_status": _listener_status(listener, dataplane),
                    "pools": [pool_views[listener.default_pool_id]] if listener.default_pool_id in pool_views else [],
                    "l7policies": [],
                }
                for listener in listeners
            ],
            "pools": list(pool_views.values()),
        }
    }


def _listener_status(listener: Listener, dataplane: DataplaneStatus | None) -> str:
    """ONLINE only when its HAProxy frontend accepts connections. Without a data plane (the API-only
    driver) there is nothing to ask, and admin_state_up alone decides."""
    if not listener.admin_state_up:
        return "OFFLINE"
    if dataplane is None:
        return "ONLINE"
    return "ONLINE" if dataplane.listeners.get(listener.id) == "OPEN" else "OFFLINE"


def _pool(pool: Pool, monitor: HealthMonitor | None, members: list[Member], facts: member_status.HealthFacts) -> dict[str, Any]:
    member_views = [member_view(member, facts) for member in members]
    statuses = {view["operating_status"] for view in member_views}
    if not member_views or statuses <= {"ONLINE", "NO_MONITOR"}:
        pool_status = "ONLINE"
    elif "ONLINE" in statuses or "NO_MONITOR" in statuses:
        pool_status = "DEGRADED"
    else:
        pool_status = "OFFLINE"
    return {
        "id": pool.id,
        "name": pool.name,
        "provisioning_status": "ACTIVE",
        "operating_status": pool_status,
        "healthmonitor": (
            {"id": monitor.id, "name": monitor.name, "type": monitor.type, "provisioning_status": "ACTIVE"} if monitor else {}
        ),
        "members": [
            {
                "id": view["id"],
                "address": view["address"],
                "protocol_port": view["protocol_port"],
                "provisioning_status": "ACTIVE",
                "operating_status": view["operating_status"],
                "reason": view["reason"],
            }
            for view in member_views
        ],
    }
