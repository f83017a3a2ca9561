"""Flavors: elbd's fixed catalogue of L4 and L7 flavors, and the rules of naming them. Pure.

A load balancer names at most one of each (`l4_flavor_id`, `l7_flavor_id`); the data plane enforces
a flavor's limits on the listeners of its kind, all of them together: the L4 flavor on TCP and TLS
listeners, the L7 flavor on HTTP and HTTPS ones (see dataplane/render.py, `flavor_limit_lines`). A
load balancer without a flavor of a kind has no limit there beyond its listeners' own.

What a flavor promises is what elbd enforces, and nothing else: concurrent connections, new
connections per second and (L7) requests per second. HAProxy 2.6 cannot shape bandwidth, so no flavor
reports one (the SDK's `FlavorInfo.bandwidth` is optional); nginx's stream side (UDP listeners)
enforces none of them, so an L4 flavor and UDP listeners never meet on one load balancer.

The ids are fixed (uuid5 of the names): they never change between versions or hosts.
"""

from dataclasses import dataclass

from elbd.errors import invalid

L4 = "L4"
L7 = "L7"
L4_LISTENERS = ("TCP", "TLS")  # the listeners an L4 flavor limits
L7_LISTENERS = ("HTTP", "HTTPS")  # the listeners an L7 flavor limits
UNLIMITED_LISTENERS = ("UDP",)  # listeners no flavor can limit: an L4 flavor refuses them


@dataclass(frozen=True)
class Flavor:
    id: str
    name: str
    type: str  # L4 or L7
    connection: int  # concurrent connections, the load balancer's listeners of this kind together
    cps: int  # new connections per second, together
    qps: int | None = None  # HTTP requests per second, together (L7 only)


CATALOGUE: tuple[Flavor, ...] = (
    Flavor("918cefbb-d0dc-573f-babd-913706d82b55", "L4_flavor.elb.s1.small", L4, connection=200, cps=50),
    Flavor("f6a53b8b-971d-58d3-9e4b-f709f5700842", "L4_flavor.elb.s1.medium", L4, connection=2_000, cps=500),
    Flavor("ea581922-41ca-5f21-870e-d61295541014", "L4_flavor.elb.s1.large", L4, connection=20_000, cps=5_000),
    Flavor("c97198ca-3c76-5fd8-94f5-5fa01e576df3", "L7_flavor.elb.s1.small", L7, connection=200, cps=50, qps=100),
    Flavor("f5e14c19-5af2-5027-abc7-2da27d6fa9a7", "L7_flavor.elb.s1.medium", L7, connection=2_000, cps=500, qps=1_000),
    Flavor("8fe1212e-ba0a-5190-88e7-876c58e438e2", "L7_flavor.elb.s1.large", L7, connection=20_000, cps=5_000, qps=10_000),
)
_BY_ID = {flavor.id: flavor for flavor in CATALOGUE}


def flavor(flavor_id: str | None) -> Flavor | None:
    """The catalogue's flavor of that id; None for None or an id it does not hold."""
    return _BY_ID.get(flavor_id) if flavor_id else None


def checked(field: str, flavor_id: str | None) -> str | None:
    """The id given as `field` (l4_flavor_id or l7_flavor_id), once it names a flavor of that field's
    kind; None (no flavor) for null or "". A 400 otherwise."""
    if not flavor_id:
        return None
    kind = L4 if field == "l4_flavor_id" else L7
    found = flavor(flavor_id)
    if found is None:
        raise invalid(f"Invalid input for '{field}': {flavor_id} is not a flavor (GET /v3/{{project_id}}/elb/flavors lists them).")
    if found.type != kind:
        raise invalid(f"Invalid input for '{field}': {found.name} is an {found.type} flavor; {field} takes an {kind} one.")
    return found.id


def refuse_unlimited_listeners(l4_flavor_id: str | None, listener_protocols: set[str]) -> None:
    """An L4 flavor limits every L4 listener of its load balancer, and elbd cannot limit UDP ones:
    the two never meet (a 400 for whichever comes second)."""
    if flavor(l4_flavor_id) is not None and listener_protocols.intersection(UNLIMITED_LISTENERS):
        raise invalid(
            "Invalid input for 'l4_flavor_id': elbd does not enforce a flavor's limits on UDP listeners, "
            "so a load balancer with an L4 flavor has no UDP listener; leave l4_flavor_id out, or the UDP listeners."
        )
