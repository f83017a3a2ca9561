"""Runtime settings: command-line values first, then ELBD_* environment variables, then defaults."""

import os
from dataclasses import dataclass, field
from pathlib import Path

from elbd.dataplane.driver import default_driver_name

DEFAULT_AVAILABILITY_ZONES = ("local-1a", "local-1b")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    dataplane: str
    availability_zones: tuple[str, ...] = field(default=DEFAULT_AVAILABILITY_ZONES)


def load_settings(data_dir: str | Path | None = None) -> Settings:
    directory = Path(data_dir or os.environ.get("ELBD_DATA_DIR") or "./elbd-data").resolve()
    database_url = os.environ.get("ELBD_DATABASE_URL") or f"sqlite:///{directory / 'elbd.db'}"
    zones = os.environ.get("ELBD_AVAILABILITY_ZONES")
    return Settings(
        data_dir=directory,
        database_url=database_url,
        dataplane=os.environ.get("ELBD_DATAPLANE") or default_driver_name(),
        availability_zones=tuple(z.strip() for z in zones.split(",") if z.strip()) if zones else DEFAULT_AVAILABILITY_ZONES,
    )
