"""The ECS v1 bodies of the instance registry (/v1/{project_id}/cloudservers).

ECS calls an instance a server: these bodies keep its names, which are their names in the OpenAPI
document too."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from elbd.schemas.base import ResourceId, Strict

InstanceName = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class _EcsLenient(BaseModel):
    """The ECS create body has dozens of fields (image, flavor, volumes); the registry reads only these."""

    model_config = ConfigDict(extra="ignore", strict=True)


class Nic(_EcsLenient):
    subnet_id: ResourceId
    ip_address: str | None = None


class ServerCreate(_EcsLenient):
    name: InstanceName
    nics: list[Nic] = Field(min_length=1, max_length=12)


class ServerCreateRequest(_EcsLenient):
    server: ServerCreate


class ServerRef(Strict):
    id: ResourceId


class ServerBatch(_EcsLenient):
    servers: list[ServerRef] = Field(min_length=1, max_length=1000)


class ServerActionRequest(Strict):
    os_start: ServerBatch | None = Field(None, alias="os-start")
    os_stop: ServerBatch | None = Field(None, alias="os-stop")


class ServerDeleteRequest(_EcsLenient):
    servers: list[ServerRef] = Field(min_length=1, max_length=1000)
