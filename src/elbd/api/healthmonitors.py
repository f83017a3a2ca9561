"""/v3/{project_id}/elb/healthmonitors."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from elbd.api.deps import authenticate, database
from elbd.api.listing import ListQuery, list_query
from elbd.api.replies import no_content, reply, request_id_of
from elbd.api.shapes.healthmonitors import HealthMonitorPage, HealthMonitorReply
from elbd.api.views.healthmonitors import health_monitor_view
from elbd.api.views.pages import page_info
from elbd.schemas.healthmonitors import HealthMonitorCreateRequest, HealthMonitorUpdateRequest
from elbd.service import healthmonitors, lookups
from elbd.service.identity import Principal
from elbd.store.db import Database

router = APIRouter(tags=["health monitors"])
_TYPES = {"admin_state_up": bool, "timeout": int, "delay": list[int], "max_retries": list[int], "max_retries_down": list[int], "monitor_port": list[int]}
_list_query = list_query({name: _TYPES.get(name, list[str]) for name in healthmonitors.FILTER_COLUMNS})


@router.post("/v3/{project_id}/elb/healthmonitors", status_code=201, response_model=HealthMonitorReply)
def create_health_monitor(
    request: Request, body: HealthMonitorCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        monitor = healthmonitors.create_health_monitor(session, project_id=who.project_id, option=body.healthmonitor)
    answer: HealthMonitorReply = {"healthmonitor": health_monitor_view(monitor), "request_id": request_id_of(request)}
    return reply(answer, 201)


@router.get("/v3/{project_id}/elb/healthmonitors", response_model=HealthMonitorPage)
def list_health_monitors(
    request: Request, query: ListQuery = Depends(_list_query), who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        page = healthmonitors.list_health_monitors(session, project_id=who.project_id, filters=query.filters, page=query.page)
    answer: HealthMonitorPage = {
        "healthmonitors": [health_monitor_view(m) for m in page.items],
        "page_info": page_info(page),
        "request_id": request_id_of(request),
    }
    return reply(answer)


@router.get("/v3/{project_id}/elb/healthmonitors/{healthmonitor_id}", response_model=HealthMonitorReply)
def show_health_monitor(request: Request, healthmonitor_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        monitor = lookups.health_monitor(session, who.project_id, healthmonitor_id)
    answer: HealthMonitorReply = {"healthmonitor": health_monitor_view(monitor), "request_id": request_id_of(request)}
    return reply(answer)


@router.put("/v3/{project_id}/elb/healthmonitors/{healthmonitor_id}", response_model=HealthMonitorReply)
def update_health_monitor(
    request: Request,
    healthmonitor_id: str,
    body: HealthMonitorUpdateRequest,
    who: Principal = Depends(authenticate),
    db: Database = Depends(database),
) -> Response:
    with db.write() as session:
        monitor = healthmonitors.update_health_monitor(
            session, project_id=who.project_id, monitor_id=healthmonitor_id, option=body.healthmonitor
        )
    answer: HealthMonitorReply = {"healthmonitor": health_monitor_view(monitor), "request_id": request_id_of(request)}
    return reply(answer)


@router.delete("/v3/{project_id}/elb/healthmonitors/{healthmonitor_id}", status_code=204)
def delete_health_monitor(healthmonitor_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        healthmonitors.delete_health_monitor(session, project_id=who.project_id, monitor_id=healthmonitor_id)
    return no_content()
