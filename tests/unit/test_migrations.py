"""The Alembic migrations build exactly the schema the models describe."""

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from elbd.store.migrate import MIGRATIONS, alembic_config, upgrade
from elbd.store.models import Base
from elbd.store.refusal import StoreRefused
from elbd.store.schema_revisions import head_revision, known_revisions


def test_migrations_match_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elbd.db'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_the_revisions_read_from_file_names_are_alembics() -> None:
    """upgrade() leaves Alembic unimported when the database is at head_revision(), which elbd reads from
    the migrations' file names: they must name Alembic's revisions, and the highest must be its one head."""
    alembic = ScriptDirectory(str(MIGRATIONS))
    assert known_revisions() == {script.revision for script in alembic.walk_revisions()}
    assert alembic.get_heads() == [head_revision()]


def test_upgrading_twice_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elbd.db'}"
    upgrade(url)
    before = _schema(url)
    upgrade(url)
    assert _schema(url) == before


def _schema(url: str) -> list[tuple[str, str]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT name, sql FROM sqlite_master ORDER BY name").all()
    engine.dispose()
    return [(name, sql or "") for name, sql in rows]


def test_migration_0007_refuses_load_balancers_that_share_a_vip(tmp_path: Path) -> None:
    """An older elbd let two projects' load balancers take one VIP; 0007 makes VIPs unique on the host
    and refuses, with what to do, rather than pick which of them keeps its traffic."""
    url = f"sqlite:///{tmp_path / 'elbd.db'}"
    command.upgrade(alembic_config(url), "0006")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        for number in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO loadbalancers (id, project_id, name, description, vpc_id, vip_subnet_cidr_id, vip_address, "
                    "elb_virsubnet_ids, availability_zone_list, ip_target_enable, admin_state_up, deletion_protection_enable, "
                    "provisioning_status, operating_status, tags, protection_status, enterprise_project_id, created_at, updated_at) "
                    "VALUES (:id, :project, '', '', 'vpc', :subnet, '127.31.120.2', '[]', '[]', 0, 1, 0, 'ACTIVE', 'ONLINE', '[]', "
                    "'nonProtection', '0', '2026-01-01', '2026-01-01')"
                ),
                {"id": f"lb-{number}", "project": f"project-{number}", "subnet": f"subnet-{number}"},
            )
    engine.dispose()
    with pytest.raises(StoreRefused, match="share the VIPs 127.31.120.2"):
        upgrade(url)
    assert _schema(url) and "ux_loadbalancers_vip_address" not in dict(_schema(url))
