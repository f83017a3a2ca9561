"""The server-state file a starting HAProxy loads (`load-server-state-from-file`). Pure functions.

A server with a check is UP the moment its process starts unless the state file says otherwise, and a
`set server ... health down` sent after the start comes too late: requests sent in the first
milliseconds reach it. So every (re)start and reload is given a state file in which each checked server
is DOWN unless it is known to have passed its checks: the live state a running process reports where
there is one, else a line made here from what elbd knows (ONLINE or not).

HAProxy matches the lines by backend and server name (ids 0: no forced ids); the address, port and
weights are those of the configuration; a server the configuration puts in maintenance stays there.
"""

from collections.abc import Mapping

from elbd.dataplane.haproxy_words import address, name, number
from elbd.dataplane.model import Backend, LoadBalancerConfig, Server
from elbd.dataplane.render import served_weight

VERSION = "1"
HEADER = (
    "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight "
    "srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state "
    "srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl "
    "srv_check_port srv_check_addr srv_agent_addr srv_agent_port"
)
STOPPED, RUNNING = 0, 2  # srv_op_state
CHECK_ENABLED = 6  # srv_check_state: configured and enabled
CHECK_INITIAL = 1  # srv_check_status: no result yet


def server_line(backend: Backend, server: Server, passed: bool) -> str:
    """One server as a state-file line: RUNNING with full health if it passed its checks, else STOPPED."""
    assert backend.check is not None
    weight = number(served_weight(backend, server))
    health = backend.check.rise + backend.check.fall - 1 if passed else 0
    fields = [
        "0", name(backend.name), "0", name(server.name), address(server.address), str(RUNNING if passed else STOPPED), "0", weight, weight,
        "0", str(CHECK_INITIAL), "0", number(health), str(CHECK_ENABLED), "0", "0", "0", "-", number(server.port), "-", "0",
        "0", "-", "-", "0",
    ]
    return " ".join(fields)


def state_file(config: LoadBalancerConfig, passed: Mapping[str, bool], live: str = "") -> str:
    """The state file for a process about to run `config`: the `live` lines (`show servers state` of
    the running process) for the checked servers it has, and a made line for every other checked
    server, RUNNING only if `passed[name]`. Servers of unchecked backends have no line: without a
    check, nothing would bring them back up."""
    checked = {backend.name: backend for backend in config.backends if backend.check is not None}
    lines = [VERSION, HEADER]
    present: set[tuple[str, str]] = set()
    for line in live.splitlines()[1:]:
        fields = line.split()
        if len(fields) > 3 and not fields[0].startswith("#") and fields[1] in checked and fields[3] in checked[fields[1]].server_names:
            lines.append(line)
            present.add((fields[1], fields[3]))
    for backend in checked.values():
        for server in backend.servers:
            if (backend.name, server.name) not in present:
                lines.append(server_line(backend, server, passed.get(server.name, False)))
    return "\n".join(lines) + "\n"
