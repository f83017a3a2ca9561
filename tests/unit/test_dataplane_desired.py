"""Stored state -> the configuration a load balancer's engine should run, as a pure function: the
whole-rebuild path every start, restart and structural change takes."""

import resource
from datetime import datetime
from ipaddress import ip_address

import pytest

from elbd.dataplane import desired
from elbd.dataplane.desired import desired_config, leaving_room_for_checks, maxconn_for, placed_servers
from elbd.dataplane.model import Backend, Frontend, HealthCheck, Persistence, PlacedServer, Server
from elbd.store.dataplane import StoredListener, StoredLoadBalancer, StoredMember, StoredMonitor, StoredPool

CHECK = HealthCheck("TCP", 5, 3, 3, 3)
WHEN = datetime(2026, 1, 1)


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


def listener(**changes: object) -> StoredListener:
    return StoredListener("l-1", "HTTP", 80, True, "p-1", 15, 30, 45, False, None, None, [], None, None)._replace(**changes)


def monitor(**changes: object) -> StoredMonitor:
    return StoredMonitor("p-1", "HTTP", 4, 2, 3, 5, 8080, "HEAD", "/health", "example.com", "200-204", True)._replace(**changes)


def member(name: str, **changes: object) -> StoredMember:
    return StoredMember(name, "p-1", "127.20.0.10", 8080, 1, False, WHEN)._replace(**changes)


def stored(**changes: object) -> StoredLoadBalancer:
    fields: dict[str, object] = {
        "id": "lb-1",
        "vip_address": "127.20.0.2",
        "ipv6_vip_address": "fd00::2",
        "listeners": (listener(),),
        "pools": (StoredPool("p-1", "HTTP", "ROUND_ROBIN", True),),
        "monitors": {"p-1": monitor()},
        "members": (member("m-1"), member("m-2", weight=0, address="fd00::10", drained=True)),
    }
    fields.update(changes)
    return StoredLoadBalancer(**fields)  # type: ignore[arg-type]


def test_a_stored_load_balancer_becomes_its_configuration() -> None:
    config = desired_config(stored(), maxconn=4_000)
    assert config.id == "lb-1" and config.maxconn == 4_000 - 1
    assert config.frontends == (
        Frontend(
            "l-1", (ip_address("127.20.0.2"), ip_address("fd00::2")), 80, "http", True, "p-1", client_timeout_s=30, keepalive_timeout_s=15,
            request_headers=("X-Forwarded-Host",), forwarded_for="append", member_timeout_s=45,
        ),
    )
    [backend] = config.backends
    assert backend.name == "p-1" and backend.mode == "http" and backend.balance == "roundrobin" and not backend.server_ssl
    assert backend.check == HealthCheck("HTTP", 4, 2, rise=3, fall=5, port=8080, http_method="HEAD", url_path="/health", host="example.com", expected_codes="200-204")
    assert backend.connect_timeout_s == 2 and backend.server_timeout_s == 45
    assert backend.servers == (
        Server("m-1", ip_address("127.20.0.10"), 8080, 1),
        Server("m-2", ip_address("fd00::10"), 8080, 0, held=True),  # weight 0 kept; drained: held
    )


def test_an_http_pool_shares_backend_connections_unless_its_extension_says_not() -> None:
    assert desired_config(stored(), 4_000).backends[0].share_connections is True
    assert desired_config(stored(pools=(StoredPool("p-1", "HTTP", "ROUND_ROBIN", False),)), 4_000).backends[0].share_connections is False


def test_rise_is_max_retries_and_fall_is_max_retries_down() -> None:
    check = desired_config(stored(monitors={"p-1": monitor(max_retries=2, max_retries_down=7)}), 4_000).backends[0].check
    assert check is not None and (check.rise, check.fall) == (2, 7)


@pytest.mark.parametrize(("changes", "expected"), [({"admin_state_up": False}, None), ({"type": "UDP_CONNECT"}, None), ({"domain_name": None}, "127.20.0.2")])
def test_the_monitor_decides_the_check(changes: dict[str, object], expected: str | None) -> None:
    check = desired_config(stored(monitors={"p-1": monitor(**changes)}), 4_000).backends[0].check
    assert (check.host if check else None) == expected


@pytest.mark.parametrize(
    ("protocol", "algorithm", "mode", "balance", "ssl"),
    [("TCP", "ROUND_ROBIN", "tcp", "roundrobin", False), ("TLS", "LEAST_CONNECTIONS", "tcp", "leastconn", True), ("HTTPS", "SOURCE_IP", "http", "source", True)],
)
def test_pool_protocols_and_algorithms(protocol: str, algorithm: str, mode: str, balance: str, ssl: bool) -> None:
    [backend] = desired_config(stored(pools=(StoredPool("p-1", protocol, algorithm, True),)), 4_000).backends
    assert (backend.mode, backend.balance, backend.server_ssl) == (mode, balance, ssl)


