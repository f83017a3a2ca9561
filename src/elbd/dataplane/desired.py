"""A load balancer's stored state (store/dataplane.py records) -> the LoadBalancerConfig its engine
should run. Pure functions: no database, no process."""

import logging
import resource
from collections.abc import Iterable
from functools import lru_cache

from elbd import flavors
from elbd.canonical_ip import IPAddress, NotCanonical, canonical_address
from elbd.dataplane.access_lists import covering
from elbd.dataplane.model import (
    AccessControl, Backend, FlavorLimits, Frontend, HealthCheck, LoadBalancerConfig, Persistence, PlacedServer, Server, SniCertificate, TlsPolicy, TlsTermination,
)
from elbd.dataplane.routes import routes
from elbd.dataplane.udp_model import UdpCheck, UdpConfig, UdpListener, UdpMember, UdpPool
from elbd.domain_names import names_answered
from elbd.ip_entries import NotAnEntry, entry_span
from elbd.insert_headers import forwarded_for, headers_on
from elbd.store.dataplane import StoredListener, StoredLoadBalancer, StoredMember, StoredMonitor, StoredPool
from elbd.tls_policies import DEFAULT_SYSTEM_POLICY, SYSTEM_POLICIES, UnservablePolicy, haproxy_terms

log = logging.getLogger(__name__)
SERVED_LISTENERS = {"TCP": "tcp", "HTTP": "http", "HTTPS": "http", "TLS": "tcp"}
TLS_LISTENERS = ("HTTPS", "TLS")
ALPN_WITH_HTTP2 = ("h2", "http/1.1")
POOL_MODES = {"TCP": "tcp", "TLS": "tcp", "HTTP": "http", "HTTPS": "http"}
BALANCE = {"ROUND_ROBIN": "roundrobin", "LEAST_CONNECTIONS": "leastconn", "SOURCE_IP": "source"}
CHECKED_TYPES = ("TCP", "HTTP", "HTTPS", "TLS")
DEFAULT_SERVER_TIMEOUT_S = 60
FD_RESERVE = 1000


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


def health_check(monitor: StoredMonitor | None, host: str | None) -> HealthCheck | None:
    """The check a monitor asks for: `delay` every so often, `max_retries` passes to be up and
    `max_retries_down` failures to be down; None when there is no monitor, it is off, or elbd does not
    run its type."""
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


def desired_config(stored: StoredLoadBalancer, maxconn: int) -> LoadBalancerConfig:
    """What the engine should run for this load balancer. A pool elbd does not serve is left out (the
    API refuses to make one); a listener whose pool is left out answers as one without a pool."""
    addresses = tuple(address for address in map(served_address, (stored.vip_address, stored.ipv6_vip_address)) if address is not None)
    members: dict[str, list[StoredMember]] = {}
    for member in stored.members:
        members.setdefault(member.pool_id, []).append(member)
    routed_to = {listener_id: {pool_id for policy in policies for pool_id, _ in policy.redirect_pools} for listener_id, policies in stored.l7_policies.items()}
    backends = []
    for pool in stored.pools:
        if pool.protocol not in POOL_MODES or pool.lb_algorithm not in BALANCE:
            continue
        check = health_check(stored.monitors.get(pool.id), stored.vip_address)
        users = [listener for listener in stored.listeners if listener.default_pool_id == pool.id or pool.id in routed_to.get(listener.id, ())]
        backends.append(
            Backend(
                name=pool.id,
                mode=POOL_MODES[pool.protocol],
                balance=BALANCE[pool.lb_algorithm],
                server_ssl=pool.protocol in ("HTTPS", "TLS"),
                check=check,
                connect_timeout_s=check.timeout_s if check else 5,
                server_timeout_s=max([listener.member_timeout or listener.keepalive_timeout for listener in users] or [DEFAULT_SERVER_TIMEOUT_S]),
                servers=tuple(server for member in members.get(pool.id, []) if (server := served_member(member)) is not None),
                share_connections=bool(pool.elbd_connection_reuse),
                retry_members=all(listener.enable_member_retry for listener in users),
                persistence=persistence(pool),
                slowstart_s=enabled_setting(pool.slow_start, "duration"),
                drain_s=enabled_setting(pool.connection_drain, "timeout"),
            )
        )
    served = {backend.name for backend in backends}
    routable = {backend.name for backend in backends if backend.mode == "http"}  # what an L7 policy may forward to
    listeners = {listener.id: listener for listener in stored.listeners}
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
            tls=tls,
            routes=routes(stored.l7_policies.get(listener.id, ()), listeners, routable) if SERVED_LISTENERS[listener.protocol] == "http" else (),
            request_headers=headers_on(listener.insert_headers, listener.protocol),
            forwarded_for=forwarded_for(listener.insert_headers),
            member_timeout_s=listener.member_timeout if SERVED_LISTENERS[listener.protocol] == "http" else None,
            max_connections=listener.connection,
            max_new_connections_per_s=listener.cps,
            access=access_control(listener.ipgroup_enable, listener.ipgroup_type, stored.ip_entries.get(listener.id, ())),
            flavor=flavor_limits(stored, listener.protocol),
        )
        for listener in stored.listeners
        if listener.protocol in SERVED_LISTENERS and addresses
        and ((tls := tls_termination(listener, stored)) is not None or listener.protocol not in TLS_LISTENERS)
    )
    return LoadBalancerConfig(
        stored.id, leaving_room_for_checks(maxconn, backends), frontends, tuple(backends), udp_config(stored, addresses), access_log=stored.access_log
    )


