"""The status tree of a load balancer (GET .../loadbalancers/{id}/statuses)."""

from elbd.api.shapes.statuses import MemberStatus, MonitorStatus, NoMonitor, PoolStatus, StatusTree
from elbd.api.views.members import member_view
from elbd.service import statuses
from elbd.service.member_status import HealthFacts
from elbd.service.statuses import StatusFacts
from elbd.store.models import HealthMonitor, Member, Pool


def status_tree(facts: StatusFacts) -> StatusTree:
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


def _pool(pool: Pool, monitor: HealthMonitor | None, members: list[Member], health: HealthFacts) -> PoolStatus:
    member_views = [member_view(member, health) for member in members]
    member_statuses: list[MemberStatus] = [
        {
            "id": view["id"],
            "address": view["address"],
            "protocol_port": view["protocol_port"],
            "provisioning_status": "ACTIVE",
            "operating_status": view["operating_status"],
            "reason": view["reason"],
        }
        for view in member_views
    ]
    return {
        "id": pool.id,
        "name": pool.name,
        "provisioning_status": "ACTIVE",
        "operating_status": statuses.pool_status(view["operating_status"] for view in member_views),
        "healthmonitor": _monitor(monitor),
        "members": member_statuses,
    }


def _monitor(monitor: HealthMonitor | None) -> MonitorStatus | NoMonitor:
    if monitor is None:
        return {}
    return {"id": monitor.id, "name": monitor.name, "type": monitor.type, "provisioning_status": "ACTIVE"}
