from typing_extensions import TypedDict

from elbd.api.shapes.base import PageInfo, shape


@shape
class Logtank(TypedDict):
    id: str
    project_id: str
    loadbalancer_id: str
    log_group_id: str
    log_topic_id: str


@shape
class LogtankReply(TypedDict):
    logtank: Logtank
    request_id: str


@shape
class LogtankPage(TypedDict):
    logtanks: list[Logtank]
    page_info: PageInfo
    request_id: str
