"""Opening the state: a private data directory and database files, a key file made once, clear
refusals for a missing or wrong key, and migration 0004 sealing the secret keys an older database
holds in clear."""

import os
import stat
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from elbd.service import identity
from elbd.store import state as state_module
from elbd.store.migrate import SECRET_BOX, alembic_config, upgrade
from elbd.store.refusal import StateUnusable
from elbd.store.secret_box import KEY_FILE_NAME, SecretBox, create_key_file, load_key_file
from elbd.store.state import State, open_state
from tests.conftest import CHEAP_HASHER

PLAINTEXT_SECRET = "PlainSecretKey0123456789abcdefghijklmnop"


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The common 022: without elbd's own care, new files would be readable by everyone."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def url_of(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'elbd.db'}"


def opened(data_dir: Path) -> State:
    return open_state(data_dir, url_of(data_dir))


def create_project(state: State, name: str) -> identity.ProjectCredentials:
    with state.db.write() as session:
        return identity.create_project(session, name=name, secret_box=state.secret_box, hasher=CHEAP_HASHER)


def test_a_new_data_directory_and_its_files_are_the_owners_only(tmp_path: Path, usual_umask: None) -> None:
    data_dir = tmp_path / "elbd-data"
    state = opened(data_dir)
    try:
        create_project(state, "alpha")
        with state.db.read() as session:
            session.execute(text("SELECT 1"))
        files = {path.name: mode(path) for path in data_dir.iterdir()}
    finally:
        state.db.dispose()
    assert mode(data_dir) == 0o700
    assert {"elbd.db", "elbd.db-wal", "elbd.db-shm", KEY_FILE_NAME} <= set(files)
    assert set(files.values()) == {0o600}, files


def test_an_older_looser_data_directory_is_tightened(tmp_path: Path, usual_umask: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's companion files left by an older elbd (here all of them, loose) are the owner's only
    before SQLite first opens the database: their modes are read at that moment, since SQLite removes
    the WAL once the last connection closes and makes a new one with the database file's mode."""
    data_dir = tmp_path / "elbd-data"
    data_dir.mkdir(mode=0o755)
    names = ["elbd.db", "elbd.db-wal", "elbd.db-shm", "elbd.db-journal"]
    for name in names:
        (data_dir / name).touch(mode=0o644)
    seen: dict[str, int] = {}

    def upgrade_looking_first(database_url: str, secret_box: SecretBox) -> None:
        seen.update({name: mode(data_dir / name) for name in names})
        upgrade(database_url, secret_box)

    monkeypatch.setattr(state_module, "upgrade", upgrade_looking_first)
    opened(data_dir).db.dispose()
    assert seen == dict.fromkeys(names, 0o600)
    assert mode(data_dir) == 0o700
    left = {path.name: mode(path) for path in data_dir.glob("elbd.db*")}
    assert set(left.values()) == {0o600}, left


def test_the_key_file_is_made_once_and_kept(tmp_path: Path) -> None:
    data_dir = tmp_path / "elbd-data"
    first = opened(data_dir)
    credentials = create_project(first, "alpha")
    first.db.dispose()
    key = (data_dir / KEY_FILE_NAME).read_bytes()
    second = opened(data_dir)
    try:
        assert (data_dir / KEY_FILE_NAME).read_bytes() == key
        with second.db.read() as session:
            signing = identity.signing_key(session, credentials.access_key, second.secret_box)
        assert signing is not None and signing.secret_key == credentials.secret_key
        assert credentials.secret_key not in repr(signing)
    finally:
        second.db.dispose()


def test_a_missing_key_file_for_sealed_secrets_is_refused_and_not_replaced(tmp_path: Path) -> None:
    data_dir = tmp_path / "elbd-data"
    state = opened(data_dir)
    create_project(state, "alpha")
    state.db.dispose()
    (data_dir / KEY_FILE_NAME).unlink()
    with pytest.raises(StateUnusable, match=f"{data_dir / KEY_FILE_NAME} is missing.*restore"):
        opened(data_dir)
    assert not (data_dir / KEY_FILE_NAME).exists()


def test_a_wrong_key_file_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "elbd-data"
    state = opened(data_dir)
    create_project(state, "alpha")
    state.db.dispose()
    (data_dir / KEY_FILE_NAME).unlink()
    create_key_file(data_dir / KEY_FILE_NAME)
    with pytest.raises(StateUnusable, match="not the key this database's secret keys were sealed with"):
        opened(data_dir)


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "elbd-data"
    opened(data_dir).db.dispose()
    (data_dir / KEY_FILE_NAME).chmod(0o644)
    with pytest.raises(StateUnusable, match="readable by other users"):
        opened(data_dir)


def test_without_secret_keys_any_key_file_will_do(tmp_path: Path) -> None:
    data_dir = tmp_path / "elbd-data"
    opened(data_dir).db.dispose()
    (data_dir / KEY_FILE_NAME).unlink()
    opened(data_dir).db.dispose()
    assert mode(data_dir / KEY_FILE_NAME) == 0o600


def database_at_0003_with_a_plaintext_secret(data_dir: Path) -> None:
    data_dir.mkdir(mode=0o700)
    url = url_of(data_dir)
    command.upgrade(alembic_config(url), "0003")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        now = datetime(2026, 1, 1)
        connection.execute(
            text("INSERT INTO projects (id, name, domain_name, created_at) VALUES ('p1', 'old', 'old', :now)"), {"now": now}
        )
        connection.execute(
            text("INSERT INTO users (id, project_id, domain_name, name, password_hash) VALUES ('u1', 'p1', 'old', 'old', 'x')")
        )
        connection.execute(
            text("INSERT INTO access_keys (access_key, project_id, user_id, secret_key) VALUES ('OLDKEY', 'p1', 'u1', :secret)"),
            {"secret": PLAINTEXT_SECRET},
        )
    engine.dispose()


def test_migration_0004_seals_plaintext_secret_keys_and_leaves_no_trace(tmp_path: Path) -> None:
    data_dir = tmp_path / "elbd-data"
    database_at_0003_with_a_plaintext_secret(data_dir)
    assert any(PLAINTEXT_SECRET.encode() in path.read_bytes() for path in data_dir.glob("elbd.db*"))
    state = opened(data_dir)
    try:
        columns = {column["name"] for column in inspect(state.db.reader).get_columns("access_keys")}
        with state.db.read() as session:
            signing = identity.signing_key(session, "OLDKEY", state.secret_box)
            sealed = session.execute(text("SELECT secret_key_sealed FROM access_keys")).scalar_one()
    finally:
        state.db.dispose()
    assert "secret_key" not in columns
    assert signing is not None and signing.secret_key == PLAINTEXT_SECRET
    assert PLAINTEXT_SECRET not in sealed
    for path in data_dir.glob("elbd.db*"):
        assert PLAINTEXT_SECRET.encode() not in path.read_bytes(), path
    assert load_key_file(data_dir / KEY_FILE_NAME).open(sealed, bound_to="OLDKEY") == PLAINTEXT_SECRET


def test_downgrading_0004_opens_the_secret_keys_again(tmp_path: Path) -> None:
    data_dir = tmp_path / "elbd-data"
    database_at_0003_with_a_plaintext_secret(data_dir)
    state = opened(data_dir)
    state.db.dispose()
    config = alembic_config(url_of(data_dir))
    config.attributes[SECRET_BOX] = state.secret_box
    command.downgrade(config, "0003")
    engine = create_engine(url_of(data_dir))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT secret_key FROM access_keys")).scalar_one() == PLAINTEXT_SECRET
    engine.dispose()
