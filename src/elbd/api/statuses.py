"""GET /v3/{project_id}/elb/loadbalancers/{loadbalancer_id}/statuses: the whole status tree, data plane included."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from elbd.api.deps import authenticate, database
from elbd.api.replies import reply, request_id_of
from elbd.api.shapes.statuses import StatusReply
from elbd.api.views.statuses import status_tree
from elbd.service import statuses
from elbd.service.identity import Principal
from elbd.store.db import Database

router = APIRouter(tags=["load balancers"])


@router.get("/v3/{project_id}/elb/loadbalancers/{loadbalancer_id}/statuses", response_model=StatusReply)
def show_load_balancer_status(
    request: Request, loadbalancer_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        facts = statuses.status_facts(session, who.project_id, loadbalancer_id)
    answer: StatusReply = {"statuses": status_tree(facts), "request_id": request_id_of(request)}
    return reply(answer)