def flavor_limits(stored: StoredLoadBalancer, listener_protocol: str) -> FlavorLimits | None:
    """The limits of the load balancer's flavor of the listener's kind (L4: TCP and TLS, L7: HTTP and
    HTTPS), which all its listeners of that kind share; None without one."""
    if listener_protocol in flavors.L4_LISTENERS:
        found, kind = flavors.flavor(stored.l4_flavor_id), 4
    elif listener_protocol in flavors.L7_LISTENERS:
        found, kind = flavors.flavor(stored.l7_flavor_id), 7
    else:
        return None
    if found is None:
        return None
    return FlavorLimits(kind, found.connection, found.cps, found.qps or 0)


UDP_BALANCE = {"ROUND_ROBIN": "round_robin", "LEAST_CONNECTIONS": "least_conn", "SOURCE_IP": "source"}


def udp_config(stored: StoredLoadBalancer, addresses: tuple[IPAddress, ...]) -> UdpConfig:
    """The UDP listeners and pools. A pool with session persistence keeps clients by their address
    whatever type it names (the API's rule for UDP pools): the consistent hash of SOURCE_IP."""
    pools = tuple(
        UdpPool(
            name=pool.id,
            balance="source" if pool.session_persistence else UDP_BALANCE[pool.lb_algorithm],
            members=tuple(
                UdpMember(member.id, server.address, server.port, 0 if server.held else server.weight)
                for member in stored.members
                if member.pool_id == pool.id and (server := served_member(member)) is not None
            ),
            check=udp_check(stored.monitors.get(pool.id)),
        )
        for pool in stored.pools
        if pool.protocol == "UDP" and pool.lb_algorithm in UDP_BALANCE
    )
    served = {pool.name for pool in pools}
    listeners = tuple(
        UdpListener(
            name=listener.id,
            addresses=addresses,
            port=listener.protocol_port,
            pool=listener.default_pool_id if listener.default_pool_id in served else None,
            idle_timeout_s=listener.keepalive_timeout,
            access=access_control(listener.ipgroup_enable, listener.ipgroup_type, stored.ip_entries.get(listener.id, ())),
        )
        for listener in stored.listeners
        if listener.protocol == "UDP" and listener.admin_state_up and addresses
    )
    return UdpConfig(listeners, pools)


def udp_check(monitor: StoredMonitor | None) -> UdpCheck | None:
    if monitor is None or not monitor.admin_state_up or monitor.type != "UDP_CONNECT":
        return None
    return UdpCheck(monitor.delay, monitor.timeout, monitor.max_retries, monitor.max_retries_down, monitor.monitor_port)


PERSISTENCE_KINDS = {"SOURCE_IP": "source", "HTTP_COOKIE": "cookie", "APP_COOKIE": "app_cookie"}


def persistence(pool: StoredPool) -> Persistence | None:
    """A pool's session persistence. An L4 pool keeps clients by their address whatever type it names
    (the API's rule); persistence_timeout counts for HTTP_COOKIE alone (see render.balance_lines)."""
    stored = pool.session_persistence
    if not stored:
        return None
    kind = "source" if POOL_MODES[pool.protocol] == "tcp" else PERSISTENCE_KINDS[stored["type"]]
    if kind == "cookie":
        return Persistence(kind, idle_timeout_min=stored.get("persistence_timeout"))
    if kind == "app_cookie":
        return Persistence(kind, cookie_name=stored["cookie_name"])
    return Persistence(kind)


