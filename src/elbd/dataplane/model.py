"""The desired data plane of one load balancer, as plain values: what desired, render, plan and the engine share."""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

from elbd.canonical_ip import IPAddress, IPNetwork
from elbd.dataplane.haproxy_words import network
from elbd.dataplane.udp_model import UdpConfig

HARD_STOP_AFTER_S = 30
FLAVOR_TABLE = "elbd-flavor-limits"  # the backend that holds the stick table counting a flavor's limits


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
    """One member. `held` servers are drained: their instance is stopped or gone. A `backup` server (the
    standby of an active/standby pool) takes traffic only while no other server of its backend is up."""

    name: str
    address: IPAddress
    port: int
    weight: int
    held: bool = False
    backup: bool = False


@dataclass(frozen=True)
class Persistence:
    """How a client's later requests stay on the member its first one went to (session_persistence).

    - source: the client address, hashed consistently over the members (no state to lose at a reload).
    - cookie: a cookie elbd inserts, naming the member (its value derived from the member id).
    - app_cookie: the backend's own cookie `cookie_name`, which elbd prefixes with the member's value.
    """

    kind: str  # source, cookie or app_cookie
    idle_timeout_min: int | None = None  # cookie: a cookie idle this long no longer binds
    cookie_name: str | None = None  # app_cookie

    @property
    def cookies(self) -> bool:
        """Whether each server carries a cookie value (which HAProxy 2.6 cannot give a server added at runtime)."""
        return self.kind in ("cookie", "app_cookie")


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
    retry_members: bool = True  # a failed connection is retried, on another member at once; else answered 503
    persistence: Persistence | None = None
    slowstart_s: int | None = None  # a member that comes up (added, enabled, healthy again) ramps its weight over this
    drain_s: int | None = None  # a removed member's connections are closed this long after it left; None: they finish

    @property
    def adds_at_runtime(self) -> bool:
        """Whether a server can join the running process through the runtime API (else a reload adds it)."""
        return self.persistence is None or not self.persistence.cookies

    @cached_property
    def server_names(self) -> frozenset[str]:
        return frozenset(server.name for server in self.servers)


@dataclass(frozen=True)
class PlacedServer:
    """A member as the store has it now, with the pool (backend) it belongs to."""

    backend: str
    server: Server


@dataclass(frozen=True)
class TlsPolicy:
    """What a listener's TLS handshakes may negotiate: versions and cipher suites (OpenSSL names; TLS
    1.3 suites apart, as OpenSSL configures them apart)."""

    min_version: str  # TLSv1.0 ... TLSv1.3
    max_version: str
    ciphers: tuple[str, ...]  # up to TLS 1.2
    ciphersuites: tuple[str, ...]  # TLS 1.3


@dataclass(frozen=True)
class SniCertificate:
    """A certificate a listener presents to clients naming one of `names` (wildcards as `*.example.com`)."""

    certificate: str  # certificate id
    names: tuple[str, ...]


@dataclass(frozen=True)
class TlsTermination:
    """An HTTPS or TLS listener's side of TLS: its certificates, the client CA of mutual TLS, its policy."""

    certificate: str  # the default certificate's id: for clients that name no host, or one no SNI certificate has
    policy: TlsPolicy
    sni: tuple[SniCertificate, ...] = ()
    client_ca: str | None = None  # a client certificate's id: clients must present one it signed
    alpn: tuple[str, ...] = ()  # h2 and http/1.1 when HTTP/2 is on

    @property
    def certificates(self) -> frozenset[str]:
        return frozenset({self.certificate, *(one.certificate for one in self.sni)})


@dataclass(frozen=True)
class Match:
    """One L7 rule: what a request must show. A match holds when any of its values does; a route's
    matches must all hold."""

    subject: str  # host, path, method, header, query, source, cookie
    how: str  # exact, prefix, suffix (a wildcard host), regex, glob (`*` and `?`), network (a source CIDR)
    values: tuple[str, ...]
    key: str | None = None  # the header, query parameter or cookie name


@dataclass(frozen=True)
class ToBackends:
    """Forward to one backend, or split by weight among several (a weight of 0 takes no request). With
    `sticky_s`, a client's later requests go to the backend its first one went to, for that long after
    its last one (a cookie naming the backend)."""

    weights: tuple[tuple[str, int], ...]  # (backend name, weight)
    sticky_s: int | None = None


@dataclass(frozen=True)
class Redirect:
    """Answer a redirect. A part left None keeps the request's own; host, path and query may also hold
    the API's placeholders (`${host}` and the like) among literal text."""

    code: int
    scheme: str | None = None  # http or https
    host: str | None = None
    port: int | None = None
    path: str | None = None
    query: str | None = None
    set_headers: tuple[tuple[str, str, str], ...] = ()  # on the answer: (name, USER_DEFINED | REFERENCE_HEADER | SYSTEM_DEFINED, value)
    removed_headers: tuple[str, ...] = ()  # taken off the answer


