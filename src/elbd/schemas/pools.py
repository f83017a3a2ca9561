from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from elbd.schemas.base import Description, Name, ProjectIdField, ResourceId, Strict
from elbd.schemas.loadbalancers import ProtectionReason, ProtectionStatus
from elbd.schemas.unserved import POOLS, note

PoolProtocol = Literal["TCP", "UDP", "TLS", "GRPC", "HTTP", "HTTPS", "QUIC", "IP"]
Algorithm = Literal["ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP", "QUIC_CID", "2_TUPLE_HASH", "3_TUPLE_HASH", "5_TUPLE_HASH"]


class SessionPersistence(Strict):
    type: Literal["SOURCE_IP", "HTTP_COOKIE", "APP_COOKIE"]
    cookie_name: Annotated[str, StringConstraints(min_length=1, max_length=1024, pattern=r"^[A-Za-z0-9_.-]+$")] | None = None
    persistence_timeout: int | None = Field(None, ge=1, le=1440)


class SlowStart(Strict):
    enable: bool = False
    duration: int = Field(30, ge=30, le=1200)


class ConnectionDrain(Strict):
    enable: bool = False
    timeout: int = Field(300, ge=10, le=4000)


class PoolHealth(Strict):
    minimum_healthy_member_count: Literal[0, 1] = 0


class QuicCidHashStrategy(Strict):
    len: int = Field(3, ge=1, le=20)
    offset: int = Field(1, ge=0, le=19)


class _PoolSettings(Strict):
    name: Name | None = None
    description: Description | None = None
    admin_state_up: bool | None = None
    session_persistence: SessionPersistence | None = None
    slow_start: SlowStart | None = None
    member_deletion_protection_enable: bool | None = None
    vpc_id: ResourceId | None = None
    type: Literal["instance", "ip", ""] | None = None
    protection_status: ProtectionStatus | None = None
    protection_reason: ProtectionReason | None = None
    any_port_enable: bool | None = None
    connection_drain: ConnectionDrain | None = None
    pool_health: PoolHealth | None = Field(None, description=note(POOLS, "pool_health"))
    quic_cid_hash_strategy: QuicCidHashStrategy | None = None
    az_affinity: dict | None = Field(None, description=note(POOLS, "az_affinity"))
    elbd_connection_reuse: bool | None = Field(
        None,
        description=(
            "elbd extension (HTTP backend server groups): whether client connections share idle backend connections "
            "(true, the default: a short client connection costs no new backend handshake). false keeps every backend "
            "connection to one client connection, for a backend that ties state to its connection (NTLM, some legacy "
            "session schemes)."
        ),
    )


class PoolCreate(_PoolSettings):
    lb_algorithm: Algorithm = Field(description=note(POOLS, "lb_algorithm"))
    protocol: PoolProtocol = Field(description=note(POOLS, "protocol"))
    listener_id: ResourceId | None = None
    loadbalancer_id: ResourceId | None = None
    ip_version: Literal["v4", "dualstack"] | None = None
    project_id: ProjectIdField | None = None
    enterprise_project_id: Annotated[str, StringConstraints(max_length=36)] | None = None
    public_border_group: Annotated[str, StringConstraints(max_length=64)] | None = None


class PoolCreateRequest(Strict):
    pool: PoolCreate


class PoolUpdate(_PoolSettings):
    lb_algorithm: Algorithm | None = Field(None, description=note(POOLS, "lb_algorithm"))


class PoolUpdateRequest(Strict):
    pool: PoolUpdate
