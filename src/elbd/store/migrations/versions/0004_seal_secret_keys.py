"""seal secret keys

Revision ID: 0004
Revises: 0003

`access_keys.secret_key` (in clear) becomes `secret_key_sealed`: every stored secret is sealed with the
data directory's key, which elbd.store.migrate.upgrade hands in. On SQLite, secure_delete zeroes the
freed space, so no plaintext secret stays behind in the database file either.
"""

from alembic import context, op
import sqlalchemy as sa

from elbd.store.migrate import SECRET_BOX
from elbd.store.secret_box import SecretBox


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

access_keys = sa.table(
    'access_keys',
    sa.column('access_key', sa.String),
    sa.column('secret_key', sa.String),
    sa.column('secret_key_sealed', sa.String),
)


def _secret_box() -> SecretBox:
    box = context.config.attributes.get(SECRET_BOX)
    if box is None:
        raise RuntimeError("migration 0004 seals the stored secret keys: upgrade() needs the data directory's SecretBox")
    return box


def _zero_freed_space() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('PRAGMA secure_delete = ON')


def upgrade() -> None:
    _zero_freed_space()
    with op.batch_alter_table('access_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret_key_sealed', sa.String(length=255), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(access_keys.c.access_key, access_keys.c.secret_key)).all()
    if rows:
        box = _secret_box()
        for access_key, secret_key in rows:
            sealed = box.seal(secret_key, bound_to=access_key)
            connection.execute(access_keys.update().where(access_keys.c.access_key == access_key).values(secret_key_sealed=sealed))
    with op.batch_alter_table('access_keys', schema=None) as batch_op:
        batch_op.alter_column('secret_key_sealed', existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column('secret_key')


def downgrade() -> None:
    with op.batch_alter_table('access_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret_key', sa.String(length=128), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(access_keys.c.access_key, access_keys.c.secret_key_sealed)).all()
    if rows:
        box = _secret_box()
        for access_key, sealed in rows:
            secret_key = box.open(sealed, bound_to=access_key)
            connection.execute(access_keys.update().where(access_keys.c.access_key == access_key).values(secret_key=secret_key))
    with op.batch_alter_table('access_keys', schema=None) as batch_op:
        batch_op.alter_column('secret_key', existing_type=sa.String(length=128), nullable=False)
        batch_op.drop_column('secret_key_sealed')