@dataclass(frozen=True)
class FixedResponse:
    status: int
    content_type: str
    body: str
    set_headers: tuple[tuple[str, str, str], ...] = ()  # on the answer: (name, USER_DEFINED | REFERENCE_HEADER | SYSTEM_DEFINED, value)
    removed_headers: tuple[str, ...] = ()  # taken off the answer


@dataclass(frozen=True)
class Route:
    """One L7 policy as the frontend serves it: the first route, in the frontend's order, whose matches
    all hold decides what a request gets."""

    name: str  # the policy id
    matches: tuple[Match, ...]
    action: ToBackends | Redirect | FixedResponse


@dataclass(frozen=True)
class AccessControl:
    """Which clients a listener admits: a whitelist admits only sources in `networks`, a blacklist
    refuses them (an empty whitelist admits no one, an empty blacklist everyone). The networks live in
    a file HAProxy reads at a start or reload and the runtime API changes in place: they are not part
    of the skeleton."""

    kind: str  # white or black
    networks: tuple[IPNetwork, ...] = ()  # collapsed, IPv4 first, each in order

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """The networks as the map holds them (`address/prefix`), in order, rendered once: a change
        compares, writes and sends a whole list of thousands."""
        return tuple(network(one) for one in self.networks)

    @cached_property
    def patterns(self) -> frozenset[str]:
        """The networks as the map holds them, to compare with what runs."""
        return frozenset(self.keys)


@dataclass(frozen=True)
class FlavorLimits:
    """A load balancer's flavor, as the listeners of its kind share it: all of them count in one entry
    (`kind`, 4 or 7) of the load balancer's stick table, so the limits hold for them together. 0 is
    unlimited."""

    kind: int  # 4 (TCP and TLS listeners) or 7 (HTTP and HTTPS)
    max_connections: int
    max_new_connections_per_s: int
    max_requests_per_s: int = 0  # HTTP requests (L7)


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
    tls: TlsTermination | None = None
    routes: tuple[Route, ...] = ()  # in the order the API's precedence gives
    request_headers: tuple[str, ...] = ()  # the headers it sets on each request: insert_headers.SERVED, TLS_SERVED (HTTP)
    forwarded_for: str = "append"  # X-Forwarded-For: append, remove or preserve (HTTP)
    member_timeout_s: int | None = None  # a member's answer later than this is a 504 (HTTP)
    max_connections: int = 0  # concurrent connections; a new one past it is refused; 0 is unlimited
    max_new_connections_per_s: int = 0  # new connections a second; one past it is refused; 0 is unlimited
    access: AccessControl | None = None  # None: every client is admitted
    flavor: FlavorLimits | None = None  # None: the load balancer names no flavor of this listener's kind


@dataclass(frozen=True)
class LoadBalancerConfig:
    id: str
    maxconn: int
    frontends: tuple[Frontend, ...] = ()
    backends: tuple[Backend, ...] = field(default=())
    udp: UdpConfig = UdpConfig()  # the UDP listeners and pools, which the UDP engine serves (not HAProxy)
    access_log: bool = False  # HAProxy logs each request (HTTP) or connection (TCP) to elbd's access-log receiver

    @property
    def hard_stop_after_s(self) -> int:
        """How long the workers a reload replaced may keep their connections: 30 s, or the longest drain."""
        return max([HARD_STOP_AFTER_S, *(backend.drain_s for backend in self.backends if backend.drain_s is not None)])

    def skeleton(self) -> "LoadBalancerConfig":
        """Everything a reload must apply: the config without the servers and the access lists' networks,
        which the runtime API changes."""
        return replace(
            self,
            frontends=tuple(replace(frontend, access=replace(frontend.access, networks=())) if frontend.access else frontend for frontend in self.frontends),
            backends=tuple(replace(backend, servers=()) for backend in self.backends),
        )

    def holding(self, servers: Iterable[tuple[str, str]]) -> "LoadBalancerConfig":
        """The config with these servers (backend, server) held in maintenance."""
        held = set(servers)
        return replace(self, backends=tuple(
            replace(backend, servers=tuple(replace(server, held=True) if (backend.name, server.name) in held else server for server in backend.servers))
            for backend in self.backends
        ))

    def backend(self, name: str) -> Backend | None:
        return next((backend for backend in self.backends if backend.name == name), None)

    @property
    def counts_flavor_limits(self) -> bool:
        """Whether a frontend shares a flavor's limits (the stick table that counts them is rendered)."""
        return any(frontend.flavor is not None for frontend in self.frontends)

    @property
    def certificates(self) -> frozenset[str]:
        """Every server certificate its listeners present."""
        return frozenset().union(*(frontend.tls.certificates for frontend in self.frontends if frontend.tls))

    @property
    def access_lists(self) -> dict[str, AccessControl]:
        """The access control of each frontend that has one, by frontend name."""
        return {frontend.name: frontend.access for frontend in self.frontends if frontend.access}

    @property
    def client_cas(self) -> frozenset[str]:
        return frozenset(frontend.tls.client_ca for frontend in self.frontends if frontend.tls and frontend.tls.client_ca)
