"""The ECS v1 shapes of the instance registry. ECS calls an instance a server, and so do these
shapes: their names are those of the OpenAPI document. Attributes whose names are no Python names
("OS-EXT-IPS:type") take TypedDict's functional form."""

from typing import Annotated

from pydantic import Field
from typing_extensions import TypedDict

from elbd.api.shapes.base import shape

ServerAddress = TypedDict(
    "ServerAddress", {"version": str, "addr": str, "OS-EXT-IPS:type": str, "OS-EXT-IPS:port_id": str}
)
shape(ServerAddress)


@shape
class ServerMetadata(TypedDict):
    vpc_id: str


Server = TypedDict(
    "Server",
    {
        "id": str,
        "name": str,
        "status": str,
        "addresses": Annotated[dict[str, list[ServerAddress]], Field(description="Fixed addresses by VPC id.")],
        "metadata": ServerMetadata,
        "tenant_id": str,
        "OS-EXT-STS:vm_state": str,
        "created": str,
        "updated": str,
    },
)
shape(Server)


@shape
class ServerReply(TypedDict):
    server: Server
    request_id: str


@shape
class ServerList(TypedDict):
    count: int
    servers: list[Server]
    request_id: str


@shape
class ServerJob(TypedDict):
    job_id: str
    request_id: str


@shape
class ServerCreated(ServerJob):
    serverIds: list[str]
