"""The API's protocol tables for every protocol: which pool a listener takes, which check a pool takes.
Through the API elbd makes only the listeners and pools it serves (TCP and HTTP; schemas/unserved.py
refuses the rest), so the rules for the others, which stay for the issues that serve them, are checked
here on unsaved rows."""

import itertools
from collections.abc import Callable

import pytest

from elbd.errors import ElbError
from elbd.service.bindings import check_pool_fits_listener
from elbd.service.healthmonitors import _check_type
from elbd.service.protocols import transport_of
from elbd.store.models import Listener, Pool

# The listener-to-pool table of the API reference (section 1), written out independently of the code.
POOLS_FOR_LISTENER = {
    "TCP": {"TCP"},
    "UDP": {"UDP", "QUIC"},
    "HTTP": {"HTTP"},
    "HTTPS": {"HTTP", "HTTPS", "GRPC"},
    "QUIC": {"HTTP", "HTTPS", "GRPC"},
    "TLS": {"TLS", "TCP"},
}
POOL_PROTOCOLS = ("TCP", "UDP", "TLS", "GRPC", "HTTP", "HTTPS", "QUIC")

# The pool-protocol table of the API reference (section 3), written out independently of the code.
TYPES_FOR_POOL = {
    "UDP": {"UDP_CONNECT"},
    "QUIC": {"UDP_CONNECT"},
    "TCP": {"TCP", "HTTP", "HTTPS"},
    "HTTP": {"TCP", "HTTP", "HTTPS", "TLS", "GRPC"},
    "HTTPS": {"TCP", "HTTP", "HTTPS", "TLS", "GRPC"},
    "GRPC": {"TCP", "HTTP", "HTTPS", "TLS", "GRPC"},
    "TLS": {"TCP", "HTTP", "HTTPS", "TLS", "GRPC"},
}
MONITOR_TYPES = ("TCP", "UDP_CONNECT", "HTTP", "HTTPS", "GRPC", "TLS")


def _allowed(rule: Callable[[], None]) -> bool:
    try:
        rule()
    except ElbError as error:
        assert (error.status, error.code) == (400, "ELB.8902")
        return False
    return True


def _fits(pool: Pool, listener: Listener) -> bool:
    return _allowed(lambda: check_pool_fits_listener(pool, listener))


@pytest.mark.parametrize(("listener_protocol", "pool_protocol"), list(itertools.product(sorted(POOLS_FOR_LISTENER), POOL_PROTOCOLS)))
def test_pool_protocol_matrix(listener_protocol: str, pool_protocol: str) -> None:
    listener = Listener(protocol=listener_protocol, http2_enable=True)
    pool = Pool(protocol=pool_protocol, ip_version="v4")
    assert _fits(pool, listener) == (pool_protocol in POOLS_FOR_LISTENER[listener_protocol])


@pytest.mark.parametrize(("ip_version", "fits"), [("v4", True), ("dualstack", False)])
def test_a_tls_listener_takes_a_tcp_pool_only_with_ipv4(ip_version: str, fits: bool) -> None:
    assert _fits(Pool(protocol="TCP", ip_version=ip_version), Listener(protocol="TLS", http2_enable=False)) is fits


@pytest.mark.parametrize(("http2_enable", "fits"), [(True, True), (False, False)])
def test_a_grpc_pool_needs_http2(http2_enable: bool, fits: bool) -> None:
    assert _fits(Pool(protocol="GRPC", ip_version="v4"), Listener(protocol="HTTPS", http2_enable=http2_enable)) is fits


@pytest.mark.parametrize(
    ("protocol", "transport"), [("TCP", "tcp"), ("HTTP", "tcp"), ("HTTPS", "tcp"), ("TLS", "tcp"), ("UDP", "udp"), ("QUIC", "udp")]
)
def test_udp_and_quic_share_ports_with_each_other_only(protocol: str, transport: str) -> None:
    assert transport_of(protocol) == transport


@pytest.mark.parametrize(("pool_protocol", "monitor_type"), list(itertools.product(sorted(TYPES_FOR_POOL), MONITOR_TYPES)))
def test_monitor_type_per_pool_protocol(pool_protocol: str, monitor_type: str) -> None:
    pool = Pool(protocol=pool_protocol)
    assert _allowed(lambda: _check_type(pool, monitor_type)) == (monitor_type in TYPES_FOR_POOL[pool_protocol])
