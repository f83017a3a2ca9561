"""POST .../loadbalancers/{id}/clone and .../listeners/{id}/clone (service/clones.py): the copies are
made within the request, so each answers a COMPLETE job."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from elbd.api.deps import authenticate, database
from elbd.api.replies import reply, request_id_of
from elbd.api.shapes.clones import ListenersCloned, LoadBalancersCloned
from elbd.schemas.clones import ListenerCloneRequest, LoadBalancerCloneRequest
from elbd.service import clones, jobs
from elbd.service.identity import Principal
from elbd.store.db import Database

router = APIRouter(tags=["clones"])


@router.post("/v3/{project_id}/elb/loadbalancers/{loadbalancer_id}/clone", status_code=201, response_model=LoadBalancersCloned)
def clone_loadbalancer(
    request: Request,
    loadbalancer_id: str,
    body: LoadBalancerCloneRequest | None = None,
    who: Principal = Depends(authenticate),
    db: Database = Depends(database),
) -> Response:
    asked = body or LoadBalancerCloneRequest()
    with db.write() as session:
        made = clones.clone_load_balancer(
            session,
            project_id=who.project_id,
            load_balancer_id=loadbalancer_id,
            count=asked.count,
            target=asked.target_loadbalancer_param,
            host=request.app.state.host,
        )
        ids = [lb.id for lb in made]
        job = jobs.record(session, project_id=who.project_id, job_type="cloneLoadbalancer", resource_type="loadbalancer", resource_ids=ids)
        answer: LoadBalancersCloned = {"loadbalancer_list": [{"id": one} for one in ids], "job_id": job.id, "request_id": request_id_of(request)}
    return reply(answer, 201)


@router.post("/v3/{project_id}/elb/listeners/{listener_id}/clone", status_code=201, response_model=ListenersCloned)
def clone_listener(
    request: Request, listener_id: str, body: ListenerCloneRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        made = clones.clone_listener(
            session, project_id=who.project_id, listener_id=listener_id, targets=list(body.target_listener_params), host=request.app.state.host
        )
        job = jobs.record(session, project_id=who.project_id, job_type="cloneListener", resource_type="listener", resource_ids=[one.id for one in made])
        answer: ListenersCloned = {
            "listener_list": [{"id": one.id, "loadbalancer_id": one.loadbalancer_id, "protocol_port": one.protocol_port, "port_ranges": []} for one in made],
            "job_id": job.id,
            "request_id": request_id_of(request),
        }
    return reply(answer, 201)
