"""Tags of load balancers and listeners."""

from typing_extensions import TypedDict

from elbd.api.shapes.base import shape


@shape
class ResourceTag(TypedDict):
    key: str
    value: str


@shape
class ResourceTags(TypedDict):
    tags: list[ResourceTag]
    request_id: str


@shape
class ProjectTag(TypedDict):
    """A key the project's resources carry, with each of its values."""

    key: str
    values: list[str]


@shape
class ProjectTags(TypedDict):
    tags: list[ProjectTag]
    request_id: str
