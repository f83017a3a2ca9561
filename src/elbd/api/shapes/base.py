from pydantic import BaseModel, ConfigDict


class Shape(BaseModel):
    """A body exactly: every attribute listed, no other."""

    model_config = ConfigDict(extra="forbid")


class IdRef(Shape):
    id: str


class PageInfo(Shape):
    current_count: int
    previous_marker: str | None = None
    next_marker: str | None = None
