"""The instance registry in ECS v1 shapes: /v1/{project_id}/cloudservers."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from elbd.api.deps import authenticate, database
from elbd.api.replies import no_content, reply
from elbd.api.shapes.vpcs import ServerCreated, ServerJob, ServerList, ServerReply
from elbd.api.views.vpcs import server_view
from elbd.errors import invalid
from elbd.ids import new_id
from elbd.schemas.vpcs import ServerActionRequest, ServerCreateRequest, ServerDeleteRequest
from elbd.service import instances
from elbd.service.identity import Principal
from elbd.store.db import Database
from elbd.store.models import Server, Subnet

router = APIRouter(tags=["ecs"])


def _views(session: Session, servers: list[Server]) -> list[dict]:
    nics = instances.nics_of(session, [server.id for server in servers])
    subnet_ids = {nic.subnet_id for found in nics.values() for nic in found}
    vpc_of = dict(session.execute(select(Subnet.id, Subnet.vpc_id).where(Subnet.id.in_(subnet_ids))).all())
    return [server_view(server, nics.get(server.id, []), vpc_of) for server in servers]


@router.post("/v1/{project_id}/cloudservers", response_model=ServerCreated)
def create_server(request: Request, body: ServerCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        server = instances.create_server(session, project_id=who.project_id, option=body.server)
    return reply(request, {"job_id": new_id(), "serverIds": [server.id]})


@router.get("/v1/{project_id}/cloudservers/detail", response_model=ServerList)
def list_servers(request: Request, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        views = _views(session, instances.list_servers(session, who.project_id))
    return reply(request, {"count": len(views), "servers": views})


@router.get("/v1/{project_id}/cloudservers/{server_id}", response_model=ServerReply)
def show_server(request: Request, server_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        view = _views(session, [instances.get_server(session, who.project_id, server_id)])[0]
    return reply(request, {"server": view})


@router.post("/v1/{project_id}/cloudservers/action", response_model=ServerJob)
def server_action(request: Request, body: ServerActionRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    if (body.os_start is None) == (body.os_stop is None):
        raise invalid("The body names exactly one action: os-start or os-stop.")
    batch = body.os_start or body.os_stop
    assert batch is not None
    with db.write() as session:
        instances.set_running(
            session, project_id=who.project_id, server_ids=[s.id for s in batch.servers], running=body.os_start is not None
        )
    return reply(request, {"job_id": new_id()})


@router.post("/v1/{project_id}/cloudservers/delete", response_model=ServerJob)
def delete_servers(request: Request, body: ServerDeleteRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        instances.delete_servers(session, project_id=who.project_id, server_ids=[s.id for s in body.servers])
    return reply(request, {"job_id": new_id()})


@router.delete("/v1/{project_id}/cloudservers/{server_id}", status_code=204)
def delete_server(server_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        instances.delete_servers(session, project_id=who.project_id, server_ids=[server_id])
    return no_content()
