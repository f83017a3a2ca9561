"""/v3/{project_id}/elb/loadbalancers."""

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from elbd.api.convergence import wait_for_removals
from elbd.api.deps import authenticate, database
from elbd.api.listing import ListQuery, list_query
from elbd.api.replies import no_content, reply, request_id_of
from elbd.api.shapes.jobs import LoadBalancersCreated, LoadBalancersDeleted
from elbd.api.shapes.loadbalancers import LoadBalancerPage, LoadBalancerReply, LoadBalancerWrittenReply, LocalPorts
from elbd.api.shapes.topology import TopologyReply
from elbd.api.views.loadbalancers import load_balancer_view
from elbd.api.views.pages import page_info
from elbd.api.views.topology import topology_view
from elbd.errors import invalid
from elbd.schemas.batch_deletes import LoadBalancerBatchDelete
from elbd.schemas.loadbalancers import LoadBalancerBatchCreateRequest, LoadBalancerCascadeDeleteRequest, LoadBalancerCreateRequest, LoadBalancerUpdateRequest, ZoneChange
from elbd.service import batch_deletes, cascades, jobs, loadbalancers, lookups, recycle_bin, topology
from elbd.service.identity import Principal
from elbd.store.db import Database, changed_so_far

router = APIRouter(tags=["load balancers"])
_list_query = list_query(
    {name: (bool if name in ("admin_state_up", "deletion_protection_enable") else list[str]) for name in loadbalancers.FILTER_COLUMNS}
    | {"include_recycle_bin": bool}
)