def test_a_pool_elbd_does_not_serve_is_left_out_and_its_listener_has_no_backend() -> None:
    config = desired_config(stored(pools=(StoredPool("p-1", "UDP", "ROUND_ROBIN", True),)), 4_000)
    assert config.backends == () and config.frontends[0].backend is None


def test_a_disabled_listener_and_one_elbd_does_not_serve() -> None:
    config = desired_config(stored(listeners=(listener(admin_state_up=False), listener(id="l-2", protocol="UDP"))), 4_000)
    assert [(frontend.name, frontend.enabled) for frontend in config.frontends] == [("l-1", False)]


def test_without_a_vip_no_listener_is_bound_and_a_timeout_without_users_is_the_default() -> None:
    config = desired_config(stored(vip_address=None, ipv6_vip_address=None, listeners=()), 4_000)
    assert config.frontends == () and config.backends[0].server_timeout_s == 60


def test_an_address_an_older_elbd_stored_with_a_zone_is_left_out() -> None:
    config = desired_config(stored(members=(member("m-1", address="fd00::5%x\nserver e 127.0.0.1:9876"), member("m-2"))), 4_000)
    assert [server.name for server in config.backends[0].servers] == ["m-2"]


def test_placed_servers_keep_the_order_given_and_leave_out_what_cannot_be_served() -> None:
    placed = placed_servers([member("m-2", drained=True), member("m-1", address="FD00::1"), member("m-3", pool_id="p-2")])
    assert placed == {
        "m-2": PlacedServer("p-1", Server("m-2", ip_address("127.20.0.10"), 8080, 1, held=True)),
        "m-3": PlacedServer("p-2", Server("m-3", ip_address("127.20.0.10"), 8080, 1)),
    }


def test_placed_servers_keep_weight_zero_and_hold_a_drained_member() -> None:
    """The member-change path: what the planner is handed for a member updated to weight 0, or whose
    instance stopped."""
    placed = placed_servers([member("m-1", weight=0), member("m-2", weight=0, drained=True), member("m-3", weight=7)])
    assert placed == {
        "m-1": PlacedServer("p-1", Server("m-1", ip_address("127.20.0.10"), 8080, 0)),
        "m-2": PlacedServer("p-1", Server("m-2", ip_address("127.20.0.10"), 8080, 0, held=True)),
        "m-3": PlacedServer("p-1", Server("m-3", ip_address("127.20.0.10"), 8080, 7)),
    }


def test_a_drained_member_is_held_by_every_rebuild_and_only_it() -> None:
    members = (member("m-1", drained=True), member("m-2"), member("m-3", drained=True, weight=0))
    config = desired_config(stored(members=members), 4_000)
    assert [(server.name, server.held) for server in config.backends[0].servers] == [("m-1", True), ("m-2", False), ("m-3", True)]
    without_monitor = desired_config(stored(members=members, monitors={}), 4_000)
    assert [server.held for server in without_monitor.backends[0].servers] == [True, False, True]


class FileMax:
    """Stands in for /proc/sys/fs/file-max: its text, or the error reading it raises."""

    def __init__(self, text: str | None) -> None:
        self.text = text

    def __call__(self, path: str) -> "FileMax":
        assert path == "/proc/sys/fs/file-max"
        if self.text is None:
            raise OSError("no /proc here")
        return self

    def __enter__(self) -> "FileMax":
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def read(self) -> str:
        return self.text or ""


