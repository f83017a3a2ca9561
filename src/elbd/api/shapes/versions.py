"""The API versions."""

from typing_extensions import TypedDict

from elbd.api.shapes.base import shape


@shape
class ApiVersion(TypedDict):
    id: str
    status: str


@shape
class ApiVersions(TypedDict):
    versions: list[ApiVersion]
