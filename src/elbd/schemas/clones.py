"""Request bodies of the clones: POST .../loadbalancers/{id}/clone and .../listeners/{id}/clone."""

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from elbd.schemas.base import Name, ResourceId, Strict


class TargetLoadBalancer(Strict):
    name: Name | None = None
    availability_zone_list: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] | None = Field(None, max_length=10)
    vip_subnet_cidr_id: ResourceId | None = None
    vip_address: Annotated[str, StringConstraints(max_length=64)] | None = None
    ipv6_vip_virsubnet_id: ResourceId | None = None
    ipv6_vip_address: Annotated[str, StringConstraints(max_length=64)] | None = None
    elb_virsubnet_ids: list[ResourceId] | None = Field(None, max_length=6)
    l4_flavor_id: ResourceId | None = None
    l7_flavor_id: ResourceId | None = None
    enterprise_project_id: Annotated[str, StringConstraints(max_length=36)] | None = None
    reuse_pool: bool = Field(False, description="elbd: only false; a backend server group belongs to one load balancer.")
    guaranteed: bool = Field(True, description="elbd: only true; every elbd load balancer is dedicated.")


class LoadBalancerCloneRequest(Strict):
    count: int = Field(1, ge=1, le=10)
    target_loadbalancer_param: TargetLoadBalancer = Field(default_factory=TargetLoadBalancer)


class TargetListener(Strict):
    name: Name | None = None
    loadbalancer_id: ResourceId | None = Field(None, description="The load balancer of the copy; the source listener's when omitted.")
    protocol_port: int | None = Field(None, ge=0, le=65535)
    port_ranges: list[dict[str, Any]] | None = Field(None, description="elbd: refused; a listener listens on one port.")
    reuse_pool: bool = Field(False, description="true: the copy sends to the source's backend server groups (same load balancer only).")
    subnet_mapping_list: list[dict[str, Any]] | None = Field(None, description="elbd: refused; the copy stays in the source's VPC.")


class ListenerCloneRequest(Strict):
    target_listener_params: list[TargetListener] = Field(min_length=1, max_length=10)
