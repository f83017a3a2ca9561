"""Is this database one elbd can use? Checked before every start and every backup or restore.

Refused, each with a one-line reason and what to do: a damaged file or one that is no SQLite
database, another application's database (tables but no elbd schema revision), and a schema revision
this elbd does not know (a newer elbd made it). An empty database is fine: migrations build it.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from elbd.store.refusal import StoreRefused
from elbd.store.schema_revisions import VERSION_TABLE, known_revisions


@dataclass(frozen=True)
class Advice:
    """What to do about each kind of unusable database, said after what is wrong."""

    damaged: str
    foreign: str
    newer: str


AT_START = Advice(
    damaged="restore a backup (`elbd db restore FILE`) or move the file away to start with an empty database",
    foreign="point --data-dir or ELBD_DATABASE_URL at an elbd database, or move the file away",
    newer="run a newer elbd, or restore a backup made by this version",
)


def database_name(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def require_usable(url: str, advice: Advice = AT_START, thorough: bool = False) -> str | None:
    """The database's schema revision (None when it is empty); `thorough` runs a full integrity check."""
    name = database_name(url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                _require_intact(connection, name, "integrity_check" if thorough else "quick_check", advice)
            return _known_revision(connection, name, advice)
    except DBAPIError as error:
        detail = str(error.orig).splitlines()[0] if error.orig else type(error).__name__
        if engine.dialect.name == "sqlite":
            raise StoreRefused(f"the database {name} is damaged or is no SQLite database ({detail}); {advice.damaged}.") from None
        raise StoreRefused(f"cannot use the database {name} ({detail}); check ELBD_DATABASE_URL and that the server is up.") from None
    finally:
        engine.dispose()


def _require_intact(connection: Connection, name: str, pragma: str, advice: Advice) -> None:
    findings = [row[0] for row in connection.exec_driver_sql(f"PRAGMA {pragma}")]
    if findings != ["ok"]:
        raise StoreRefused(f"the database {name} is damaged ({findings[0]}); {advice.damaged}.")


def _known_revision(connection: Connection, name: str, advice: Advice) -> str | None:
    revisions = _stored_revisions(connection)
    if not revisions:
        tables = sorted(set(inspect(connection).get_table_names()) - {VERSION_TABLE})
        if tables:
            shown = ", ".join(tables[:3]) + (", ..." if len(tables) > 3 else "")
            raise StoreRefused(f"{name} is not an elbd database (it has tables {shown} but no elbd schema revision); {advice.foreign}.")
        return None
    unknown = [revision for revision in revisions if revision not in known_revisions()]
    if unknown:
        raise StoreRefused(
            f"the database {name} has schema revision {unknown[0]}, which this elbd does not know (a newer elbd "
            f"or another application made it); {advice.newer}."
        )
    return revisions[0]


def _stored_revisions(connection: Connection) -> list[str]:
    """The database's revisions as Alembic stored them (none without its table), read as Alembic reads them."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return []
    return list(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
