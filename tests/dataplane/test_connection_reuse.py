"""Backend connections of HTTP pools are reused: short client connections (a new one per request) cost
the backend far fewer connections than requests; with the elbd extension `elbd_connection_reuse` off,
no backend connection serves two client connections."""

from collections.abc import Callable

from tests.dataplane.conftest import Site, fetch, wait_for
from tests.dataplane.fake_backend import FakeBackend

REQUESTS = 60


def _short_requests(site: Site) -> list[str]:
    """REQUESTS requests through the VIP, each on a new client connection (`Connection: close`)."""
    return [fetch(site.port)[1] for _ in range(REQUESTS)]


def test_short_client_connections_share_backend_connections(site: Site, backends: Callable[..., FakeBackend]) -> None:
    backend = backends("kept", keep_alive=True)
    site.add(backend)
    wait_for(lambda: _answers(site) == "kept")
    before_requests, before_connections = backend.served, backend.connections
    assert set(_short_requests(site)) == {"kept"}
    requests, connections = backend.served - before_requests, backend.connections - before_connections
    assert requests == REQUESTS
    assert connections <= REQUESTS // 10, f"{connections} backend connections for {requests} short client connections"


def test_with_reuse_off_each_client_connection_has_its_own_backend_connection(site: Site, backends: Callable[..., FakeBackend]) -> None:
    backend = backends("private", keep_alive=True)
    site.api.ok("PUT", f"pools/{site.pool['id']}", {"pool": {"elbd_connection_reuse": False}})
    site.add(backend)
    wait_for(lambda: _answers(site) == "private")
    before_requests, before_connections = backend.served, backend.connections
    assert set(_short_requests(site)) == {"private"}
    assert backend.served - before_requests == REQUESTS
    assert backend.connections - before_connections == REQUESTS


def _answers(site: Site) -> str | None:
    try:
        return fetch(site.port, timeout_s=1)[1]
    except OSError:
        return None
