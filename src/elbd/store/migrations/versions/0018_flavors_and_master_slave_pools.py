"""active/standby (master-slave) pools: pools.master_slave and members.role; flavors need no table
(the catalogue is fixed, and loadbalancers already holds l4_flavor_id and l7_flavor_id)

Revision ID: 0018
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pools') as batch:
        batch.add_column(sa.Column('master_slave', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('members') as batch:
        batch.add_column(sa.Column('role', sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('members') as batch:
        batch.drop_column('role')
    with op.batch_alter_table('pools') as batch:
        batch.drop_column('master_slave')
