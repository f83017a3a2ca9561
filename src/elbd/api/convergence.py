"""Removals answer only once the data plane applied them: after a member's DELETE returns, it takes
no new request. (Additions and other changes converge right after their answer.)"""

from fastapi import Request

REMOVAL_WAIT_S = 5.0


def wait_for_removal(request: Request, load_balancer_id: str | None) -> None:
    if load_balancer_id:
        request.app.state.dataplane.wait_until_applied({load_balancer_id}, REMOVAL_WAIT_S)
