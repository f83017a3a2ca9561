"""data plane status listeners: which listeners the running HAProxy serves, for truthful statuses

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dataplane_status') as table:
        table.add_column(sa.Column('listeners', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('dataplane_status') as table:
        table.drop_column('listeners')
