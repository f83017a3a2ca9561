"""A listener's `connection` and `cps` limits on real traffic: the connection past a limit is refused
(closed with a reset as soon as HAProxy accepts it), the ones within it are served."""

import socket
import time
from collections.abc import Callable, Iterator

import pytest

from tests.dataplane.conftest import VIP, SharedLoadBalancer, Site, listener_site, shared_load_balancer, wait_for
from tests.dataplane.fake_backend import FakeBackend

REQUEST = b"GET / HTTP/1.1\r\nHost: limits.test\r\n\r\n"


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedLoadBalancer]:
    with shared_load_balancer(tmp_path_factory.mktemp("limits") / "data") as made:
        yield made


def served(port: int, vip: str = VIP) -> socket.socket | None:
    """A new connection through the VIP that one request was answered on (kept open), or None when the
    listener refused it."""
    try:
        connection = socket.create_connection((vip, port), timeout=5)
    except ConnectionError:
        return None
    try:
        connection.sendall(REQUEST)
        answer = connection.recv(4096)
    except ConnectionError:
        answer = b""
    if not answer.startswith(b"HTTP/1.1 200"):
        connection.close()
        return None
    return connection


def hold(port: int, count: int) -> list[socket.socket]:
    """`count` connections served and kept open (each retried until served, bounded: a connection just
    closed may still count for a moment)."""
    return [wait_for(lambda: served(port)) for _ in range(count)]


def site_with_backend(shared: SharedLoadBalancer, backends: Callable[..., FakeBackend], **limits: int) -> Site:
    site = listener_site(shared, "TCP", **limits)
    site.add(backends("kept", keep_alive=True))
    return site


def test_connections_past_the_limit_are_refused_until_one_closes(shared: SharedLoadBalancer, backends: Callable[..., FakeBackend]) -> None:
    site = site_with_backend(shared, backends, connection=3)
    assert site.listener["connection"] == 3
    held = hold(site.port, 3)
    try:
        assert [served(site.port) for _ in range(3)] == [None, None, None]
        held.pop().close()
        held.append(wait_for(lambda: served(site.port)))  # a slot is free again
        assert served(site.port) is None
    finally:
        for connection in held:
            if connection:
                connection.close()


def test_lifting_the_limit_serves_more_and_closes_none(shared: SharedLoadBalancer, backends: Callable[..., FakeBackend]) -> None:
    site = site_with_backend(shared, backends, connection=2)
    held = hold(site.port, 2)
    try:
        assert served(site.port) is None
        shared.api.ok("PUT", f"listeners/{site.listener['id']}", {"listener": {"connection": 0}})
        held += hold(site.port, 2)
        for connection in held[:2]:  # the connections open before the reload still answer
            connection.sendall(REQUEST)
            assert connection.recv(4096).startswith(b"HTTP/1.1 200")
    finally:
        for connection in held:
            if connection:
                connection.close()


def test_new_connections_past_the_rate_are_refused(shared: SharedLoadBalancer, backends: Callable[..., FakeBackend]) -> None:
    site = site_with_backend(shared, backends, cps=5)
    assert site.listener["cps"] == 5
    first = wait_for(lambda: served(site.port))
    first.close()
    time.sleep(2.2)  # the listener's rate of the last second falls back to 0
    burst = [served(site.port) for _ in range(30)]  # within well under a second
    answered = [connection for connection in burst if connection]
    for connection in answered:
        connection.close()
    # 5 a second; a burst that straddles a second's end may get a few more from the next one
    assert 5 <= len(answered) <= 12, len(answered)
    time.sleep(1.2)
    assert wait_for(lambda: served(site.port)), "a second later, new connections are served again"
