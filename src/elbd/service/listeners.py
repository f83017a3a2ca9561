"""Listeners: protocols, ports (one per transport on a load balancer), timeouts and their default pool."""

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elbd import flavors, insert_headers
from elbd.canonical_ip import canonical_address
from elbd.clock import utcnow
from elbd.errors import conflict, invalid
from elbd.ids import new_id
from elbd.schemas import unserved
from elbd.schemas.listeners import ListenerCreate, ListenerUpdate, _ListenerSettings
from elbd.service import ipgroups, l7policies, lookups, quotas
from elbd.service.address_ranges import Host
from elbd.service.bindings import bind_pool_to_listener, check_member_retry_agrees, check_pool_fits_listener
from elbd.service.listener_certificates import TlsReferences, check_references, keep_rows_in_step
from elbd.service.paging import Page, PageRequest, apply_filters, paginate
from elbd.service.protocols import CERTIFICATE_LISTENERS, HTTP_LISTENERS, SECURITY_POLICY_LISTENERS, transport_of
from elbd.service.tags import checked as checked_tags
from elbd.store.db import mark_changed
from elbd.store.models import Listener, LoadBalancer
from elbd.tls_policies import DEFAULT_SYSTEM_POLICY

# Request attributes beyond these columns are not kept: unserved.LISTENERS refuses every value of them
# that asks for something.
STORED = frozenset(Listener.__table__.columns.keys())
FILTER_COLUMNS = {
    "id": Listener.id,
    "name": Listener.name,
    "description": Listener.description,
    "loadbalancer_id": Listener.loadbalancer_id,
    "protocol": Listener.protocol,
    "protocol_port": Listener.protocol_port,
    "default_pool_id": Listener.default_pool_id,
    "default_tls_container_ref": Listener.default_tls_container_ref,
    "client_ca_tls_container_ref": Listener.client_ca_tls_container_ref,
    "tls_ciphers_policy": Listener.tls_ciphers_policy,
    "keepalive_timeout": Listener.keepalive_timeout,
    "client_timeout": Listener.client_timeout,
    "member_timeout": Listener.member_timeout,
    "admin_state_up": Listener.admin_state_up,
    "http2_enable": Listener.http2_enable,
    "enable_member_retry": Listener.enable_member_retry,
    "protection_status": Listener.protection_status,
    "enhance_l7policy_enable": Listener.enhance_l7policy_enable,
}


def _keepalive_range(protocol: str) -> tuple[int, int, int]:
    """(low, high, default) of keepalive_timeout for a protocol."""
    return (0, 4000, 60) if protocol in HTTP_LISTENERS else (10, 4000, 300)


