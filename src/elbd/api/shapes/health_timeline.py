"""The elbd-health-timeline extension: a member's last health transitions."""

from typing_extensions import TypedDict

from elbd.api.shapes.base import shape
from elbd.api.shapes.members import Reason


@shape
class HealthTransition(TypedDict):
    time: str
    from_status: str | None  # ONLINE, OFFLINE, or null before any check had a result
    to_status: str | None
    reason: Reason | None  # why it is OFFLINE: the member's `reason` as it was then


@shape
class HealthTimelineReply(TypedDict):
    member_id: str
    health_timeline: list[HealthTransition]  # newest first, at most 50
    request_id: str
