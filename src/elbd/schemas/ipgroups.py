"""Request bodies of IP address groups, and of a listener's access control by them."""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from elbd.schemas.base import Description, Name, ProjectIdField, Strict

EntryText = Annotated[str, StringConstraints(max_length=128)]  # what an entry is, ip_entries.py says


class IpEntryOption(Strict):
    ip: EntryText
    description: Description | None = None


class IpEntryRef(Strict):
    ip: EntryText


class IpGroupCreate(Strict):
    name: Name | None = None
    description: Description | None = None
    ip_list: list[IpEntryOption] = Field(default_factory=list)
    project_id: ProjectIdField | None = None
    enterprise_project_id: Annotated[str, StringConstraints(max_length=36)] | None = None


class IpGroupCreateRequest(Strict):
    ipgroup: IpGroupCreate


class IpGroupUpdate(Strict):
    """A PUT: `ip_list`, when given, replaces the group's entries wholesale."""

    name: Name | None = None
    description: Description | None = None
    ip_list: list[IpEntryOption] | None = None


class IpGroupUpdateRequest(Strict):
    ipgroup: IpGroupUpdate


class IpListUpdateRequest(Strict):
    """create-or-update: entries are added, or their description updated; none is removed."""

    ipgroup: IpGroupUpdate


class IpListDelete(Strict):
    ip_list: list[IpEntryRef]


class IpListDeleteRequest(Strict):
    ipgroup: IpListDelete


class ListenerIpGroupOption(Strict):
    """A listener's access control: `ipgroup_id` names one group or several, comma-separated."""

    ipgroup_id: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    enable_ipgroup: bool | None = None
    type: Literal["white", "black"] | None = None