def _check_settings(protocol: str, settings: _ListenerSettings, current: Listener | None = None) -> None:
    """The API's rules; what it allows and elbd does not serve is unserved.LISTENERS'."""
    if settings.keepalive_timeout is not None:
        low, high, _ = _keepalive_range(protocol)
        if not low <= settings.keepalive_timeout <= high:
            raise invalid(f"Invalid input for 'keepalive_timeout': a {protocol} listener takes {low} to {high}.")
    if protocol not in HTTP_LISTENERS:
        for name in ("client_timeout", "member_timeout"):
            if getattr(settings, name) is not None:
                raise invalid(f"Invalid input for '{name}': only HTTP and HTTPS listeners have it.")
    if settings.enable_member_retry is False and protocol not in HTTP_LISTENERS:
        raise invalid("Invalid input for 'enable_member_retry': only HTTP and HTTPS listeners turn retries off.")
    if settings.insert_headers:
        wrong = insert_headers.problem(settings.insert_headers)
        if wrong is not None:
            raise invalid(f"Invalid input for 'insert_headers': {wrong}.")
        if protocol not in HTTP_LISTENERS and insert_headers.asks_anything(settings.insert_headers):
            raise invalid("Invalid input for 'insert_headers': only HTTP and HTTPS listeners insert request headers.")
        if protocol != "HTTPS" and insert_headers.tls_asked(settings.insert_headers):
            raise invalid("Invalid input for 'insert_headers': only HTTPS listeners tell members of the client's TLS session.")
    if settings.http2_enable and protocol != "HTTPS":
        raise invalid("Invalid input for 'http2_enable': only HTTPS listeners can enable HTTP/2.")
    certificate_fields = ("default_tls_container_ref", "client_ca_tls_container_ref", "sni_container_refs")
    if protocol not in CERTIFICATE_LISTENERS:
        for name in certificate_fields:
            if getattr(settings, name):
                raise invalid(f"Invalid input for '{name}': only HTTPS, TLS and QUIC listeners have certificates.")
        if settings.sni_match_algo == "longest_suffix":
            raise invalid("Invalid input for 'sni_match_algo': only HTTPS, TLS and QUIC listeners match SNI names.")
    _check_policy_fields(protocol, settings)
    if settings.enhance_l7policy_enable and protocol not in HTTP_LISTENERS:
        raise invalid("Invalid input for 'enhance_l7policy_enable': only HTTP and HTTPS listeners have forwarding policies.")
    if current is not None and current.enhance_l7policy_enable and settings.enhance_l7policy_enable is False:
        raise invalid("Invalid input for 'enhance_l7policy_enable': once on, advanced forwarding cannot be turned off.")
    certificate = settings.default_tls_container_ref or (current.default_tls_container_ref if current else None)
    if settings.client_ca_tls_container_ref and not certificate:
        raise invalid("Invalid input for 'client_ca_tls_container_ref': it needs default_tls_container_ref too.")
    if settings.client_ca_tls_container_ref and protocol == "QUIC":
        raise invalid("Invalid input for 'client_ca_tls_container_ref': QUIC listeners do not verify clients.")
    if settings.sni_container_refs and len(set(settings.sni_container_refs)) != len(settings.sni_container_refs):
        raise invalid("Invalid input for 'sni_container_refs': a certificate is named twice.")
    if settings.ipgroup is not None and protocol not in ipgroups.ACCESS_PROTOCOLS:
        raise invalid(f"Invalid input for 'ipgroup': elbd enforces IP address groups on {', '.join(ipgroups.ACCESS_PROTOCOLS)} listeners, not {protocol}.")
    if settings.protection_reason and (settings.protection_status or (current.protection_status if current else None)) != "consoleProtection":
        raise invalid("Invalid input for 'protection_reason': it is only valid with protection_status consoleProtection.")


def _check_policy_fields(protocol: str, settings: _ListenerSettings) -> None:
    """A security policy, system or custom, is for HTTPS and TLS listeners only (QUIC ones take neither
    field, says the SDK). Elsewhere it would change nothing, so it is refused, never accepted and
    ignored; Terraform's huaweicloud_elb_listener documents the API's error for tls_ciphers_policy there."""
    for name in ("tls_ciphers_policy", "security_policy_id"):
        if getattr(settings, name) and protocol not in SECURITY_POLICY_LISTENERS:
            raise invalid(f"Invalid input for '{name}': only HTTPS and TLS listeners take a security policy.")


