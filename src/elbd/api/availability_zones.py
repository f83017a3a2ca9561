"""GET /v3/{project_id}/elb/availability-zones: the zones a load balancer may name."""

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from elbd.api.deps import authenticate
from elbd.api.replies import reply, request_id_of
from elbd.api.shapes.quotas import AvailabilityZone, AvailabilityZones
from elbd.service.identity import Principal

router = APIRouter(tags=["availability zones"])


@router.get("/v3/{project_id}/elb/availability-zones", response_model=AvailabilityZones)
def list_availability_zones(
    request: Request,
    public_border_group: str | None = Query(None, max_length=64),
    loadbalancer_id: str | None = Query(None, max_length=36),
    _who: Principal = Depends(authenticate),
) -> Response:
    zones: list[AvailabilityZone] = [
        {"code": code, "state": "ACTIVE", "protocol": ["L4", "L7"], "public_border_group": "center", "category": 0}
        for code in request.app.state.settings.availability_zones
        if public_border_group in (None, "center")
    ]
    answer: AvailabilityZones = {"availability_zones": [zones], "request_id": request_id_of(request)}
    return reply(answer)
