from elbd.api.shapes.base import Shape
from elbd.api.shapes.members import Reason


class MemberStatus(Shape):
    id: str
    address: str
    protocol_port: int
    provisioning_status: str
    operating_status: str
    reason: Reason | None


class MonitorStatus(Shape):
    id: str
    name: str
    type: str
    provisioning_status: str


class NoMonitor(Shape):
    """`{}`: the pool has no health monitor."""


class PoolStatus(Shape):
    id: str
    name: str
    provisioning_status: str
    operating_status: str
    healthmonitor: MonitorStatus | NoMonitor
    members: list[MemberStatus]


class ListenerStatus(Shape):
    id: str
    name: str
    provisioning_status: str
    operating_status: str
    pools: list[PoolStatus]
    l7policies: list[dict]


class DataplaneState(Shape):
    """elbd's addition: the last data-plane apply of this load balancer."""

    state: str
    message: str


class LoadBalancerStatus(Shape):
    id: str
    name: str
    provisioning_status: str
    operating_status: str
    dataplane: DataplaneState | None
    listeners: list[ListenerStatus]
    pools: list[PoolStatus]


class StatusTree(Shape):
    loadbalancer: LoadBalancerStatus


class StatusReply(Shape):
    statuses: StatusTree
    request_id: str