def create_listener(session: Session, *, project_id: str, option: ListenerCreate, host: Host) -> Listener:
    protocol = "HTTPS" if option.protocol == "TERMINATED_HTTPS" else option.protocol
    if not option.protocol_port:
        raise invalid("Invalid input for 'protocol_port': give a port from 1 to 65535 (elbd does not serve port ranges yet).")
    _check_settings(protocol, option)
    if protocol in CERTIFICATE_LISTENERS and not option.default_tls_container_ref:
        raise invalid(f"Invalid input for 'default_tls_container_ref': a {protocol} listener needs a server certificate.")
    unserved.refuse(unserved.LISTENERS, option.model_dump(exclude_unset=True))
    if protocol == "UDP":
        unserved.refuse(unserved.UDP_LISTENERS, option.model_dump(exclude_unset=True))
    lb = lookups.load_balancer(session, project_id, option.loadbalancer_id)
    flavors.refuse_unlimited_listeners(lb.l4_flavor_id, {protocol})
    policy = lookups.security_policy(session, project_id, option.security_policy_id) if option.security_policy_id else None
    references = TlsReferences(option.default_tls_container_ref, tuple(option.sni_container_refs or ()), option.client_ca_tls_container_ref or None)
    check_references(session, project_id, references)
    quotas.require_room(session, project_id, "listener")
    on_lb = session.scalar(select(func.count()).select_from(Listener).where(Listener.loadbalancer_id == lb.id)) or 0
    quotas.require_room(session, project_id, "listeners_per_loadbalancer", used_now=on_lb)
    transport = require_port(session, host, lb, protocol, option.protocol_port)
    now = utcnow()
    listener = Listener(
        id=new_id(),
        project_id=project_id,
        loadbalancer_id=lb.id,
        name=option.name or "",
        description=option.description or "",
        protocol=protocol,
        protocol_port=option.protocol_port,
        transport=transport,
        admin_state_up=option.admin_state_up is not False,
        http2_enable=bool(option.http2_enable) or protocol == "QUIC",
        keepalive_timeout=option.keepalive_timeout if option.keepalive_timeout is not None else _keepalive_range(protocol)[2],
        client_timeout=(option.client_timeout or 60) if protocol in HTTP_LISTENERS else None,
        member_timeout=(option.member_timeout or 60) if protocol in HTTP_LISTENERS else None,
        default_tls_container_ref=option.default_tls_container_ref,
        client_ca_tls_container_ref=references.client_ca,
        sni_container_refs=list(references.sni),
        sni_match_algo=option.sni_match_algo or "wildcard",
        tls_ciphers_policy=option.tls_ciphers_policy or (DEFAULT_SYSTEM_POLICY if protocol in SECURITY_POLICY_LISTENERS else None),
        security_policy_id=policy.id if policy else None,
        enable_member_retry=option.enable_member_retry is not False,
        insert_headers=option.insert_headers or {},
        tags=checked_tags(option.tags),
        protection_status=option.protection_status or "nonProtection",
        protection_reason=option.protection_reason,
        enhance_l7policy_enable=bool(option.enhance_l7policy_enable),
        cps=option.cps or 0,
        connection=option.connection or 0,
        created_at=now,
        updated_at=now,
    )
    session.add(listener)
    if option.default_pool_id:
        l7policies.refuse_default_pool_in_use(session, project_id, option.default_pool_id)
        bind_pool_to_listener(session, lookups.pool(session, project_id, option.default_pool_id), listener)
    try:
        session.flush()
    except IntegrityError:
        raise _port_in_use(lb.id, option.protocol_port) from None
    if option.ipgroup is not None:
        ipgroups.bind(session, listener, ipgroups.named_groups(option.ipgroup.ipgroup_id), option.ipgroup.enable_ipgroup, option.ipgroup.type)
    keep_rows_in_step(session, listener)
    mark_changed(session, lb.id)
    return listener


def _port_in_use(load_balancer_id: str, port: int) -> Exception:
    return conflict(f"Load Balancer {load_balancer_id} already has a listener with protocol_port of {port}.")


def require_port(session: Session, host: Host, lb: LoadBalancer, protocol: str, port: int) -> str:
    """The transport of a new `protocol` listener on `port` of the load balancer, once no listener of
    that transport has the port and it is not elbd's own API port on the load balancer's address."""
    transport = transport_of(protocol)
    _require_free_port(session, lb.id, transport, port)
    _refuse_api_endpoint(host, lb, port)
    return transport


def _require_free_port(session: Session, load_balancer_id: str, transport: str, port: int) -> None:
    taken = select(Listener.id).where(
        Listener.loadbalancer_id == load_balancer_id, Listener.transport == transport, Listener.protocol_port == port
    )
    if session.scalars(taken).first():
        raise _port_in_use(load_balancer_id, port)


