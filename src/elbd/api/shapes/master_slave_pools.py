from typing import Annotated, Any

from typing_extensions import TypedDict

from elbd.api.shapes.base import IdRef, PageInfo, shape, stored_as
from elbd.api.shapes.healthmonitors import MonitorSettings
from elbd.api.shapes.members import ListenerStatus, Reason
from elbd.schemas.pools import ConnectionDrain, QuicCidHashStrategy, SessionPersistence


@shape
class MasterSlaveMember(TypedDict):
    id: str
    name: str
    admin_state_up: bool
    subnet_cidr_id: str | None
    protocol_port: int
    address: str
    ip_version: str
    device_owner: str
    device_id: str
    operating_status: str
    reason: Reason | None
    member_type: str
    instance_id: str
    role: str
    status: list[ListenerStatus]


@shape
class MasterSlavePool(TypedDict):
    id: str
    name: str
    description: str
    project_id: str
    enterprise_project_id: str
    protocol: str
    lb_algorithm: str
    ip_version: str
    type: str
    vpc_id: str
    listeners: list[IdRef]
    loadbalancers: list[IdRef]
    members: list[MasterSlaveMember]
    healthmonitor: MonitorSettings | None
    session_persistence: Annotated[dict[str, Any], stored_as(SessionPersistence)] | None
    any_port_enable: bool
    connection_drain: Annotated[dict[str, Any], stored_as(ConnectionDrain)]
    quic_cid_hash_strategy: Annotated[dict[str, Any], stored_as(QuicCidHashStrategy)] | None
    public_border_group: str
    created_at: str
    updated_at: str


@shape
class MasterSlavePoolReply(TypedDict):
    pool: MasterSlavePool
    request_id: str


@shape
class MasterSlavePoolPage(TypedDict):
    pools: list[MasterSlavePool]
    page_info: PageInfo
    request_id: str
