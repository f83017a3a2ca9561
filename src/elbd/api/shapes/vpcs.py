"""The VPC v1 and ECS v1 shapes elbd answers with."""

from pydantic import Field

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


class ServerAddress(Shape):
    version: str
    addr: str
    type: str = Field(alias="OS-EXT-IPS:type")
    port_id: str = Field(alias="OS-EXT-IPS:port_id")


class ServerMetadata(Shape):
    vpc_id: str


class Server(Shape):
    id: str
    name: str
    status: str
    addresses: dict[str, list[ServerAddress]] = Field(description="Fixed addresses by VPC id.")
    metadata: ServerMetadata
    tenant_id: str
    vm_state: str = Field(alias="OS-EXT-STS:vm_state")
    created: str
    updated: str


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


class ServerReply(Shape):
    server: Server
    request_id: str


class ServerList(Shape):
    count: int
    servers: list[Server]
    request_id: str


class ServerJob(Shape):
    job_id: str
    request_id: str


class ServerCreated(ServerJob):
    serverIds: list[str]