def _refuse_api_endpoint(host: Host, lb: LoadBalancer, port: int) -> None:
    vips = [canonical_address(vip) for vip in (lb.vip_address, lb.ipv6_vip_address) if vip]
    if any(host.api.taken_by_listener(vip, port) for vip in vips):
        raise conflict(f"Invalid input for 'protocol_port': {port} is elbd's own API port on this load balancer's address.")


def list_listeners(session: Session, *, project_id: str, filters: dict, page: PageRequest) -> Page[Listener]:
    query: Select = select(Listener).where(Listener.project_id == project_id)
    return paginate(session, apply_filters(query, FILTER_COLUMNS, filters), Listener, page)


def update_listener(session: Session, *, project_id: str, listener_id: str, option: ListenerUpdate) -> Listener:
    listener = lookups.listener(session, project_id, listener_id)
    _check_settings(listener.protocol, option, current=listener)
    changes = option.model_dump(exclude_unset=True)
    new_pool = changes.pop("default_pool_id", listener.default_pool_id)
    if listener.protocol in CERTIFICATE_LISTENERS and "default_tls_container_ref" in changes and not changes["default_tls_container_ref"]:
        raise invalid(f"Invalid input for 'default_tls_container_ref': a {listener.protocol} listener needs a server certificate.")
    unserved.refuse(unserved.LISTENERS, changes, stored=listener)
    if listener.protocol == "UDP":
        unserved.refuse(unserved.UDP_LISTENERS, changes, stored=listener)
    if changes.get("security_policy_id"):
        lookups.security_policy(session, project_id, changes["security_policy_id"])
    if "sni_container_refs" in changes:
        changes["sni_container_refs"] = changes["sni_container_refs"] or []  # null clears the list, as Terraform clears it
    if "client_ca_tls_container_ref" in changes:
        changes["client_ca_tls_container_ref"] = changes["client_ca_tls_container_ref"] or None  # "" clears it too
    stored = TlsReferences.of(listener)
    check_references(
        session,
        project_id,
        TlsReferences(
            changes.get("default_tls_container_ref") or stored.default,
            tuple(changes.get("sni_container_refs", stored.sni)),
            changes.get("client_ca_tls_container_ref", stored.client_ca),
        ),
    )
    if listener.protocol == "QUIC":
        changes.pop("http2_enable", None)  # always on for QUIC; the field cannot be set there
    enhancing = bool(option.enhance_l7policy_enable) and not listener.enhance_l7policy_enable
    nullable = ("client_ca_tls_container_ref", "protection_reason", "tls_ciphers_policy", "security_policy_id")
    for name, value in changes.items():
        if name not in STORED or (value is None and name not in nullable):
            continue
        setattr(listener, name, value)
    # The pool is checked against the listener as it is after this update (http2_enable included), and
    # a pool it keeps must still fit: switching HTTP/2 off under a GRPC pool is refused.
    if new_pool is None:
        listener.default_pool_id = None
    elif new_pool != listener.default_pool_id:
        l7policies.refuse_default_pool_in_use(session, project_id, new_pool)
        bind_pool_to_listener(session, lookups.pool(session, project_id, new_pool), listener)
    else:
        pool = lookups.pool(session, project_id, new_pool)
        check_pool_fits_listener(pool, listener)
        check_member_retry_agrees(session, pool, listener)
    if enhancing:
        l7policies.number_automatically_ordered(session, listener)
    if "ipgroup" in changes:  # null: the listener's access control is removed
        access = option.ipgroup
        if access is None:
            ipgroups.bind(session, listener, [], None, None)
        else:
            ipgroups.bind(session, listener, ipgroups.named_groups(access.ipgroup_id), access.enable_ipgroup, access.type)
    listener.updated_at = utcnow()
    keep_rows_in_step(session, listener)
    mark_changed(session, listener.loadbalancer_id)
    return listener


def delete_listener(session: Session, *, project_id: str, listener_id: str) -> None:
    listener = lookups.listener(session, project_id, listener_id)
    l7policies.refuse_deleting_listener_in_use(session, listener.id)
    session.delete(listener)
    mark_changed(session, listener.loadbalancer_id)
