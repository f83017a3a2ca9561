from typing_extensions import NotRequired, TypedDict

from elbd.api.shapes.base import PageInfo, shape


@shape
class FlavorInfo(TypedDict):
    """What a flavor limits. No bandwidth: elbd cannot shape it (HAProxy 2.6), so no flavor claims one."""

    connection: int
    cps: int
    qps: NotRequired[int]


@shape
class Flavor(TypedDict):
    id: str
    info: FlavorInfo
    name: str
    shared: bool
    project_id: str
    type: str
    flavor_sold_out: bool
    public_border_group: str
    category: int


@shape
class FlavorReply(TypedDict):
    flavor: Flavor
    request_id: str


@shape
class FlavorPage(TypedDict):
    flavors: list[Flavor]
    page_info: PageInfo
    request_id: str
