"""A failed write of members' health neither stops the poller nor is lost: the poller forgets the
changes it could not write, so its next pass finds and writes them again."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from elbd.dataplane.model import LoadBalancerConfig
from elbd.dataplane.reconciler import Reconciler, Served
from elbd.store.dataplane import MemberHealth

DOWN = MemberHealth("OFFLINE", "CONNECT_REFUSED", None, None)


class Store:
    """A database whose writes fail while `failing`."""

    def __init__(self) -> None:
        self.failing = True

    @contextmanager
    def write(self) -> Iterator[Any]:
        if self.failing:
            raise sqlite3.OperationalError("disk I/O error")
        yield self


def test_a_failed_health_write_is_forgotten_and_the_next_one_goes_through(monkeypatch: Any) -> None:
    database = Store()
    saved: list[dict[str, MemberHealth]] = []
    monkeypatch.setattr("elbd.dataplane.reconciler.store.save_member_health", lambda _session, changes: saved.append(dict(changes)))
    reconciler = Reconciler(database, engine=None)  # type: ignore[arg-type]  # the poller's write needs no engine
    served = {"lb-1": Served(LoadBalancerConfig("lb-1", 100), health={"m-1": DOWN, "m-2": DOWN})}
    assert reconciler._save_health({"lb-1": {"m-1": DOWN}}, served) is False
    assert "m-1" not in served["lb-1"].health and "m-2" in served["lb-1"].health  # found again on the next pass
    database.failing = False
    assert reconciler._save_health({"lb-1": {"m-1": DOWN}}, served) is True
    assert saved == [{"m-1": DOWN}]
