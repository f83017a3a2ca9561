from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class Strict(BaseModel):
    """JSON types exactly (no "80" for 80, no true for 1), and no attribute elbd does not know."""

    model_config = ConfigDict(extra="forbid", strict=True)


Name = Annotated[str, StringConstraints(max_length=255)]
Description = Annotated[str, StringConstraints(max_length=255)]
ResourceId = Annotated[str, StringConstraints(min_length=1, max_length=36)]
ProjectIdField = Annotated[str, StringConstraints(max_length=32)]
Port = Annotated[int, Field(ge=1, le=65535)]
