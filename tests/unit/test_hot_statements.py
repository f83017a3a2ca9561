"""HotStatement (store/hot_statements.py) answers what SQLAlchemy Core's execution answers, on the driver
where no type needs converting (SQLite's cursor; on psycopg a prepared statement of each connection, run
through libpq) and through SQLAlchemy where one does, on the store of the pass (SQLite here, PostgreSQL
in the PostgreSQL pass)."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError

from elbd.config import database_url_of
from elbd.store.db import Database
from elbd.store.hot_statements import HotStatement
from elbd.store.migrate import upgrade
from elbd.store.models import Project, QuotaOverride
from tests import postgres

CREATED = datetime(2026, 12, 6, 1, 2, 3)  # no microseconds: a spelling SQLite's own date adapter would get wrong
NAMES = select(Project.id, Project.name).where(Project.domain_name == bindparam("domain")).order_by(Project.id)
DATES = select(Project.id, Project.created_at, (Project.created_at >= bindparam("since")).label("recent")).order_by(Project.id)
COUNT = select(func.count()).select_from(Project).where(Project.name != bindparam("name")).limit(1)


@pytest.fixture
def db(tmp_path: Path, postgres_database: str | None) -> Iterator[Database]:
    if postgres_database is None:
        url = f"sqlite:///{tmp_path / 'elbd.db'}"
        upgrade(url)
    else:
        url = database_url_of(postgres_database)
    database = Database(url)
    with database.write() as session:
        for number in (1, 2, 3):
            session.add(Project(id=f"p{number}", name=f"project {number}", domain_name="d" if number < 3 else "e", created_at=CREATED))
    yield database
    database.dispose()


def _insert(dialect_name: str) -> HotStatement:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return HotStatement(dialect.insert(QuotaOverride.__table__).on_conflict_do_nothing())


@pytest.mark.parametrize(("statement", "parameters"), [(NAMES, {"domain": "d"}), (DATES, {"since": CREATED}), (COUNT, {"name": "project 2"})])
def test_the_rows_are_sqlalchemys_by_position_and_by_name(db: Database, statement: object, parameters: dict[str, object]) -> None:
    with db.read() as session:
        expected = session.connection().execute(statement, parameters).all()  # type: ignore[call-overload]
        rows = HotStatement(statement).run(session, parameters).rows  # type: ignore[arg-type]
    assert rows and [tuple(row) for row in rows] == [tuple(row) for row in expected]
    for row, other in zip(rows, expected):
        assert all(getattr(row, name) == getattr(other, name) for name in other._fields)


def test_the_driver_runs_a_statement_whose_types_need_no_converting(db: Database) -> None:
    dialect = db.writer.dialect
    direct = HotStatement(NAMES)._direct(dialect)
    assert direct is not None
    assert (direct.prepared is not None) == (dialect.name == "postgresql")  # psycopg: prepared, through libpq
    # SQLite keeps dates as text and booleans as integers: SQLAlchemy converts them, so it runs such a statement
    assert (HotStatement(DATES)._direct(dialect) is None) == (dialect.name == "sqlite")


def test_an_insert_that_does_nothing_counts_no_row(db: Database) -> None:
    insert = _insert(db.writer.dialect.name)
    override = {"project_id": "p1", "resource": "member", "limit": 7}
    with db.write() as session:
        assert insert.run(session, override).rowcount == 1
        assert insert.run(session, override | {"limit": 9}).rowcount == 0
    with db.read() as session:
        assert session.scalars(select(QuotaOverride.limit)).all() == [7]


def test_a_driver_error_is_sqlalchemys_and_undoes_the_transaction(db: Database) -> None:
    plain = HotStatement(QuotaOverride.__table__.insert())
    with pytest.raises(IntegrityError):
        with db.write() as session:
            plain.run(session, {"project_id": "p1", "resource": "member", "limit": 1})
            plain.run(session, {"project_id": "no such project", "resource": "member", "limit": 1})
    with db.read() as session:
        assert session.scalars(select(QuotaOverride.limit)).all() == []


def test_a_parameter_left_out_is_refused_not_taken_for_null(db: Database) -> None:
    with db.read() as session, pytest.raises(TypeError, match="domain"):
        HotStatement(NAMES).run(session, {})


def test_a_statement_answers_on_every_connection_also_a_new_one(db: Database) -> None:
    """On psycopg each connection prepares it once: a connection that replaced another prepares it anew."""
    expected = [("p1", "project 1"), ("p2", "project 2")]
    statement = HotStatement(NAMES)
    for _ in range(3):
        with db.read() as session:
            assert [tuple(row) for row in statement.run(session, {"domain": "d"}).rows] == expected
        with db.reader.connect() as connection:  # the pool's one connection, replaced at its next use
            connection.invalidate()


def test_a_connection_the_server_dropped_fails_as_invalidated_and_the_next_one_answers(db: Database, postgres_database: str | None) -> None:
    if postgres_database is None:
        pytest.skip("a server that drops a connection is PostgreSQL's")
    statement = HotStatement(NAMES)
    with pytest.raises(DBAPIError) as failed:
        with db.read() as session:
            statement.run(session, {"domain": "d"})  # prepared on this connection
            backend = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            postgres.terminate_backend(postgres_database, backend)
            statement.run(session, {"domain": "d"})
    assert failed.value.connection_invalidated
    with db.read() as session:
        assert len(statement.run(session, {"domain": "d"}).rows) == 2


class _Undo(Exception):
    """Raised to roll a write back."""


def test_a_statement_outlives_a_rollback_on_its_connection(db: Database) -> None:
    """psycopg would answer a rollback by deallocating every prepared statement of the connection, had it
    prepared any of its own (it does after five executions of a statement): elbd's connections let it
    prepare none, so the hot statements stay prepared."""
    statement = HotStatement(NAMES)
    for _ in range(8):
        with pytest.raises(_Undo):
            with db.write() as session:
                assert len(statement.run(session, {"domain": "d"}).rows) == 2
                session.connection().execute(COUNT, {"name": "x"})  # through SQLAlchemy, as every other statement
                raise _Undo
