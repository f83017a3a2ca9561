"""What HAProxy's runtime API answers, as values: `show servers state`, the server and frontend rows
of `show stat`, and the ACLs of `show acl`. Pure functions."""

import csv
import ipaddress
import re
from dataclasses import dataclass

from elbd.canonical_ip import IPAddress

MAINTENANCE_FLAGS = 0x01 | 0x02 | 0x04 | 0x20  # srv_admin_state: forced, inherited, configured, resolution
FORCED_DRAIN = 0x08  # srv_admin_state: `set server ... state drain`
_STAT_COLUMNS = ("pxname", "svname", "status", "check_status", "check_code", "last_chk")
_PROXY_ROWS = ("FRONTEND", "BACKEND")


@dataclass(frozen=True)
class LiveServer:
    """A server as the running process has it."""

    backend: str
    name: str
    address: IPAddress
    port: int
    weight: int
    in_maintenance: bool
    since_change_s: int = 0  # how long ago its state last changed (into maintenance, for a removed one)
    draining: bool = False  # set to drain (a weight-0 member of a draining pool)


@dataclass(frozen=True)
class CheckReport:
    """One server's row of `show stat`."""

    status: str  # UP, UP 1/3, DOWN, DOWN 1/2, NOLB, MAINT, no check ...
    check_status: str  # L4OK, L4CON, L7STS, INI, * L7OK (a check in progress) ...
    check_code: str
    last_check: str


def parse_servers_state(text: str) -> list[LiveServer]:
    """`show servers state` output -> servers (the first line is a version, `#` lines are headers).
    A server on a unix socket (address `-`: the access log's relay to the agent) is no member: left out."""
    servers = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if not fields or fields[0].startswith("#") or len(fields) < 19 or fields[4] == "-":
            continue
        servers.append(
            LiveServer(
                backend=fields[1],
                name=fields[3],
                address=ipaddress.ip_address(fields[4]),
                port=int(fields[18]),
                weight=int(fields[7]),
                in_maintenance=bool(int(fields[6]) & MAINTENANCE_FLAGS),
                since_change_s=int(fields[9]),
                draining=bool(int(fields[6]) & FORCED_DRAIN),
            )
        )
    return servers


def parse_stat(text: str) -> list[tuple[str, str, CheckReport]]:
    """`show stat` CSV -> (backend, server, report) per server row. Only the few columns needed are
    split off each line (a row has about 120); a line with a quoted field goes through the csv module."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# "):
        return []
    header = lines[0].removeprefix("# ").split(",")
    proxy, server, status, check, code, info = (header.index(column) for column in _STAT_COLUMNS)
    last = max(proxy, server, status, check, code, info)
    rows = []
    for line in lines[1:]:
        fields = line.split(",", last + 1)
        if len(fields) <= last or fields[server] in _PROXY_ROWS:
            continue
        if '"' in line:
            fields = next(csv.reader([line]))
        rows.append((fields[proxy], fields[server], CheckReport(fields[status], fields[check], fields[code], fields[info])))
    return rows


def parse_frontends(text: str) -> dict[str, str]:
    """`show stat` CSV -> each frontend's status (OPEN when it accepts connections; STOP, FULL, PAUSED
    otherwise)."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# "):
        return {}
    header = lines[0].removeprefix("# ").split(",")
    proxy, server, status = (header.index(column) for column in ("pxname", "svname", "status"))
    frontends = {}
    for line in lines[1:]:
        fields = line.split(",")
        if len(fields) > max(proxy, server, status) and fields[server] == "FRONTEND":
            frontends[fields[proxy]] = fields[status]
    return frontends


_MAP_FILE = re.compile(r"^\d+ \(([^)\s]+)\) ", re.MULTILINE)  # `<id> (<file>) pattern loaded from file ...`
_MAP_ENTRY = re.compile(r"^0x[0-9a-fA-F]+ (\S+) \S+$", re.MULTILINE)  # `<reference> <key> <value>`
_NEW_VERSION = re.compile(r"New version created: (\d+)")


def parse_map_files(answer: str) -> list[str]:
    """The file of each map `show map` lists."""
    return _MAP_FILE.findall(answer)


def parse_map_keys(answer: str) -> list[str]:
    """The keys of one version of one map (`show map [@<version>] <file>`), as listed."""
    return _MAP_ENTRY.findall(answer)


def parse_new_version(answer: str) -> int | None:
    """The version `prepare map` allocated; None when it answered something else."""
    found = _NEW_VERSION.search(answer)
    return int(found.group(1)) if found else None
