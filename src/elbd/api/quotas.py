"""GET /v3/{project_id}/elb/quotas and /quotas/details."""

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from elbd.api.deps import authenticate, database
from elbd.api.replies import reply, request_id_of
from elbd.api.shapes.quotas import QuotaDetails, QuotaReply
from elbd.api.views.quotas import quota_detail_view, quota_view
from elbd.service import quotas
from elbd.service.identity import Principal
from elbd.store.db import Database

router = APIRouter(tags=["quotas"])


@router.get("/v3/{project_id}/elb/quotas", response_model=QuotaReply)
def show_quota(request: Request, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        limits = quotas.limits(session, who.project_id)
    answer: QuotaReply = {"quota": quota_view(who.project_id, limits), "request_id": request_id_of(request)}
    return reply(answer)


@router.get("/v3/{project_id}/elb/quotas/details", response_model=QuotaDetails)
def list_quota_details(
    request: Request,
    quota_key: list[str] = Query(default_factory=list),
    who: Principal = Depends(authenticate),
    db: Database = Depends(database),
) -> Response:
    with db.read() as session:
        usage = quotas.usage(session, who.project_id, quota_key)
    answer: QuotaDetails = {"quotas": [quota_detail_view(one) for one in usage], "request_id": request_id_of(request)}
    return reply(answer)
