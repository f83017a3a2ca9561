from typing import Literal

from pydantic import Field

from elbd.schemas.base import Strict
from elbd.schemas.loadbalancers import Tag

MAX_TAGS = 20  # on one load balancer or listener


class TagAction(Strict):
    """`create` sets each tag (a key already there takes the new value); `delete` removes each key whose
    value is the one given, or any value when the one given is empty."""

    action: Literal["create", "delete"]
    tags: list[Tag] = Field(min_length=1, max_length=MAX_TAGS)
