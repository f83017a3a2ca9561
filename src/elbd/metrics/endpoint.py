"""The operator's metrics endpoint: `GET /metrics` on an address of its own (`elbd serve --metrics-port`,
127.0.0.1 unless --metrics-host says otherwise), never on the tenants' API port. Per load balancer,
listener and member metrics are the operator's: no tenant's credentials may read another's, so the
endpoint takes none and is reached only where the operator binds it.

What it serves is collected at each scrape: the API's counters (this process), the agent's (as it last
sent them) and each running HAProxy's `show stat`, read through its runtime API socket."""

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import select

from elbd.dataplane.haproxy_engine import process_for
from elbd.dataplane.runtime_commands import ShowAllStats
from elbd.metrics.exposition import CONTENT_TYPE, Family, render
from elbd.metrics.haproxy_stats import StatsOf, families as haproxy_families
from elbd.metrics.registry import Registry, Snapshot
from elbd.store.db import Database
from elbd.store.models import LoadBalancer

log = logging.getLogger(__name__)
READERS = 4  # load balancers whose statistics are read at once


def haproxy_stats(db: Database, data_dir: Path) -> list[StatsOf]:
    """`show stat` of every stored load balancer whose HAProxy answers (one not running is left out)."""
    with db.read() as session:
        owners = list(session.execute(select(LoadBalancer.id, LoadBalancer.project_id)).tuples())

    def read(owner: tuple[str, str]) -> StatsOf | None:
        load_balancer_id, project_id = owner
        try:
            return StatsOf(project_id, load_balancer_id, process_for(data_dir, load_balancer_id).runtime(ShowAllStats()))
        except OSError:
            return None

    with ThreadPoolExecutor(max_workers=READERS) as pool:
        return [stats for stats in pool.map(read, owners) if stats is not None]


def collect(api: Registry, agent: Callable[[], Snapshot], db: Database, data_dir: Path) -> str:
    families: list[Family] = [*api.snapshot().families(), *agent().families(), *haproxy_families(haproxy_stats(db, data_dir))]
    return render(families)


class MetricsUnbindable(Exception):
    """The metrics endpoint's address and port cannot be bound (taken, or no address of the host)."""


class MetricsEndpoint:
    def __init__(self, host: str, port: int, page: Callable[[], str]) -> None:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                if self.path.split("?")[0] != "/metrics":
                    self.send_error(404, "only /metrics is here")
                    return
                try:
                    body = endpoint.page().encode()
                except Exception:  # noqa: BLE001 - a scrape that failed answers 500, the server stays up
                    log.exception("collecting the metrics failed")
                    self.send_error(500)
                    return
                self.send_response(200)
                self.send_header("Content-Type", CONTENT_TYPE)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the signature http.server gives
                return None

        self.page = page
        try:
            self._server = ThreadingHTTPServer((host, port), Handler)
        except OSError as error:
            raise MetricsUnbindable(f"the metrics endpoint cannot listen on {host}:{port}: {error.strerror}") from None
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="elbd-metrics", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
