"""Desired servers vs the servers a running HAProxy has -> runtime API commands. Pure functions.

A server is added in maintenance, then (when its pool is checked) enabled and forced down on one
command line, so it takes no request until `rise` checks have passed. A removed server is put in
maintenance first; `del server` succeeds once its connections have finished, and is retried until then.

The same commands serve a whole rebuild (desired vs `show servers state`) and a change of a few members
(their new state vs the cached config, which is what HAProxy runs).
"""

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, replace

from elbd.canonical_ip import IPAddress
from elbd.dataplane.haproxy_words import name
from elbd.dataplane.model import Backend, LoadBalancerConfig, PlacedServer, Server
from elbd.dataplane.render import served_weight, server_options

MAINTENANCE_FLAGS = 0x01 | 0x02 | 0x04 | 0x20


@dataclass(frozen=True)
class LiveServer:
    backend: str
    name: str
    address: IPAddress
    port: int
    weight: int
    in_maintenance: bool


def parse_servers_state(text: str) -> list[LiveServer]:
    """`show servers state` output -> servers (the first line is a version, `#` lines are headers)."""
    servers = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if not fields or fields[0].startswith("#") or len(fields) < 19:
            continue
        servers.append(
            LiveServer(
                backend=fields[1],
                name=fields[3],
                address=ipaddress.ip_address(fields[4]),
                port=int(fields[18]),
                weight=int(fields[7]),
                in_maintenance=bool(int(fields[6]) & MAINTENANCE_FLAGS),
            )
        )
    return servers


def _target(backend: Backend, server_name: str) -> str:
    return f"{name(backend.name)}/{name(server_name)}"


def _enable(backend: Backend, name: str) -> list[str]:
    target = _target(backend, name)
    if backend.check is None:
        return [f"enable server {target}"]
    return [f"enable health {target}", f"enable server {target}; set server {target} health down"]


def server_commands(backend: Backend, wanted: Server | None, existing: LiveServer | None) -> list[str]:
    """The runtime commands that bring one server from `existing` (None: HAProxy lacks it) to `wanted`
    (None: removed)."""
    if wanted is None:
        if existing is None:
            return []
        target = _target(backend, existing.name)
        commands = [] if existing.in_maintenance else [f"disable server {target}"]
        if backend.check is not None:
            commands.append(f"disable health {target}")
        return [*commands, f"del server {target}"]
    target = _target(backend, wanted.name)
    if existing is None:
        return [f"add server {target} {server_options(backend, wanted)}", *([] if wanted.held else _enable(backend, wanted.name))]
    commands = []
    if (existing.address, existing.port) != (wanted.address, wanted.port):
        commands.append(f"set server {target} addr {wanted.address} port {wanted.port}")
    if existing.weight != served_weight(backend, wanted):
        commands.append(f"set server {target} weight {served_weight(backend, wanted)}")
    if wanted.held and not existing.in_maintenance:
        commands.append(f"disable server {target}")
    elif not wanted.held and existing.in_maintenance:
        commands.extend(_enable(backend, wanted.name))
    return commands


def backend_commands(backend: Backend, live: list[LiveServer]) -> list[str]:
    """The runtime commands that bring one backend's servers from `live` to `backend.servers`."""
    current = {server.name: server for server in live}
    wanted = {server.name for server in backend.servers}
    commands: list[str] = []
    for server in backend.servers:
        commands.extend(server_commands(backend, server, current.get(server.name)))
    for name, existing in current.items():
        if name not in wanted:
            commands.extend(server_commands(backend, None, existing))
    return commands


def runtime_commands(desired: LoadBalancerConfig, live: list[LiveServer]) -> list[str]:
    by_backend: dict[str, list[LiveServer]] = {}
    for server in live:
        by_backend.setdefault(server.backend, []).append(server)
    commands: list[str] = []
    for backend in desired.backends:
        commands.extend(backend_commands(backend, by_backend.get(backend.name, [])))
    return commands


@dataclass(frozen=True)
class MemberPlan:
    commands: list[str]
    config: LoadBalancerConfig  # the config once the commands are applied


def as_live(backend: Backend, server: Server) -> LiveServer:
    """How HAProxy runs a server it was given as `server`: held servers are in maintenance."""
    return LiveServer(backend.name, server.name, server.address, server.port, served_weight(backend, server), server.held)


def member_plan(config: LoadBalancerConfig, changed: Mapping[str, PlacedServer | None]) -> MemberPlan | None:
    """The runtime commands for just the `changed` members (None: no longer stored), from `config`, which
    HAProxy runs now. None when a member's backend is not in `config`: only a whole rebuild can tell why."""
    backends = {backend.name: backend for backend in config.backends}
    if any(placed is not None and placed.backend not in backends for placed in changed.values()):
        return None
    current: dict[str, tuple[Backend, Server]] = {}
    for backend in config.backends:
        for server in backend.servers:
            if server.name in changed:
                current[server.name] = (backend, server)
    servers: dict[str, dict[str, Server]] = {}

    def servers_of(backend: Backend) -> dict[str, Server]:
        return servers.setdefault(backend.name, {server.name: server for server in backend.servers})

    commands: list[str] = []
    for name, placed in changed.items():
        backend, before = current.get(name, (None, None))
        if backend is not None and before is not None and (placed is None or placed.backend != backend.name):
            commands.extend(server_commands(backend, None, as_live(backend, before)))
            del servers_of(backend)[name]
            backend, before = None, None
        if placed is not None:
            target = backends[placed.backend]
            commands.extend(server_commands(target, placed.server, as_live(target, before) if before is not None else None))
            servers_of(target)[name] = placed.server
    updated = tuple(
        replace(backend, servers=tuple(servers[backend.name].values())) if backend.name in servers else backend for backend in config.backends
    )
    return MemberPlan(commands, replace(config, backends=updated))


def deleted_backend(command: str) -> str | None:
    """The backend a `del server BACKEND/NAME` command deletes from; None for any other command."""
    if not command.startswith("del server "):
        return None
    return command.removeprefix("del server ").split("/", 1)[0]


STILL_CONNECTED = "Server still has connections attached"
_ACCEPTED = ("New server registered", "Server deleted", "IP changed", "no need to change")


def accepted(answer: str) -> bool:
    """Whether HAProxy carried out a runtime command, from its answer (most answer nothing on success)."""
    answer = answer.strip()
    return not answer or answer.startswith(_ACCEPTED)
