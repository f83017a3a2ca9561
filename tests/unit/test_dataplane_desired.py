from ipaddress import ip_address

from elbd.dataplane.desired import leaving_room_for_checks
from elbd.dataplane.model import Backend, HealthCheck, Server

CHECK = HealthCheck("TCP", 5, 3, 3, 3)


def servers(count: int) -> tuple[Server, ...]:
    return tuple(Server(f"m{n}", ip_address("127.0.0.1"), 1000 + n, 1) for n in range(count))


def test_each_checked_server_takes_half_a_connection_from_maxconn() -> None:
    checked = Backend("checked", "tcp", "roundrobin", check=CHECK, servers=servers(10_000))
    unchecked = Backend("unchecked", "tcp", "roundrobin", servers=servers(3_000))
    assert leaving_room_for_checks(9_500, [checked, unchecked]) == 4_500
    assert leaving_room_for_checks(9_500, [unchecked]) == 9_500


def test_maxconn_keeps_a_floor() -> None:
    checked = Backend("checked", "tcp", "roundrobin", check=CHECK, servers=servers(2_000))
    assert leaving_room_for_checks(1_000, [checked]) == 256