def enabled_setting(stored: dict | None, value: str) -> int | None:
    """`stored[value]` of a {enable, value} setting (slow_start, connection_drain) that is on, else None."""
    return int(stored[value]) if stored and stored.get("enable") else None


def access_control(enabled: bool | None, kind: str | None, entries: tuple[str, ...]) -> AccessControl | None:
    """The clients a listener admits (its ipgroup_enable, ipgroup_type and its groups' entries): None
    (all) without access control or with it switched off."""
    if not enabled or kind not in ("white", "black"):
        return None
    return _access_control(kind, entries)


@lru_cache(maxsize=256)
def _access_control(kind: str, entries: tuple[str, ...]) -> AccessControl:
    """Remembered for the same entries: every round of a load balancer reads its lists anew, and
    reading and merging 10,000 entries takes about 75 ms. A stored entry is read again
    as a value (ip_entries.py); one that does not read (the API stores none such) is logged and left out."""
    read: list[tuple[int, int, int]] = []
    for text in entries:
        try:
            read.append(entry_span(text))
        except NotAnEntry as error:
            log.warning("an IP address group entry is left out: %s", error)
    return AccessControl(kind, covering(read))


def tls_termination(listener: StoredListener, stored: StoredLoadBalancer) -> TlsTermination | None:
    """The TLS side of an HTTPS or TLS listener; None for other listeners, and for one that names a
    certificate the store no longer has (the API refuses that): such a listener is left out, never
    served with less TLS than it asks for (no client CA, say)."""
    if listener.protocol not in TLS_LISTENERS:
        return None
    client_ca = listener.client_ca_tls_container_ref
    named = [listener.default_tls_container_ref, *listener.sni_container_refs, *([client_ca] if client_ca else [])]
    if not all(certificate_id in stored.certificates for certificate_id in named):
        log.warning("listener %s names a certificate that is gone: it is left out of the data plane", listener.id)
        return None
    policy = tls_policy(listener, stored)
    if policy is None:
        log.warning("listener %s names a TLS policy that is gone or cannot be served: it is left out of the data plane", listener.id)
        return None
    return TlsTermination(
        certificate=str(listener.default_tls_container_ref),
        policy=policy,
        sni=tuple(SniCertificate(certificate_id, _names(stored, certificate_id)) for certificate_id in listener.sni_container_refs),
        client_ca=client_ca,
        alpn=ALPN_WITH_HTTP2 if listener.protocol == "HTTPS" and listener.http2_enable else (),
    )


def tls_policy(listener: StoredListener, stored: StoredLoadBalancer) -> TlsPolicy | None:
    """The listener's custom security policy when it names one (it wins), else its system policy, else
    the default one; None when the custom one is gone or no OpenSSL configuration expresses it."""
    if listener.security_policy_id is not None:
        custom = stored.security_policies.get(listener.security_policy_id)
        if custom is None:
            return None
        protocols, ciphers = tuple(custom.protocols), tuple(custom.ciphers)
    else:
        system = SYSTEM_POLICIES.get(listener.tls_ciphers_policy or DEFAULT_SYSTEM_POLICY)
        if system is None:
            return None
        protocols, ciphers = system.protocols, system.ciphers
    try:
        terms = haproxy_terms(protocols, ciphers)
    except UnservablePolicy:
        return None
    return TlsPolicy(terms.min_version, terms.max_version, terms.ciphers, terms.ciphersuites)


def _names(stored: StoredLoadBalancer, certificate_id: str) -> tuple[str, ...]:
    certificate = stored.certificates[certificate_id]
    return names_answered(certificate.domain, certificate.subject_alternative_names, certificate.common_name)


def leaving_room_for_checks(maxconn: int, backends: list[Backend]) -> int:
    """HAProxy sets aside a descriptor per checked server beside two per connection, and refuses to start
    when together they pass its limit: a pool of 10,000 checked members needs 5,000 fewer connections."""
    checked = sum(len(backend.servers) for backend in backends if backend.check is not None)
    return max(256, maxconn - (checked + 1) // 2)


def placed_servers(members: Iterable[StoredMember]) -> dict[str, PlacedServer]:
    """The members a change named, as servers of their pools (backends), in the order given."""
    return {member.id: PlacedServer(member.pool_id, server) for member in members if (server := served_member(member)) is not None}


def served_member(member: StoredMember) -> Server | None:
    address = served_address(member.address)
    if address is None:
        return None
    return Server(member.id, address, member.protocol_port, member.weight, held=bool(member.drained), backup=member.role == "slave")


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
