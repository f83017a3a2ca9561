"""Some answers wait for the data plane: a removal (after a member's DELETE, or a cascade or force
delete, returns, what it removed takes no new request), a certificate's renewal (handshakes after the PUT's 200 get the new certificate), a change
of forwarding policies or rules (a policy whose answer says ACTIVE routes the next request, as
Terraform, which polls for ACTIVE, expects) and a change of IP address groups or of a listener's
access control (the next connection is admitted or refused by it), and a log tank's creation or
deletion (the next request is logged, or not). Other changes converge right after
their answer.

The wait lasts as long as the data plane takes, up to REMOVAL_WAIT_S; what it could not confirm (the
apply failed, or the time ran out) is a 503 that says so, never a plain success."""

from fastapi import Request

from elbd.errors import ElbError

REMOVAL_WAIT_S = 30.0


def _confirmed(request: Request, load_balancer_ids: set[str], unconfirmed: str) -> None:
    """Returns once the data plane applied every change told so far for these load balancers; a 503
    saying `unconfirmed` when an apply failed or the time ran out."""
    if load_balancer_ids and not request.app.state.dataplane.wait_until_applied(load_balancer_ids, REMOVAL_WAIT_S):
        raise ElbError(503, "ELB.8906", f"{unconfirmed}; GET .../loadbalancers/{{id}}/statuses shows why.")


def wait_for_renewal(request: Request, load_balancer_ids: list[str], certificate_id: str) -> None:
    _confirmed(request, set(load_balancer_ids), f"Certificate {certificate_id} was updated, but the data plane has not confirmed that every "
               f"listener presenting it serves the new one (load balancers {', '.join(load_balancer_ids)})")


def wait_for_removal(request: Request, load_balancer_id: str | None, what: str) -> None:
    _confirmed(request, {load_balancer_id} if load_balancer_id else set(),
               f"{what} deleted, but the data plane of load balancer {load_balancer_id} has not confirmed that it takes no more requests")


def wait_for_removals(request: Request, load_balancer_ids: frozenset[str], what: str) -> None:
    _confirmed(request, set(load_balancer_ids), f"{what} deleted, but the data plane of load balancer "
               f"{', '.join(sorted(load_balancer_ids))} has not confirmed that it takes no more requests for it")


def wait_for_forwarding(request: Request, load_balancer_ids: frozenset[str], what: str) -> None:
    _confirmed(request, set(load_balancer_ids), f"{what} saved, but the data plane of load balancer "
               f"{', '.join(sorted(load_balancer_ids))} has not confirmed that it forwards by it")


def wait_for_access(request: Request, load_balancer_ids: frozenset[str], what: str) -> None:
    _confirmed(request, set(load_balancer_ids), f"{what} saved, but the data plane of load balancer "
               f"{', '.join(sorted(load_balancer_ids))} has not confirmed that it admits clients by it")


def wait_for_logging(request: Request, load_balancer_id: str, logging: bool) -> None:
    state = "logs" if logging else "no longer logs"
    _confirmed(request, {load_balancer_id}, f"Log tank saved, but the data plane of load balancer {load_balancer_id} has not confirmed that it {state} its traffic")
