"""Which VIPs the host can serve: the one rule, asked when a load balancer's VIP is chosen.

Every load balancer's HAProxy binds its VIP in the host's one network namespace and adds no address to
an interface, so a VIP is served only if the host can bind it already: on Linux every address of
127.0.0.0/8 (the loopback interface holds the whole /8), and the addresses the host's interfaces have.
The address plan (address_ranges.py) says where a VIP may be; this says whether it would carry traffic.
Probing with a bind to port 0 asks the kernel itself, so it holds for addresses added after elbd started."""

import socket

from elbd.canonical_ip import IPAddress


def host_can_bind(address: IPAddress) -> bool:
    """Whether a socket can bind `address` on this host now (any port)."""
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((str(address), 0))
    except OSError:  # EADDRNOTAVAIL; also a host without IPv6 (EAFNOSUPPORT): nothing could bind it
        return False
    return True


def unservable_vip(address: IPAddress) -> str | None:
    """Why the host cannot serve a VIP at `address`, or None."""
    if host_can_bind(address):
        return None
    return (
        f"{address} is no address of this host, so no load balancer could serve it (elbd binds VIPs on the host: "
        "use a subnet in 127.0.0.0/8, such as the project's subnet 'default', or an address the host has)"
    )
