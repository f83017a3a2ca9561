"""Active/standby backend server groups (/elb/master-slave-pools): made whole in one request, with their
two members and their health check."""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from elbd.schemas.base import Description, Name, ProjectIdField, ResourceId, Strict
from elbd.schemas.healthmonitors import DomainName, ExpectedCodes, UrlPath
from elbd.schemas.members import Address, MemberPort
from elbd.schemas.pools import Algorithm, ConnectionDrain, QuicCidHashStrategy, SessionPersistence
from elbd.schemas.unserved import MASTER_SLAVE_POOLS, note

MasterSlaveProtocol = Literal["TCP", "UDP", "QUIC", "TLS"]


class MasterSlaveMemberCreate(Strict):
    address: Address
    role: Literal["master", "slave"]
    protocol_port: MemberPort | None = None
    subnet_cidr_id: ResourceId | None = None
    name: Name = ""
    admin_state_up: bool | None = Field(None, description="Accepted; the reported value is derived from the instance registry.")


class MasterSlaveMonitorCreate(Strict):
    type: Literal["TCP", "UDP_CONNECT", "HTTP", "HTTPS"]
    delay: int = Field(ge=1, le=50)
    timeout: int = Field(ge=1, le=50)
    max_retries: int = Field(ge=1, le=10)
    max_retries_down: int | None = Field(None, ge=1, le=10)
    monitor_port: int | None = Field(None, ge=1, le=65535)
    name: Name | None = None
    domain_name: DomainName | None = None
    expected_codes: ExpectedCodes | None = None
    http_method: Literal["GET", "HEAD", "POST"] | None = None
    url_path: UrlPath | None = None


class MasterSlavePoolCreate(Strict):
    protocol: MasterSlaveProtocol = Field(description=note(MASTER_SLAVE_POOLS, "protocol"))
    lb_algorithm: Algorithm
    members: list[MasterSlaveMemberCreate] = Field(description="Exactly two: one master (active), one slave (standby).")
    healthmonitor: MasterSlaveMonitorCreate
    name: Name | None = None
    description: Description | None = None
    listener_id: ResourceId | None = None
    loadbalancer_id: ResourceId | None = None
    type: Literal["instance", "ip", ""] | None = None
    vpc_id: ResourceId | None = None
    ip_version: Literal["v4", "dualstack"] | None = None
    session_persistence: SessionPersistence | None = None
    any_port_enable: bool | None = None
    connection_drain: ConnectionDrain | None = None
    quic_cid_hash_strategy: QuicCidHashStrategy | None = None
    project_id: ProjectIdField | None = None
    enterprise_project_id: Annotated[str, StringConstraints(max_length=36)] | None = None
    public_border_group: Annotated[str, StringConstraints(max_length=64)] | None = None


class MasterSlavePoolCreateRequest(Strict):
    pool: MasterSlavePoolCreate
