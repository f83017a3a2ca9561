"""An HTTP or HTTPS listener's insert_headers, enable_member_retry and member_timeout, on real traffic:
what a member receives (each header set, replaced when a client forged it, absent or as the client sent
it when off), a PUT that changes the next requests, retries around a member that refuses connections,
and a 504 once a member is slower than the listener's member_timeout."""

import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from elbd.dataplane.haproxy_engine import process_for
from tests.dataplane.conftest import VIP, SharedLoadBalancer, Site, listener_site, server_line, shared_load_balancer, wait_for
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on
from tests.dataplane.test_tls_listeners import TlsSite, client_context, serving, tls_site  # noqa: F401 (tls_site: a fixture)

CLIENT = "127.20.0.77"  # the client's source address: never the VIP, never a member's
FORGED = {
    "X-Real-IP": "6.6.6.6",
    "X-Forwarded-ELB-IP": "6.6.6.7",
    "X-Forwarded-ELB-ID": "forged-id",
    "X-Forwarded-Port": "1",
    "X-Forwarded-For-Port": "2",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "forged.example.com",
    "X-Forwarded-For": "6.6.6.8",
}
SERVED = ("X-Forwarded-ELB-IP", "X-Forwarded-Port", "X-Forwarded-For-Port", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP", "X-Forwarded-ELB-ID")


class Sent:
    """One request through the VIP from CLIENT on a new connection: its answer, and the client's port."""

    def __init__(self, port: int, headers: dict[str, str], host: str | None = "shop.example.com", timeout_s: float = 10.0) -> None:
        start = ["GET / HTTP/1.1", f"Host: {host}"] if host is not None else ["GET / HTTP/1.0"]  # HTTP/1.0 may send no Host
        lines = [*start, "Connection: close", *(f"{name}: {value}" for name, value in headers.items())]
        with socket.create_connection((VIP, port), timeout=timeout_s, source_address=(CLIENT, 0)) as connection:
            self.client_port = connection.getsockname()[1]
            connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            answer = b""
            for _ in range(1000):
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
        self.status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0


def received(backend: FakeBackend) -> dict[str, list[str]]:
    """The headers of the last request `backend` received: lower-case name -> values, in order."""
    headers: dict[str, list[str]] = {}
    for line in backend.last_request.decode("latin-1").split("\r\n")[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers.setdefault(name.strip().lower(), []).append(value.strip())
    return headers


def heard(site_port: int, backend: FakeBackend, until: Callable[[dict[str, list[str]]], bool], headers: dict[str, str] = FORGED,
          timeout_s: float = 15.0, host: str | None = "shop.example.com") -> tuple[Sent, dict[str, list[str]]]:
    """Requests (with `headers`) until one reaches `backend` with headers that satisfy `until`: a PUT
    reaches traffic through a reload, a moment after its answer."""
    found: list[tuple[Sent, dict[str, list[str]]]] = []

    def attempt() -> bool:
        try:
            sent = Sent(site_port, headers, host)
        except OSError:
            return False
        seen = received(backend)
        if sent.status == 200 and until(seen):
            found.append((sent, seen))
            return True
        return False

    wait_for(attempt, timeout_s=timeout_s, interval_s=0.1)
    return found[0]


def update(site: Site, **fields: Any) -> dict[str, Any]:
    return site.api.ok("PUT", f"listeners/{site.listener['id']}", {"listener": fields})["listener"]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedLoadBalancer]:
    with shared_load_balancer(tmp_path_factory.mktemp("headers") / "data") as one:
        yield one


@pytest.fixture
def site(shared: SharedLoadBalancer) -> Site:
    """A listener of its own on the module's load balancer (the TLS tests build load balancers of their own)."""
    return listener_site(shared)


@pytest.fixture
def served_site(site: Site, backends: Callable[..., FakeBackend]) -> tuple[Site, FakeBackend]:
    backend = backends("web")
    site.add(backend)
    heard(site.port, backend, lambda _headers: True)
    return site, backend


def test_by_default_x_forwarded_for_is_appended_and_x_forwarded_host_is_the_hosts(served_site: tuple[Site, FakeBackend]) -> None:
    site, backend = served_site
    _, seen = heard(site.port, backend, lambda _headers: True)
    assert seen["x-forwarded-for"] == ["6.6.6.8", CLIENT]  # the client's, then the client's address
    assert seen["x-forwarded-host"] == ["shop.example.com"]  # the forged one replaced
    for name in ("X-Real-IP", "X-Forwarded-ELB-IP", "X-Forwarded-ELB-ID", "X-Forwarded-Port", "X-Forwarded-For-Port", "X-Forwarded-Proto"):
        assert seen[name.lower()] == [FORGED[name]], name  # off: nothing inserted, the client's passes as sent


def test_without_a_host_header_no_x_forwarded_host_passes(served_site: tuple[Site, FakeBackend]) -> None:
    site, backend = served_site
    _, seen = heard(site.port, backend, lambda _headers: True, host=None)
    assert "host" not in seen  # the request reached the member as sent: no Host
    assert "x-forwarded-host" not in seen  # the forged one removed, and no Host to take its place
    assert seen["x-forwarded-for"] == ["6.6.6.8", CLIENT]


def test_each_header_on_carries_its_value_and_replaces_a_forged_one(served_site: tuple[Site, FakeBackend]) -> None:
    site, backend = served_site
    assert update(site, insert_headers=dict.fromkeys(SERVED, True))["insert_headers"] == dict.fromkeys(SERVED, True)
    sent, seen = heard(site.port, backend, lambda headers: headers.get("x-forwarded-elb-id") == [site.lb["id"]])
    assert seen["x-real-ip"] == [CLIENT]
    assert seen["x-forwarded-elb-ip"] == [VIP]
    assert seen["x-forwarded-port"] == [str(site.port)]
    assert seen["x-forwarded-for-port"] == [str(sent.client_port)]
    assert seen["x-forwarded-proto"] == ["http"]
    assert seen["x-forwarded-host"] == ["shop.example.com"]
    assert seen["x-forwarded-for"] == ["6.6.6.8", CLIENT]


def test_a_put_turns_headers_off_and_on_for_the_next_requests(served_site: tuple[Site, FakeBackend]) -> None:
    site, backend = served_site
    update(site, insert_headers={"X-Real-IP": True, "X-Forwarded-Host": False})
    _, seen = heard(site.port, backend, lambda headers: headers.get("x-real-ip") == [CLIENT])
    assert seen["x-forwarded-host"] == ["forged.example.com"]  # off: the client's passes, as Huawei documents
    update(site, insert_headers={"X-Real-IP": False})
    _, seen = heard(site.port, backend, lambda headers: headers.get("x-real-ip") == ["6.6.6.6"])
    assert seen["x-forwarded-host"] == ["shop.example.com"]  # left out of the new value: on again, its default
    _, seen = heard(site.port, backend, lambda _headers: True, headers={})
    assert "x-real-ip" not in seen and "x-forwarded-elb-id" not in seen  # off and not sent: absent


@pytest.mark.parametrize(("mode", "expected"), [("remove", None), ("preserve", ["6.6.6.8"])])
def test_x_forwarded_for_modes(served_site: tuple[Site, FakeBackend], mode: str, expected: list[str] | None) -> None:
    site, backend = served_site
    update(site, insert_headers={"X-Forwarded-For-Processing-Mode": mode})
    _, seen = heard(site.port, backend, lambda headers: headers.get("x-forwarded-for") == expected)
    assert seen.get("x-forwarded-for") == expected
    _, seen = heard(site.port, backend, lambda _headers: True, headers={})
    assert "x-forwarded-for" not in seen  # neither adds the client's address


def test_an_https_listener_tells_https_and_a_forged_proto_never_passes(tls_site: Callable[..., TlsSite]) -> None:  # noqa: F811
    site = tls_site(insert_headers={"X-Real-IP": True})
    serving(site)
    _https_request(site.port, {"X-Forwarded-Proto": "http", "X-Real-IP": "6.6.6.6"})
    seen = received(site.backend)
    assert seen["x-forwarded-proto"] == ["https"] and seen["x-real-ip"] == [CLIENT]
    site.update(insert_headers={"X-Forwarded-Proto": False})

    def proto() -> list[str] | None:
        _https_request(site.port, {"X-Forwarded-Proto": "gopher"})
        return received(site.backend).get("x-forwarded-proto")

    assert wait_for(lambda: proto() == ["gopher"], timeout_s=15)  # off: the client's passes


def _https_request(port: int, headers: dict[str, str], server_name: str | None = None, alpn: list[str] | None = None) -> str:
    """One request over TLS from CLIENT; the cipher suite the client negotiated."""
    lines = ["GET / HTTP/1.1", "Host: shop.example.com", "Connection: close", *(f"{name}: {value}" for name, value in headers.items())]
    context = client_context(alpn=alpn)
    with socket.create_connection((VIP, port), timeout=10, source_address=(CLIENT, 0)) as raw, \
            context.wrap_socket(raw, server_hostname=server_name) as tls:
        tls.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        for _ in range(1000):
            if not tls.recv(65536):
                break
        cipher = tls.cipher()
        return cipher[0] if cipher else ""


TLS_SWITCHES = ("X-Forwarded-TLS-Protocol", "X-Forwarded-TLS-Cipher", "X-Forwarded-Tls-Sni-enable", "X-Forwarded-Tls-Alpn-Protocol-enable")
TLS_FORGED = {"X-Forwarded-TLS-Protocol": "SSLv2", "X-Forwarded-TLS-Cipher": "NULL", "X-Forwarded-Tls-Sni": "forged.example.com",
              "X-Forwarded-Tls-Alpn-Protocol": "h3"}


def test_an_https_listener_tells_of_the_clients_tls_session(tls_site: Callable[..., TlsSite]) -> None:  # noqa: F811
    site = tls_site(http2_enable=True, insert_headers=dict.fromkeys(TLS_SWITCHES, True))
    serving(site)
    cipher = _https_request(site.port, TLS_FORGED, server_name="shop.example.com", alpn=["http/1.1"])
    seen = received(site.backend)
    assert seen["x-forwarded-tls-protocol"] == ["TLSv1.2"]  # tls-1-2, the default policy
    assert seen["x-forwarded-tls-cipher"] == [cipher] and cipher
    assert seen["x-forwarded-tls-sni"] == ["shop.example.com"]
    assert seen["x-forwarded-tls-alpn-protocol"] == ["http/1.1"]
    _https_request(site.port, TLS_FORGED)  # no SNI, no ALPN: neither header, and no forged one
    seen = received(site.backend)
    assert "x-forwarded-tls-sni" not in seen and "x-forwarded-tls-alpn-protocol" not in seen
    assert seen["x-forwarded-tls-protocol"] == ["TLSv1.2"]


def _statuses(port: int, count: int) -> list[int]:
    statuses = []
    for _ in range(count):
        try:
            statuses.append(Sent(port, {}).status)
        except OSError:
            statuses.append(0)
    return statuses


def test_member_retry_on_goes_around_a_refusing_member_and_off_does_not(shared: SharedLoadBalancer, served_site: tuple[Site, FakeBackend]) -> None:
    site, backend = served_site
    closed = "127.20.0.60"
    refusing = site.api.member(site.pool["id"], address=closed, protocol_port=free_port_on(closed),
                               subnet_cidr_id=site.subnet["neutron_subnet_id"])["member"]
    assert shared.server is not None
    process = process_for(shared.server.data_dir, site.lb["id"])
    # in rotation: ready (admin state 0) and running (operational state 2), as an unchecked member is at once
    wait_for(lambda: (fields := server_line(process, site.pool["id"], refusing["id"])) is not None and fields[6] == "0" and fields[5] == "2")
    assert _statuses(site.port, 20) == [200] * 20  # round robin sends half of them to the refusing member: retried
    assert update(site, enable_member_retry=False)["enable_member_retry"] is False
    wait_for(lambda: 503 in _statuses(site.port, 4), timeout_s=15)
    statuses = _statuses(site.port, 20)
    assert set(statuses) == {200, 503} and statuses.count(503) >= 5, statuses


def test_member_timeout_is_each_listeners_own(served_site: tuple[Site, FakeBackend]) -> None:
    """Two listeners share one pool; a member slower than one listener's member_timeout gets that
    listener a 504 after about member_timeout, and the other listener its answer."""
    site, backend = served_site
    update(site, member_timeout=1)
    patient_port = free_port_on(VIP)
    site.api.listener(site.lb["id"], protocol="HTTP", port=patient_port, default_pool_id=site.pool["id"], member_timeout=10)
    wait_for(lambda: _statuses(patient_port, 1) == [200], timeout_s=15)
    backend.behaviour.delay_s = 2.5
    wait_for(lambda: Sent(site.port, {}).status == 504, timeout_s=15, interval_s=0.1)  # the update reached traffic
    started = time.monotonic()
    assert Sent(site.port, {}).status == 504
    assert 0.9 <= time.monotonic() - started < 2.0
    started = time.monotonic()
    assert Sent(patient_port, {}).status == 200
    assert time.monotonic() - started >= 2.4
