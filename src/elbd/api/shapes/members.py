from typing_extensions import TypedDict

from elbd.api.shapes.base import IdRef, PageInfo, shape


@shape
class Reason(TypedDict):
    reason_code: str
    expected_response: str | None
    healthcheck_response: str | None


@shape
class ListenerStatus(TypedDict):
    listener_id: str
    operating_status: str
    reason: Reason | None
    created_at: str
    updated_at: str


@shape
class Member(TypedDict):
    id: str
    name: str
    project_id: str
    admin_state_up: bool
    subnet_cidr_id: str | None
    protocol_port: int
    weight: int
    address: str
    ip_version: str
    operating_status: str
    reason: Reason | None
    status: list[ListenerStatus]
    availability_zone: str
    member_type: str
    instance_id: str
    created_at: str
    updated_at: str


@shape
class MemberInfo(Member):
    """A member of the project-wide listing, with where it sits."""

    pool_id: str
    loadbalancer_id: str | None
    loadbalancers: list[IdRef]
    device_owner: str
    device_id: str


@shape
class BatchMember(Member):
    port_id: str
    ret_status: str


@shape
class BatchUpdatedMember(Member):
    port_id: str


@shape
class DeletedMember(TypedDict):
    id: str
    ret_status: str


@shape
class MemberReply(TypedDict):
    member: Member
    request_id: str


@shape
class MemberPage(TypedDict):
    members: list[Member]
    page_info: PageInfo
    request_id: str


@shape
class MemberInfoPage(TypedDict):
    members: list[MemberInfo]
    page_info: PageInfo
    request_id: str


@shape
class BatchMemberReply(TypedDict):
    members: list[BatchMember]
    request_id: str


@shape
class BatchUpdatedReply(TypedDict):
    members: list[BatchUpdatedMember]
    request_id: str


@shape
class BatchDeletedReply(TypedDict):
    members: list[DeletedMember]
    request_id: str
