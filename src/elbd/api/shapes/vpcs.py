"""The VPC v1 shapes elbd answers with."""

from elbd.api.shapes.base import Shape


class Vpc(Shape):
    id: str
    name: str
    description: str
    cidr: str
    status: str
    routes: list[dict]
    enterprise_project_id: str
    tenant_id: str
    created_at: str
    updated_at: str


class Subnet(Shape):
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
    extra_dhcp_opts: list[dict]
    tenant_id: str
    created_at: str
    updated_at: str


class VpcReply(Shape):
    vpc: Vpc
    request_id: str


class VpcList(Shape):
    vpcs: list[Vpc]
    request_id: str


class SubnetReply(Shape):
    subnet: Subnet
    request_id: str


class SubnetList(Shape):
    subnets: list[Subnet]
    request_id: str
