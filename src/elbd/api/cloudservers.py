"""The instance registry in ECS v1 shapes: /v1/{project_id}/cloudservers.

ECS calls an instance a server: the module is named after its paths, and its routes after ECS's
operations (their names are the operation ids of the OpenAPI document)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from elbd.api.deps import authenticate, database
from elbd.api.replies import no_content, reply, request_id_of
from elbd.api.shapes.instances import ServerCreated, ServerJob, ServerList, ServerReply
from elbd.api.views.instances import instance_view
from elbd.errors import invalid
from elbd.ids import new_id
from elbd.schemas.instances import ServerActionRequest, ServerCreateRequest, ServerDeleteRequest
from elbd.service import instances, lookups
from elbd.service.identity import Principal
from elbd.store.db import Database

router = APIRouter(tags=["ecs"])


@router.post("/v1/{project_id}/cloudservers", response_model=ServerCreated)
def create_server(request: Request, body: ServerCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        instance = instances.create_instance(session, project_id=who.project_id, option=body.server)
    answer: ServerCreated = {"job_id": new_id(), "serverIds": [instance.id], "request_id": request_id_of(request)}
    return reply(answer)


@router.get("/v1/{project_id}/cloudservers/detail", response_model=ServerList)
def list_servers(request: Request, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        found = instances.list_instances(session, who.project_id)
        nics = instances.nics_of(session, [instance.id for instance in found])
    answer: ServerList = {
        "count": len(found),
        "servers": [instance_view(instance, nics.get(instance.id, [])) for instance in found],
        "request_id": request_id_of(request),
    }
    return reply(answer)


@router.get("/v1/{project_id}/cloudservers/{server_id}", response_model=ServerReply)
def show_server(request: Request, server_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        instance = lookups.instance(session, who.project_id, server_id)
        nics = instances.nics_of(session, [instance.id])
    answer: ServerReply = {"server": instance_view(instance, nics.get(instance.id, [])), "request_id": request_id_of(request)}
    return reply(answer)


@router.post("/v1/{project_id}/cloudservers/action", response_model=ServerJob)
def server_action(request: Request, body: ServerActionRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    if (body.os_start is None) == (body.os_stop is None):
        raise invalid("The body names exactly one action: os-start or os-stop.")
    batch = body.os_start or body.os_stop
    assert batch is not None
    with db.write() as session:
        instances.set_running(
            session, project_id=who.project_id, instance_ids=[s.id for s in batch.servers], running=body.os_start is not None
        )
    answer: ServerJob = {"job_id": new_id(), "request_id": request_id_of(request)}
    return reply(answer)


@router.post("/v1/{project_id}/cloudservers/delete", response_model=ServerJob)
def delete_servers(request: Request, body: ServerDeleteRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        instances.delete_instances(session, project_id=who.project_id, instance_ids=[s.id for s in body.servers])
    answer: ServerJob = {"job_id": new_id(), "request_id": request_id_of(request)}
    return reply(answer)


@router.delete("/v1/{project_id}/cloudservers/{server_id}", status_code=204)
def delete_server(server_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        instances.delete_instances(session, project_id=who.project_id, instance_ids=[server_id])
    return no_content()
