from typing_extensions import TypedDict

from elbd.api.shapes.base import IdRef, PageInfo, shape


@shape
class IpEntry(TypedDict):
    ip: str
    description: str


@shape
class IpGroup(TypedDict):
    id: str
    project_id: str
    name: str
    description: str
    ip_list: list[IpEntry]
    listeners: list[IdRef]
    enterprise_project_id: str
    created_at: str
    updated_at: str


@shape
class IpGroupReply(TypedDict):
    ipgroup: IpGroup
    request_id: str


@shape
class IpGroupPage(TypedDict):
    ipgroups: list[IpGroup]
    page_info: PageInfo
    request_id: str


@shape
class IpGroupListeners(TypedDict):
    listeners: list[IdRef]
    request_id: str
