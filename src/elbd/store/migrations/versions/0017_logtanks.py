"""log tanks: a load balancer's access log (one at most)

Revision ID: 0017
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'logtanks',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(32), nullable=False),
        sa.Column('loadbalancer_id', sa.String(36), sa.ForeignKey('loadbalancers.id'), nullable=False),
        sa.Column('log_group_id', sa.String(36), nullable=False),
        sa.Column('log_topic_id', sa.String(36), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_logtanks_page', 'logtanks', ['project_id', 'created_at', 'id'])
    op.create_index('ux_logtanks_loadbalancer_id', 'logtanks', ['loadbalancer_id'], unique=True)


def downgrade() -> None:
    op.drop_index('ux_logtanks_loadbalancer_id', 'logtanks')
    op.drop_index('ix_logtanks_page', 'logtanks')
    op.drop_table('logtanks')
