from elbd.api.shapes.base import IdRef, PageInfo, Shape
from elbd.schemas.pools import ConnectionDrain, PoolHealth, QuicCidHashStrategy, SessionPersistence, SlowStart


class Pool(Shape):
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
    session_persistence: SessionPersistence | None
    slow_start: SlowStart
    member_deletion_protection_enable: bool
    any_port_enable: bool
    connection_drain: ConnectionDrain
    pool_health: PoolHealth
    protection_status: str
    protection_reason: str | None
    public_border_group: str
    quic_cid_hash_strategy: QuicCidHashStrategy | None
    az_affinity: None
    created_at: str
    updated_at: str


class PoolReply(Shape):
    pool: Pool
    request_id: str


class PoolPage(Shape):
    pools: list[Pool]
    page_info: PageInfo
    request_id: str
