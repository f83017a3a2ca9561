"""Runtime settings: command-line values first, then ELBD_* environment variables, then defaults.

A leaf: it reads and checks the numbers and passes the names on as given. What a name means, and what
an unset one defaults to, is decided where it is used: the data-plane driver where the application picks
it (api/app.py), SQLite's synchronous mode where the store opens the database (store/durability.py).
"""

import math
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Literal

AccessLogStyle = Literal["text", "json"]  # the API's line per request: key=value words, or a JSON object
DEFAULT_AVAILABILITY_ZONES = ("local-1a", "local-1b")
DEFAULT_TOKEN_LIFETIME = timedelta(hours=24)
# The largest legitimate body, a batch of 200 members (schemas/members.py, MAX_BATCH) with every field at
# its longest and names of non-ASCII characters escaped as JSON does by default, is about 0.43 MB: the
# default leaves it ample room.
DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024
# A load balancer's access log takes at most ACCESS_LOG_MAX_BYTES times (ACCESS_LOG_KEEP + 1) on disk.
DEFAULT_ACCESS_LOG_MAX_BYTES = 16 * 1024 * 1024
DEFAULT_ACCESS_LOG_KEEP = 3


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    dataplane: str | None  # ELBD_DATAPLANE; None: HAProxy whenever it is installed
    sqlite_synchronous: str | None = None  # ELBD_SQLITE_SYNCHRONOUS; None: the store's default
    availability_zones: tuple[str, ...] = field(default=DEFAULT_AVAILABILITY_ZONES)
    token_lifetime: timedelta = DEFAULT_TOKEN_LIFETIME
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    rate_limit: float = 0.0
    rate_burst: int = 1
    api_host: str | None = None  # where `elbd serve` listens: no listener or member may take it
    api_port: int | None = None
    metrics_host: str = "127.0.0.1"  # `elbd serve --metrics-host`: where /metrics listens
    metrics_port: int | None = None  # `elbd serve --metrics-port`; None: no metrics endpoint
    api_access_log: AccessLogStyle | None = None  # `elbd serve --access-log` ("text") or `--access-log-json` ("json"); None: no line per request
    access_log_max_bytes: int = DEFAULT_ACCESS_LOG_MAX_BYTES  # ELBD_ACCESS_LOG_MAX_BYTES: one file, before it rotates
    access_log_keep: int = DEFAULT_ACCESS_LOG_KEEP  # ELBD_ACCESS_LOG_KEEP: rotated files kept


def load_settings(data_dir: str | Path | None = None) -> Settings:
    directory = Path(data_dir or os.environ.get("ELBD_DATA_DIR") or "./elbd-data").resolve()
    database_url = database_url_of(os.environ.get("ELBD_DATABASE_URL") or f"sqlite:///{directory / 'elbd.db'}")
    zones = os.environ.get("ELBD_AVAILABILITY_ZONES")
    rate_limit = _rate_limit()
    return Settings(
        data_dir=directory,
        database_url=database_url,
        dataplane=os.environ.get("ELBD_DATAPLANE") or None,
        sqlite_synchronous=os.environ.get("ELBD_SQLITE_SYNCHRONOUS") or None,
        availability_zones=tuple(z.strip() for z in zones.split(",") if z.strip()) if zones else DEFAULT_AVAILABILITY_ZONES,
        token_lifetime=_token_lifetime(os.environ.get("ELBD_TOKEN_LIFETIME")),
        max_body_bytes=_positive_whole("ELBD_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
        rate_limit=rate_limit,
        rate_burst=_positive_whole("ELBD_RATE_BURST", max(1, math.ceil(rate_limit))),
        access_log_max_bytes=_positive_whole("ELBD_ACCESS_LOG_MAX_BYTES", DEFAULT_ACCESS_LOG_MAX_BYTES),
        access_log_keep=_positive_whole("ELBD_ACCESS_LOG_KEEP", DEFAULT_ACCESS_LOG_KEEP),
    )


def database_url_of(given: str) -> str:
    """The SQLAlchemy URL of ELBD_DATABASE_URL: a PostgreSQL URL without a driver (postgres:// or
    postgresql://, as psql takes it) goes through psycopg 3, the driver elbd installs."""
    for scheme in ("postgres://", "postgresql://"):
        if given.startswith(scheme):
            return "postgresql+psycopg://" + given[len(scheme):]
    return given


def _token_lifetime(seconds: str | None) -> timedelta:
    if not seconds:
        return DEFAULT_TOKEN_LIFETIME
    if not seconds.strip().isdigit() or int(seconds) <= 0:
        raise ValueError(f"ELBD_TOKEN_LIFETIME is a whole number of seconds above 0, not {seconds!r}")
    return timedelta(seconds=int(seconds))


def _positive_whole(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    if not value.strip().isdigit() or int(value) <= 0:
        raise ValueError(f"{name} is a whole number above 0, not {value!r}")
    return int(value)


def _rate_limit() -> float:
    """ELBD_RATE_LIMIT: requests per second per project (fractions allowed); unset or 0 is no limit."""
    value = os.environ.get("ELBD_RATE_LIMIT")
    if not value:
        return 0.0
    try:
        rate = float(value)
    except ValueError:
        rate = math.nan
    if not math.isfinite(rate) or rate < 0:
        raise ValueError(f"ELBD_RATE_LIMIT is requests per second per project, 0 for no limit, not {value!r}")
    return rate
