"""The seam between the control plane and the data plane.

The store tells the driver, after each commit, which load balancers changed (as a whole, or only some
of their members); the driver converges their data plane to the stored state. Drivers are chosen by
name (ELBD_DATAPLANE).
"""

import shutil
from pathlib import Path
from typing import Protocol

from elbd.changes import Changes
from elbd.metrics.registry import Snapshot
from elbd.store.db import Database


class DataplaneDriver(Protocol):
    def start(self) -> None: ...

    def changed(self, changes: Changes) -> None: ...

    def wait_until_applied(self, load_balancer_ids: set[str], timeout_s: float) -> bool:
        """Block until every change told so far for these load balancers, member changes included, is
        live (False on time-out)."""
        ...

    def metrics(self) -> Snapshot:
        """The data plane's own counters (rounds, reloads, runtime commands), for /metrics."""
        ...

    def stop(self) -> None: ...


class NoneDriver:
    """API only: nothing serves traffic. For users who only exercise the API, and for fast tests."""

    def start(self) -> None:
        return None

    def changed(self, changes: Changes) -> None:
        return None

    def wait_until_applied(self, load_balancer_ids: set[str], timeout_s: float) -> bool:
        return True

    def metrics(self) -> Snapshot:
        return Snapshot()

    def stop(self) -> None:
        return None


def driver_named(name: str, db: Database, data_dir: Path) -> DataplaneDriver:
    if name == "none":
        return NoneDriver()
    if name == "replica":  # `elbd serve --no-agent` on PostgreSQL: the nodes' agents serve its writes
        from elbd.cluster.replica_waits import ReplicaWaits

        if db.url.startswith("sqlite"):
            raise ValueError("the replica driver needs PostgreSQL: on SQLite, elbd serve runs the data plane itself")
        return ReplicaWaits(db)
    if name == "haproxy":
        from elbd.dataplane.agent import AgentProcess

        binary = haproxy_binary()
        if binary is None:
            raise ValueError("the haproxy driver needs HAProxy installed (apt-get install haproxy)")
        return AgentProcess(db.url, db.synchronous, data_dir, binary)
    raise ValueError(f"unknown data-plane driver {name!r}; known: haproxy, none, replica")


def haproxy_binary() -> str | None:
    """HAProxy on PATH, or where Debian puts it (/usr/sbin is not on every user's PATH)."""
    return shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")


def default_driver_name() -> str:
    """HAProxy whenever it is installed; the API-only driver otherwise."""
    return "haproxy" if haproxy_binary() else "none"
