"""IP address facts: parsing, which addresses may be backends, and who holds which address.

Addresses are unique on the host, not per subnet: every load balancer binds in the host's one network
namespace, so a VIP another project holds is taken here too. What another project holds is never
named: a refusal says only that the address is not available.

A load balancer in the recycle bin (service/recycle_bin.py) still holds its VIPs, until it is restored
or purged: another load balancer or a backend server taking one would make the restore impossible."""

from collections.abc import Iterator
from typing import Literal, overload
from itertools import islice
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from sqlalchemy import ColumnElement, bindparam, or_, select, union_all
from sqlalchemy.orm import Session

from elbd import clock

from elbd.canonical_ip import IPAddress, IPNetwork, NotCanonical, canonical_address, canonical_network
from elbd.errors import conflict, invalid
from elbd.service.address_ranges import ApiEndpoint, plan_refusal
from elbd.store.models import InstanceNic, LoadBalancer, Member, RecycledLoadBalancer, Subnet

THIS_NETWORK = IPv4Network("0.0.0.0/8")
LIMITED_BROADCAST = IPv4Address("255.255.255.255")
IPV4_COMPATIBLE = IPv6Network("::/96")
NAT64 = IPv6Network("64:ff9b::/96")
VIP_CANDIDATES_PER_QUERY = 256


def parse_address(value: str, field: str = "address") -> IPAddress:
    try:
        return canonical_address(value)
    except NotCanonical as error:
        raise invalid(f"Invalid input for '{field}': {error}.") from None


@overload
def parse_network(value: str, field: str, version: Literal[4]) -> IPv4Network: ...
@overload
def parse_network(value: str, field: str, version: Literal[6]) -> IPv6Network: ...
def parse_network(value: str, field: str, version: Literal[4, 6]) -> IPNetwork:
    try:
        network = canonical_network(value)
    except NotCanonical as error:
        raise invalid(f"Invalid input for '{field}': {error}.") from None
    if network.version != version:
        raise invalid(f"Invalid input for '{field}': {value!r} is not an IPv{version} CIDR.")
    return network


def unavailable(address: IPAddress | str) -> str:
    """The refusal for an address another project holds: it does not say what holds it."""
    return f"IP address {address} is not available."


def never_a_backend(address: IPAddress) -> str | None:
    """Why an address can never be a backend, or None: a member there would make the load balancer a relay
    to a place it must not reach (itself, every host, the cloud's metadata service, nowhere)."""
    if isinstance(address, IPv4Address):
        return _never_an_ipv4_backend(address)
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_loopback:
        return "the IPv6 loopback address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_link_local:
        return "a link-local address"
    for kind, embedded in _embedded_ipv4(address):
        reason = _never_an_ipv4_backend(embedded) or ("a loopback address" if embedded.is_loopback else None)
        if reason:
            return f"{kind} address of {embedded} ({reason})"
    if address.ipv4_mapped is not None:
        return f"an IPv4-mapped address (it reaches {address.ipv4_mapped} over IPv4: give that address itself)"
    if address in IPV4_COMPATIBLE:
        return "an IPv4-compatible address (deprecated by RFC 4291)"
    return None


def _never_an_ipv4_backend(address: IPv4Address) -> str | None:
    if address.is_unspecified:
        return "the unspecified address"
    if address in THIS_NETWORK:
        return "an address of 0.0.0.0/8 (\"this network\", never a destination)"
    if address == LIMITED_BROADCAST:
        return "the broadcast address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_reserved:
        return "a reserved address (240.0.0.0/4)"
    return None


def _embedded_ipv4(address: IPv6Address) -> list[tuple[str, IPv4Address]]:
    """The IPv4 addresses a relay or translator would reach for this IPv6 address."""
    last_32_bits = IPv4Address(int(address) & 0xFFFFFFFF)
    found = []
    if address.ipv4_mapped is not None:
        found.append(("an IPv4-mapped", address.ipv4_mapped))
    if address in IPV4_COMPATIBLE:
        found.append(("an IPv4-compatible", last_32_bits))
    if address in NAT64:
        found.append(("a NAT64", last_32_bits))
    if address.sixtofour is not None:
        found.append(("a 6to4", address.sixtofour))
    if address.teredo is not None:
        server, client = address.teredo
        found += [("a Teredo", server), ("a Teredo", client)]
    return found


