"""Statements the member-create path runs on every create, executed on the driver.

SQLAlchemy spends about 100 µs of CPU around each execution (the statement's cache key, an execution
context, result metadata and rows), where psycopg itself takes about 25 µs (bench/findings.md). A member
create runs four to six statements, so on PostgreSQL that was about a fifth of a replica's CPU a create.

A HotStatement is compiled once per dialect. Where none of its parameters and columns needs converting
on that dialect (no type of it has a bind or result processor there, as with every type these
statements use on psycopg), it runs as that compiled SQL on the DBAPI cursor of the session's connection,
in the session's transaction; elsewhere (SQLite's dates and booleans) through SQLAlchemy, as before. So
both ways run the same SQL and return the same values. A driver error is raised as SQLAlchemy's
DBAPIError (so the group commit tells a failed statement from a refusal), and a lost connection is
invalidated; the rest of a pool the server dropped is found by the next write's first statement, which
SQLAlchemy runs (store/db.py).

On psycopg, even its cursor costs about 60 µs of CPU a statement beyond libpq's own work (a cursor
object, the query's conversion, its prepared-statement bookkeeping, the result's description): there
a HotStatement is a server-side prepared statement of its own on each connection, executed through
libpq (`pgconn.exec_prepared`, which releases the interpreter lock while it waits), its parameters
dumped and its rows loaded by psycopg's own Transformer: the values are psycopg's, in a quarter of the
CPU (bench/findings.md)."""

import functools
import itertools
from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, Dialect, Insert, Select, TextClause
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

Statement = Select[*tuple[Any, ...]] | Insert | TextClause


class Result(NamedTuple):
    rows: list[Any]  # each a tuple of the statement's columns, which are also its attributes by name
    rowcount: int

    def one(self) -> Any:
        if len(self.rows) != 1:
            raise LookupError(f"expected one row, got {len(self.rows)}")
        return self.rows[0]

    def first(self) -> Any | None:
        return self.rows[0] if self.rows else None

    def scalars(self) -> list[Any]:
        return [row[0] for row in self.rows]


@dataclass
class _Prepared:
    """The statement as a prepared statement of psycopg's connections: named, with $1..$n parameters."""

    name: bytes
    sql: bytes
    order: tuple[str, ...]  # the parameters of $1..$n


@dataclass
class _Direct:
    """The statement as the driver takes it on one dialect."""

    sql: str
    defaults: dict[str, Any]  # the values the statement binds itself (LIMIT 1, a quota's name)
    required: frozenset[str]  # the parameters the caller must give
    order: tuple[str, ...] | None  # the parameters' order, for a positional paramstyle
    prepared: _Prepared | None = None  # on psycopg
    row: type[tuple[Any, ...]] | None = None  # named after the cursor's columns (the compiled labels, SQLAlchemy's keys) on first use


class HotStatement:
    def __init__(self, statement: Statement) -> None:
        self.statement = statement
        self._through_sqlalchemy = statement.execution_options(preserve_rowcount=True)  # an INSERT's rowcount too
        self._compiled: dict[str, _Direct | None] = {}  # by dialect; None: run through SQLAlchemy

    def run(self, session: Session, parameters: Mapping[str, Any]) -> Result:
        connection = session.connection()
        direct = self._direct(connection.dialect)
        if direct is None:
            result = connection.execute(self._through_sqlalchemy, dict(parameters))
            return Result(list(result) if result.returns_rows else [], result.rowcount)
        return _run_direct(connection, direct, parameters)

    def _direct(self, dialect: Dialect) -> _Direct | None:
        if dialect.name not in self._compiled:
            self._compiled[dialect.name] = _compile(self.statement, dialect)
        return self._compiled[dialect.name]


def _compile(statement: Statement, dialect: Dialect) -> _Direct | None:
    compiled = statement.compile(dialect=dialect)
    if _converts(compiled, statement, dialect) or "POSTCOMPILE" in compiled.string:
        return None
    binds = compiled.binds
    defaults = {name: value for name, value in compiled.params.items() if not binds[name].required}
    required = frozenset(name for name in compiled.params if binds[name].required)
    order = tuple(compiled.positiontup or ()) if compiled.positional else None
    return _Direct(compiled.string, defaults, required, order, _prepared(statement, dialect))


_PREPARED_NAMES = itertools.count()
_PREPARED_HERE = "elbd_hot_statements_prepared"  # in a pooled connection's info: the names prepared on it
_TRANSFORMER = "elbd_hot_statements_transformer"  # and psycopg's Transformer for it


