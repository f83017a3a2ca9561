"""The status tree of a load balancer (GET .../loadbalancers/{id}/statuses)."""

from typing import Any

from elbd.api.views.members import member_view
from elbd.service import member_status, statuses
from elbd.service.statuses import StatusFacts
from elbd.store.models import HealthMonitor, Member, Pool


def status_tree(facts: StatusFacts) -> dict[str, Any]:
    tree, dataplane = facts.tree, facts.dataplane
    lb = tree.load_balancer
    pool_views = {pool.id: _pool(pool, tree.monitors.get(pool.id), tree.members.get(pool.id, []), facts.health) for pool in tree.pools}
    return {
        "loadbalancer": {
            "id": lb.id,
            "name": lb.name,
            "provisioning_status": "ERROR" if facts.failed else lb.provisioning_status,
            "operating_status": "DEGRADED" if facts.failed else lb.operating_status,
            "dataplane": {"state": dataplane.state, "message": dataplane.message} if dataplane else None,
            "listeners": [
                {
                    "id": listener.id,
                    "name": listener.name,
                    "provisioning_status": "ACTIVE",
                    "operating_status": statuses.listener_status(listener, dataplane),
                    "pools": [pool_views[listener.default_pool_id]] if listener.default_pool_id in pool_views else [],
                    "l7policies": [],
                }
                for listener in tree.listeners
            ],
            "pools": list(pool_views.values()),
        }
    }


def _pool(pool: Pool, monitor: HealthMonitor | None, members: list[Member], health: member_status.HealthFacts) -> dict[str, Any]:
    member_views = [member_view(member, health) for member in members]
    return {
        "id": pool.id,
        "name": pool.name,
        "provisioning_status": "ACTIVE",
        "operating_status": statuses.pool_status(view["operating_status"] for view in member_views),
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
