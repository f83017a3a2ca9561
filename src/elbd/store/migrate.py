"""Schema upgrades through Alembic, run at start by every command that opens the database."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from elbd.store.preflight import require_usable
from elbd.store.secret_box import SecretBox

MIGRATIONS = Path(__file__).parent / "migrations"
SECRET_BOX = "secret_box"  # the Config.attributes key migrations find the data directory's SecretBox under


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrations() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def upgrade(url: str, secret_box: SecretBox | None = None) -> None:
    """`secret_box` seals the secret keys a migration finds in clear (0004); it may be left out only
    for a database that holds none. A damaged, foreign or newer database is refused (StoreRefused)."""
    require_usable(url, migrations())
    config = alembic_config(url)
    config.attributes[SECRET_BOX] = secret_box
    command.upgrade(config, "head")
