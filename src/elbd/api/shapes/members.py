from elbd.api.shapes.base import IdRef, PageInfo, Shape


class Reason(Shape):
    reason_code: str
    expected_response: str | None
    healthcheck_response: str | None


class ListenerStatus(Shape):
    listener_id: str
    operating_status: str
    reason: Reason | None
    created_at: str
    updated_at: str


class Member(Shape):
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


class MemberInfo(Member):
    """A member of the project-wide listing, with where it sits."""

    pool_id: str
    loadbalancer_id: str | None
    loadbalancers: list[IdRef]
    device_owner: str
    device_id: str


class BatchMember(Member):
    port_id: str
    ret_status: str


class DeletedMember(Shape):
    id: str
    ret_status: str


class MemberReply(Shape):
    member: Member
    request_id: str


class MemberPage(Shape):
    members: list[Member]
    page_info: PageInfo
    request_id: str


class MemberInfoPage(Shape):
    members: list[MemberInfo]
    page_info: PageInfo
    request_id: str


class BatchMemberReply(Shape):
    members: list[BatchMember]
    request_id: str


class BatchUpdatedReply(Shape):
    members: list[Member]
    request_id: str


class BatchDeletedReply(Shape):
    members: list[DeletedMember]
    request_id: str
