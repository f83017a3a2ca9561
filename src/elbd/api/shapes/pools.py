from typing import Annotated, Any

from typing_extensions import TypedDict

from elbd.api.shapes.base import IdRef, PageInfo, shape, stored_as
from elbd.schemas.pools import ConnectionDrain, PoolHealth, QuicCidHashStrategy, SessionPersistence, SlowStart


@shape
class Pool(TypedDict):
    id: str
    name: str
    description: str
    project_id: str
    enterprise_project_id: str
    admin_state_up: bool
    protocol: str
    lb_algorithm: str
    ip_version: str
    type: str
    vpc_id: str
    healthmonitor_id: str
    listeners: list[IdRef]
    loadbalancers: list[IdRef]
    members: list[IdRef]
    session_persistence: Annotated[dict[str, Any], stored_as(SessionPersistence)] | None
    slow_start: Annotated[dict[str, Any], stored_as(SlowStart)]
    member_deletion_protection_enable: bool
    any_port_enable: bool
    elbd_connection_reuse: bool
    connection_drain: Annotated[dict[str, Any], stored_as(ConnectionDrain)]
    pool_health: Annotated[dict[str, Any], stored_as(PoolHealth)]
    protection_status: str
    protection_reason: str | None
    public_border_group: str
    quic_cid_hash_strategy: Annotated[dict[str, Any], stored_as(QuicCidHashStrategy)] | None
    az_affinity: None
    created_at: str
    updated_at: str


@shape
class PoolReply(TypedDict):
    pool: Pool
    request_id: str


@shape
class PoolPage(TypedDict):
    pools: list[Pool]
    page_info: PageInfo
    request_id: str
