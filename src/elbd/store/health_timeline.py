"""Each member's health timeline: the last TIMELINE_LENGTH transitions the data plane reported, written
in the transaction that writes the member's new health (store/dataplane.py:save_member_health), so
the timeline and the member's state never disagree. A member's events go with it (Member.health_events)."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import islice
from typing import Protocol

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, aliased

from elbd.store.models import Member, MemberHealthEvent

TIMELINE_LENGTH = 50
IDS_PER_QUERY = 500


class Health(Protocol):
    @property
    def status(self) -> str | None: ...
    @property
    def reason_code(self) -> str | None: ...
    @property
    def expected_response(self) -> str | None: ...
    @property
    def healthcheck_response(self) -> str | None: ...


def _chunks(ids: Sequence[str]) -> list[list[str]]:
    iterator = iter(ids)
    return list(iter(lambda: list(islice(iterator, IDS_PER_QUERY)), []))


def current_statuses(session: Session, member_ids: Sequence[str]) -> dict[str, str | None]:
    """The health status stored now for each existing member of `member_ids` (what a transition is from)."""
    found: dict[str, str | None] = {}
    for chunk in _chunks(member_ids):
        found.update({row.id: row.health_status for row in session.execute(select(Member.id, Member.health_status).where(Member.id.in_(chunk)))})
    return found


def record(session: Session, before: Mapping[str, str | None], after: Mapping[str, Health], at: datetime) -> None:
    """One event per member of `before` (members that still exist), then the oldest beyond the limit dropped."""
    rows: list[dict[str, object]] = [
        {
            "member_id": member_id, "at": at, "from_status": before[member_id], "to_status": health.status,
            "reason_code": health.reason_code, "expected_response": health.expected_response,
            "healthcheck_response": health.healthcheck_response,
        }
        for member_id, health in after.items()
        if member_id in before
    ]
    if not rows:
        return
    session.execute(insert(MemberHealthEvent), rows)
    changed = [member_id for member_id in after if member_id in before]
    newer = aliased(MemberHealthEvent)
    kept = (
        select(newer.id).where(newer.member_id == MemberHealthEvent.member_id).order_by(newer.id.desc()).limit(TIMELINE_LENGTH)
        .correlate(MemberHealthEvent)
    )
    for chunk in _chunks(changed):
        session.execute(
            delete(MemberHealthEvent).where(MemberHealthEvent.member_id.in_(chunk), MemberHealthEvent.id.not_in(kept.scalar_subquery())),
            execution_options={"synchronize_session": False},
        )


def timeline(session: Session, member_id: str) -> list[MemberHealthEvent]:
    """The member's transitions, newest first."""
    query = select(MemberHealthEvent).where(MemberHealthEvent.member_id == member_id).order_by(MemberHealthEvent.id.desc())
    return list(session.scalars(query.limit(TIMELINE_LENGTH)))
