"""Rendering a load balancer's HAProxy config is a pure function; golden files pin its output."""

import shutil
import subprocess
from dataclasses import replace
from ipaddress import ip_address
from pathlib import Path

import pytest

from elbd.dataplane.access_log_format import RELAY, RELAY_SOCKET_NAME, RING_NAME, SOCKET_NAME
from elbd.dataplane.haproxy_words import UnsafeValue
from elbd.dataplane.model import Backend, Frontend, HealthCheck, LoadBalancerConfig, Persistence, Server
from elbd.dataplane.render import _probed, endpoint, hash_id, member_cookie, render, server_options
from elbd.insert_headers import SERVED

GOLDEN = Path(__file__).parent / "golden"
RUN_DIR = Path("/var/lib/elbd/haproxy/lb-1")
SOCKET_DIR = Path("/tmp/elbd-0123/lb-1")

HTTP_CHECK = HealthCheck("HTTP", interval_s=5, timeout_s=3, rise=2, fall=3, host="127.1.0.5", expected_codes="200-204,300-399")


def sample() -> LoadBalancerConfig:
    return LoadBalancerConfig(
        "lb-1",
        4000,
        frontends=(
            Frontend(
                "listener-http", (ip_address("127.1.0.5"),), 80, "http", backend="pool-web", client_timeout_s=30, keepalive_timeout_s=15,
                request_headers=SERVED, member_timeout_s=45,
            ),
            Frontend("listener-tcp", (ip_address("127.1.0.5"), ip_address("fd00::5")), 5432, "tcp", enabled=False, client_timeout_s=300),
            Frontend("listener-empty", (ip_address("127.1.0.5"),), 8080, "http", forwarded_for="remove"),
        ),
        backends=(
            Backend(
                "pool-web",
                "http",
                "roundrobin",
                check=HTTP_CHECK,
                connect_timeout_s=3,
                servers=(Server("m-1", ip_address("127.1.0.10"), 8080, 1), Server("m-2", ip_address("127.1.0.11"), 8080, 0, held=True)),
            ),
            Backend("pool-db", "tcp", "source", servers=(Server("m-3", ip_address("fd00::10"), 5432, 7),), retry_members=False),
        ),
    )


def test_render_matches_the_golden_config() -> None:
    assert render(sample(), RUN_DIR, SOCKET_DIR) == (GOLDEN / "sample.cfg").read_text()


def test_render_is_deterministic() -> None:
    assert render(sample(), RUN_DIR, SOCKET_DIR) == render(sample(), RUN_DIR, SOCKET_DIR)


def test_only_listeners_whose_client_speaks_first_defer_accepting() -> None:
    binds = [line.strip() for line in render(sample(), RUN_DIR, SOCKET_DIR).splitlines() if line.strip().startswith("bind 127.1.0.5:")]
    assert binds == ["bind 127.1.0.5:80 defer-accept", "bind 127.1.0.5:5432", "bind 127.1.0.5:8080 defer-accept"]


def test_http_backends_share_idle_connections_unless_told_not_to() -> None:
    assert "http-reuse always" in render(sample(), RUN_DIR, SOCKET_DIR)
    private = replace(sample(), backends=(replace(sample().backends[0], share_connections=False), sample().backends[1]))
    assert "http-reuse never" in render(private, RUN_DIR, SOCKET_DIR)
    assert render(private, RUN_DIR, SOCKET_DIR).count("http-reuse") == 1  # a TCP backend has no requests to share


def test_skeleton_leaves_out_servers_only() -> None:
    skeleton = render(sample().skeleton(), RUN_DIR, SOCKET_DIR)
    assert "server m-1" not in skeleton and "http-check expect status '200-204,300-399'" in skeleton


def test_a_check_change_changes_the_skeleton() -> None:
    config = sample()
    slower_web = replace(config.backends[0], check=replace(HTTP_CHECK, rise=5))
    slower = replace(config, backends=(slower_web, config.backends[1]))
    assert render(slower.skeleton(), RUN_DIR, SOCKET_DIR) != render(config.skeleton(), RUN_DIR, SOCKET_DIR)


