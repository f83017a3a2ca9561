from typing import Annotated, Any, Literal

from typing_extensions import TypedDict

from elbd.api.shapes.base import IdRef, PageInfo, shape, stored_as
from elbd.schemas.loadbalancers import Tag

StoredTag = Annotated[dict[str, Any], stored_as(Tag)]


@shape
class LoadBalancer(TypedDict):
    id: str
    name: str
    description: str
    project_id: str
    provisioning_status: str
    operating_status: str
    admin_state_up: bool
    provider: str
    pools: list[IdRef]
    listeners: list[IdRef]
    vpc_id: str
    vip_subnet_cidr_id: str | None
    vip_address: str | None
    vip_port_id: str | None
    ipv6_vip_virsubnet_id: str | None
    ipv6_vip_address: str | None
    ipv6_vip_port_id: str | None
    elb_virsubnet_ids: list[str]
    elb_virsubnet_type: Literal["ipv4", "dualstack"]
    availability_zone_list: list[str]
    ip_target_enable: bool
    deletion_protection_enable: bool
    guaranteed: bool
    eips: list[dict[str, Any]]
    publicips: list[dict[str, Any]]
    global_eips: list[dict[str, Any]]
    tags: list[StoredTag]
    l4_flavor_id: str
    l4_scale_flavor_id: str
    l7_flavor_id: str
    l7_scale_flavor_id: str
    billing_info: str
    frozen_scene: str
    enterprise_project_id: str
    protection_status: str
    protection_reason: str | None
    charge_mode: str
    created_at: str
    updated_at: str


@shape
class LoadBalancerReply(TypedDict):
    loadbalancer: LoadBalancer
    request_id: str


@shape
class LoadBalancerWrittenReply(LoadBalancerReply):
    loadbalancer_id: str


@shape
class LoadBalancerPage(TypedDict):
    loadbalancers: list[LoadBalancer]
    page_info: PageInfo
    request_id: str


@shape
class LocalPort(TypedDict):
    port_id: str
    ip_address: str | None
    ipv6_address: str | None
    type: str
    virsubnet_id: str


@shape
class LocalPorts(TypedDict):
    ports: list[LocalPort]
    request_id: str
