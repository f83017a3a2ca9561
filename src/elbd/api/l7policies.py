"""/v3/{project_id}/elb/l7policies, their rules, every rule of the project, and the batch priority update."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from elbd.api.convergence import wait_for_forwarding
from elbd.api.deps import authenticate, database
from elbd.api.listing import ListQuery, list_query
from elbd.api.replies import no_content, reply, request_id_of
from elbd.api.shapes.l7policies import L7PolicyPage, L7PolicyReply, L7RulePage, L7RuleReply, PrioritiesReply
from elbd.api.views.l7policies import policy_view, rule_view
from elbd.api.views.pages import page_info
from elbd.schemas.l7policies import L7PolicyCreateRequest, L7PolicyUpdateRequest, L7PrioritiesRequest, L7RuleCreateRequest, L7RuleUpdateRequest
from elbd.service import l7policies, l7rules, lookups
from elbd.service.identity import Principal
from elbd.store.db import Database, changed_so_far
from elbd.store.models import L7Policy

router = APIRouter(tags=["l7policies"])
COLLECTION = "/v3/{project_id}/elb/l7policies"
POLICY = COLLECTION + "/{l7policy_id}"
_POLICY_FILTERS: dict[str, object] = {name: list[str] for name in l7policies.FILTER_COLUMNS}
_POLICY_FILTERS.update(
    admin_state_up=bool, position=list[int], priority=list[int], enterprise_project_id=list[str], redirect_url=list[str], display_all_rules=bool
)
_policy_query = list_query(_POLICY_FILTERS)
_RULE_FILTERS: dict[str, object] = {name: list[str] for name in (*l7rules.FILTER_COLUMNS, "provisioning_status", "enterprise_project_id")}
_RULE_FILTERS.update(admin_state_up=bool, invert=bool)
_all_rules_query = list_query(_RULE_FILTERS)
_rules_query = list_query({name: kind for name, kind in _RULE_FILTERS.items() if name != "l7policy_id"})


def _policy_reply(request: Request, session: Session, policy: L7Policy) -> L7PolicyReply:
    return {"l7policy": policy_view(policy, l7rules.rules_of(session, policy.id)), "request_id": request_id_of(request)}


@router.post(COLLECTION + "/batch-update-priority", response_model=PrioritiesReply)
def update_priorities(request: Request, body: L7PrioritiesRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        l7policies.update_priorities(session, project_id=who.project_id, changes=body.l7policies)
        changed = changed_so_far(session)
    wait_for_forwarding(request, changed, "The priorities were")
    answer: PrioritiesReply = {"request_id": request_id_of(request)}
    return reply(answer)


@router.get(COLLECTION + "/rules", response_model=L7RulePage)
def list_all_rules(
    request: Request, query: ListQuery = Depends(_all_rules_query), who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        page = l7rules.list_rules(session, project_id=who.project_id, filters=query.filters, page=query.page)
    answer: L7RulePage = {"rules": [rule_view(rule) for rule in page.items], "page_info": page_info(page), "request_id": request_id_of(request)}
    return reply(answer)


@router.post(COLLECTION, status_code=201, response_model=L7PolicyReply)
def create_policy(request: Request, body: L7PolicyCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        policy = l7policies.create_policy(session, project_id=who.project_id, option=body.l7policy)
        answer = _policy_reply(request, session, policy)
        changed = changed_so_far(session)
    wait_for_forwarding(request, changed, f"Forwarding policy {policy.id} was")
    return reply(answer, 201)


@router.get(COLLECTION, response_model=L7PolicyPage)
def list_policies(
    request: Request, query: ListQuery = Depends(_policy_query), who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    whole_rules = bool(query.filters.get("display_all_rules"))
    with db.read() as session:
        page = l7policies.list_policies(session, project_id=who.project_id, filters=query.filters, page=query.page)
        rules = l7rules.rules_by_policy(session, [policy.id for policy in page.items])
    answer: L7PolicyPage = {
        "l7policies": [policy_view(policy, rules[policy.id], whole_rules) for policy in page.items],
        "page_info": page_info(page),
        "request_id": request_id_of(request),
    }
    return reply(answer)


@router.get(POLICY, response_model=L7PolicyReply)
def show_policy(request: Request, l7policy_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        answer = _policy_reply(request, session, lookups.l7policy(session, who.project_id, l7policy_id))
    return reply(answer)


@router.put(POLICY, response_model=L7PolicyReply)
def update_policy(
    request: Request, l7policy_id: str, body: L7PolicyUpdateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        policy = l7policies.update_policy(session, project_id=who.project_id, policy_id=l7policy_id, option=body.l7policy)
        answer = _policy_reply(request, session, policy)
        changed = changed_so_far(session)
    wait_for_forwarding(request, changed, f"Forwarding policy {l7policy_id} was")
    return reply(answer)


@router.delete(POLICY, status_code=204)
def delete_policy(request: Request, l7policy_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        l7policies.delete_policy(session, project_id=who.project_id, policy_id=l7policy_id)
        changed = changed_so_far(session)
    wait_for_forwarding(request, changed, f"The deletion of forwarding policy {l7policy_id} was")
    return no_content()


@router.post(POLICY + "/rules", status_code=201, response_model=L7RuleReply)
def create_rule(
    request: Request, l7policy_id: str, body: L7RuleCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        rule = l7rules.create_rule(session, project_id=who.project_id, policy_id=l7policy_id, option=body.rule)
        answer: L7RuleReply = {"rule": rule_view(rule), "request_id": request_id_of(request)}
        changed = changed_so_far(session)
    wait_for_forwarding(request, changed, f"Forwarding rule {rule.id} was")
    return reply(answer, 201)


@router.get(POLICY + "/rules", response_model=L7RulePage)
def list_rules(
    request: Request, l7policy_id: str, query: ListQuery = Depends(_rules_query), who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        page = l7rules.list_rules(session, project_id=who.project_id, filters=query.filters, page=query.page, policy_id=l7policy_id)
    answer: L7RulePage = {"rules": [rule_view(rule) for rule in page.items], "page_info": page_info(page), "request_id": request_id_of(request)}
    return reply(answer)


@router.get(POLICY + "/rules/{l7rule_id}", response_model=L7RuleReply)
def show_rule(request: Request, l7policy_id: str, l7rule_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        policy = lookups.l7policy(session, who.project_id, l7policy_id)
        answer: L7RuleReply = {"rule": rule_view(lookups.l7rule(session, who.project_id, policy.id, l7rule_id)), "request_id": request_id_of(request)}
    return reply(answer)


@router.put(POLICY + "/rules/{l7rule_id}", response_model=L7RuleReply)
def update_rule(
    request: Request, l7policy_id: str, l7rule_id: str, body: L7RuleUpdateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.write() as session:
        rule = l7rules.update_rule(session, project_id=who.project_id, policy_id=l7policy_id, rule_id=l7rule_id, option=body.rule)
        answer: L7RuleReply = {"rule": rule_view(rule), "request_id": request_id_of(request)}
        changed = changed_so_far(session)
    wait_for_forwarding(request, changed, f"Forwarding rule {l7rule_id} was")
    return reply(answer)


@router.delete(POLICY + "/rules/{l7rule_id}", status_code=204)
def delete_rule(request: Request, l7policy_id: str, l7rule_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        l7rules.delete_rule(session, project_id=who.project_id, policy_id=l7policy_id, rule_id=l7rule_id)
        changed = changed_so_far(session)
    wait_for_forwarding(request, changed, f"The deletion of forwarding rule {l7rule_id} was")
    return no_content()
