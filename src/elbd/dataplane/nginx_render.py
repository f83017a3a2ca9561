"""A load balancer's UDP configuration -> nginx.conf for its own nginx process. Pure: every value
goes through nginx_words.py (names elbd made, typed addresses, numbers), never a user's text.

- One upstream per pool (`elbd_<pool id>`); a member at weight 0, or down by its checks, is `down`
  (kept on the hash ring so that the other members keep their clients); SOURCE_IP is
  `hash $remote_addr consistent`, where weights count for nothing (as the API says of SOURCE_IP).
- One `server` per listener: `listen <VIP>:<port> udp` on each VIP address; `proxy_timeout` is the
  listener's idle timeout (a client address and port keeps its member while it sends); a listener with
  access control gets `allow`/`deny` lines of its networks; one with no pool, or no member to send
  to, drops every datagram (`deny all`).
"""

from pathlib import Path

from elbd.dataplane import nginx_words as words
from elbd.dataplane.model import AccessControl
from elbd.dataplane.udp_model import UdpConfig, UdpListener, UdpPool

WORKER_CONNECTIONS = 8192  # a flow takes two (client side, member side)
SHUTDOWN_TIMEOUT_S = 10  # a worker a reload replaced drops its remaining flows after this


def upstream_name(pool: str) -> str:
    return f"elbd_{words.name(pool)}"


def render(config: UdpConfig, down: frozenset[str], run_dir: Path, stream_module: Path) -> str:
    """The whole nginx.conf; `down` names members the checks took out of traffic."""
    lines = [
        f"load_module {words.path(str(stream_module))};",
        "worker_processes 1;",
        f"worker_rlimit_nofile {words.number(WORKER_CONNECTIONS * 2 + 100, 1, 10**6)};",
        f"worker_shutdown_timeout {words.number(SHUTDOWN_TIMEOUT_S, 1, 3600)}s;",
        f"pid {words.path(str(run_dir / 'nginx.pid'))};",
        f"error_log {words.path(str(run_dir / 'error.log'))} warn;",
        f"events {{ worker_connections {words.number(WORKER_CONNECTIONS, 1, 10**6)}; }}",
        "stream {",
    ]
    served = {pool.name for pool in config.pools if _upstream_lines(pool, down)}
    for pool in config.pools:
        if pool.name in served:
            lines += [f"    {line}" for line in _upstream_lines(pool, down)]
    for listener in config.listeners:
        lines += [f"    {line}" for line in _server_lines(listener, listener.pool in served)]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _upstream_lines(pool: UdpPool, down: frozenset[str]) -> list[str]:
    """Empty when no member could take a datagram (nginx refuses an upstream without servers)."""
    if not any(member.weight > 0 and member.name not in down for member in pool.members):
        return []
    lines = [f"upstream {upstream_name(pool.name)} {{", *(f"    {line}" for line in words.balance_lines(pool.balance))]
    for member in pool.members:
        weight = "" if pool.balance == "source" or member.weight == 0 else f" weight={words.number(member.weight, 1, 100)}"
        held = " down" if member.weight == 0 or member.name in down else ""
        lines.append(f"    server {words.endpoint(member.address, member.port)}{weight}{held};")
    lines.append("}")
    return lines


def _server_lines(listener: UdpListener, has_pool: bool) -> list[str]:
    lines = ["server {", *(f"    listen {words.endpoint(address, listener.port)} udp;" for address in listener.addresses)]
    if listener.pool is not None and has_pool:
        lines += [f"    {line}" for line in access_lines(listener.access)]
        lines += [
            f"    proxy_pass {upstream_name(listener.pool)};",
            f"    proxy_timeout {words.number(listener.idle_timeout_s, 1, 86400)}s;",
        ]
    else:
        lines += ["    deny all;", '    return "";']
    lines.append("}")
    return lines


def access_lines(access: AccessControl | None) -> list[str]:
    """`allow`/`deny` lines: a whitelist admits its networks and denies the rest (all, when empty); a
    blacklist denies its networks."""
    if access is None:
        return []
    if access.kind == "white":
        return [*(f"allow {words.network(network)};" for network in access.networks), "deny all;"]
    if access.kind == "black":
        return [f"deny {words.network(network)};" for network in access.networks]
    raise words.UnsafeValue(f"{access.kind!r} is not an access-control type")