# One statement for both places a VIP is held (part of the member create's one statement of address facts,
# service/members.py): a load balancer, live or in the recycle bin. No address is held by both (the bin's
# VIPs count as taken). Parameters: address, now.
VIP_HOLDER = union_all(
    select(LoadBalancer.id, LoadBalancer.project_id).where(
        or_(LoadBalancer.vip_address == bindparam("address"), LoadBalancer.ipv6_vip_address == bindparam("address"))
    ),
    select(RecycledLoadBalancer.id, RecycledLoadBalancer.project_id).where(
        or_(RecycledLoadBalancer.vip_address == bindparam("address"), RecycledLoadBalancer.ipv6_vip_address == bindparam("address")),
        RecycledLoadBalancer.auto_terminate_at > bindparam("now"),
    ),
).limit(1)


def held_in_bin() -> ColumnElement[bool]:
    """The recycle bin's entries that still hold their VIPs: one past its time is gone, purged yet or
    not (recycle_policy.expired)."""
    return RecycledLoadBalancer.auto_terminate_at > clock.utcnow()


def vip_holder(session: Session, address: IPAddress | str) -> tuple[str, str] | None:
    """(load balancer id, project id) of the load balancer whose VIP `address` is, in any project,
    live or in the recycle bin."""
    holder = session.connection().execute(VIP_HOLDER, {"address": str(address), "now": clock.utcnow()}).first()
    return (holder.id, holder.project_id) if holder is not None else None


def ipv4_network(subnet: Subnet) -> IPv4Network:
    return IPv4Network(subnet.cidr)


def ipv6_network(subnet: Subnet) -> IPv6Network | None:
    return IPv6Network(subnet.cidr_v6) if subnet.cidr_v6 else None


def usable_host(network: IPNetwork, address: IPAddress) -> bool:
    """Inside the network and neither its network nor (IPv4) its broadcast address."""
    if address not in network:
        return False
    if network.prefixlen >= network.max_prefixlen - 1:
        return True
    return address != network.network_address and (network.version == 6 or address != network.broadcast_address)


def holders(session: Session, subnet: Subnet, address: str) -> str | None:
    """What already holds `address` in `subnet`: a gateway, a load balancer VIP or an instance, or None."""
    if address in (subnet.gateway_ip, subnet.gateway_ip_v6):
        return "the subnet's gateway"
    lb = session.scalars(
        select(LoadBalancer.id).where(
            or_(
                (LoadBalancer.vip_subnet_cidr_id == subnet.neutron_subnet_id) & (LoadBalancer.vip_address == address),
                (LoadBalancer.ipv6_vip_virsubnet_id == subnet.id) & (LoadBalancer.ipv6_vip_address == address),
            )
        )
    ).first()
    if lb:
        return f"load balancer {lb}"
    recycled = session.scalars(
        select(RecycledLoadBalancer.id).where(
            or_(
                (RecycledLoadBalancer.vip_subnet_cidr_id == subnet.neutron_subnet_id) & (RecycledLoadBalancer.vip_address == address),
                (RecycledLoadBalancer.ipv6_vip_virsubnet_id == subnet.id) & (RecycledLoadBalancer.ipv6_vip_address == address),
            ),
            held_in_bin(),
        )
    ).first()
    if recycled:
        return f"load balancer {recycled} (in the recycle bin)"
    instance = session.scalars(
        select(InstanceNic.instance_id).where(InstanceNic.subnet_id == subnet.id, InstanceNic.ip_address == address)
    ).first()
    return f"instance {instance}" if instance else None


def require_free(session: Session, subnet: Subnet, address: str) -> None:
    holder = holders(session, subnet, address)
    if holder:
        raise conflict(f"IP address {address} is already in use by {holder}.")


