"""A load balancer's status tree: what it is made of, and the statuses derived from the data plane's reports."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from elbd.service import lookups, member_status
from elbd.service.member_status import HealthFacts
from elbd.store.models import DataplaneStatus, Listener
from elbd.store.trees import LoadBalancerTree, load_balancer_tree


@dataclass(frozen=True)
class StatusFacts:
    tree: LoadBalancerTree
    health: HealthFacts  # what its members' statuses depend on
    dataplane: DataplaneStatus | None  # the last apply; None: the data plane has reported none (or there is none)

    @property
    def failed(self) -> bool:
        """The last apply failed: the load balancer is in ERROR and DEGRADED, whatever its row says."""
        return self.dataplane is not None and self.dataplane.state == "ERROR"


def status_facts(session: Session, project_id: str, load_balancer_id: str) -> StatusFacts:
    tree = load_balancer_tree(session, lookups.load_balancer(session, project_id, load_balancer_id))
    health = member_status.gather(session, project_id, [pool.id for pool in tree.pools], tree.all_members)
    return StatusFacts(tree, health, session.get(DataplaneStatus, load_balancer_id))


def listener_status(listener: Listener, dataplane: DataplaneStatus | None) -> str:
    """ONLINE only when its HAProxy frontend accepts connections. Without a data plane (the API-only
    driver) there is nothing to ask, and admin_state_up alone decides."""
    if not listener.admin_state_up:
        return "OFFLINE"
    if dataplane is None:
        return "ONLINE"
    return "ONLINE" if dataplane.listeners.get(listener.id) == "OPEN" else "OFFLINE"


def pool_status(member_statuses: Iterable[str]) -> str:
    """ONLINE when every member is ONLINE or unchecked (NO_MONITOR), or there is none; DEGRADED when some
    are; OFFLINE when none is."""
    statuses = set(member_statuses)
    if statuses <= {"ONLINE", "NO_MONITOR"}:
        return "ONLINE"
    if "ONLINE" in statuses or "NO_MONITOR" in statuses:
        return "DEGRADED"
    return "OFFLINE"
