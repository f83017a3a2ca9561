from typing import Annotated

from pydantic import Field, StringConstraints

from elbd.schemas.base import Name, ProjectIdField, ResourceId, Strict

MAX_BATCH = 200
Address = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Weight = Annotated[int, Field(ge=0, le=100)]
MemberPort = Annotated[int, Field(ge=0, le=65535)]
Zone = Annotated[str, StringConstraints(max_length=64)]


class MemberCreate(Strict):
    address: Address
    protocol_port: MemberPort | None = None
    subnet_cidr_id: ResourceId | None = None
    weight: Weight = 1
    name: Name = ""
    admin_state_up: bool | None = Field(None, description="Accepted; the reported value is derived from the instance registry.")
    project_id: ProjectIdField | None = None
    availability_zone: Zone | None = None


class MemberCreateRequest(Strict):
    member: MemberCreate


class BatchMemberCreate(Strict):
    address: Address
    protocol_port: MemberPort
    subnet_cidr_id: ResourceId | None = None
    weight: Weight = 1
    name: Name = ""
    availability_zone: Zone | None = None


class BatchMemberCreateRequest(Strict):
    members: list[BatchMemberCreate] = Field(min_length=1, max_length=MAX_BATCH)


class MemberUpdate(Strict):
    name: Name | None = None
    weight: Weight | None = None
    protocol_port: MemberPort | None = None
    availability_zone: Zone | None = None
    admin_state_up: bool | None = Field(None, description="Accepted; the reported value is derived from the instance registry.")


class MemberUpdateRequest(Strict):
    member: MemberUpdate


class BatchMemberUpdate(MemberUpdate):
    id: ResourceId


class BatchMemberUpdateRequest(Strict):
    members: list[BatchMemberUpdate] = Field(min_length=1, max_length=MAX_BATCH)


class BatchMemberDelete(Strict):
    """Either `id`, or `address` with `protocol_port`."""

    id: ResourceId | None = None
    address: Address | None = None
    protocol_port: MemberPort | None = None


class BatchMemberDeleteRequest(Strict):
    members: list[BatchMemberDelete] = Field(min_length=1, max_length=MAX_BATCH)
