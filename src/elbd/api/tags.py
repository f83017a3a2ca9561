"""Tags: /v3/{project_id}/loadbalancers/... and /v3/{project_id}/listeners/... (no /elb, as the API has them)."""

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from elbd.api.deps import authenticate, database
from elbd.api.replies import no_content, reply, request_id_of
from elbd.api.shapes.tags import ProjectTags, ResourceTag, ResourceTags
from elbd.schemas.tags import TagAction
from elbd.service import lookups, tags
from elbd.service.identity import Principal
from elbd.store.db import Database
from elbd.store.models import Listener, LoadBalancer

router = APIRouter(tags=["tags"])

Finder = Callable[[Session, str, str], LoadBalancer | Listener]


def _resource_tags(request: Request, resource: LoadBalancer | Listener) -> Response:
    shown: list[ResourceTag] = [{"key": tag["key"], "value": tag["value"]} for tag in resource.tags]
    answer: ResourceTags = {"tags": shown, "request_id": request_id_of(request)}
    return reply(answer)


def _project_tags(request: Request, db: Database, model: type[LoadBalancer] | type[Listener], project_id: str) -> Response:
    with db.read() as session:
        found = tags.project_tags(session, model, project_id)
    answer: ProjectTags = {"tags": [{"key": one["key"], "values": one["values"]} for one in found], "request_id": request_id_of(request)}
    return reply(answer)


def _change(db: Database, find: Finder, project_id: str, resource_id: str, body: TagAction) -> Response:
    with db.write() as session:
        tags.change_tags(find(session, project_id, resource_id), body)
    return no_content()


def _show(request: Request, db: Database, find: Finder, project_id: str, resource_id: str) -> Response:
    with db.read() as session:
        return _resource_tags(request, find(session, project_id, resource_id))


@router.get("/v3/{project_id}/loadbalancers/tags", response_model=ProjectTags)
def list_loadbalancer_tags(request: Request, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    return _project_tags(request, db, LoadBalancer, who.project_id)


@router.get("/v3/{project_id}/listeners/tags", response_model=ProjectTags)
def list_listener_tags(request: Request, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    return _project_tags(request, db, Listener, who.project_id)


@router.get("/v3/{project_id}/loadbalancers/{loadbalancer_id}/tags", response_model=ResourceTags)
def show_loadbalancer_tags(
    request: Request, loadbalancer_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    return _show(request, db, lookups.load_balancer, who.project_id, loadbalancer_id)


@router.get("/v3/{project_id}/listeners/{listener_id}/tags", response_model=ResourceTags)
def show_listener_tags(
    request: Request, listener_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    return _show(request, db, lookups.listener, who.project_id, listener_id)


@router.post("/v3/{project_id}/loadbalancers/{loadbalancer_id}/tags/action", status_code=204)
def change_loadbalancer_tags(
    loadbalancer_id: str, body: TagAction, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    return _change(db, lookups.load_balancer, who.project_id, loadbalancer_id, body)


@router.post("/v3/{project_id}/listeners/{listener_id}/tags/action", status_code=204)
def change_listener_tags(
    listener_id: str, body: TagAction, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    return _change(db, lookups.listener, who.project_id, listener_id, body)
