"""HAProxy runtime-API commands as values. The planner makes them; only the socket renders them to text
(`text`), through haproxy_words, so no command is ever parsed back to learn what it asked for.

A server is addressed as backend/name; `add server` takes the options `server_options` renders for the
configuration file too, so the running process and the file can never disagree on a server.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from elbd.canonical_ip import IPAddress, IPNetwork
from elbd.dataplane.haproxy_words import address, name, network, number, pem_payload, runtime_line
from elbd.dataplane.model import Backend, Server
from elbd.dataplane.render import CLOSING_UNTIL_VAR, server_options
from elbd.dataplane.tls_files import plain_path


@dataclass(frozen=True)
class AddServer:
    """Added in maintenance: it takes nothing until enabled."""

    backend: Backend
    server: Server


@dataclass(frozen=True)
class DeleteServer:
    """Succeeds once the server is in maintenance and its connections have ended."""

    backend: str
    server: str


@dataclass(frozen=True)
class ShutdownSessions:
    """Close the connections a server still has (a drained member whose drain timeout passed)."""

    backend: str
    server: str


@dataclass(frozen=True)
class DrainServer:
    """No new request (persisted clients still come), and HAProxy's clock for the drain timeout starts."""

    backend: str
    server: str


@dataclass(frozen=True)
class ReadyServer:
    """Out of drain (and of maintenance)."""

    backend: str
    server: str


@dataclass(frozen=True)
class EnableServer:
    backend: str
    server: str


@dataclass(frozen=True)
class EnableDown:
    """Enable a checked server and force it down on one command line, so it takes no request until
    `rise` checks have passed (a `health down` sent apart is ignored while the server is in maintenance)."""

    backend: str
    server: str


@dataclass(frozen=True)
class DisableServer:
    backend: str
    server: str


@dataclass(frozen=True)
class EnableHealth:
    backend: str
    server: str


@dataclass(frozen=True)
class DisableHealth:
    backend: str
    server: str


@dataclass(frozen=True)
class SetWeight:
    backend: str
    server: str
    weight: int


@dataclass(frozen=True)
class SetAddress:
    backend: str
    server: str
    address: IPAddress
    port: int


@dataclass(frozen=True)
class SetSslCert:
    """Stage new content (chain and key, PEM) for a certificate file HAProxy loaded; CommitSslCert makes
    every listener that uses it present it, without a reload."""

    path: str
    pem: str


@dataclass(frozen=True)
class CommitSslCert:
    path: str


@dataclass(frozen=True)
class ShowAcl:
    """The ACLs the process has (None), or the entries of one, by its file's path."""

    path: str | None = None


@dataclass(frozen=True)
class PrepareAcl:
    """A new version of an ACL to fill: HAProxy answers its number."""

    path: str


@dataclass(frozen=True)
class AddAcl:
    path: str
    version: int
    network: IPNetwork


@dataclass(frozen=True)
class CommitAcl:
    """The version's entries replace the ACL's, at once."""

    path: str
    version: int


@dataclass(frozen=True)
class GetWeight:
    backend: str
    server: str


@dataclass(frozen=True)
class ShowServersState:
    """Of one backend, or of all (None)."""

    backend: str | None = None


@dataclass(frozen=True)
class ShowStat:
    """Server rows of one backend (`backend`), or every frontend row (None)."""

    backend: str | None = None


@dataclass(frozen=True)
class ShowAllStats:
    """Every frontend, backend and server row: what the metrics endpoint reads."""


@dataclass(frozen=True)
class ShowInfo:
    pass


@dataclass(frozen=True)
class CloseKeepAlive:
    """For the next `seconds`, every HTTP answer closes its connection (the template's
    CLOSING_UNTIL_VAR rule). Sent before a reload: HAProxy 2.6 closes a worker's idle keep-alive
    connections when the reload stops it, and a request the client sent at that instant is lost;
    a connection told to close after its answer is one the client no longer reuses. `set var` needs
    the runtime API's experimental mode on HAProxy 2.6."""

    seconds: int


