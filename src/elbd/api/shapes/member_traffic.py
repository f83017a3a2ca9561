"""The elbd-member-traffic extension: each member's traffic counters as the data plane reports them."""

from typing_extensions import TypedDict

from elbd.api.shapes.base import shape


@shape
class MemberTraffic(TypedDict):
    member_id: str
    sessions_current: int  # connections open to the member now
    sessions_total: int  # since the data plane's worker started (a reload starts it at zero)
    bytes_in: int  # from clients, sent on to the member
    bytes_out: int  # from the member, sent back to clients
    connection_errors: int
    response_errors: int


@shape
class MemberTrafficReply(TypedDict):
    pool_id: str
    member_traffic: list[MemberTraffic]  # members the data plane serves now; none without a running HAProxy
    request_id: str
