"""Desired servers vs the servers a running HAProxy has -> runtime API commands. Pure functions.

A server is added in maintenance, then (when its pool is checked) enabled and forced down on one
command line, so it takes no request until `rise` checks have passed. A removed server is put in
maintenance first; `del server` succeeds once its connections have finished, and is retried until then.
"""

from dataclasses import dataclass

from elbd.dataplane.model import Backend, LoadBalancerConfig
from elbd.dataplane.render import server_options

MAINTENANCE_FLAGS = 0x01 | 0x02 | 0x04 | 0x20


@dataclass(frozen=True)
class LiveServer:
    backend: str
    name: str
    address: str
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
                address=fields[4],
                port=int(fields[18]),
                weight=int(fields[7]),
                in_maintenance=bool(int(fields[6]) & MAINTENANCE_FLAGS),
            )
        )
    return servers


def _target(backend: Backend, name: str) -> str:
    return f"{backend.name}/{name}"


def _enable(backend: Backend, name: str) -> list[str]:
    target = _target(backend, name)
    if backend.check is None:
        return [f"enable server {target}"]
    return [f"enable health {target}", f"enable server {target}; set server {target} health down"]


def backend_commands(backend: Backend, live: list[LiveServer]) -> list[str]:
    """The runtime commands that bring one backend's servers from `live` to `backend.servers`."""
    commands: list[str] = []
    current = {server.name: server for server in live}
    wanted = {server.name for server in backend.servers}
    for server in backend.servers:
        target = _target(backend, server.name)
        weight = 1 if backend.balance == "source" else server.weight
        existing = current.get(server.name)
        if existing is None:
            commands.append(f"add server {target} {server_options(backend, server)}")
            if not server.held:
                commands.extend(_enable(backend, server.name))
            continue
        if (existing.address, existing.port) != (server.address, server.port):
            commands.append(f"set server {target} addr {server.address} port {server.port}")
        if existing.weight != weight:
            commands.append(f"set server {target} weight {weight}")
        if server.held and not existing.in_maintenance:
            commands.append(f"disable server {target}")
        elif not server.held and existing.in_maintenance:
            commands.extend(_enable(backend, server.name))
    for name, existing in current.items():
        if name not in wanted:
            target = _target(backend, name)
            if not existing.in_maintenance:
                commands.append(f"disable server {target}")
            if backend.check is not None:
                commands.append(f"disable health {target}")
            commands.append(f"del server {target}")
    return commands


def runtime_commands(desired: LoadBalancerConfig, live: list[LiveServer]) -> list[str]:
    by_backend: dict[str, list[LiveServer]] = {}
    for server in live:
        by_backend.setdefault(server.backend, []).append(server)
    commands: list[str] = []
    for backend in desired.backends:
        commands.extend(backend_commands(backend, by_backend.get(backend.name, [])))
    return commands
