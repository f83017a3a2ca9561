"""Backend connections of HTTP pools are reused: short client connections (a new one per request) cost
the backend far fewer connections than requests; with the elbd extension `elbd_connection_reuse` off,
no backend connection serves two client connections."""

import time
from collections.abc import Callable

import pytest

from tests.dataplane.conftest import SharedLoadBalancer, Site, fetch, listener_site, wait_for
from tests.dataplane.fake_backend import FakeBackend


@pytest.fixture
def site(shared: SharedLoadBalancer) -> Site:
    """A listener and pool of the test's own on the module's load balancer."""
    return listener_site(shared)


REQUESTS = 60


def _short_requests(site: Site, backend: FakeBackend) -> tuple[list[str], int, int]:
    """REQUESTS requests through the VIP, each on a new client connection (`Connection: close`): their
    answers, and the requests and connections the backend saw for them."""
    before_requests, before_connections = _settled(backend)
    answers = [fetch(site.port)[1] for _ in range(REQUESTS)]
    wait_for(lambda: backend.served - before_requests >= REQUESTS)
    requests, connections = _settled(backend)
    return answers, requests - before_requests, connections - before_connections


def _settled(backend: FakeBackend) -> tuple[int, int]:
    """The backend's counts once no request is being answered: a count grows just after its answer."""
    def read() -> tuple[int, int] | None:
        first = (backend.served, backend.connections)
        time.sleep(0.1)
        return first if first == (backend.served, backend.connections) and backend.active == 0 else None

    return wait_for(read)


def test_short_client_connections_share_backend_connections(site: Site, backends: Callable[..., FakeBackend]) -> None:
    backend = backends("kept", keep_alive=True)
    site.add(backend)
    wait_for(lambda: _answers(site) == "kept")
    answers, requests, connections = _short_requests(site, backend)
    assert set(answers) == {"kept"} and requests == REQUESTS
    assert connections <= REQUESTS // 10, f"{connections} backend connections for {requests} short client connections"


def test_with_reuse_off_each_client_connection_has_its_own_backend_connection(site: Site, backends: Callable[..., FakeBackend]) -> None:
    backend = backends("private", keep_alive=True)
    site.api.ok("PUT", f"pools/{site.pool['id']}", {"pool": {"elbd_connection_reuse": False}})
    site.add(backend)
    wait_for(lambda: _answers(site) == "private")
    answers, requests, connections = _short_requests(site, backend)
    assert set(answers) == {"private"} and requests == REQUESTS
    assert connections == REQUESTS


def _answers(site: Site) -> str | None:
    try:
        return fetch(site.port, timeout_s=1)[1]
    except OSError:
        return None
