"""The stored state of one load balancer -> the LoadBalancerConfig its HAProxy should run."""

import logging
import resource
from collections.abc import Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from elbd.canonical_ip import IPAddress, NotCanonical, canonical_address
from elbd.dataplane.model import Backend, Frontend, HealthCheck, LoadBalancerConfig, PlacedServer, Server
from elbd.store.models import HealthMonitor, LoadBalancer, Member, Pool, Server as Instance
from elbd.store.trees import load_balancer_tree

log = logging.getLogger(__name__)
SERVED_LISTENERS = {"TCP": "tcp", "HTTP": "http"}
POOL_MODES = {"TCP": "tcp", "TLS": "tcp", "HTTP": "http", "HTTPS": "http"}
BALANCE = {"ROUND_ROBIN": "roundrobin", "LEAST_CONNECTIONS": "leastconn", "SOURCE_IP": "source"}
CHECKED_TYPES = ("TCP", "HTTP", "HTTPS", "TLS")
FD_RESERVE = 1000
IDS_PER_QUERY = 500


def maxconn_for(load_balancer_count: int) -> int:
    """Each connection takes two descriptors; the host's descriptors are shared by every load balancer's
    HAProxy, and one process may not pass its own limit (HAProxy refuses to start past it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    per_process = (hard if hard != resource.RLIM_INFINITY else soft) - FD_RESERVE
    try:
        with open("/proc/sys/fs/file-max") as file_max:
            host_share = int(file_max.read()) // max(1, load_balancer_count) - FD_RESERVE
    except (OSError, ValueError):
        host_share = per_process
    return max(256, min(per_process, host_share) // 2)


def _check(monitor: HealthMonitor | None, host: str | None) -> HealthCheck | None:
    if monitor is None or not monitor.admin_state_up or monitor.type not in CHECKED_TYPES:
        return None
    return HealthCheck(
        kind=monitor.type,
        interval_s=monitor.delay,
        timeout_s=monitor.timeout,
        rise=monitor.max_retries,
        fall=monitor.max_retries_down,
        port=monitor.monitor_port,
        http_method=monitor.http_method,
        url_path=monitor.url_path,
        host=monitor.domain_name or host,
        expected_codes=monitor.expected_codes,
    )


def desired_config(session: Session, load_balancer_id: str, maxconn: int) -> LoadBalancerConfig | None:
    """None when the load balancer no longer exists."""
    lb = session.get(LoadBalancer, load_balancer_id)
    if lb is None:
        return None
    tree = load_balancer_tree(session, lb)
    listeners, pools, monitors, members = tree.listeners, tree.pools, tree.monitors, tree.members
    instance_ids = {m.instance_id for m in tree.all_members if m.instance_id}
    running = set(session.scalars(select(Instance.id).where(Instance.id.in_(instance_ids), Instance.status == "ACTIVE")))
    addresses = tuple(address for address in map(served_address, (lb.vip_address, lb.ipv6_vip_address)) if address is not None)

    backends = []
    for pool in pools:
        if pool.protocol not in POOL_MODES or pool.lb_algorithm not in BALANCE:
            continue
        check = _check(monitors.get(pool.id), lb.vip_address)
        users = [listener for listener in listeners if listener.default_pool_id == pool.id]
        server_timeout = max([listener.member_timeout or listener.keepalive_timeout for listener in users] or [60])
        backends.append(
            Backend(
                name=pool.id,
                mode=POOL_MODES[pool.protocol],
                balance=BALANCE[pool.lb_algorithm],
                server_ssl=pool.protocol in ("HTTPS", "TLS"),
                check=check,
                connect_timeout_s=check.timeout_s if check else 5,
                server_timeout_s=server_timeout,
                servers=tuple(
                    Server(
                        name=member.id,
                        address=address,
                        port=member.protocol_port,
                        weight=member.weight,
                        held=bool(member.instance_id) and member.instance_id not in running,
                    )
                    for member in members.get(pool.id, [])
                    if (address := served_address(member.address)) is not None
                ),
            )
        )
    served = {backend.name for backend in backends}
    frontends = tuple(
        Frontend(
            name=listener.id,
            addresses=addresses,
            port=listener.protocol_port,
            mode=SERVED_LISTENERS[listener.protocol],
            enabled=listener.admin_state_up,
            backend=listener.default_pool_id if listener.default_pool_id in served else None,
            client_timeout_s=listener.client_timeout or listener.keepalive_timeout,
            keepalive_timeout_s=listener.keepalive_timeout,
        )
        for listener in listeners
        if listener.protocol in SERVED_LISTENERS and addresses
    )
    return LoadBalancerConfig(lb.id, leaving_room_for_checks(maxconn, backends), frontends, tuple(backends))


def leaving_room_for_checks(maxconn: int, backends: list[Backend]) -> int:
    """HAProxy sets aside a descriptor per checked server beside two per connection, and refuses to start
    when together they pass its limit: a pool of 10,000 checked members needs 5,000 fewer connections."""
    checked = sum(len(backend.servers) for backend in backends if backend.check is not None)
    return max(256, maxconn - (checked + 1) // 2)


_PLACED_MEMBERS = (
    select(
        Member.id, Member.pool_id, Member.address, Member.protocol_port, Member.weight, Member.instance_id, Instance.status,
        Member.created_at,
    )
    .join(Pool, Pool.id == Member.pool_id)
    .outerjoin(Instance, Instance.id == Member.instance_id)
    .where(Member.id.in_(bindparam("ids", expanding=True)), Pool.loadbalancer_id == bindparam("load_balancer_id"))
)


def placed_members(session: Session, load_balancer_id: str, member_ids: Iterable[str]) -> dict[str, PlacedServer]:
    """The stored state of just these members of the load balancer, oldest first; a member not found is gone."""
    ids = list(member_ids)
    rows = []
    connection = session.connection()
    for chunk in (ids[start : start + IDS_PER_QUERY] for start in range(0, len(ids), IDS_PER_QUERY)):
        rows.extend(connection.execute(_PLACED_MEMBERS, {"ids": chunk, "load_balancer_id": load_balancer_id}))
    placed: dict[str, PlacedServer] = {}
    for member_id, pool_id, text, port, weight, instance_id, instance_status, _ in sorted(rows, key=lambda row: (row[-1], row[0])):
        held = bool(instance_id) and instance_status != "ACTIVE"
        address = served_address(text)
        if address is not None:
            placed[member_id] = PlacedServer(pool_id, Server(member_id, address, port, weight, held))
    return placed


def served_address(text: str | None) -> IPAddress | None:
    """A stored address as a value, or None (with a warning) for none or one that is not canonical: an
    elbd before canonical addresses stored IPv6 zones, which may carry configuration text."""
    if text is None:
        return None
    try:
        return canonical_address(text)
    except NotCanonical as error:
        log.warning("an address in the database is left out of the data plane: %s", error)
        return None
