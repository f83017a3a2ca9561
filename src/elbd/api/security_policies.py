"""/v3/{project_id}/elb/security-policies (a project's own) and /system-security-policies (everyone's)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from elbd.api.deps import authenticate, database
from elbd.api.listing import ListQuery, list_query
from elbd.api.replies import no_content, reply, request_id_of
from elbd.api.shapes.security_policies import SecurityPolicyPage, SecurityPolicyReply, SystemSecurityPolicyList
from elbd.api.views.pages import page_info
from elbd.api.views.security_policies import security_policy_view, system_security_policy_view
from elbd.schemas.security_policies import SecurityPolicyCreateRequest, SecurityPolicyUpdateRequest
from elbd.service import lookups, security_policies
from elbd.service.identity import Principal
from elbd.store.db import Database
from elbd.tls_policies import SYSTEM_POLICIES

router = APIRouter(tags=["security policies"])
_list_query = list_query({name: list[str] for name in (*security_policies.FILTER_COLUMNS, *security_policies.LIST_FILTERS)})


@router.post("/v3/{project_id}/elb/security-policies", status_code=201, response_model=SecurityPolicyReply)
def create_security_policy(
    request: Request, body: SecurityPolicyCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        policy = security_policies.create_security_policy(session, project_id=who.project_id, option=body.security_policy)
    answer: SecurityPolicyReply = {"security_policy": security_policy_view(policy, {}), "request_id": request_id_of(request)}
    return reply(answer, 201)


@router.get("/v3/{project_id}/elb/security-policies", response_model=SecurityPolicyPage)
def list_security_policies(
    request: Request, query: ListQuery = Depends(_list_query), who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        page = security_policies.list_security_policies(session, project_id=who.project_id, filters=query.filters, page=query.page)
        users = security_policies.listeners_using(session, [policy.id for policy in page.items])
    answer: SecurityPolicyPage = {
        "security_policies": [security_policy_view(policy, users) for policy in page.items],
        "page_info": page_info(page),
        "request_id": request_id_of(request),
    }
    return reply(answer)


@router.get("/v3/{project_id}/elb/security-policies/{security_policy_id}", response_model=SecurityPolicyReply)
def show_security_policy(
    request: Request, security_policy_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        policy = lookups.security_policy(session, who.project_id, security_policy_id)
        users = security_policies.listeners_using(session, [policy.id])
    answer: SecurityPolicyReply = {"security_policy": security_policy_view(policy, users), "request_id": request_id_of(request)}
    return reply(answer)


@router.put("/v3/{project_id}/elb/security-policies/{security_policy_id}", response_model=SecurityPolicyReply)
def update_security_policy(
    request: Request,
    security_policy_id: str,
    body: SecurityPolicyUpdateRequest,
    who: Principal = Depends(authenticate),
    db: Database = Depends(database),
) -> Response:
    with db.write() as session:
        policy = security_policies.update_security_policy(
            session, project_id=who.project_id, policy_id=security_policy_id, option=body.security_policy
        )
        users = security_policies.listeners_using(session, [policy.id])
    answer: SecurityPolicyReply = {"security_policy": security_policy_view(policy, users), "request_id": request_id_of(request)}
    return reply(answer)


@router.delete("/v3/{project_id}/elb/security-policies/{security_policy_id}", status_code=204)
def delete_security_policy(security_policy_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        security_policies.delete_security_policy(session, project_id=who.project_id, policy_id=security_policy_id)
    return no_content()


@router.get("/v3/{project_id}/elb/system-security-policies", response_model=SystemSecurityPolicyList)
def list_system_security_policies(request: Request, who: Principal = Depends(authenticate)) -> Response:
    answer: SystemSecurityPolicyList = {
        "system_security_policies": [system_security_policy_view(policy, who.project_id) for policy in SYSTEM_POLICIES.values()],
        "request_id": request_id_of(request),
    }
    return reply(answer)
