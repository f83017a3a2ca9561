"""The UDP engine's pure parts: nginx.conf rendering (and what it refuses to render) and the
UDP_CONNECT checks' decisions."""

from ipaddress import IPv4Network, IPv6Address, ip_address
from pathlib import Path

import pytest

from elbd.dataplane import nginx_words
from elbd.dataplane.haproxy_words import UnsafeValue
from elbd.dataplane.model import AccessControl
from elbd.dataplane.nginx_render import render
from elbd.dataplane.udp_checks import FAILED, REFUSED, CheckState, after_probe, failure_of, starting_state
from elbd.dataplane.udp_model import UdpCheck, UdpConfig, UdpListener, UdpMember, UdpPool

RUN = Path("/var/lib/elbd/nginx/lb-1")
MODULE = Path("/usr/lib/nginx/modules/ngx_stream_module.so")
VIP = (ip_address("127.20.0.2"), IPv6Address("::1"))


def config(balance: str = "round_robin", access: AccessControl | None = None, members: tuple[UdpMember, ...] | None = None) -> UdpConfig:
    members = members if members is not None else (UdpMember("m-1", ip_address("127.0.0.10"), 53, 3), UdpMember("m-2", ip_address("127.0.0.11"), 53, 0))
    return UdpConfig((UdpListener("l-1", VIP, 5353, "p-1", 300, access),), (UdpPool("p-1", balance, members),))


def test_a_listener_and_its_pool() -> None:
    text = render(config(), frozenset(), RUN, MODULE)
    assert "listen 127.20.0.2:5353 udp;" in text and "listen [::1]:5353 udp;" in text
    assert "server 127.0.0.10:53 weight=3;" in text
    assert "server 127.0.0.11:53 down;" in text  # weight 0: on the ring, takes nothing
    assert "proxy_pass elbd_p-1;" in text and "proxy_timeout 300s;" in text


def test_source_ip_hashes_the_client_address_and_ignores_weights() -> None:
    text = render(config("source"), frozenset(), RUN, MODULE)
    assert "hash $remote_addr consistent;" in text and "weight=" not in text


def test_least_connections() -> None:
    assert "least_conn;" in render(config("least_conn"), frozenset(), RUN, MODULE)


def test_a_member_down_by_its_checks_is_down() -> None:
    members = (UdpMember("m-1", ip_address("127.0.0.10"), 53, 3), UdpMember("m-3", ip_address("127.0.0.12"), 53, 1))
    text = render(config(members=members), frozenset({"m-1"}), RUN, MODULE)
    assert "server 127.0.0.10:53 weight=3 down;" in text and "server 127.0.0.12:53 weight=1;" in text


def test_a_pool_with_no_member_to_send_to_drops_datagrams() -> None:
    text = render(config(members=()), frozenset(), RUN, MODULE)
    assert "upstream" not in text and "deny all;" in text and "proxy_pass" not in text


def test_access_lists() -> None:
    white = render(config(access=AccessControl("white", (IPv4Network("127.30.0.0/24"),))), frozenset(), RUN, MODULE)
    assert "allow 127.30.0.0/24;\n        deny all;" in white
    black = render(config(access=AccessControl("black", (IPv4Network("127.30.0.0/24"),))), frozenset(), RUN, MODULE)
    assert "deny 127.30.0.0/24;" in black and "deny all;" not in black
    assert "deny all;" in render(config(access=AccessControl("white", ())), frozenset(), RUN, MODULE)


@pytest.mark.parametrize("hostile", ["p-1;}\nstream{", "p 1", "$remote_addr", "p#1", "", "x" * 101, "../p"])
def test_a_hostile_name_is_never_rendered(hostile: str) -> None:
    with pytest.raises(UnsafeValue):
        render(UdpConfig((), (UdpPool(hostile, "round_robin", (UdpMember("m", ip_address("127.0.0.1"), 1, 1),)),)), frozenset(), RUN, MODULE)
    with pytest.raises(UnsafeValue):
        render(UdpConfig((UdpListener("l", VIP, 1, hostile),), (UdpPool(hostile, "round_robin", (UdpMember("m", ip_address("127.0.0.1"), 1, 1),)),)),
               frozenset(), RUN, MODULE)


@pytest.mark.parametrize("value", ["127.0.0.1", "::1;", 0, 65536, True])
def test_addresses_and_ports_are_values(value: object) -> None:
    with pytest.raises(UnsafeValue):
        nginx_words.endpoint(value, value if isinstance(value, int) else 53)  # type: ignore[arg-type]


def test_a_scoped_address_and_a_strange_path_are_refused() -> None:
    with pytest.raises(UnsafeValue):
        nginx_words.address(IPv6Address("fe80::1%eth0;"))
    with pytest.raises(UnsafeValue):
        render(config(), frozenset(), Path("/data dir;/x"), MODULE)
    with pytest.raises(UnsafeValue):
        nginx_words.balance_lines("random; include /etc/passwd")


CHECK = UdpCheck(interval_s=1, timeout_s=1, rise=2, fall=3)


def test_a_member_leaves_traffic_after_fall_refusals_in_a_row_with_the_reason() -> None:
    state = starting_state(None)
    for _ in range(2):
        state = after_probe(state, REFUSED, CHECK)
        assert state.in_traffic and state.health.status is None
    state = after_probe(state, REFUSED, CHECK)
    assert not state.in_traffic and state.health.status == "OFFLINE" and state.health.reason_code == "CONNECT_REFUSED"


def test_a_pass_between_failures_starts_the_count_again() -> None:
    state = CheckState()
    for failure in (REFUSED, REFUSED, None, REFUSED, REFUSED):
        state = after_probe(state, failure, CHECK)
    assert state.in_traffic


def test_a_member_comes_back_after_rise_passes() -> None:
    state = starting_state(False)  # stored OFFLINE when elbd started
    assert not state.in_traffic
    state = after_probe(state, None, CHECK)
    assert not state.in_traffic
    state = after_probe(state, None, CHECK)
    assert state.in_traffic and state.health.status == "ONLINE"


def test_socket_errors_as_reason_codes() -> None:
    assert failure_of(None) is None
    assert failure_of(ConnectionRefusedError()) == REFUSED
    assert failure_of(OSError(113, "No route to host")) == FAILED
