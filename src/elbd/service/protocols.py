"""The protocol tables of ELB v3: which pool fits which listener, which check fits which pool."""

POOLS_FOR_LISTENER: dict[str, tuple[str, ...]] = {
    "UDP": ("UDP", "QUIC"),
    "TCP": ("TCP",),
    "HTTP": ("HTTP",),
    "HTTPS": ("HTTP", "HTTPS", "GRPC"),
    "QUIC": ("HTTP", "HTTPS", "GRPC"),
    "TLS": ("TLS", "TCP"),
}

MONITOR_TYPES_FOR_POOL: dict[str, tuple[str, ...]] = {
    "QUIC": ("UDP_CONNECT",),
    "UDP": ("UDP_CONNECT",),
    "TCP": ("TCP", "HTTP", "HTTPS"),
    "IP": ("TCP", "HTTP", "HTTPS"),
    "HTTP": ("TCP", "HTTP", "HTTPS", "TLS", "GRPC"),
    "HTTPS": ("TCP", "HTTP", "HTTPS", "TLS", "GRPC"),
    "GRPC": ("TCP", "HTTP", "HTTPS", "TLS", "GRPC"),
    "TLS": ("TCP", "HTTP", "HTTPS", "TLS", "GRPC"),
}

# IP-as-a-backend members. The "Adding a Backend Server" page's constraint list names TCP, HTTP and HTTPS;
# its field note and the current SDK name these seven. elbd follows the newer, broader list.
IP_MEMBER_POOL_PROTOCOLS = ("TCP", "UDP", "TLS", "HTTP", "HTTPS", "QUIC", "GRPC")

UDP_TRANSPORT = ("UDP", "QUIC")
HTTP_LISTENERS = ("HTTP", "HTTPS")
CERTIFICATE_LISTENERS = ("HTTPS", "TLS", "QUIC")
SECURITY_POLICY_LISTENERS = ("HTTPS", "TLS")  # the SDK: QUIC listeners take neither tls_ciphers_policy nor security_policy_id
L4_POOLS = ("TCP", "UDP", "QUIC", "TLS", "IP")
ANY_PORT_POOLS = ("TCP", "UDP", "QUIC")
CONNECTION_REUSE_POOLS = ("HTTP", "HTTPS", "GRPC")  # requests, not connections, are balanced: connections can be shared


def transport_of(listener_protocol: str) -> str:
    """Listeners of one transport may not share a port on a load balancer."""
    return "udp" if listener_protocol in UDP_TRANSPORT else "tcp"
