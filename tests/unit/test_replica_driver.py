"""The replica driver (`elbd serve --no-agent` on PostgreSQL) waits on the nodes' placements, which a
SQLite store does not have: asked for there, it is refused with a message, never a driver that fails
at its first wait."""

from pathlib import Path

import pytest

from elbd.dataplane.driver import NoneDriver, driver_named
from elbd.store.db import Database


def test_the_replica_driver_is_refused_on_sqlite(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'elbd.db'}")
    try:
        with pytest.raises(ValueError, match="needs PostgreSQL"):
            driver_named("replica", db, tmp_path)
        assert isinstance(driver_named("none", db, tmp_path), NoneDriver)
    finally:
        db.dispose()
