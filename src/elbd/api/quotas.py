"""GET /v3/{project_id}/elb/quotas and /quotas/details."""

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from elbd.api.deps import authenticate, database
from elbd.api.replies import reply
from elbd.api.shapes.quotas import QuotaDetails, QuotaReply
from elbd.service import quotas
from elbd.service.identity import Principal
from elbd.store.db import Database

router = APIRouter(tags=["quotas"])


@router.get("/v3/{project_id}/elb/quotas", response_model=QuotaReply)
def show_quota(request: Request, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        limits = quotas.limits(session, who.project_id)
    return reply(request, {"quota": {"project_id": who.project_id, **limits}})


@router.get("/v3/{project_id}/elb/quotas/details", response_model=QuotaDetails)
def list_quota_details(
    request: Request,
    quota_key: list[str] = Query(default_factory=list),
    who: Principal = Depends(authenticate),
    db: Database = Depends(database),
) -> Response:
    with db.read() as session:
        limits = quotas.limits(session, who.project_id)
        details = [
            {"quota_key": key, "quota_limit": limit, "used": quotas.used(session, who.project_id, key), "unit": "count"}
            for key, limit in limits.items()
            if key in quotas.COUNTED and (not quota_key or key in quota_key)
        ]
    return reply(request, {"quotas": details})
