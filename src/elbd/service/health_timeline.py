"""A member's health timeline, for its project only (another project's member is not found)."""

from sqlalchemy.orm import Session

from elbd.service import lookups
from elbd.store import health_timeline
from elbd.store.models import MemberHealthEvent


def member_timeline(session: Session, *, project_id: str, pool_id: str, member_id: str) -> list[MemberHealthEvent]:
    member = lookups.member(session, project_id, pool_id, member_id)
    return health_timeline.timeline(session, member.id)
