"""nodes and placements: data-plane agents with their heartbeat, and each load balancer's lease with its
fencing epoch (elbd agent on PostgreSQL)

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'nodes',
        sa.Column('name', sa.String(64), primary_key=True),
        sa.Column('heartbeat_at', sa.DateTime(), nullable=False),
    )
    op.create_table(
        'placements',
        sa.Column('loadbalancer_id', sa.String(36), sa.ForeignKey('loadbalancers.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('node', sa.String(64), nullable=False),
        sa.Column('epoch', sa.Integer(), nullable=False),
        sa.Column('lease_until', sa.DateTime(), nullable=False),
        sa.Column('config_version', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('moving_to', sa.String(64), nullable=True),
    )
    op.create_index('ix_placements_node', 'placements', ['node'])


def downgrade() -> None:
    op.drop_index('ix_placements_node', 'placements')
    op.drop_table('placements')
    op.drop_table('nodes')
