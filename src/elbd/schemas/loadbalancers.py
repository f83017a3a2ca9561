from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from elbd.schemas.base import Description, Name, ProjectIdField, ResourceId, Strict

ProtectionStatus = Literal["nonProtection", "consoleProtection"]
ProtectionReason = Annotated[str, StringConstraints(max_length=255, pattern=r"^[^<>]*$")]


class Tag(Strict):
    key: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    value: Annotated[str, StringConstraints(max_length=43)] = ""


class LoadBalancerCreate(Strict):
    availability_zone_list: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(max_length=10)
    name: Name = ""
    description: Description = ""
    vpc_id: ResourceId | None = None
    vip_subnet_cidr_id: ResourceId | None = None
    vip_address: Annotated[str, StringConstraints(max_length=64)] | None = None
    ipv6_vip_virsubnet_id: ResourceId | None = None
    ipv6_vip_address: Annotated[str, StringConstraints(max_length=64)] | None = None
    elb_virsubnet_ids: list[ResourceId] | None = Field(None, max_length=6)
    ip_target_enable: bool = False
    deletion_protection_enable: bool = False
    admin_state_up: bool = True
    guaranteed: bool = True
    provider: Literal["vlb"] = "vlb"
    l4_flavor_id: ResourceId | None = None
    l7_flavor_id: ResourceId | None = None
    enterprise_project_id: Annotated[str, StringConstraints(max_length=36)] | None = None
    project_id: ProjectIdField | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    protection_status: ProtectionStatus = "nonProtection"
    protection_reason: ProtectionReason | None = None
    waf_failure_action: Literal["discard", "forward"] | None = None
    charge_mode: Literal["flavor", "lcu"] | None = None
    publicip_ids: list[str] | None = Field(None, description="Not supported by elbd: there are no EIPs.")
    publicip: dict[str, Any] | None = Field(None, description="Not supported by elbd: there are no EIPs.")
    ipv6_bandwidth: dict[str, Any] | None = Field(None, description="Not supported by elbd.")
    billing_info: str | None = Field(None, description="Not supported by elbd: nothing is billed.")
    prepaid_options: dict[str, Any] | None = Field(None, description="Not supported by elbd: nothing is billed.")
    autoscaling: dict[str, Any] | None = Field(None, description="Not supported by elbd.")


class LoadBalancerCreateRequest(Strict):
    loadbalancer: LoadBalancerCreate


class LoadBalancerUpdate(Strict):
    name: Name | None = None
    description: Description | None = None
    admin_state_up: bool | None = None
    ip_target_enable: bool | None = None
    deletion_protection_enable: bool | None = None
    elb_virsubnet_ids: list[ResourceId] | None = Field(None, max_length=6)
    l4_flavor_id: ResourceId | None = None
    l7_flavor_id: ResourceId | None = None
    protection_status: ProtectionStatus | None = None
    protection_reason: ProtectionReason | None = None
    waf_failure_action: Literal["discard", "forward"] | None = None
    vip_subnet_cidr_id: ResourceId | None = Field(None, description="Not supported by elbd: a VIP is fixed at creation.")
    vip_address: str | None = Field(None, description="Not supported by elbd: a VIP is fixed at creation.")
    ipv6_vip_virsubnet_id: ResourceId | None = Field(None, description="Not supported by elbd.")
    ipv6_vip_address: str | None = Field(None, description="Not supported by elbd.")
    ipv6_bandwidth: dict[str, Any] | None = Field(None, description="Not supported by elbd.")
    prepaid_options: dict[str, Any] | None = Field(None, description="Not supported by elbd.")
    autoscaling: dict[str, Any] | None = Field(None, description="Not supported by elbd.")
    charge_mode: str | None = Field(None, description="Not supported by elbd.")


class LoadBalancerUpdateRequest(Strict):
    loadbalancer: LoadBalancerUpdate
