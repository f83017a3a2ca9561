"""The API's listener-to-pool rules for every protocol. Through the API elbd makes only the listeners it
serves (TCP and HTTP; service/unserved.py refuses the rest), so the rules for the others, which stay
for the issues that serve them, are checked here on unsaved rows."""

import itertools

import pytest

from elbd.errors import ElbError
from elbd.service.bindings import check_pool_fits_listener
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


def _fits(pool: Pool, listener: Listener) -> bool:
    try:
        check_pool_fits_listener(pool, listener)
    except ElbError as error:
        assert (error.status, error.code) == (400, "ELB.8902")
        return False
    return True


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


@pytest.mark.parametrize(("protocol", "transport"), [("TCP", "tcp"), ("HTTP", "tcp"), ("HTTPS", "tcp"), ("TLS", "tcp"), ("UDP", "udp"), ("QUIC", "udp")])
def test_udp_and_quic_share_ports_with_each_other_only(protocol: str, transport: str) -> None:
    assert transport_of(protocol) == transport