RuntimeCommand = (
    AddServer | DeleteServer | ShutdownSessions | DrainServer | ReadyServer | EnableServer | EnableDown | DisableServer | EnableHealth
    | DisableHealth | SetWeight | SetAddress | GetWeight | ShowServersState | ShowStat | ShowAllStats | ShowInfo | SetSslCert | CommitSslCert | CloseKeepAlive
    | ShowAcl | PrepareAcl | AddAcl | CommitAcl
)


def text(command: RuntimeCommand) -> str:
    """The command line, checked against the runtime API's grammar; the only place commands become text.
    A certificate's content goes as the command's payload: `<<`, its PEM lines, an empty line."""
    if isinstance(command, SetSslCert):
        return f"{runtime_line(f'set ssl cert {command.path}')} <<\n{pem_payload(command.pem)}\n"
    return runtime_line(_text(command))


def _text(command: RuntimeCommand) -> str:
    match command:
        case AddServer(backend, server):
            return f"add server {_target(backend.name, server.name)} {server_options(backend, server)}"
        case DeleteServer(backend, server):
            return f"del server {_target(backend, server)}"
        case ShutdownSessions(backend, server):
            return f"shutdown sessions server {_target(backend, server)}"
        case DrainServer(backend, server):
            return f"set server {_target(backend, server)} state drain"
        case ReadyServer(backend, server):
            return f"set server {_target(backend, server)} state ready"
        case EnableServer(backend, server):
            return f"enable server {_target(backend, server)}"
        case EnableDown(backend, server):
            return f"enable server {_target(backend, server)}; set server {_target(backend, server)} health down"
        case DisableServer(backend, server):
            return f"disable server {_target(backend, server)}"
        case EnableHealth(backend, server):
            return f"enable health {_target(backend, server)}"
        case DisableHealth(backend, server):
            return f"disable health {_target(backend, server)}"
        case SetWeight(backend, server, weight):
            return f"set server {_target(backend, server)} weight {number(weight)}"
        case SetAddress(backend, server, host, port):
            return f"set server {_target(backend, server)} addr {address(host)} port {number(port)}"
        case CommitSslCert(path):
            return f"commit ssl cert {path}"
        case ShowAcl(path=None):
            return "show acl"
        case ShowAcl(path=str() as path):
            return f"show acl {_acl_path(path)}"
        case PrepareAcl(path):
            return f"prepare acl {_acl_path(path)}"
        case AddAcl(path, version, one):
            return f"add acl @{number(version)} {_acl_path(path)} {network(one)}"
        case CommitAcl(path, version):
            return f"commit acl @{number(version)} {_acl_path(path)}"
        case GetWeight(backend, server):
            return f"get weight {_target(backend, server)}"
        case ShowServersState(backend=None):
            return "show servers state"
        case ShowServersState(backend=str() as backend):
            return f"show servers state {name(backend)}"
        case ShowAllStats():
            return "show stat -1 7 -1"
        case ShowStat(backend=None):
            return "show stat -1 1 -1"
        case ShowStat(backend=str() as backend):
            return f"show stat {name(backend)} 4 -1"
        case ShowInfo():
            return "show info"
        case CloseKeepAlive(seconds):
            return f"experimental-mode on; set var {CLOSING_UNTIL_VAR} date({number(seconds)})"
    raise TypeError(f"not a runtime command: {command!r}")


@lru_cache(maxsize=1024)
def _acl_path(path: str) -> str:
    """An ACL file's path, checked once: a list of 1,000 entries is 1,000 `add acl` commands naming it."""
    return plain_path(Path(path))


def _target(backend: str, server: str) -> str:
    return f"{name(backend)}/{name(server)}"


def prompts(command: RuntimeCommand) -> int:
    """How many answers (prompts) HAProxy gives the command line: one per `;`-separated command."""
    return 2 if isinstance(command, EnableDown | CloseKeepAlive) else 1


STILL_CONNECTED = "Server still has connections attached"
_ACCEPTED = ("New server registered", "Server deleted", "IP changed", "no need to change")


def accepted(answer: str) -> bool:
    """Whether HAProxy carried out a runtime command, from its answer (most answer nothing on success)."""
    answer = answer.strip()
    return not answer or answer.startswith(_ACCEPTED)
