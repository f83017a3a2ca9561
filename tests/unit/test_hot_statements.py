"""HotStatement (store/hot_statements.py) answers what SQLAlchemy Core's execution answers, on the driver's
cursor where no type needs converting and through SQLAlchemy where one does, on the store of the pass
(SQLite here, PostgreSQL in the PostgreSQL pass)."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from elbd.config import database_url_of
from elbd.store.db import Database
from elbd.store.hot_statements import HotStatement
from elbd.store.migrate import upgrade
from elbd.store.models import Project, QuotaOverride

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
    assert HotStatement(NAMES)._direct(dialect) is not None
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
