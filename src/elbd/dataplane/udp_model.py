"""A load balancer's UDP listeners and pools, as plain values: what the UDP engine (nginx's stream
module, nginx_engine.py) runs beside HAProxy, which has no UDP."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from elbd.canonical_ip import IPAddress

if TYPE_CHECKING:  # model.py holds a UdpConfig
    from elbd.dataplane.model import AccessControl


@dataclass(frozen=True)
class UdpCheck:
    """A UDP_CONNECT monitor: a datagram every `interval_s`; an ICMP port-unreachable within `timeout_s`
    fails, anything else (an answer, silence) passes; `rise` passes bring a member up, `fall` failures down."""

    interval_s: int
    timeout_s: int
    rise: int
    fall: int
    port: int | None = None  # monitor_port: the member's own port when None


@dataclass(frozen=True)
class UdpMember:
    name: str  # the member id
    address: IPAddress
    port: int
    weight: int  # 0 takes no new flow


@dataclass(frozen=True)
class UdpPool:
    name: str  # the pool id
    balance: str  # round_robin, least_conn or source (a consistent hash of the client address)
    members: tuple[UdpMember, ...] = ()
    check: UdpCheck | None = None


@dataclass(frozen=True)
class UdpListener:
    name: str  # the listener id
    addresses: tuple[IPAddress, ...]
    port: int
    pool: str | None = None  # None: datagrams are dropped (no pool to send them to)
    idle_timeout_s: int = 300  # a flow (client address and port) forgets its member after this long idle
    access: "AccessControl | None" = None


@dataclass(frozen=True)
class UdpConfig:
    listeners: tuple[UdpListener, ...] = ()
    pools: tuple[UdpPool, ...] = ()

    def pool(self, name: str) -> UdpPool | None:
        return next((pool for pool in self.pools if pool.name == name), None)

    @property
    def checked(self) -> tuple[UdpPool, ...]:
        """The pools whose members elbd probes (a pool no listener uses is probed as well: its statuses count)."""
        return tuple(pool for pool in self.pools if pool.check is not None and pool.members)
