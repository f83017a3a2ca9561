from typing_extensions import TypedDict

from elbd.api.shapes.base import shape


@shape
class MemberCheckJob(TypedDict):
    job_id: str


@shape
class MemberCheckJobReply(TypedDict):
    member_check: MemberCheckJob
    request_id: str


@shape
class MemberCheckJobResultItem(TypedDict):
    name: str
    reason: str
    severity: str
    subject: str
    job_id: str
    reason_template: str
    reason_params: list[str]


@shape
class MemberCheckJobResultGroup(TypedDict):
    check_result: bool
    check_items: list[MemberCheckJobResultItem]
    check_status: str


@shape
class MemberCheckJobResult(TypedDict):
    config: MemberCheckJobResultGroup | None
    acl: MemberCheckJobResultGroup | None
    security_group: MemberCheckJobResultGroup | None


@shape
class MemberCheckJobInfo(TypedDict):
    status: str
    result: MemberCheckJobResult | None
    created_at: str
    updated_at: str
    job_id: str
    check_item_total_num: int
    check_item_finished_num: int
    listener_id: str
    member_id: str


@shape
class MemberCheckJobInfoReply(TypedDict):
    member_check: MemberCheckJobInfo
    request_id: str
