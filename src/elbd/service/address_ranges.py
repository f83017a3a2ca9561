"""Where VPCs, subnets, VIPs and backend servers may be: the address plan of one elbd host.

Every load balancer's HAProxy binds in the host's one network namespace, so an address a tenant names
is an address of the host, not of an isolated network:

- VPC CIDRs (and so subnets, VIPs and subnet-bound members) lie in the served ranges: the private
  IPv4 ranges a private cloud uses (RFC 1918, 100.64.0.0/10), 127.0.0.0/8 (the embedded default serves
  VIPs and backends on loopback with no setup), 198.18.0.0/15 (networks of test hosts), and IPv6
  unique-local fc00::/7. Never the unspecified address, never a public address.
- 127.0.0.0/16 belongs to the host itself (127.0.0.1 localhost, 127.0.0.53 the resolver, 127.0.1.1 the
  host name, where elbd's API, its database and the host's other services listen): no subnet may
  overlap it and no member may be in it, so no VIP can race a host service for its port and no load
  balancer can relay to one.
- IP-as-a-backend members (no subnet) take an IPv4 address of the served ranges outside the host's own.
- elbd's API endpoint is the host's too (see ApiEndpoint).
"""

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Network

from elbd.canonical_ip import IPAddress, IPNetwork

SERVED_RANGES: tuple[IPNetwork, ...] = (
    IPv4Network("10.0.0.0/8"),
    IPv4Network("172.16.0.0/12"),
    IPv4Network("192.168.0.0/16"),
    IPv4Network("100.64.0.0/10"),
    IPv4Network("127.0.0.0/8"),
    IPv4Network("198.18.0.0/15"),
    IPv6Network("fc00::/7"),
)
HOST_OWN = IPv4Network("127.0.0.0/16")
SERVED_TEXT = ", ".join(str(network) for network in SERVED_RANGES)


def _in_served(candidate: IPNetwork) -> bool:
    return any(candidate.version == served.version and candidate.subnet_of(served) for served in SERVED_RANGES)  # type: ignore[arg-type]


def vpc_refusal(network: IPNetwork) -> str | None:
    """Why a VPC cannot have this CIDR, or None."""
    if not _in_served(network):
        return f"{network} is not inside the ranges elbd serves ({SERVED_TEXT})"
    return None


def subnet_refusal(network: IPNetwork) -> str | None:
    """Why a subnet (IPv4 or IPv6) cannot have this CIDR, or None."""
    if not _in_served(network):
        return f"{network} is not inside the ranges elbd serves ({SERVED_TEXT})"
    if network.version == 4 and network.overlaps(HOST_OWN):
        return f"{network} overlaps {HOST_OWN}, which belongs to the host's own services"
    return None


def plan_refusal(address: IPAddress) -> str | None:
    """Why no VIP and no member may be at this address by the address plan, or None (other rules still
    apply). Subnets created by this plan hold only such addresses; this also holds for older ones."""
    if isinstance(address, IPv4Address) and address in HOST_OWN:
        return f"in {HOST_OWN}, which belongs to the host's own services"
    if not _in_served(IPv4Network(address) if isinstance(address, IPv4Address) else IPv6Network(address)):
        return f"outside the ranges elbd serves ({SERVED_TEXT})"
    return None


@dataclass(frozen=True)
class ApiEndpoint:
    """Where elbd's own API listens (`elbd serve --host --port`): no listener and no member may take it.
    In the embedded default the API is on 127.0.0.1, inside HOST_OWN already."""

    address: IPAddress | None = None
    port: int | None = None

    def taken_by_listener(self, vip: IPAddress, port: int) -> bool:
        """A listener on `vip:port` would race the API for its socket: on the API's address, or on any
        address when the API listens on all of them."""
        return self.address is not None and port == self.port and (self.address.is_unspecified or vip == self.address)

    def taken_by_backend(self, address: IPAddress, port: int) -> bool:
        """A member at `address:port` would make a load balancer a relay to the API."""
        if self.address is None or port != self.port:
            return False
        return address == self.address or (self.address.is_unspecified and address.is_loopback)


@dataclass(frozen=True)
class Host:
    """What the rules know of the host elbd runs on: its availability zones, its API's endpoint, and
    whether a data plane binds VIPs on it (not with ELBD_DATAPLANE=none, the API only: then no VIP is
    served, by the operator's choice, and none is refused for it; nor on an API replica of a cluster,
    whose nodes put the VIPs on their own interfaces)."""

    zones: tuple[str, ...]
    api: ApiEndpoint = ApiEndpoint()
    binds_vips: bool = False
