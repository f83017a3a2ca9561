"""Jobs, and the answers of the batch deletes."""

from typing_extensions import TypedDict

from elbd.api.shapes.base import PageInfo, shape


@shape
class JobEntity(TypedDict):
    resource_id: str
    resource_type: str


@shape
class SubJob(TypedDict):
    job_id: str
    job_type: str
    status: str
    project_id: str
    resource_id: str
    begin_time: str
    end_time: str
    error_code: str | None
    error_msg: str | None
    entities: list[JobEntity]


@shape
class MainJob(TypedDict):
    job_id: str
    job_type: str
    status: str
    project_id: str
    resource_id: str | None
    begin_time: str
    end_time: str
    error_code: str | None
    error_msg: str | None
    sub_jobs: list[SubJob]


@shape
class JobReply(TypedDict):
    job: MainJob
    request_id: str


@shape
class JobPage(TypedDict):
    jobs: list[MainJob]
    page_info: PageInfo
    request_id: str


@shape
class LoadBalancersCreated(TypedDict):
    loadbalancer_ids: list[str]
    job_id: str
    request_id: str


@shape
class ListenersDeleted(TypedDict):
    job_id: str
    listener_ids: list[str]
    request_id: str


@shape
class LoadBalancersDeleted(TypedDict):
    job_id: str
    loadbalancer_ids: list[str]
    request_id: str


@shape
class PoolDeleted(TypedDict):
    id: str
    ret_status: str


@shape
class PoolsDeleted(TypedDict):
    pools: list[PoolDeleted]
    request_id: str
