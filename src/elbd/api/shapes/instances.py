"""The ECS v1 shapes of the instance registry. ECS calls an instance a server, and so do these
shapes: their names are those of the OpenAPI document."""

from pydantic import Field

from elbd.api.shapes.base import Shape


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
