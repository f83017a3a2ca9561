"""Schema upgrades through Alembic, run at start by every command that opens the database.

Alembic is imported only when a migration is due (store/schema_revisions.py says why)."""

from pathlib import Path
from typing import TYPE_CHECKING

from elbd.store.preflight import require_usable
from elbd.store.schema_revisions import head_revision
from elbd.store.secret_box import SecretBox

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
SECRET_BOX = "secret_box"  # the Config.attributes key migrations find the data directory's SecretBox under


def alembic_config(url: str) -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, secret_box: SecretBox | None = None) -> None:
    """`secret_box` seals the secret keys a migration finds in clear (0004); it may be left out only
    for a database that holds none. A damaged, foreign or newer database is refused (StoreRefused).
    A database at the head revision is left as it is; any other runs the migrations it lacks."""
    if require_usable(url) == head_revision():
        return
    from alembic import command

    config = alembic_config(url)
    config.attributes[SECRET_BOX] = secret_box
    command.upgrade(config, "head")
