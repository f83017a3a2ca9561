"""/v3/{project_id}/elb/ipgroups: IP address groups, their entries, and the listeners that use them."""

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from elbd.api.convergence import wait_for_access
from elbd.api.deps import authenticate, database
from elbd.api.listing import ListQuery, list_query
from elbd.api.replies import no_content, reply, request_id_of
from elbd.api.shapes.ipgroups import IpGroupListeners, IpGroupPage, IpGroupReply
from elbd.api.views.ipgroups import ip_group_view
from elbd.api.views.pages import page_info
from elbd.schemas.ipgroups import IpGroupCreateRequest, IpGroupUpdateRequest, IpListDeleteRequest, IpListUpdateRequest
from elbd.service import ipgroups, lookups
from elbd.service.identity import Principal
from elbd.store.db import Database, changed_so_far
from elbd.store.models import IpGroup

router = APIRouter(tags=["ip address groups"])
COLLECTION = "/v3/{project_id}/elb/ipgroups"
ONE = COLLECTION + "/{ipgroup_id}"
_list_query = list_query({name: list[str] for name in (*ipgroups.FILTER_COLUMNS, "ip_list")})


def _reply(request: Request, session: Session, group: IpGroup) -> IpGroupReply:
    return _answer(request, group, ipgroups.listeners_using(session, [group.id]))


def _answer(request: Request, group: IpGroup, users: dict[str, list[str]]) -> IpGroupReply:
    return {"ipgroup": ip_group_view(group, users), "request_id": request_id_of(request)}


@router.post(COLLECTION, status_code=201, response_model=IpGroupReply)
def create_ip_group(request: Request, body: IpGroupCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        group = ipgroups.create_ip_group(session, project_id=who.project_id, option=body.ipgroup)
        answer = _reply(request, session, group)
    return reply(answer, 201)


@router.get(COLLECTION, response_model=IpGroupPage)
def list_ip_groups(
    request: Request, query: ListQuery = Depends(_list_query), who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        page = ipgroups.list_ip_groups(session, project_id=who.project_id, filters=query.filters, page=query.page)
        users = ipgroups.listeners_using(session, [group.id for group in page.items])
    answer: IpGroupPage = {"ipgroups": [ip_group_view(group, users) for group in page.items], "page_info": page_info(page), "request_id": request_id_of(request)}
    return reply(answer)


@router.get(ONE, response_model=IpGroupReply)
def show_ip_group(request: Request, ipgroup_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        answer = _reply(request, session, lookups.ip_group(session, who.project_id, ipgroup_id))
    return reply(answer)


@router.put(ONE, response_model=IpGroupReply)
def update_ip_group(
    request: Request, ipgroup_id: str, body: IpGroupUpdateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    return _changed(request, db, ipgroup_id, lambda session: ipgroups.update_ip_group(
        session, project_id=who.project_id, group_id=ipgroup_id, option=body.ipgroup))


@router.post(ONE + "/iplist/create-or-update", response_model=IpGroupReply)
def add_or_update_entries(
    request: Request, ipgroup_id: str, body: IpListUpdateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    return _changed(request, db, ipgroup_id, lambda session: ipgroups.add_or_update_entries(
        session, project_id=who.project_id, group_id=ipgroup_id, option=body.ipgroup))


@router.post(ONE + "/iplist/batch-delete", response_model=IpGroupReply)
def delete_entries(
    request: Request, ipgroup_id: str, body: IpListDeleteRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    return _changed(request, db, ipgroup_id, lambda session: ipgroups.delete_entries(
        session, project_id=who.project_id, group_id=ipgroup_id, ips=[entry.ip for entry in body.ipgroup.ip_list]))


@router.get(ONE + "/related-listeners", response_model=IpGroupListeners)
def related_listeners(request: Request, ipgroup_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        group = lookups.ip_group(session, who.project_id, ipgroup_id)
        users = ipgroups.listeners_using(session, [group.id]).get(group.id, [])
    answer: IpGroupListeners = {"listeners": [{"id": listener_id} for listener_id in users], "request_id": request_id_of(request)}
    return reply(answer)


@router.delete(ONE, status_code=204)
def delete_ip_group(ipgroup_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        ipgroups.delete_ip_group(session, project_id=who.project_id, group_id=ipgroup_id)
    return no_content()


def _changed(request: Request, db: Database, ipgroup_id: str, change: Callable[[Session], IpGroup]) -> Response:
    """A change of a group, answered once every listener that uses it serves it. The answer (a view and
    JSON of up to thousands of entries) is made after the commit, while the data plane applies it."""
    with db.write() as session:
        group = change(session)
        users = ipgroups.listeners_using(session, [group.id])
        changed = changed_so_far(session)
    response = reply(_answer(request, group, users))
    wait_for_access(request, changed, f"IP address group {ipgroup_id} was")
    return response
