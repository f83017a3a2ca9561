"""pools elbd_connection_reuse: whether an HTTP pool's backend connections are shared between clients

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pools') as table:
        table.add_column(sa.Column('elbd_connection_reuse', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('pools') as table:
        table.drop_column('elbd_connection_reuse')
