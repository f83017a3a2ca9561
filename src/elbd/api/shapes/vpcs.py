"""The VPC v1 shapes elbd answers with."""

from typing import Any

from typing_extensions import TypedDict

from elbd.api.shapes.base import shape


@shape
class Vpc(TypedDict):
    id: str
    name: str
    description: str
    cidr: str
    status: str
    routes: list[dict[str, Any]]
    enterprise_project_id: str
    tenant_id: str
    created_at: str
    updated_at: str


@shape
class Subnet(TypedDict):
    id: str
    name: str
    description: str
    cidr: str
    gateway_ip: str
    ipv6_enable: bool
    cidr_v6: str
    gateway_ip_v6: str
    dhcp_enable: bool
    primary_dns: str
    secondary_dns: str
    dnsList: list[str]
    availability_zone: str
    vpc_id: str
    status: str
    neutron_network_id: str
    neutron_subnet_id: str
    neutron_subnet_id_v6: str
    extra_dhcp_opts: list[dict[str, Any]]
    tenant_id: str
    created_at: str
    updated_at: str


@shape
class VpcReply(TypedDict):
    vpc: Vpc
    request_id: str


@shape
class VpcList(TypedDict):
    vpcs: list[Vpc]
    request_id: str


@shape
class SubnetReply(TypedDict):
    subnet: Subnet
    request_id: str


@shape
class SubnetList(TypedDict):
    subnets: list[Subnet]
    request_id: str
