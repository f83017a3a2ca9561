from pydantic import BaseModel, ConfigDict, GetPydanticSchema, with_config
from typing_extensions import NotRequired, TypedDict

# Every shape is a body exactly: every attribute listed, no other (additionalProperties false).
shape = with_config(ConfigDict(extra="forbid"))


def stored_as(model: type[BaseModel]) -> GetPydanticSchema:
    """For a dict that is `model` dumped (a request value stored as JSON): typed as the dict it is,
    described in the document as `model`."""
    return GetPydanticSchema(lambda _source, handler: handler(model))


@shape
class IdRef(TypedDict):
    id: str


@shape
class PageInfo(TypedDict):
    current_count: int
    previous_marker: NotRequired[str | None]
    next_marker: NotRequired[str | None]
