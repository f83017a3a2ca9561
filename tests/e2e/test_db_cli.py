"""`elbd db backup` and `elbd db restore`, and the one-line refusal of a database elbd cannot use."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Self

import pytest

from elbd.store.migrate import upgrade
from elbd.store.serving_lock import replacing
from tests import postgres
from tests.conftest import LiveServer, free_port
from tests.e2e.test_cli import call, token

pytestmark = postgres.sqlite_only(
    "elbd db backup and restore copy SQLite's file, and the refusals here check that file (a PostgreSQL database is "
    "pg_dump's: the test that says so names its own ELBD_DATABASE_URL, on the SQLite pass)"
)

SECRET_KEY_FILE = "secret.key"  # not in a backup: it travels on its own


def elbd(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "elbd", *args], check=False, capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})}
    )


def assert_refused(done: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("elbd: "), done.stderr
    assert all(phrase in lines[0] for phrase in phrases), lines[0]


class Writer:
    """Creates VPCs one after another until stopped; remembers the names each 200 acknowledged."""

    def __init__(self, server: LiveServer, auth: str, project_id: str) -> None:
        self.server, self.auth, self.project_id = server, auth, project_id
        self.acknowledged: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self._stop.is_set():
            name = f"vpc-{len(self.acknowledged)}"
            call(self.server, self.auth, "POST", f"/v1/{self.project_id}/vpcs", {"vpc": {"name": name, "cidr": "10.0.0.0/8"}})
            self.acknowledged.append(name)

    def wait_for(self, count: int, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.acknowledged) < count:
            assert self._thread.is_alive() and time.monotonic() < deadline, "the writer stopped acknowledging"
            time.sleep(0.05)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def vpc_names(server: LiveServer, auth: str, project_id: str) -> list[str]:
    """The writer's VPCs (not the project's VPC "default", which `project create` made)."""
    listed = call(server, auth, "GET", f"/v1/{project_id}/vpcs?limit=2000")["vpcs"]
    return [vpc["name"] for vpc in listed if vpc["name"] != "default"]


@pytest.fixture
def restored_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "restored-data", free_port())
    yield server
    server.stop()


def test_a_backup_taken_while_serving_writes_restores_into_a_server_with_the_same_resources_but_not_under_a_running_one(
    live_server: LiveServer, restored_server: LiveServer, tmp_path: Path
) -> None:
    credentials = json.loads(live_server.elbd("project", "create", "kept"))
    auth, project_id = token(live_server, credentials), credentials["project_id"]
    backup_file = tmp_path / "elbd-backup.db"
    with Writer(live_server, auth, project_id) as writer:
        writer.wait_for(5)
        before_backup = list(writer.acknowledged)
        backed_up = elbd("db", "backup", str(backup_file), "--data-dir", str(live_server.data_dir))
    after_backup = writer.acknowledged  # the writer has stopped: every write it sent is answered
    assert backed_up.returncode == 0, backed_up.stderr
    assert json.loads(backed_up.stdout)["backup"] == str(backup_file)
    assert backup_file.stat().st_mode & 0o777 == 0o600

    live_database = (live_server.data_dir / "elbd.db").stat()
    refused = elbd("db", "restore", str(backup_file), "--data-dir", str(live_server.data_dir))
    assert_refused(refused, "elbd serve or another elbd command is using", "stop it")
    assert (live_server.data_dir / "elbd.db").stat().st_ino == live_database.st_ino

    restored = elbd("db", "restore", str(backup_file), "--data-dir", str(restored_server.data_dir))
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["restored"] == str(restored_server.data_dir / "elbd.db")
    if (live_server.data_dir / SECRET_KEY_FILE).exists():
        shutil.copy2(live_server.data_dir / SECRET_KEY_FILE, restored_server.data_dir / SECRET_KEY_FILE)
    restored_server.start()

    names = vpc_names(restored_server, auth, project_id)  # the token is in the database too
    assert len(before_backup) <= len(names) <= len(after_backup)
    assert set(names) == set(after_backup[: len(names)]), "a backup is one consistent snapshot: a prefix of the acknowledged writes"


def test_backup_of_a_postgresql_database_points_to_pg_dump(tmp_path: Path) -> None:
    done = elbd("db", "backup", str(tmp_path / "b.db"), env={"ELBD_DATABASE_URL": "postgresql://elbd:pw-7f3a@db.invalid/elbd"})
    assert_refused(done, "pg_dump")
    assert "pw-7f3a" not in done.stderr


def write_damaged(database: Path) -> None:
    database.write_bytes(os.urandom(64 * 1024))


def write_truncated(database: Path) -> None:
    upgrade(f"sqlite:///{database}")
    whole = database.read_bytes()
    database.write_bytes(whole[: len(whole) // 2])


def write_foreign(database: Path) -> None:
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        connection.commit()


def write_newer(database: Path) -> None:
    upgrade(f"sqlite:///{database}")
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
        connection.commit()


UNUSABLE = {
    "random bytes": (write_damaged, ("is damaged or is no SQLite database", "elbd db restore")),
    "truncated": (write_truncated, ("is damaged", "elbd db restore")),
    "another application's": (write_foreign, ("is not an elbd database", "invoices")),
    "a newer elbd's": (write_newer, ("schema revision 9999_from_the_future", "newer elbd")),
}


@pytest.mark.parametrize("kind", UNUSABLE)
def test_an_unusable_database_stops_every_command_with_one_line(kind: str, tmp_path: Path) -> None:
    write, phrases = UNUSABLE[kind]
    data_dir = tmp_path / "elbd-data"
    data_dir.mkdir(mode=0o700)
    write(data_dir / "elbd.db")
    for command in (["serve", "--port", str(free_port())], ["project", "create", "p"]):
        assert_refused(elbd(*command, "--data-dir", str(data_dir)), *phrases)


def test_a_bad_durability_setting_stops_serve_with_one_line(tmp_path: Path) -> None:
    done = elbd("serve", "--port", str(free_port()), "--data-dir", str(tmp_path), env={"ELBD_SQLITE_SYNCHRONOUS": "sometimes"})
    assert_refused(done, "ELBD_SQLITE_SYNCHRONOUS must be FULL or NORMAL")


def test_commands_that_write_the_database_are_refused_while_a_restore_replaces_it(tmp_path: Path) -> None:
    """A write to the database file a restore is renaming away would be lost: they wait for no restore."""
    data_dir = tmp_path / "data"
    created = elbd("project", "create", "first", "--data-dir", str(data_dir))
    assert created.returncode == 0, created.stderr
    project_id = json.loads(created.stdout)["project_id"]
    with replacing(data_dir):
        assert_refused(elbd("project", "create", "second", "--data-dir", str(data_dir)), "a restore is replacing", "again")
        assert_refused(elbd("quota", "set", project_id, "member", "7", "--data-dir", str(data_dir)), "a restore is replacing")
    with closing(sqlite3.connect(data_dir / "elbd.db")) as database:
        assert database.execute("SELECT name FROM projects").fetchall() == [("first",)]
        assert database.execute("SELECT count(*) FROM quota_overrides").fetchone() == (0,)