@router.post("/v3/{project_id}/elb/loadbalancers", status_code=201, response_model=LoadBalancerWrittenReply)
def create_load_balancer(
    request: Request, body: LoadBalancerCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        lb = loadbalancers.create_load_balancer(
            session, project_id=who.project_id, option=body.loadbalancer, host=request.app.state.host
        )
        children = loadbalancers.children(session, [lb.id])
    answer: LoadBalancerWrittenReply = {"loadbalancer": load_balancer_view(lb, children), "loadbalancer_id": lb.id, "request_id": request_id_of(request)}
    return reply(answer, 201)


@router.get("/v3/{project_id}/elb/loadbalancers", response_model=LoadBalancerPage)
def list_load_balancers(
    request: Request, query: ListQuery = Depends(_list_query), who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        page = loadbalancers.list_load_balancers(session, project_id=who.project_id, filters=recycle_bin.live_only(query.filters), page=query.page)
        children = loadbalancers.children(session, [lb.id for lb in page.items])
    answer: LoadBalancerPage = {
        "loadbalancers": [load_balancer_view(lb, children) for lb in page.items],
        "page_info": page_info(page),
        "request_id": request_id_of(request),
    }
    return reply(answer)


@router.get("/v3/{project_id}/elb/loadbalancers/{loadbalancer_id}", response_model=LoadBalancerReply)
def show_load_balancer(
    request: Request, loadbalancer_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        lb = lookups.load_balancer(session, who.project_id, loadbalancer_id)
        children = loadbalancers.children(session, [lb.id])
    answer: LoadBalancerReply = {"loadbalancer": load_balancer_view(lb, children), "request_id": request_id_of(request)}
    return reply(answer)


@router.put("/v3/{project_id}/elb/loadbalancers/{loadbalancer_id}", response_model=LoadBalancerWrittenReply)
def update_load_balancer(
    request: Request,
    loadbalancer_id: str,
    body: LoadBalancerUpdateRequest,
    who: Principal = Depends(authenticate),
    db: Database = Depends(database),
) -> Response:
    with db.write() as session:
        lb = loadbalancers.update_load_balancer(
            session, project_id=who.project_id, load_balancer_id=loadbalancer_id, option=body.loadbalancer
        )
        children = loadbalancers.children(session, [lb.id])
    answer: LoadBalancerWrittenReply = {"loadbalancer": load_balancer_view(lb, children), "loadbalancer_id": lb.id, "request_id": request_id_of(request)}
    return reply(answer)


@router.delete("/v3/{project_id}/elb/loadbalancers/{loadbalancer_id}", status_code=204)
def delete_load_balancer(loadbalancer_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        loadbalancers.delete_load_balancer(session, project_id=who.project_id, load_balancer_id=loadbalancer_id)
    return no_content()


@router.post("/v3/{project_id}/elb/loadbalancers/{loadbalancer_id}/delete-cascade", status_code=204)
def delete_load_balancer_cascade(
    request: Request,
    loadbalancer_id: str,
    body: LoadBalancerCascadeDeleteRequest | None = None,
    who: Principal = Depends(authenticate),
    db: Database = Depends(database),
) -> Response:
    option = (body or LoadBalancerCascadeDeleteRequest()).loadbalancer
    with db.write() as session:
        cascades.delete_load_balancer_cascade(
            session, project_id=who.project_id, load_balancer_id=loadbalancer_id, delete_pools=option.unbounded_pool
        )
        changed = changed_so_far(session)
    wait_for_removals(request, changed, f"Load balancer {loadbalancer_id} was")
    return no_content()


@router.delete("/v3/{project_id}/elb/loadbalancers/{loadbalancer_id}/force-elb", status_code=204)
def delete_load_balancer_force(
    request: Request, loadbalancer_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    """The reference's other cascade delete: everything under the load balancer, backend server groups included."""
    with db.write() as session:
        cascades.delete_load_balancer_cascade(session, project_id=who.project_id, load_balancer_id=loadbalancer_id, delete_pools=True)
        changed = changed_so_far(session)
    wait_for_removals(request, changed, f"Load balancer {loadbalancer_id} was")
    return no_content()


@router.post("/v3/{project_id}/elb/loadbalancers/batch-delete", response_model=LoadBalancersDeleted)
def batch_delete_load_balancers(
    request: Request, body: LoadBalancerBatchDelete, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        job = batch_deletes.delete_load_balancers(
            session, project_id=who.project_id, load_balancer_ids=body.loadbalancer_ids, delete_pools=body.unbounded_pool
        )
        answer: LoadBalancersDeleted = {"job_id": job.id, "loadbalancer_ids": list(body.loadbalancer_ids), "request_id": request_id_of(request)}
        changed = changed_so_far(session)
    wait_for_removals(request, changed, "Load balancers were")
    return reply(answer)


def _change_zones(request: Request, db: Database, project_id: str, loadbalancer_id: str, body: ZoneChange, add: bool) -> Response:
    with db.write() as session:
        lb = loadbalancers.change_zones(
            session, project_id=project_id, load_balancer_id=loadbalancer_id, zones=list(body.availability_zone_list), add=add, host=request.app.state.host
        )
        children = loadbalancers.children(session, [lb.id])
        answer: LoadBalancerWrittenReply = {"loadbalancer": load_balancer_view(lb, children), "loadbalancer_id": lb.id, "request_id": request_id_of(request)}
    return reply(answer)


@router.post("/v3/{project_id}/elb/loadbalancers/{loadbalancer_id}/availability-zone/batch-add", response_model=LoadBalancerWrittenReply)
def batch_add_availability_zones(
    request: Request, loadbalancer_id: str, body: ZoneChange, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    return _change_zones(request, db, who.project_id, loadbalancer_id, body, add=True)


@router.post("/v3/{project_id}/elb/loadbalancers/{loadbalancer_id}/availability-zone/batch-remove", response_model=LoadBalancerWrittenReply)
def batch_remove_availability_zones(
    request: Request, loadbalancer_id: str, body: ZoneChange, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    return _change_zones(request, db, who.project_id, loadbalancer_id, body, add=False)


_TOPOLOGY_FILTERS = {"listener_id", "pool_id", "listener_name", "listener_protocol", "listener_protocol_port", "pool_name"}


@router.get("/v3/{project_id}/elb/loadbalancers/{loadbalancer_id}/topology", response_model=TopologyReply)
def show_load_balancer_topology(
    request: Request,
    loadbalancer_id: str,
    listener_id: str | None = Query(None, max_length=36),
    pool_id: str | None = Query(None, max_length=36),
    listener_name: str | None = Query(None, max_length=255),
    listener_protocol: str | None = Query(None, max_length=16),
    listener_protocol_port: int | None = Query(None, ge=0, le=65535),
    pool_name: str | None = Query(None, max_length=255),
    who: Principal = Depends(authenticate),
    db: Database = Depends(database),
) -> Response:
    unknown = sorted(set(request.query_params) - _TOPOLOGY_FILTERS)
    if unknown:
        raise invalid(f"Unsupported query parameter(s): {', '.join(unknown)}.")
    filters = {
        "listener_id": listener_id, "pool_id": pool_id, "listener_name": listener_name, "listener_protocol": listener_protocol,
        "listener_protocol_port": listener_protocol_port, "pool_name": pool_name,
    }
    with db.read() as session:
        found = topology.topology(session, project_id=who.project_id, load_balancer_id=loadbalancer_id, filters=filters)
        answer: TopologyReply = {"topology": topology_view(found), "request_id": request_id_of(request)}
    return reply(answer)


_LOCAL_PORT_FILTERS = {"port_id", "ip_address", "ipv6_address", "type", "virsubnet_id"}


@router.get("/v3/{project_id}/elb/loadbalancers/{loadbalancer_id}/local-ports", response_model=LocalPorts)
def show_load_balancer_ports(
    request: Request,
    loadbalancer_id: str,
    port_id: list[str] = Query(default_factory=list),
    ip_address: list[str] = Query(default_factory=list),
    ipv6_address: list[str] = Query(default_factory=list),
    port_type: list[str] = Query(default_factory=list, alias="type"),
    virsubnet_id: list[str] = Query(default_factory=list),
    who: Principal = Depends(authenticate),
    db: Database = Depends(database),
) -> Response:
    """The addresses the load balancer takes in its backend subnets to forward and check from: none.
    A public cloud's load balancer runs on nodes with ports in those subnets; elbd's HAProxy runs on
    the host and reaches members from the host's own addresses, so only the VIP is taken."""
    unknown = sorted(set(request.query_params) - _LOCAL_PORT_FILTERS)
    if unknown:
        raise invalid(f"Unsupported query parameter(s): {', '.join(unknown)}.")
    with db.read() as session:
        lookups.load_balancer(session, who.project_id, loadbalancer_id)
    answer: LocalPorts = {"ports": [], "request_id": request_id_of(request)}
    return reply(answer)


@router.post("/v3/{project_id}/elb/loadbalancers/batch-create", status_code=201, response_model=LoadBalancersCreated)
def batch_create_load_balancers(
    request: Request, body: LoadBalancerBatchCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        made = loadbalancers.batch_create_load_balancers(session, project_id=who.project_id, option=body.loadbalancer, host=request.app.state.host)
        ids = [lb.id for lb in made]
        job = jobs.record(session, project_id=who.project_id, job_type="batchCreateV3Loadbalancer", resource_type="loadbalancer", resource_ids=ids)
        answer: LoadBalancersCreated = {"loadbalancer_ids": ids, "job_id": job.id, "request_id": request_id_of(request)}
    return reply(answer, 201)
