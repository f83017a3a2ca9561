"""An API replica's wait for the data plane (`elbd serve --no-agent` on PostgreSQL).

The replica runs no engine: the agents on the nodes apply its writes. Every write raised the changed
load balancers' configuration version in its own transaction (store/leases.py: announce), and each node
records the version it has applied (`placements.applied_version`, under its epoch). An answer that
must wait for the data plane (a removal, an access list, a certificate's renewal: api/convergence.py)
reads the versions right after its commit and waits until the nodes have applied at least those."""

import time

from elbd.changes import Changes
from elbd.cluster.decisions import unconfirmed
from elbd.metrics.registry import Snapshot
from elbd.store import leases
from elbd.store.db import Database

FIRST_POLL_S = 0.005  # a node applies a change in tens of milliseconds: look early, then less often
LONGEST_POLL_S = 0.1


class ReplicaWaits:
    """The data-plane driver of an API replica: changes reach the nodes through the database alone."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def start(self) -> None:
        return None

    def changed(self, changes: Changes) -> None:
        return None  # the write's transaction announced them

    def wait_until_applied(self, load_balancer_ids: set[str], timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        wanted: dict[str, int] | None = None
        delay = FIRST_POLL_S
        while True:
            with self._db.read() as session:
                now = leases.versions(session.connection(), load_balancer_ids if wanted is None else wanted)
            if wanted is None:
                wanted = {one: versions.config for one, versions in now.items()}
            if not unconfirmed(wanted, now):
                return True
            if time.monotonic() + delay > deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, LONGEST_POLL_S)

    def metrics(self) -> Snapshot:
        return Snapshot()

    def stop(self) -> None:
        return None
