"""GET /v3/{project_id}/elb/pools/{pool_id}/elbd-member-traffic: an elbd extension (no ELB client calls
it) giving a tenant its own members' traffic, which the operator's /metrics endpoint (all projects, no
credentials, its own address) cannot. Read from the pool's HAProxy at each call; a pool whose load
balancer has no running HAProxy (no data plane, a UDP pool served by nginx) answers an empty list.
Another project's pool is as absent as a missing one."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from elbd.api.deps import authenticate, database
from elbd.api.replies import reply, request_id_of
from elbd.api.shapes.member_traffic import MemberTraffic, MemberTrafficReply
from elbd.dataplane.haproxy_engine import process_for
from elbd.dataplane.runtime_commands import ShowStat
from elbd.metrics.haproxy_stats import member_traffic
from elbd.service import lookups
from elbd.service.identity import Principal
from elbd.store.db import Database

router = APIRouter(tags=["members"])


@router.get(
    "/v3/{project_id}/elb/pools/{pool_id}/elbd-member-traffic",
    response_model=MemberTrafficReply,
    summary="elbd extension: the pool's members' traffic counters, read from the data plane now",
)
def show_member_traffic(
    request: Request, pool_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        load_balancer_id = lookups.pool(session, who.project_id, pool_id).loadbalancer_id
    text = ""
    if load_balancer_id is not None:
        try:
            text = process_for(request.app.state.settings.data_dir, load_balancer_id).runtime(ShowStat(pool_id))
        except OSError:  # no HAProxy runs for it (yet, or no data plane): no traffic to show
            text = ""
    answer: MemberTrafficReply = {
        "pool_id": pool_id,
        "member_traffic": [
            MemberTraffic(
                member_id=one.member_id, sessions_current=one.sessions_current, sessions_total=one.sessions_total,
                bytes_in=one.bytes_in, bytes_out=one.bytes_out, connection_errors=one.connection_errors,
                response_errors=one.response_errors,
            )
            for one in member_traffic(text, pool_id)
        ],
        "request_id": request_id_of(request),
    }
    return reply(answer)
