from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from elbd.schemas.base import Description, Name, ProjectIdField, ResourceId, Strict
from elbd.schemas.ipgroups import ListenerIpGroupOption
from elbd.schemas.loadbalancers import ProtectionReason, ProtectionStatus, Tag
from elbd.schemas.unserved import LISTENERS, note

ListenerProtocol = Literal["TCP", "UDP", "HTTP", "HTTPS", "TERMINATED_HTTPS", "QUIC", "TLS", "IP"]
CertificateRef = Annotated[str, StringConstraints(min_length=1, max_length=128)]
ClearableCertificateRef = Annotated[str, StringConstraints(max_length=128)]  # "" or null: none (how Terraform clears it)
CiphersPolicy = Literal[
    "tls-1-0-inherit",
    "tls-1-0",
    "tls-1-1",
    "tls-1-2",
    "tls-1-2-strict",
    "tls-1-2-fs",
    "tls-1-0-with-1-3",
    "tls-1-2-fs-with-1-3",
    "hybrid-policy-1-0",
    "tls-1-2-strict-no-cbc",
]
InsertHeaders = dict[Annotated[str, StringConstraints(max_length=64)], bool | Annotated[str, StringConstraints(max_length=64)]]


class _ListenerSettings(Strict):
    """What create and update share."""

    name: Name | None = None
    description: Description | None = None
    admin_state_up: bool | None = None
    default_pool_id: ResourceId | None = None
    default_tls_container_ref: CertificateRef | None = None
    client_ca_tls_container_ref: ClearableCertificateRef | None = None
    sni_container_refs: list[CertificateRef] | None = Field(None, max_length=50)
    sni_match_algo: Literal["longest_suffix", "wildcard"] | None = Field(None, description=note(LISTENERS, "sni_match_algo"))
    tls_ciphers_policy: CiphersPolicy | None = None
    http2_enable: bool | None = None
    insert_headers: InsertHeaders | None = Field(None, description=note(LISTENERS, "insert_headers"))
    enable_member_retry: bool | None = None
    keepalive_timeout: int | None = Field(None, ge=0, le=4000)
    client_timeout: int | None = Field(None, ge=1, le=300)
    member_timeout: int | None = Field(None, ge=1, le=300)
    protection_status: ProtectionStatus | None = None
    protection_reason: ProtectionReason | None = None
    security_policy_id: ResourceId | None = None
    ipgroup: ListenerIpGroupOption | None = Field(
        None, description="Access control by IP address groups: a whitelist admits only their addresses, a blacklist refuses them."
    )
    quic_config: dict | None = Field(None, description=note(LISTENERS, "quic_config"))
    transparent_client_ip_enable: bool | None = Field(None, description=note(LISTENERS, "transparent_client_ip_enable"))
    proxy_protocol_enable: bool | None = Field(None, description=note(LISTENERS, "proxy_protocol_enable"))
    enhance_l7policy_enable: bool | None = Field(
        None, description="Advanced forwarding (HTTP and HTTPS listeners): priorities, every action and rule type. Once true, it cannot be set false."
    )
    gzip_enable: bool | None = Field(None, description=note(LISTENERS, "gzip_enable"))
    ssl_early_data_enable: bool | None = Field(None, description=note(LISTENERS, "ssl_early_data_enable"))
    nat64_enable: bool | None = Field(None, description=note(LISTENERS, "nat64_enable"))
    cps: int | None = Field(
        None, ge=0, le=1_000_000,
        description="New connections accepted per second (0: unlimited); one over the limit is closed at once with a reset.",
    )
    connection: int | None = Field(
        None, ge=0, le=1_000_000,
        description="Concurrent connections (0: unlimited); a new one over the limit is closed at once with a reset, and "
        "lowering the limit closes no connection already open.",
    )


class ListenerCreate(_ListenerSettings):
    loadbalancer_id: ResourceId
    protocol: ListenerProtocol = Field(description=note(LISTENERS, "protocol"))
    protocol_port: int | None = Field(None, ge=0, le=65535)
    project_id: ProjectIdField | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    port_ranges: list[dict] | None = Field(None, description=note(LISTENERS, "port_ranges"))


class ListenerCreateRequest(Strict):
    listener: ListenerCreate


class ListenerUpdate(_ListenerSettings):
    pass


class ListenerUpdateRequest(Strict):
    listener: ListenerUpdate
