"""/v3/{project_id}/elb/master-slave-pools: active/standby backend server groups."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from elbd.api.convergence import wait_for_removals
from elbd.api.deps import authenticate, database
from elbd.api.listing import ListQuery, list_query
from elbd.api.replies import no_content, reply, request_id_of
from elbd.api.shapes.master_slave_pools import MasterSlavePoolPage, MasterSlavePoolReply
from elbd.api.views.master_slave_pools import master_slave_pool_view
from elbd.api.views.pages import page_info
from elbd.schemas.master_slave_pools import MasterSlavePoolCreateRequest
from elbd.service import master_slave_pools
from elbd.service.identity import Principal
from elbd.store.db import Database, changed_so_far

router = APIRouter(tags=["master-slave pools"])
POOLS = "/v3/{project_id}/elb/master-slave-pools"
_list_query = list_query(
    {
        **{
            name: list[str]
            for name in (
                "description", "healthmonitor_id", "id", "name", "loadbalancer_id", "protocol", "lb_algorithm", "enterprise_project_id",
                "ip_version", "member_address", "member_device_id", "listener_id", "member_instance_id", "vpc_id", "type", "public_border_group",
            )
        },
        "connection_drain": bool,
    }
)


@router.post(POOLS, status_code=201, response_model=MasterSlavePoolReply)
def create_master_slave_pool(
    request: Request, body: MasterSlavePoolCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        pool = master_slave_pools.create_master_slave_pool(session, project_id=who.project_id, option=body.pool, host=request.app.state.host)
        parts = master_slave_pools.parts(session, who.project_id, [pool.id])
        answer: MasterSlavePoolReply = {"pool": master_slave_pool_view(pool, parts), "request_id": request_id_of(request)}
    return reply(answer, 201)


@router.get(POOLS, response_model=MasterSlavePoolPage)
def list_master_slave_pools(
    request: Request, query: ListQuery = Depends(_list_query), who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        page = master_slave_pools.list_master_slave_pools(session, project_id=who.project_id, filters=query.filters, page=query.page)
        parts = master_slave_pools.parts(session, who.project_id, [pool.id for pool in page.items])
        answer: MasterSlavePoolPage = {
            "pools": [master_slave_pool_view(pool, parts) for pool in page.items], "page_info": page_info(page), "request_id": request_id_of(request)
        }
    return reply(answer)


@router.get(POOLS + "/{pool_id}", response_model=MasterSlavePoolReply)
def show_master_slave_pool(request: Request, pool_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        pool = master_slave_pools.master_slave_pool(session, who.project_id, pool_id)
        parts = master_slave_pools.parts(session, who.project_id, [pool.id])
        answer: MasterSlavePoolReply = {"pool": master_slave_pool_view(pool, parts), "request_id": request_id_of(request)}
    return reply(answer)


@router.delete(POOLS + "/{pool_id}", status_code=204)
def delete_master_slave_pool(request: Request, pool_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        master_slave_pools.delete_master_slave_pool(session, project_id=who.project_id, pool_id=pool_id)
        changed = changed_so_far(session)
    wait_for_removals(request, changed, f"Active/standby backend server group {pool_id} was")
    return no_content()
