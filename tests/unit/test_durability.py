"""ELBD_SQLITE_SYNCHRONOUS reaches every SQLite connection; FULL unless set otherwise."""

from pathlib import Path

import pytest

from elbd.store.db import Database
from elbd.store.refusal import StoreRefused

SYNCHRONOUS_LEVELS = {"NORMAL": 1, "FULL": 2}


def synchronous_level(tmp_path: Path) -> int:
    db = Database(f"sqlite:///{tmp_path / 'elbd.db'}")
    try:
        with db.write() as writing, db.read() as reading:
            levels = {session.connection().exec_driver_sql("PRAGMA synchronous").scalar_one() for session in (writing, reading)}
    finally:
        db.dispose()
    assert len(levels) == 1
    return levels.pop()


@pytest.mark.parametrize("setting, level", [(None, "FULL"), ("NORMAL", "NORMAL"), ("full", "FULL")])
def test_the_setting_applies_to_writers_and_readers(
    setting: str | None, level: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if setting is None:
        monkeypatch.delenv("ELBD_SQLITE_SYNCHRONOUS", raising=False)
    else:
        monkeypatch.setenv("ELBD_SQLITE_SYNCHRONOUS", setting)
    assert synchronous_level(tmp_path) == SYNCHRONOUS_LEVELS[level]


def test_an_unknown_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELBD_SQLITE_SYNCHRONOUS", "OFF")
    with pytest.raises(StoreRefused, match="FULL or NORMAL"):
        Database("sqlite://")
