"""The desired data plane of one load balancer, as plain values: what desired, render, plan and the engine share."""

from dataclasses import dataclass, field, replace
from functools import cached_property

from elbd.canonical_ip import IPAddress


@dataclass(frozen=True)
class HealthCheck:
    kind: str  # TCP, HTTP, HTTPS or TLS
    interval_s: int
    timeout_s: int
    rise: int
    fall: int
    port: int | None = None
    http_method: str = "GET"
    url_path: str = "/"
    host: str | None = None
    expected_codes: str = "200"


@dataclass(frozen=True)
class Server:
    """One member. `held` servers are drained: their instance is stopped or gone."""

    name: str
    address: IPAddress
    port: int
    weight: int
    held: bool = False


@dataclass(frozen=True)
class Backend:
    """One pool."""

    name: str
    mode: str  # tcp or http
    balance: str
    server_ssl: bool = False
    check: HealthCheck | None = None
    connect_timeout_s: int = 5
    server_timeout_s: int = 60
    servers: tuple[Server, ...] = ()
    share_connections: bool = True  # idle backend connections serve any client (HTTP); else each stays with one

    @cached_property
    def server_names(self) -> frozenset[str]:
        return frozenset(server.name for server in self.servers)


@dataclass(frozen=True)
class PlacedServer:
    """A member as the store has it now, with the pool (backend) it belongs to."""

    backend: str
    server: Server


@dataclass(frozen=True)
class Frontend:
    """One listener, bound to the VIP."""

    name: str
    addresses: tuple[IPAddress, ...]
    port: int
    mode: str
    enabled: bool = True
    backend: str | None = None
    client_timeout_s: int = 60
    keepalive_timeout_s: int = 60


@dataclass(frozen=True)
class LoadBalancerConfig:
    id: str
    maxconn: int
    frontends: tuple[Frontend, ...] = ()
    backends: tuple[Backend, ...] = field(default=())

    def skeleton(self) -> "LoadBalancerConfig":
        """Everything a reload must apply: the config without the servers, which the runtime API changes."""
        return replace(self, backends=tuple(replace(backend, servers=()) for backend in self.backends))

    def backend(self, name: str) -> Backend | None:
        return next((backend for backend in self.backends if backend.name == name), None)
