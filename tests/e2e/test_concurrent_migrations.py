"""Several processes that start at once on one new PostgreSQL database (API replicas and agents
started together) each run the migrations: one applies them, the others wait for it and find the
schema current, and every one of them starts."""

import subprocess
import sys

import psycopg
import pytest

from elbd.store.schema_revisions import head_revision
from tests import postgres

pytestmark = pytest.mark.skipif(postgres.unanswered() is not None, reason=f"THE POSTGRESQL TEST IS SKIPPED: {postgres.unanswered()}")

PROCESSES = 4
UPGRADE = "import sys; from elbd.store.migrate import upgrade; from elbd.config import database_url_of; upgrade(database_url_of(sys.argv[1]))"


def test_processes_migrating_one_database_at_once_all_start() -> None:
    with postgres.new_database() as url:
        started = [subprocess.Popen([sys.executable, "-c", UPGRADE, url], stderr=subprocess.PIPE, text=True) for _ in range(PROCESSES)]
        outcomes = [(process.wait(timeout=120), process.stderr.read() if process.stderr else "") for process in started]
        assert [code for code, _ in outcomes] == [0] * PROCESSES, [error.strip().splitlines()[-1:] for _, error in outcomes]
        with psycopg.connect(url) as connection:
            [(version,)] = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        assert version == head_revision()
