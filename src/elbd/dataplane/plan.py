"""The data-plane planner: from what is stored and what runs, the actions that bring one load balancer's
engine to the stored state. Pure: it takes values and returns values; the engine carries the actions
out (haproxy_engine.py), and tests play it as tables of situations in and actions out.

Two questions are asked of it:

- A whole load balancer (after a structural change, a start, a restart, or anything unexpected):
  Retire when it is gone, Start when nothing runs, Reload when what a reload must apply changed (the
  skeleton: everything but the servers), else Converge: the servers alone, through the runtime API.
- Only some members changed: ApplyMembers, the runtime commands for those servers from the
  configuration that runs, or Rebuild when only a whole rebuild can tell (a member's pool is not in it).

Runtime commands add a server in maintenance, then (when its pool is checked) enable it and force it
down on one command line, so it takes no request until `rise` checks have passed. A removed server is
put in maintenance first; `del server` succeeds once its connections have finished, and is retried;
in a pool with connection draining, its connections are closed once it has been in maintenance for
the drain timeout (HAProxy counts that time, so a restarted elbd keeps the deadline).

HAProxy 2.6 cannot give a server added at runtime a cookie: a new member of a cookie-persistent pool
comes with a reload. In a slow-start pool a reload loads such a member held, and enables it after, so
its weight ramps as it would had it come through the runtime API (a checked one ramps as it comes up).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from elbd.dataplane.haproxy_answers import LiveServer
from elbd.dataplane.model import AccessControl, Backend, LoadBalancerConfig, PlacedServer, Server
from elbd.dataplane.render import served_weight
from elbd.dataplane.runtime_commands import (
    AddServer,
    DeleteServer,
    DisableHealth,
    DisableServer,
    DrainServer,
    EnableDown,
    EnableHealth,
    EnableServer,
    ReadyServer,
    RuntimeCommand,
    SetAddress,
    SetWeight,
    ShutdownSessions,
)


@dataclass(frozen=True)
class Live:
    """What runs for one load balancer, as its engine reports it."""

    running: bool
    applied_skeleton: str | None = None  # the skeleton the running process was given, if known
    servers: tuple[LiveServer, ...] = ()
    certificates: Mapping[str, str] = field(default_factory=dict)  # certificate id -> digest of what it presents
    access_lists: Mapping[str, frozenset[str]] = field(default_factory=dict)  # frontend name -> the networks its ACL holds


@dataclass(frozen=True)
class Retire:
    """The load balancer is gone: stop its processes and remove their files."""


@dataclass(frozen=True)
class Start:
    config: LoadBalancerConfig


@dataclass(frozen=True)
class Reload:
    """Reload into `config`; the `ramped` servers (backend, server) are loaded in maintenance and enabled
    after, so that they ramp up."""

    config: LoadBalancerConfig
    ramped: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Converge:
    """The running process has the skeleton: run `commands`, present the new content of the `rotate`
    certificates, give the `access_lists` frontends' ACLs the networks `config` has for them, and
    write `config` for the next start."""

    config: LoadBalancerConfig
    commands: tuple[RuntimeCommand, ...]
    rotate: tuple[str, ...] = ()
    access_lists: tuple[str, ...] = ()  # the frontends whose ACL gets the networks `config` gives it


@dataclass(frozen=True)
class ApplyMembers:
    """Run `commands`; the process then runs `config`."""

    config: LoadBalancerConfig
    commands: tuple[RuntimeCommand, ...]


@dataclass(frozen=True)
class ReplaceAccessLists:
    """Replace the access lists of `frontends` (they hold other networks); the process then runs `config`."""

    config: LoadBalancerConfig
    frontends: tuple[str, ...]


@dataclass(frozen=True)
class Rebuild:
    """Only a whole rebuild can tell what to do."""


LoadBalancerAction = Retire | Start | Reload | Converge
MembersAction = ApplyMembers | Rebuild
AccessAction = ReplaceAccessLists | Rebuild


def plan_load_balancer(
    desired: LoadBalancerConfig | None, live: Live, desired_skeleton: str, certificates: Mapping[str, str] | None = None
) -> LoadBalancerAction:
    """`desired_skeleton` is the engine's rendering of `desired.skeleton()`; `certificates` the digests of
    the stored content of the certificates `desired` presents. A certificate whose content changed is
    rotated in place; one the process does not present yet comes with the reload its listener needs."""
    if desired is None:
        return Retire()
    if not live.running:
        return Start(desired)
    live_names = {(server.backend, server.name) for server in live.servers}
    unaddable = [(backend, server) for backend in desired.backends if not backend.adds_at_runtime
                 for server in backend.servers if (backend.name, server.name) not in live_names]
    if live.applied_skeleton != desired_skeleton or unaddable:
        ramped = tuple((backend.name, server.name) for backend, server in unaddable
                       if backend.slowstart_s is not None and backend.check is None and not server.held)
        return Reload(desired, ramped)
    rotate = tuple(sorted(one for one, digest in (certificates or {}).items() if live.certificates.get(one) not in (None, digest)))
    return Converge(desired, tuple(runtime_commands(desired, list(live.servers))), rotate, changed_access_lists(desired, live))


def changed_access_lists(desired: LoadBalancerConfig, live: Live) -> tuple[str, ...]:
    """The frontends whose ACL holds other networks than `desired` gives them (in the text the ACL
    file and the runtime API use, `address/prefix`)."""
    return tuple(
        frontend.name for frontend in desired.frontends if frontend.access and live.access_lists.get(frontend.name) != frontend.access.patterns
    )


def plan_access(running: LoadBalancerConfig, changed: Mapping[str, AccessControl | None]) -> AccessAction:
    """The access lists to replace for the `changed` listeners (their access control as stored now; None:
    none, or the listener is gone), from the configuration the process runs. Only entries change at
    runtime: a listener the process does not serve with an access list, or whose list would go, come or
    change its kind (the rule in the skeleton), needs a rebuild."""
    running_lists = running.access_lists
    wanted: dict[str, AccessControl] = {}
    for name, access in changed.items():
        if access is None or name not in running_lists or access.kind != running_lists[name].kind:
            return Rebuild()
        wanted[name] = access
    replaced = tuple(name for name, access in wanted.items() if access.patterns != running_lists[name].patterns)
    config = replace(running, frontends=tuple(replace(frontend, access=wanted.get(frontend.name, frontend.access)) for frontend in running.frontends))
    return ReplaceAccessLists(config, replaced)


def plan_members(running: LoadBalancerConfig, changed: Mapping[str, PlacedServer | None]) -> MembersAction:
    """The runtime commands for just the `changed` members (None: no longer stored), from the
    configuration the process runs, in the order given (the order they were created)."""
    backends = {backend.name: backend for backend in running.backends}
    if any(placed is not None and placed.backend not in backends for placed in changed.values()):
        return Rebuild()
    current: dict[str, tuple[Backend, Server]] = {}
    for backend in running.backends:
        for server in backend.servers:
            if server.name in changed:
                current[server.name] = (backend, server)
    if any(placed is not None and not backends[placed.backend].adds_at_runtime and current.get(name, (None,))[0] is not backends[placed.backend]
           for name, placed in changed.items()):
        return Rebuild()  # a server joins a backend only a reload adds to
    servers: dict[str, dict[str, Server]] = {}

    def servers_of(backend: Backend) -> dict[str, Server]:
        return servers.setdefault(backend.name, {server.name: server for server in backend.servers})

    commands: list[RuntimeCommand] = []
    for name, placed in changed.items():
        before: Server | None = None
        if name in current:
            backend, before = current[name]
            if placed is None or placed.backend != backend.name:
                commands.extend(server_commands(backend, None, as_live(backend, before)))
                del servers_of(backend)[name]
                before = None
        if placed is not None:
            target = backends[placed.backend]
            commands.extend(server_commands(target, placed.server, as_live(target, before) if before is not None else None))
            servers_of(target)[name] = placed.server
    updated = tuple(
        replace(backend, servers=tuple(servers[backend.name].values())) if backend.name in servers else backend for backend in running.backends
    )
    return ApplyMembers(replace(running, backends=updated), tuple(commands))


def runtime_commands(desired: LoadBalancerConfig, live: list[LiveServer]) -> list[RuntimeCommand]:
    """The commands that bring every backend's servers from `live` to `desired`."""
    by_backend: dict[str, list[LiveServer]] = {}
    for server in live:
        by_backend.setdefault(server.backend, []).append(server)
    commands: list[RuntimeCommand] = []
    for backend in desired.backends:
        commands.extend(backend_commands(backend, by_backend.get(backend.name, [])))
    return commands


