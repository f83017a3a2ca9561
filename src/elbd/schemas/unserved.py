"""What the ELB API offers and elbd does not serve yet: refused with a 400, never stored and ignored.

One table per resource. Its service runs the table once the API's own rules have passed, so a request
the real API would refuse still hears why, and one it would accept hears that elbd does not serve it.
A value asks for something only when it changes what traffic does: null, {}, switches set to false
and zero limits ask for nothing and stay accepted (the official SDK and Terraform send them).

On an update, an attribute the request leaves out counts with its stored value: a resource an earlier
elbd stored while accepting these values cannot be changed until the request sets them right (the
protocol, fixed at creation, never can), and can always be deleted.

The issue that serves one of these deletes its entry, and the README's line about it; the OpenAPI
document describes these attributes from the tables (`note`), so it follows. The tables sit beside the
request bodies, whose descriptions read them; the services, a layer above, run them.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from elbd.errors import invalid
from elbd.insert_headers import SERVED, TLS_SERVED, unserved_asked
from elbd.tls_policies import ABSENT_FROM_OPENSSL
from elbd.udp_engine import INSTALL_HINT, udp_engine_missing


@dataclass(frozen=True)
class Unserved:
    """`field` asks for what elbd does not serve when `asks(value)` (never called with null); `refused`
    says which values, for the API document; `reason` follows "Invalid input for 'field': " and may
    name the value as {value}."""

    field: str
    asks: Callable[[Any], bool]
    refused: str
    reason: str


def _one_of(*values: Any) -> Callable[[Any], bool]:
    return lambda value: value in values


def _given(value: Any) -> bool:
    """True, a number but 0, or a non-empty list."""
    return bool(value)


def _any(field: str, reason: str) -> Unserved:
    """Refuses every value of `field` but null."""
    return Unserved(field, lambda _value: True, "any value but null", reason)


def _switch(field: str) -> Unserved:
    return Unserved(field, _given, "true", "elbd does not serve it yet; send false or leave it out.")


_LISTENERS_NOW = "it serves TCP, UDP, HTTP, HTTPS and TLS listeners now"
_POOLS_NOW = "it serves TCP, UDP, HTTP, HTTPS and TLS backend server groups now"
_CHECKS_NOW = "it runs TCP, UDP_CONNECT, HTTP, HTTPS and TLS checks now"
_BALANCING_NOW = "it balances by ROUND_ROBIN, LEAST_CONNECTIONS and SOURCE_IP now"

_NO_QUIC = "the packaged HAProxy is built without QUIC, and elbd's UDP engine (nginx's stream module) forwards datagrams, not QUIC"


def _udp_unservable(value: Any) -> bool:
    """UDP while this host lacks the UDP engine (nginx and its stream module)."""
    return value == "UDP" and udp_engine_missing() is not None


LISTENERS = (
    Unserved(
        "protocol", _one_of("QUIC"), "QUIC (the packaged HAProxy has no QUIC)",
        f"elbd does not serve QUIC listeners: {_NO_QUIC}; use UDP or TCP.",
    ),
    Unserved(
        "protocol", _udp_unservable, "UDP where nginx's stream module is not installed",
        f"elbd serves no UDP listeners on this host: it has no UDP engine (nginx with its stream module); {INSTALL_HINT}.",
    ),
    Unserved(
        "protocol", _one_of("IP"), "IP (they need a gateway load balancer)",
        f"elbd does not serve IP listeners: {_LISTENERS_NOW}; IP listeners need a gateway load balancer, which elbd does not offer.",
    ),
    Unserved("port_ranges", _given, "a non-empty list", "elbd does not serve port ranges yet; give one protocol_port from 1 to 65535."),
    Unserved(
        "insert_headers", unserved_asked,
        "X-Forwarded-TLS-Certificate-ID, a client-certificate header (X-Forwarded-Clientcert*) or a JA3/JA4 one true, "
        "or a header alias",
        "elbd does not insert X-Forwarded-TLS-Certificate-ID, the client-certificate headers (X-Forwarded-Clientcert*), "
        "X-Forwarded-Tls-Ja3 and -Ja4 nor renamed headers (aliases) yet; it inserts "
        f"{', '.join((*SERVED, *TLS_SERVED))} and X-Forwarded-For (append, remove or preserve); set the others false "
        "and leave the aliases out.",
    ),
    Unserved(
        "sni_match_algo", _one_of("longest_suffix"), "longest_suffix",
        "elbd does not serve longest_suffix SNI matching yet: it matches a client's name exactly, then by a wildcard "
        "that stands for one label (wildcard); send wildcard or leave it out.",
    ),
    _any("quic_config", "elbd does not serve QUIC upgrade yet."),
    _switch("transparent_client_ip_enable"),
    _switch("proxy_protocol_enable"),
    _switch("gzip_enable"),
    _switch("ssl_early_data_enable"),
    _switch("nat64_enable"),
)

UDP_LISTENERS = (  # what a UDP listener (nginx's stream module) does not serve beside LISTENERS
    Unserved("cps", _given, "anything but 0 on a UDP listener", "elbd does not limit new UDP flows yet; only 0 (unlimited) is accepted."),
    Unserved(
        "connection", _given, "anything but 0 on a UDP listener", "elbd does not limit concurrent UDP flows yet; only 0 (unlimited) is accepted."
    ),
)

UDP_POOLS = (  # what a UDP pool (nginx's stream module) does not serve beside POOLS
    Unserved(
        "any_port_enable", _given, "true on a UDP backend server group",
        "elbd's UDP engine forwards to each member's own port only; give the members a protocol_port.",
    ),
    Unserved(
        "connection_drain", lambda value: bool(value.get("enable")), "enable true on a UDP backend server group",
        "elbd does not drain UDP flows yet (a removed member's flows end within 10 s of the change); send enable false.",
    ),
)

POOLS = (
    Unserved(
        "protocol", _one_of("QUIC"), "QUIC (the packaged HAProxy has no QUIC)",
        f"elbd does not serve QUIC backend server groups: {_NO_QUIC}; use UDP or TCP.",
    ),
    Unserved(
        "protocol", _udp_unservable, "UDP where nginx's stream module is not installed",
        f"elbd serves no UDP backend server groups on this host: it has no UDP engine (nginx with its stream module); {INSTALL_HINT}.",
    ),
    Unserved(
        "protocol", _one_of("GRPC"), "GRPC (HTTP/2 to backend servers)",
        f"elbd does not serve GRPC backend server groups yet: {_POOLS_NOW}; GRPC needs HTTP/2 to the backend servers, which elbd does not speak yet.",
    ),
    Unserved(
        "protocol", _one_of("IP"), "IP (they need a gateway load balancer)",
        f"elbd does not serve IP backend server groups: {_POOLS_NOW}; IP ones need a gateway load balancer, which elbd does not offer.",
    ),
    Unserved(
        "lb_algorithm", _one_of("QUIC_CID"), "QUIC_CID (with QUIC)",
        f"elbd does not serve QUIC_CID yet: {_BALANCING_NOW}; QUIC_CID comes with QUIC backend server groups.",
    ),
    Unserved(
        "lb_algorithm", _one_of("2_TUPLE_HASH", "3_TUPLE_HASH", "5_TUPLE_HASH"),
        "2_TUPLE_HASH, 3_TUPLE_HASH and 5_TUPLE_HASH (with IP backend server groups)",
        f"elbd does not serve {{value}} yet: {_BALANCING_NOW}; the tuple hashes come with IP backend server groups.",
    ),
    Unserved(
        "pool_health", lambda value: bool(value.get("minimum_healthy_member_count")), "minimum_healthy_member_count 1",
        "elbd does not serve forwarding to every backend server when none is healthy yet; "
        "send minimum_healthy_member_count 0 or leave pool_health out.",
    ),
    _any("az_affinity", "elbd does not serve availability-zone affinity yet."),
)

MASTER_SLAVE_POOLS = (  # beside POOLS, which an active/standby pool passes too
    Unserved(
        "protocol", _one_of("UDP"), "UDP",
        "elbd does not serve active/standby UDP backend server groups yet: it serves them on TCP and TLS (HAProxy backup servers).",
    ),
)

HEALTH_MONITORS = (
    Unserved(
        "type", _one_of("GRPC"), "GRPC (with GRPC backend server groups)",
        f"elbd does not serve GRPC health checks yet: {_CHECKS_NOW}; GRPC comes with GRPC backend server groups.",
    ),
    Unserved(
        "type", lambda value: value == "UDP_CONNECT" and udp_engine_missing() is not None, "UDP_CONNECT where nginx's stream module is not installed",
        f"elbd runs no UDP_CONNECT health checks on this host: it has no UDP engine (nginx with its stream module); {INSTALL_HINT}.",
    ),
)

LOAD_BALANCERS = (
    _any("waf_failure_action", "elbd has no WAF yet; leave it out."),
    _any("publicip_ids", "elbd does not serve EIPs yet."),
    _any("publicip", "elbd does not serve EIPs yet."),
    _any("bandwidth", "elbd does not serve EIPs yet."),
    _any("ipv6_bandwidth", "elbd does not serve bandwidths yet."),
    _any("billing_info", "elbd bills nothing."),
    _any("prepaid_options", "elbd bills nothing."),
    Unserved(
        "charge_mode", lambda value: value != "flavor", "anything but flavor",
        "elbd bills nothing; only flavor, the mode it reports, is accepted.",
    ),
    _any("autoscaling", "elbd does not serve autoscaling yet."),
)

SECURITY_POLICIES = (
    Unserved(
        "ciphers", lambda names: bool(ABSENT_FROM_OPENSSL.intersection(names)), "DES-CBC3-SHA (OpenSSL 3 has no 3DES)",
        "elbd does not serve DES-CBC3-SHA: the OpenSSL 3 of its data plane has no 3DES suites, so no handshake could use it; "
        "leave it out.",
    ),
)

CERTIFICATES = (
    Unserved(
        "type", _one_of("server_sm"), "server_sm (SM2 certificates)",
        "elbd does not serve SM2 certificates (server_sm): its data plane's OpenSSL has no SM2 cipher suites; "
        "use a server certificate (RSA or ECDSA).",
    ),
)

def _asks_anything(value: Mapping[str, Any]) -> bool:
    """An object any of whose values asks for something (true, a number but 0, a non-empty list or object)."""
    return any(_asks_anything(inner) if isinstance(inner, Mapping) else bool(inner) for inner in value.values())


L7POLICIES = (
    Unserved("admin_state_up", _one_of(False), "false", "a forwarding policy is always up; send true or leave it out."),
    _any("position", "it is deprecated and not served; leave it out (priority orders policies)."),
    _any("redirect_url", "it is deprecated and not served; use redirect_url_config."),
    Unserved(
        "redirect_pools_extend_config", _asks_anything, "anything that asks for something (URL rewriting, headers, limits, CORS, mirroring)",
        "elbd does not serve URL rewriting, header changes, traffic limits, CORS or mirroring in forwarding policies yet; leave it out.",
    ),
)

# Inside redirect_url_config and fixed_response_config.
L7_RESPONSE_CONFIGS = (
    Unserved(
        "traffic_limit_config", _asks_anything, "any limit",
        "elbd does not limit traffic in forwarding policies yet; leave it out.",
    ),
)

L7RULES = (
    Unserved("admin_state_up", _one_of(False), "false", "a forwarding rule is always up; send true or leave it out."),
    Unserved("invert", _given, "true", "elbd does not serve inverted matches; send false or leave it out."),
    Unserved(
        "key", _given, "a non-empty key",
        "it is deprecated and not served; give a header, query-string or cookie name as the key of each of the rule's conditions.",
    ),
)

# Attributes a load balancer takes at creation, but whose change elbd does not serve.
LOAD_BALANCER_CHANGES = tuple(
    _any(field, "elbd does not serve changing a VIP yet: a VIP is fixed at creation.")
    for field in ("vip_subnet_cidr_id", "vip_address", "ipv6_vip_virsubnet_id", "ipv6_vip_address")
)


def refuse(table: tuple[Unserved, ...], asked: Mapping[str, Any], stored: object | None = None) -> None:
    """A 400 for the first entry of `table` asked for: `asked` holds the request's attributes as JSON
    values; on an update, `stored` (the resource) gives the value of each attribute the request leaves out."""
    for entry in table:
        value = asked[entry.field] if entry.field in asked else getattr(stored, entry.field, None)
        if value is not None and entry.asks(value):
            raise invalid(f"Invalid input for '{entry.field}': {entry.reason.replace('{value}', str(value))}")


def note(table: tuple[Unserved, ...], field: str) -> str:
    """What the API document says of `field`: the values refused, and that they are not served yet."""
    refused = "; ".join(entry.refused for entry in table if entry.field == field)
    if not refused:
        raise KeyError(f"no entry for {field}")
    return f"Not served by elbd yet, refused with 400: {refused}."
