"""/v3/{project_id}/elb/recycle-bin: the project's setting and policy, the load balancers in the bin,
their restore and their deletion for good (service/recycle_bin.py)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from elbd.api.deps import authenticate, database
from elbd.api.listing import ListQuery, list_query
from elbd.api.replies import no_content, reply, request_id_of
from elbd.api.shapes.recycle_bin import RecycleBinReply, RecycledLoadBalancer, RecycledLoadBalancerPage, Restored
from elbd.api.views.loadbalancers import load_balancer_view
from elbd.api.views.pages import page_info
from elbd.clock import format_time
from elbd.recycle_policy import Policy
from elbd.schemas.recycle_bin import RecycleBinEnableRequest, RecycleBinPolicyRequest
from elbd.service import jobs, recycle_bin
from elbd.service.identity import Principal
from elbd.service.loadbalancers import Children
from elbd.store.db import Database
from elbd.store.models import RecycledLoadBalancer as RecycledRow

router = APIRouter(tags=["recycle bin"])
BIN = "/v3/{project_id}/elb/recycle-bin"
_list_query = list_query(dict.fromkeys(recycle_bin.FILTER_COLUMNS, list[str]))


def _bin_reply(request: Request, project_id: str, enabled: bool, policy: Policy) -> Response:
    answer: RecycleBinReply = {
        "recycle_bin": {
            "project_id": project_id,
            "enable": enabled,
            "policy": {"retention_hour": policy.retention_hour, "recycle_threshold_hour": policy.recycle_threshold_hour},
        },
        "request_id": request_id_of(request),
    }
    return reply(answer)


@router.get(BIN, response_model=RecycleBinReply)
def show_recycle_bin(request: Request, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        enabled, policy = recycle_bin.settings(session, who.project_id)
    return _bin_reply(request, who.project_id, enabled, policy)


@router.put(BIN, response_model=RecycleBinReply)
def update_recycle_bin_enable(
    request: Request, body: RecycleBinEnableRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        enabled, policy = recycle_bin.change_settings(session, project_id=who.project_id, enable=body.recycle_bin.enable)
    return _bin_reply(request, who.project_id, enabled, policy)


@router.put(f"{BIN}/policy", response_model=RecycleBinReply)
def update_recycle_bin_policy(
    request: Request, body: RecycleBinPolicyRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    asked = body.recycle_bin.policy
    with db.write() as session:
        enabled, policy = recycle_bin.change_settings(
            session, project_id=who.project_id, retention_hour=asked.retention_hour, recycle_threshold_hour=asked.recycle_threshold_hour
        )
    return _bin_reply(request, who.project_id, enabled, policy)


def _recycled_view(recycled: RecycledRow) -> RecycledLoadBalancer:
    held = recycle_bin.children_of(recycled)
    view = load_balancer_view(recycle_bin.load_balancer_row(recycled), Children({recycled.id: held["listeners"]}, {recycled.id: held["pools"]}))
    return {**view, "provisioning_status": "RECYCLING", "auto_terminate_time": format_time(recycled.auto_terminate_at)}


@router.get(f"{BIN}/loadbalancers", response_model=RecycledLoadBalancerPage)
def list_recycle_bin_load_balancers(
    request: Request, query: ListQuery = Depends(_list_query), who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:  # a write: the listing purges what is past its time first
        page = recycle_bin.list_recycled(session, project_id=who.project_id, filters=query.filters, page=query.page)
        answer: RecycledLoadBalancerPage = {
            "loadbalancers": [_recycled_view(one) for one in page.items],
            "page_info": page_info(page),
            "request_id": request_id_of(request),
        }
    return reply(answer)


@router.put(f"{BIN}/loadbalancers/{{loadbalancer_id}}/recover", response_model=Restored)
def restore_loadbalancer(request: Request, loadbalancer_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        lb = recycle_bin.restore(session, project_id=who.project_id, load_balancer_id=loadbalancer_id)
        job = jobs.record(session, project_id=who.project_id, job_type="restoreLoadbalancer", resource_type="loadbalancer", resource_ids=[lb.id])
        answer: Restored = {"type": "v3", "job_id": job.id, "request_id": request_id_of(request)}
    return reply(answer)


@router.delete(f"{BIN}/loadbalancers/{{loadbalancer_id}}", status_code=204)
def delete_recycle_load_balancer(loadbalancer_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        recycle_bin.delete_recycled(session, project_id=who.project_id, load_balancer_id=loadbalancer_id)
    return no_content()