def backend_commands(backend: Backend, live: list[LiveServer]) -> list[RuntimeCommand]:
    """The commands that bring one backend's servers from `live` to `backend.servers`."""
    current = {server.name: server for server in live}
    wanted = {server.name for server in backend.servers}
    commands: list[RuntimeCommand] = []
    for server in backend.servers:
        commands.extend(server_commands(backend, server, current.get(server.name)))
    for name, existing in current.items():
        if name not in wanted:
            commands.extend(server_commands(backend, None, existing))
    return commands


def server_commands(backend: Backend, wanted: Server | None, existing: LiveServer | None) -> list[RuntimeCommand]:
    """The commands that bring one server from `existing` (None: the process lacks it) to `wanted`
    (None: removed)."""
    if wanted is None:
        if existing is None:
            return []
        drain: list[RuntimeCommand] = [] if existing.in_maintenance else [DisableServer(backend.name, existing.name)]
        if backend.check is not None:
            drain.append(DisableHealth(backend.name, existing.name))
        return [*drain, *_drained(backend, existing), DeleteServer(backend.name, existing.name)]
    if existing is None:
        drain = [DrainServer(backend.name, wanted.name)] if _weight_drained(backend, wanted) else []
        return [AddServer(backend, wanted), *([] if wanted.held else [*_enable(backend, wanted.name), *drain])]
    commands: list[RuntimeCommand] = []
    if (existing.address, existing.port) != (wanted.address, wanted.port):
        commands.append(SetAddress(backend.name, wanted.name, wanted.address, wanted.port))
    if existing.weight != served_weight(backend, wanted):
        commands.append(SetWeight(backend.name, wanted.name, served_weight(backend, wanted)))
    if wanted.held and not existing.in_maintenance:
        commands.append(DisableServer(backend.name, wanted.name))
    elif wanted.held:
        commands.extend(_drained(backend, existing))
    elif existing.in_maintenance:
        commands.extend(_enable(backend, wanted.name))
    if not wanted.held:
        commands.extend(_weight_drain(backend, wanted, existing))
    return commands


