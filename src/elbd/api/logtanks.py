"""/v3/{project_id}/elb/logtanks: a load balancer's access log, on while it has a log tank. The log is
the file `access-logs/<loadbalancer_id>/access.log` under the data directory (README: Access logs).
A create or delete answers once the data plane logs, or no longer logs, the next request."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from elbd.api.convergence import wait_for_logging
from elbd.api.deps import authenticate, database
from elbd.api.listing import ListQuery, list_query
from elbd.api.replies import no_content, reply, request_id_of
from elbd.api.shapes.logtanks import LogtankPage, LogtankReply
from elbd.api.views.logtanks import logtank_view
from elbd.api.views.pages import page_info
from elbd.schemas.logtanks import LogtankCreateRequest, LogtankUpdateRequest
from elbd.service import logtanks, lookups
from elbd.service.identity import Principal
from elbd.store.db import Database

router = APIRouter(tags=["log tanks"])
_list_query = list_query({name: list[str] for name in logtanks.FILTER_COLUMNS})


@router.post("/v3/{project_id}/elb/logtanks", status_code=201, response_model=LogtankReply)
def create_logtank(
    request: Request, body: LogtankCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        logtank = logtanks.create_logtank(session, project_id=who.project_id, option=body.logtank)
        answer: LogtankReply = {"logtank": logtank_view(logtank), "request_id": request_id_of(request)}
    wait_for_logging(request, answer["logtank"]["loadbalancer_id"], logging=True)
    return reply(answer, 201)


@router.get("/v3/{project_id}/elb/logtanks", response_model=LogtankPage)
def list_logtanks(
    request: Request, query: ListQuery = Depends(_list_query), who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        page = logtanks.list_logtanks(session, project_id=who.project_id, filters=query.filters, page=query.page)
        answer: LogtankPage = {
            "logtanks": [logtank_view(logtank) for logtank in page.items],
            "page_info": page_info(page),
            "request_id": request_id_of(request),
        }
    return reply(answer)


@router.get("/v3/{project_id}/elb/logtanks/{logtank_id}", response_model=LogtankReply)
def show_logtank(request: Request, logtank_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        answer: LogtankReply = {"logtank": logtank_view(lookups.logtank(session, who.project_id, logtank_id)), "request_id": request_id_of(request)}
    return reply(answer)


@router.put("/v3/{project_id}/elb/logtanks/{logtank_id}", response_model=LogtankReply)
def update_logtank(
    request: Request, logtank_id: str, body: LogtankUpdateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        logtank = logtanks.update_logtank(session, project_id=who.project_id, logtank_id=logtank_id, option=body.logtank)
        answer: LogtankReply = {"logtank": logtank_view(logtank), "request_id": request_id_of(request)}
    return reply(answer)


@router.delete("/v3/{project_id}/elb/logtanks/{logtank_id}", status_code=204)
def delete_logtank(request: Request, logtank_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        load_balancer_id = logtanks.delete_logtank(session, project_id=who.project_id, logtank_id=logtank_id)
    wait_for_logging(request, load_balancer_id, logging=False)
    return no_content()