@pytest.mark.parametrize(
    ("address", "port", "expected"),
    [("127.0.0.1", 80, "127.0.0.1:80"), ("::1", 443, "[::1]:443"), ("127.0.0.1", 0, "127.0.0.1")],
)
def test_endpoint_forms(address: str, port: int, expected: str) -> None:
    assert endpoint(ip_address(address), port) == expected


def test_source_balancing_ignores_weights() -> None:
    backend = Backend("p", "tcp", "source")
    assert "weight 1" in server_options(backend, Server("m", ip_address("127.0.0.1"), 80, 0))
    assert "weight 0" in server_options(Backend("p", "tcp", "roundrobin"), Server("m", ip_address("127.0.0.1"), 80, 0))


def test_tls_checks_and_https_pools_use_ssl() -> None:
    backend = Backend("p", "tcp", "roundrobin", server_ssl=True, check=HealthCheck("TLS", 2, 1, 1, 1, port=8443))
    options = server_options(backend, Server("m", ip_address("127.0.0.1"), 443, 3))
    assert "ssl verify none" in options and "check-ssl verify none" in options and "port 8443" in options


def test_connection_limits_refuse_past_each_limit_and_only_when_set() -> None:
    limited = replace(sample().frontends[1], max_connections=1000, max_new_connections_per_s=50)
    text = render(replace(sample(), frontends=(limited,)), RUN_DIR, SOCKET_DIR)
    section = text.split("frontend listener-tcp\n")[1].split("\n\n")[0].splitlines()
    assert "    tcp-request connection reject if { fe_conn gt 1000 }" in section
    assert "    tcp-request connection reject if { fe_sess_rate ge 50 }" in section
    assert "tcp-request connection" not in render(sample(), RUN_DIR, SOCKET_DIR)


WEB = Server("m-1", ip_address("127.1.0.10"), 8080, 3)


def backend_text(backend: Backend) -> str:
    return render(LoadBalancerConfig("lb-1", 100, backends=(backend,)), RUN_DIR, SOCKET_DIR).split(f"backend {backend.name}\n")[1]


@pytest.mark.parametrize(
    ("balance", "persistence", "lines"),
    [
        ("roundrobin", Persistence("source"), ["balance source", "hash-type consistent"]),
        ("leastconn", Persistence("source"), ["balance source", "hash-type consistent"]),
        ("roundrobin", Persistence("cookie", idle_timeout_min=90), ["balance roundrobin", "cookie ELBD_MEMBER insert indirect nocache httponly maxidle 90m"]),
        ("leastconn", Persistence("app_cookie", cookie_name="JSESSIONID"), ["balance leastconn", "cookie 'JSESSIONID' prefix nocache"]),
    ],
)
def test_session_persistence_lines(balance: str, persistence: Persistence, lines: list[str]) -> None:
    text = backend_text(Backend("p", "http", balance, persistence=persistence, servers=(WEB,)))
    assert [line.strip() for line in text.splitlines() if line.strip().startswith(("balance", "hash-type", "cookie"))] == lines


def test_source_persistence_keeps_weights_where_the_source_algorithm_does_not() -> None:
    assert "weight 3" in server_options(Backend("p", "tcp", "roundrobin", persistence=Persistence("source")), WEB)
    assert "weight 1" in server_options(Backend("p", "tcp", "source", persistence=Persistence("source")), WEB)


def test_a_cookie_names_the_member_by_a_digest_of_its_id_the_same_in_every_rendering() -> None:
    backend = Backend("p", "http", "roundrobin", persistence=Persistence("cookie"))
    options = server_options(backend, WEB)
    assert f"cookie {member_cookie('m-1')}" in options and "m-1" not in options.split("cookie ")[1]
    assert member_cookie("m-1") == member_cookie("m-1") != member_cookie("m-2")
    assert "cookie" not in server_options(Backend("p", "http", "roundrobin", persistence=Persistence("source")), WEB)


