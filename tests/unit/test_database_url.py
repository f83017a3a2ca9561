"""ELBD_DATABASE_URL as SQLAlchemy takes it."""

import pytest

from elbd.config import database_url_of


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://elbd@db:5432/elbd", "postgresql+psycopg://elbd@db:5432/elbd"),
        ("postgres://elbd@db/elbd", "postgresql+psycopg://elbd@db/elbd"),
        ("postgresql+psycopg://elbd@db/elbd", "postgresql+psycopg://elbd@db/elbd"),
        ("sqlite:////var/lib/elbd/elbd.db", "sqlite:////var/lib/elbd/elbd.db"),
    ],
)
def test_a_postgresql_url_without_a_driver_goes_through_psycopg(given: str, used: str) -> None:
    assert database_url_of(given) == used
