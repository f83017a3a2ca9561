"""The schema revisions this elbd knows, read from the migrations' file names without importing Alembic
(`0020_applied_versions.py` is revision 0020; tests/unit/test_migrations.py holds the names and Alembic's
revisions together). A start finds its database at the head revision almost always: it then has no reason
to import Alembic and read every migration, which cost each start about 0.12 s of CPU."""

from functools import cache
from pathlib import Path

VERSIONS = Path(__file__).parent / "migrations" / "versions"
VERSION_TABLE = "alembic_version"  # where Alembic keeps a database's revision


@cache
def known_revisions() -> frozenset[str]:
    return frozenset(path.name.split("_", 1)[0] for path in VERSIONS.glob("[0-9]*_*.py"))


def head_revision() -> str:
    """Revision ids are numbers of one width, each migration the next: the head is the highest."""
    return max(known_revisions())
