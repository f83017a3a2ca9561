from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from elbd.schemas.base import Description, Name, ProjectIdField, ResourceId, Strict
from elbd.schemas.unserved import LOAD_BALANCER_CHANGES, LOAD_BALANCERS, note

L4_FLAVOR = "An L4 flavor of GET .../elb/flavors: its limits hold on the TCP and TLS listeners together; none: no limit."
L7_FLAVOR = "An L7 flavor of GET .../elb/flavors: its limits hold on the HTTP and HTTPS listeners together; none: no limit."
ProtectionStatus = Literal["nonProtection", "consoleProtection"]
ProtectionReason = Annotated[str, StringConstraints(max_length=255, pattern=r"^[^<>]*$")]


# A tag's key and value: printable, without = * < > , | / or a backslash (the reference's rule for tags).
_TAG_TEXT = r"^[^=*<>\\,|/\x00-\x1f\x7f]*$"


class Tag(Strict):
    key: Annotated[str, StringConstraints(min_length=1, max_length=36, pattern=_TAG_TEXT)]
    value: Annotated[str, StringConstraints(max_length=255, pattern=_TAG_TEXT)] = ""


class LoadBalancerCreate(Strict):
    availability_zone_list: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=10, description="elbd: the host's first availability zone when omitted."
    )
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
    l4_flavor_id: ResourceId | None = Field(None, description=L4_FLAVOR)
    l7_flavor_id: ResourceId | None = Field(None, description=L7_FLAVOR)
    enterprise_project_id: Annotated[str, StringConstraints(max_length=36)] | None = None
    project_id: ProjectIdField | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    protection_status: ProtectionStatus = "nonProtection"
    protection_reason: ProtectionReason | None = None
    waf_failure_action: Literal["discard", "forward"] | None = Field(
        None, description=note(LOAD_BALANCERS, "waf_failure_action")
    )
    charge_mode: Literal["flavor", "lcu"] | None = Field(None, description=note(LOAD_BALANCERS, "charge_mode"))
    publicip_ids: list[str] | None = Field(None, description=note(LOAD_BALANCERS, "publicip_ids"))
    publicip: dict[str, Any] | None = Field(None, description=note(LOAD_BALANCERS, "publicip"))
    ipv6_bandwidth: dict[str, Any] | None = Field(None, description=note(LOAD_BALANCERS, "ipv6_bandwidth"))
    billing_info: str | None = Field(None, description=note(LOAD_BALANCERS, "billing_info"))
    prepaid_options: dict[str, Any] | None = Field(None, description=note(LOAD_BALANCERS, "prepaid_options"))
    autoscaling: dict[str, Any] | None = Field(None, description=note(LOAD_BALANCERS, "autoscaling"))


class LoadBalancerCreateRequest(Strict):
    loadbalancer: LoadBalancerCreate


class LoadBalancerBatchCreate(LoadBalancerCreate):
    """`number` load balancers alike, each with a VIP of its own."""

    number: int = Field(1, ge=1, le=10)
    bandwidth: dict[str, Any] | None = Field(None, description=note(LOAD_BALANCERS, "bandwidth"))


class LoadBalancerBatchCreateRequest(Strict):
    loadbalancer: LoadBalancerBatchCreate


class LoadBalancerUpdate(Strict):
    name: Name | None = None
    description: Description | None = None
    admin_state_up: bool | None = None
    ip_target_enable: bool | None = None
    deletion_protection_enable: bool | None = None
    elb_virsubnet_ids: list[ResourceId] | None = Field(None, max_length=6)
    l4_flavor_id: ResourceId | None = Field(None, description=L4_FLAVOR)
    l7_flavor_id: ResourceId | None = Field(None, description=L7_FLAVOR)
    protection_status: ProtectionStatus | None = None
    protection_reason: ProtectionReason | None = None
    waf_failure_action: Literal["discard", "forward"] | None = Field(
        None, description=note(LOAD_BALANCERS, "waf_failure_action")
    )
    vip_subnet_cidr_id: ResourceId | None = Field(None, description=note(LOAD_BALANCER_CHANGES, "vip_subnet_cidr_id"))
    vip_address: str | None = Field(None, description=note(LOAD_BALANCER_CHANGES, "vip_address"))
    ipv6_vip_virsubnet_id: ResourceId | None = Field(
        None, description=note(LOAD_BALANCER_CHANGES, "ipv6_vip_virsubnet_id")
    )
    ipv6_vip_address: str | None = Field(None, description=note(LOAD_BALANCER_CHANGES, "ipv6_vip_address"))
    ipv6_bandwidth: dict[str, Any] | None = Field(None, description=note(LOAD_BALANCERS, "ipv6_bandwidth"))
    prepaid_options: dict[str, Any] | None = Field(None, description=note(LOAD_BALANCERS, "prepaid_options"))
    autoscaling: dict[str, Any] | None = Field(None, description=note(LOAD_BALANCERS, "autoscaling"))
    charge_mode: str | None = Field(None, description=note(LOAD_BALANCERS, "charge_mode"))


class LoadBalancerUpdateRequest(Strict):
    loadbalancer: LoadBalancerUpdate


class LoadBalancerCascadeDelete(Strict):
    unbounded_pool: bool = Field(
        True, description="true: the backend server groups go too, with their members and health checks; false: they stay, on no load balancer."
    )
    public_ip: bool = Field(False, description="elbd has no EIPs: there is nothing to delete or unbind either way.")


class LoadBalancerCascadeDeleteRequest(Strict):
    loadbalancer: LoadBalancerCascadeDelete = Field(default_factory=LoadBalancerCascadeDelete)


class ZoneChange(Strict):
    availability_zone_list: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(min_length=1, max_length=10)
