from typing import Any

from typing_extensions import TypedDict

from elbd.api.shapes.base import IdRef, PageInfo, shape
from elbd.api.shapes.loadbalancers import StoredTag


@shape
class ListenerAccess(TypedDict):
    """Access control by IP address groups: `ipgroup_id` names them, comma-separated."""

    ipgroup_id: str
    enable_ipgroup: bool
    type: str


@shape
class Listener(TypedDict):
    id: str
    name: str
    description: str
    project_id: str
    enterprise_project_id: str
    loadbalancers: list[IdRef]
    protocol: str
    protocol_port: int
    default_pool_id: str | None
    admin_state_up: bool
    connection_limit: int
    http2_enable: bool
    keepalive_timeout: int
    client_timeout: int | None
    member_timeout: int | None
    default_tls_container_ref: str | None
    client_ca_tls_container_ref: str | None
    sni_container_refs: list[str]
    sni_match_algo: str
    tls_ciphers_policy: str | None
    security_policy_id: str | None
    enable_member_retry: bool
    insert_headers: dict[str, bool | str]
    ipgroup: ListenerAccess | None
    transparent_client_ip_enable: bool
    proxy_protocol_enable: bool
    enhance_l7policy_enable: bool
    gzip_enable: bool
    ssl_early_data_enable: bool
    nat64_enable: bool
    port_ranges: list[dict[str, Any]]
    cps: int
    connection: int
    tags: list[StoredTag]
    protection_status: str
    protection_reason: str | None
    created_at: str
    updated_at: str


@shape
class ListenerReply(TypedDict):
    listener: Listener
    request_id: str


@shape
class ListenerPage(TypedDict):
    listeners: list[Listener]
    page_info: PageInfo
    request_id: str
