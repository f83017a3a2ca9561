"""Removals answer only once the data plane applied them: after a member's DELETE returns, it takes
no new request. (Additions and other changes converge right after their answer.)

The wait lasts as long as the data plane takes, up to REMOVAL_WAIT_S; a removal it could not confirm
(the apply failed, or the time ran out) is a 503 that says so, never a plain 204."""

from fastapi import Request

from elbd.errors import ElbError

REMOVAL_WAIT_S = 30.0


def wait_for_removal(request: Request, load_balancer_id: str | None, what: str) -> None:
    if load_balancer_id and not request.app.state.dataplane.wait_until_applied({load_balancer_id}, REMOVAL_WAIT_S):
        raise ElbError(
            503,
            "ELB.8906",
            f"{what} deleted, but the data plane of load balancer {load_balancer_id} has not confirmed that it takes no "
            f"more requests; GET .../loadbalancers/{load_balancer_id}/statuses shows why.",
        )
