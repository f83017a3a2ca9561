"""GET /v3/{project_id}/elb/pools/{pool_id}/members/{member_id}/elbd-health-timeline: an elbd extension
(no ELB client calls it, so none is affected). Another project's member is as absent as a missing one."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from elbd.api.deps import authenticate, database
from elbd.api.replies import reply, request_id_of
from elbd.api.shapes.health_timeline import HealthTimelineReply
from elbd.api.views.health_timeline import transition_view
from elbd.service import health_timeline
from elbd.service.identity import Principal
from elbd.store.db import Database

router = APIRouter(tags=["members"])


@router.get(
    "/v3/{project_id}/elb/pools/{pool_id}/members/{member_id}/elbd-health-timeline",
    response_model=HealthTimelineReply,
    summary="elbd extension: the member's last 50 health transitions, newest first",
)
def show_health_timeline(
    request: Request, pool_id: str, member_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        events = health_timeline.member_timeline(session, project_id=who.project_id, pool_id=pool_id, member_id=member_id)
        answer: HealthTimelineReply = {
            "member_id": member_id,
            "health_timeline": [transition_view(event) for event in events],
            "request_id": request_id_of(request),
        }
    return reply(answer)