@pytest.mark.parametrize(
    ("limits", "file_max", "load_balancers", "expected"),
    [
        ((4_096, 100_000), "100000000\n", 200, (100_000 - 1_000) // 2),  # the hard limit binds
        ((4_096, 100_000), "1000000\n", 200, (1_000_000 // 200 - 1_000) // 2),  # the host's share binds
        ((8_192, resource.RLIM_INFINITY), "100000000\n", 1, (8_192 - 1_000) // 2),  # no hard limit: the soft one
        ((4_096, 100_000), None, 200, (100_000 - 1_000) // 2),  # file-max unreadable: the process limit alone
        ((4_096, 100_000), "many\n", 200, (100_000 - 1_000) // 2),  # or unparsable
        ((4_096, 100_000), "50000\n", 0, (50_000 - 1_000) // 2),  # no load balancer yet: counted as one
        ((1_024, 1_024), "10000000\n", 1, 256),  # the floor
    ],
)
def test_maxconn_shares_the_descriptors_of_the_process_and_the_host(
    monkeypatch: pytest.MonkeyPatch, limits: tuple[int, int], file_max: str | None, load_balancers: int, expected: int
) -> None:
    monkeypatch.setattr(resource, "getrlimit", lambda which: limits if which == resource.RLIMIT_NOFILE else (0, 0))
    monkeypatch.setattr(desired, "open", FileMax(file_max), raising=False)
    got = maxconn_for(load_balancers)
    assert got == expected and type(got) is int


def test_pools_after_one_elbd_does_not_serve_are_still_served() -> None:
    pools = (StoredPool("p-0", "UDP", "ROUND_ROBIN", True), StoredPool("p-1", "HTTP", "ROUND_ROBIN", True), StoredPool("p-2", "TCP", "QUIC_CID", True))
    assert [backend.name for backend in desired_config(stored(pools=pools), 4_000).backends] == ["p-1"]
    pools = (StoredPool("p-2", "TCP", "QUIC_CID", True), StoredPool("p-1", "HTTP", "ROUND_ROBIN", True))
    assert [backend.name for backend in desired_config(stored(pools=pools), 4_000).backends] == ["p-1"]


def test_an_unchecked_pool_connects_with_a_5_second_timeout() -> None:
    [backend] = desired_config(stored(monitors={}), 4_000).backends
    assert backend.check is None and backend.connect_timeout_s == 5


def test_an_address_left_out_is_logged_with_the_reason(caplog: pytest.LogCaptureFixture) -> None:
    desired_config(stored(members=(member("m-1", address="FD00::5"),)), 4_000)
    assert [record.getMessage() for record in caplog.records] == [
        "an address in the database is left out of the data plane: 'FD00::5' is not written canonically: write it as fd00::5"
    ]


@pytest.mark.parametrize(
    ("protocol", "persistence", "expected"),
    [
        ("TCP", {"type": "SOURCE_IP", "cookie_name": None, "persistence_timeout": 5}, Persistence("source")),
        ("TLS", {"type": "SOURCE_IP", "cookie_name": None, "persistence_timeout": 1}, Persistence("source")),
        ("HTTP", {"type": "HTTP_COOKIE", "cookie_name": None, "persistence_timeout": 90}, Persistence("cookie", idle_timeout_min=90)),
        ("HTTPS", {"type": "APP_COOKIE", "cookie_name": "JSESSIONID", "persistence_timeout": 1440}, Persistence("app_cookie", cookie_name="JSESSIONID")),
        ("HTTP", None, None),
    ],
)
def test_a_pools_session_persistence(protocol: str, persistence: dict | None, expected: Persistence | None) -> None:
    [backend] = desired_config(stored(pools=(StoredPool("p-1", protocol, "ROUND_ROBIN", True, persistence),)), 4_000).backends
    assert backend.persistence == expected


@pytest.mark.parametrize(
    ("slow_start", "drain", "expected"),
    [
        ({"enable": True, "duration": 90}, {"enable": True, "timeout": 600}, (90, 600)),
        ({"enable": False, "duration": 90}, {"enable": False, "timeout": 600}, (None, None)),
        (None, None, (None, None)),
    ],
)
def test_slow_start_and_draining_count_only_when_enabled(slow_start: dict | None, drain: dict | None, expected: tuple) -> None:
    [backend] = desired_config(stored(pools=(StoredPool("p-1", "HTTP", "ROUND_ROBIN", True, None, slow_start, drain),)), 4_000).backends
    assert (backend.slowstart_s, backend.drain_s) == expected


def udp_stored(**changes: object) -> StoredLoadBalancer:
    fields: dict[str, object] = {
        "listeners": (listener(protocol="UDP", protocol_port=53, keepalive_timeout=300),),
        "pools": (StoredPool("p-1", "UDP", "LEAST_CONNECTIONS", False),),
        "monitors": {"p-1": monitor(type="UDP_CONNECT", monitor_port=None)},
        "members": (member("m-1", weight=7), member("m-2", weight=5, drained=True)),
    }
    return stored(**{**fields, **changes})


def test_udp_listeners_and_pools_go_to_the_udp_engine_not_haproxy() -> None:
    config = desired_config(udp_stored(), 4000)
    assert config.frontends == () and config.backends == ()
    (served,) = config.udp.listeners
    assert (served.port, served.pool, served.idle_timeout_s, served.addresses) == (53, "p-1", 300, (ip_address("127.20.0.2"), ip_address("fd00::2")))
    (pool,) = config.udp.pools
    assert pool.balance == "least_conn" and [(one.name, one.weight) for one in pool.members] == [("m-1", 7), ("m-2", 0)]  # drained: no new flow
    assert pool.check is not None and (pool.check.interval_s, pool.check.timeout_s, pool.check.rise, pool.check.fall) == (4, 2, 3, 5)


def test_a_udp_pool_with_persistence_hashes_the_client_address_whatever_type_it_names() -> None:
    config = desired_config(udp_stored(pools=(StoredPool("p-1", "UDP", "ROUND_ROBIN", False, session_persistence={"type": "HTTP_COOKIE"}),)), 4000)
    assert config.udp.pools[0].balance == "source"


def test_a_disabled_udp_listener_is_not_served_and_a_tcp_monitor_is_no_udp_check() -> None:
    config = desired_config(udp_stored(listeners=(listener(protocol="UDP", admin_state_up=False),), monitors={"p-1": monitor(type="TCP")}), 4000)
    assert config.udp.listeners == () and config.udp.pools[0].check is None
