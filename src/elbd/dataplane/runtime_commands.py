"""HAProxy runtime-API commands as values. The planner makes them; only the socket renders them to text
(`text`), through haproxy_words, so no command is ever parsed back to learn what it asked for.

A server is addressed as backend/name; `add server` takes the options `server_options` renders for the
configuration file too, so the running process and the file can never disagree on a server.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from elbd.canonical_ip import IPAddress
from elbd.dataplane.haproxy_words import address, map_key, name, number, pem_payload, runtime_line
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
class ShowMap:
    """The maps the process has (None), or the entries of one version of one (by its file's path;
    `version` None: the current one). A listener's access list is a map (access_lists.py)."""

    path: str | None = None
    version: int | None = None


@dataclass(frozen=True)
class PrepareMap:
    """A new version of a map to fill: HAProxy answers its number."""

    path: str


@dataclass(frozen=True)
class AddMapEntries:
    """Networks added to a prepared version, each with the value 1, as one command's payload: a
    thousand entries cost one command, not a thousand. The payload must fit in HAProxy's buffer
    (`tune.bufsize`; past it HAProxy adds nothing and answers nothing), so a list goes in chunks
    (`map_chunks`). The networks come as `AccessControl.keys` rendered them, and are checked again
    line by line (`map_key`)."""

    path: str
    version: int
    keys: tuple[str, ...]


@dataclass(frozen=True)
class CommitMap:
    """The version's entries replace the map's, at once."""

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
    | ShowMap | PrepareMap | AddMapEntries | CommitMap
)


def text(command: RuntimeCommand) -> str:
    """The command line, checked against the runtime API's grammar; the only place commands become text.
    A certificate's content goes as the command's payload: `<<`, its PEM lines, an empty line."""
    if isinstance(command, SetSslCert):
        return f"{runtime_line(f'set ssl cert {command.path}')} <<\n{pem_payload(command.pem)}\n"
    if isinstance(command, AddMapEntries):
        head = runtime_line(f"add map @{number(command.version)} {_map_path(command.path)}")
        return f"{head} <<\n" + "".join(f"{map_key(one)} 1\n" for one in command.keys)
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
        case ShowMap(path=None):
            return "show map"
        case ShowMap(path=str() as path, version=None):
            return f"show map {_map_path(path)}"
        case ShowMap(path=str() as path, version=int() as version):
            return f"show map @{number(version)} {_map_path(path)}"
        case PrepareMap(path):
            return f"prepare map {_map_path(path)}"
        case CommitMap(path, version):
            return f"commit map @{number(version)} {_map_path(path)}"
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
def _map_path(path: str) -> str:
    """A map file's path, checked once per path: an access list's every change names it several times."""
    return plain_path(Path(path))


PAYLOAD_BYTES = 8000  # well inside HAProxy's default 16 kB buffer, which holds the command line and its payload


def map_chunks(keys: tuple[str, ...]) -> list[tuple[str, ...]]:
    """`keys` cut into payloads (a line `<key> 1` each) of at most PAYLOAD_BYTES, each fitting in
    HAProxy's buffer beside its command line."""
    chunks: list[tuple[str, ...]] = []
    start, size = 0, 0
    for index, key in enumerate(keys):
        line = len(key) + 3
        if size + line > PAYLOAD_BYTES:
            chunks.append(keys[start:index])
            start, size = index, 0
        size += line
    if start < len(keys):
        chunks.append(keys[start:])
    return chunks


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
