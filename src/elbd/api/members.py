"""Backend servers: /v3/{project_id}/elb/pools/{pool_id}/members[...] and /v3/{project_id}/elb/members."""

from functools import partial

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from elbd.api.convergence import wait_for_removal
from elbd.api.deps import authenticate, database
from elbd.api.listing import ListQuery, list_query
from elbd.api.replies import no_content, reply, request_id_of
from elbd.api.shapes.members import (
    BatchDeletedReply,
    BatchMemberReply,
    BatchUpdatedReply,
    MemberInfoPage,
    MemberPage,
    MemberReply,
)
from elbd.api.views.members import batch_member_view, batch_updated_member_view, member_info_view, member_view
from elbd.api.views.pages import page_info
from elbd.schemas.members import (
    BatchMemberCreateRequest,
    BatchMemberDeleteRequest,
    BatchMemberUpdateRequest,
    MemberCreateRequest,
    MemberUpdateRequest,
)
from elbd.service import lookups, member_status, members
from elbd.service.address_ranges import Host
from elbd.service.identity import Principal
from elbd.store.db import Database
from elbd.store.group_commit import GroupCommit

router = APIRouter(tags=["members"])
_FILTERS = {
    "name": list[str],
    "weight": list[int],
    "admin_state_up": bool,
    "subnet_cidr_id": list[str],
    "address": list[str],
    "protocol_port": list[int],
    "id": list[str],
    "operating_status": list[str],
    "enterprise_project_id": list[str],
    "ip_version": list[str],
    "member_type": list[str],
    "instance_id": list[str],
    "availability_zone": list[str],
}
_pool_members_query = list_query(_FILTERS)
_all_members_query = list_query({**_FILTERS, "pool_id": list[str], "loadbalancer_id": list[str]})
MEMBERS = "/v3/{project_id}/elb/pools/{pool_id}/members"


def _host(request: Request) -> Host:
    return request.app.state.host


@router.post(MEMBERS, status_code=201, response_model=MemberReply)
async def create_member(request: Request, pool_id: str, body: MemberCreateRequest, who: Principal = Depends(authenticate)) -> Response:
    """The hot path: written by the group-commit thread (store/group_commit.py), with whatever other
    creates arrive meanwhile, instead of a worker thread of its own."""
    group_commit: GroupCommit = request.app.state.group_commit
    project_id, option, host = who.project_id, body.member, _host(request)
    member, facts = await group_commit.run(
        partial(members.create_member, project_id=project_id, pool_id=pool_id, option=option, host=host),
        partial(members.create_locks, project_id=project_id, pool_id=pool_id, option=option, host=host),
        writes_last=True,
    )
    answer: MemberReply = {"member": member_view(member, facts), "request_id": request_id_of(request)}
    return reply(answer, 201)


@router.get(MEMBERS, response_model=MemberPage)
def list_members(
    request: Request,
    pool_id: str,
    query: ListQuery = Depends(_pool_members_query),
    who: Principal = Depends(authenticate),
    db: Database = Depends(database),
) -> Response:
    with db.read() as session:
        page, facts = members.list_members(session, project_id=who.project_id, pool_id=pool_id, filters=query.filters, page=query.page)
    answer: MemberPage = {
        "members": [member_view(m, facts) for m in page.items],
        "page_info": page_info(page),
        "request_id": request_id_of(request),
    }
    return reply(answer)


@router.get("/v3/{project_id}/elb/members", response_model=MemberInfoPage)
def list_all_members(
    request: Request, query: ListQuery = Depends(_all_members_query), who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        page, facts = members.list_members(session, project_id=who.project_id, pool_id=None, filters=query.filters, page=query.page)
    answer: MemberInfoPage = {
        "members": [member_info_view(m, facts) for m in page.items],
        "page_info": page_info(page),
        "request_id": request_id_of(request),
    }
    return reply(answer)


@router.get(MEMBERS + "/{member_id}", response_model=MemberReply)
def show_member(
    request: Request, pool_id: str, member_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        member = lookups.member(session, who.project_id, pool_id, member_id)
        facts = member_status.gather(session, who.project_id, [pool_id], [member])
    answer: MemberReply = {"member": member_view(member, facts), "request_id": request_id_of(request)}
    return reply(answer)


@router.put(MEMBERS + "/{member_id}", response_model=MemberReply)
def update_member(
    request: Request,
    pool_id: str,
    member_id: str,
    body: MemberUpdateRequest,
    who: Principal = Depends(authenticate),
    db: Database = Depends(database),
) -> Response:
    with db.write() as session:
        member = members.update_member(
            session, project_id=who.project_id, pool_id=pool_id, member_id=member_id, option=body.member, host=_host(request)
        )
        facts = member_status.gather(session, who.project_id, [pool_id], [member])
    answer: MemberReply = {"member": member_view(member, facts), "request_id": request_id_of(request)}
    return reply(answer)


@router.delete(MEMBERS + "/{member_id}", status_code=204)
def delete_member(
    request: Request, pool_id: str, member_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        members.delete_member(session, project_id=who.project_id, pool_id=pool_id, member_id=member_id)
        load_balancer_id = lookups.pool(session, who.project_id, pool_id).loadbalancer_id
    wait_for_removal(request, load_balancer_id, f"Backend server {member_id} was")
    return no_content()


@router.post(MEMBERS + "/batch-add", response_model=BatchMemberReply)
def batch_create_members(
    request: Request, pool_id: str, body: BatchMemberCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        results, facts = members.batch_create_members(
            session, project_id=who.project_id, pool_id=pool_id, options=body.members, host=_host(request)
        )
    answer: BatchMemberReply = {
        "members": [batch_member_view(member, facts, status) for member, status in results],
        "request_id": request_id_of(request),
    }
    return reply(answer)


@router.post(MEMBERS + "/batch-update", response_model=BatchUpdatedReply)
def batch_update_members(
    request: Request, pool_id: str, body: BatchMemberUpdateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        updated = members.batch_update_members(
            session, project_id=who.project_id, pool_id=pool_id, options=body.members, host=_host(request)
        )
        facts = member_status.gather(session, who.project_id, [pool_id], updated)
    answer: BatchUpdatedReply = {"members": [batch_updated_member_view(member, facts) for member in updated], "request_id": request_id_of(request)}
    return reply(answer)


@router.post(MEMBERS + "/batch-delete", response_model=BatchDeletedReply)
def batch_delete_members(
    request: Request, pool_id: str, body: BatchMemberDeleteRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        results = members.batch_delete_members(session, project_id=who.project_id, pool_id=pool_id, options=body.members)
        load_balancer_id = lookups.pool(session, who.project_id, pool_id).loadbalancer_id
    wait_for_removal(request, load_balancer_id, "The backend servers were")
    answer: BatchDeletedReply = {
        "members": [{"id": member_id, "ret_status": status} for member_id, status in results],
        "request_id": request_id_of(request),
    }
    return reply(answer)
