from typing import Any

from typing_extensions import TypedDict

from elbd.api.shapes.base import shape
from elbd.api.shapes.members import Reason


@shape
class MemberStatus(TypedDict):
    id: str
    address: str
    protocol_port: int
    provisioning_status: str
    operating_status: str
    reason: Reason | None


@shape
class MonitorStatus(TypedDict):
    id: str
    name: str
    type: str
    provisioning_status: str


@shape
class NoMonitor(TypedDict):
    """`{}`: the pool has no health monitor."""


@shape
class PoolStatus(TypedDict):
    id: str
    name: str
    provisioning_status: str
    operating_status: str
    healthmonitor: MonitorStatus | NoMonitor
    members: list[MemberStatus]


@shape
class ListenerStatus(TypedDict):
    id: str
    name: str
    provisioning_status: str
    operating_status: str
    pools: list[PoolStatus]
    l7policies: list[dict[str, Any]]


@shape
class DataplaneState(TypedDict):
    """elbd's addition: the last data-plane apply of this load balancer."""

    state: str
    message: str


@shape
class LoadBalancerStatus(TypedDict):
    id: str
    name: str
    provisioning_status: str
    operating_status: str
    dataplane: DataplaneState | None
    listeners: list[ListenerStatus]
    pools: list[PoolStatus]


@shape
class StatusTree(TypedDict):
    loadbalancer: LoadBalancerStatus


@shape
class StatusReply(TypedDict):
    statuses: StatusTree
    request_id: str
