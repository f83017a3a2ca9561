"""/v3/{project_id}/elb/listeners."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from elbd.api.convergence import wait_for_access, wait_for_removals
from elbd.api.deps import authenticate, database
from elbd.api.listing import ListQuery, list_query
from elbd.api.replies import no_content, reply, request_id_of
from elbd.api.shapes.jobs import ListenersDeleted
from elbd.api.shapes.listeners import ListenerPage, ListenerReply
from elbd.api.views.listeners import listener_view
from elbd.api.views.pages import page_info
from elbd.schemas.batch_deletes import ListenerBatchDelete
from elbd.schemas.listeners import ListenerCreateRequest, ListenerUpdateRequest
from elbd.service import batch_deletes, cascades, ipgroups, listeners, lookups, recycle_bin
from elbd.service.identity import Principal
from elbd.store.db import Database, changed_so_far

router = APIRouter(tags=["listeners"])
_SINGLE = {"admin_state_up": bool, "http2_enable": bool, "enable_member_retry": bool, "enhance_l7policy_enable": bool}
_INTEGERS = ("protocol_port", "keepalive_timeout", "client_timeout", "member_timeout")
_list_query = list_query(
    {name: _SINGLE.get(name, list[int] if name in _INTEGERS else list[str]) for name in listeners.FILTER_COLUMNS} | {"include_recycle_bin": bool}
)


@router.post("/v3/{project_id}/elb/listeners", status_code=201, response_model=ListenerReply)
def create_listener(request: Request, body: ListenerCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        listener = listeners.create_listener(session, project_id=who.project_id, option=body.listener, host=request.app.state.host)
        answer: ListenerReply = {"listener": listener_view(listener, ipgroups.groups_of(session, [listener.id])), "request_id": request_id_of(request)}
        changed = changed_so_far(session)
    if body.listener.ipgroup is not None:
        wait_for_access(request, changed, f"Listener {listener.id} was")
    return reply(answer, 201)


@router.get("/v3/{project_id}/elb/listeners", response_model=ListenerPage)
def list_listeners(
    request: Request, query: ListQuery = Depends(_list_query), who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        page = listeners.list_listeners(session, project_id=who.project_id, filters=recycle_bin.live_only(query.filters), page=query.page)
        groups = ipgroups.groups_of(session, [item.id for item in page.items])
    answer: ListenerPage = {"listeners": [listener_view(item, groups) for item in page.items], "page_info": page_info(page), "request_id": request_id_of(request)}
    return reply(answer)


@router.get("/v3/{project_id}/elb/listeners/{listener_id}", response_model=ListenerReply)
def show_listener(request: Request, listener_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        listener = lookups.listener(session, who.project_id, listener_id)
        answer: ListenerReply = {"listener": listener_view(listener, ipgroups.groups_of(session, [listener.id])), "request_id": request_id_of(request)}
    return reply(answer)


@router.put("/v3/{project_id}/elb/listeners/{listener_id}", response_model=ListenerReply)
def update_listener(
    request: Request, listener_id: str, body: ListenerUpdateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        listener = listeners.update_listener(session, project_id=who.project_id, listener_id=listener_id, option=body.listener)
        answer: ListenerReply = {"listener": listener_view(listener, ipgroups.groups_of(session, [listener.id])), "request_id": request_id_of(request)}
        changed = changed_so_far(session)
    if "ipgroup" in body.listener.model_fields_set:
        wait_for_access(request, changed, f"Listener {listener_id} was")
    return reply(answer)


@router.delete("/v3/{project_id}/elb/listeners/{listener_id}", status_code=204)
def delete_listener(listener_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        listeners.delete_listener(session, project_id=who.project_id, listener_id=listener_id)
    return no_content()


@router.delete("/v3/{project_id}/elb/listeners/{listener_id}/force", status_code=204)
def delete_listener_force(
    request: Request, listener_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        cascades.delete_listener_force(session, project_id=who.project_id, listener_id=listener_id)
        changed = changed_so_far(session)
    wait_for_removals(request, changed, f"Listener {listener_id} was")
    return no_content()


@router.post("/v3/{project_id}/elb/listeners/batch-delete", response_model=ListenersDeleted)
def batch_delete_listeners(
    request: Request, body: ListenerBatchDelete, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        job = batch_deletes.delete_listeners(session, project_id=who.project_id, listener_ids=body.listener_ids)
        answer: ListenersDeleted = {"job_id": job.id, "listener_ids": list(body.listener_ids), "request_id": request_id_of(request)}
        changed = changed_so_far(session)
    wait_for_removals(request, changed, "Listeners were")
    return reply(answer)
