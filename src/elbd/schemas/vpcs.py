"""The VPC v1 bodies: networks and subnets."""

from typing import Annotated

from pydantic import Field, StringConstraints

from elbd.schemas.base import Description, ResourceId, Strict

VpcName = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Cidr = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class VpcCreate(Strict):
    name: VpcName
    cidr: Cidr = "192.168.0.0/16"
    description: Description = ""
    enterprise_project_id: str | None = None


class VpcCreateRequest(Strict):
    vpc: VpcCreate


class SubnetCreate(Strict):
    name: VpcName
    cidr: Cidr
    vpc_id: ResourceId
    gateway_ip: str | None = None
    description: Description = ""
    ipv6_enable: bool = False
    cidr_v6: Cidr | None = Field(None, description="elbd extension: the IPv6 CIDR; a /64 is chosen when omitted.")
    dhcp_enable: bool = True
    primary_dns: str | None = None
    secondary_dns: str | None = None
    dnsList: list[str] | None = None
    availability_zone: str | None = None


class SubnetCreateRequest(Strict):
    subnet: SubnetCreate
