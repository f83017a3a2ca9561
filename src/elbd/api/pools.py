"""/v3/{project_id}/elb/pools."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from elbd.api.convergence import wait_for_removals
from elbd.api.deps import authenticate, database
from elbd.api.listing import ListQuery, list_query
from elbd.api.replies import no_content, reply, request_id_of
from elbd.api.shapes.jobs import PoolsDeleted
from elbd.api.shapes.pools import PoolPage, PoolReply
from elbd.api.views.pages import page_info
from elbd.api.views.pools import pool_view
from elbd.schemas.batch_deletes import PoolBatchDelete
from elbd.schemas.pools import PoolCreateRequest, PoolUpdateRequest
from elbd.service import batch_deletes, cascades, lookups, pools
from elbd.service.identity import Principal
from elbd.store.db import Database, changed_so_far

router = APIRouter(tags=["pools"])
_SINGLE = {"admin_state_up": bool, "member_deletion_protection_enable": bool, "any_port_enable": bool}
_list_query = list_query(
    {name: _SINGLE.get(name, list[str]) for name in (*pools.FILTER_COLUMNS, *pools.RELATED_FILTERS)}
)


@router.post("/v3/{project_id}/elb/pools", status_code=201, response_model=PoolReply)
def create_pool(request: Request, body: PoolCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        pool = pools.create_pool(session, project_id=who.project_id, option=body.pool)
        related = pools.related(session, [pool.id])
    answer: PoolReply = {"pool": pool_view(pool, related), "request_id": request_id_of(request)}
    return reply(answer, 201)


@router.get("/v3/{project_id}/elb/pools", response_model=PoolPage)
def list_pools(
    request: Request, query: ListQuery = Depends(_list_query), who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        page = pools.list_pools(session, project_id=who.project_id, filters=query.filters, page=query.page)
        related = pools.related(session, [pool.id for pool in page.items])
    answer: PoolPage = {"pools": [pool_view(pool, related) for pool in page.items], "page_info": page_info(page), "request_id": request_id_of(request)}
    return reply(answer)


@router.get("/v3/{project_id}/elb/pools/{pool_id}", response_model=PoolReply)
def show_pool(request: Request, pool_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        pool = lookups.pool(session, who.project_id, pool_id)
        related = pools.related(session, [pool.id])
    answer: PoolReply = {"pool": pool_view(pool, related), "request_id": request_id_of(request)}
    return reply(answer)


@router.put("/v3/{project_id}/elb/pools/{pool_id}", response_model=PoolReply)
def update_pool(
    request: Request, pool_id: str, body: PoolUpdateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        pool = pools.update_pool(session, project_id=who.project_id, pool_id=pool_id, option=body.pool)
        related = pools.related(session, [pool.id])
    answer: PoolReply = {"pool": pool_view(pool, related), "request_id": request_id_of(request)}
    return reply(answer)


@router.delete("/v3/{project_id}/elb/pools/{pool_id}", status_code=204)
def delete_pool(pool_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        pools.delete_pool(session, project_id=who.project_id, pool_id=pool_id)
    return no_content()


@router.delete("/v3/{project_id}/elb/pools/{pool_id}/delete-cascade", status_code=204)
def delete_pool_cascade(request: Request, pool_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        cascades.delete_pool_cascade(session, project_id=who.project_id, pool_id=pool_id)
        changed = changed_so_far(session)
    wait_for_removals(request, changed, f"Backend server group {pool_id} was")
    return no_content()


@router.post("/v3/{project_id}/elb/pools/batch-delete", response_model=PoolsDeleted)
def batch_delete_pools(request: Request, body: PoolBatchDelete, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        outcomes = batch_deletes.delete_pools(session, project_id=who.project_id, pool_ids=body.pools)
    answer: PoolsDeleted = {"pools": [{"id": pool_id, "ret_status": outcome} for pool_id, outcome in outcomes], "request_id": request_id_of(request)}
    return reply(answer)
