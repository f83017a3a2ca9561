"""Answers of the recycle bin."""

from typing_extensions import TypedDict

from elbd.api.shapes.base import PageInfo, shape
from elbd.api.shapes.loadbalancers import LoadBalancer


@shape
class RecycleBinPolicy(TypedDict):
    retention_hour: int
    recycle_threshold_hour: int


@shape
class RecycleBin(TypedDict):
    project_id: str
    enable: bool
    policy: RecycleBinPolicy


@shape
class RecycleBinReply(TypedDict):
    recycle_bin: RecycleBin
    request_id: str


@shape
class RecycledLoadBalancer(LoadBalancer):
    auto_terminate_time: str


@shape
class RecycledLoadBalancerPage(TypedDict):
    loadbalancers: list[RecycledLoadBalancer]
    page_info: PageInfo
    request_id: str


@shape
class Restored(TypedDict):
    type: str
    job_id: str
    request_id: str
