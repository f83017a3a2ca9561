"""Some answers wait for the data plane: a removal (after a member's DELETE returns, it takes no new
request), a certificate's renewal (handshakes after the PUT's 200 get the new certificate) and a
change of forwarding policies or rules (a policy whose answer says ACTIVE routes the next request, as
Terraform, which polls for ACTIVE, expects). Other changes converge right after their answer.

The wait lasts as long as the data plane takes, up to REMOVAL_WAIT_S; what it could not confirm (the
apply failed, or the time ran out) is a 503 that says so, never a plain success."""

from fastapi import Request

from elbd.errors import ElbError

REMOVAL_WAIT_S = 30.0


def wait_for_renewal(request: Request, load_balancer_ids: list[str], certificate_id: str) -> None:
    if load_balancer_ids and not request.app.state.dataplane.wait_until_applied(set(load_balancer_ids), REMOVAL_WAIT_S):
        raise ElbError(
            503,
            "ELB.8906",
            f"Certificate {certificate_id} was updated, but the data plane has not confirmed that every listener presenting it "
            f"serves the new one (load balancers {', '.join(load_balancer_ids)}); GET .../loadbalancers/{{id}}/statuses shows why.",
        )


def wait_for_removal(request: Request, load_balancer_id: str | None, what: str) -> None:
    if load_balancer_id and not request.app.state.dataplane.wait_until_applied({load_balancer_id}, REMOVAL_WAIT_S):
        raise ElbError(
            503,
            "ELB.8906",
            f"{what} deleted, but the data plane of load balancer {load_balancer_id} has not confirmed that it takes no "
            f"more requests; GET .../loadbalancers/{load_balancer_id}/statuses shows why.",
        )


def wait_for_forwarding(request: Request, load_balancer_ids: frozenset[str], what: str) -> None:
    if load_balancer_ids and not request.app.state.dataplane.wait_until_applied(set(load_balancer_ids), REMOVAL_WAIT_S):
        raise ElbError(
            503,
            "ELB.8906",
            f"{what} saved, but the data plane of load balancer {', '.join(sorted(load_balancer_ids))} has not confirmed that it "
            "forwards by it; GET .../loadbalancers/{id}/statuses shows why.",
        )