def _prepared(statement: Statement, dialect: Dialect) -> _Prepared | None:
    if dialect.driver != "psycopg":
        return None
    numbering: Any = type(dialect)
    numbered = statement.compile(dialect=numbering(paramstyle="numeric_dollar"))
    return _Prepared(f"elbd_hot_{next(_PREPARED_NAMES)}".encode(), numbered.string.encode(), tuple(numbered.positiontup or ()))


def _converts(compiled: SQLCompiler, statement: Statement, dialect: Dialect) -> bool:
    """Whether SQLAlchemy would convert a parameter or a column of the statement on this dialect."""
    if any(bind.type.dialect_impl(dialect).bind_processor(dialect) for bind in compiled.binds.values()):
        return True
    columns = getattr(statement, "selected_columns", ())
    return any(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)


def _run_direct(connection: Connection, direct: _Direct, parameters: Mapping[str, Any]) -> Result:
    missing = direct.required - parameters.keys()
    if missing:
        raise TypeError(f"parameters missing: {', '.join(sorted(missing))}")
    given = {**direct.defaults, **parameters}
    if direct.prepared is not None:
        return _run_prepared(connection, direct, direct.prepared, [given[name] for name in direct.prepared.order])
    values = tuple(given[name] for name in direct.order) if direct.order is not None else given
    driver = connection.connection.driver_connection
    cursor = driver.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(direct.sql, values)
        rows = cursor.fetchall() if cursor.description is not None else []
        if rows and direct.row is None:
            direct.row = namedtuple("Row", [column[0] for column in cursor.description])  # type: ignore[misc]
        return Result([direct.row(*row) for row in rows] if rows else [], cursor.rowcount)  # type: ignore[misc]
    except connection.dialect.loaded_dbapi.Error as error:
        raise _driver_error(connection, direct, values, error, cursor) from error
    finally:
        cursor.close()


def _run_prepared(connection: Connection, direct: _Direct, prepared: _Prepared, values: list[Any]) -> Result:
    libpq = _psycopg()
    pooled = connection.connection
    driver: Any = pooled.driver_connection
    # in the pooled connection's info, which is cleared when the connection is replaced
    here: set[bytes] = pooled.info.setdefault(_PREPARED_HERE, set())
    transformer = pooled.info.get(_TRANSFORMER)
    try:
        if transformer is None:
            transformer = pooled.info[_TRANSFORMER] = libpq.Transformer(driver)
        parameters = transformer.dump_sequence(values, [libpq.TEXT] * len(values))
        if prepared.name not in here:
            libpq.check(driver.pgconn.prepare(prepared.name, prepared.sql), driver)
            here.add(prepared.name)
        result = libpq.check(driver.pgconn.exec_prepared(prepared.name, parameters), driver)
        if result.status != libpq.TUPLES_OK or not result.ntuples:
            return Result([], result.command_tuples or 0)
        transformer.set_pgresult(result)
        rows = transformer.load_rows(0, result.ntuples, tuple)
        if direct.row is None:
            direct.row = namedtuple("Row", [result.fname(number).decode() for number in range(result.nfields)])  # type: ignore[misc]
        return Result([direct.row(*row) for row in rows], len(rows))
    except connection.dialect.loaded_dbapi.Error as error:
        raise _driver_error(connection, direct, values, error, None) from error


def _driver_error(connection: Connection, direct: _Direct, values: Any, error: Any, cursor: Any) -> Exception:
    """The driver's error as SQLAlchemy raises it; the connection invalidated when the error lost it."""
    lost = connection.dialect.is_disconnect(error, connection.connection, cursor)
    if lost:
        connection.invalidate(error)
    return DBAPIError.instance(direct.sql, values, error, connection.dialect.loaded_dbapi.Error, connection_invalidated=lost)


@dataclass(frozen=True)
class _Libpq:
    """What _run_prepared takes from psycopg, imported once it is first needed (not on SQLite)."""

    Transformer: Any
    TEXT: Any  # the text format for every parameter: the server reads each as its prepared type
    TUPLES_OK: Any
    FATAL_ERROR: Any
    error_from_result: Callable[..., Exception]

    def check(self, result: Any, driver: Any) -> Any:
        """libpq's result, or the error psycopg's cursor would raise for it."""
        if result.status == self.FATAL_ERROR:
            raise self.error_from_result(result, encoding=driver.info.encoding)
        return result


@functools.cache
def _psycopg() -> _Libpq:
    from psycopg import errors, pq
    from psycopg.adapt import PyFormat, Transformer

    return _Libpq(Transformer, PyFormat.TEXT, pq.ExecStatus.TUPLES_OK, pq.ExecStatus.FATAL_ERROR, errors.error_from_result)