@pytest.mark.parametrize("hostile", ["a b", "sid'x", "sid\nbackend x", "sid;", "", "x" * 1025, "sid#"])
def test_an_app_cookie_name_that_is_not_a_token_is_never_rendered(hostile: str) -> None:
    with pytest.raises(UnsafeValue):
        backend_text(Backend("p", "http", "roundrobin", persistence=Persistence("app_cookie", cookie_name=hostile)))


def test_cookie_persistence_on_a_tcp_backend_is_never_rendered() -> None:
    with pytest.raises(UnsafeValue):
        backend_text(Backend("p", "tcp", "roundrobin", persistence=Persistence("cookie")))


def test_slow_start_and_drain_options() -> None:
    slow = Backend("p", "http", "roundrobin", check=HTTP_CHECK, slowstart_s=45, drain_s=300, servers=(WEB,))
    options = server_options(slow, WEB)
    assert "slowstart 45s" in options and "on-marked-down" not in options  # draining: a member marked down keeps its connections
    assert "on-marked-down shutdown-sessions" in server_options(replace(slow, drain_s=None), WEB)
    text = render(LoadBalancerConfig("lb-1", 100, backends=(slow,)), RUN_DIR, SOCKET_DIR)
    assert "hard-stop-after 300s" in text and "# every server: slowstart 45s" in text  # in the skeleton: a change reloads


def test_a_source_hashing_server_has_an_id_from_its_member_id_whatever_the_order() -> None:
    """HAProxy places a server on the consistent-hash ring by its id: the same id in every process."""
    backend = Backend("p", "tcp", "roundrobin", persistence=Persistence("source"), servers=(WEB, replace(WEB, name="m-2")))
    reordered = replace(backend, servers=tuple(reversed(backend.servers)))
    assert hash_id(backend, WEB) == hash_id(reordered, WEB) == hash_id(Backend("p", "tcp", "source"), WEB)
    assert f"id {hash_id(backend, WEB)} weight 3" in server_options(backend, WEB)
    assert " id " not in server_options(Backend("p", "tcp", "roundrobin"), WEB)


def test_colliding_hash_ids_take_the_next_free_one() -> None:
    backend = Backend("p", "tcp", "source", servers=(WEB, replace(WEB, name="m-2")))
    first = hash_id(backend, WEB)
    assert 1 <= first < 2**31
    assert _probed("m-1", {first}) == first % (2**31 - 2) + 1  # the next id, wrapping to 1


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="needs HAProxy")
def test_an_access_log_goes_through_a_ring_and_a_relay_to_the_agents_stream_socket(tmp_path: Path) -> None:
    """HAProxy accepts the ring, its forwarder and the relay; a load balancer without a log tank has none of them."""
    text = render(replace(sample(), access_log=True), RUN_DIR, SOCKET_DIR)
    relay = SOCKET_DIR / RELAY_SOCKET_NAME
    assert f"log ring@{RING_NAME} " in text and f"\nring {RING_NAME}\n" in text
    assert f"server elbd-relay 'unix@{relay}' log-proto octet-count" in text  # the ring's forwarder, to the relay
    assert f"bind 'unix@{relay}' mode 600" in text and "tcp-request content accept if WAIT_END" in text
    assert f"server elbd-agent 'unix@{SOCKET_DIR.parent / SOCKET_NAME}'\n" in text  # the relay, to the agent
    plain = render(sample(), RUN_DIR, SOCKET_DIR)
    assert "ring " not in plain and RELAY not in plain
    path = tmp_path / "haproxy.cfg"
    path.write_text(render(replace(sample(), access_log=True), tmp_path, tmp_path))
    checked = subprocess.run([shutil.which("haproxy") or "haproxy", "-c", "-f", str(path)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