def _weight_drained(backend: Backend, server: Server) -> bool:
    """Whether a server should be set to drain: weight 0 in a draining pool. Weight 0 alone takes no new
    request, but is no state change: only the drain state starts HAProxy's clock for the timeout."""
    return backend.drain_s is not None and not server.held and served_weight(backend, server) == 0


def _weight_drain(backend: Backend, wanted: Server, existing: LiveServer) -> list[RuntimeCommand]:
    """Into drain (weight 0 in a draining pool), its connections closed at the timeout; out of it when
    its weight comes back (or the pool stops draining)."""
    if not _weight_drained(backend, wanted):
        return [ReadyServer(backend.name, wanted.name)] if existing.draining else []
    if not existing.draining:
        return [DrainServer(backend.name, wanted.name)]
    assert backend.drain_s is not None
    return [ShutdownSessions(backend.name, wanted.name)] if existing.since_change_s >= backend.drain_s else []


def drain_wait_s(config: LoadBalancerConfig, live: list[LiveServer]) -> int | None:
    """Seconds until the first held or weight-0 server of a draining backend reaches its drain timeout
    (one just put in maintenance or drain has the whole timeout ahead), after which a round must close
    its connections; None when none waits. A removed server needs no such round: the poller retries
    its deletion."""
    current = {(server.backend, server.name): server for server in live}
    waits = []
    for backend in config.backends:
        if backend.drain_s is None:
            continue
        for server in backend.servers:
            existing = current.get((backend.name, server.name))
            if existing is not None and (server.held or _weight_drained(backend, server)):
                since = existing.since_change_s if existing.in_maintenance or existing.draining else 0
                if since < backend.drain_s:
                    waits.append(backend.drain_s - since)
    return min(waits, default=None)


def _drained(backend: Backend, existing: LiveServer) -> list[RuntimeCommand]:
    """Closing what a server in maintenance still holds, once its pool's drain timeout has passed."""
    if backend.drain_s is None or not existing.in_maintenance or existing.since_change_s < backend.drain_s:
        return []
    return [ShutdownSessions(backend.name, existing.name)]


def _enable(backend: Backend, name: str) -> list[RuntimeCommand]:
    if backend.check is None:
        return [EnableServer(backend.name, name)]
    return [EnableHealth(backend.name, name), EnableDown(backend.name, name)]


def as_live(backend: Backend, server: Server) -> LiveServer:
    """How HAProxy runs a server it was given as `server`: held servers are in maintenance."""
    return LiveServer(backend.name, server.name, server.address, server.port, served_weight(backend, server), server.held,
                      draining=_weight_drained(backend, server))