def lowest_free(session: Session, subnet: Subnet, version: int = 4) -> str:
    """The lowest host address of the subnet that no gateway, VIP or instance holds."""
    for host in _free_hosts(session, subnet, version):
        return host
    raise conflict(f"No free IP address is left in subnet {subnet.id}.")


def lowest_free_for_vip(session: Session, subnet: Subnet, api: ApiEndpoint, version: int = 4) -> str:
    """As lowest_free, and no VIP or backend server anywhere on the host either: a VIP at a member's
    address would loop that member's traffic back into a load balancer (the rule never_a_backend keeps
    from the members' side), and two load balancers on one VIP would share its traffic."""
    free = (host for host in _free_hosts(session, subnet, version) if plan_refusal(canonical_address(host)) is None)
    while candidates := list(islice(free, VIP_CANDIDATES_PER_QUERY)):
        held = {str(api.address)} | set(session.scalars(select(Member.address).where(Member.address.in_(candidates))))
        held.update(session.scalars(select(LoadBalancer.vip_address).where(LoadBalancer.vip_address.in_(candidates))))
        held.update(session.scalars(select(LoadBalancer.ipv6_vip_address).where(LoadBalancer.ipv6_vip_address.in_(candidates))))
        held.update(session.scalars(select(RecycledLoadBalancer.vip_address).where(RecycledLoadBalancer.vip_address.in_(candidates), held_in_bin())))
        held.update(
            session.scalars(select(RecycledLoadBalancer.ipv6_vip_address).where(RecycledLoadBalancer.ipv6_vip_address.in_(candidates), held_in_bin()))
        )
        for host in candidates:
            if host not in held:
                return host
    raise conflict(f"No free IP address is left in subnet {subnet.id}.")


def require_free_for_vip(session: Session, subnet: Subnet, address: str) -> None:
    """Free in its subnet, and neither a VIP nor a backend server's address anywhere on the host."""
    require_free(session, subnet, address)
    holder = vip_holder(session, address)
    if holder is not None:
        load_balancer_id, project_id = holder
        raise conflict(f"IP address {address} is already in use by load balancer {load_balancer_id}." if project_id == subnet.project_id else unavailable(address))
    member = session.execute(select(Member.id, Member.project_id).where(Member.address == address).limit(1)).first()
    if member is not None:
        raise conflict(f"IP address {address} is already in use by backend server {member.id}." if member.project_id == subnet.project_id else unavailable(address))


def _free_hosts(session: Session, subnet: Subnet, version: int) -> Iterator[str]:
    network = ipv4_network(subnet) if version == 4 else ipv6_network(subnet)
    if network is None:
        raise invalid(f"Subnet {subnet.id} has no IPv6 CIDR.")
    taken = _taken(session, subnet)
    return (str(host) for host in network.hosts() if str(host) not in taken)


def _taken(session: Session, subnet: Subnet) -> set[str]:
    taken = {subnet.gateway_ip, subnet.gateway_ip_v6}
    taken.update(
        session.scalars(select(LoadBalancer.vip_address).where(LoadBalancer.vip_subnet_cidr_id == subnet.neutron_subnet_id))
    )
    taken.update(
        session.scalars(select(LoadBalancer.ipv6_vip_address).where(LoadBalancer.ipv6_vip_virsubnet_id == subnet.id))
    )
    taken.update(
        session.scalars(select(RecycledLoadBalancer.vip_address).where(RecycledLoadBalancer.vip_subnet_cidr_id == subnet.neutron_subnet_id, held_in_bin()))
    )
    taken.update(
        session.scalars(select(RecycledLoadBalancer.ipv6_vip_address).where(RecycledLoadBalancer.ipv6_vip_virsubnet_id == subnet.id, held_in_bin()))
    )
    taken.update(session.scalars(select(InstanceNic.ip_address).where(InstanceNic.subnet_id == subnet.id)))
    return {address for address in taken if address}
